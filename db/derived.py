"""Reads and writes of the derive stage (tasks/derive.py): the current claims of
operations, their derived rows, and the operations waiting to be derived.

Nothing here decides anything: which claim wins, what a metric is and which article's
facts an operation takes are rules of tasks/derive.py; this module hands it rows and
writes back what it returns, rewriting only the rows that differ.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, Table, and_, bindparam, delete, func, select, update

from db import models as m
from db.sanitize import clean_rows
from db.upsert import insert_ignore

T = m.Base.metadata.tables
ARTICLES, FIGURES, BREAKDOWNS = T["articles"], T["figures"], T["arrest_breakdowns"]
OPERATIONS, OP_FIGURES = T["operations"], T["operation_figures"]
METRICS, CHECKS, PENDING = T["metric_values"], T["quality_checks"], T["pending_derivations"]

RECONCILED_SCOPES = ("operation", "international")
# Columns of operations that the best current article decides (tasks/derive.py facts).
FACT_COLUMNS = (
    "name",
    "lead_agency",
    "theme",
    "first_published",
    "title",
    "start_date",
    "end_date",
)
DERIVED_TABLES = {"figures": OP_FIGURES, "metrics": METRICS, "checks": CHECKS}


def mark_pending(conn: Connection, op_ids: Iterable[int]) -> None:
    """Record that these operations' claims changed (in the transaction that changed them)."""
    now = datetime.now(UTC)
    insert_ignore(
        conn,
        PENDING,
        [{"operation_id": op_id, "marked_at": now} for op_id in sorted(set(op_ids))],
        ["operation_id"],
    )


def pending(conn: Connection) -> list[int]:
    """Operations whose claims changed since their derived rows were last rebuilt."""
    return list(
        conn.execute(select(PENDING.c.operation_id).order_by(PENDING.c.operation_id)).scalars()
    )


def clear_pending(conn: Connection, op_ids: Sequence[int]) -> None:
    if op_ids:
        conn.execute(delete(PENDING).where(PENDING.c.operation_id.in_(list(op_ids))))


def figure_claims(conn: Connection, ids: Sequence[int]) -> dict[int, list[Row[Any]]]:
    """Per operation, the figures of its current articles in the reconciled scopes, in
    figure order: (op_id, id, scope, metric, value, qualifier, official, published,
    fetched_at, aid)."""
    claims: dict[int, list[Row[Any]]] = defaultdict(list)
    for c in conn.execute(
        select(
            ARTICLES.c.operation_id.label("op_id"),
            FIGURES.c.id,
            FIGURES.c.scope,
            FIGURES.c.metric,
            FIGURES.c.value,
            FIGURES.c.qualifier,
            ARTICLES.c.official,
            ARTICLES.c.published,
            ARTICLES.c.fetched_at,
            ARTICLES.c.id.label("aid"),
        )
        .join(ARTICLES, ARTICLES.c.id == FIGURES.c.article_id)
        .where(
            and_(
                ARTICLES.c.operation_id.in_(ids),
                ARTICLES.c.superseded_at.is_(None),
                FIGURES.c.scope.in_(RECONCILED_SCOPES),
            )
        )
        .order_by(FIGURES.c.id)
    ):
        claims[c.op_id].append(c)
    return claims


def breakdown_sums(conn: Connection, ids: Sequence[int]) -> dict[int, list[Row[Any]]]:
    """Per operation, each current article's arrest-breakdown total: (aid, official, total)."""
    out: dict[int, list[Row[Any]]] = defaultdict(list)
    for r in conn.execute(
        select(
            ARTICLES.c.operation_id.label("op_id"),
            ARTICLES.c.id.label("aid"),
            ARTICLES.c.official,
            func.sum(BREAKDOWNS.c.count).label("total"),
        )
        .join(BREAKDOWNS, BREAKDOWNS.c.article_id == ARTICLES.c.id)
        .where(and_(ARTICLES.c.operation_id.in_(ids), ARTICLES.c.superseded_at.is_(None)))
        .group_by(ARTICLES.c.operation_id, ARTICLES.c.id, ARTICLES.c.official)
    ):
        out[r.op_id].append(r)
    return out


def article_facts(conn: Connection, ids: Sequence[int]) -> dict[int, list[Row[Any]]]:
    """Per operation, what each current article says of the operation itself."""
    arts: dict[int, list[Row[Any]]] = defaultdict(list)
    for r in conn.execute(
        select(
            ARTICLES.c.operation_id,
            ARTICLES.c.op_name,
            ARTICLES.c.lead_agency,
            ARTICLES.c.theme,
            ARTICLES.c.published,
            ARTICLES.c.official,
            ARTICLES.c.title,
            ARTICLES.c.id,
            ARTICLES.c.op_start,
            ARTICLES.c.op_end,
        ).where(and_(ARTICLES.c.operation_id.in_(ids), ARTICLES.c.superseded_at.is_(None)))
    ):
        arts[r.operation_id].append(r)
    return arts


def replace_derived(conn: Connection, kind: str, wanted: dict[int, list[dict[str, Any]]]) -> None:
    """Make each operation's rows of one derived table ("figures", "metrics", "checks")
    equal ``wanted[op_id]``, rewriting only the operations whose rows differ."""
    table: Table = DERIVED_TABLES[kind]
    cols = [c.name for c in table.columns if c.name != "id"]
    current: dict[int, set[tuple[Any, ...]]] = defaultdict(set)
    for r in conn.execute(
        select(*[table.c[c] for c in cols]).where(table.c.operation_id.in_(list(wanted)))
    ):
        current[r.operation_id].add(tuple(r))
    changed = [
        op_id
        for op_id, rows in wanted.items()
        if _normalise(current.get(op_id, set()))
        != _normalise({tuple(r.get(c) for c in cols) for r in rows})
    ]
    if not changed:
        return
    conn.execute(delete(table).where(table.c.operation_id.in_(changed)))
    rows = [r for op_id in changed for r in wanted[op_id]]
    if rows:
        conn.execute(table.insert(), clean_rows(table, rows))


def _normalise(rows: set[tuple[Any, ...]]) -> set[tuple[Any, ...]]:
    # Drivers return floats, ints and bools slightly differently; compare by value.
    return {tuple(float(v) if isinstance(v, bool | int | float) else v for v in r) for r in rows}


def write_facts(conn: Connection, wanted: Mapping[int, dict[str, Any]]) -> None:
    """Set the FACT_COLUMNS of each operation in ``wanted`` that differ from its row."""
    current = {
        r.id: r
        for r in conn.execute(
            select(OPERATIONS.c.id, *[OPERATIONS.c[c] for c in FACT_COLUMNS]).where(
                OPERATIONS.c.id.in_(list(wanted))
            )
        )
    }
    updates = []
    for op_id, values in wanted.items():
        now = current.get(op_id)
        if now is None or any(getattr(now, c) != values[c] for c in FACT_COLUMNS):
            updates.append({"op_id": op_id, **{f"new_{c}": values[c] for c in FACT_COLUMNS}})
    if updates:
        conn.execute(
            update(OPERATIONS)
            .where(OPERATIONS.c.id == bindparam("op_id"))
            .values({c: bindparam(f"new_{c}") for c in FACT_COLUMNS}),
            updates,
        )
