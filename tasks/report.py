"""The HTML report: pure rendering, ``ReportData`` in, one self-contained HTML string out.

No template engine: small functions build the markup and every value that came
from a scraped page goes through ``esc`` (text and attributes) or ``link``
(which only ever puts an http(s) URL in an ``href``). Charts are SVG data URIs
from ``tasks.report_charts``; the CSS is inline; there is no script at all, and
a Content-Security-Policy meta tag makes sure none could run.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from config.metrics import DERIVED_METRICS
from db.report_queries import Claim, ReconciledFigure, ReportData
from tasks.compare import (
    COMPARED_METRICS,
    MedianComparison,
    against_theme_median,
    nrm_context,
    theme_years,
)
from tasks.report_charts import BOUND_MARK, Chart, overview_charts, theme_label

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
}
_DEFS = {d.name: d for d in DERIVED_METRICS}


def esc(value: Any) -> str:
    """Text or attribute-safe HTML for any value (quotes escaped too)."""
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


def link(url: str | None, text: str) -> str:
    safe = safe_url(url)
    if safe is None:
        return f'<span class="nolink">{esc(text)}</span>'
    return f'<a href="{esc(safe)}" rel="noopener noreferrer nofollow">{esc(text)}</a>'


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


# --------------------------------------------------------------------------- pieces


def _tiles(data: ReportData) -> str:
    rows = data.operations
    arrests = sum(float(r["arrests"]) for r in rows if r.get("arrests") is not None)
    victims = sum(
        float(r["potential_victims"]) for r in rows if r.get("potential_victims") is not None
    )
    conflicts = sum(1 for r in rows if any(f.conflict for f in data.figures.get(r["id"], [])))
    failed = sum(1 for r in rows if any(not c.passed for c in data.checks.get(r["id"], [])))
    sums = "sum of reconciled operation figures"
    tiles = [  # (label, value, note, style)
        ("operations", f"{len(rows):,}", "", ""),
        ("source pages", f"{sum(int(r.get('sources') or 0) for r in rows):,}", "", ""),
        ("arrests reported", f"{int(arrests):,}", sums, ""),
        ("potential victims", f"{int(victims):,}", sums, ""),
        ("with conflicting sources", f"{conflicts:,}", "", " tile-warn" if conflicts else ""),
        ("with a failed check", f"{failed:,}", "", " tile-bad" if failed else ""),
    ]
    out = []
    for label, value, note, style in tiles:
        note_html = f'<span class="tile-note">{esc(note)}</span>' if note else ""
        out.append(
            f'<div class="tile{style}"><span class="tile-value">{esc(value)}</span>'
            f'<span class="tile-label">{esc(label)}</span>{note_html}</div>'
        )
    return '<div class="tiles">' + "".join(out) + "</div>"


def _chart(chart: Chart) -> str:
    # width/height attributes reserve the space before the image decodes; CSS scales it.
    w, h = round(chart.width_in * 96), round(chart.height_in * 96)
    return (
        f'<figure class="chart" id="chart-{esc(chart.key)}">'
        f'<img src="{esc(chart.data_uri)}" alt="{esc(chart.alt)}" width="{w}" height="{h}">'
        f"<figcaption>{esc(chart.title)}. Hatched bars and ≥ ≤ ~ marks are bounds; "
        f"“n/a” says which input is missing.</figcaption></figure>"
    )


def _year_table(data: ReportData) -> str:
    years = theme_years(data.operations)
    if not years:
        return '<p class="muted">No operation yet.</p>'

    def n(v: float | None, count: int) -> str:
        if v is None:
            return '<span class="muted">—</span>'
        return f'{esc(fmt_figure("arrests", v))} <span class="n">n={count}</span>'

    def med(metric: str, v: float | None, count: int) -> str:
        if v is None:
            return '<span class="muted">—</span>'
        return f'{esc(fmt_metric(metric, v))} <span class="n">n={count}</span>'

    body = []
    for ty in years:
        c = ty.arrests_change
        change = "—" if c is None else (f"{c:+,.0f}" if float(c).is_integer() else f"{c:+,.2f}")
        body.append(
            "<tr>"
            f"<td>{esc(theme_label(ty.theme))}</td>"
            f'<td class="num">{esc(ty.year if ty.year is not None else "undated")}</td>'
            f'<td class="num">{ty.operations}</td>'
            f'<td class="num">{n(ty.arrests, ty.arrests_n)}</td>'
            f'<td class="num">{esc(change)}</td>'
            f'<td class="num">{n(ty.potential_victims, ty.potential_victims_n)}</td>'
            f'<td class="num">{med("arrests_per_force", ty.median_arrests_per_force, ty.median_arrests_per_force_n)}</td>'
            f'<td class="num">{med("arrests_per_force_day", ty.median_arrests_per_force_day, ty.median_arrests_per_force_day_n)}</td>'
            f'<td class="num">{med("nrm_referral_rate", ty.median_nrm_referral_rate, ty.median_nrm_referral_rate_n)}</td>'
            "</tr>"
        )
    return (
        '<div class="scroll"><table class="data">'
        "<thead><tr><th>theme</th><th>year</th><th>operations</th><th>arrests</th>"
        "<th>arrests vs previous year</th><th>potential victims</th>"
        "<th>median arrests per force</th><th>median arrests per force per day</th>"
        "<th>median NRM referral rate</th></tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></div>"
        '<p class="muted small">Totals add the operations that report the figure (n); '
        "medians are over the operations that have the metric.</p>"
    )


def _op_heading(row: Mapping[str, Any]) -> str:
    return str(row.get("name") or row.get("title") or f"Operation {row['id']}")


def _flags(data: ReportData, op_id: int) -> str:
    conflicts = [f for f in data.figures.get(op_id, []) if f.conflict]
    failed = [c for c in data.checks.get(op_id, []) if not c.passed]
    out = []
    if conflicts:
        names = ", ".join(FIGURE_LABELS.get(f.metric, f.metric) for f in conflicts)
        out.append(f'<span class="badge badge-warn">sources conflict: {esc(names)}</span>')
    if failed:
        out.append(
            f'<span class="badge badge-bad">{len(failed)} failed check{"s" if len(failed) > 1 else ""}</span>'
        )
    return "".join(out)


def _index(data: ReportData) -> str:
    rows = _by_recency(data.operations)
    body = []
    for r in rows:
        d = data.details.get(r["id"], {})
        apfd = d.get("arrests_per_force_day", {})
        rate = d.get("nrm_referral_rate", {})
        body.append(
            "<tr>"
            f'<td class="num">{esc(r.get("start_date") or r.get("published") or "—")}</td>'
            f'<td><a href="#op-{int(r["id"])}">{esc(_op_heading(r))}</a></td>'
            f"<td>{esc(r.get('lead_agency') or '—')}</td>"
            f"<td>{esc(theme_label(r.get('theme')))}</td>"
            f'<td class="num">{esc(fmt_figure("arrests", r.get("arrests"), _fig_q(data, r["id"], "arrests")))}</td>'
            f'<td class="num">{esc(fmt_metric("arrests_per_force_day", r.get("arrests_per_force_day"), apfd.get("qualifier")))}</td>'
            f'<td class="num">{esc(fmt_metric("nrm_referral_rate", r.get("nrm_referral_rate"), rate.get("qualifier")))}</td>'
            f"<td>{_flags(data, r['id'])}</td>"
            "</tr>"
        )
    return (
        '<div class="scroll"><table class="data index">'
        "<thead><tr><th>date</th><th>operation</th><th>lead</th><th>theme</th><th>arrests</th>"
        "<th>arrests per force per day</th><th>NRM referral rate</th><th>flags</th></tr></thead>"
        "<tbody>" + "".join(body) + "</tbody></table></div>"
    )


def _fig_q(data: ReportData, op_id: int, metric: str, scope: str = "operation") -> str | None:
    for f in data.figures.get(op_id, []):
        if f.metric == metric and f.scope == scope:
            return f.qualifier
    return None


def _by_recency(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Most recent first (start date, else publication date); undated operations last."""

    def key(r: Mapping[str, Any]) -> tuple[bool, str, int]:
        d = str(r.get("start_date") or r.get("published") or "")
        return (bool(d), d, int(r["id"]))

    return sorted(rows, key=key, reverse=True)


