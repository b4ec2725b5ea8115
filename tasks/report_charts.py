"""The report's charts: matplotlib figures rendered to SVG, returned as data URIs.

Each chart is drawn on its own ``matplotlib.figure.Figure`` (no pyplot, so no GUI
backend and no global figure state between calls or threads). The SVG goes into
an ``<img src="data:image/svg+xml;base64,...">``: an image never runs script and
its element ids cannot collide with the page's, whatever text it contains.
Output is deterministic (fixed hash salt, no date metadata) so two reports over
the same warehouse are byte-identical.
"""

from __future__ import annotations

import base64
import contextlib
import io
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import TYPE_CHECKING, Any

from tasks.compare import operation_date, operation_year

if TYPE_CHECKING:
    from matplotlib.figure import Figure

Row = Mapping[str, Any]
Details = Mapping[int, Mapping[str, Mapping[str, Any]]]

BOUND_MARK: dict[str, str] = {"at_least": "≥", "more_than": ">", "up_to": "≤", "approx": "~"}
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
BAR = "#0072B2"
BAR_2 = "#E69F00"
MUTED = "#6b6b6b"
OVER = "#D55E00"
OVER_LABEL = "over 100 % (cut at 100 %)"
# What a bar over 100 % says: a share of victims or arrests above the whole fails a check.
OVER_NOTE = "impossible: see the quality checks"
MAX_BARS = 40  # the most recent operations; more would not be readable in one chart
LABEL_CHARS = 46

_RC = {
    "svg.hashsalt": "optally",  # stable element ids, so the output is reproducible
    "text.parse_math": False,  # a "$" in a scraped title must stay a dollar sign
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#444444",
    "axes.grid": True,
    "grid.color": "#e3e3e3",
    "grid.linewidth": 0.8,
}


@dataclass(frozen=True, slots=True)
class Chart:
    key: str
    title: str
    alt: str  # what the chart shows, for screen readers and when images are off
    data_uri: str
    width_in: float
    height_in: float


def theme_label(theme: str | None) -> str:
    return (theme or "no theme").replace("_", " ")


def operation_label(row: Row) -> str:
    """``2021-11-05 · Operation Aidant``, shortened to fit a chart's axis."""
    name = row.get("name") or row.get("title") or f"operation {row.get('id')}"
    name = " ".join(str(name).split())
    if len(name) > LABEL_CHARS:
        name = name[: LABEL_CHARS - 1].rstrip() + "…"
    d = operation_date(row)
    return f"{d.isoformat() if d else 'undated'} · {name}"


@contextlib.contextmanager
def _figure(figsize: tuple[float, float]) -> Iterator[Figure]:
    # matplotlib takes 0.7 s to import. Every run's publish step uses this module's
    # labels but draws nothing, so matplotlib loads only when a chart is drawn.
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        yield Figure(figsize=figsize, layout="constrained")


def _svg_uri(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _chronological(rows: Sequence[Row]) -> list[Row]:
    dated = sorted(rows, key=lambda r: (operation_date(r) is None, operation_date(r) or 0, r["id"]))
    return dated[-MAX_BARS:]


def _title(fig: Figure, text: str) -> None:
    # Figure-level and left-aligned: long operation labels would push an axes title aside.
    fig.suptitle(text, x=0.01, ha="left", fontsize=12, fontweight="bold")


def _note(ax: Any, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color=MUTED)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)


def _shown_of(total: int, shown: int) -> str:
    return f" (the {shown} most recent of {total})" if shown < total else ""


def operations_over_time(rows: Sequence[Row]) -> Chart:
    """Operations per calendar year, stacked by theme."""
    title = "Operations per year, by theme"
    counts: Counter[tuple[int, str | None]] = Counter()
    for r in rows:
        y = operation_year(r)
        if y is not None:
            counts[(y, r.get("theme"))] += 1
    with _figure((9, 3.6)) as fig:
        ax = fig.add_subplot()
        _title(fig, title)
        if not counts:
            _note(ax, "No dated operation yet")
            alt = "No dated operation yet."
        else:
            years = list(range(min(y for y, _ in counts), max(y for y, _ in counts) + 1))
            themes = sorted({t for _, t in counts}, key=lambda t: (t is None, t or ""))
            bottom = [0] * len(years)
            for i, theme in enumerate(themes):
                heights = [counts.get((y, theme), 0) for y in years]
                ax.bar(years, heights, bottom=bottom, label=theme_label(theme),
                       color=PALETTE[i % len(PALETTE)], width=0.7)  # fmt: skip
                bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
            ax.set_xticks(years, [str(y) for y in years])
            # At least five year-widths of axis, so one or two years are not wall-to-wall bars.
            pad = max(0.6, (5 - len(years)) / 2)
            ax.set_xlim(years[0] - pad, years[-1] + pad)
            ax.yaxis.get_major_locator().set_params(integer=True)
            ax.grid(axis="x", visible=False)
            fig.legend(frameon=False, loc="outside right upper", title="theme")
            alt = "Operations per year: " + ", ".join(
                f"{y}: {sum(counts.get((y, t), 0) for t in themes)}" for y in years
            )
        ax.set_xlabel("year (start date, else first publication)")
        ax.set_ylabel("operations (count)")
        uri = _svg_uri(fig)
    return Chart("operations-over-time", title, alt, uri, 9, 3.6)


