"""Number parsing and the number tokenizer (tasks.figures.numbers)."""

from __future__ import annotations

import time

import pytest

from tasks.figures.numbers import (
    AGE,
    COUNT,
    DATE,
    MEASURE,
    MONEY,
    NAME,
    ORDINAL,
    OTHER,
    PERCENT,
    PHONE,
    PRICE,
    TIME,
    YEAR,
    find_numbers,
    parse_digits,
    parse_money,
    parse_number,
    parse_qualifier,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("7", 7),
        ("2,309", 2309),
        ("1,254,384", 1254384),
        ("24 680", 24680),
        ("3\u202f450", 3450),
        ("3\u2009450", 3450),
        ("12.500", 12500),  # a dot and three digits in a count is a separator
        ("4.5", 4.5),
        ("FORTY two", 42),
        ("Seventeen", 17),
        ("sixty one", 61),
        ("ninety-nine", 99),
        ("two hundred and forty", 240),
        ("one hundred", 100),
        ("a hundred", 100),
        ("a dozen", 12),
        ("three dozen", 36),
        ("five thousand", 5000),
        ("3 million", 3_000_000),
        ("2.5 million", 2_500_000),
        ("dozens", None),
        ("hundreds", None),
        ("a number of", None),
        ("several", None),
        ("", None),
    ],
)
def test_parse_number(text: str, value: int | float | None) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("£2.75 million", 2_750_000, "GBP"),
        ("£3.4m", 3_400_000, "GBP"),
        ("£65k", 65_000, "GBP"),
        ("£72,500", 72_500, "GBP"),
        ("£900", 900, "GBP"),
        ("€6 million", 6_000_000, "EUR"),
        ("$1.5bn", 1_500_000_000, "USD"),
        ("12,000 pounds", 12_000, "GBP"),
    ],
)
def test_parse_money(text: str, value: int, currency: str) -> None:
    assert parse_money(text) == (value, currency)


@pytest.mark.parametrize(
    ("phrase", "qualifier"),
    [
        ("more than", "more_than"),
        ("Over", "more_than"),
        ("in excess of", "more_than"),
        ("upwards of", "more_than"),
        ("just over", "more_than"),
        ("at least", "at_least"),
        ("a minimum of", "at_least"),
        ("almost", "approx"),
        ("Nearly", "approx"),
        ("around", "approx"),
        ("about", "approx"),
        ("approximately", "approx"),
        ("some", "approx"),
        ("roughly", "approx"),
        ("close to", "approx"),
        ("just under", "approx"),
        ("up to", "up_to"),
        ("precisely", "exact"),
    ],
)
def test_parse_qualifier(phrase: str, qualifier: str) -> None:
    assert parse_qualifier(phrase) == qualifier


def test_parse_digits_decimal_hint() -> None:
    assert parse_digits("1.250") == 1250
    assert parse_digits("1.250", decimal_hint=True) == 1.25
    assert parse_digits("9" * 40) is None


