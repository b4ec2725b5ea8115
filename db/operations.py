"""Manual decisions about operations, and resolution that respects them.

- ``merge_operations(conn, [target, a, b])``: every page of a and b moves to target; a and b
  stay, marked ``merged_into`` = target, so their ids (cited in reports) still lead somewhere.
- ``split_operation(conn, op, urls)``: those pages leave op for a new operation.
- Both pin each page they move with an ``operation_overrides`` row (append-only: the newest
  row per page rules). The resolve stage (tasks/resolve.py ``resolve_batch``) sends a
  pinned page to its pinned operation and never lets the scoring rule regroup it;
  ``db.load.load`` follows ``merged_into``.
- Both mark the affected operations pending: the caller runs the derive stage
  (tasks/derive.py ``rebuild``) in the same transaction, which rebuilds their reconciled
  figures, metrics, checks, forces and parents.

Errors a user can act on raise ``OperationsError`` with a one-line message.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, and_, func, insert, select, update

from db import load as wh
from db.derived import mark_pending
from db.lineage import follow_merges, lock_operations
from domain.records import Candidate

OPERATIONS, ARTICLES, PAGES = wh.OPERATIONS, wh.ARTICLES, wh.PAGES
OVERRIDES = wh.T["operation_overrides"]
OP_FORCES = wh.T["operation_forces"]


class OperationsError(ValueError):
    """A merge or split that cannot be done, said in one line."""


@dataclass(frozen=True, slots=True)
class OperationRow:
    id: int
    name: str | None
    title: str | None
    lead_agency: str | None
    published: date | None
    pages: int  # pages whose current article belongs to the operation
    forces: int
    parent_id: int | None
    merged_into: int | None
    pinned: int  # pages pinned here by a manual decision


def list_operations(conn: Connection) -> list[OperationRow]:
    pages = dict(
        conn.execute(
            select(ARTICLES.c.operation_id, func.count(func.distinct(ARTICLES.c.page_id)))
            .where(and_(ARTICLES.c.superseded_at.is_(None), ARTICLES.c.operation_id.is_not(None)))
            .group_by(ARTICLES.c.operation_id)
        ).all()
    )
    forces = dict(
        conn.execute(
            select(OP_FORCES.c.operation_id, func.count()).group_by(OP_FORCES.c.operation_id)
        ).all()
    )
    pinned: dict[int, int] = {}
    for op_id in _pins(conn, None).values():
        pinned[op_id] = pinned.get(op_id, 0) + 1
    rows = conn.execute(
        select(
            OPERATIONS.c.id,
            OPERATIONS.c.name,
            OPERATIONS.c.title,
            OPERATIONS.c.lead_agency,
            OPERATIONS.c.first_published,
            OPERATIONS.c.parent_id,
            OPERATIONS.c.merged_into,
        ).order_by(OPERATIONS.c.id)
    ).all()
    return [
        OperationRow(
            r.id,
            r.name,
            r.title,
            r.lead_agency,
            r.first_published,
            int(pages.get(r.id, 0)),
            int(forces.get(r.id, 0)),
            r.parent_id,
            r.merged_into,
            pinned.get(r.id, 0),
        )
        for r in rows
    ]


def _pins(conn: Connection, page_ids: Sequence[int] | None) -> dict[int, int]:
    """page_id -> operation id of the newest override of each page (``None``: every page)."""
    newest = select(func.max(OVERRIDES.c.id)).group_by(OVERRIDES.c.page_id)
    if page_ids is not None:
        if not page_ids:
            return {}
        newest = newest.where(OVERRIDES.c.page_id.in_(sorted(set(page_ids))))
    q = select(OVERRIDES.c.page_id, OVERRIDES.c.operation_id).where(
        OVERRIDES.c.id.in_(newest.scalar_subquery())
    )
    return dict(conn.execute(q).all())


def pinned_operations(conn: Connection, page_ids: Sequence[int]) -> dict[int, int]:
    """page_id -> the operation a manual decision put it in (after later merges)."""
    return {pid: follow_merges(conn, op_id) for pid, op_id in _pins(conn, page_ids).items()}


def _require_live(conn: Connection, op_ids: Sequence[int]) -> None:
    rows = dict(
        conn.execute(
            select(OPERATIONS.c.id, OPERATIONS.c.merged_into).where(
                OPERATIONS.c.id.in_(list(op_ids))
            )
        ).all()
    )
    for op_id in op_ids:
        if op_id not in rows:
            raise OperationsError(f"no operation {op_id}")
        if rows[op_id] is not None:
            raise OperationsError(f"operation {op_id} was merged into operation {rows[op_id]}")


def _current_pages(conn: Connection, op_id: int) -> dict[int, str]:
    """page_id -> url of the pages whose current article belongs to ``op_id``."""
    return dict(
        conn.execute(
            select(ARTICLES.c.page_id, ARTICLES.c.url)
            .where(and_(ARTICLES.c.operation_id == op_id, ARTICLES.c.superseded_at.is_(None)))
            .order_by(ARTICLES.c.page_id)
        ).all()
    )


def merge_operations(
    conn: Connection, op_ids: Sequence[int], *, now: datetime | None = None
) -> int:
    """Move every page of ``op_ids[1:]`` to ``op_ids[0]``. Returns the number of pages moved."""
    if len(op_ids) < 2:
        raise OperationsError("merge needs at least two operation ids")
    if len(set(op_ids)) != len(op_ids):
        raise OperationsError("merge: an operation id is given twice")
    lock_operations(conn)  # before any row lock: refreshes take it first too
    _require_live(conn, op_ids)
    target, others = op_ids[0], list(op_ids[1:])
    now = now or wh.utcnow()
    rows = []
    for op_id in [target, *others]:
        # The target's own pages are pinned too: the decision is that they are one operation.
        rows += [
            {
                "page_id": pid,
                "operation_id": target,
                "previous_operation_id": op_id,
                "action": "merge",
                "created_at": now,
            }
            for pid in _current_pages(conn, op_id)
        ]
    moved = sum(1 for r in rows if r["previous_operation_id"] != target)
    if rows:
        conn.execute(insert(OVERRIDES), rows)
    # Every reading of a moved page moves, so the target's history holds all its claims.
    conn.execute(
        update(ARTICLES).where(ARTICLES.c.operation_id.in_(others)).values(operation_id=target)
    )
    conn.execute(
        update(OPERATIONS).where(OPERATIONS.c.merged_into.in_(others)).values(merged_into=target)
    )
    conn.execute(update(OPERATIONS).where(OPERATIONS.c.id.in_(others)).values(merged_into=target))
    mark_pending(conn, [target, *others])
    return moved


def split_operation(
    conn: Connection, op_id: int, urls: Sequence[str], *, now: datetime | None = None
) -> int:
    """Move the pages at ``urls`` out of ``op_id`` into a new operation. Returns its id."""
    if not urls:
        raise OperationsError("split needs at least one --page URL")
    lock_operations(conn)  # before any row lock: refreshes take it first too
    _require_live(conn, [op_id])
    current = _current_pages(conn, op_id)
    by_url = {url: pid for pid, url in current.items()}
    page_ids: list[int] = []
    for url in urls:
        pid = by_url.get(url)
        if pid is None:
            known = conn.execute(select(PAGES.c.id).where(PAGES.c.url == url)).first()
            where = "not in the warehouse" if known is None else f"not in operation {op_id}"
            raise OperationsError(f"page {url} is {where}")
        if pid not in page_ids:
            page_ids.append(pid)
    if len(page_ids) == len(current):
        raise OperationsError(
            f"split would leave operation {op_id} without pages; merge or keep it instead"
        )
    now = now or wh.utcnow()
    key = _free_key(conn, f"split:{op_id}:{'-'.join(str(p) for p in sorted(page_ids))}")
    new_id = conn.execute(
        insert(OPERATIONS).values(key=key, confidence=1.0).returning(OPERATIONS.c.id)
    ).scalar_one()
    conn.execute(
        insert(OVERRIDES),
        [
            {
                "page_id": pid,
                "operation_id": new_id,
                "previous_operation_id": op_id,
                "action": "split",
                "created_at": now,
            }
            for pid in page_ids
        ],
    )
    conn.execute(
        update(ARTICLES)
        .where(and_(ARTICLES.c.page_id.in_(page_ids), ARTICLES.c.operation_id == op_id))
        .values(operation_id=new_id)
    )
    mark_pending(conn, [op_id, new_id])
    return new_id


def _free_key(conn: Connection, key: str) -> str:
    key = key[:190]
    taken = set(
        conn.execute(select(OPERATIONS.c.key).where(OPERATIONS.c.key.like(f"{key}%"))).scalars()
    )
    candidate, n = key, 1
    while candidate in taken:
        n += 1
        candidate = f"{key}:{n}"
    return candidate


def operation_candidates(conn: Connection, op_ids: Collection[int]) -> dict[int, Candidate]:
    """operation id -> the operation as a resolution candidate (db.load.candidates)."""
    keys = dict(
        conn.execute(
            select(OPERATIONS.c.id, OPERATIONS.c.key).where(OPERATIONS.c.id.in_(sorted(op_ids)))
        ).all()
    )
    by_key = {c.key: c for c in wh.candidates(conn, ids=op_ids)}
    return {op_id: by_key[key] for op_id, key in keys.items()}


def operation_keys(conn: Connection, op_ids: Collection[int]) -> dict[int, str]:
    """operation id -> key."""
    if not op_ids:
        return {}
    return dict(
        conn.execute(
            select(OPERATIONS.c.id, OPERATIONS.c.key).where(OPERATIONS.c.id.in_(sorted(op_ids)))
        ).all()
    )
