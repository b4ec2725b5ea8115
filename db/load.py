"""Warehouse writes and reads for one run. Most functions take an open Connection and
the caller owns the transaction (one per batch); ``write_pages`` and ``load_batch`` open
their own, so that one page that cannot be written costs only itself (see write_pages)."""

from __future__ import annotations

import gzip
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    and_,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError

from db import models as m
from db.derived import mark_pending
from db.engine import environment_error, first_line, is_environment_error
from db.followups import record_followup
from db.forces import record_article_forces
from db.lineage import follow_merges
from db.sanitize import clean, clean_row
from db.upsert import insert_ignore, upsert
from domain.records import Candidate, Extraction, Match
from domain.urls import page_key

T = m.Base.metadata.tables
PAGES, VERSIONS, FAILURES = T["pages"], T["page_versions"], T["fetch_failures"]
ARTICLES, FIGURES, BREAKDOWNS = T["articles"], T["figures"], T["arrest_breakdowns"]
OPERATIONS, OP_FIGURES = T["operations"], T["operation_figures"]
METRICS, CHECKS, SOURCES = T["metric_values"], T["quality_checks"], T["sources"]
ABSTENTIONS, ARTICLE_FORCES = T["abstentions"], T["article_forces"]

MAX_REASON_CHARS = 300  # of a page failure's reason, as stored and shown

log = logging.getLogger(__name__)
Item = TypeVar("Item")
Out = TypeVar("Out")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class PageState:
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    page_id: int | None = None


@dataclass(frozen=True, slots=True)
class PageItem:
    """An archived page version to extract, with what loading needs to know about its source."""

    page_id: int
    version_id: int
    url: str
    fetched_at: datetime
    official: bool
    source: str
    listed_date: date | None = None  # the listing's date, for pages that carry none
    captured: datetime | None = None  # a web archive's capture date (0006): the latest publication


@dataclass(frozen=True, slots=True)
class Extracted:
    item: PageItem
    extraction: Extraction
    relevant: bool

    @property
    def reports_figures(self) -> bool:
        """Whether this reading gives the page's operation any figure (and is on topic, so
        its claims are written): a reading without one never displaces one that has
        (``load``; tasks/versions.py)."""
        return self.relevant and any(f.scope == "operation" for f in self.extraction.result.figures)


def register_sources(conn: Connection, sources: Iterable) -> dict[str, int]:  # type: ignore[type-arg]
    rows = [
        {
            "name": s.name,
            "kind": s.kind,
            "profile": s.profile,
            "start_url": s.start_url,
            "official": bool(getattr(s, "official", True)),
        }
        for s in sources
    ]
    upsert(conn, SOURCES, rows, ["name"], ["kind", "profile", "start_url", "official"])
    return {name: sid for name, sid in conn.execute(select(SOURCES.c.name, SOURCES.c.id))}


def page_states(conn: Connection, urls: Sequence[str]) -> dict[str, PageState]:
    """The crawl state of the page each of ``urls`` (as discovery gives them) led to."""
    out: dict[str, PageState] = {}
    for i in range(0, len(urls), 500):
        # As stored: a NUL in a WHERE clause fails on PostgreSQL as in an INSERT.
        out.update(_page_states(conn, [clean(PAGES.c.url, u) for u in urls[i : i + 500]]))
    return out


