"""One figure per (scope, metric): which of a page's candidates for the same figure is reported
(``choose``)."""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from domain.records import METRICS
from tasks.figures.candidates import LISTED, TITLE, Candidate
from tasks.figures.numbers import NUMBER_WORDS_PATTERN
from tasks.figures.scopes import CONTEXT, FORCE_SCOPE, INTERNATIONAL, OPERATION


def _compatible(rounded: Candidate, exact: Candidate) -> bool:
    """Is ``exact`` the precise value behind a rounded lead ("more than 90" -> 91)?"""
    r, e = float(rounded.value), float(exact.value)
    if r <= 0:
        return False
    q = rounded.qualifier
    if q == "more_than":
        return r < e <= r * 1.5 + 5
    if q == "at_least":
        return r <= e <= r * 1.5 + 5
    if q == "approx":
        return abs(e - r) <= max(0.15 * r, 5)
    if q == "up_to":
        return 0.5 * r <= e <= r
    return False


def _refined(rounded: Candidate, exact_values: list[float]) -> bool:
    """Is there an exact value (other than the rounded one) that refines it? Bisection keeps this
    logarithmic: only the exact values near the rounded one are looked at."""
    r = float(rounded.value)
    lo = bisect.bisect_left(exact_values, min(r * 0.5, r - 5))
    for e in exact_values[lo:]:
        if e > r * 1.5 + 5:
            break
        if e != r and _compatible(
            rounded, Candidate(rounded.scope, rounded.metric, e, "exact", rounded.unit)
        ):
            return True
    return False


# A sentence that states a total ("In total 103 potential victims were identified") beats other
# summary sentences, such as a results list whose items are one force's parts.
_TOTAL_WORDS = re.compile(
    r"\b(?:in\stotal|a\stotal\sof|altogether|in\sall|overall|all\stold|the\stotal\snumber)\b",
    re.IGNORECASE,
)


# Counts of who took part: a group of them ("19 non-EU countries") is never more than all of them.
_COUNTS_OF_PARTICIPANTS = frozenset({"countries_involved", "forces_involved"})
_GROUP_OF_PARTICIPANTS = re.compile(
    r"\b(?:non-EU|non-European|non-Schengen|EU|European|African|Asian|Balkan|Latin\sAmerican|"
    r"third|partner|other|neighbouring|Scottish|Welsh|English|regional)\s(?:member\s)?"
    r"(?:countries|states|nations|forces|police\sforces)\b"
)


def _key(c: Candidate) -> tuple[int, bool, bool, bool, int]:
    return (c.rank, c.weak, c.quoted, not c.headline, c.order)


def _states_total(c: Candidate) -> bool:
    return (
        c.unit.span is not None
        and not (c.unit.sentence is not None and c.unit.sentence.bullet)
        and _TOTAL_WORDS.search(c.unit.text) is not None
    )


# Money written in round units ("£1.2m", "£1.3 million") is stated again exactly elsewhere.
_ROUNDED_MONEY_METRICS = frozenset({"cash_seized_gbp"})
# Below this a sum is taken as written exactly.
_MIN_ROUNDED_MONEY = 10_000


def _precision(value: float) -> int:
    """The largest power of ten that divides ``value`` (1 for a value with pence)."""
    v, p = int(value), 1
    if v != value or v == 0:
        return 1
    while v % (p * 10) == 0:
        p *= 10
    return p


def _coarser_than(c: Candidate, exact_values: list[float]) -> bool:
    """Is ``c`` a round sum ("£1.3m") that a finer exact value within one unit of its last
    written digit ("£1.25m", "£1,254,384") states more precisely?"""
    v = float(c.value)
    if v < _MIN_ROUNDED_MONEY:
        return False
    p = _precision(v)
    lo = bisect.bisect_left(exact_values, v - p)
    for e in exact_values[lo:]:
        if e >= v + p:
            break
        if e != v and _precision(e) < p:
            return True
    return False