def _mentions(text: str) -> list[tuple[int | float, str, str]]:
    return [(m.value, m.kind, m.qualifier) for m in find_numbers(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # counts and qualifiers
        ("well over 300 suspects", [(300, COUNT, "more_than")]),
        ("no fewer than 12 raids", [(12, COUNT, "at_least")]),
        ("close to 80 workers", [(80, COUNT, "approx")]),
        ("up to 25 people", [(25, COUNT, "up_to")]),
        ("150+ visits", [(150, COUNT, "more_than")]),
        ("40 or more premises", [(40, COUNT, "at_least")]),
        ("just 21 were held", [(21, COUNT, "exact")]),
        ("TWENTY-SIX men were held", [(26, COUNT, "exact")]),
        # money and prices
        ("seized £48,250 in cash", [(48250, MONEY, "exact")]),
        ("paid £6 per hour", [(6, PRICE, "exact")]),
        ("earned £35 a day", [(35, PRICE, "exact")]),
        # never counts of people
        ("a 29-year-old woman", [(29, AGE, "exact")]),
        ("a boy aged 15", [(15, AGE, "exact")]),
        ("two girls aged 14 and 16", [(2, COUNT, "exact"), (14, AGE, "exact"), (16, AGE, "exact")]),
        ("on 3 March", [(3, DATE, "exact")]),
        ("on March 3", [(3, DATE, "exact")]),
        ("from 8 to 14 July", [(8, DATE, "exact"), (14, DATE, "exact")]),
        # a full month name then a full stop ends a sentence; an abbreviation's dot does not
        ("ran until 23 May. 13 were held", [(23, DATE, "exact"), (13, COUNT, "exact")]),
        ("on Sept. 13", [(13, DATE, "exact")]),
        ("2-9 April", [(2, DATE, "exact"), (9, DATE, "exact")]),
        ("Tuesday 4th and Wednesday 5th June", [(4, DATE, "exact"), (5, DATE, "exact")]),
        ("in 2019", [(2019, YEAR, "exact")]),
        ("the 2022/23 figures", [(2022, YEAR, "exact")]),
        ("at 6.15am", [(0, TIME, "exact")]),
        ("at 14:30", [(0, TIME, "exact")]),
        ("ring 101", [(101, PHONE, "exact")]),
        ("on 0300 123 4567", [(0, PHONE, "exact")]),
        ("a rise of 12%", [(12, PERCENT, "exact")]),
        ("40 per cent of cases", [(40, PERCENT, "exact")]),
        ("the 3rd phase", [(3, ORDINAL, "exact")]),
        ("Joint Action Day Tisza 3 was held", [(3, NAME, "exact")]),
        ("SARS-2 guidance", [(2, NAME, "exact")]),
        ("a Section 60 order", [(60, NAME, "exact")]),
        ("12kg of heroin", [(12, MEASURE, "exact")]),
        ("an 18-hour shift", [(18, MEASURE, "exact")]),
        ("for six months", [(6, MEASURE, "exact")]),
        # an age bound is not a count; a count after "over" still is
        ("eleven of them aged under 18", [(11, COUNT, "exact"), (18, AGE, "up_to")]),
        ("girls under the age of 16", [(16, AGE, "exact")]),
        ("three were under 18.", [(3, COUNT, "exact"), (18, AGE, "up_to")]),
        ("over 18 people were held", [(18, COUNT, "more_than")]),
        ("under 16 kilos of cannabis", [(16, MEASURE, "up_to")]),
        # age ranges and lists of ages
        ("workers aged from 20 to 51", [(20, AGE, "exact"), (51, AGE, "exact")]),
        ("with ages ranging from 19 to 60", [(19, AGE, "exact"), (60, AGE, "exact")]),
        (
            "three men, aged 24, 37 and 45, were held",
            [(3, COUNT, "exact"), (24, AGE, "exact"), (37, AGE, "exact"), (45, AGE, "exact")],
        ),
        ("a boy aged 16, 20 people were held", [(16, AGE, "exact"), (20, COUNT, "exact")]),
        # a signed number is a change, never a count; a hyphen after a word or number joins
        (
            "arrested -45 people and safeguarded 99 potential victims",
            [(0, OTHER, "exact"), (99, COUNT, "exact")],
        ),
        ("a change of \u221212 arrests", [(0, OTHER, "exact")]),
        ("cash (-£45) was logged", [(0, OTHER, "exact")]),
        ("ages 16-18 and SARS-2", [(16, AGE, "exact"), (18, AGE, "exact"), (2, NAME, "exact")]),
    ],
)
def test_find_numbers(text: str, expected: list[tuple[int | float, str, str]]) -> None:
    assert _mentions(text) == expected


def test_year_followed_by_a_count_noun_is_a_count() -> None:
    assert _mentions("2000 officers took part") == [(2000, COUNT, "exact")]


def test_title_case_count_is_not_a_name() -> None:
    assert _mentions("Police Scotland Makes 31 Arrests") == [(31, COUNT, "exact")]


def test_spans_and_qualifier_start() -> None:
    text = "Officers found more than 120 victims."
    (m,) = find_numbers(text)
    assert text[m.start : m.end] == "120"
    assert text[m.figure_start : m.end] == "more than 120"


def test_money_qualifier_before_the_sign() -> None:
    (m,) = find_numbers("nearly £3m was recovered")
    assert (m.value, m.kind, m.qualifier, m.unit) == (3_000_000, MONEY, "approx", "GBP")


@pytest.mark.parametrize("text", ["1" * 1_000_000, "1 000 " * 30_000, "1.000" * 50_000 + "1"])
def test_long_digit_runs_are_fast(text: str) -> None:
    t0 = time.perf_counter()
    out = find_numbers(text)
    assert time.perf_counter() - t0 < 5
    assert all(m.kind in (COUNT, OTHER, NAME) or m.value >= 0 for m in out)


def test_huge_number_is_not_converted() -> None:
    (m,) = find_numbers("9" * 5000)
    assert m.kind == OTHER
