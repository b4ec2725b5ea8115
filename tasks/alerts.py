"""Alerts, the rules: what a run's digest of new operations says and when a source is
unhealthy. Pure functions (rows in, messages out); tasks/notify.py reads the warehouse,
records what was sent, emits the Prefect events and posts the messages.

A message is one JSON object: ``text`` (plain text that Slack, Teams and ntfy-style
receivers show as it is) plus structured fields (docs/CONTRACTS.md, "Alerts"). The
Prefect event of a message carries the same object as its payload.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tasks.report import DERIVED_LABELS, FIGURE_LABELS, fmt_figure, fmt_metric

EVENT_OPERATION_NEW = "optally.operation.new"
EVENT_SOURCE_UNHEALTHY = "optally.source.unhealthy"
EVENT_SOURCE_RECOVERED = "optally.source.recovered"
KIND_OPERATIONS = "operations.new"
KIND_HEALTH = "sources.unhealthy"
KIND_RECOVERED = "sources.recovered"

# A backfill adds hundreds of operations: one digest lists this many, newest first, in
# full and counts the rest (`optally metrics` lists them all).
DIGEST_LIMIT = 20
# The headline figures and the derived metrics a digest gives, when known.
DIGEST_FIGURES = (
    "arrests",
    "potential_victims",
    "forces_involved",
    "duration_days",
    "nrm_referrals",
)
DIGEST_METRICS = ("arrests_per_force", "nrm_referral_rate", "unreferred_victims")
# A page "has figures" when it gives the headline operation's or the wider action's own
# numbers; one force's part and background statistics do not make a reading useful.
HEADLINE_SCOPES = frozenset({"operation", "international"})

# Extraction yield (pages with figures / relevant pages): the source's newest
# YIELD_WINDOW_PAGES relevant readings against the YIELD_HISTORY_PAGES before them. Pages,
# not runs: a daily run brings one or two pages, so a window of runs would judge nothing
# for weeks. The history must hold YIELD_HISTORY_MIN_PAGES pages, and the window's yield
# fall below YIELD_DROP_RATIO of the history's: with the NCA's usual 0.8, at most one page
# of five with figures. Judged only on a run that read new relevant pages of the source,
# so an unchanged re-run repeats no alert.
YIELD_WINDOW_PAGES = 5
YIELD_HISTORY_PAGES = 100
YIELD_HISTORY_MIN_PAGES = 10
YIELD_DROP_RATIO = 0.5

REASON_DISCOVERY = "discovery failed"
REASON_UNREAD = "nothing could be read"
REASON_ZERO = "no articles listed"
REASON_YIELD = "extraction yield fell"


# --------------------------------------------------------------------------- new operations


def _known(row: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    return {n: row[n] for n in names if row.get(n) is not None}


def operation_entry(
    row: Mapping[str, Any],
    qualifiers: Mapping[str, str],
    links: Sequence[str],
    report_url: str | None,
) -> dict[str, Any]:
    """One new operation's structured fields: ``row`` is its `optally metrics --format
    json` object, ``qualifiers`` the non-exact qualifiers of its figures and metrics."""
    op_id = int(row["id"])
    figures = {
        m: {"value": v, "qualifier": qualifiers.get(m, "exact")}
        for m, v in _known(row, DIGEST_FIGURES).items()
    }
    metrics = {
        m: {"value": v, "qualifier": qualifiers.get(m, "exact")}
        for m, v in _known(row, DIGEST_METRICS).items()
    }
    return {
        "id": op_id,
        "name": row.get("name"),
        "title": row.get("title"),
        "lead_agency": row.get("lead_agency"),
        "theme": row.get("theme"),
        "start_date": row.get("start_date"),
        "end_date": row.get("end_date"),
        "published": row.get("published"),
        "figures": figures,
        "metrics": metrics,
        "links": list(links),
        "report_card": f"{report_url or ''}#op-{op_id}",
    }


def _dates(entry: Mapping[str, Any]) -> str | None:
    start, end = entry.get("start_date"), entry.get("end_date")
    if start and end and start != end:
        return f"{start} to {end}"
    return start or end or (f"published {entry['published']}" if entry.get("published") else None)


def operation_text(entry: Mapping[str, Any], report_url: str | None) -> str:
    """An operation as a few plain lines: heading, figures, metrics, links, report card."""
    heading = entry.get("name") or entry.get("title") or f"operation {entry['id']}"
    if entry.get("name") and entry.get("title"):
        heading = f"{entry['name']}: {entry['title']}"
    about = ", ".join(x for x in (entry.get("lead_agency"), _dates(entry)) if x)
    lines = [f"• {heading}" + (f" ({about})" if about else "")]
    figures = [
        f"{FIGURE_LABELS.get(m, m)} {fmt_figure(m, f['value'], f['qualifier'])}"
        for m, f in entry["figures"].items()
    ]
    metrics = [
        f"{DERIVED_LABELS.get(m, m)} {fmt_metric(m, f['value'], f['qualifier'])}"
        for m, f in entry["metrics"].items()
    ]
    lines += [f"  {' · '.join(part)}" for part in (figures, metrics) if part]
    if entry["links"]:
        lines.append(f"  sources: {' '.join(entry['links'])}")
    if report_url:
        lines.append(f"  report card: {entry['report_card']}")
    return "\n".join(lines)


def _newest_first(row: Mapping[str, Any]) -> tuple[bool, str, int]:
    """Sort key: dated before undated, the latest published first, then the highest id."""
    published = row.get("published") or ""
    return (not published, _negate(published), -int(row["id"]))


def _negate(iso: str) -> str:
    # ISO dates sort as text; mapping each digit d to 9 - d reverses that order.
    return iso.translate(str.maketrans("0123456789", "9876543210"))


def newest(rows: Iterable[Mapping[str, Any]], limit: int = DIGEST_LIMIT) -> list[Mapping[str, Any]]:
    """The ``limit`` most recently published rows, newest first (undated last)."""
    return sorted(rows, key=_newest_first)[:limit]


def digest(
    rows: Sequence[Mapping[str, Any]],
    qualifiers: Mapping[int, Mapping[str, str]],
    links: Mapping[int, Sequence[str]],
    report_url: str | None,
    total: int | None = None,
    limit: int = DIGEST_LIMIT,
) -> dict[str, Any] | None:
    """The digest of new operations: ``rows`` (metrics rows) of at least the ``limit``
    newest of them, ``total`` how many there are (default: the rows). None when none."""
    total = len(rows) if total is None else total
    if not total:
        return None
    shown = newest(rows, limit)
    entries = [
        operation_entry(
            r, qualifiers.get(int(r["id"]), {}), links.get(int(r["id"]), ()), report_url
        )
        for r in shown
    ]
    more = total - len(entries)
    head = f"optally: {total:,} new operation{'' if total == 1 else 's'}"
    if more:
        head += (
            f"; the {len(entries):,} most recently published below, {more:,} more in the warehouse"
        )
    text = "\n".join([head, *(operation_text(e, report_url) for e in entries)])
    if more:
        text += f"\n…and {more:,} more: `optally metrics` lists every operation"
    return {
        "kind": KIND_OPERATIONS,
        "text": text,
        "total": total,
        "shown": len(entries),
        "more": more,
        "operations": entries,
    }


# --------------------------------------------------------------------------- source health


@dataclass(frozen=True, slots=True)
class SourceRun:
    """What one run saw of one source (flows/etl.py RunSummary counts it)."""

    name: str
    start_url: str
    listed: int = 0  # article links its listings, feeds or sitemaps gave, known ones included
    relevant: int = 0  # new readings this run that the source's keywords keep
    # (url, reason) of its first listing, feed or sitemap that could not be read
    discovery_failure: tuple[str, str] | None = None
    # (url, reason) when nothing of it could be read (a URL list whose every page failed)
    unread: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Unhealthy:
    source: str
    url: str
    reason: str  # one of the REASON_* constants
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "url": self.url,
            "reason": self.reason,
            "detail": self.detail,
        }


def has_headline_figures(figures: Iterable[Any]) -> bool:
    """A reading with at least one figure of the operation or of the wider action."""
    return any(f.scope in HEADLINE_SCOPES for f in figures)


def yield_drop(readings: Sequence[bool]) -> tuple[float, float] | None:
    """(window yield, history yield) when the newest readings' yield fell sharply, else
    None. ``readings``: the source's current relevant readings, newest first, True for
    one with headline figures."""
    window = readings[:YIELD_WINDOW_PAGES]
    history = readings[YIELD_WINDOW_PAGES : YIELD_WINDOW_PAGES + YIELD_HISTORY_PAGES]
    if len(window) < YIELD_WINDOW_PAGES or len(history) < YIELD_HISTORY_MIN_PAGES:
        return None
    recent = sum(window) / len(window)
    usual = sum(history) / len(history)
    return (recent, usual) if recent < YIELD_DROP_RATIO * usual else None


def source_health(
    run: SourceRun, known_pages: int, readings: Sequence[bool], dated: bool
) -> Unhealthy | None:
    """Whether a source is unhealthy after this run, and why. ``known_pages``: its pages in
    the warehouse before or from this run; ``readings`` as for ``yield_drop``; ``dated``:
    the run had --since or --until (a window may rightly list nothing)."""
    if run.discovery_failure:
        url, why = run.discovery_failure
        return Unhealthy(run.name, url, REASON_DISCOVERY, why)
    if run.unread:
        url, why = run.unread
        return Unhealthy(run.name, url, REASON_UNREAD, why)
    if run.listed == 0 and known_pages and not dated:
        return Unhealthy(
            run.name,
            run.start_url,
            REASON_ZERO,
            f"its listings gave no article link; the warehouse holds {known_pages:,} of its pages",
        )
    drop = yield_drop(readings) if run.relevant else None
    if drop:
        recent, usual = drop
        return Unhealthy(
            run.name,
            run.start_url,
            REASON_YIELD,
            f"{recent:.0%} of its newest {YIELD_WINDOW_PAGES} relevant pages have figures, "
            f"against {usual:.0%} of the {min(len(readings) - YIELD_WINDOW_PAGES, YIELD_HISTORY_PAGES)} "
            "before them",
        )
    return None


@dataclass(frozen=True, slots=True)
class HealthState:
    """What the warehouse remembers of an unhealthy source (``source_alerts``): why, since
    when, and when a message last named it."""

    source: str
    reason: str
    url: str
    detail: str
    since: datetime
    alerted_at: datetime


@dataclass(frozen=True, slots=True)
class HealthChanges:
    """What a run's health judgement changes: the problems to name in a message now, the
    states to keep (new or updated) and the sources that recovered."""

    alert: tuple[Unhealthy, ...] = ()
    keep: tuple[HealthState, ...] = ()
    recovered: tuple[HealthState, ...] = ()
    # unhealthy as before and named recently: no message this run
    quiet: tuple[HealthState, ...] = ()


def judged(run: SourceRun, reason: str, dated: bool) -> bool:
    """Could this run have found the source unhealthy for ``reason``? A run that cannot
    judge a reason (a dated run lists what its window holds; the yield needs new relevant
    pages) says nothing of whether the source recovered from it."""
    if reason == REASON_ZERO:
        return not dated
    if reason == REASON_YIELD:
        return run.relevant > 0
    return True  # discovery and reading are tried on every run


def health_changes(
    runs: Sequence[SourceRun],
    problems: Sequence[Unhealthy],
    states: Mapping[str, HealthState],
    now: datetime,
    repeat: timedelta,
    dated: bool,
) -> HealthChanges:
    """Which unhealthy sources a run names, and which recovered.

    A source is named when it becomes unhealthy, when its reason changes, and again once
    ``repeat`` has passed since a message last named it (``repeat`` 0: every run); in
    between it stays quiet, so a source broken for a week does not alert on every run.
    A source that was unhealthy recovers when this run could judge its reason and found it
    healthy."""
    alert: list[Unhealthy] = []
    keep: list[HealthState] = []
    quiet: list[HealthState] = []
    for p in problems:
        before = states.get(p.source)
        if before is not None and before.reason == p.reason:
            if now - before.alerted_at < repeat:
                quiet.append(before)
                continue
            since = before.since
        else:
            since = now
        alert.append(p)
        keep.append(HealthState(p.source, p.reason, p.url, p.detail, since, now))
    unhealthy = {p.source for p in problems}
    recovered = tuple(
        states[r.name]
        for r in runs
        if r.name in states and r.name not in unhealthy and judged(r, states[r.name].reason, dated)
    )
    return HealthChanges(tuple(alert), tuple(keep), recovered, tuple(quiet))


def recovery_message(recovered: Sequence[HealthState], now: datetime) -> dict[str, Any] | None:
    """One message naming every source that is healthy again, with how long it was not.
    None when none."""
    if not recovered:
        return None
    n = len(recovered)
    lines = [f"optally: {n} source{'' if n == 1 else 's'} healthy again"]
    lines += [
        f"• {r.source}: {r.reason} since {r.since:%Y-%m-%d %H:%M} UTC, for {_span(now - r.since)}"
        for r in recovered
    ]
    return {
        "kind": KIND_RECOVERED,
        "text": "\n".join(lines),
        "sources": [
            {"source": r.source, "reason": r.reason, "since": r.since.isoformat()}
            for r in recovered
        ],
    }


def _span(d: timedelta) -> str:
    hours = d.total_seconds() / 3600
    if hours < 48:
        return f"{max(hours, 0):.0f} h"
    return f"{hours / 24:.0f} days"


def health_message(problems: Sequence[Unhealthy]) -> dict[str, Any] | None:
    """One message naming every unhealthy source, its URL and the reason. None when none."""
    if not problems:
        return None
    n = len(problems)
    lines = [f"optally: {n} source{'' if n == 1 else 's'} unhealthy"]
    lines += [f"• {p.source}: {p.reason}: {p.detail} ({p.url})" for p in problems]
    return {
        "kind": KIND_HEALTH,
        "text": "\n".join(lines),
        "sources": [p.as_dict() for p in problems],
    }


def event_of(message: Mapping[str, Any]) -> tuple[str, list[dict[str, str]]]:
    """The Prefect event name of a message, and its related resources (each operation or
    source it names), for automations that match on them."""
    if message["kind"] == KIND_OPERATIONS:
        return EVENT_OPERATION_NEW, [
            {
                "prefect.resource.id": f"optally.operation.{e['id']}",
                "prefect.resource.role": "operation",
                "prefect.resource.name": str(e.get("name") or e.get("title") or e["id"])[:200],
            }
            for e in message["operations"]
        ]
    name = EVENT_SOURCE_RECOVERED if message["kind"] == KIND_RECOVERED else EVENT_SOURCE_UNHEALTHY
    return name, [
        {
            "prefect.resource.id": f"optally.source.{s['source']}",
            "prefect.resource.role": "source",
            "prefect.resource.name": s["source"],
        }
        for s in message["sources"]
    ]