def _value_text(value: float, qualifier: str | None, percent: bool) -> str:
    mark = BOUND_MARK.get(qualifier or "exact", "")
    return f"{mark}{value * 100:.1f} %" if percent else f"{mark}{value:.2f}"


# A share above 100 % cannot be right (a quality check fails with it): such a bar is drawn to
# the cap, flagged, instead of squashing every other bar to nothing.
PERCENT_CAP = 100.0


@dataclass(slots=True)
class _Bars:
    """What the bars drawn so far add up to."""

    xmax: float  # the largest bar, capped: text offsets and the axis follow it
    values: list[float] = field(default_factory=list)  # drawn values, for the reference line
    alt: list[str] = field(default_factory=list)
    labelled: set[str] = field(default_factory=set)  # one legend entry per series


def _largest(shown: Sequence[Row], series: Sequence[tuple[str, str, str]], percent: bool) -> float:
    """The axis' largest bar: the largest value, at most the cap for a percentage."""
    scale = 100.0 if percent else 1.0
    xmax = max(
        [0.0, *(float(r[m]) * scale for r in shown for m, _, _ in series if r.get(m) is not None)]
    )
    xmax = xmax or (100.0 if percent else 1.0)
    return min(xmax, PERCENT_CAP) if percent else xmax


def _missing(ax: Any, bars: _Bars, y: float, reason: str) -> None:
    ax.text(bars.xmax * 0.01, y, f"n/a: {reason}", va="center", fontsize=8.5, color=MUTED,
            style="italic", bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})  # fmt: skip


def _bar(
    ax: Any,
    bars: _Bars,
    y: float,
    bar_h: float,
    value: float,
    qualifier: str | None,
    series: tuple[str, str],  # (legend label, colour)
    percent: bool,
    over_note: str = OVER_NOTE,
) -> str:
    """Draw one bar with its value written after it; the text written."""
    label, colour = series
    bounded = qualifier not in (None, "exact")
    width = value * (100.0 if percent else 1.0)
    text = _value_text(value, qualifier, percent)
    over = percent and width > PERCENT_CAP
    if over:
        width, colour, label = PERCENT_CAP, OVER, OVER_LABEL
        text += f" ({over_note})"
    ax.barh(y, width, height=bar_h * 0.9, color=colour, hatch="///" if bounded else None,
            edgecolor="white" if bounded else colour,
            label=None if label in bars.labelled else label)  # fmt: skip
    bars.labelled.add(label)
    # An over-the-cap value is written inside its bar, which ends at the axis edge.
    ax.text(width - bars.xmax * 0.01 if over else width + bars.xmax * 0.01, y, text,
            va="center", fontsize=8.5, ha="right" if over else "left",
            color="white" if over else "black")  # fmt: skip
    return text


def _draw_bars(
    ax: Any,
    shown: Sequence[Row],
    series: Sequence[tuple[str, str, str]],
    details: Details,
    percent: bool,
    over_note: str = OVER_NOTE,
) -> _Bars:
    """Each series' bar for each operation, oldest at the top, series side by side."""
    bars = _Bars(_largest(shown, series, percent))
    n = len(shown)
    bar_h = 0.8 / len(series)
    for s_i, (metric, label, colour) in enumerate(series):
        for i, r in enumerate(shown):
            y = (n - 1 - i) + (len(series) - 1) / 2 * bar_h - s_i * bar_h
            d = details.get(r["id"], {}).get(metric, {})
            v = r.get(metric)
            if v is None:
                reason = d.get("reason") or "not computable"
                _missing(ax, bars, y, reason)
                bars.alt.append(f"{operation_label(r)} {label}: n/a ({reason})")
                continue
            text = _bar(ax, bars, y, bar_h, float(v), d.get("qualifier"), (label, colour),
                        percent, over_note)  # fmt: skip
            bars.values.append(float(v))
            bars.alt.append(f"{operation_label(r)} {label}: {text}")
    return bars


