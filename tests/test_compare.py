"""Comparisons across operations: theme year on year, against the theme median, NRM context."""

from __future__ import annotations

from typing import Any

import pytest

from tasks.compare import (
    NRM_NOT_LOADED,
    MedianComparison,
    NrmContext,
    ThemeYear,
    against_theme_median,
    nrm_context,
    theme_years,
)


def op(id: int, theme: str | None, when: str | None = None, published: str | None = None,
       **metrics: Any) -> dict[str, Any]:  # fmt: skip
    return {"id": id, "theme": theme, "start_date": when, "published": published, **metrics}


ROWS = [
    op(1, "A", "2021-11-01", arrests=38, potential_victims=99, nrm_referrals=55,
       arrests_per_force=2.0, arrests_per_force_day=0.29, nrm_referral_rate=0.556),
    # No start date: the publication date places it in 2021.
    op(2, "A", None, "2021-06-01", arrests=10, arrests_per_force=1.0, arrests_per_force_day=0.21),
    op(3, "A", "2022-02-01", arrests=60, potential_victims=20, nrm_referrals=8,
       arrests_per_force=3.0, arrests_per_force_day=0.5, nrm_referral_rate=0.4),
    op(4, "B", "2022-05-05"),
    op(5, None, None),
    op(6, "C", "2022-01-01", arrests_per_force_day=0.3),
    op(7, "D", "2023-01-01", arrests_per_force_day=0.0),
    op(8, "D", "2023-02-01", arrests_per_force_day=0.0),
]  # fmt: skip


def test_theme_years_totals_medians_and_change() -> None:
    got = {(t.theme, t.year): t for t in theme_years(ROWS)}
    assert list(got) == [("A", 2021), ("A", 2022), ("B", 2022), ("C", 2022), ("D", 2023),
                         (None, None)]  # fmt: skip
    assert got[("A", 2021)] == ThemeYear(
        "A", 2021, operations=2, arrests=48, arrests_n=2, potential_victims=99,
        potential_victims_n=1, nrm_referrals=55, nrm_referrals_n=1,
        median_arrests_per_force=1.5, median_arrests_per_force_n=2,
        median_arrests_per_force_day=0.25, median_arrests_per_force_day_n=2,
        median_nrm_referral_rate=0.556, median_nrm_referral_rate_n=1, arrests_change=None,
    )  # fmt: skip
    assert got[("A", 2022)] == ThemeYear(
        "A", 2022, 1, 60, 1, 20, 1, 8, 1, 3.0, 1, 0.5, 1, 0.4, 1, arrests_change=12
    )
    assert got[("B", 2022)] == ThemeYear(
        "B", 2022, 1, None, 0, None, 0, None, 0, None, 0, None, 0, None, 0, None
    )
    assert got[(None, None)].operations == 1
    assert theme_years([]) == []


@pytest.mark.parametrize(
    ("op_id", "metric", "expected"),
    [
        (1, "arrests_per_force_day", (0.29, 0.29, 3, 1.0, None)),
        (2, "arrests_per_force_day", (0.21, 0.29, 3, 0.72, None)),
        (3, "arrests_per_force_day", (0.5, 0.29, 3, 1.72, None)),
        (1, "nrm_referral_rate", (0.556, 0.478, 2, 1.16, None)),
        (3, "nrm_referral_rate", (0.4, 0.478, 2, 0.84, None)),
        (2, "nrm_referral_rate", (None, 0.478, 2, None, "nrm_referral_rate not available")),
        (4, "arrests_per_force_day", (None, None, 0, None, "arrests_per_force_day not available")),
        (5, "arrests_per_force_day", (None, None, 0, None, "operation has no theme")),
        (6, "arrests_per_force_day",
         (0.3, 0.3, 1, None, "too few operations in the theme to compare (n=1)")),
        (7, "arrests_per_force_day", (0.0, 0.0, 2, None, "theme median is 0")),
    ],
)  # fmt: skip
def test_against_theme_median(op_id: int, metric: str, expected: tuple[Any, ...]) -> None:
    got = {(c.operation_id, c.metric): c for c in against_theme_median(ROWS)}
    c = got[(op_id, metric)]
    assert (c.value, c.median, c.n, c.ratio, c.reason) == expected
    assert isinstance(c, MedianComparison) and len(got) == 2 * len(ROWS)


SEED = op(1, "A", "2021-11-01", nrm_referrals=55)


@pytest.mark.parametrize(
    ("row", "totals", "expected"),
    [
        (SEED, {}, NrmContext(None, NRM_NOT_LOADED)),
        (SEED, {(2021, 4): 5000}, NrmContext(0.011, None, (2021, 4), 5000)),
        (op(2, "A", None, "2022-03-31", nrm_referrals=30), {(2022, 1): 4000, (2021, 4): 1},
         NrmContext(0.0075, None, (2022, 1), 4000)),
        (op(3, "A", None, None, nrm_referrals=5), {(2021, 4): 5000},
         NrmContext(None, "operation has no date")),
        (op(4, "A", "2021-10-01"), {(2021, 4): 5000},
         NrmContext(None, "nrm_referrals not reported", (2021, 4))),
        (SEED, {(2021, 3): 5000}, NrmContext(None, "no NRM statistics for 2021 Q4", (2021, 4))),
        (SEED, {(2021, 4): 0}, NrmContext(None, "NRM total for 2021 Q4 is 0", (2021, 4), 0)),
    ],
)  # fmt: skip
def test_nrm_context(row: dict[str, Any], totals: dict[tuple[int, int], int],
                     expected: NrmContext) -> None:  # fmt: skip
    assert nrm_context(row, totals) == expected
