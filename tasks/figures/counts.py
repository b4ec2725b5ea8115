"""Counts a sentence states that are no figure, or two: plans, groups of arrests with no total,
arrests joined with lesser outcomes, arrests sought rather than made, people arrested and
charged. Pure functions over a
sentence's text and a count's offsets in it (``tasks.figures.page`` applies them to each
candidate count)."""

from __future__ import annotations

import re

from tasks.figures.numbers import NUMBER_WORDS_PATTERN

# A further group of arrests after a count in the same sentence: "detained one person for
# trafficking offences and arrested two others for immigration offences, and Immigration
# Enforcement arrested another 12". The groups are never added, so the first is no total
# (the labelling conventions: two groups of arrests with no stated total give no figure).
_MORE_ARRESTS = re.compile(
    rf"\b(?:arrested|detained|held)\s+(?:a\s+further\s+|another\s+)(?:\d[\d,]*|{NUMBER_WORDS_PATTERN})\b"
    rf"|\b(?:arrested|detained|held)\s+(?:\d[\d,]*|{NUMBER_WORDS_PATTERN})\s+(?:others|more)\b"
    rf"|\b(?:another|a\s+further)\s+(?:\d[\d,]*|{NUMBER_WORDS_PATTERN})\s+(?:\w+\s+){{0,2}}?"
    r"(?:were|have\s+been|had\s+been)\s+(?:arrested|detained)\b",
    re.IGNORECASE,
)
# Offence groups, one after another, right after an arrest count, with no total: "18 arrests
# for drug supply and four for modern slavery", "Two were arrested for fraud and two for
# immigration offences" (matched from the count's end).
_OFFENCE_GROUPS = re.compile(
    r"\s+(?:[\w-]+\s+){0,3}?(?:arrests?|arrested|detained|held)\s+"
    r"(?:for|over|on\s+suspicion\s+of)\s+[^,;.]{3,80}?(?:,\s*|\s+and\s+)"
    rf"(?:\d[\d,]*|{NUMBER_WORDS_PATTERN})\s+(?:(?:more|others?|people|men|women)\s+)?"
    r"(?:for|over|on\s+suspicion\s+of)\s",
    re.IGNORECASE,
)
# Arrests joined with outcomes that are no detention (the round-9 convention): "30 arrests or
# citations", "12 people were arrested or cited".
_OR_LESSER = re.compile(
    r"(?:\s+[\w-]+){0,3}?\s+(?:arrests?|arrested)\s+(?:or|and/or)\s+"
    r"(?:citations?|cited|summons(?:es|ed)?|summonsed|cautions?|cautioned|reports?|reported)\b",
    re.IGNORECASE,
)
# The count of a further group itself: "... and Immigration Enforcement arrested another 12".
_FURTHER_GROUP = re.compile(r"\b(?:another|a\s+further)\s+$", re.IGNORECASE)
# People arrested and charged in one predicate: "six accused were arrested and charged with".
_ARRESTED_AND_CHARGED = re.compile(
    r"(?:\s+[\w-]+){0,3}?\s+(?:were|have\s+been|had\s+been)\s+(?:all\s+)?(?:arrested|detained)"
    r"\s+and\s+(?:subsequently\s+|later\s+)?charged\b",
    re.IGNORECASE,
)
# A count in a clause that looks ahead is a plan, not a result: "Around 100 hotels are due to be
# visited", "officers will visit 50 premises", "40 addresses are expected to be searched".
_PROSPECT = re.compile(
    r"\b(?:will|shall|(?:is|are|was|were)\s(?:due|expected|set|scheduled|planned|going)\sto|"
    r"plans?\sto|planning\sto|aims?\sto|intends?\sto)\b",
    re.IGNORECASE,
)
# "will" the noun, not the verb: "against their will", "of their own free will"
_WILL_NOUN_BEFORE = re.compile(r"\b(?:their|his|her|own|free|the|a|good)\s$", re.IGNORECASE)


# What people had planned, in a clause about them: "rescued 65 victims who had been planning to
# leave the country" (their plan, not the operation's).
_THEIR_PLAN_BEFORE = re.compile(
    r"\b(?:who|that)\s(?:had\s(?:been\s)?|were\s|was\s)$", re.IGNORECASE
)