def _hbar(
    key: str,
    title: str,
    xlabel: str,
    rows: Sequence[Row],
    series: Sequence[tuple[str, str, str]],  # (metric, legend label, colour)
    details: Details,
    *,
    percent: bool,
    empty: str,
    reference: Callable[[list[float]], tuple[float, str]] | None = None,
    over_note: str = OVER_NOTE,
) -> Chart:
    """One horizontal bar per operation (per series), oldest at the top; a bound is hatched
    and marked, a missing value says why at the axis."""
    shown = _chronological(rows)
    # A constant bar thickness, whatever the number of operations.
    height = round(max(2.4, 1.7 + 0.3 * len(shown) * len(series)), 2)
    with _figure((9, height)) as fig:
        ax = fig.add_subplot()
        _title(fig, title + _shown_of(len(rows), len(shown)))
        if not shown:
            _note(ax, empty)
            ax.set_xlabel(xlabel)
            uri = _svg_uri(fig)
            return Chart(key, title, empty, uri, 9, height)
        bars = _draw_bars(ax, shown, series, details, percent, over_note)
        n = len(shown)
        ax.set_yticks(range(n), [operation_label(r) for r in reversed(shown)])
        ax.set_ylim(-0.6, n - 0.4)
        ax.set_xlim(0, bars.xmax * 1.18)
        ax.grid(axis="y", visible=False)
        if reference and bars.values:
            ref, ref_label = reference(bars.values)
            ref_x = ref * (100.0 if percent else 1.0)
            if not percent or ref_x <= PERCENT_CAP:
                ax.axvline(ref_x, color="#333333", linestyle="--", linewidth=1, label=ref_label)
        if ax.get_legend_handles_labels()[1]:
            fig.legend(frameon=False, loc="outside lower center", ncols=3)
        ax.set_xlabel(xlabel)
        uri = _svg_uri(fig)
    return Chart(key, title, "; ".join(bars.alt), uri, 9, height)


def _median_ref(digits: int, percent: bool) -> Callable[[list[float]], tuple[float, str]]:
    def ref(values: list[float]) -> tuple[float, str]:
        m = median(values)
        shown = f"{m * 100:.1f} %" if percent else f"{m:.{digits}f}"
        return m, f"median {shown}"

    return ref


def arrests_per_force_day(rows: Sequence[Row], details: Details) -> Chart:
    return _hbar(
        "arrests-per-force-day",
        "Arrests per force per day, by operation",
        "arrests per force per day (arrests ÷ forces involved ÷ days)",
        rows,
        [("arrests_per_force_day", "arrests per force per day", BAR)],
        details,
        percent=False,
        empty="No operation yet",
        reference=_median_ref(2, False),
    )


def nrm_referral_rates(rows: Sequence[Row], details: Details) -> Chart:
    return _hbar(
        "nrm-referral-rates",
        "Potential victims referred to the NRM",
        "NRM referral rate (% of potential victims referred to the NRM)",
        rows,
        [("nrm_referral_rate", "NRM referral rate", BAR)],
        details,
        percent=True,
        empty="No operation yet",
        reference=_median_ref(1, True),
    )


def uk_share_of_international(rows: Sequence[Row], details: Details) -> Chart:
    intl = [
        r
        for r in rows
        if r.get("international_arrests") is not None
        or r.get("international_potential_victims") is not None
    ]
    return _hbar(
        "uk-share-of-international",
        "UK share of international actions",
        "UK operation's share of the international action's total (%)",
        intl,
        [
            ("uk_share_of_international_arrests", "arrests", BAR),
            ("uk_share_of_international_victims", "potential victims", BAR_2),
        ],
        details,
        percent=True,
        empty="No operation reports an international total yet",
    )


def charge_rates(rows: Sequence[Row], details: Details) -> Chart:
    """What happened next: the share of each operation's arrests known to have led to a
    charge, for the operations where it is known (a lower bound: every bar is hatched)."""
    known = [r for r in rows if r.get("charge_rate_lower_bound") is not None]
    return _hbar(
        "charge-rates",
        "Arrests known to have led to a charge (lower bound)",
        "% of arrests charged, during the operation or later",
        known,
        [("charge_rate_lower_bound", "charge rate (lower bound)", BAR)],
        details,
        percent=True,
        empty="No operation has a known charge rate yet",
        # More people charged than arrested: follow-ups can count people the week did not
        # arrest, or count the same people twice without saying so.
        over_note="more charged than arrested: read the follow-ups",
    )


def overview_charts(rows: Sequence[Row], details: Details) -> list[Chart]:
    return [
        operations_over_time(rows),
        arrests_per_force_day(rows, details),
        nrm_referral_rates(rows, details),
        uk_share_of_international(rows, details),
        charge_rates(rows, details),
    ]
