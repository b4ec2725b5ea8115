"""The notify stage's unit of work: after a run is published, tell people what is new and
what is broken (rules in tasks/alerts.py; reads and writes in db/alerts.py).

Every message goes two ways: a Prefect event (``optally.operation.new``,
``optally.source.unhealthy``, ``optally.source.recovered``) that automations turn into notifications through
notification blocks, and, when ``OPTALLY_ALERT_WEBHOOK`` is set, a JSON POST to that URL.

The generic webhook is posted with requests, not Apprise: Apprise's ``json://`` sends its
own fixed envelope (title, message, type) and cannot carry the digest's structured fields
(docs/CONTRACTS.md, "Alerts"); per-service formats (Slack blocks, Teams cards, ntfy) are
the Prefect automation's notification blocks, which use Apprise.

Nothing here fails a run: a webhook that is down, slow or answers an error leaves its
message pending in ``alert_deliveries`` (the only row it writes), logged and counted in the
run summary, and the next run posts it again. The webhook URL is a SecretStr and is never
logged or stored: a failure is recorded as an HTTP status or an exception's class name.
Delivery is at least once: a run killed after a POST and before recording it posts again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from prefect import get_run_logger
from prefect.events import emit_event

from config.settings import Settings, get_settings
from config.sources import MANUAL_SOURCE, Source
from db import alerts as store
from db.engine import get_engine
from db.queries import metrics_rows
from tasks.alerts import (
    DIGEST_LIMIT,
    HEADLINE_SCOPES,
    KIND_OPERATIONS,
    YIELD_HISTORY_PAGES,
    YIELD_WINDOW_PAGES,
    HealthState,
    SourceRun,
    Unhealthy,
    digest,
    event_of,
    health_changes,
    health_message,
    recovery_message,
    source_health,
)
from tasks.fetch import post_json

# A message the webhook refused this many runs in a row is given up (status "failed"),
# so a receiver gone for good does not make every later run wait on it.
MAX_DELIVERY_ATTEMPTS = 10
# requests' connection pool logs each request line, path included, at DEBUG.
URLLIB3_LOGGER = "urllib3.connectionpool"
# Every message's Prefect event is about this resource; the operations or sources it
# names are its related resources (tasks/alerts.py event_of).
EVENT_RESOURCE = {"prefect.resource.id": "optally.alerts", "prefect.resource.name": "optally"}


@dataclass(frozen=True, slots=True)
class NotifyOutcome:
    announced: int  # new operations in this run's digest
    unhealthy: tuple[str, ...]  # sources this run found unhealthy (named in a message or not)
    sent: int  # messages the webhook took (earlier runs' pending ones included)
    pending: int  # messages waiting for the next run
    given_up: int  # messages refused MAX_DELIVERY_ATTEMPTS times
    recovered: tuple[str, ...] = ()  # sources unhealthy before and healthy on this run

    def as_dict(self) -> dict[str, Any]:
        """The run summary's "alerts": empty when there was nothing to tell or send."""
        if not (
            self.announced
            or self.unhealthy
            or self.recovered
            or self.sent
            or self.pending
            or self.given_up
        ):
            return {}
        return {
            "new_operations": self.announced,
            "unhealthy_sources": list(self.unhealthy),
            "recovered_sources": list(self.recovered),
            "delivered": self.sent,
            "delivery_pending": self.pending,
            "delivery_failed": self.given_up,
        }


def source_runs(
    sources: Sequence[Source],
    run_summary: Mapping[str, Any],
    listed: Mapping[str, int],
    relevant: Mapping[str, int],
) -> list[SourceRun]:
    """What the run saw of each source (not `optally add`'s pages named by hand)."""

    def first(key: str, name: str) -> tuple[str, str] | None:
        for f in run_summary.get(key) or []:
            if f.get("source") == name:
                return (str(f.get("url") or ""), str(f.get("reason") or "failed"))
        return None

    unread = set(run_summary.get("unread_sources") or [])
    return [
        SourceRun(
            name=s.name,
            start_url=s.start_url or "",
            listed=int(listed.get(s.name, 0)),
            relevant=int(relevant.get(s.name, 0)),
            discovery_failure=first("discovery_failures", s.name),
            unread=(first("failures", s.name) or (s.start_url or "", "failed"))
            if s.name in unread
            else None,
        )
        for s in sources
        if s.name != MANUAL_SOURCE
    ]


def _health(conn: Any, runs: Sequence[SourceRun], dated: bool) -> list[Unhealthy]:
    pages = store.pages_per_source(conn, [r.name for r in runs])
    out = []
    for run in runs:
        history = (
            store.readings(
                conn, run.name, YIELD_WINDOW_PAGES + YIELD_HISTORY_PAGES, HEADLINE_SCOPES
            )
            if run.relevant
            else []
        )
        problem = source_health(run, pages.get(run.name, 0), history, dated)
        if problem:
            out.append(problem)
    return out


def _digest(engine: Any, conn: Any, settings: Settings) -> tuple[list[int], dict[str, Any] | None]:
    new = store.unannounced(conn)
    shown = new[:DIGEST_LIMIT]  # already newest first
    message = digest(
        metrics_rows(engine, shown),
        store.qualifiers(conn, shown),
        store.page_links(conn, shown),
        settings.alert_report_url,
        total=len(new),
    )
    return new, message