def _page_states(conn: Connection, urls: Sequence[str]) -> dict[str, PageState]:
    """A page is found by the URL it was last asked for (``fetched_url``), else by its
    identity: the URL itself, or the URL's ``page_key`` (one page, one row: domain/urls.py).
    Where several pages were last asked for by one URL, the newest."""
    keys = {u: clean(PAGES.c.url, page_key(u)) for u in urls}
    q = (
        select(
            PAGES.c.id,
            PAGES.c.url,
            PAGES.c.fetched_url,
            PAGES.c.etag,
            PAGES.c.last_modified,
            PAGES.c.content_hash,
        )
        .where(or_(PAGES.c.fetched_url.in_(urls), PAGES.c.url.in_({*urls, *keys.values()})))
        .order_by(PAGES.c.id)
    )
    by_fetched: dict[str, PageState] = {}
    by_url: dict[str, PageState] = {}
    for r in conn.execute(q):
        state = PageState(r.etag, r.last_modified, r.content_hash, r.id)
        if r.fetched_url is not None:
            by_fetched[r.fetched_url] = state
        by_url[r.url] = state
    out: dict[str, PageState] = {}
    for u in urls:
        state = by_fetched.get(u) or by_url.get(u) or by_url.get(keys[u])
        if state is not None:
            out[u] = state
    return out


def failed_urls(conn: Connection, source_id: int) -> list[str]:
    q = select(FAILURES.c.url).where(FAILURES.c.source_id == source_id).order_by(FAILURES.c.url)
    return list(conn.execute(q).scalars())


def archive(
    conn: Connection,
    source_id: int,
    result,  # tasks.fetch.FetchResult
    listed_title: str | None = None,
    listed_date: date | None = None,
    identity: str | None = None,
) -> tuple[int, int | None]:
    """Keep a fetched body in the raw archive. Returns (page_id, version_id or None when unchanged).

    The page is the one ``identity`` names (domain/urls.py page_identity; by default the
    ``page_key`` of the URL asked for), created when new; a 304 belongs to the page whose
    validators were sent (page_states). The URL asked for is kept as ``fetched_url``."""
    fetched = clean(PAGES.c.fetched_url, result.url)  # as it is stored (db/sanitize.py)
    page_id = None
    if result.not_modified:
        state = _page_states(conn, [fetched]).get(fetched)
        page_id = state.page_id if state else None
    if page_id is None:
        key = clean(PAGES.c.url, identity or page_key(result.url))
        _adopt_old_key(conn, key, fetched)
        insert_ignore(
            conn,
            PAGES,
            [
                {
                    "url": key,
                    "fetched_url": fetched,
                    "source_id": source_id,
                    "first_seen_at": result.fetched_at,
                    "listed_title": listed_title,
                    "listed_date": listed_date,
                }
            ],
            ["url"],
        )
        page_id = conn.execute(select(PAGES.c.id).where(PAGES.c.url == key)).scalar_one()
    old_hash, old_fetched = conn.execute(
        select(PAGES.c.content_hash, PAGES.c.fetched_url).where(PAGES.c.id == page_id)
    ).one()
    if old_fetched != fetched:  # reached by another URL this time: asked for by that one next
        conn.execute(update(PAGES).where(PAGES.c.id == page_id).values(fetched_url=fetched))
    conn.execute(delete(FAILURES).where(FAILURES.c.url == clean(FAILURES.c.url, result.url)))
    if result.not_modified or (old_hash is not None and old_hash == result.content_hash):
        return page_id, None
    insert_ignore(
        conn,
        VERSIONS,
        [
            {
                "page_id": page_id,
                "content_hash": result.content_hash,
                "fetched_at": result.fetched_at,
                "final_url": result.final_url,
                "http_status": result.status,
                "content_type": result.content_type,
                "encoding": result.encoding,
                "etag": result.etag,
                "last_modified": result.last_modified,
                "headers_json": json.dumps(result.headers, sort_keys=True),
                "body_gz": gzip.compress(result.body or b"", 6, mtime=0),
                "size": len(result.body or b""),
            }
        ],
        ["page_id", "content_hash"],
    )
    version_id = conn.execute(
        select(VERSIONS.c.id).where(
            and_(VERSIONS.c.page_id == page_id, VERSIONS.c.content_hash == result.content_hash)
        )
    ).scalar_one()
    conn.execute(
        update(PAGES)
        .where(PAGES.c.id == page_id)
        .values(
            clean_row(
                PAGES,
                {
                    "fetched_at": result.fetched_at,
                    "http_status": result.status,
                    "etag": result.etag,
                    "last_modified": result.last_modified,
                    "content_hash": result.content_hash,
                },
            )
        )
    )
    return page_id, version_id