def _claim(c: Claim, chosen: bool, metric: str) -> str:
    kind = "official" if c.official else "news"
    who = c.publisher or host_of(c.url)
    when = f" · {esc(c.published)}" if c.published else ""
    subject = f" ({esc(c.subject)})" if c.subject else ""
    used = '<span class="tag tag-used">used</span>' if chosen else ""
    return (
        f'<li class="{"chosen" if chosen else "other"}">'
        f'<span class="claim-value">{esc(fmt_figure(metric, c.value, c.qualifier))}</span>'
        f'<span class="claim-q">{esc(QUALIFIER_WORDS.get(c.qualifier, c.qualifier))}</span>{subject} '
        f"{link(c.url, who)}{when} "
        f'<span class="tag tag-{kind}">{kind}</span>{used}'
        f'<blockquote class="evidence">{esc(c.evidence)}</blockquote></li>'
    )


def _figures_table(figs: Sequence[ReconciledFigure]) -> str:
    if not figs:
        return '<p class="muted">No operation or international figure was extracted.</p>'
    body = []
    for f in figs:
        label = FIGURE_LABELS.get(f.metric, f.metric)
        scope = "international total" if f.scope == "international" else "operation"
        claims = "".join(_claim(c, c.figure_id == f.figure_id, f.metric) for c in f.sources)
        conflict = (
            f'<p class="conflict-note">Sources disagree: {f.claims} claims, '
            f"{len({c.value for c in f.sources})} different values.</p>"
            if f.conflict
            else ""
        )
        body.append(
            f'<tr class="{"conflict" if f.conflict else ""}">'
            f'<th scope="row">{esc(label)}<span class="scope">{esc(scope)}</span></th>'
            f'<td class="num big">{esc(fmt_figure(f.metric, f.value, f.qualifier))}'
            f'<span class="qual">{esc(QUALIFIER_WORDS.get(f.qualifier, f.qualifier))}</span></td>'
            f'<td>{conflict}<ul class="claims">{claims}</ul></td>'
            "</tr>"
        )
    return (
        '<table class="figures"><thead><tr><th>figure</th><th>reconciled value</th>'
        "<th>what each source said</th></tr></thead><tbody>" + "".join(body) + "</tbody></table>"
    )


