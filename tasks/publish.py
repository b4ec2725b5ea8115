"""Prefect artifacts for one run: a table of the operations it added or changed and a
markdown summary of their metrics and of the run (failures listed).

Both stay small whatever the run touched: a backfill changes thousands of operations, and
the artifacts (built in the flow's process, then held by the Prefect API) would grow with
them. They count every operation the run touched (with conflicts, with failed checks) and
show in full only the ``PUBLISH_LIMIT`` most recently published ones, saying so ("showing
50 of 3,080"); only those are read from the warehouse. The failures are listed up to
``FAILURES_LIMIT``, and counted. `optally metrics` and `optally report` show every operation.

The keys are stable, so each run adds a new version of the same two artifacts in
the UI. Markdown built from scraped text is escaped (``md_escape``): the UI renders
markdown, and a title such as ``<script>...`` or ``[x](javascript:...)`` must show
as the literal text it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from config.metrics import DERIVED_METRICS
from db.engine import get_engine
from db.report_queries import (
    Overview,
    ReconciledFigure,
    ReportData,
    load_report_data,
    operations_overview,
)
from tasks.report import DERIVED_LABELS, FIGURE_LABELS, fmt_figure, fmt_metric
from tasks.report_charts import theme_label

TABLE_KEY = "optally-operations"
MARKDOWN_KEY = "optally-run-summary"
PUBLISH_LIMIT = 50  # operations shown in full, the most recently published first
FAILURES_LIMIT = 50  # failures listed; every one is in the run's logs and fetch_failures
WARNINGS_LIMIT = 50  # discovery warnings listed; every one is in the run's logs
# The figures each operation's table in the summary starts with, before its derived metrics.
SUMMARY_FIGURES = (
    "arrests",
    "potential_victims",
    "forces_involved",
    "duration_days",
    "nrm_referrals",
)

# (column, source metric, kind): "f" a figure, "m" a derived metric.
TABLE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("arrests", "arrests", "f"),
    ("potential_victims", "potential_victims", "f"),
    ("forces", "forces_involved", "f"),
    ("days", "duration_days", "f"),
    ("nrm_referrals", "nrm_referrals", "f"),
    ("arrests_per_force", "arrests_per_force", "m"),
    ("arrests_per_force_day", "arrests_per_force_day", "m"),
    ("nrm_referral_rate", "nrm_referral_rate", "m"),
    ("uk_share_of_international_arrests", "uk_share_of_international_arrests", "m"),
)

# What CommonMark/GFM gives a meaning to inside a line: "&", "<" and ">" become entities
# (no HTML tag or autolink can form, and an entity in the source stays literal); code,
# emphasis, links, strikethrough and table pipes are backslash-escaped. Block markers
# ("#", "-", "1.") need nothing: scraped text never starts a line here.
_MD_PUNCT = re.compile(r"([\\`*_\[\]|~])")


def md_escape(value: Any) -> str:
    """Scraped text as literal, single-line markdown (safe in table cells and list items)."""
    text = " ".join(str("" if value is None else value).split())  # no newline ends a cell
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_PUNCT.sub(r"\\\1", text)


def _qualifiers(data: ReportData, op_id: int) -> dict[str, str]:
    q = {f.metric: f.qualifier for f in data.figures.get(op_id, []) if f.scope == "operation"}
    for name, d in data.details.get(op_id, {}).items():
        if d.get("qualifier"):
            q[name] = d["qualifier"]
    return q


def table_rows(data: ReportData) -> list[dict[str, Any]]:
    """One row per operation: names as written, figures and metrics formatted with bound marks."""
    out = []
    for r in data.operations:
        op_id = int(r["id"])
        quals = _qualifiers(data, op_id)
        row: dict[str, Any] = {
            "id": op_id,
            "name": r.get("name") or "",
            "title": r.get("title") or "",
            "lead": r.get("lead_agency") or "",
            "published": r.get("published") or "",
            "sources": int(r.get("sources") or 0),
        }
        for col, metric, kind in TABLE_COLUMNS:
            fmt = fmt_figure if kind == "f" else fmt_metric
            row[col] = fmt(metric, r.get(metric), quals.get(metric))
        row["conflicts"] = ", ".join(f.metric for f in data.figures.get(op_id, []) if f.conflict)
        row["failed_checks"] = ", ".join(c.name for c in data.checks.get(op_id, []) if not c.passed)
        out.append(row)
    return out


def _md_row(*cells: Any) -> str:
    return "| " + " | ".join(md_escape(c) for c in cells) + " |"


def _run_line(s: Mapping[str, Any]) -> str:
    parts = [
        ("discovered", s.get("discovered")),
        ("fetched new or changed", s.get("fetched")),
        ("not modified", s.get("not_modified")),
        ("unchanged", s.get("unchanged")),
        ("extracted", s.get("extracted")),
        ("off-topic", s.get("irrelevant")),
        ("operations touched", s.get("operations_touched")),
        ("failed", s.get("failed", len(s.get("failures") or []))),
        ("discovery failed", s.get("discovery_failed")),  # only when some did
    ]
    return ", ".join(f"{label} {md_escape(v)}" for label, v in parts if v is not None)


def _overview_of(data: ReportData) -> Overview:
    """The overview of a run whose every operation is in ``data``."""
    ids = [int(r["id"]) for r in data.operations]
    return Overview(
        total=len(ids),
        shown=tuple(sorted(ids)),
        conflicts=sum(1 for i in ids if any(f.conflict for f in data.figures.get(i, []))),
        failed_checks=sum(1 for i in ids if any(not c.passed for c in data.checks.get(i, []))),
    )


def _everything(overview: Overview) -> bool:
    return len(overview.shown) >= overview.total


def counts_line(overview: Overview) -> str:
    """Every operation the run touched, in counts, and which of them follow in full."""
    total = overview.total
    line = (
        f"{total:,} operation{'' if total == 1 else 's'}: {overview.conflicts:,} with "
        f"conflicting sources, {overview.failed_checks:,} with a failed quality check. "
    )
    if _everything(overview):
        return line + "All shown below."
    return line + (
        f"Showing the {len(overview.shown):,} most recently published of the {total:,}; "
        "`optally metrics` lists every operation and `optally report` shows them all."
    )


def table_description(overview: Overview) -> str:
    lead = "Operations this run added or changed, with their figures and metrics"
    if _everything(overview):
        return f"{lead}: all {overview.total:,}."
    return (
        f"{lead}: the {len(overview.shown):,} most recently published of {overview.total:,} "
        "(`optally metrics` lists every operation)."
    )


def summary_markdown(
    data: ReportData, run_summary: Mapping[str, Any], overview: Overview | None = None
) -> str:
    """The run, counts of the operations it touched, and each operation of ``data`` (those
    the overview shows) with its metrics, conflicts and failed checks. Without an overview,
    ``data`` holds every operation the run touched."""
    overview = overview or _overview_of(data)
    lines = ["# optally run", "", _run_line(run_summary), "", *_unread_lines(run_summary)]
    lines += [f"## Operations added or changed ({overview.total:,})", ""]
    if not overview.total:
        lines += ["No operation was added or changed.", ""]
    else:
        lines += [counts_line(overview), ""]
    for r in data.operations:
        lines += _operation_lines(data, r)
    lines += _failures_lines(run_summary)
    lines += _discovery_lines(run_summary)
    lines += _warnings_lines(run_summary.get("warnings") or [])
    return "\n".join(lines) + "\n"


def _operation_lines(data: ReportData, r: Mapping[str, Any]) -> list[str]:
    """One operation: heading, what and when, its metrics table, its conflicts and failed
    checks; a blank line after."""
    op_id = int(r["id"])
    heading = r.get("name") or r.get("title") or f"operation {op_id}"
    theme = theme_label(r["theme"]) if r.get("theme") else None
    meta = " · ".join(md_escape(x) for x in (r.get("lead_agency"), theme, r.get("published")) if x)
    lines = [f"### {op_id}. {md_escape(heading)}", ""]
    if r.get("name") and r.get("title"):
        lines += [f"*{md_escape(r['title'])}*", ""]
    lines += [f"{meta} · {int(r.get('sources') or 0)} source page(s)", ""]
    lines += [*_metrics_table(data, r), ""]
    lines += _conflict_lines(data.figures.get(op_id, []))
    lines += [
        f"- **Failed check** {md_escape(c.name)}: {md_escape(c.detail)}"
        for c in data.checks.get(op_id, [])
        if not c.passed
    ]
    if lines[-1] != "":
        lines.append("")
    return lines


def _metrics_table(data: ReportData, r: Mapping[str, Any]) -> list[str]:
    """The headline figures, then every derived metric with the reason when it is empty."""
    op_id = int(r["id"])
    quals = _qualifiers(data, op_id)
    lines = ["| figure or metric | value | note |", "|---|---:|---|"]
    for metric in SUMMARY_FIGURES:
        lines.append(
            _md_row(FIGURE_LABELS[metric], fmt_figure(metric, r.get(metric), quals.get(metric)), "")
        )
    for d in DERIVED_METRICS:
        det = data.details.get(op_id, {}).get(d.name, {})
        lines.append(
            _md_row(
                DERIVED_LABELS.get(d.name, d.name),
                fmt_metric(d.name, r.get(d.name), det.get("qualifier")),
                det.get("reason") or "",
            )
        )
    return lines


def _conflict_lines(figures: Sequence[ReconciledFigure]) -> list[str]:
    """Each figure whose sources disagree: what each said, and the value reconciled."""
    lines = []
    for f in figures:
        if not f.conflict:
            continue
        claims = "; ".join(
            f"{md_escape(fmt_figure(f.metric, c.value, c.qualifier))} "
            f"({md_escape(c.publisher or c.url)})"
            for c in f.sources
        )
        lines.append(
            f"- **Conflict** on {md_escape(f.scope)} {md_escape(f.metric)}: "
            f"{claims}; reconciled {md_escape(fmt_figure(f.metric, f.value, f.qualifier))}"
        )
    return lines


def _failures_lines(run_summary: Mapping[str, Any]) -> list[str]:
    """The pages that could not be fetched: always a section, "None." when there are none."""
    failures = run_summary.get("failures") or []
    total = int(run_summary.get("failed", len(failures)) or 0)
    lines = [f"## Failures ({total:,})", ""]
    if not failures:
        lines.append("None.")
    elif total > FAILURES_LIMIT:
        lines += [
            f"The first {FAILURES_LIMIT} of {total:,}; the run's logs have every failed URL "
            "with its reason, and the warehouse keeps them in `fetch_failures`.",
            "",
        ]
    return lines + [
        f"- {md_escape(f.get('url'))}: {md_escape(f.get('reason'))} "
        f"(status {md_escape(f.get('status'))}, {md_escape(f.get('attempts'))} attempt(s))"
        for f in failures[:FAILURES_LIMIT]
    ]


def _unread_lines(run_summary: Mapping[str, Any]) -> list[str]:
    """The sources of which nothing could be read (every one: the run failed)."""
    unread = run_summary.get("unread_sources") or []
    if not unread:
        return []
    sources = int(run_summary.get("sources", len(unread)))
    lead = "No source could be read" if len(unread) >= sources else "Sources not read"
    names = ", ".join(md_escape(name) for name in unread)
    return [f"**{lead}** ({len(unread):,} of {sources:,}): {names}", ""]


def _discovery_lines(run_summary: Mapping[str, Any]) -> list[str]:
    """The listings, feeds and sitemaps that could not be read, and the sources of which
    nothing could: a section only when there are some."""
    failures = run_summary.get("discovery_failures") or []
    if not failures:
        return []
    total = int(run_summary.get("discovery_failed", len(failures)))
    lines = ["", f"## Discovery failures ({total:,})", ""]
    if total > FAILURES_LIMIT:
        lines += [f"The first {FAILURES_LIMIT} of {total:,}; the run's logs have all.", ""]
    return lines + [
        f"- {md_escape(f.get('source'))}: {md_escape(f.get('url'))}: {md_escape(f.get('reason'))} "
        f"({_status(f.get('status'))}{md_escape(f.get('attempts'))} attempt(s))"
        for f in failures[:FAILURES_LIMIT]
    ]


def _status(status: Any) -> str:
    """The HTTP status, when there was an answer at all."""
    return "" if status is None else f"status {md_escape(status)}, "


def _warnings_lines(warnings: Sequence[str]) -> list[str]:
    """Discovery's warnings (an empty feed, a sitemap loop, dropped URLs, the per-source
    bound): a section only when there are some, so a clean run's summary is unchanged."""
    if not warnings:
        return []
    lines = ["", f"## Discovery warnings ({len(warnings):,})", ""]
    if len(warnings) > WARNINGS_LIMIT:
        lines += [f"The first {WARNINGS_LIMIT} of {len(warnings):,}; the run's logs have all.", ""]
    return lines + [f"- {md_escape(w)}" for w in warnings[:WARNINGS_LIMIT]]


def publish_artifacts(
    op_ids: Sequence[int],
    db_url: str | None,
    run_summary: dict[str, Any],
    limit: int = PUBLISH_LIMIT,
) -> None:
    """Create the run's table and markdown artifacts (call from inside a flow or task run).

    Every operation of ``op_ids`` is counted; the report data of the ``limit`` most recently
    published ones only is read and shown, so time and memory stay bounded on a backfill."""
    engine = get_engine(db_url)
    overview = operations_overview(engine, op_ids, limit)
    data = load_report_data(engine, overview.shown)
    create_table_artifact(
        table=table_rows(data),
        key=TABLE_KEY,
        description=table_description(overview),
    )
    create_markdown_artifact(
        markdown=summary_markdown(data, run_summary, overview),
        key=MARKDOWN_KEY,
        description="optally run summary",
    )