def looks_ahead(text: str, a: int = 0, b: int | None = None) -> bool:
    for m in _PROSPECT.finditer(text, a, len(text) if b is None else b):
        if m.group(0).lower() == "will" and _WILL_NOUN_BEFORE.search(
            text, max(0, m.start() - 8), m.start()
        ):
            continue
        if _THEIR_PLAN_BEFORE.search(text, max(0, m.start() - 20), m.start()):
            continue
        return True
    return False


# Where a clause ends: the count's clause is read between the breaks around it.
_CLAUSE_BREAKS = re.compile(r"[;:]|,\s|\s(?:and|but|while|whilst|whereas|after|before)\s|\.\s")
# How far either side of a count its clause is read.
_PROSPECT_REACH = 80


def prospect(text: str, start: int, end: int) -> bool:
    """Is the count at ``text[start:end]`` in a clause about what is yet to happen?"""
    lo = max(0, start - _PROSPECT_REACH)
    before = [b.end() for b in _CLAUSE_BREAKS.finditer(text, lo, start)]
    after = _CLAUSE_BREAKS.search(text, end, min(len(text), end + _PROSPECT_REACH))
    a = before[-1] if before else lo
    b = after.start() if after else min(len(text), end + _PROSPECT_REACH)
    return looks_ahead(text, a, b)


# An arrest sought, not made: "warrants were issued for the arrest of two suspects still at
# large", "arrest warrants were issued against three others", "police are seeking the arrest of".
_ARREST_SOUGHT_BEFORE = re.compile(
    r"\b(?:warrants?\s(?:[\w-]+\s){0,3}?for\s(?:the\s)?arrests?\sof|"
    r"arrest\swarrants?\s(?:[\w-]+\s){0,3}?(?:for|against)|"
    r"(?:seeking|sought|seek|seeks)\s(?:the\s)?arrests?\sof)\s(?:a\sfurther\s|another\s)?$",
    re.IGNORECASE,
)
_SOUGHT_REACH = 80


def arrest_sought(text: str, start: int) -> bool:
    """Is the count at ``start`` of people whose arrest is sought rather than made?"""
    return _ARREST_SOUGHT_BEFORE.search(text, max(0, start - _SOUGHT_REACH), start) is not None


# People engaged to raise awareness are an audience, not victims: "engaged with more than 1,500
# adults and children to raise awareness of county lines".
_ENGAGED_FOR_AWARENESS = re.compile(
    r"\bengag\w*\b[^.;]{0,160}?\b(?:to\s(?:raise|promote|build|spread)\s(?:\w+\s){0,2}awareness|"
    r"awareness[\s-](?:raising|of|about|events?|sessions?)|to\seducate)\b",
    re.IGNORECASE,
)


def engaged_audience(text: str) -> bool:
    """Does the sentence count people engaged to raise awareness (an audience)?"""
    return _ENGAGED_FOR_AWARENESS.search(text) is not None


# People helped across a border are smuggled, not victims: "thought to have helped more than 200
# nationals enter the UK illegally", "helping 40 migrants cross the Channel".
_HELPED_BEFORE = re.compile(
    r"\bhelp(?:ed|ing|s)?\s(?:more\sthan\s|over\s|some\s|around\s|about\s|at\sleast\s)?$",
    re.IGNORECASE,
)
_ACROSS_AFTER = re.compile(
    r"[^.;,]{0,60}?\b(?:to\s)?(?:enter|cross|travel|get\sinto|reach|come\sto|move\sto|"
    r"stay|remain|settle|evade)\b",
    re.IGNORECASE,
)


def helped_across(text: str, start: int, end: int) -> bool:
    """Is the count at ``text[start:end]`` of people helped to enter or cross (smuggled)?"""
    return (
        _HELPED_BEFORE.search(text, max(0, start - 30), start) is not None
        and _ACROSS_AFTER.match(text, end) is not None
    )


def one_group_of_arrests(text: str, start: int, end: int) -> bool:
    """Is the arrest count at ``text[start:end]`` one group of several in its sentence?"""
    return (
        _MORE_ARRESTS.search(text, end) is not None
        or _OFFENCE_GROUPS.match(text, end) is not None
        or _FURTHER_GROUP.search(text, 0, start) is not None
    )


def arrests_or_lesser(text: str, end: int) -> bool:
    """Does the arrest count ending at ``end`` join arrests with citations or the like?"""
    return _OR_LESSER.match(text, end) is not None


def arrested_and_charged(text: str, end: int) -> bool:
    """Were the people counted up to ``end`` arrested and charged in one predicate?"""
    return _ARRESTED_AND_CHARGED.match(text, end) is not None
