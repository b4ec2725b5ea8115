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
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

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
        if shared < need or _descends(p.id, child.id, parents or {}):
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


def lineages(conn: Connection) -> dict[int, Lineage]:
    """Every live (not merged-away) operation with its reconciled totals."""
    figs: dict[tuple[int, str], set[tuple[str, float]]] = defaultdict(set)
    for op_id, scope, metric, value in conn.execute(
        select(
            OP_FIGURES.c.operation_id, OP_FIGURES.c.scope, OP_FIGURES.c.metric, OP_FIGURES.c.value
        )
    ):
        figs[(op_id, scope)].add((metric, float(value)))
    out: dict[int, Lineage] = {}
    for op_id, published, parent_id in conn.execute(
        select(OPERATIONS.c.id, OPERATIONS.c.first_published, OPERATIONS.c.parent_id).where(
            OPERATIONS.c.merged_into.is_(None)
        )
    ):
        out[op_id] = Lineage(
            op_id,
            published,
            frozenset(figs.get((op_id, "operation"), ())),
            frozenset(figs.get((op_id, "international"), ())),
            parent_id,
        )
    return out


def link_parents(conn: Connection, op_ids: Iterable[int]) -> None:
    """Recompute ``parent_id`` of the operations a change to ``op_ids`` can affect: those
    operations, their children, and operations whose international totals they report."""
    ids = set(op_ids)
    if not ids:
        return
    ops = lineages(conn)
    touched_totals = set().union(*(ops[i].operation for i in ids if i in ops))
    affected = {
        o.id
        for o in ops.values()
        if o.id in ids or o.parent_id in ids or (o.international & touched_totals)
    }
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
    parents = {o.id: o.parent_id for o in ops.values()}
    others = list(ops.values())
    for op_id in sorted(affected | stale):
        child = ops.get(op_id)
        wanted = choose_parent(child, others, parents) if child else None
        if child is None or wanted != child.parent_id:
            conn.execute(
                update(OPERATIONS).where(OPERATIONS.c.id == op_id).values(parent_id=wanted)
            )
            parents[op_id] = wanted