def _derived_table(
    details: Mapping[str, Mapping[str, Any]], comparisons: Mapping[str, MedianComparison]
) -> str:
    body = []
    for d in DERIVED_METRICS:
        det = details.get(d.name, {})
        value, q, reason = det.get("value"), det.get("qualifier"), det.get("reason")
        cls = "null" if value is None else ("bound" if q not in (None, "exact") else "")
        note = esc(reason) if reason else ""
        comp = comparisons.get(d.name)
        if comp is not None:
            if comp.ratio is not None:
                note += (
                    (" · " if note else "")
                    + f"{comp.ratio:.2f}× the theme median ({esc(fmt_metric(d.name, comp.median))}, "
                    f"n={comp.n})"
                )
            elif comp.reason and value is not None:
                note += (
                    " · " if note else ""
                ) + f'<span class="muted">no theme comparison: {esc(comp.reason)}</span>'
        body.append(
            f'<tr class="{cls}">'
            f'<th scope="row" title="{esc(d.description)}">'
            f"{esc(DERIVED_LABELS.get(d.name, d.name))}"
            f'<span class="scope">{esc(d.name)} · {esc(d.unit)}</span></th>'
            f'<td class="num">{esc(fmt_metric(d.name, value, q))}</td>'
            f'<td class="formula"><code>{esc(d.formula)}</code></td>'
            f'<td class="note">{note}</td></tr>'
        )
    return (
        '<table class="derived"><thead><tr><th>metric</th><th>value</th><th>formula</th>'
        "<th>note</th></tr></thead><tbody>" + "".join(body) + "</tbody></table>"
    )


