"""Reads and writes of follow-up pages and their links to operations (followup_links).

Nothing here decides anything: whether a page is a follow-up is tasks/figures/followup.py's
rule, which operation it reports on is tasks/followup.py's. This module records the
follow-up pages the load stage meets, hands the linking rule its inputs, writes back the
links that changed, and reads each operation's linked outcomes for the derive stage and
the report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, select, update

from db import models as m
from db.derived import mark_pending
from db.upsert import insert_ignore

T = m.Base.metadata.tables
LINKS, ARTICLES, FIGURES, PAGES = T["followup_links"], T["articles"], T["figures"], T["pages"]
OPERATIONS, ARTICLE_FORCES, OP_FORCES = T["operations"], T["article_forces"], T["operation_forces"]

UNLINKED = "none"  # the method of a follow-up no operation matches


class FollowupError(ValueError):
    """A link or unlink that cannot be done, said in one line."""


def record_followup(conn: Connection, page_id: int, is_followup: bool) -> set[int]:
    """Keep one followup_links row per follow-up page (unlinked until the derive stage
    links it); drop the automatic row of a page that is no longer read as one. Returns the
    operations whose follow-ups changed."""
    row = conn.execute(
        select(LINKS.c.operation_id, LINKS.c.manual).where(LINKS.c.page_id == page_id)
    ).first()
    if is_followup:
        if row is None:
            insert_ignore(
                conn,
                LINKS,
                [
                    {
                        "page_id": page_id,
                        "operation_id": None,
                        "method": UNLINKED,
                        "manual": False,
                        "updated_at": datetime.now(UTC),
                    }
                ],
                ["page_id"],
            )
        # A new reading of a linked page may give new outcomes.
        return {row.operation_id} if row is not None and row.operation_id else set()
    if row is None or row.manual:
        return set()
    conn.execute(delete(LINKS).where(LINKS.c.page_id == page_id))
    return {row.operation_id} if row.operation_id else set()


@dataclass(frozen=True, slots=True)
class FollowupPage:
    """A follow-up page as the linking rule reads it (its current article)."""

    page_id: int
    operation_id: int | None
    manual: bool
    method: str
    evidence: str | None
    title: str | None
    body: str
    published: date | None
    op_name: str | None
    theme: str | None
    forces: frozenset[int]


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """A live operation as the linking rule sees it."""

    id: int
    name: str | None
    theme: str | None
    lead_agency: str | None
    first_published: date | None
    start_date: date | None
    end_date: date | None
    title: str | None
    forces: frozenset[int]


def followup_pages(conn: Connection) -> list[FollowupPage]:
    """Every follow-up page with its current reading, by page id."""
    rows = conn.execute(
        select(
            LINKS.c.page_id,
            LINKS.c.operation_id,
            LINKS.c.manual,
            LINKS.c.method,
            LINKS.c.evidence,
            ARTICLES.c.id.label("aid"),
            ARTICLES.c.title,
            ARTICLES.c.body,
            ARTICLES.c.published,
            ARTICLES.c.op_name,
            ARTICLES.c.theme,
        )
        .join(
            ARTICLES,
            and_(ARTICLES.c.page_id == LINKS.c.page_id, ARTICLES.c.superseded_at.is_(None)),
        )
        .order_by(LINKS.c.page_id)
    ).all()
    forces: dict[int, set[int]] = defaultdict(set)
    aids = [r.aid for r in rows]
    for i in range(0, len(aids), 500):
        for aid, fid in conn.execute(
            select(ARTICLE_FORCES.c.article_id, ARTICLE_FORCES.c.force_id).where(
                and_(
                    ARTICLE_FORCES.c.article_id.in_(aids[i : i + 500]),
                    ARTICLE_FORCES.c.force_id.is_not(None),
                )
            )
        ):
            forces[aid].add(fid)
    return [
        FollowupPage(
            r.page_id,
            r.operation_id,
            bool(r.manual),
            r.method,
            r.evidence,
            r.title,
            r.body or "",
            r.published,
            r.op_name,
            r.theme,
            frozenset(forces.get(r.aid, ())),
        )
        for r in rows
    ]


def link_targets(conn: Connection) -> list[LinkTarget]:
    """Every live operation (not merged into another) with the forces its pages name."""
    forces: dict[int, set[int]] = defaultdict(set)
    for op_id, fid in conn.execute(select(OP_FORCES.c.operation_id, OP_FORCES.c.force_id)):
        forces[op_id].add(fid)
    return [
        LinkTarget(
            r.id,
            r.name,
            r.theme,
            r.lead_agency,
            r.first_published,
            r.start_date,
            r.end_date,
            r.title,
            frozenset(forces.get(r.id, ())),
        )
        for r in conn.execute(
            select(
                OPERATIONS.c.id,
                OPERATIONS.c.name,
                OPERATIONS.c.theme,
                OPERATIONS.c.lead_agency,
                OPERATIONS.c.first_published,
                OPERATIONS.c.start_date,
                OPERATIONS.c.end_date,
                OPERATIONS.c.title,
            )
            .where(OPERATIONS.c.merged_into.is_(None))
            .order_by(OPERATIONS.c.id)
        )
    ]


def write_links(
    conn: Connection, links: Mapping[int, tuple[int | None, str, float | None, str | None]]
) -> None:
    """Set each page's (operation_id, method, score, evidence)."""
    now = datetime.now(UTC)
    for page_id, (op_id, method, score, evidence) in links.items():
        conn.execute(
            update(LINKS)
            .where(LINKS.c.page_id == page_id)
            .values(
                operation_id=op_id, method=method, score=score, evidence=evidence, updated_at=now
            )
        )