def _adopt_old_key(conn: Connection, key: str, fetched: str) -> None:
    """A page keyed before 0003 by the URL now asked for (and not re-keyed since: a source
    not in the runs since, or a page added by hand) takes the identity ``key``, unless a
    page has it already."""
    if key == fetched or conn.execute(select(PAGES.c.id).where(PAGES.c.url == key)).first():
        return
    old = conn.execute(
        select(PAGES.c.id).where(and_(PAGES.c.url == fetched, PAGES.c.fetched_url.is_(None)))
    ).scalar()
    if old is not None:
        conn.execute(update(PAGES).where(PAGES.c.id == old).values(url=key, fetched_url=fetched))
        conn.execute(update(ARTICLES).where(ARTICLES.c.page_id == old).values(url=key))


def record_failure(conn: Connection, source_id: int, result) -> None:  # type: ignore[no-untyped-def]
    url = clean(FAILURES.c.url, result.url)
    existing = conn.execute(
        select(FAILURES.c.id, FAILURES.c.failures).where(FAILURES.c.url == url)
    ).first()
    values = clean_row(
        FAILURES,
        {
            "http_status": result.status,
            "reason": result.error or "unknown",
            "attempts": result.attempts,
            "last_failed_at": result.fetched_at,
        },
    )
    if existing is None:
        insert_ignore(
            conn,
            FAILURES,
            [
                {
                    "url": url,
                    "source_id": source_id,
                    "failures": 1,
                    "first_failed_at": result.fetched_at,
                    **values,
                }
            ],
            ["url"],
        )
    else:
        conn.execute(
            update(FAILURES)
            .where(FAILURES.c.id == existing.id)
            .values(failures=existing.failures + 1, **values)
        )


def unextracted_versions(
    conn: Connection,
    parser_version: str,
    page_ids: Sequence[int] | None = None,
    *,
    include_read: bool = False,
) -> list[int]:
    """The newest archived version of each page that this parser version has not read yet
    (or every newest version, with ``include_read``). Newest by ``fetched_at``, then id: a
    web archive's copy (db/captures.py) is dated when it was captured, so an old capture
    imported after a live fetch, or captures imported out of order, never displace the
    newer copy."""
    ranked = select(
        VERSIONS.c.page_id,
        VERSIONS.c.id.label("vid"),
        func.row_number()
        .over(
            partition_by=VERSIONS.c.page_id,
            order_by=(VERSIONS.c.fetched_at.desc(), VERSIONS.c.id.desc()),
        )
        .label("rank"),
    ).subquery()
    newest = select(ranked.c.page_id, ranked.c.vid).where(ranked.c.rank == 1).subquery()
    q = (
        select(newest.c.vid)
        .join(PAGES, PAGES.c.id == newest.c.page_id)
        .join(SOURCES, SOURCES.c.id == PAGES.c.source_id)
        .outerjoin(
            ARTICLES,
            and_(
                ARTICLES.c.version_id == newest.c.vid, ARTICLES.c.parser_version == parser_version
            ),
        )
        # Official pages first, then by URL, never by version id: which page founds an
        # operation (its key) and joins it must not depend on which fetch thread archived
        # first, nor on a crash that split the archiving over two runs.
        .order_by(SOURCES.c.official.desc(), PAGES.c.url)
    )
    if not include_read:
        q = q.where(ARTICLES.c.id.is_(None))
    if page_ids is not None:
        q = q.where(newest.c.page_id.in_(list(page_ids)))
    return list(conn.execute(q).scalars())


