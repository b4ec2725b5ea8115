"""Alerts' reads and writes: the operations not yet announced, what a digest and the
health rules read, and the webhook deliveries (tasks/notify.py decides and sends)."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, exists, func, insert, select, update

from db.models import (
    AlertAnnouncement,
    AlertDelivery,
    Article,
    Figure,
    MetricValue,
    Operation,
    OperationFigure,
    Page,
    Source,
    SourceAlert,
)
from db.upsert import insert_ignore, upsert

ANNOUNCEMENTS = AlertAnnouncement.__table__
DELIVERIES = AlertDelivery.__table__
OPERATIONS = Operation.__table__
ARTICLES = Article.__table__
FIGURES = Figure.__table__
PAGES = Page.__table__
SOURCES = Source.__table__
OP_FIGURES = OperationFigure.__table__
METRIC_VALUES = MetricValue.__table__
SOURCE_ALERTS = SourceAlert.__table__
_HEALTH_COLUMNS = ("reason", "url", "detail", "since", "alerted_at")

PENDING, SENT, FAILED = "pending", "sent", "failed"
_CHUNK = 500  # ids per IN list or insert


def _current_article(op_id: Any) -> Any:
    return exists().where(
        and_(ARTICLES.c.operation_id == op_id, ARTICLES.c.superseded_at.is_(None))
    )


def unannounced(conn: Connection) -> list[int]:
    """Live operations (not merged away) with a current page that no digest announced,
    the most recently published first (undated last, then the highest id)."""
    announced = exists().where(ANNOUNCEMENTS.c.operation_id == OPERATIONS.c.id)
    q = (
        select(OPERATIONS.c.id)
        .where(OPERATIONS.c.merged_into.is_(None), ~announced, _current_article(OPERATIONS.c.id))
        .order_by(
            OPERATIONS.c.first_published.is_(None),
            OPERATIONS.c.first_published.desc(),
            OPERATIONS.c.id.desc(),
        )
    )
    return [int(i) for i in conn.execute(q).scalars()]


def announce(
    conn: Connection, op_ids: Sequence[int], delivery_id: int | None, now: datetime
) -> None:
    """Record operations as announced (an operation announced already stays as it was)."""
    for i in range(0, len(op_ids), _CHUNK):
        rows = [
            {"operation_id": op_id, "delivery_id": delivery_id, "announced_at": now}
            for op_id in op_ids[i : i + _CHUNK]
        ]
        insert_ignore(conn, ANNOUNCEMENTS, rows, ["operation_id"])


def qualifiers(conn: Connection, op_ids: Collection[int]) -> dict[int, dict[str, str]]:
    """Per operation, the qualifier of each reconciled figure (operation scope) and
    derived metric that is not exact ("more_than" 40 is not 40)."""
    out: dict[int, dict[str, str]] = {}
    if not op_ids:
        return out
    ids = sorted(set(op_ids))
    figures = select(OP_FIGURES.c.operation_id, OP_FIGURES.c.metric, OP_FIGURES.c.qualifier).where(
        OP_FIGURES.c.operation_id.in_(ids),
        OP_FIGURES.c.scope == "operation",
        OP_FIGURES.c.qualifier != "exact",
    )
    metrics = select(
        METRIC_VALUES.c.operation_id, METRIC_VALUES.c.metric, METRIC_VALUES.c.qualifier
    ).where(
        METRIC_VALUES.c.operation_id.in_(ids),
        METRIC_VALUES.c.qualifier.is_not(None),
        METRIC_VALUES.c.qualifier != "exact",
    )
    for q in (figures, metrics):
        for op_id, metric, qualifier in conn.execute(q):
            out.setdefault(int(op_id), {})[metric] = qualifier
    return out


def page_links(conn: Connection, op_ids: Collection[int]) -> dict[int, list[str]]:
    """Per operation, the URLs of its current pages: official ones first, then by date."""
    out: dict[int, list[str]] = {}
    if not op_ids:
        return out
    q = (
        select(ARTICLES.c.operation_id, ARTICLES.c.url)
        .where(ARTICLES.c.operation_id.in_(sorted(set(op_ids))), ARTICLES.c.superseded_at.is_(None))
        .order_by(
            ARTICLES.c.operation_id,
            ARTICLES.c.official.desc(),
            ARTICLES.c.published.is_(None),
            ARTICLES.c.published,
            ARTICLES.c.url,
        )
    )
    for op_id, url in conn.execute(q):
        out.setdefault(int(op_id), []).append(url)
    return out


def pages_per_source(conn: Connection, names: Collection[str]) -> dict[str, int]:
    """How many pages of each named source the warehouse holds."""
    if not names:
        return {}
    q = (
        select(SOURCES.c.name, func.count(PAGES.c.id))
        .join(PAGES, PAGES.c.source_id == SOURCES.c.id)
        .where(SOURCES.c.name.in_(sorted(set(names))))
        .group_by(SOURCES.c.name)
    )
    return {name: int(n) for name, n in conn.execute(q)}


def readings(conn: Connection, source: str, limit: int, scopes: Collection[str]) -> list[bool]:
    """A source's current relevant readings, newest first (the latest read first), at most
    ``limit``: True for one with a figure of one of ``scopes``."""
    headline = exists().where(
        and_(
            FIGURES.c.article_id == ARTICLES.c.id,
            FIGURES.c.scope.in_(bindparam("scopes", expanding=True)),
        )
    )
    q = (
        select(headline.label("has_figures"))
        .select_from(ARTICLES.join(PAGES, PAGES.c.id == ARTICLES.c.page_id))
        .join(SOURCES, SOURCES.c.id == PAGES.c.source_id)
        .where(
            SOURCES.c.name == source,
            ARTICLES.c.superseded_at.is_(None),
            ARTICLES.c.relevant.is_(True),
        )
        .order_by(ARTICLES.c.id.desc())
        .limit(limit)
    )
    return [bool(v) for v in conn.execute(q, {"scopes": sorted(scopes)}).scalars()]


def add_delivery(conn: Connection, message: Mapping[str, Any], now: datetime) -> int:
    """A message waiting for the webhook: its id."""
    return int(
        conn.execute(
            insert(DELIVERIES)
            .values(
                kind=message["kind"],
                payload=json.dumps(message, ensure_ascii=False, sort_keys=True),
                status=PENDING,
                attempts=0,
                created_at=now,
            )
            .returning(DELIVERIES.c.id)
        ).scalar_one()
    )


def pending_deliveries(conn: Connection) -> list[tuple[int, dict[str, Any]]]:
    """The messages that have not reached the webhook yet, oldest first: (id, message)."""
    q = select(DELIVERIES.c.id, DELIVERIES.c.payload).where(DELIVERIES.c.status == PENDING)
    return [(int(i), json.loads(p)) for i, p in conn.execute(q.order_by(DELIVERIES.c.id))]


def record_attempt(
    conn: Connection, delivery_id: int, error: str | None, now: datetime, max_attempts: int
) -> str:
    """One try at a delivery: sent (``error`` None), else still pending, or failed for good
    after ``max_attempts`` tries. Returns its status."""
    attempts = conn.execute(
        select(DELIVERIES.c.attempts).where(DELIVERIES.c.id == delivery_id)
    ).scalar_one()
    attempts = int(attempts) + 1
    status = SENT if error is None else FAILED if attempts >= max_attempts else PENDING
    conn.execute(
        update(DELIVERIES)
        .where(DELIVERIES.c.id == delivery_id)
        .values(
            attempts=attempts,
            status=status,
            last_attempt_at=now,
            sent_at=now if error is None else None,
            last_error=error,
        )
    )
    return status


def health_states(conn: Connection, names: Collection[str]) -> list[dict[str, Any]]:
    """The remembered state of each of these sources that was unhealthy (``source_alerts``)."""
    if not names:
        return []
    q = select(SOURCE_ALERTS).where(SOURCE_ALERTS.c.source.in_(sorted(set(names))))
    return [dict(r) for r in conn.execute(q).mappings()]


def save_health(
    conn: Connection, keep: Sequence[Mapping[str, Any]], recovered: Collection[str]
) -> None:
    """Remember the sources named unhealthy (``keep``: source and the state's columns) and
    forget those that recovered."""
    upsert(conn, SOURCE_ALERTS, keep, ["source"], _HEALTH_COLUMNS)
    if recovered:
        conn.execute(
            SOURCE_ALERTS.delete().where(SOURCE_ALERTS.c.source.in_(sorted(set(recovered))))
        )
