"""The forces a page names, linked to the warehouse's forces table.

``article_forces`` keeps each name as the article wrote it (unmatched names too, so the
alias list can be improved from the warehouse). ``operation_forces`` is derived: the
matched forces of an operation's current articles, rebuilt whenever its pages change.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, and_, delete, select

from db import models as m
from db.upsert import insert_ignore
from domain.forces import load_forces, match_force, normalise
from domain.records import Extraction

T = m.Base.metadata.tables
FORCES, ALIASES = T["forces"], T["force_aliases"]
ARTICLE_FORCES, OP_FORCES, ARTICLES = T["article_forces"], T["operation_forces"], T["articles"]
WRITTEN_MAX = 200  # article_forces.written is String(200), as figures.subject is


def sync_forces(conn: Connection) -> None:
    """Add forces and aliases of config/forces.json that the warehouse lacks (never deletes)."""
    forces = load_forces()
    insert_ignore(
        conn,
        FORCES,
        [{"slug": f.slug, "name": f.name, "kind": f.kind, "country": f.country} for f in forces],
        ["slug"],
    )
    ids = dict(conn.execute(select(FORCES.c.slug, FORCES.c.id)).all())
    aliases: dict[str, int] = {}
    for f in forces:
        for spelling in f.spellings:
            key = normalise(spelling)
            if key:
                aliases.setdefault(key, ids[f.slug])
    insert_ignore(
        conn,
        ALIASES,
        [{"alias": a, "force_id": fid} for a, fid in sorted(aliases.items())],
        ["alias"],
    )


def force_ids(conn: Connection) -> dict[str, int]:
    """Slug -> forces.id, adding forces that were vendored after the warehouse was seeded."""
    ids = dict(conn.execute(select(FORCES.c.slug, FORCES.c.id)).all())
    if any(f.slug not in ids for f in load_forces()):
        sync_forces(conn)
        ids = dict(conn.execute(select(FORCES.c.slug, FORCES.c.id)).all())
    return ids


def named_forces(extraction: Extraction) -> list[tuple[str, str | None]]:
    """(name as written, slug or None) for the forces a page names: its operation's force
    list (kept even when unmatched) and the subjects of its force-scope figures (kept only
    when they name a force: a force-scope subject may be a country)."""
    out: dict[str, str | None] = {}
    for name in extraction.result.operation.forces:
        written = " ".join(name.split())[:WRITTEN_MAX]
        if written:
            out.setdefault(written, match_force(written))
    for f in extraction.result.figures:
        if f.scope == "force" and f.subject:
            written = " ".join(f.subject.split())[:WRITTEN_MAX]
            slug = match_force(written)
            if slug:
                out.setdefault(written, slug)
    return list(out.items())


def record_article_forces(
    conn: Connection,
    article_id: int,
    extraction: Extraction,
    ids: dict[str, int] | None = None,
) -> None:
    """Link an article to the forces it names. ``ids`` is the caller's slug -> forces.id map
    for its transaction, read into it on first use (``db.load.load`` keeps one per batch:
    reading the forces table for every article cost a tenth of loading); without it the
    table is read for this article."""
    named = named_forces(extraction)
    if not named:
        return
    if ids is None:
        ids = force_ids(conn)
    elif not ids:
        ids.update(force_ids(conn))
    insert_ignore(
        conn,
        ARTICLE_FORCES,
        [
            {"article_id": article_id, "written": w, "force_id": ids.get(slug) if slug else None}
            for w, slug in named
        ],
        ["article_id", "written"],
    )


def refresh_operation_forces(conn: Connection, op_ids: Iterable[int]) -> None:
    """Make each operation's forces equal those its current articles name."""
    for op_id in sorted(set(op_ids)):
        wanted = set(
            conn.execute(
                select(ARTICLE_FORCES.c.force_id)
                .join(ARTICLES, ARTICLES.c.id == ARTICLE_FORCES.c.article_id)
                .where(
                    and_(
                        ARTICLES.c.operation_id == op_id,
                        ARTICLES.c.superseded_at.is_(None),
                        ARTICLE_FORCES.c.force_id.is_not(None),
                    )
                )
            ).scalars()
        )
        current = set(
            conn.execute(
                select(OP_FORCES.c.force_id).where(OP_FORCES.c.operation_id == op_id)
            ).scalars()
        )
        if current - wanted:
            conn.execute(
                delete(OP_FORCES).where(
                    and_(
                        OP_FORCES.c.operation_id == op_id,
                        OP_FORCES.c.force_id.in_(sorted(current - wanted)),
                    )
                )
            )
        insert_ignore(
            conn,
            OP_FORCES,
            [{"operation_id": op_id, "force_id": fid} for fid in sorted(wanted - current)],
            ["operation_id", "force_id"],
        )
