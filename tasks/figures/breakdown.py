"""How a page splits its arrests by offence.

Explicit splits, which take precedence:

- "Of those arrested, 18 were for X, 11 were for Y, while the rest were for ..." -> X: 18, Y: 11
  (the uncounted rest is left out);
- "51 persons arrested (of which 30 for labour exploitation)";
- "195 arrests: 88 for human trafficking and 63 on smuggling charges";
- "2,517 arrests, and 850 of them were specifically for human trafficking".

When a page has none, a single attributed arrest count is used: "arrested the three on people
smuggling charges", "two Indian nationals there were arrested on suspicion of immigration
offences", "arrested 16 people suspected of human trafficking", "Both are being held on suspicion
of ...".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasks.figures.numbers import NUMBER_WORD_STARTS, NUMBER_WORDS_PATTERN, parse_number
from tasks.figures.sentences import cue_starts, cue_text, finditer_at

_NUM = rf"(?:\d{{1,3}}(?:[,\u00a0\u202f ]\d{{3}}){{1,3}}(?!\d)|\d+|{NUMBER_WORDS_PATTERN})"
# The offence: up to a clause boundary, the next counted item, or a new verb.
_OFFENCE = r"(?P<off>[^,;.()]{3,120}?)(?=\s*(?:[,;.()]|$|\swhile\b|\swhilst\b|\swhereas\b|\s(?:after|before|when|where|who|which|following|during|since|because|as\spart)\b|\sand\s(?:\d|[a-z]+ed\b|[a-z]+\s(?:were|was)\b)|\sand\s(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b|\sand\s(?:the\s)?(?:remainder|rest|others?)\b))"
_CONNECT = r"(?:for|on\ssuspicion\sof|suspected\sof|in\sconnection\swith|over|on)"
# "Of those arrested, 18 were for X" / "of the arrests, ..." opens an explicit split.
_SPLIT_OPENER = re.compile(
    r"\b(?:of|among|amongst)\s(?:those\s|the\s(?:[\w,.]+\s){0,2}?(?:(?:people|persons|suspects)\s)?)(?:arrested|detained|arrests)\b"
    r"|\barrests?\s?(?:were\s)?:"
    r"|\barrests?\b[^.;]{0,40}\((?:of\swhich|including)",
    re.IGNORECASE,
)
_SPLIT_ITEM = re.compile(
    rf"(?<![\w,\-\u2212])(?P<n>{_NUM})\s(?:(?:were|was|people|persons|arrests?|arrested|detained|held|of\sthem|of\swhom|"
    rf"specifically|all|suspects|individuals)\s){{0,3}}{_CONNECT}\s{_OFFENCE}",
    re.IGNORECASE,
)
# "(of which 30 for labour exploitation)".
_OF_WHICH = re.compile(
    rf"\((?:of\swhich|of\swhom|including)\s(?P<n>{_NUM})\s(?:(?:were|was|arrested)\s)?{_CONNECT}\s{_OFFENCE}",
    re.IGNORECASE,
)
# "147 arrests, of which 98 were for X" (no brackets).
_OF_WHICH_BARE = re.compile(
    rf"\b(?:of\swhich|of\swhom)\s(?P<n>{_NUM})\s(?:(?:were|was|arrested)\s)?{_CONNECT}\s{_OFFENCE}",
    re.IGNORECASE,
)
# "850 of them were specifically for X".
_OF_THEM = re.compile(
    rf"(?<![\w,\-\u2212])(?P<n>{_NUM})\sof\s(?:them|those|whom|these|the\sarrests|the\s(?:{_NUM}\s)?(?:arrests|people\sarrested|suspects\sarrested))(?:\s(?:arrests|arrested|people|suspects|detained))?"
    rf"\s(?:were\s|was\s)?(?:(?:specifically|all|arrested)\s)?"
    rf"{_CONNECT}\s{_OFFENCE}",
    re.IGNORECASE,
)
# A single attributed count: "arrested the three on people smuggling charges",
# "two Indian nationals there were arrested on suspicion of immigration offences",
# "arrested 16 people suspected of human trafficking".
_ATTRIBUTED_AFTER = re.compile(
    rf"(?<![\w,\-\u2212])(?P<n>{_NUM})(?:\s[\w'-]+){{0,4}}?(?:,\s(?:aged|both|all)\s[^,;.()]{{1,40}},)?\s(?:were|was|have\sbeen|had\sbeen|are\sbeing|is\sbeing)?\s?"
    rf"(?:arrested|detained|held)\s(?:on\ssuspicion\sof|for|over|in\sconnection\swith)\s{_OFFENCE}",
    re.IGNORECASE,
)
_ATTRIBUTED_BEFORE = re.compile(
    rf"\b(?:arrested|detained|held)\s(?:the\s)?(?P<n>{_NUM})(?:\s[\w'-]+){{0,3}}?\s"
    rf"(?:on\ssuspicion\sof|suspected\sof|for|on|over|in\sconnection\swith)\s{_OFFENCE}",
    re.IGNORECASE,
)
_JOINED_PEOPLE = re.compile(
    rf"\s(?:[\w-]+\s)?(?:men|women|males|females|boys|girls|people|suspects)\sand\s"
    rf"(?P<k>an?|{_NUM})\s(?:[\w-]+\s)?(?:man|woman|men|women|male|female|males|females|boys?|girls?|"
    rf"people|person|suspects?|others?)\b",
    re.IGNORECASE,
)
_BOTH = re.compile(
    r"\b(?P<n>Both|All\s(?:two|three|four|five|six|seven|eight|nine|ten))\s(?:were|are|have\sbeen)\s(?:being\s)?"
    r"(?:arrested|held|detained)\son\ssuspicion\sof\s(?P<off>[^;.()]{3,160})",
    re.IGNORECASE,
)
_VAGUE = re.compile(
    r"^(?:a\s)?(?:variety|range|number)\sof\b|^various\b|^other\b|^offences$|^a\srange\b",
    re.IGNORECASE,
)
_LEADING = re.compile(
    r"^(?:the|a|an|various|suspected|alleged|offences\sof|offences\sincluding)\s", re.IGNORECASE
)
# Where the matches of these patterns can start (tests/test_fast_paths.py checks it). Each is
# tried there only: a pattern that opens on a look-behind or a word boundary is otherwise tried
# at every character of a sentence. _OF_THEM and _ATTRIBUTED_AFTER start with a count.
_OF_WHICH_BARE_CUES = ("which", "whom")  # every match holds one
_SPLIT_OPENER_STARTS = ("of", "among", "arrest")
_ATTRIBUTED_BEFORE_STARTS = ("arrested", "detained", "held")
_BOTH_STARTS = ("both", "all")
_DIGIT = re.compile(r"\d")


def _count_starts(sentence: str, cues: str) -> list[int]:
    """Where a count can start: a digit or a number word."""
    starts = [m.start() for m in _DIGIT.finditer(sentence)]
    return sorted(starts + cue_starts(cues, NUMBER_WORD_STARTS))


@dataclass(frozen=True, slots=True)
class Item:
    offence: str
    count: int
    start: int  # local offset in the sentence


def _count(token: str) -> int | None:
    t = token.strip()
    if t.lower().startswith("all "):
        t = t[4:]
    if t.lower() == "both":
        return 2
    v = parse_number(t)
    return v if isinstance(v, int) and v > 0 else None


def _clean(offence: str) -> str | None:
    off = " ".join(offence.split()).strip(" ,;:'\"“”")
    for _ in range(3):
        new = _LEADING.sub("", off)
        if new == off:
            break
        off = new
    if not off or _VAGUE.search(off) or len(off) < 3:
        return None
    if off.lower().startswith(("which ", "who ", "that ", "the rest")):
        return None
    return off


def explicit_items(sentence: str) -> list[Item]:
    """Items of an explicit split in one sentence (empty when it has none)."""
    items: list[Item] = []
    cues = cue_text(sentence)
    for m in _OF_WHICH.finditer(sentence):
        n, off = _count(m.group("n")), _clean(m.group("off"))
        if n and off:
            items.append(Item(off, n, m.start()))
    bare = any(c in cues for c in _OF_WHICH_BARE_CUES)
    for m in _OF_WHICH_BARE.finditer(sentence) if bare else ():
        n, off = _count(m.group("n")), _clean(m.group("off"))
        if n and off and "(" not in sentence[max(0, m.start() - 2) : m.start()]:
            items.append(Item(off, n, m.start()))
    for m in finditer_at(_OF_THEM, sentence, _count_starts(sentence, cues)):
        n, off = _count(m.group("n")), _clean(m.group("off"))
        if n and off:
            items.append(Item(off, n, m.start()))
    opener_starts = cue_starts(cues, _SPLIT_OPENER_STARTS)
    opener = next(finditer_at(_SPLIT_OPENER, sentence, opener_starts), None)
    if opener:
        for m in _SPLIT_ITEM.finditer(sentence, opener.end()):
            n, off = _count(m.group("n")), _clean(m.group("off"))
            if (
                n
                and off
                and not any(
                    i.start == m.start() or (i.count == n and i.offence == off) for i in items
                )
            ):
                items.append(Item(off, n, m.start()))
    items.sort(key=lambda i: i.start)
    return items


def attributed_items(sentence: str) -> list[Item]:
    """A single arrest count with its offence, in one sentence."""
    items: list[Item] = []
    cues = cue_text(sentence)
    for rx, starts in (
        (_ATTRIBUTED_BEFORE, cue_starts(cues, _ATTRIBUTED_BEFORE_STARTS)),
        (_ATTRIBUTED_AFTER, _count_starts(sentence, cues)),
        (_BOTH, cue_starts(cues, _BOTH_STARTS)),
    ):
        for m in finditer_at(rx, sentence, starts):
            n, off = _count(m.group("n")), _clean(m.group("off"))
            if n and off:
                # "three men and one woman ... were arrested": the people joined are added up
                more = _JOINED_PEOPLE.match(sentence, m.end("n"), m.end("n") + 60)
                if more:
                    extra = 1 if more.group("k").lower() in ("a", "an") else _count(more.group("k"))
                    n = n + (extra or 0)
                items.append(Item(off, n, m.start()))
        if items:
            break
    return items