def _checks(data: ReportData, op_id: int) -> str:
    checks = data.checks.get(op_id, [])
    if not checks:
        return '<p class="muted">No check applies: the inputs they compare were not reported.</p>'
    failed = [c for c in checks if not c.passed]
    passed = [c for c in checks if c.passed]
    out = ""
    if failed:
        out += '<ul class="checks-failed">' + "".join(
            f'<li><strong>✗ {esc(c.name)}</strong> {esc(c.detail)}</li>' for c in failed
        ) + "</ul>"  # fmt: skip
    if passed:
        out += (
            f'<details class="checks-passed"><summary>✓ {len(passed)} check'
            f"{'s' if len(passed) > 1 else ''} passed</summary><ul>"
            + "".join(f"<li>{esc(c.name)}: {esc(c.detail)}</li>" for c in passed)
            + "</ul></details>"
        )
    return out


def _sources(data: ReportData, op_id: int) -> str:
    items = []
    for s in data.sources.get(op_id, []):
        kind = "official" if s.official else "news"
        items.append(
            f"<li>{link(s.url, s.title or s.url)} "
            f'<span class="muted">{esc(s.publisher or host_of(s.url))}'
            f"{' · ' + esc(s.published) if s.published else ''}</span> "
            f'<span class="tag tag-{kind}">{kind}</span></li>'
        )
    if not items:
        return '<p class="muted">No current source page.</p>'
    return '<ol class="sources">' + "".join(items) + "</ol>"


def _others(data: ReportData, op_id: int) -> str:
    others = data.other_figures.get(op_id, [])
    breakdown = data.breakdowns.get(op_id, [])
    out = ""
    if breakdown:
        out += (
            '<p class="small">Arrest breakdown (from '
            f"{link(breakdown[0].url, host_of(breakdown[0].url))}): "
            + "; ".join(f"{esc(b.offence)}: {b.count:,}" for b in breakdown)
            + "</p>"
        )
    if others:
        out += (
            "<details><summary>Force-level and context figures on these pages "
            f"({len(others)}, never added to the headline)</summary><ul class='claims'>"
            + "".join(
                f"<li><span class='tag'>{esc(c.scope)}</span> "
                f"{esc(FIGURE_LABELS.get(c.metric, c.metric))}"
                f"{' — ' + esc(c.subject) if c.subject else ''}: "
                f"{esc(fmt_figure(c.metric, c.value, c.qualifier))} {link(c.url, host_of(c.url))}"
                f"<blockquote class='evidence'>{esc(c.evidence)}</blockquote></li>"
                for c in others
            )
            + "</ul></details>"
        )
    return out


def _card(
    data: ReportData,
    row: Mapping[str, Any],
    comparisons: Mapping[str, MedianComparison],
    nrm_totals: Mapping[tuple[int, int], int],
) -> str:
    op_id = int(row["id"])
    figs = data.figures.get(op_id, [])
    failed = any(not c.passed for c in data.checks.get(op_id, []))
    classes = ["card"]
    if any(f.conflict for f in figs):
        classes.append("has-conflict")
    if failed:
        classes.append("has-failed")
    dates = " to ".join(esc(x) for x in (row.get("start_date"), row.get("end_date")) if x)
    meta = [
        esc(row.get("lead_agency") or "lead agency unknown"),
        esc(theme_label(row.get("theme"))),
        dates or f"published {esc(row.get('published') or 'undated')}",
        f"{int(row.get('sources') or 0)} source page{'s' if int(row.get('sources') or 0) != 1 else ''}",
    ]
    subtitle = (
        f'<p class="subtitle">{esc(row.get("title"))}</p>'
        if row.get("title") and row.get("title") != _op_heading(row)
        else ""
    )
    ctx = nrm_context(row, nrm_totals)
    ctx_text = (
        f"{ctx.share * 100:.2f} % of the {ctx.quarter_total:,} NRM referrals in "
        f"{ctx.period[0]} Q{ctx.period[1]}"
        if ctx.share is not None and ctx.period and ctx.quarter_total
        else f"— {esc(ctx.reason)}"
    )
    return (
        f'<article class="{" ".join(classes)}" id="op-{op_id}">'
        f'<header><p class="op-id">operation #{op_id}</p><h3>{esc(_op_heading(row))}</h3>{subtitle}'
        f'<p class="meta">{" · ".join(meta)}</p><p class="flags">{_flags(data, op_id)}</p></header>'
        f"<h4>Figures</h4>{_figures_table(figs)}{_others(data, op_id)}"
        f"<h4>Derived metrics</h4>{_derived_table(data.details.get(op_id, {}), comparisons)}"
        f'<p class="small">Share of the quarter\'s NRM referrals: {ctx_text}</p>'
        f"<h4>Quality checks</h4>{_checks(data, op_id)}"
        f"<h4>Sources</h4>{_sources(data, op_id)}"
        "</article>"
    )


