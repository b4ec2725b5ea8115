"""One page, one row, in warehouses written before it was so (migration 0003).

Pages archived before 0003 have a NULL ``fetched_url``: their ``url`` is the URL they were
fetched by, which may not be their identity now (domain/urls.py: the declared canonical
URL, trailing slash, tracking parameters, the NCA's id and slug forms...). The first run
of their source after the upgrade re-keys them (``rekey_pages``): each gets its identity
from its newest archived body, and pages that turn out to be one page merge into one row
(``rekey``, ``merge_page``):

- its versions move to the page kept; a body both archived stays once, and where both
  read it with one parser version the reading of the page merged away is dropped, with
  its claims (the same text read by the same parser gave the same claims);
- every other reading moves with its version, and the page's newest reading stays its
  current one: the others are closed (``superseded_at``) at the moment it was fetched;
- manual operation decisions (operation_overrides) move to the page kept; its crawl state
  is the most recently fetched one's;
- the operations whose claims changed are marked pending for the derive stage
  (tasks/derive.py rebuild, which the run calls before it resolves anything).

Pages of sources that are not in the run wait for a run of theirs.
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, select, update

from db import models as m
from db.derived import mark_pending
from db.sanitize import clean

T = m.Base.metadata.tables
PAGES, VERSIONS, SOURCES = T["pages"], T["page_versions"], T["sources"]
ARTICLES, FIGURES, BREAKDOWNS = T["articles"], T["figures"], T["arrest_breakdowns"]
ARTICLE_FORCES, OP_FIGURES = T["article_forces"], T["operation_figures"]
OVERRIDES, ABSTENTIONS = T["operation_overrides"], T["abstentions"]

Identify = Callable[[Any, str, bytes | None], str]
REKEY_CHUNK = 200  # pages whose newest body is read at once (memory: one body each)
CRAWL_STATE = ("fetched_at", "http_status", "etag", "last_modified", "content_hash")


def rekey_pages(engine: Engine, sources: Iterable[Any], identify: Identify) -> int:
    """Give the pages of ``sources`` keyed before 0003 their identity, merging those that
    are one page. One transaction; nothing to do (the usual case) costs one query.
    ``identify(source, url, newest body)`` is the identity rule (domain/urls.py
    source_page_identity). Returns the number of pages merged away."""
    by_name = {s.name: s for s in sources}
    if not by_name:
        return 0
    with engine.begin() as conn:
        rows = conn.execute(
            select(PAGES.c.id, PAGES.c.url, SOURCES.c.name)
            .join(SOURCES, SOURCES.c.id == PAGES.c.source_id)
            .where(and_(PAGES.c.fetched_url.is_(None), SOURCES.c.name.in_(sorted(by_name))))
            .order_by(PAGES.c.id)
        ).all()
        if not rows:
            return 0
        wanted: dict[int, str] = {}
        for i in range(0, len(rows), REKEY_CHUNK):
            chunk = rows[i : i + REKEY_CHUNK]
            bodies = _newest_bodies(conn, [r.id for r in chunk])
            for r in chunk:
                wanted[r.id] = identify(by_name[r.name], r.url, bodies.get(r.id))
        return rekey(conn, wanted)


def _newest_bodies(conn: Connection, page_ids: Sequence[int]) -> dict[int, bytes]:
    newest = (
        select(func.max(VERSIONS.c.id))
        .where(VERSIONS.c.page_id.in_(list(page_ids)))
        .group_by(VERSIONS.c.page_id)
    )
    return {
        pid: gzip.decompress(body)
        for pid, body in conn.execute(
            select(VERSIONS.c.page_id, VERSIONS.c.body_gz).where(VERSIONS.c.id.in_(newest))
        )
    }


def rekey(conn: Connection, wanted: Mapping[int, str]) -> int:
    """Give each page in ``wanted`` (page id -> identity) that identity: pages wanting one
    identity, and a page that already has it, become one row (the one that has it, else the
    oldest). A page with no ``fetched_url`` gets its old url as one. Returns the number of
    pages merged away."""
    wanted = {pid: clean(PAGES.c.url, key) for pid, key in wanted.items()}
    current = dict(
        conn.execute(select(PAGES.c.id, PAGES.c.url).where(PAGES.c.id.in_(list(wanted)))).all()
    )
    groups: dict[str, list[int]] = defaultdict(list)
    for pid in sorted(wanted):
        if pid in current:
            groups[wanted[pid]].append(pid)
    # A page that already has an identity asked for, and keeps it (not one that moves on).
    holders = {
        url: pid
        for pid, url in conn.execute(
            select(PAGES.c.id, PAGES.c.url).where(PAGES.c.url.in_(list(groups)))
        )
        if wanted.get(pid, url) == url
    }
    touched: set[int] = set()
    merged = 0
    renames: dict[int, str] = {}
    for key, pids in groups.items():
        keep = holders.get(key, pids[0])
        dups = [pid for pid in pids if pid != keep]
        for dup in dups:
            touched |= merge_page(conn, dup, keep)
        merged += len(dups)
        if keep in current:
            conn.execute(
                update(PAGES)
                .where(and_(PAGES.c.id == keep, PAGES.c.fetched_url.is_(None)))
                .values(fetched_url=current[keep])
            )
        if dups or current.get(keep, key) != key:
            renames[keep] = key
    _rename(conn, renames)
    mark_pending(conn, touched)
    return merged


def _rename(conn: Connection, renames: Mapping[int, str]) -> None:
    """Set each page's url, and its readings' url, in two steps: a page may take the url
    another one gives up in this same call (url is unique at every statement)."""
    for pid in renames:
        conn.execute(update(PAGES).where(PAGES.c.id == pid).values(url=f"optally-rekey:{pid}"))
    for pid, key in renames.items():
        conn.execute(update(PAGES).where(PAGES.c.id == pid).values(url=key))
        conn.execute(update(ARTICLES).where(ARTICLES.c.page_id == pid).values(url=key))


def merge_page(conn: Connection, dup: int, keep: int) -> set[int]:
    """Move everything of page ``dup`` to page ``keep`` and delete ``dup`` (module
    docstring). Returns the operations whose claims changed."""
    touched: set[int] = set()
    kept_bodies = dict(
        conn.execute(
            select(VERSIONS.c.content_hash, VERSIONS.c.id).where(VERSIONS.c.page_id == keep)
        ).all()
    )
    for vid, content_hash in conn.execute(
        select(VERSIONS.c.id, VERSIONS.c.content_hash).where(VERSIONS.c.page_id == dup)
    ).all():
        same = kept_bodies.get(content_hash)
        if same is None:
            conn.execute(update(VERSIONS).where(VERSIONS.c.id == vid).values(page_id=keep))
            conn.execute(update(ARTICLES).where(ARTICLES.c.version_id == vid).values(page_id=keep))
            continue
        touched |= _move_readings(conn, vid, same, keep)
        conn.execute(delete(VERSIONS).where(VERSIONS.c.id == vid))
    conn.execute(update(ARTICLES).where(ARTICLES.c.page_id == dup).values(page_id=keep))
    conn.execute(update(OVERRIDES).where(OVERRIDES.c.page_id == dup).values(page_id=keep))
    _take_crawl_state(conn, keep, dup)
    conn.execute(delete(PAGES).where(PAGES.c.id == dup))
    touched |= _one_current_reading(conn, keep)
    return {op for op in touched if op is not None}


def _move_readings(conn: Connection, vid: int, same: int, keep: int) -> set[int]:
    """The readings of version ``vid`` onto version ``same`` (the same body, kept), except
    those of a parser version that read ``same`` too: those are dropped."""
    read = set(
        conn.execute(
            select(ARTICLES.c.parser_version).where(ARTICLES.c.version_id == same)
        ).scalars()
    )
    touched: set[int] = set()
    for aid, parser, op_id in conn.execute(
        select(ARTICLES.c.id, ARTICLES.c.parser_version, ARTICLES.c.operation_id).where(
            ARTICLES.c.version_id == vid
        )
    ).all():
        touched.add(op_id)
        if parser in read:
            _delete_article(conn, aid)
        else:
            conn.execute(
                update(ARTICLES).where(ARTICLES.c.id == aid).values(version_id=same, page_id=keep)
            )
    return touched


def _delete_article(conn: Connection, article_id: int) -> None:
    """A reading and its claims. Reconciled figures that chose one of them are derived
    rows: they go too, and the refresh that follows every merge chooses again."""
    figures = select(FIGURES.c.id).where(FIGURES.c.article_id == article_id)
    conn.execute(delete(OP_FIGURES).where(OP_FIGURES.c.figure_id.in_(figures)))
    for table in (FIGURES, BREAKDOWNS, ARTICLE_FORCES, ABSTENTIONS):
        conn.execute(delete(table).where(table.c.article_id == article_id))
    conn.execute(delete(ARTICLES).where(ARTICLES.c.id == article_id))


def _take_crawl_state(conn: Connection, keep: int, dup: int) -> None:
    """The page kept takes the crawl state of whichever was fetched last, the earliest
    first sighting, and what it lacks of the other's listing and fetched URL."""
    rows = {r.id: r for r in conn.execute(select(PAGES).where(PAGES.c.id.in_([keep, dup])))}
    k, d = rows[keep], rows[dup]
    values: dict[str, Any] = {}
    if d.fetched_at is not None and (k.fetched_at is None or d.fetched_at > k.fetched_at):
        values |= {c: getattr(d, c) for c in CRAWL_STATE}
    if d.first_seen_at < k.first_seen_at:
        values["first_seen_at"] = d.first_seen_at
    for col in ("listed_title", "listed_date", "fetched_url"):
        if getattr(k, col) is None and getattr(d, col) is not None:
            values[col] = getattr(d, col)
    if values:
        conn.execute(update(PAGES).where(PAGES.c.id == keep).values(values))


def _one_current_reading(conn: Connection, page_id: int) -> set[int]:
    """Close every current reading of the page but the newest (by its version's fetch).
    Returns the operations of the readings it closed or kept."""
    current = conn.execute(
        select(ARTICLES.c.id, ARTICLES.c.operation_id, ARTICLES.c.fetched_at)
        .join(VERSIONS, VERSIONS.c.id == ARTICLES.c.version_id)
        .where(and_(ARTICLES.c.page_id == page_id, ARTICLES.c.superseded_at.is_(None)))
        .order_by(VERSIONS.c.fetched_at.desc(), VERSIONS.c.id.desc(), ARTICLES.c.id.desc())
    ).all()
    if len(current) < 2:
        return set()
    newest = current[0]
    conn.execute(
        update(ARTICLES)
        .where(ARTICLES.c.id.in_([r.id for r in current[1:]]))
        .values(superseded_at=newest.fetched_at)
    )
    return {r.operation_id for r in current if r.operation_id is not None}


__all__ = ["merge_page", "rekey", "rekey_pages"]
