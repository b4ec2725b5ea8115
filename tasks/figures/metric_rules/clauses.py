"""The verb of a number found after its noun phrase: in the same clause, over coordinated
numbers ("72 children and 27 adults identified") and asides ("32 people, including 19
children, were safeguarded"; "Sixteen men, all of them seasonal workers aged 20 to 51, were
identified ...")."""

from __future__ import annotations

import re

from tasks.figures.metric_rules.nouns import (
    ADULT_N,
    CHILD_N,
    GENDER_N,
    PERSON_N,
    NounPhrase,
    noun_phrase,
)
from tasks.figures.metric_rules.verbs import VERB_AFTER, verb_class
from tasks.figures.numbers import NUMBER_WORDS_PATTERN, NumberMention

# Where a clause ends for the verb search.
_CLAUSE_END = re.compile(
    r"[;:()]|\.(?:\s|$)|\s[-–—]\s|\s(?:while|whilst|whereas|but|although|though|because|when|where|"
    r"whom|and (?:the|a|an|officers|police|they|it)\b)\s",
    re.IGNORECASE,
)
# Where an aside about a part opens: "32 people, including 19 children, were safeguarded".
_ASIDE_OPEN = re.compile(
    r",\s(?:including|among\sthem|amongst\sthem|of\swhom|some\sof\swhom|many\sof\swhom|"
    r"most\sof\sthem|all\sof\sthem)\s$",
    re.IGNORECASE,
)
# A subject, a comma-delimited aside about it and then its predicate: "Sixteen men, all of them
# seasonal workers aged from 20 to 51, were identified as potential victims", "Two of them, a man
# aged 44 and a woman aged 39, were later charged". The predicate must open on an auxiliary, so
# coordinated predicates ("spoke to 200 people, searched 30 addresses, arrested 12") never match.
APPOSED_PREDICATE = re.compile(
    r"(?:\s?,\s(?!(?:and|or|but|while|whilst|then|before|after|with)\b)"
    r"(?P<comma>[^.;:!?()\[\]\n]{2,160}?),"
    r"|\s[-–—]\s(?P<dash>[^.;:!?()\[\]\n–—]{2,160}?)\s[-–—]"
    r"|\s?\((?P<paren>[^.;:!?()\[\]\n]{2,160})\))"
    r"\s(?:have|has|had|were|was|are|is)\s"
    r"(?:(?:been|being|all|also|later|since|subsequently|then|now|reportedly|already|each|both|"
    r"quickly|so\sfar)\s)*"
    r"(?P<verb>arrested|detained|apprehended|held|remanded|taken\sinto\scustody|charged|referred|"
    r"identified|safeguarded|rescued|freed|found|located|recovered|protected|supported|helped|"
    r"engaged|discovered|(?:moved|taken|brought|led)\sto\s(?:a\splace\sof\s)?safety)\b",
    re.IGNORECASE,
)
# A number inside an aside that is itself a part ("19 of whom were children", "including 3 boys").
_ASIDE_PART = re.compile(
    r"\s(?:of\s(?:whom|them|those|which)|(?:were|are)\s(?:children|minors|adults))\b",
    re.IGNORECASE,
)
# How far the verb search looks after a noun phrase, and how far an aside may run.
_CLAUSE_REACH = 220
_ASIDE_REACH = 260
# What may join two coordinated numbers whose verb is shared.
_COORDINATING_GAPS = ("and", ",", ", and", "or", "as well as", "plus", "&")


def verb_after(
    text: str, start: int, mentions: list[NumberMention], idx: int, nps: list[NounPhrase]
) -> str | None:
    """Class of the first verb after the noun phrase of mention ``idx``, in the same clause.

    A coordinated number ("72 children and 27 adults identified") is skipped over, together with
    its noun phrase; any other number ends the search. When that finds nothing, a comma-delimited
    aside followed by an auxiliary and a verb is skipped ("Sixteen men, all of them seasonal
    workers aged 20 to 51, were identified ...").
    """
    found = _verb_in_clause(text, start, mentions, idx, nps)
    if found is None:
        found = _verb_after_aside(text, start, mentions, idx)
    return found