def _method() -> str:
    return (
        "<dl class='method'>"
        + "".join(f"<dt>{esc(title)}</dt><dd>{esc(text)}</dd>" for title, text in METHOD_NOTES)
        + "</dl><p class='small muted'>Each metric's formula, inputs and unit: docs/METRICS.md.</p>"
    )


CSS = """
:root{--ink:#1d2330;--muted:#5f6675;--line:#dde1e8;--bg:#f5f6f8;--card:#fff;--accent:#0b5cab;
--warn:#9a5b00;--warn-bg:#fff4dc;--bad:#a4161a;--bad-bg:#fde8e8;--ok:#1b7a3a}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--ink);background:var(--bg)}
header.top{background:#14213d;color:#fff;padding:28px 32px 18px}
header.top h1{margin:0 0 4px;font-size:26px;letter-spacing:-.01em}
header.top p{margin:0;color:#c9d3e6}
header.top nav{margin-top:14px;display:flex;gap:18px;flex-wrap:wrap}
header.top nav a{color:#fff;text-decoration:none;border-bottom:2px solid #fca311;padding-bottom:2px}
main{max-width:1120px;margin:0 auto;padding:8px 24px 48px}
h2{font-size:21px;margin:34px 0 12px;padding-bottom:6px;border-bottom:2px solid var(--line)}
h3{margin:0;font-size:19px;overflow-wrap:anywhere}
h4{margin:20px 0 8px;font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
a{color:var(--accent);overflow-wrap:anywhere}
code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f0f2f5;
padding:1px 4px;border-radius:3px}
.muted{color:var(--muted)}.small{font-size:13px}.n{color:var(--muted);font-size:12px}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px;margin:18px 0}
.tile{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;
display:flex;flex-direction:column}
.tile-value{font-size:28px;font-weight:700;line-height:1.1}
.tile-label{color:var(--muted);font-size:13px}.tile-note{color:var(--muted);font-size:11px}
.tile-warn{border-color:#e9b949;background:var(--warn-bg)}.tile-bad{border-color:#e5989b;background:var(--bad-bg)}
.charts{display:grid;grid-template-columns:1fr;gap:18px}
figure.chart{margin:0;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px}
figure.chart img{display:block;width:100%;height:auto}
figure.chart figcaption{color:var(--muted);font-size:12.5px;margin-top:6px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;background:var(--card)}
th,td{text-align:left;vertical-align:top;padding:7px 10px;border-bottom:1px solid var(--line)}
thead th{font-size:12px;color:var(--muted);font-weight:600;background:#fafbfc}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
table.data{border:1px solid var(--line);border-radius:10px}
.card{background:var(--card);border:1px solid var(--line);border-left:6px solid #8aa1c4;
border-radius:10px;padding:18px 22px;margin:18px 0;box-shadow:0 1px 2px rgba(0,0,0,.04)}
.card.has-conflict{border-left-color:#e9b949}.card.has-failed{border-left-color:var(--bad)}
.op-id{margin:0;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.06em}
.subtitle{margin:2px 0 0;color:var(--muted);overflow-wrap:anywhere}
.meta{margin:6px 0 0;font-size:14px}.flags{margin:8px 0 0}
.badge{display:inline-block;font-size:12px;font-weight:600;border-radius:999px;padding:2px 10px;margin:2px 6px 2px 0}
.badge-warn{background:var(--warn-bg);color:var(--warn);border:1px solid #e9b949}
.badge-bad{background:var(--bad-bg);color:var(--bad);border:1px solid #e5989b}
table.figures th[scope=row]{width:22%}
table.figures td.big{font-size:18px;font-weight:700;width:14%}
.scope,.qual{display:block;font-size:11.5px;font-weight:400;color:var(--muted)}
tr.conflict{background:var(--warn-bg)}
.conflict-note{margin:0 0 6px;color:var(--warn);font-weight:600;font-size:13px}
ul.claims{list-style:none;margin:0;padding:0}
ul.claims li{padding:4px 0 6px;font-size:13.5px}
ul.claims li+li{border-top:1px dashed var(--line)}
.claim-value{font-weight:700;margin-right:6px}.claim-q{color:var(--muted);margin-right:4px}
blockquote.evidence{margin:4px 0 0;padding:4px 10px;border-left:3px solid #c7d0de;color:#3b4252;
font-style:italic;overflow-wrap:anywhere}
li.other blockquote.evidence{border-left-color:#e3e6ec}
.tag{display:inline-block;font-size:11px;border-radius:4px;padding:0 6px;margin-left:4px;
background:#eef1f5;color:var(--muted)}
.tag-official{background:#e3effc;color:#0b5cab}.tag-news{background:#f1ecf9;color:#6a3fa0}
.tag-used{background:#e4f4e9;color:var(--ok);font-weight:600}
table.derived tr.null td.num{color:var(--muted)}
table.derived tr.null td.note{color:var(--muted);font-style:italic}
table.derived tr.bound td.num{color:var(--warn);font-weight:600}
table.derived td.note{font-size:13px}
table.derived th[scope=row]{font-weight:500;width:28%}
ul.checks-failed{margin:0;padding:10px 14px;list-style:none;background:var(--bad-bg);
border:1px solid #e5989b;border-radius:8px;color:var(--bad)}
details.checks-passed summary{color:var(--ok);cursor:pointer}
ol.sources{margin:0;padding-left:22px}ol.sources li{margin:3px 0}
dl.method dt{font-weight:700;margin-top:12px}dl.method dd{margin:2px 0 0}
footer{color:var(--muted);font-size:12px;text-align:center;padding:24px}
@media print{header.top{background:none;color:var(--ink)}header.top p{color:var(--muted)}.card{break-inside:avoid}}
"""