def _choose_one(group: list[Candidate]) -> Candidate:
    """The best candidate for one (scope, metric).

    1. A rounded figure with an exact one that refines it ("more than 90" and "91") gives way to
       the exact one.
    2. A value the title states too beats the group's other values (the headline and the body
       agree).
    3. Then: the body beats a heading, which beats the title repeated, which beats the title; a
       stated number beats a count of listed names; a plain statement beats a back-reference
       ("the three"); the release's own sentence beats a quotation; the earlier beats the later.
       A part of another whole ("22 of them were identified as victims") counts only when nothing
       else states the figure.
    4. When the winner's value was first stated earlier with a qualifier ("at least 34 minors",
       later "34 minors"), the earlier statement is kept.

    A sum the page never writes refines no rounded figure (1), and of two lists of the
    countries or forces that took part the longer counts them.
    """
    if any(not c.part for c in group):
        # "Twenty-two of them were identified as potential victims" gives way to a stated count
        group = [c for c in group if not c.part]
    # a sum the page never writes ("652 men and 91 women were arrested") does not refine a
    # stated rounded total ("more than 700 people were arrested"): the stated total stands
    exact_values = sorted(
        {float(c.value) for c in group if c.qualifier == "exact" and not c.summed}
    )
    pool = [c for c in group if c.qualifier == "exact" or not _refined(c, exact_values)]
    if group[0].metric in _ROUNDED_MONEY_METRICS:
        # "£1.2 million in cash" and later "£1,254,384 in all": the round sum is the exact one
        # written in millions
        pool = [c for c in pool if not _coarser_than(c, exact_values)] or pool
    headline_values = {c.value for c in pool if c.rank == TITLE}
    agreeing = [c for c in pool if c.rank != TITLE and c.value in headline_values]
    if agreeing and len({c.value for c in pool}) > 1:
        # the headline and the body agree: "Operation ends with 157 arrests" and "Deputies
        # arrested 157 people" beat an earlier "More than 100 people were arrested"
        pool = agreeing
    best = min(pool, key=_key)
    if best.metric in _COUNTS_OF_PARTICIPANTS and _GROUP_OF_PARTICIPANTS.search(best.unit.text):
        # "19 non-EU countries were involved ... officials from 44 countries took part": the
        # participants of the whole are at least those of any group of them
        wider = [
            c
            for c in pool
            if c.value > best.value
            and not c.weak
            and c.rank == best.rank
            and not _GROUP_OF_PARTICIPANTS.search(c.unit.text)
        ]
        if wider:
            best = max(wider, key=lambda c: (c.value, -c.order))
    if best.metric in _COUNTS_OF_PARTICIPANTS and best.rank >= LISTED:
        # two lists of names ("raids at the same time in Germany, France and the Netherlands",
        # then "law enforcement from the UK, Belgium, Germany, France and the Netherlands"): the
        # participants are at least the longer list
        best = max(
            (c for c in pool if c.rank == best.rank),
            key=lambda c: (c.value, -c.order),
        )
    if best.unit.sentence is not None and best.unit.sentence.bullet:
        # a list item loses to a sentence that states the total ("In total 103 potential
        # victims were identified") after a list of one force's results
        totals = [c for c in pool if _states_total(c) and _key(c)[:3] == _key(best)[:3]]
        if totals:
            best = min(totals, key=_key)
    same = [
        c
        for c in pool
        if c.value == best.value
        and c.rank == best.rank
        and c.order < best.order
        and c.qualifier != "exact"
    ]
    if same:
        best = min(same, key=lambda c: c.order)
    return best


def _kinds_only(group: list[Candidate]) -> bool:
    """Weapons given only by kind, in different numbers ("33 firearms, 377 bladed weapons"): the
    kinds are never added up, and no one of them is the weapons seized."""
    return (
        group[0].metric == "weapons_seized"
        and all(c.part for c in group)
        and len({c.value for c in group}) > 1
    )


# The groups of people a victims total is made of (domain vocabulary).
_VICTIM_GROUPS = ("victims_children", "victims_adults")


# "25 men, 26 women and 22 children", "22 children and 25 adults": the chosen group listed with
# other groups of people, so it is one group of several, not every victim. Per chosen group:
# (its own nouns, the other groups' nouns).
_GROUP_NOUNS = {
    "victims_children": ("children|minors|girls|boys|juveniles", "men|women|adults|males|females"),
    "victims_adults": ("adults|men|women", "children|minors|girls|boys|juveniles"),
}
_N = rf"(?:\d[\d,]*|{NUMBER_WORDS_PATTERN})\s+(?:[\w-]+\s+)?"
_LISTED = r"(?:\s*,\s*|\s+and\s+|\s*,\s+and\s+)"
_LISTED_WITH_OTHERS = {
    metric: re.compile(
        rf"\b{_N}(?:{other}){_LISTED}(?:{_N}[\w-]+{_LISTED})*?{_N}(?:{own})\b"
        rf"|\b{_N}(?:{own}){_LISTED}(?:{_N}[\w-]+{_LISTED})*?{_N}(?:{other})\b",
        re.IGNORECASE,
    )
    for metric, (own, other) in _GROUP_NOUNS.items()
}


def _beside_other_groups(c: Candidate) -> bool:
    listed = _LISTED_WITH_OTHERS.get(c.metric)
    return listed is not None and listed.search(c.unit.text) is not None