def older_versions(
    conn: Connection, items: Sequence[PageItem], parser_version: str
) -> dict[int, tuple[int, bool]]:
    """For each item's version: the newest older version of its page (by ``fetched_at``,
    then id, as ``unextracted_versions`` orders them) and whether ``parser_version`` has
    read it, keyed by the item's version id. A page's only version has none."""
    out: dict[int, tuple[int, bool]] = {}
    for item in items:
        row = conn.execute(
            select(VERSIONS.c.id, ARTICLES.c.id.label("article_id"))
            .outerjoin(
                ARTICLES,
                and_(
                    ARTICLES.c.version_id == VERSIONS.c.id,
                    ARTICLES.c.parser_version == parser_version,
                ),
            )
            .where(and_(VERSIONS.c.page_id == item.page_id, _older_than(item)))
            .order_by(VERSIONS.c.fetched_at.desc(), VERSIONS.c.id.desc())
            .limit(1)
        ).first()
        if row is not None:
            out[item.version_id] = (row.id, row.article_id is not None)
    return out


def _older_than(item: PageItem) -> ColumnElement[bool]:
    """Versions older than the item's, in the order ``unextracted_versions`` ranks them
    (``fetched_at``, then id)."""
    return or_(
        VERSIONS.c.fetched_at < item.fetched_at,
        and_(VERSIONS.c.fetched_at == item.fetched_at, VERSIONS.c.id < item.version_id),
    )


def _older_reading_with_figures(conn: Connection, item: PageItem, parser_version: str) -> bool:
    """Whether a current reading of an older version of the item's page, by this parser
    version, gives the operation a figure (the rule of ``load``)."""
    q = (
        select(ARTICLES.c.id)
        .join(VERSIONS, VERSIONS.c.id == ARTICLES.c.version_id)
        .join(FIGURES, FIGURES.c.article_id == ARTICLES.c.id)
        .where(
            and_(
                ARTICLES.c.page_id == item.page_id,
                ARTICLES.c.parser_version == parser_version,
                ARTICLES.c.superseded_at.is_(None),
                FIGURES.c.scope == "operation",
                _older_than(item),
            )
        )
        .limit(1)
    )
    return conn.execute(q).first() is not None


def read_versions(
    conn: Connection, version_ids: Sequence[int]
) -> list[tuple[PageItem, bytes, str | None]]:
    q = (
        select(
            VERSIONS.c.id,
            VERSIONS.c.page_id,
            PAGES.c.url,
            VERSIONS.c.fetched_at,
            SOURCES.c.official,
            SOURCES.c.name,
            PAGES.c.listed_date,
            VERSIONS.c.body_gz,
            VERSIONS.c.content_type,
            VERSIONS.c.capture_date,
        )
        .join(PAGES, PAGES.c.id == VERSIONS.c.page_id)
        .join(SOURCES, SOURCES.c.id == PAGES.c.source_id)
        .where(VERSIONS.c.id.in_(list(version_ids)))
    )
    # In the order asked for (unextracted_versions' order): resolution runs in page order.
    rank = {vid: i for i, vid in enumerate(version_ids)}
    return [
        (
            PageItem(
                r.page_id,
                r.id,
                r.url,
                r.fetched_at,
                bool(r.official),
                r.name,
                r.listed_date,
                r.capture_date,
            ),
            gzip.decompress(r.body_gz),
            r.content_type,
        )
        for r in sorted(conn.execute(q), key=lambda r: rank[r.id])
    ]


