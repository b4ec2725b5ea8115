"""How operations relate to each other, as stored: merges (manual) and parents.

The parent rule itself is in tasks/lineage.py (pure: ``choose_parent``); this module reads
what the rule needs (``lineages``: each operation's reconciled totals; ``sharing``: the
operations with a given total) and writes what it decides (``set_parent``). It also holds
the lock that serialises rewrites of derived rows, and ``follow_merges``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, select, update

from db import models as m

T = m.Base.metadata.tables
OPERATIONS, OP_FIGURES = T["operations"], T["operation_figures"]

# pg_advisory_xact_lock key for rewriting derived operation rows (db.engine uses 74657201).
REFRESH_LOCK = 74657202

Pairs = frozenset[tuple[str, float]]


@dataclass(frozen=True, slots=True)
class Lineage:
    id: int
    published: date | None
    operation: Pairs
    international: Pairs
    parent_id: int | None = None


def lock_operations(conn: Connection) -> None:
    """Serialise transactions that rewrite derived operation rows (reconciled figures,
    metrics, checks, facts, parents, merges and splits) until this transaction ends.

    Two PostgreSQL runs refreshing one operation at once would each delete and re-insert its
    reconciled rows, and the second insert would violate the unique key; two refreshes of
    different operations could deadlock on each other's operation rows through parent
    links. A refresh is short, so one at a time costs little. SQLite already lets one
    writer in at a time.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({REFRESH_LOCK})")


def follow_merges(conn: Connection, op_id: int) -> int:
    """The operation that ``op_id`` was (transitively) merged into, or ``op_id`` itself."""
    seen = {op_id}
    while True:
        target = conn.execute(
            select(OPERATIONS.c.merged_into).where(OPERATIONS.c.id == op_id)
        ).scalar_one_or_none()
        if target is None or target in seen:
            return op_id
        seen.add(target)
        op_id = target


CHUNK = 500  # values per IN list


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    items = sorted(set(values))
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def lineages(conn: Connection, ids: Collection[int] | None = None) -> dict[int, Lineage]:
    """Every live (not merged-away) operation with its reconciled totals, or the live ones
    of ``ids``."""
    figs: dict[tuple[int, str], set[tuple[str, float]]] = defaultdict(set)
    out: dict[int, Lineage] = {}
    fq = select(
        OP_FIGURES.c.operation_id, OP_FIGURES.c.scope, OP_FIGURES.c.metric, OP_FIGURES.c.value
    )
    oq = select(OPERATIONS.c.id, OPERATIONS.c.first_published, OPERATIONS.c.parent_id).where(
        OPERATIONS.c.merged_into.is_(None)
    )
    queries = (
        [(fq, oq)]
        if ids is None
        else [
            (fq.where(OP_FIGURES.c.operation_id.in_(chunk)), oq.where(OPERATIONS.c.id.in_(chunk)))
            for chunk in _chunks(ids)
        ]
    )
    for figures_q, operations_q in queries:
        for op_id, scope, metric, value in conn.execute(figures_q):
            figs[(op_id, scope)].add((metric, float(value)))
        for op_id, published, parent_id in conn.execute(operations_q):
            out[op_id] = Lineage(
                op_id,
                published,
                frozenset(figs.get((op_id, "operation"), ())),
                frozenset(figs.get((op_id, "international"), ())),
                parent_id,
            )
    return out


def sharing(conn: Connection, scope: str, pairs: set[tuple[str, float]]) -> set[int]:
    """Live operations with a reconciled ``scope`` figure equal to one of ``pairs``."""
    out: set[int] = set()
    if not pairs:
        return out
    metrics = sorted({metric for metric, _ in pairs})
    for values in _chunks(value for _, value in pairs):
        for op_id, metric, value in conn.execute(
            select(OP_FIGURES.c.operation_id, OP_FIGURES.c.metric, OP_FIGURES.c.value)
            .join(OPERATIONS, OPERATIONS.c.id == OP_FIGURES.c.operation_id)
            .where(
                and_(
                    OP_FIGURES.c.scope == scope,
                    OP_FIGURES.c.metric.in_(metrics),
                    OP_FIGURES.c.value.in_(values),
                    OPERATIONS.c.merged_into.is_(None),
                )
            )
        ):
            if (metric, float(value)) in pairs:
                out.add(op_id)
    return out


def parent_of(conn: Connection, op_id: int) -> int | None:
    """The stored parent of a live operation (None for a merged-away or missing one)."""
    row = conn.execute(
        select(OPERATIONS.c.parent_id, OPERATIONS.c.merged_into).where(OPERATIONS.c.id == op_id)
    ).first()
    return row.parent_id if row is not None and row.merged_into is None else None


def children_of(conn: Connection, ids: Collection[int]) -> set[int]:
    """Live operations whose stored parent is one of ``ids``."""
    out: set[int] = set()
    for chunk in _chunks(ids):
        out.update(
            conn.execute(
                select(OPERATIONS.c.id).where(
                    and_(OPERATIONS.c.merged_into.is_(None), OPERATIONS.c.parent_id.in_(chunk))
                )
            ).scalars()
        )
    return out


def stale_parents(conn: Connection) -> set[int]:
    """Operations with a parent that can no longer be theirs: merged away themselves, or
    pointing at a merged-away operation (a merged-away operation is nobody's parent and
    has none: its pages live elsewhere)."""
    merged = select(OPERATIONS.c.id).where(OPERATIONS.c.merged_into.is_not(None))
    return set(
        conn.execute(
            select(OPERATIONS.c.id).where(
                and_(
                    OPERATIONS.c.parent_id.is_not(None),
                    OPERATIONS.c.parent_id.in_(merged.scalar_subquery())
                    | OPERATIONS.c.merged_into.is_not(None),
                )
            )
        ).scalars()
    )


def set_parent(conn: Connection, op_id: int, parent_id: int | None) -> None:
    conn.execute(update(OPERATIONS).where(OPERATIONS.c.id == op_id).values(parent_id=parent_id))