def render_report(
    data: ReportData,
    *,
    generated_at: str | None = None,
    nrm_quarter_totals: Mapping[tuple[int, int], int] | None = None,
    title: str = "optally — weeks of action, held to account",
) -> str:
    """The whole report as one HTML document (no external resource, no script)."""
    rows = data.operations
    nrm_totals = nrm_quarter_totals or {}
    comparisons: dict[int, dict[str, MedianComparison]] = {}
    for c in against_theme_median(rows, COMPARED_METRICS):
        comparisons.setdefault(c.operation_id, {})[c.metric] = c
    charts = overview_charts(rows, data.details)
    cards = "".join(
        _card(data, r, comparisons.get(r["id"], {}), nrm_totals) for r in _by_recency(rows)
    )
    sources = sum(int(r.get("sources") or 0) for r in rows)
    lede = f"{len(rows):,} operation{'s' if len(rows) != 1 else ''} from {sources:,} source pages"
    if generated_at:
        lede += f" · generated {generated_at}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # Defence in depth: even a missed escape could not load or run anything.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">"
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f'<header class="top"><h1>{esc(title)}</h1><p>{esc(lede)}</p>'
        '<nav><a href="#overview">Overview</a><a href="#theme-years">Theme by year</a>'
        '<a href="#operations">Operations</a><a href="#method">Method notes</a></nav></header>'
        "<main>"
        f'<section id="overview"><h2>Overview</h2>{_tiles(data)}'
        f'<div class="charts">{"".join(_chart(c) for c in charts)}</div></section>'
        f'<section id="theme-years"><h2>Theme by year</h2>{_year_table(data)}</section>'
        f'<section id="operations"><h2>Operations</h2>{_index(data)}{cards}</section>'
        f'<section id="method"><h2>Method notes</h2>{_method()}</section>'
        "</main><footer>optally · every figure links to the page that reported it</footer>"
        "</body></html>\n"
    )


def write_report(html_text: str, path: str | Path) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html_text, encoding="utf-8")
    return out
