"""tasks/dates.py: one exact date for each written form, None for what is no date."""

from __future__ import annotations

from datetime import date

import pytest

from tasks.dates import find_date, month_number, parse_common_date, parse_date

NOV_5 = date(2021, 11, 5)
JUN_9 = date(2026, 6, 9)
EPOCH_NOV_5 = 1636070400  # 2021-11-05T00:00:00Z

# Forms both parsers read, on the fast path (feeds, sitemaps, APIs, listings).
COMMON = [
    ("5 November 2021", NOV_5),
    ("Nov 5, 2021", NOV_5),
    ("Nov. 5, 2024, 3:51 p.m.", date(2024, 11, 5)),
    ("November 5th 2021", NOV_5),
    ("2021-11-05", NOV_5),  # sitemap lastmod
    ("2021/11/05", NOV_5),
    ("2026-06-09T10:00:00Z", JUN_9),  # Atom
    ("2026-06-09T23:30:00-05:00", JUN_9),  # the publisher's local date, not the UTC day
    ("2024-05-01T00:30:00.000+01:00", date(2024, 5, 1)),  # GOV.UK public_timestamp
    ("20210611", date(2021, 6, 11)),  # ISO 8601 basic format
    ("Tue, 09 Jun 2026 23:30:00 +0100", JUN_9),  # RSS
    ("Tue, 09 Jun 2026 23:30:00 GMT", JUN_9),
    ("09 Jun 2026 09:30:00 +0100", JUN_9),
    ("09 June 2026", JUN_9),
    ("Published 9 Jun 2026 by the NCA", JUN_9),
    ("03 October 2025.", date(2025, 10, 3)),  # trailing full stop
    ("23 Janaury 2025.", date(2025, 1, 23)),  # the misspelling seen on the NCA site
    ("1 Sept 2024", date(2024, 9, 1)),
    ("3rd March 2021", date(2021, 3, 3)),
    (EPOCH_NOV_5, NOV_5),  # unix seconds (Europol), UTC
    (EPOCH_NOV_5 * 1000, NOV_5),  # unix milliseconds
    (str(EPOCH_NOV_5), NOV_5),
    (str(EPOCH_NOV_5 * 1000), NOV_5),
    (float(EPOCH_NOV_5), NOV_5),
    # no date
    ("31 February 2024", None),
    ("2021-02-30", None),
    ("2026-13-01", None),  # not read year-day-month
    ("5 Marines 2020", None),
    ("no date here", None),
    ("yesterday", None),
    ("June 2026", None),
    ("2026", None),
    ("", None),
    ("   ", None),
    (None, None),
    (True, None),
    ([2021, 11, 5], None),
    # out of range: 1990..2100
    ("1 January 1980", None),
    ("1970-01-01T00:00:00Z", None),
    ("0001-01-01", None),
    (0, None),
    ("8000121700", None),  # 2223
    (10**30, None),
    (float("nan"), None),
]

# Forms only dateparser reads: numeric dates day-first (UK), other prose.
WRITTEN = [
    ("05/11/2021", NOV_5),
    ("05-11-2021", NOV_5),
    ("5.11.2021", NOV_5),
    ("05/11/21", NOV_5),
    ("5/11/2021 23:30 -0500", NOV_5),
    ("11/25/2021", date(2021, 11, 25)),  # not ambiguous: no 25th month
    ("5th of November 2021", NOV_5),
    ("November the 5th, 2021", NOV_5),
    ("32/11/2021", None),
    ("1/2/3", None),
    ("5 November", None),  # no year
    ("12:30", None),
    ("x" * 500, None),
]


@pytest.mark.parametrize(("value", "expected"), COMMON + WRITTEN)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(("value", "expected"), COMMON)
def test_parse_common_date(value: object, expected: date | None) -> None:
    assert parse_common_date(value) == expected


@pytest.mark.parametrize("value", [v for v, expected in WRITTEN if expected])
def test_parse_common_date_leaves_numeric_dates_to_dateparser(value: str) -> None:
    assert parse_common_date(value) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Forty arrested 09 June 2026 Introduction.", JUN_9),
        ("On 31 February 2024, then on 1 March 2024.", date(2024, 3, 1)),  # the first real one
        ("in 1 January 1980, or 2 January 2020", date(2020, 1, 2)),
        ("released on Nov 5, 2021 at noon", NOV_5),
        ("5 June 2026 and June 9, 2026", date(2026, 6, 5)),  # day-first before month-first
        ("23 Janaury 2025", date(2025, 1, 23)),
        ("5 Marines 2020", None),
        ("no date here", None),
        ("", None),
    ],
)
def test_find_date(text: str, expected: date | None) -> None:
    assert find_date(text) == expected


def test_misspelt_months_only_when_fuzzy() -> None:
    assert find_date("23 Janaury 2025", fuzzy=False) is None
    assert parse_common_date("23 Janaury 2025", fuzzy=False) is None
    assert parse_date("23 Janaury 2025", fuzzy=False) is None
    assert parse_common_date("23 January 2025", fuzzy=False) == date(2025, 1, 23)


@pytest.mark.parametrize(
    ("token", "fuzzy", "expected"),
    [
        ("June", False, 6),
        ("jun.", False, 6),
        ("SEPT", False, 9),
        ("May", False, 5),
        ("Janaury", False, None),
        ("Janaury", True, 1),
        ("Juen", True, 6),
        ("Jum", True, None),  # too short to be a misspelling
        ("Marines", True, None),
        ("Ocotber", True, 10),
        ("Xctober", True, None),  # a misspelling keeps its first letter
        ("", False, None),
        (None, False, None),
    ],
)
def test_month_number(token: str | None, fuzzy: bool, expected: int | None) -> None:
    assert month_number(token, fuzzy=fuzzy) == expected