def _verb_after_aside(text: str, start: int, mentions: list[NumberMention], idx: int) -> str | None:
    """The predicate after a comma-delimited aside about the subject that ends at ``start``. A
    number inside the aside must be a part ("19 of whom were children"): any other count there
    means the commas join a list, not an aside."""
    ap = aside_match(text, start)
    if ap is None:
        return None
    g = "comma" if ap.group("comma") else "dash" if ap.group("dash") else "paren"
    a, b = ap.span(g)
    for k in range(idx + 1, len(mentions)):
        mk = mentions[k]
        if mk.start >= b:
            break
        if mk.start < a:
            continue
        if _ASIDE_PART.match(text, mk.end, min(len(text), mk.end + 30)):
            continue
        inner = noun_phrase(text, mk.end)
        if not inner.classes or inner.classes[0] not in (PERSON_N, GENDER_N, CHILD_N, ADULT_N):
            return None  # "searched 30 addresses": a list of actions, not an aside
    v = VERB_AFTER.search(ap.group("verb"))
    return verb_class(v) if v else None


def aside_match(text: str, start: int) -> re.Match[str] | None:
    return APPOSED_PREDICATE.match(text, start, min(len(text), start + _ASIDE_REACH))


# A relative clause on the subject before the clause's own verb: "More than 45 pimps and people
# who helped them were arrested" (not "helped"), "12 men who ran the sites have been charged".
_RELATIVE_BEFORE_VERB = re.compile(
    r"\s+(?:who|that|which)\s+(?:[a-z]+\s+){1,12}?(?=(?:were|was|are|is|have|has|had)\s)"
)


# "face", "faces", "facing" before charges: the people have been charged ("32 people face 78
# charges", "three of the suspects face human trafficking charges"); a count of charges is none.
_FACE = frozenset({"face", "faces", "facing"})
_CHARGES_AFTER = re.compile(
    rf"\s+(?:a\s+total\s+of\s+|more\s+than\s+|over\s+|some\s+|dozens\s+of\s+)?"
    rf"(?:(?:\d[\d,]*|{NUMBER_WORDS_PATTERN})\s+)?(?:[\w-]+\s+){{0,3}}?charges\b",
    re.IGNORECASE,
)


def _verb_in_clause(
    text: str, start: int, mentions: list[NumberMention], idx: int, nps: list[NounPhrase]
) -> str | None:
    limit = min(len(text), start + _CLAUSE_REACH)
    pos = start
    rel = _RELATIVE_BEFORE_VERB.match(text, pos, limit)
    if rel and not any(pos <= m.figure_start < rel.end() for m in mentions[idx + 1 :]):
        pos = rel.end()
    j = idx + 1
    while j < len(mentions) and mentions[j].figure_start < pos:
        j += 1  # numbers inside the whole already read ("Five of the 13 people identified ...")
    while True:
        next_start = mentions[j].figure_start if j < len(mentions) else limit
        stop = min(limit, next_start)
        clause = _CLAUSE_END.search(text, pos, stop)
        seg_end = clause.start() if clause else stop
        v = VERB_AFTER.search(text, pos, seg_end)
        if v:
            if v.group(0).lower() in _FACE and _CHARGES_AFTER.match(text, v.end()):
                return "charge"  # "32 people face 78 charges": people charged
            return verb_class(v)
        if clause or j >= len(mentions) or next_start >= limit:
            return None
        if _ASIDE_OPEN.search(text, pos, next_start):
            # "32 people, including 19 children, were safeguarded": skip the aside to its comma
            close = text.find(",", mentions[j].end, limit)
            if close < 0:
                return None
            pos = close + 1
            while j < len(mentions) and mentions[j].start < pos:
                j += 1
            continue
        gap = text[pos:next_start].strip().lower()
        if gap not in _COORDINATING_GAPS:
            return None
        pos = nps[j].end
        j += 1


def paren_depths(text: str, positions: list[int]) -> list[bool]:
    """For each (sorted) position: is it inside parentheses? One pass over the text."""
    out: list[bool] = []
    depth = 0
    cur = 0
    for pos in positions:
        chunk = text[cur:pos]
        depth += chunk.count("(") - chunk.count(")")
        cur = pos
        out.append(depth > 0)
    return out
