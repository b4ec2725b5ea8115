"""The shortcuts the figure rules take for speed give the answers of the plain patterns.

Cue words (``tasks.figures.sentences.cue_text``): a costly pattern is searched only when its text
holds one of its cue words, or tried only where one of its start words begins. The tests prove, from
each pattern's parse tree (the private ``re._parser``; a new Python may need these helpers
adjusted), that every match holds, or starts with, one of them, so a shortcut can never hide a
match. Scans that try a pattern only where a match can start must find what ``finditer`` finds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.figures import breakdown, durations, facts, numbers, page, places, scopes
from tasks.figures.sentences import cue_text, finditer_at, finditer_from

_REPEATS = (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT)


def _seq_covers(items: Any, cues: tuple[str, ...], prefix: str = "") -> bool:
    """Does every string matched by this sequence of parse nodes hold one of ``cues`` (lowered)?
    Conservative: a cue must lie inside one run of literal characters (``prefix`` is the run just
    before the sequence: the parser moves the common start of alternatives out of them), or
    inside a node that must match (a group, every branch of an alternation, a repeat of at least
    one, a look-around that must hold)."""
    runs: list[str] = []
    run = prefix
    for op, av in items:
        if op is sre_c.LITERAL:
            run += chr(av)
            continue
        if _node_covers(op, av, cues, run):
            return True
        runs.append(run)
        run = ""
    runs.append(run)
    return any(c in r.lower() for r in runs for c in cues)


def _node_covers(op: Any, av: Any, cues: tuple[str, ...], prefix: str) -> bool:
    if op is sre_c.SUBPATTERN:
        return _seq_covers(av[3], cues, prefix)
    if op is sre_c.ATOMIC_GROUP:
        return _seq_covers(av, cues, prefix)
    if op is sre_c.BRANCH:
        return all(_seq_covers(alt, cues, prefix) for alt in av[1])
    if op in _REPEATS:
        return av[0] >= 1 and _seq_covers(av[2], cues, prefix)
    if op is sre_c.ASSERT:
        return _seq_covers(av[1], cues)
    return False


def _cue_word(word: str) -> bool:
    """Lowercase, and every character ASCII or caseless (a curly quote): ``cue_text`` keeps such
    characters where a pattern matches them."""
    return word == word.lower() and all(c.isascii() or c.lower() == c.upper() for c in word)


def covers(pattern: re.Pattern[str], cues: tuple[str, ...]) -> bool:
    """Does every match of ``pattern`` hold one of ``cues``?"""
    assert all(_cue_word(c) for c in cues)
    return _seq_covers(sre_parse.parse(pattern.pattern, pattern.flags), cues)


_ZERO_WIDTH = (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT)
_DIGIT = [(sre_c.CATEGORY, sre_c.CATEGORY_DIGIT)]


def _seq_starts(
    items: list[Any], cues: tuple[str, ...], prefix: str = "", digits: bool = False
) -> bool:
    """Does every string matched by ``items``, after ``prefix`` was matched, start with a cue (or
    with a digit, when ``digits``)?"""
    low = prefix.lower()
    if any(low.startswith(c) for c in cues):
        return True
    if not items or not any(c.startswith(low) for c in cues):
        return False
    (op, av), rest = items[0], items[1:]
    if digits and not prefix and op is sre_c.IN and av == _DIGIT:
        return True
    if op is sre_c.LITERAL:
        return _seq_starts(rest, cues, prefix + chr(av), digits)
    if op is sre_c.IN and all(o is sre_c.LITERAL for o, _ in av):
        # a set of single characters: each of them
        return all(_seq_starts(rest, cues, prefix + chr(c), digits) for _, c in av)
    if op in _ZERO_WIDTH:
        return _seq_starts(rest, cues, prefix, digits)
    if op is sre_c.SUBPATTERN:
        return _seq_starts([*av[3], *rest], cues, prefix, digits)
    if op is sre_c.ATOMIC_GROUP:
        return _seq_starts([*av, *rest], cues, prefix, digits)
    if op is sre_c.BRANCH:
        return all(_seq_starts([*alt, *rest], cues, prefix, digits) for alt in av[1])
    if op in _REPEATS:
        # with one repetition or more, decided inside the first (or not at all); an optional
        # one must also be skipped over
        skipped = av[0] >= 1 or _seq_starts(rest, cues, prefix, digits)
        return skipped and _seq_starts(list(av[2]), cues, prefix, digits)
    return False


def starts_with(pattern: re.Pattern[str], cues: tuple[str, ...], digits: bool = False) -> bool:
    """Does every match of ``pattern`` start with one of ``cues`` (or a digit, when ``digits``)?"""
    assert all(c and _cue_word(c) for c in cues)
    return _seq_starts(list(sre_parse.parse(pattern.pattern, pattern.flags)), cues, "", digits)


def test_checker_itself() -> None:
    assert covers(re.compile(r"\b(?:up|down) from\b", re.I), ("from",))
    assert covers(re.compile(r"week|weeks?"), ("week",))
    assert not covers(re.compile(r"weeks?|fortnight"), ("week",))
    assert not covers(re.compile(r"w\s?eek"), ("week",))
    assert not covers(re.compile(r"(?:week)?day"), ("week",))
    assert covers(re.compile(r"(?:week)+day"), ("week",))
    assert covers(re.compile(r"labour|labor"), ("labour", "labor"))
    assert not covers(re.compile(r"labour|labor"), ("labour",))
    assert not covers(re.compile(r"la(?:bour|bor)?"), ("labo",))
    assert starts_with(re.compile(r"(?<!x)\b(?:labour|labor)s?\b", re.I), ("labour", "labor"))
    assert starts_with(re.compile(r"(?:la)(?:b|bb)our"), ("lab",))
    assert not starts_with(re.compile(r"a?labour"), ("labour",))
    assert not starts_with(re.compile(r"\blab\w+"), ("labour",))
    assert not starts_with(re.compile(r"the labour"), ("labour",))
    assert starts_with(re.compile(r"(?:an?\s)?labour"), ("labour", "a"))
    assert not starts_with(re.compile(r"(?:an?\s)?labour"), ("labour",))
    assert not starts_with(re.compile(r"(?:the\s)?labour"), ("labour", "a"))
    assert starts_with(re.compile(r"[LM]abour"), ("labour", "mabour"))
    assert not starts_with(re.compile(r"[LM]abour"), ("labour",))
    assert not starts_with(re.compile(r"[^M]abour"), ("labour",))
    assert starts_with(re.compile(r"(?<!\w)(?:\d+|one)"), ("one",), digits=True)
    assert not starts_with(re.compile(r"(?<!\w)(?:\d+|one)"), ("one",))
    assert not starts_with(re.compile(r"(?:\w+|one)"), ("one",), digits=True)


def test_cue_text_keeps_every_ascii_letter_an_ignore_case_pattern_matches() -> None:
    letters = re.compile("[a-z]", re.IGNORECASE)
    for cp in range(0x110000):
        c = chr(cp)
        if not letters.fullmatch(c):
            continue
        for a in "abcdefghijklmnopqrstuvwxyz":
            if re.fullmatch(a, c, re.IGNORECASE):
                assert a in cue_text(c), hex(cp)


GATED: list[tuple[str, re.Pattern[str], tuple[str, ...]]] = [
    ("durations._N_UNITS", durations._N_UNITS, ("day", "week")),
    ("durations._RANGE_DAY_FIRST", durations._RANGE_DAY_FIRST, durations._MONTH_STARTS),
    ("durations._N_HOURS", durations._N_HOURS, ("hour",)),
    ("durations._WEEKDAY_RANGE", durations._WEEKDAY_RANGE, ("day",)),
    ("durations._FORTNIGHT", durations._FORTNIGHT, ("fortnight",)),
    ("durations._WEEK", durations._WEEK, ("week",)),
    ("durations._ONE_DAY", durations._ONE_DAY, ("day",)),
    ("scopes._COMMENTARY", scopes._COMMENTARY, scopes._COMMENTARY_CUES),
    ("scopes._OTHER_OPERATION", scopes._OTHER_OPERATION, scopes._OTHER_OPERATION_CUES),
    ("scopes._SPLIT_CUE", scopes._SPLIT_CUE, scopes._SPLIT_CUES),
    ("scopes._CONTEXT", scopes._CONTEXT, scopes._CONTEXT_CUES),
    ("scopes._WIDER", scopes._WIDER, scopes._WIDER_CUES),
    ("scopes._IN_MANY_COUNTRIES", scopes._IN_MANY_COUNTRIES, scopes._WIDER_CUES),
    ("scopes._YEAR_PHRASE", scopes._YEAR_PHRASE, ("19", "20")),
    ("breakdown._OF_WHICH_BARE", breakdown._OF_WHICH_BARE, breakdown._OF_WHICH_BARE_CUES),
]
STARTING: list[tuple[str, re.Pattern[str], tuple[str, ...]]] = [
    ("page._TOOK_PART", page._TOOK_PART, page._TOOK_PART_STARTS),
    ("page._HEADLINE_WORDS", page._HEADLINE_WORDS, page._HEADLINE_STARTS),
    ("scopes._JOINT_OPERATION", scopes._JOINT_OPERATION, scopes._JOINT_OPERATION_STARTS),
    ("scopes._NATIONAL_ACTION", scopes._NATIONAL_ACTION, scopes._NATIONAL_ACTION_STARTS),
    ("durations._RANGE_MONTH_FIRST", durations._RANGE_MONTH_FIRST, durations._MONTH_STARTS),
    ("breakdown._SPLIT_OPENER", breakdown._SPLIT_OPENER, breakdown._SPLIT_OPENER_STARTS),
    (
        "breakdown._ATTRIBUTED_BEFORE",
        breakdown._ATTRIBUTED_BEFORE,
        breakdown._ATTRIBUTED_BEFORE_STARTS,
    ),
    ("breakdown._BOTH", breakdown._BOTH, breakdown._BOTH_STARTS),
    ("facts._OP_NAME", facts._OP_NAME, facts._OP_NAME_STARTS),
    ("facts._JAD_NAME", facts._JAD_NAME, facts._JAD_NAME_STARTS),
    ("facts._QUOTED_NAME", facts._QUOTED_NAME, facts._QUOTED_NAME_STARTS),
    *((f"theme {i} {t}", rx, cues) for i, (rx, t, _, cues) in enumerate(facts._THEME_KEYWORDS)),
]


@pytest.mark.parametrize(("name", "pattern", "cues"), GATED, ids=[g[0] for g in GATED])
def test_every_match_holds_a_cue(
    name: str, pattern: re.Pattern[str], cues: tuple[str, ...]
) -> None:
    assert covers(pattern, cues), name


@pytest.mark.parametrize(("name", "pattern", "cues"), STARTING, ids=[g[0] for g in STARTING])
def test_every_match_starts_with_a_cue(
    name: str, pattern: re.Pattern[str], cues: tuple[str, ...]
) -> None:
    assert starts_with(pattern, cues), name


_THEME_WORDS = sorted(
    {w for rx, *_ in facts._THEME_KEYWORDS for w in re.findall(r"[a-z]+", rx.pattern)}
)


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.one_of(
            st.sampled_from(_THEME_WORDS).map(str.title),
            st.sampled_from(_THEME_WORDS),
            st.sampled_from([" ", "  ", "-", "\n", ", ", "ſ", "İ", "ı", "K", "s", "x"]),
        ),
        max_size=30,
    )
)
def test_theme_hits_are_capped_findall(words: list[str]) -> None:
    text = " ".join(words)
    for rx, _, _, cues in facts._THEME_KEYWORDS:
        expected = min(facts._MAX_HITS_PER_KEYWORD, len(rx.findall(text)))
        assert facts._hits(rx, text, cue_text(text), cues) == expected, rx.pattern


_NUMBERISH = st.lists(
    st.sampled_from(
        [
            *"0123456789012345+£€$.,/:- ()apmthndrsAPM\u00a0\u2009\u202f\n",
            *["am", "pm", "st", "nd", "th", "m", "k", "bn", "2019", "0800", "+44", "١٢"],
            " million",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=_NUMBERISH)
def test_num_tokens_is_finditer(text: str) -> None:
    fast = finditer_from(numbers._NUM_TOKEN, numbers._NUM_TOKEN_START, text)
    assert _found(fast) == _found(numbers._NUM_TOKEN.finditer(text))


def _found(matches: Iterator[re.Match[str]]) -> list[tuple[tuple[int, int], dict[str, Any]]]:
    return [(m.span(), m.groupdict()) for m in matches]


_NUMBER_WORDY = st.lists(
    st.one_of(
        st.sampled_from(numbers._ALL_NUMBER_WORDS),
        st.sampled_from(numbers._ALL_NUMBER_WORDS).map(str.upper),
        st.sampled_from(
            ["a", "an", "A", "An", "and", "some", "one", "often", "x", "Ten", "ſix", "İ", "K"]
        ),
        st.sampled_from([" ", "  ", "   ", "    ", "\u00a0", "-", ", ", "\n", ""]),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=_NUMBER_WORDY)
def test_word_run_starts_find_every_run(text: str) -> None:
    fast = finditer_at(numbers._WORD_RUN, text, numbers._word_run_starts(text))
    assert _found(fast) == _found(numbers._WORD_RUN.finditer(text))


def test_word_runs_start_with_a_number_word_or_an_article() -> None:
    assert starts_with(numbers._WORD_RUN, (*numbers.NUMBER_WORD_STARTS, "a"))


@pytest.mark.parametrize("name", ["_OF_THEM", "_ATTRIBUTED_AFTER"])
def test_breakdown_counts_start_with_a_digit_or_a_number_word(name: str) -> None:
    assert starts_with(getattr(breakdown, name), numbers.NUMBER_WORD_STARTS, digits=True)


_CAPS_TEXT = st.lists(
    st.sampled_from(
        [*"AZaz09 .,;:&-'’\n", "\u00a0", "Of", "of", "and", "the", "Kent", "Police", "UK", "police"]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=_CAPS_TEXT, a=st.integers(0, 50), b=st.integers(0, 50))
def test_cap_runs_are_finditer(text: str, a: int, b: int) -> None:
    start, end = min(a, b, len(text)), min(max(a, b), len(text))
    fast = finditer_from(places._CAP_RUN, places._CAPITAL, text, start, end)
    assert _found(fast) == _found(places._CAP_RUN.finditer(text, start, end))


_NAMES = sorted(
    {
        *(a for aliases in places._NAMED_FORCES.values() for a in aliases),
        *(a for aliases in places._AGENCIES.values() for a in aliases),
        *(a for aliases in places._COUNTRY_NAMES.values() for a in aliases),
        *places._COUNTRY_NAMES,
        *places._DEMONYMS,
        *(f"{a} Police" for areas in places._FORCE_AREAS.values() for a in areas),
    }
)


class _EveryLength(dict[str, int]):
    """Lookup lengths as before _LONGEST_FROM: every length up to the longest name."""

    def get(self, key: str, default: int | None = None) -> int:  # type: ignore[override]
        return places._LONGEST


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(
        st.one_of(
            st.sampled_from(_NAMES),
            st.sampled_from(_NAMES).map(str.upper),
            st.sampled_from(["The", "and", "of", "Police", "police", "’s", "'s", ".", ",", "-led"]),
            st.sampled_from(["officers", "authorities", "Officers from", "Met", "Chad", "MPs"]),
        ),
        max_size=12,
    ),
    joiner=st.sampled_from([" ", "\u00a0", ", ", " and "]),
)
def test_entity_lookup_tries_every_length_that_can_match(parts: list[str], joiner: str) -> None:
    text = joiner.join(parts)
    fast = places.find_entities(text)
    with mock.patch.object(places, "_LONGEST_FROM", _EveryLength()):
        assert places.find_entities(text) == fast
