"""The HTML report: pure rendering, ``ReportData`` in, one self-contained HTML string out.

This module gathers what the page shows (``OperationView``, ``Tile``); the Jinja2
templates in ``tasks/templates/`` (``report.html.j2`` and its partials) lay it out.
Autoescaping is on and every ``{{ value }}`` goes through ``esc`` (text and
attributes); the ``link`` macro only ever puts an http(s) URL (``safe_url``) in an
``href``. Charts are SVG data URIs from ``tasks.report_charts``; the CSS is inline;
there is no script at all, and a Content-Security-Policy meta tag makes sure none
could run.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup

from config.metrics import DERIVED_METRICS, FOLLOWUP_METRICS
from db.report_queries import (
    BreakdownRow,
    CheckRow,
    Claim,
    ReconciledFigure,
    ReportData,
    SourceRow,
)
from tasks.compare import (
    COMPARED_METRICS,
    MedianComparison,
    NrmContext,
    against_theme_median,
    nrm_context,
    theme_years,
)
from tasks.report_charts import BOUND_MARK, overview_charts, theme_label
from tasks.report_followups import TimelineEntry, timeline, unlinked_pages

# Shown in the report's "Method notes"; docs/METRICS.md carries the same sentences
# (a test keeps the two in step).
METHOD_NOTES: tuple[tuple[str, str], ...] = (
    (
        "Claims and reconciled figures",
        "Every number is a claim made by a source page, kept with its evidence sentence. "
        "When several pages report the same figure of one operation, the reconciled value "
        "comes from an official source before news, an exact figure before a bound, then "
        "the most recently published page. A conflict means the current sources give "
        "different values; every source's claim is listed.",
    ),
    (
        "Bounds",
        "A figure reported as a bound (more than, at least, up to) or as approximate (around, "
        "almost) makes the metrics computed from it bounds or approximate too: ≥ means at "
        "least, ≤ at most, ~ approximately. Dividing by a lower bound gives an upper bound; "
        "bounds pulling in opposite directions give ~.",
    ),
    (
        "Missing values",
        "A derived metric is empty, with a reason, when an input was not reported or a "
        "denominator is 0. Nothing is estimated or filled in.",
    ),
    (
        "Quality checks",
        "Arithmetic checks (children plus adults within potential victims, the arrest "
        "breakdown within arrests, UK figures within the international total, NRM referrals "
        "within potential victims, a duration of 1 to 60 days) are recorded and shown, never "
        "fatal: a failed check points at a figure worth reading again at its source.",
    ),
    (
        "Reading a card",
        "Each operation card lists every reconciled figure with what each source said and a "
        "link to the page, then the derived metrics with their formula and, when empty or a "
        "bound, the reason. An amber edge marks sources that conflict, a red edge a failed "
        "check.",
    ),
    (
        "What happened next",
        "A follow-up page reports charges, convictions or sentences after an operation; it "
        "is linked to the operation it names or whose week of action it describes, and its "
        "numbers never change the operation's own figures. Each card's timeline lists the "
        "operation and its linked follow-ups in date order. Not every outcome is published "
        "or found, so counts and the charge rate are lower bounds; a follow-up no operation "
        "matches is listed as unlinked.",
    ),
    (
        "Comparisons",
        "Theme medians include the operation itself and need at least 2 operations with the "
        "metric; a ratio of 1.0 is typical for the theme. Values are taken as reported, "
        "bounds at their stated value.",
    ),
)

FIGURE_LABELS: dict[str, str] = {
    "arrests": "arrests",
    "potential_victims": "potential victims",
    "victims_children": "victims: children",
    "victims_adults": "victims: adults",
    "forces_involved": "forces involved",
    "duration_days": "duration (days)",
    "new_investigations": "new investigations",
    "nrm_referrals": "NRM referrals",
    "charged": "charged",
    "warrants_executed": "warrants executed",
    "premises_visited": "premises visited",
    "countries_involved": "countries involved",
    "cash_seized_gbp": "cash seized (£)",
    "weapons_seized": "weapons seized",
}
QUALIFIER_WORDS: dict[str, str] = {
    "exact": "exact",
    "more_than": "more than",
    "at_least": "at least",
    "approx": "approximately",
    "up_to": "up to",
}
DERIVED_LABELS: dict[str, str] = {
    "arrests_per_force": "arrests per force",
    "arrests_per_force_day": "arrests per force per day",
    "victims_per_force": "potential victims per force",
    "nrm_referral_rate": "NRM referral rate",
    "unreferred_victims": "victims not referred to the NRM",
    "child_share": "children among potential victims",
    "arrests_per_victim": "arrests per potential victim",
    "investigations_per_force": "new investigations per force",
    "uk_share_of_international_arrests": "UK share of international arrests",
    "uk_share_of_international_victims": "UK share of international victims",
    "arrests_outside_breakdown": "arrests outside the offence breakdown",
    "followups": "linked follow-up pages",
    "charged_later": "charged later",
    "convicted_later": "convicted later",
    "charge_rate_lower_bound": "charge rate (lower bound)",
    "days_to_first_charge": "days to the first charge",
}
_DEFS = {d.name: d for d in (*DERIVED_METRICS, *FOLLOWUP_METRICS)}


def esc(value: Any) -> str:
    """Text or attribute-safe HTML for any value (quotes escaped too): what every
    ``{{ value }}`` of the report templates prints."""
    return html.escape("" if value is None else str(value), quote=True)


def safe_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) URL, else None (javascript:, data:, relative...)."""
    if not url:
        return None
    url = url.strip()
    if any(ord(ch) < 0x20 or ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def host_of(url: str | None) -> str:
    try:
        host = urlsplit(url or "").hostname or ""
    except ValueError:
        host = ""
    return host.removeprefix("www.") or (url or "unknown source")


def fmt_figure(metric: str, value: float | None, qualifier: str | None = None) -> str:
    if value is None:
        return "—"
    mark = BOUND_MARK.get(qualifier or "exact", "")
    v = float(value)
    if metric == "cash_seized_gbp":
        return f"{mark}£{v:,.0f}"
    return f"{mark}{int(v):,}" if v.is_integer() else f"{mark}{v:,.2f}"


def fmt_metric(metric: str, value: float | None, qualifier: str | None = None) -> str:
    """A derived metric for people: fractions as percentages, counts whole, ratios to 2 places."""
    if value is None:
        return "—"
    mark = BOUND_MARK.get(qualifier or "exact", "")
    d = _DEFS.get(metric)
    v = float(value)
    if d is not None and d.unit == "fraction":
        return f"{mark}{v * 100:.1f} %"
    if d is not None and d.digits == 0:
        return f"{mark}{int(v):,}"
    return f"{mark}{v:.2f}"


def fmt_change(change: float | None) -> str:
    """A change from the previous year, signed: +3, -2, +0.50."""
    if change is None:
        return "—"
    return f"{change:+,.0f}" if float(change).is_integer() else f"{change:+,.2f}"


# --------------------------------------------------------------------------- what the page shows


@dataclass(frozen=True, slots=True)
class Tile:
    """One headline number of the overview."""

    label: str
    value: str
    note: str = ""
    tone: str = ""  # "warn" or "bad" colours the tile


@dataclass(frozen=True, slots=True)
class OperationView:
    """One operation as its row in the index and its card show it."""

    row: Mapping[str, Any]  # db.queries.metrics_rows shape
    figures: Sequence[ReconciledFigure]
    other_figures: Sequence[Claim]
    checks: Sequence[CheckRow]
    sources: Sequence[SourceRow]
    breakdown: Sequence[BreakdownRow]
    details: Mapping[str, Mapping[str, Any]]
    comparisons: Mapping[str, MedianComparison]
    nrm_share: str  # follows "Share of the quarter's NRM referrals: "
    timeline: Sequence[TimelineEntry] = ()  # empty: no follow-up is linked

    @property
    def id(self) -> int:
        return int(self.row["id"])

    @property
    def heading(self) -> str:
        return _op_heading(self.row)

    @property
    def subtitle(self) -> str | None:
        """The page title, when the heading is the operation's name and not that title."""
        title = self.row.get("title")
        return title if title and title != self.heading else None

    @property
    def meta(self) -> list[str]:
        row = self.row
        dates = " to ".join(str(x) for x in (row.get("start_date"), row.get("end_date")) if x)
        pages = int(row.get("sources") or 0)
        return [
            row.get("lead_agency") or "lead agency unknown",
            theme_label(row.get("theme")),
            dates or f"published {row.get('published') or 'undated'}",
            f"{pages} source page{_plural(pages)}",
        ]

    @property
    def conflicts(self) -> list[ReconciledFigure]:
        return [f for f in self.figures if f.conflict]

    @property
    def failed(self) -> list[CheckRow]:
        return [c for c in self.checks if not c.passed]

    def figure_qualifier(self, metric: str) -> str | None:
        """The qualifier of the operation-scope reconciled figure (the row has its value)."""
        for f in self.figures:
            if f.metric == metric and f.scope == "operation":
                return f.qualifier
        return None

    def metric_qualifier(self, metric: str) -> str | None:
        return self.details.get(metric, {}).get("qualifier")


def _plural(n: int) -> str:
    return "" if n == 1 else "s"


def _op_heading(row: Mapping[str, Any]) -> str:
    return str(row.get("name") or row.get("title") or f"Operation {row['id']}")


def _by_recency(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Most recent first (start date, else publication date); undated operations last."""

    def key(r: Mapping[str, Any]) -> tuple[bool, str, int]:
        d = str(r.get("start_date") or r.get("published") or "")
        return (bool(d), d, int(r["id"]))

    return sorted(rows, key=key, reverse=True)


def _nrm_share(ctx: NrmContext) -> str:
    if ctx.share is not None and ctx.period and ctx.quarter_total:
        return (
            f"{ctx.share * 100:.2f} % of the {ctx.quarter_total:,} NRM referrals in "
            f"{ctx.period[0]} Q{ctx.period[1]}"
        )
    return f"— {ctx.reason or ''}"


def _operations(data: ReportData, nrm_totals: Mapping[tuple[int, int], int]) -> list[OperationView]:
    """Every operation, most recent first, with what its card shows."""
    comparisons: dict[int, dict[str, MedianComparison]] = {}
    for c in against_theme_median(data.operations, COMPARED_METRICS):
        comparisons.setdefault(c.operation_id, {})[c.metric] = c
    views = []
    for row in _by_recency(data.operations):
        op_id = int(row["id"])
        views.append(
            OperationView(
                row=row,
                figures=data.figures.get(op_id, []),
                other_figures=data.other_figures.get(op_id, []),
                checks=data.checks.get(op_id, []),
                sources=data.sources.get(op_id, []),
                breakdown=data.breakdowns.get(op_id, []),
                details=data.details.get(op_id, {}),
                comparisons=comparisons.get(op_id, {}),
                nrm_share=_nrm_share(nrm_context(row, nrm_totals)),
                timeline=timeline(
                    row,
                    data.followups.get(op_id, []),
                    {
                        f.metric: f.qualifier
                        for f in data.figures.get(op_id, [])
                        if f.scope == "operation"
                    },
                ),
            )
        )
    return views


def _tiles(rows: Sequence[Mapping[str, Any]], operations: Sequence[OperationView]) -> list[Tile]:
    arrests = sum(float(r["arrests"]) for r in rows if r.get("arrests") is not None)
    victims = sum(
        float(r["potential_victims"]) for r in rows if r.get("potential_victims") is not None
    )
    conflicts = sum(1 for op in operations if op.conflicts)
    failed = sum(1 for op in operations if op.failed)
    sums = "sum of reconciled operation figures"
    return [
        Tile("operations", f"{len(rows):,}"),
        Tile("source pages", f"{sum(int(r.get('sources') or 0) for r in rows):,}"),
        Tile("arrests reported", f"{int(arrests):,}", sums),
        Tile("potential victims", f"{int(victims):,}", sums),
        Tile("with conflicting sources", f"{conflicts:,}", tone="warn" if conflicts else ""),
        Tile("with a failed check", f"{failed:,}", tone="bad" if failed else ""),
    ]


# --------------------------------------------------------------------------- templates

# In the .html.j2 templates a line break and the indentation after it are layout for whoever
# reads the template: dropping them keeps the page the bytes it was when strings built it,
# and no stray space between inline elements. The stylesheet (report.css) keeps its own.
_LAYOUT_BREAK = re.compile(r"\n[ \t]*")


class _DropLayoutBreaks(Extension):
    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        layout = (stream.name or "").endswith(".html.j2")
        for token in stream:
            if layout and token.type == "data":
                token = Token(token.lineno, "data", _LAYOUT_BREAK.sub("", token.value))
            yield token


def _escaped(value: Any) -> Markup:
    # Every {{ value }} goes through esc: autoescaping alone would also escape, but spell a
    # quote &#34; where esc (and so the report, and its tests) spells it &quot;, and print
    # None as "None". A macro's output is Markup already, escaped when it was made.
    return value if isinstance(value, Markup) else Markup(esc(value))


# A claim the extractor rates under this (tasks/figures/confidence.py) is marked "low
# confidence" on its card: it was reported, but a reader should check its sentence.
LOW_CONFIDENCE = 0.5

_ENV = Environment(
    loader=PackageLoader("tasks", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    lstrip_blocks=True,
    finalize=_escaped,
    extensions=[_DropLayoutBreaks],
)
_ENV.filters["plural"] = _plural
_ENV.globals.update(
    LOW_CONFIDENCE=LOW_CONFIDENCE,
    DERIVED_LABELS=DERIVED_LABELS,
    DERIVED_METRICS=DERIVED_METRICS,
    FOLLOWUP_METRICS=FOLLOWUP_METRICS,
    FIGURE_LABELS=FIGURE_LABELS,
    QUALIFIER_WORDS=QUALIFIER_WORDS,
    fmt_change=fmt_change,
    fmt_figure=fmt_figure,
    fmt_metric=fmt_metric,
    host_of=host_of,
    safe_url=safe_url,
    theme_label=theme_label,
)


def render_report(
    data: ReportData,
    *,
    generated_at: str | None = None,
    nrm_quarter_totals: Mapping[tuple[int, int], int] | None = None,
    title: str = "optally — weeks of action, held to account",
) -> str:
    """The whole report as one HTML document (no external resource, no script)."""
    rows = data.operations
    operations = _operations(data, nrm_quarter_totals or {})
    sources = sum(int(r.get("sources") or 0) for r in rows)
    lede = f"{len(rows):,} operation{_plural(len(rows))} from {sources:,} source pages"
    if generated_at:
        lede += f" · generated {generated_at}"
    return _ENV.get_template("report.html.j2").render(
        title=title,
        lede=lede,
        tiles=_tiles(rows, operations),
        charts=overview_charts(rows, data.details),
        theme_years=theme_years(rows),
        operations=operations,
        linked_followups=sum(len(v) for v in data.followups.values()),
        unlinked=unlinked_pages(data.unlinked_followups),
        method_notes=METHOD_NOTES,
    )


def write_report(html_text: str, path: str | Path) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html_text, encoding="utf-8")
    return out
