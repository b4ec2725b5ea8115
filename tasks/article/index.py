"""The index: one walk over the parsed page that collects everything the rules ask for.

The walk is iterative, so a page nested 100,000 levels deep cannot hit Python's recursion
limit. It records every element a rule's selector matches (the generic rules' and every
profile's), the <meta>s, <title>, inline scripts and <h1>s, the text length under each
element, the densest-text candidates, and which elements are boilerplate
(tasks/article/boilerplate.py). A page trimmed before parsing (tasks/article/trim.py)
tells the index how much text each cut held, so its counts stay whole-page counts.
"""

from __future__ import annotations

import functools
import heapq
import warnings
from dataclasses import dataclass
from typing import Any

from bs4 import (
    BeautifulSoup,
    CData,
    MarkupResemblesLocatorWarning,
    NavigableString,
    Tag,
    XMLParsedAsHTMLWarning,
)

import profiles
from tasks.article.boilerplate import (
    COOKIE_BANNER_TEXT_RE,
    COOKIE_BLOCK_MAX_CHARS,
    COOKIE_SHARE_MIN,
    COOKIE_STOP_TAGS,
    COOKIE_WORD_RE,
    HARD_SKIP_TAGS,
    NAVLIKE_TAGS,
    RELATED_HEADING_MAX_CHARS,
    RELATED_HEADING_RE,
    RELATED_HEADING_TAGS,
    RELATED_HEADINGS_CHECKED,
    SOFT_MASS_GUARD,
    _soft_boilerplate,
)
from tasks.article.match import _compile_selectors, _Entry
from tasks.article.selectors import (
    ANCHOR_SELECTORS,
    BODY_RULES,
    CANONICAL_SELECTOR,
    GENERIC_SELECTORS,
    META_KEY_ATTRS,
    META_READ_KEYS,
    META_URL_KEYS,
)
from tasks.article.text import _attr_str, _clean_inline, _first

# bs4 warns when a page looks like XML or like a file name; both are normal for scraped
# input (XHTML pages, tiny test strings) and would only flood the flow logs.
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)
warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)

# Paragraph-like elements whose text counts towards their parent's density score.
DENSITY_TAGS: frozenset[str] = frozenset({"p", "pre", "blockquote", "h2", "h3", "h4"})
# How many densest-text candidates to remember in the index walk.
DENSITY_CANDIDATES = 8

# Context bits carried down the index walk (tasks/article/match.py's selector bits follow).
_IN_HARD = 1
_IN_NAVLIKE = 2
_IN_ARTICLE = 4
_IN_HEADER = 8
_IN_SVG = 16

# On every ancestor of a cut: how much text the index would have counted below it.
TRIM_MARK_ATTR = "data-optally-trimmed"


class _Inexact(Exception):
    """A rule asked a trimmed tree what only the whole page can answer."""


@dataclass(frozen=True, slots=True)
class _Plan:
    """What the rules read: the generic rules' selectors and <meta> keys, and each profile's."""

    selectors: tuple[str, ...]  # every selector the index collects matches of
    body_selectors: frozenset[str]  # of which body containers (the trim keeps them whole)
    meta_keys: frozenset[str]  # every <meta> key a rule reads
    script_markers: tuple[str, ...]  # inline scripts a rule reads hold one of these
    by_tag: dict[str, list[_Entry]]
    by_attr: dict[str, list[_Entry]]


@functools.cache
def _plan() -> _Plan:
    """Built on first use, not at import: the profile modules import this package."""
    rules = profiles.all_profiles()
    selectors = tuple(dict.fromkeys((*(s for p in rules for s in p.selectors), *GENERIC_SELECTORS)))
    bodies = (*(s for p in rules for s in p.body_selectors), *(s for _, s, _, _ in BODY_RULES))
    by_tag, by_attr = _compile_selectors(selectors)
    return _Plan(
        selectors=selectors,
        body_selectors=frozenset(bodies),
        meta_keys=META_READ_KEYS | {k for p in rules for k in p.meta_keys},
        script_markers=tuple(p.script_marker for p in rules if p.script_marker),
        by_tag=by_tag,
        by_attr=by_attr,
    )


def _soup(text: str) -> BeautifulSoup:
    # Plain string class attributes: cheaper, and the matchers split them themselves.
    return BeautifulSoup(text, "lxml", multi_valued_attributes=None)


class _Frame:
    """What the index walk learns about one element."""

    __slots__ = (
        "anchor",
        "ck_blocked",
        "ck_chars",
        "ck_hit",
        "ck_pending",
        "ctx",
        "pscore",
        "soft",
        "tag",
        "text",
    )

    def __init__(self, tag: Tag, ctx: int) -> None:
        self.tag = tag
        self.ctx = ctx
        self.soft = False
        self.anchor = False
        self.text = 0  # characters of visible text below, boilerplate tags excluded
        self.pscore = 0  # paragraph text directly below: the density score
        self.ck_hit = False
        self.ck_chars = 0
        self.ck_pending: list[Tag] | None = None
        self.ck_blocked = False


