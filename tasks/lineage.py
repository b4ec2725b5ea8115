"""Parents: which wider action a UK operation is part of (a documented rule, pure).

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

The rule runs after reconciliation (the derive stage, tasks/derive.py) and is recomputed
each time, so a revised figure can link or unlink a parent. There is no manual parent
override. ``link_parents`` reads (db/lineage.py) only the operations a change can concern
(those sharing a total with the changed ones), not the whole warehouse: it runs with every
derive.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import Connection

from db.lineage import (
    Lineage,
    children_of,
    lineages,
    parent_of,
    set_parent,
    sharing,
    stale_parents,
)

PARENT_WINDOW_DAYS = 30
MIN_SHARED = 2


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


class _Parents(dict[int, int | None]):
    """parent_id of live operations (None for merged-away or missing ones), read from the
    warehouse when first asked for; ``link_parents`` records its own changes here."""

    def __init__(self, conn: Connection, known: Mapping[int, int | None]) -> None:
        super().__init__(known)
        self._conn = conn

    def get(self, op_id: int, default: int | None = None) -> int | None:  # type: ignore[override]
        if op_id not in self:
            self[op_id] = parent_of(self._conn, op_id)
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
    affected = set(own) | sharing(conn, "international", touched_totals) | children_of(conn, ids)
    stale = stale_parents(conn)
    children = {**own, **lineages(conn, (affected | stale) - set(own))}
    wanted_totals: set[tuple[str, float]] = set().union(
        *(c.international for c in children.values())
    )
    others = lineages(conn, sharing(conn, "operation", wanted_totals))
    parents = _Parents(conn, {o.id: o.parent_id for o in (*children.values(), *others.values())})
    candidates = list(others.values())
    for op_id in sorted(affected | stale):
        child = children.get(op_id)
        wanted = choose_parent(child, candidates, parents) if child else None
        if child is None or wanted != child.parent_id:
            set_parent(conn, op_id, wanted)
            parents[op_id] = wanted