def set_manual_link(conn: Connection, url: str, op_id: int | None) -> tuple[int | None, int | None]:
    """A person's decision: the follow-up page at ``url`` reports on ``op_id`` (None:
    on no operation). Returns (previous operation, new operation); both are marked pending
    so the caller's derive rebuilds their metrics in the same transaction."""
    page_id = conn.execute(select(PAGES.c.id).where(PAGES.c.url == url)).scalar()
    if page_id is None:
        raise FollowupError(f"no page {url} in the warehouse")
    row = conn.execute(select(LINKS.c.operation_id).where(LINKS.c.page_id == page_id)).first()
    if row is None:
        raise FollowupError(f"{url} is not a follow-up page (optally operations list shows pages)")
    if op_id is not None:
        live = conn.execute(
            select(OPERATIONS.c.merged_into).where(OPERATIONS.c.id == op_id)
        ).first()
        if live is None:
            raise FollowupError(f"no operation {op_id}")
        if live.merged_into is not None:
            raise FollowupError(f"operation {op_id} was merged into {live.merged_into}")
    conn.execute(
        update(LINKS)
        .where(LINKS.c.page_id == page_id)
        .values(
            operation_id=op_id,
            method="manual" if op_id is not None else UNLINKED,
            score=None,
            evidence=None,
            manual=True,
            updated_at=datetime.now(UTC),
        )
    )
    mark_pending(conn, [i for i in (row.operation_id, op_id) if i is not None])
    return row.operation_id, op_id


@dataclass(frozen=True, slots=True)
class Outcome:
    """One linked follow-up page's outcomes, as its current reading states them."""

    page_id: int
    url: str
    title: str | None
    published: date | None
    method: str
    evidence: str | None
    figures: Mapping[str, tuple[float, str, str]]  # metric -> (value, evidence, qualifier)


def outcomes(conn: Connection, op_ids: Iterable[int] | None = None) -> dict[int, list[Outcome]]:
    """Per operation (all, or ``op_ids``), its linked follow-ups with their followup-scope
    figures, oldest first."""
    q = (
        select(
            LINKS.c.operation_id,
            LINKS.c.page_id,
            LINKS.c.method,
            LINKS.c.evidence.label("link_evidence"),
            ARTICLES.c.id.label("aid"),
            ARTICLES.c.url,
            ARTICLES.c.title,
            ARTICLES.c.published,
        )
        .join(
            ARTICLES,
            and_(ARTICLES.c.page_id == LINKS.c.page_id, ARTICLES.c.superseded_at.is_(None)),
        )
        .where(LINKS.c.operation_id.is_not(None))
    )
    if op_ids is not None:
        q = q.where(LINKS.c.operation_id.in_(sorted(set(op_ids))))
    rows = conn.execute(q).all()
    figs: dict[int, dict[str, tuple[float, str, str]]] = defaultdict(dict)
    aids = [r.aid for r in rows]
    for i in range(0, len(aids), 500):
        for f in conn.execute(
            select(
                FIGURES.c.article_id,
                FIGURES.c.metric,
                FIGURES.c.value,
                FIGURES.c.evidence,
                FIGURES.c.qualifier,
            ).where(
                and_(FIGURES.c.article_id.in_(aids[i : i + 500]), FIGURES.c.scope == "followup")
            )
        ):
            figs[f.article_id][f.metric] = (float(f.value), f.evidence, f.qualifier)
    out: dict[int, list[Outcome]] = defaultdict(list)
    for r in rows:
        out[r.operation_id].append(
            Outcome(
                r.page_id,
                r.url,
                r.title,
                r.published,
                r.method,
                r.link_evidence,
                figs.get(r.aid, {}),
            )
        )
    for items in out.values():
        items.sort(key=lambda o: (o.published or date.max, o.page_id))
    return out


def unlinked(conn: Connection) -> list[dict[str, Any]]:
    """Follow-up pages no operation matched: url, title, published."""
    return [
        dict(r._mapping)
        for r in conn.execute(
            select(ARTICLES.c.url, ARTICLES.c.title, ARTICLES.c.published)
            .join(
                LINKS,
                and_(ARTICLES.c.page_id == LINKS.c.page_id, ARTICLES.c.superseded_at.is_(None)),
            )
            .where(LINKS.c.operation_id.is_(None))
            .order_by(ARTICLES.c.published, ARTICLES.c.url)
        )
    ]