def candidates(
    conn: Connection,
    windows: Sequence[tuple[date, date]] | None = None,
    ids: Collection[int] | None = None,
    *,
    places: Callable[[str], frozenset[str]] | None = None,
    countries: Callable[[str], frozenset[str]] | None = None,
) -> list[Candidate]:
    """Existing operations as resolution candidates, with their reconciled operation figures
    (and the wider action's totals they were reported beside, their international figures), in
    id order.

    ``windows``: only the operations first published within one of these (first, last)
    date ranges, and the undated (tasks/resolve.py date_windows says which can match a
    batch). ``ids``: only these operations. Neither: every operation.

    Each candidate carries the evidence a page founding it gave within one batch, as far as
    the warehouse keeps it: the action's dates (the operations row), the qualifiers of its
    reconciled figures, the forces its founding article names, and ``places(body)`` and
    ``countries(body)`` of that article (resolution's own rules, passed in: db/ runs no rules).
    Without them a page in a later batch matched on name, theme, dates of publication and
    figures only, and the pairwise recall of grouping fell from 0.900 to 0.700
    (docs/SCHEMA.md)."""
    where: ColumnElement[bool] | None = None
    if ids is not None:
        where = OPERATIONS.c.id.in_(sorted(set(ids)))
    elif windows is not None:
        published = OPERATIONS.c.first_published
        where = or_(published.is_(None), *(published.between(lo, hi) for lo, hi in windows))
    chosen = select(OPERATIONS.c.id).where(where) if where is not None else None
    figs: dict[int, set[tuple[str, float]]] = defaultdict(set)
    wider: dict[int, set[tuple[str, float]]] = defaultdict(set)
    bounds: dict[int, set[tuple[str, str]]] = defaultdict(set)
    fq = select(
        OP_FIGURES.c.operation_id,
        OP_FIGURES.c.scope,
        OP_FIGURES.c.metric,
        OP_FIGURES.c.value,
        OP_FIGURES.c.qualifier,
    ).where(OP_FIGURES.c.scope.in_(("operation", "international")))
    if chosen is not None:
        fq = fq.where(OP_FIGURES.c.operation_id.in_(chosen))
    for op_id, scope, metric, value, qualifier in conn.execute(fq):
        if scope == "international":
            wider[op_id].add((metric, float(value)))
            continue
        figs[op_id].add((metric, float(value)))
        if qualifier != "exact":
            bounds[op_id].add((metric, qualifier))
    founders = _founding_articles(conn, chosen)
    forces: dict[int, list[str]] = defaultdict(list)
    if founders:
        aq = (
            select(ARTICLE_FORCES.c.article_id, ARTICLE_FORCES.c.written)
            .where(ARTICLE_FORCES.c.article_id.in_(sorted(a for a, _ in founders.values())))
            .order_by(ARTICLE_FORCES.c.id)
        )
        for article_id, written in conn.execute(aq):
            forces[article_id].append(written)
    withheld = _withheld(conn, [a for a, _ in founders.values()])
    out = []
    q = select(OPERATIONS).order_by(OPERATIONS.c.id)
    if where is not None:
        q = q.where(where)
    for r in conn.execute(q):
        article_id, body = founders.get(r.id, (None, ""))
        out.append(
            Candidate(
                r.key,
                r.name,
                r.lead_agency,
                r.theme,
                r.first_published,
                r.title,
                frozenset(figs.get(r.id, ())),
                bounds=frozenset(bounds.get(r.id, ())),
                start=r.start_date,
                end=r.end_date,
                forces=tuple(forces.get(article_id, ())) if article_id is not None else (),
                places=places(body[:FOUNDER_TEXT_CHARS]) if places and body else frozenset(),
                countries=countries(body) if countries and body else frozenset(),
                withheld=frozenset(withheld.get(article_id, ()))
                if article_id is not None
                else frozenset(),
                wider=frozenset(wider.get(r.id, ())),
            )
        )
    return out


def _withheld(conn: Connection, article_ids: Sequence[int]) -> dict[int, set[tuple[str, float]]]:
    """article id -> the operation figures the confidence model withheld from it (its
    abstentions with a confidence: tasks/resolve.py withheld_figures)."""
    out: dict[int, set[tuple[str, float]]] = defaultdict(set)
    if not article_ids:
        return out
    q = select(ABSTENTIONS.c.article_id, ABSTENTIONS.c.metric, ABSTENTIONS.c.value).where(
        ABSTENTIONS.c.article_id.in_(sorted(set(article_ids))),
        ABSTENTIONS.c.scope == "operation",
        ABSTENTIONS.c.confidence > 0,
    )
    for article_id, metric, value in conn.execute(q):
        out[article_id].add((metric, float(value)))
    return out


