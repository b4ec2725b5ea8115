"""Comparisons across operations: pure functions over ``db.queries.metrics_rows`` rows.

Three views an analyst asks for once there is more than one operation:

- the same theme year on year (``theme_years``),
- each operation against the median of its theme (``against_theme_median``),
- an operation's NRM referrals as a share of all NRM referrals that quarter
  (``nrm_context``; the quarterly totals come from the NRM statistics loader).

Values are taken as reported: a bound ("more than 25 arrests") counts at its
stated value. The report shows the bound marks next to the operation itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import median
from typing import Any

from config.metrics import DERIVED_METRICS

Row = Mapping[str, Any]

# The per-operation rates compared with the theme median.
COMPARED_METRICS: tuple[str, ...] = ("arrests_per_force_day", "nrm_referral_rate")
# A median of one operation is the operation itself: no comparison is made below this.
MIN_THEME_N = 2
NRM_NOT_LOADED = "NRM statistics not loaded"

_DIGITS = {d.name: d.digits for d in DERIVED_METRICS}


def operation_date(row: Row) -> date | None:
    """When the operation happened: its start date, else the first publication date."""
    for key in ("start_date", "published"):
        v = row.get(key)
        if v:
            return v if isinstance(v, date) else date.fromisoformat(str(v)[:10])
    return None


def operation_year(row: Row) -> int | None:
    d = operation_date(row)
    return d.year if d else None


def _median(values: Iterable[float | None], digits: int) -> tuple[float | None, int]:
    vals = [float(v) for v in values if v is not None]
    if not vals:
        return None, 0
    return round(median(vals), digits), len(vals)


def _total(values: Iterable[float | None]) -> tuple[int | float | None, int]:
    vals = [float(v) for v in values if v is not None]
    if not vals:
        return None, 0
    s = sum(vals)
    return (int(s) if s.is_integer() else s), len(vals)


def _none_last(v: Any) -> tuple[bool, Any]:
    return (v is None, v if v is not None else 0)


@dataclass(frozen=True, slots=True)
class ThemeYear:
    """One theme in one calendar year. Totals sum the operations that report the figure (``*_n``)."""

    theme: str | None
    year: int | None
    operations: int
    arrests: int | float | None
    arrests_n: int
    potential_victims: int | float | None
    potential_victims_n: int
    nrm_referrals: int | float | None
    nrm_referrals_n: int
    median_arrests_per_force: float | None
    median_arrests_per_force_n: int
    median_arrests_per_force_day: float | None
    median_arrests_per_force_day_n: int
    median_nrm_referral_rate: float | None
    median_nrm_referral_rate_n: int
    # Total arrests minus the same theme's total in the previous calendar year, when both exist.
    arrests_change: int | float | None


def theme_years(rows: Sequence[Row]) -> list[ThemeYear]:
    """Per theme and year: operations, totals and medians; ordered by theme then year (unknowns last)."""
    groups: dict[tuple[str | None, int | None], list[Row]] = defaultdict(list)
    for r in rows:
        groups[(r.get("theme"), operation_year(r))].append(r)
    out: list[ThemeYear] = []
    for theme, year in sorted(groups, key=lambda k: (_none_last(k[0]), _none_last(k[1]))):
        g = groups[(theme, year)]
        arrests, arrests_n = _total(r.get("arrests") for r in g)
        victims, victims_n = _total(r.get("potential_victims") for r in g)
        nrm, nrm_n = _total(r.get("nrm_referrals") for r in g)
        apf, apf_n = _median((r.get("arrests_per_force") for r in g), _DIGITS["arrests_per_force"])
        apfd, apfd_n = _median(
            (r.get("arrests_per_force_day") for r in g), _DIGITS["arrests_per_force_day"]
        )
        rate, rate_n = _median(
            (r.get("nrm_referral_rate") for r in g), _DIGITS["nrm_referral_rate"]
        )
        change = None
        if year is not None and arrests is not None and (theme, year - 1) in groups:
            before, _ = _total(r.get("arrests") for r in groups[(theme, year - 1)])
            if before is not None:
                change = arrests - before
        out.append(
            ThemeYear(
                theme, year, len(g), arrests, arrests_n, victims, victims_n, nrm, nrm_n,
                apf, apf_n, apfd, apfd_n, rate, rate_n, change,
            )
        )  # fmt: skip
    return out


@dataclass(frozen=True, slots=True)
class MedianComparison:
    """An operation's metric against its theme's median (the operation itself included in n)."""

    operation_id: int
    theme: str | None
    metric: str
    value: float | None
    median: float | None
    n: int
    ratio: float | None  # value / median, 2 decimals
    reason: str | None = None  # why ratio is None


def theme_medians(
    rows: Sequence[Row], metrics: Sequence[str] = COMPARED_METRICS
) -> dict[tuple[str, str], tuple[float | None, int]]:
    """(theme, metric) -> (median, n) over the operations of the theme that have the metric."""
    by_theme: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        if r.get("theme"):
            by_theme[r["theme"]].append(r)
    return {
        (theme, metric): _median((r.get(metric) for r in g), _DIGITS.get(metric, 3))
        for theme, g in by_theme.items()
        for metric in metrics
    }


def against_theme_median(
    rows: Sequence[Row], metrics: Sequence[str] = COMPARED_METRICS
) -> list[MedianComparison]:
    """Each operation's ``metrics`` as a ratio to its theme's median (1.0 = typical for the theme)."""
    medians = theme_medians(rows, metrics)
    out: list[MedianComparison] = []
    for r in rows:
        theme = r.get("theme")
        for metric in metrics:
            value = r.get(metric)
            med, n = medians.get((theme, metric), (None, 0)) if theme else (None, 0)
            ratio: float | None = None
            reason: str | None = None
            if not theme:
                reason = "operation has no theme"
            elif value is None:
                reason = f"{metric} not available"
            elif n < MIN_THEME_N:
                reason = f"too few operations in the theme to compare (n={n})"
            elif med == 0:
                reason = "theme median is 0"
            else:
                assert med is not None  # n >= 2 means a median exists
                ratio = round(float(value) / med, 2)
            out.append(
                MedianComparison(
                    r["id"], theme, metric, None if value is None else float(value), med, n,
                    ratio, reason,
                )
            )  # fmt: skip
    return out


@dataclass(frozen=True, slots=True)
class NrmContext:
    """The operation's NRM referrals as a share of every NRM referral in its calendar quarter."""

    share: float | None
    reason: str | None
    period: tuple[int, int] | None = None  # (year, quarter)
    quarter_total: int | None = None


def quarter_of(d: date) -> tuple[int, int]:
    # NRM statistics are published per calendar quarter (Q1 = January to March).
    return d.year, (d.month - 1) // 3 + 1


def nrm_context(row: Row, quarter_totals: Mapping[tuple[int, int], int]) -> NrmContext:
    """Share of the quarter's NRM referrals that this operation reports, or None with a reason."""
    if not quarter_totals:
        return NrmContext(None, NRM_NOT_LOADED)
    d = operation_date(row)
    if d is None:
        return NrmContext(None, "operation has no date")
    period = quarter_of(d)
    referrals = row.get("nrm_referrals")
    if referrals is None:
        return NrmContext(None, "nrm_referrals not reported", period)
    total = quarter_totals.get(period)
    if total is None:
        return NrmContext(None, f"no NRM statistics for {period[0]} Q{period[1]}", period)
    if total == 0:
        return NrmContext(None, f"NRM total for {period[0]} Q{period[1]} is 0", period, 0)
    return NrmContext(round(float(referrals) / total, 4), None, period, int(total))
