"""How operations relate to each other: merges (manual) and parents (a documented rule).

Parent rule (``choose_parent``). A UK operation is part of a wider international action
when another operation's headline totals are the UK operation's international totals:

- the child has reconciled international-scope figures I; the candidate parent has
  reconciled operation-scope figures O; shared = the (metric, value) pairs in both I and O
  that are not also the child's own operation-scope figures (a duplicate of the child is
  not a wider action);
- shared must be at least min(MIN_SHARED, |I|): two equal totals (say arrests 175 and
  potential victims 187), or the only international total the child gives;
- both operations have a publication date, at most PARENT_WINDOW_DAYS apart (Europol
  often publishes the results of joint action days a week or two after the national
  releases);
- the candidate is neither the child, nor merged away, nor a descendant of the child;
- among candidates: the most shared pairs, then the nearest date, then the lowest id.

The rule runs after reconciliation (``refresh_operations``) and is recomputed each time,
so a revised figure can link or unlink a parent. There is no manual parent override.
``link_parents`` reads only the operations a change can concern (those sharing a total
with the changed ones), not the whole warehouse: it runs with every load batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, select, update

from db import models as m

T = m.Base.metadata.tables
OPERATIONS, OP_FIGURES = T["operations"], T["operation_figures"]

PARENT_WINDOW_DAYS = 30
MIN_SHARED = 2
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


def shared_totals(child: Lineage, parent: Lineage) -> int:
    return len((child.international & parent.operation) - child.operation)


def choose_parent(
    child: Lineage, others: Sequence[Lineage], parents: Mapping[int, int | None] | None = None
) -> int | None:
    """The id of the operation ``child`` is part of, by the rule above, or None.

    ``parents`` (id -> parent id) lets the rule refuse a candidate that descends from the child.
    """
    if not child.international or child.published is None:
        return None
    need = min(MIN_SHARED, len(child.international))
    best: tuple[int, int, int] | None = None  # (-shared, gap, id)
    for p in others:
        if p.id == child.id or p.published is None:
            continue
        gap = abs((p.published - child.published).days)
        if gap > PARENT_WINDOW_DAYS:
            continue
        shared = shared_totals(child, p)
        if shared < need or _descends(p.id, child.id, {} if parents is None else parents):
            continue
        key = (-shared, gap, p.id)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def _descends(op_id: int, ancestor: int, parents: Mapping[int, int | None]) -> bool:
    seen: set[int] = set()
    cur: int | None = op_id
    while cur is not None and cur not in seen:
        if cur == ancestor:
            return True
        seen.add(cur)
        cur = parents.get(cur)
    return False


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


def _sharing(conn: Connection, scope: str, pairs: set[tuple[str, float]]) -> set[int]:
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


class _Parents(dict[int, int | None]):
    """parent_id of live operations (None for merged-away or missing ones), read from the
    warehouse when first asked for; ``link_parents`` records its own changes here."""

    def __init__(self, conn: Connection, known: Mapping[int, int | None]) -> None:
        super().__init__(known)
        self._conn = conn

    def get(self, op_id: int, default: int | None = None) -> int | None:  # type: ignore[override]
        if op_id not in self:
            row = self._conn.execute(
                select(OPERATIONS.c.parent_id, OPERATIONS.c.merged_into).where(
                    OPERATIONS.c.id == op_id
                )
            ).first()
            self[op_id] = row.parent_id if row is not None and row.merged_into is None else None
        return super().get(op_id, default)


def link_parents(conn: Connection, op_ids: Iterable[int]) -> None:
    """Recompute ``parent_id`` of the operations a change to ``op_ids`` can affect: those
    operations, their children, and operations whose international totals they report.

    Only the operations this can concern are read: those, and the live operations one of
    whose totals is one of their international totals (no other can be chosen as a parent:
    ``choose_parent`` needs a shared total). The result is the rule's over every operation."""
    ids = set(op_ids)
    if not ids:
        return
    own = lineages(conn, ids)
    touched_totals: set[tuple[str, float]] = set().union(*(o.operation for o in own.values()))
    affected = set(own) | _sharing(conn, "international", touched_totals)
    for chunk in _chunks(ids):
        affected.update(
            conn.execute(
                select(OPERATIONS.c.id).where(
                    and_(OPERATIONS.c.merged_into.is_(None), OPERATIONS.c.parent_id.in_(chunk))
                )
            ).scalars()
        )
    # A merged-away operation is nobody's parent and has none: its pages live elsewhere.
    merged = select(OPERATIONS.c.id).where(OPERATIONS.c.merged_into.is_not(None))
    stale = set(
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
    children = {**own, **lineages(conn, (affected | stale) - set(own))}
    wanted_totals: set[tuple[str, float]] = set().union(
        *(c.international for c in children.values())
    )
    others = lineages(conn, _sharing(conn, "operation", wanted_totals))
    parents = _Parents(conn, {o.id: o.parent_id for o in (*children.values(), *others.values())})
    candidates = list(others.values())
    for op_id in sorted(affected | stale):
        child = children.get(op_id)
        wanted = choose_parent(child, candidates, parents) if child else None
        if child is None or wanted != child.parent_id:
            conn.execute(
                update(OPERATIONS).where(OPERATIONS.c.id == op_id).values(parent_id=wanted)
            )
            parents[op_id] = wanted