# What of the founding article's body resolution reads for places (tasks/resolve.py reads
# the same prefix of a page's body); countries are read from the whole body.
FOUNDER_TEXT_CHARS = 4000


def _founding_articles(
    conn: Connection, chosen: Select[tuple[int]] | None
) -> dict[int, tuple[int, str]]:
    """operation id -> (article id, body) of its first-loaded current article: the page that
    founded the operation, or the oldest still read if that one has gone."""
    first = (
        select(ARTICLES.c.operation_id, func.min(ARTICLES.c.id).label("article_id"))
        .where(ARTICLES.c.operation_id.is_not(None), ARTICLES.c.superseded_at.is_(None))
        .group_by(ARTICLES.c.operation_id)
    )
    if chosen is not None:
        first = first.where(ARTICLES.c.operation_id.in_(chosen))
    sub = first.subquery()
    q = select(sub.c.operation_id, ARTICLES.c.id, ARTICLES.c.body).join(
        ARTICLES, ARTICLES.c.id == sub.c.article_id
    )
    return {op_id: (article_id, body or "") for op_id, article_id, body in conn.execute(q)}


def load(conn: Connection, pages: Sequence[Extracted], matches: Sequence[Match | None]) -> set[int]:
    """Write articles, claims and operations for one batch. Returns the operations touched."""
    touched: set[int] = set()
    force_slugs: dict[str, int] = {}  # forces.id by slug, read once per batch when first needed
    for page, match in zip(pages, matches, strict=True):
        ex = page.extraction
        a, op = ex.article, ex.result.operation
        # A newer copy that gives no figure (a page re-published as a stub, a capture of
        # it) does not displace the current reading of an older copy that gives some: it
        # is kept, closed as soon as it is read, and founds no operation.
        deferred = not page.reports_figures and _older_reading_with_figures(
            conn, page.item, ex.parser_version
        )
        op_id = None
        if match is not None and deferred:
            op_id = _operation_id(conn, clean(OPERATIONS.c.key, match.key))
            op_id = follow_merges(conn, op_id) if op_id is not None else None
        elif match is not None:
            key = clean(OPERATIONS.c.key, match.key)
            # Not new, yet not there: the page of this batch that founded it failed and
            # was left out (write_pages); this page founds it instead.
            if match.new or _operation_id(conn, key) is None:
                insert_ignore(
                    conn,
                    OPERATIONS,
                    [
                        {
                            "key": key,
                            "name": op.name,
                            "lead_agency": op.lead_agency,
                            "theme": op.theme,
                            "start_date": op.start_date,
                            "end_date": op.end_date,
                            "first_published": a.published or op.start_date,
                            "title": a.title,
                            "confidence": match.confidence,
                        }
                    ],
                    ["key"],
                )
            op_id = conn.execute(
                select(OPERATIONS.c.id).where(OPERATIONS.c.key == key)
            ).scalar_one()
            # A key can name an operation that was merged away since: load into its target.
            op_id = follow_merges(conn, op_id)
            touched.add(op_id)
        insert_ignore(
            conn,
            ARTICLES,
            [
                {
                    "page_id": page.item.page_id,
                    "version_id": page.item.version_id,
                    "parser_version": ex.parser_version,
                    "operation_id": op_id,
                    "url": page.item.url,
                    "title": a.title,
                    "published": a.published,
                    "publisher": a.publisher,
                    "official": page.item.official,
                    "relevant": page.relevant,
                    "body": a.body,
                    "tags": "|".join(a.tags),
                    "method": a.method,
                    "op_name": op.name,
                    "lead_agency": op.lead_agency,
                    "theme": op.theme,
                    "op_start": op.start_date,
                    "op_end": op.end_date,
                    "fetched_at": page.item.fetched_at,
                }
            ],
            ["version_id", "parser_version"],
        )
        article_id = conn.execute(
            select(ARTICLES.c.id).where(
                and_(
                    ARTICLES.c.version_id == page.item.version_id,
                    ARTICLES.c.parser_version == ex.parser_version,
                )
            )
        ).scalar_one()
        # Older readings of this page stay, closed at the moment this one was fetched;
        # a deferred reading is itself closed at that moment instead.
        closed = (
            ARTICLES.c.id == article_id
            if deferred
            else and_(ARTICLES.c.page_id == page.item.page_id, ARTICLES.c.id != article_id)
        )
        conn.execute(
            update(ARTICLES)
            .where(and_(closed, ARTICLES.c.superseded_at.is_(None)))
            .values(superseded_at=page.item.fetched_at)
        )
        old_ops = conn.execute(
            select(ARTICLES.c.operation_id).where(
                and_(ARTICLES.c.page_id == page.item.page_id, ARTICLES.c.operation_id.is_not(None))
            )
        ).scalars()
        touched.update(old_ops)
        record_article_forces(conn, article_id, ex, force_slugs)
        # A follow-up page is linked to its operation by the derive stage (tasks/followup.py).
        if not deferred:  # the current reading says what the page is
            touched |= record_followup(
                conn, page.item.page_id, page.relevant and ex.followup is not None
            )
        if not page.relevant:
            continue
        _write_claims(conn, article_id, ex)
    mark_pending(conn, touched)  # the derive stage rebuilds them (tasks/derive.py)
    return touched