def _emit(message: Mapping[str, Any]) -> None:
    """The message as a Prefect event; a failure to emit is logged, never raised."""
    name, related = event_of(message)
    try:
        emit_event(
            event=name, resource=dict(EVENT_RESOURCE), related=related, payload=dict(message)
        )
    except Exception as exc:  # the events client is best effort; the run goes on
        get_run_logger().warning("event %s not emitted: %s", name, type(exc).__name__)


class _Redact(logging.Filter):
    """Masks the webhook's URL, and its path where the token usually is, in urllib3's
    debug lines ('"POST /hook/<token> HTTP/1.1" 200'): a log at DEBUG must not leak it."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(s in message for s in self.secrets):
            for s in sorted(self.secrets, key=len, reverse=True):
                message = message.replace(s, "**********")
            record.msg, record.args = message, ()
        return True


_redact = _Redact()
logging.getLogger(URLLIB3_LOGGER).addFilter(_redact)


def _hide(url: str) -> None:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    _redact.secrets.update(x for x in (url, path if len(path) > 1 else "") if x)


def post(url: str, message: Mapping[str, Any], timeout: float) -> str | None:
    """POST the message as JSON: None when the receiver took it (2xx), else why not, as
    an HTTP status or an exception's class name (never the URL: it may hold a token)."""
    _hide(url)
    return post_json(url, message, timeout)


def _deliver(
    engine: Any, url: str, todo: Sequence[tuple[int, Mapping[str, Any]]], timeout: float
) -> tuple[int, int, int]:
    """Post each (id, message), recording each try: (sent, pending, given up)."""
    logger = get_run_logger()
    counts = {store.SENT: 0, store.PENDING: 0, store.FAILED: 0}
    for delivery_id, message in todo:
        error = post(url, message, timeout)
        with engine.begin() as conn:
            status = store.record_attempt(
                conn, delivery_id, error, datetime.now(UTC), MAX_DELIVERY_ATTEMPTS
            )
        counts[status] += 1
        if error:
            logger.warning(
                "alert %d (%s) not delivered: %s; %s",
                delivery_id,
                message.get("kind"),
                error,
                "given up" if status == store.FAILED else "posted again next run",
            )
    return counts[store.SENT], counts[store.PENDING], counts[store.FAILED]


def notify(
    sources: Sequence[Source],
    db_url: str | None,
    run_summary: Mapping[str, Any],
    listed: Mapping[str, int],
    relevant: Mapping[str, int],
    dated: bool = False,
) -> NotifyOutcome:
    """The notify stage: the digest of operations never announced, the health alert of
    this run's sources, their events, and the webhook's deliveries (earlier runs' pending
    ones first). ``listed`` and ``relevant``: per source, the article links its listings
    gave and the new relevant pages this run read; ``dated``: the run had --since/--until."""
    settings = get_settings()
    webhook = settings.alert_webhook.get_secret_value() if settings.alert_webhook else ""
    engine = get_engine(db_url)
    runs = source_runs(sources, run_summary, listed, relevant)
    now = datetime.now(UTC)
    with engine.connect() as conn:
        retry = store.pending_deliveries(conn) if webhook else []
        problems = _health(conn, runs, dated)
        states = _states(conn, [r.name for r in runs])
        new, digest_message = _digest(engine, conn, settings)
    changes = health_changes(
        runs, problems, states, now, timedelta(hours=settings.alert_repeat_hours), dated
    )
    messages = [
        m
        for m in (
            digest_message,
            health_message(changes.alert),
            recovery_message(changes.recovered, now),
        )
        if m
    ]
    todo: list[tuple[int, Mapping[str, Any]]] = list(retry)
    if messages:
        # what is announced and what is remembered of each source, with its message, or none
        with engine.begin() as conn:
            ids = {m["kind"]: store.add_delivery(conn, m, now) for m in messages} if webhook else {}
            store.announce(conn, new, ids.get(KIND_OPERATIONS), now)
            store.save_health(
                conn,
                [asdict(k) for k in changes.keep],
                [r.source for r in changes.recovered],
            )
        todo += [(ids[m["kind"]], m) for m in messages if m["kind"] in ids]
    for message in messages:
        _emit(message)
    log = get_run_logger()
    for p in problems:
        log.warning("source %s unhealthy: %s: %s (%s)", p.source, p.reason, p.detail, p.url)
    for q in changes.quiet:
        log.info(
            "source %s still unhealthy since %s, last named %s: no message until %s",
            q.source,
            q.since.isoformat(),
            q.alerted_at.isoformat(),
            (q.alerted_at + timedelta(hours=settings.alert_repeat_hours)).isoformat(),
        )
    sent, pending, given_up = (
        _deliver(engine, webhook, todo, settings.alert_timeout) if todo else (0, 0, 0)
    )
    return NotifyOutcome(
        len(new),
        tuple(p.source for p in problems),
        sent,
        pending,
        given_up,
        tuple(r.source for r in changes.recovered),
    )


def _aware(t: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; every stored time is UTC
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def _states(conn: Any, names: Sequence[str]) -> dict[str, HealthState]:
    return {
        r["source"]: HealthState(
            **{**r, "since": _aware(r["since"]), "alerted_at": _aware(r["alerted_at"])}
        )
        for r in store.health_states(conn, names)
    }