class _Index:
    """What the walk found on one page; the rules query it (matches, meta, live...)."""

    def __init__(self, root: Tag, cut_chars: int | None = None) -> None:
        plan = _plan()
        self._by_tag = plan.by_tag
        self._by_attr = plan.by_attr
        self._meta_keys = plan.meta_keys
        self.root = root
        # Built from a trimmed page (see _trim): the text it lost, as the index counts it.
        self.partial = cut_chars is not None
        self.cut_chars = cut_chars or 0
        self.matches: dict[str, list[_Frame]] = {k: [] for k in plan.selectors}
        self.metas: dict[str, list[str]] = {}
        self.title_text: str | None = None
        self.scripts: list[Tag] = []
        self.h1s: list[_Frame] = []
        self.headings: list[_Frame] = []
        self.soft: list[_Frame] = []
        self.cookie_dropped: set[int] = set()
        self.dense_heap: list[tuple[int, int, _Frame]] = []
        self.densest: list[_Frame] = []
        self.dropped: frozenset[int] = frozenset()
        self.total = 0
        self._memo: dict[int, bool] = {}
        self._seq = 0
        self._related: list[Tag] | None = None

    # -- queries -------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        return _first(_clean_inline(v) for v in self.meta_values(key))

    def meta_values(self, key: str) -> list[str]:
        if self.partial and key not in self._meta_keys:
            # Add it to META_READ_KEYS (tasks/article/selectors.py) or the profile's meta_keys.
            raise _Inexact(f"<meta> {key} was not kept")
        return self.metas.get(key, [])

    def live(self, selector: str) -> list[_Frame]:
        """Matches of a selector that are not inside a boilerplate block."""
        return [fr for fr in self.matches[selector] if not self.inside_dropped(fr.tag)]

    def inside_dropped(self, tag: Tag) -> bool:
        return _has_ancestor_in(tag, self.dropped, self._memo, inclusive=True)

    def related_headings(self) -> list[Tag]:
        if self._related is None:
            found: list[Tag] = []
            for fr in self.headings:
                if RELATED_HEADING_RE.fullmatch(_clean_inline(fr.tag.get_text(" "))):
                    found.append(fr.tag)
                    if len(found) >= RELATED_HEADINGS_CHECKED:
                        break
            self._related = found
        return self._related

    def canonical_url(self) -> str | None:
        for fr in self.matches[CANONICAL_SELECTOR]:
            href = _attr_str(fr.tag.get("href")).strip()
            if href.startswith(("http://", "https://")):
                return href
        return _first(
            u
            for k in META_URL_KEYS
            if (u := self.meta(k)) and u.startswith(("http://", "https://"))
        )

    def h1_candidates(self) -> list[Tag]:
        """Article h1 first, then any outside page furniture, then any at all."""
        live = [fr for fr in self.h1s if not self.inside_dropped(fr.tag)] or self.h1s
        ranked = sorted(
            live,
            key=lambda fr: (
                0 if fr.ctx & _IN_ARTICLE and not fr.ctx & _IN_NAVLIKE else
                1 if not fr.ctx & (_IN_NAVLIKE | _IN_HEADER) else
                2 if not fr.ctx & _IN_NAVLIKE else 3
            ),
        )  # fmt: skip
        return [fr.tag for fr in ranked]

    # -- the walk --------------------------------------------------------------------
    def enter(self, tag: Tag, parent: _Frame) -> _Frame:
        name = tag.name
        attrs = tag.attrs
        pctx = parent.ctx
        ctx = pctx
        if name in HARD_SKIP_TAGS:
            ctx |= _IN_HARD
            if name in NAVLIKE_TAGS:
                ctx |= _IN_NAVLIKE
            elif name == "header":
                ctx |= _IN_HEADER
            elif name in ("svg", "math"):
                ctx |= _IN_SVG
        elif name == "article" or name == "main":
            ctx |= _IN_ARTICLE
        fr = _Frame(tag, ctx)
        hard = bool(ctx & _IN_HARD)

        if name == "meta":
            self._add_meta(attrs)
        elif name == "title":
            if self.title_text is None and not ctx & _IN_SVG:
                self.title_text = tag.get_text()
        elif name == "script":
            if "src" not in attrs:
                self.scripts.append(tag)
        elif name == "h1":
            self.h1s.append(fr)

        matched: list[str] = []
        entries = self._by_tag.get(name, ())
        if attrs:
            entries = [*entries, *(e for attr in attrs for e in self._by_attr.get(attr, ()))]
        for key, comp, need, sets in entries:  # the hot loop of a large page: inlined
            if (need and not pctx & need) or not comp.match(name, attrs):
                continue
            if sets:
                fr.ctx |= sets
            if key is not None and key not in matched:
                matched.append(key)
        for key in matched:
            if key in ANCHOR_SELECTORS:
                if hard:
                    continue  # a body container inside <nav>/<header> is furniture
                fr.anchor = True
            self.matches[key].append(fr)
        if not hard and attrs and name not in ("html", "body"):
            fr.soft = _soft_boilerplate(attrs)
        return fr

    def _add_meta(self, attrs: dict[str, Any]) -> None:
        content = attrs.get("content")
        if content is None:
            return
        content = _attr_str(content)
        for attr in META_KEY_ATTRS:
            key = attrs.get(attr)
            if key:
                self.metas.setdefault(_attr_str(key).strip().lower(), []).append(content)

    def text(self, node: NavigableString, fr: _Frame) -> None:
        if fr.ctx & _IN_HARD or node.isspace():
            return
        n = len(node)
        fr.text += n
        fr.pscore += n
        if COOKIE_WORD_RE.search(node):
            fr.ck_chars += n
            if COOKIE_BANNER_TEXT_RE.search(node):
                fr.ck_hit = True

    def exit(self, fr: _Frame, stack: list[_Frame]) -> None:
        parent = stack[-1]
        parent.text += fr.text
        parent.ck_chars += fr.ck_chars
        if fr.anchor:
            parent.anchor = True
        name = fr.tag.name
        if fr.ctx & _IN_HARD:
            return
        if name in DENSITY_TAGS:
            parent.pscore += fr.text
            if len(stack) > 1:
                stack[-2].pscore += fr.text // 2
        if fr.pscore:
            self._seq += 1
            item = (fr.pscore, -self._seq, fr)  # ties: the earlier element wins
            if len(self.dense_heap) < DENSITY_CANDIDATES:
                heapq.heappush(self.dense_heap, item)
            elif item[:2] > self.dense_heap[0][:2]:
                heapq.heapreplace(self.dense_heap, item)
        if fr.soft and not fr.anchor:
            self.soft.append(fr)
        if name in RELATED_HEADING_TAGS and 0 < fr.text <= RELATED_HEADING_MAX_CHARS:
            self.headings.append(fr)
        self._cookie_exit(fr, parent, name)

    @staticmethod
    def _whole_text(fr: _Frame) -> int:
        """An element's text count on the whole page: here plus what was cut below it."""
        return fr.text + int(fr.tag.attrs.get(TRIM_MARK_ATTR) or 0)

    def _cookie_exit(self, fr: _Frame, parent: _Frame, name: str) -> None:
        if not (fr.ck_hit or fr.ck_pending):
            return
        text = self._whole_text(fr) if self.partial else fr.text
        qualifies = (
            not fr.ck_blocked
            and not fr.anchor
            and name not in COOKIE_STOP_TAGS
            and text <= COOKIE_BLOCK_MAX_CHARS
            and fr.ck_chars >= COOKIE_SHARE_MIN * text
        )
        if qualifies:
            # This element is a better (larger) banner than anything found below it.
            if parent.ck_pending is None:
                parent.ck_pending = []
            parent.ck_pending.append(fr.tag)
        else:
            if fr.ck_pending:
                self.cookie_dropped.update(id(t) for t in fr.ck_pending)
            parent.ck_blocked = True

    def finish(self, root: _Frame) -> None:
        self.total = root.text + self.cut_chars
        if root.ck_pending:
            self.cookie_dropped.update(id(t) for t in root.ck_pending)
        limit = SOFT_MASS_GUARD * self.total
        if self.partial:
            dropped = {id(fr.tag) for fr in self.soft if self._whole_text(fr) <= limit}
        else:
            dropped = {id(fr.tag) for fr in self.soft if fr.text <= limit}
        self.dropped = frozenset(dropped | self.cookie_dropped)
        self.densest = [fr for _, _, fr in sorted(self.dense_heap, reverse=True)]
        self.soft = []