def _write_claims(conn: Connection, article_id: int, ex: Extraction) -> None:
    """A reading's claims: its figures (with their confidence), its arrest breakdown and
    the figures it abstained from."""
    insert_ignore(
        conn,
        FIGURES,
        [
            {
                "article_id": article_id,
                "scope": f.scope,
                "metric": f.metric,
                "subject": f.subject or "",
                "value": float(f.value),
                "qualifier": f.qualifier,
                "evidence": f.evidence,
                "span_start": f.span[0] if f.span else None,
                "span_end": f.span[1] if f.span else None,
                "parser_version": ex.parser_version,
                "confidence": f.confidence,
            }
            for f in ex.result.figures
        ],
        ["article_id", "scope", "metric", "subject"],
    )
    insert_ignore(
        conn,
        ABSTENTIONS,
        [
            {
                "article_id": article_id,
                "ordinal": i,
                "scope": a.scope,
                "metric": a.metric,
                "value": float(a.value),
                "qualifier": a.qualifier,
                "evidence": a.evidence,
                "span_start": a.span[0] if a.span else None,
                "span_end": a.span[1] if a.span else None,
                "confidence": a.confidence,
                "reason": a.reason,
            }
            for i, a in enumerate(ex.result.abstentions)
        ],
        ["article_id", "ordinal"],
    )
    insert_ignore(
        conn,
        BREAKDOWNS,
        [
            {
                "article_id": article_id,
                "offence": b.offence,
                "count": b.count,
                "evidence": b.evidence,
            }
            for b in ex.result.arrest_breakdown
        ],
        ["article_id", "offence"],
    )


def _operation_id(conn: Connection, key: str) -> int | None:
    return conn.execute(select(OPERATIONS.c.id).where(OPERATIONS.c.key == key)).scalar()


# ---------------------------------------------------------------------------------------
# One page's failure is that page's, never its batch's


@dataclass(frozen=True, slots=True)
class PageFailure:
    """A page that could not be written, and why (one line)."""

    url: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """As the run summary lists failures (flows/etl.py RunSummary)."""
        return {"url": self.url, "status": None, "reason": self.reason, "attempts": 1}


def failure_reason(stage: str, exc: BaseException) -> str:
    """ "cannot load: integer out of range": the driver's first line, never the SQL or its
    parameters (the page's own text)."""
    reason = first_line(exc)
    if not isinstance(exc, DBAPIError):  # the driver's reasons name themselves
        reason = f"{type(exc).__name__}: {reason}"
    return f"cannot {stage}: {reason}"[:MAX_REASON_CHARS]


