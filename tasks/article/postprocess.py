"""Post-processing of the rendered blocks: Wix markers, furniture lines, a leading date
line, the headline repeated at the top of the body, and a title for plain-text pages.

Wix renders visually hidden "top of page" / "bottom of page" regions around the site; a
text dump of it is the seed-article shape.
"""

from __future__ import annotations

import re
from datetime import date

from tasks.article.boilerplate import RELATED_HEADING_RE
from tasks.article.dates import _date_only_line
from tasks.article.text import BULLET

# Single lines of page furniture that survive any container choice.
BOILERPLATE_LINE_RE = re.compile(
    r"(?:skip to (?:main )?(?:content|navigation)|advertisement|advert|sponsored(?: content)?"
    r"|share(?: this)?(?: article| story| page| post)?(?: on [a-z]+)?|share via [a-z ,]+"
    r"|copy link|print(?: this page)?|email|-*\s*ends\s*-*"
    r"|image (?:source|caption),.*"
    r"|(?:accept|reject|allow|decline)(?: all)?(?: additional| analytics| optional"
    r"| non-essential)? cookies"
    r"|(?:view|change|manage|set)(?: your)? cookies?(?: settings| preferences)?"
    r"|cookie (?:settings|preferences|policy)|cookies on .{1,40}"
    r"|we use (?:some )?(?:essential |necessary |strictly necessary )?cookies\b.*"
    r"|we(?:'|’)?d (?:also )?like to (?:use|set) (?:additional |analytics )?cookies\b.*"
    r"|this (?:site|website|service) is (?:a |in )?beta\b.*"
    r"|\d+ min(?:ute)?s? read|\d+\s*views?(?:\s*\d+\s*comments?)?|\d+\s*comments?"
    r"|post not marked as liked|follow us(?: on .{1,40})?|log in|sign in|sign up)",
    re.I,
)


WIX_TOP_RE = re.compile(r"\s*top of page\s*", re.I)
WIX_BOTTOM_RE = re.compile(r"\s*bottom of page\s*", re.I)
# Wix blog posts end with a "Recent Posts" / "See All" card list.
WIX_TAIL_RE = re.compile(r"\s*(?:recent posts|see all|related posts)\s*", re.I)
# Cut the tail only when the article before it holds this share of the text; otherwise
# the marker sits in a sidebar before the article and only the marker line goes.
WIX_TAIL_MIN_SHARE = 0.4
# A plain-text page has no title element: take an early line that reads like a headline.
PLAIN_TITLE_LINES = 10
PLAIN_TITLE_MAX_CHARS = 200
LEADING_DATE_LINES = 5
# A body that starts with the headline (an <h1> inside <article>, a text dump) repeats
# it; that line and the site chrome above it go, if the chrome is short.
LEADING_TITLE_LINES = 6
LEADING_CHROME_MAX_CHARS = 300


def _postprocess(blocks: list[list[str]]) -> tuple[list[list[str]], bool, date | None]:
    """Wix markers, "Recent Posts" tails, furniture lines, a leading date line."""
    flat = [(i, line) for i, lines in enumerate(blocks) for line in lines]
    wix = False
    top = next((k for k, (_, line) in enumerate(flat) if WIX_TOP_RE.fullmatch(line)), None)
    if top is not None:
        flat, wix = flat[top + 1 :], True
    bottom = None
    for k in range(len(flat) - 1, -1, -1):
        if WIX_BOTTOM_RE.fullmatch(flat[k][1]):
            bottom = k
            break
    if bottom is not None:
        flat, wix = flat[:bottom], True
    tail = next((k for k, (_, line) in enumerate(flat) if WIX_TAIL_RE.fullmatch(line)), None)
    if tail is not None:
        before = sum(len(line) for _, line in flat[:tail])
        total = before + sum(len(line) for _, line in flat[tail:])
        if before >= WIX_TAIL_MIN_SHARE * total:
            flat = flat[:tail]
        else:
            flat = [(i, line) for i, line in flat if not WIX_TAIL_RE.fullmatch(line)]
    flat = [(i, line) for i, line in flat if not _is_furniture(line)]
    flat = _without_onward_lists(flat)
    leading: date | None = None
    for k, (_, line) in enumerate(flat[:LEADING_DATE_LINES]):
        found = _date_only_line(line)
        if found:
            leading = found
            del flat[k]
            break
    out: list[list[str]] = []
    last = None
    for i, line in flat:
        if i != last:
            out.append([])
            last = i
        out[-1].append(line)
    return out, wix, leading


def _without_onward_lists(flat: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A "Most Read" or "Related stories" line set as a paragraph rather than a heading (the
    index reads only h2-h6 as headings), followed by its list: the line and the list items
    after it go ("3 Hertfordshire teen bullying victim given royal honour" is no figure)."""
    out: list[tuple[int, str]] = []
    k = 0
    while k < len(flat):
        line = flat[k][1]
        after = k + 1
        while after < len(flat) and flat[after][1].startswith(BULLET):
            after += 1
        if after > k + 1 and not line.startswith(BULLET) and RELATED_HEADING_RE.fullmatch(line):
            k = after
            continue
        out.append(flat[k])
        k += 1
    return out


def _is_furniture(line: str) -> bool:
    text = line[len(BULLET) :] if line.startswith(BULLET) else line
    return not text.strip(" •") or bool(BOILERPLATE_LINE_RE.fullmatch(text))


def _drop_leading_title(blocks: list[list[str]], title: str | None) -> list[list[str]]:
    if not title:
        return blocks
    want = _comparable(title)
    seen = 0
    chrome = 0
    for b, lines in enumerate(blocks):
        for i, line in enumerate(lines):
            if _comparable(line) == want:
                rest = lines[i + 1 :]
                remaining = ([rest] if rest else []) + blocks[b + 1 :]
                return remaining or blocks  # a page whose only line is its title keeps it
            seen += 1
            chrome += len(line)
            if seen >= LEADING_TITLE_LINES or chrome > LEADING_CHROME_MAX_CHARS:
                return blocks
    return blocks


def _comparable(text: str) -> str:
    if text.startswith(BULLET):
        text = text[len(BULLET) :]
    return re.sub(r"\W+", " ", text.casefold()).strip()


def _plain_title(blocks: list[list[str]]) -> str | None:
    lines = [line for lines in blocks for line in lines][:PLAIN_TITLE_LINES]
    for line in lines:
        if (
            len(line.split()) >= 4
            and len(line) <= PLAIN_TITLE_MAX_CHARS
            and not line.startswith(BULLET)
        ):
            return line
    return None