def _victims_of_one_group(
    chosen: list[tuple[Candidate, list[Candidate]]],
) -> list[tuple[Candidate, list[Candidate]]]:
    """ "164 children were safeguarded", with no other count of victims: the children are the
    potential victims, so the page states both figures (the corpus convention: people
    safeguarded are potential victims, and children are people). Not when the group is a part
    of another count ("32 of them children") or when both groups are given (groups are never
    added up)."""
    out = []
    for scope in (OPERATION, INTERNATIONAL):
        have = {c.metric: (c, g) for c, g in chosen if c.scope == scope}
        groups = [have[m] for m in _VICTIM_GROUPS if m in have]
        if "potential_victims" in have or len(groups) != 1:
            continue
        best, group = groups[0]
        if best.part or best.weak or _beside_other_groups(best):
            continue
        total = replace(best, metric="potential_victims")
        out.append((total, [replace(c, metric="potential_victims") for c in group]))
    return out


# "Fourteen people were referred to the NRM as potential victims": people, not referrals, were
# counted (not "41 referrals were made to the NRM").
_PEOPLE_REFERRED = re.compile(
    r"\b(?:people|persons|individuals|men|women|workers|adults|children|victims|girls|boys)\s"
    r"(?:[\w,]+\s){0,4}?referred\b"
    r"|\breferr(?:ed|ing)\s(?:[\w,]+\s){0,3}?(?:people|persons|individuals|men|women|workers|"
    r"adults|children|victims)\b",
    re.IGNORECASE,
)


def _referred_people_are_victims(
    chosen: list[tuple[Candidate, list[Candidate]]],
) -> list[tuple[Candidate, list[Candidate]]]:
    """People referred into the NRM, when they are the page's only count of victims, are its
    potential victims too (the labelling convention, round 4): both figures are recorded, with
    the same value. A count of referrals made is not a count of people."""
    out = []
    for scope in (OPERATION, INTERNATIONAL):
        have = {c.metric: (c, g) for c, g in chosen if c.scope == scope}
        if "nrm_referrals" not in have or any(
            m in have for m in ("potential_victims", *_VICTIM_GROUPS)
        ):
            continue
        best, group = have["nrm_referrals"]
        if best.part or best.weak or not _PEOPLE_REFERRED.search(best.unit.text):
            continue
        total = replace(best, metric="potential_victims")
        out.append((total, [replace(c, metric="potential_victims") for c in group]))
    return out


def totals_hold_their_parts(
    chosen: list[tuple[Candidate, list[Candidate]]],
) -> tuple[list[tuple[Candidate, list[Candidate]]], list[tuple[Candidate, str]]]:
    """A count of victims smaller than its children, its adults, or both together, is not the
    total of the same people (one of them was misread): the total is withheld, with the reason,
    rather than reported against its own parts. Returns (kept, withheld)."""
    drop: dict[int, str] = {}
    for scope in (OPERATION, INTERNATIONAL):
        have = {c.metric: (i, c.value) for i, (c, _) in enumerate(chosen) if c.scope == scope}
        if "potential_victims" not in have:
            continue
        i, total = have["potential_victims"]
        parts = {m: have[m][1] for m in _VICTIM_GROUPS if m in have}
        if any(p > total for p in parts.values()) or sum(parts.values()) > total:
            stated = ", ".join(f"{m} {v:g}" for m, v in parts.items())
            drop[i] = f"smaller than its own parts ({stated})"
    kept = [cg for i, cg in enumerate(chosen) if i not in drop]
    return kept, [(chosen[i][0], reason) for i, reason in drop.items()]


def choose(candidates: list[Candidate]) -> list[tuple[Candidate, list[Candidate]]]:
    """One candidate per (scope, metric) — per subject for force figures, per value for
    background ones — each with the group it was chosen from, in output order."""
    groups: dict[tuple[str, str, str | None], list[Candidate]] = {}
    for c in candidates:
        if c.metric not in METRICS:
            continue
        if c.scope in (OPERATION, INTERNATIONAL):
            key = (c.scope, c.metric, None)
        elif c.scope == FORCE_SCOPE:
            key = (c.scope, c.metric, c.subject)
        else:
            key = (c.scope, c.metric, str(c.value))
        groups.setdefault(key, []).append(c)
    chosen = [(_choose_one(g), g) for g in groups.values() if not _kinds_only(g)]
    chosen.extend(_victims_of_one_group(chosen))
    chosen.extend(_referred_people_are_victims(chosen))
    scope_order = {OPERATION: 0, INTERNATIONAL: 1, FORCE_SCOPE: 2, CONTEXT: 3}
    chosen.sort(
        key=lambda cg: (
            scope_order.get(cg[0].scope, 9),
            METRICS.index(cg[0].metric),
            cg[0].subject or "",
            cg[0].order,
        )
    )
    return chosen