def write_pages(
    engine: Engine,
    items: Sequence[Item],
    write: Callable[[Connection, Sequence[Item]], Out],
    stage: str,
) -> tuple[list[Out], list[tuple[Item, str]]]:
    """``write`` the items in one transaction; when that fails because of what one of them
    holds, in one transaction each, so that every other item is written.

    Returns what each committed ``write`` returned, and the items that failed with their
    reason ("cannot <stage>: ..."). An error of the database itself (read-only, locked,
    full, gone: db.engine.is_environment_error) is not any page's: it is raised as a
    one-line DatabaseError, and what earlier transactions committed stays.
    """
    try:
        with engine.begin() as conn:
            return [write(conn, items)], []
    except Exception as exc:
        if is_environment_error(exc):
            raise environment_error(exc, engine.url) from None
        if len(items) <= 1:
            return [], [(item, failure_reason(stage, exc)) for item in items]
        log.warning(
            "%s of %d pages failed (%s); writing them one at a time",
            stage,
            len(items),
            failure_reason(stage, exc),
        )
    done: list[Out] = []
    failed: list[tuple[Item, str]] = []
    for item in items:
        try:
            with engine.begin() as conn:
                done.append(write(conn, [item]))
        except Exception as exc:
            if is_environment_error(exc):
                raise environment_error(exc, engine.url) from None
            failed.append((item, failure_reason(stage, exc)))
    return done, failed


@dataclass(frozen=True, slots=True)
class _FailedPage:
    """What record_failure reads from a fetch result, for a page that failed after it."""

    url: str
    status: int | None
    error: str
    attempts: int
    fetched_at: datetime


def record_page_failures(
    engine: Engine, failures: Sequence[tuple[str, int | None, int | None, str]]
) -> None:
    """Record pages that failed after their fetch, as (url, source_id or None, page_id or
    None, reason), in fetch_failures like fetch failures (the next run tries them again).
    The source is the page's when ``source_id`` is None. A failure that cannot be recorded
    either (a URL too long for the unique index) is logged and left out."""
    now = utcnow()
    for url, source_id, page_id, reason in failures:
        try:
            with engine.begin() as conn:
                if source_id is None and page_id is not None:
                    source_id = conn.execute(
                        select(PAGES.c.source_id).where(PAGES.c.id == page_id)
                    ).scalar()
                if source_id is None:
                    continue
                record_failure(conn, source_id, _FailedPage(url, None, reason, 1, now))
        except Exception as exc:
            if is_environment_error(exc):
                raise environment_error(exc, engine.url) from None
            log.warning("cannot record the failure of %s: %s", url, first_line(exc))


@dataclass(frozen=True, slots=True)
class LoadOutcome:
    """What loading a batch did: the operations it touched, the pages it could not load."""

    touched: list[int]
    failures: list[PageFailure] = field(default_factory=list)


def load_batch(
    engine: Engine, pages: Sequence[Extracted], matches: Sequence[Match | None]
) -> LoadOutcome:
    """Load a batch in one transaction; when a page of it cannot be loaded, every other
    page is loaded, and that page is recorded as failed (write_pages, record_page_failures).

    The operations it touches are marked pending in the same transaction: the derive
    stage rebuilds their derived rows next, and a run stopped before that leaves the mark
    for the next derive (db/derived.py)."""

    def write(conn: Connection, batch: Sequence[tuple[Extracted, Match | None]]) -> set[int]:
        return load(conn, [p for p, _ in batch], [mt for _, mt in batch])

    done, failed = write_pages(engine, list(zip(pages, matches, strict=True)), write, "load")
    record_page_failures(
        engine, [(p.item.url, None, p.item.page_id, reason) for (p, _), reason in failed]
    )
    return LoadOutcome(
        sorted(set().union(*done)), [PageFailure(p.item.url, r) for (p, _), r in failed]
    )