def _build_index(soup: BeautifulSoup, cut_chars: int | None = None) -> _Index:
    idx = _Index(soup, cut_chars)
    root = _Frame(soup, 0)
    stack = [root]
    # descendants is a flat linked-list walk (no recursion); closing tags are inferred by
    # popping the stack until the node's parent is on top.
    for node in soup.descendants:
        parent = node.parent
        while stack[-1].tag is not parent and len(stack) > 1:
            fr = stack.pop()
            idx.exit(fr, stack)
        if isinstance(node, Tag):
            stack.append(idx.enter(node, stack[-1]))
        elif type(node) is NavigableString or type(node) is CData:
            idx.text(node, stack[-1])
    while len(stack) > 1:
        fr = stack.pop()
        idx.exit(fr, stack)
    idx.finish(root)
    return idx


def _has_ancestor_in(
    tag: Tag, ids: set[int] | frozenset[int], memo: dict[int, bool], inclusive: bool = False
) -> bool:
    """Whether tag (or, if inclusive, tag itself) lies under an element in ids.

    Memoised along the path, so checking every element of a page stays linear even
    when the page is nested thousands of levels deep.
    """
    if not ids:
        return False
    path: list[int] = []
    node = tag if inclusive else tag.parent
    result = False
    while node is not None:
        key = id(node)
        if key in memo:
            result = memo[key]
            break
        if key in ids:
            result = True
            break
        path.append(key)
        node = node.parent
    for key in path:
        memo[key] = result
    return result
