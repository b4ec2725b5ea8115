"""Which known pages a run need not ask for again: incremental runs, read from the warehouse.

A page a source brought in before is *settled* when all of these hold:

- it is in ``pages`` under this source (a page is one row, kept under the source that
  first brought it; a page another source found is new to this one, so a backfill listing
  started after months of daily feed runs still walks its whole archive);
- its newest archived version has been read by the current parser (a run stopped between
  archiving and extracting leaves pages the next run must ask for, so they are extracted);
- it is older than the re-check window: the latest date the page or its listing gave
  (``articles.published``, ``pages.listed_date``) is before ``cutoff``. A page with no date
  at all counts from the day the warehouse first saw it (``first_seen_at``): it is
  re-checked during its first ``recheck_days`` in the warehouse, then left alone like an
  old dated page.

Discovery drops settled links and stops paginating at the first listing page that brings
nothing else (tasks/discover.py); the flow asks for everything else (flows/etl.py).
A full sweep looks nothing up and so settles nothing.

The stop trusts that what lies beyond that page is in the warehouse. A run killed while it
fetched breaks that trust: links it discovered and never fetched are in no table. Such a
run leaves pages archived and not yet read (extraction starts once every fetch is over),
so ``interrupted`` finds them, and the flow makes the next run of that source a full sweep.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from sqlalchemy import Connection, and_, func, select

from db import models as m
from db.load import page_states

_T = m.Base.metadata.tables
_PAGES, _VERSIONS, _ARTICLES = _T["pages"], _T["page_versions"], _T["articles"]
_FAILURES = _T["fetch_failures"]
_CHUNK = 500  # page ids per IN (...) list: well under SQLite's and PostgreSQL's bound


def recheck_date(published: date | None, listed: date | None, first_seen: datetime) -> date:
    """The day a known page's age counts from: the latest date it or its listing gave,
    else the day the warehouse first saw it."""
    dates = [d for d in (published, listed) if d is not None]
    return max(dates) if dates else first_seen.date()


def settled_urls(
    conn: Connection,
    source_id: int,
    urls: Sequence[str],
    *,
    cutoff: date,
    parser_version: str,
) -> set[str]:
    """The ``urls`` (as discovery gives them) that lead to a page this source already has,
    read by ``parser_version``, dated before ``cutoff``. A URL leads to the page
    ``db.load.page_states`` finds for it: the one last asked for by that URL, else the one
    it names (one page, one row: domain/urls.py), as a conditional GET would."""
    led_to = {u: s.page_id for u, s in page_states(conn, list(urls)).items() if s.page_id}
    ids = sorted(set(led_to.values()))
    settled: set[int] = set()
    for i in range(0, len(ids), _CHUNK):
        settled |= _settled_pages(conn, source_id, ids[i : i + _CHUNK], cutoff, parser_version)
    return {u for u, page_id in led_to.items() if page_id in settled}


def _settled_pages(
    conn: Connection, source_id: int, ids: list[int], cutoff: date, parser_version: str
) -> set[int]:
    pages = conn.execute(
        select(_PAGES.c.id, _PAGES.c.listed_date, _PAGES.c.first_seen_at).where(
            and_(_PAGES.c.source_id == source_id, _PAGES.c.id.in_(ids))
        )
    ).all()
    if not pages:
        return set()
    ids = [p.id for p in pages]
    newest = (
        select(_VERSIONS.c.page_id, func.max(_VERSIONS.c.id).label("vid"))
        .where(_VERSIONS.c.page_id.in_(ids))
        .group_by(_VERSIONS.c.page_id)
        .subquery()
    )
    read = set(
        conn.execute(
            select(newest.c.page_id).join(
                _ARTICLES,
                and_(
                    _ARTICLES.c.version_id == newest.c.vid,
                    _ARTICLES.c.parser_version == parser_version,
                ),
            )
        ).scalars()
    )
    published = dict(
        conn.execute(
            select(_ARTICLES.c.page_id, func.max(_ARTICLES.c.published))
            .where(_ARTICLES.c.page_id.in_(ids))
            .group_by(_ARTICLES.c.page_id)
        ).all()
    )
    return {
        p.id
        for p in pages
        if p.id in read
        and recheck_date(published.get(p.id), p.listed_date, p.first_seen_at) < cutoff
    }


def interrupted(conn: Connection, source_id: int, parser_version: str) -> bool:
    """Whether a page of this source was archived and its newest version never read by
    ``parser_version``: a run stopped between fetching and extracting (or a new parser).
    A page whose reading failed is left out: it is in fetch_failures, retried each run,
    and must not make every run of its source a full sweep."""
    newest = (
        select(_VERSIONS.c.page_id, func.max(_VERSIONS.c.id).label("vid"))
        .join(_PAGES, _PAGES.c.id == _VERSIONS.c.page_id)
        .where(_PAGES.c.source_id == source_id)
        .group_by(_VERSIONS.c.page_id)
        .subquery()
    )
    unread = (
        select(newest.c.page_id)
        .join(_PAGES, _PAGES.c.id == newest.c.page_id)
        .outerjoin(
            _ARTICLES,
            and_(
                _ARTICLES.c.version_id == newest.c.vid,
                _ARTICLES.c.parser_version == parser_version,
            ),
        )
        .outerjoin(_FAILURES, _FAILURES.c.url == _PAGES.c.url)
        .where(and_(_ARTICLES.c.id.is_(None), _FAILURES.c.id.is_(None)))
        .limit(1)
    )
    return conn.execute(unread).first() is not None


def listing_failed(conn: Connection, source_id: int, is_article: Callable[[str], bool]) -> bool:
    """Whether a listing page, feed or sitemap of this source failed and has not been read
    since: the walk that stopped there left its later pages unread, so the next run must not
    stop at the first listing page that brings nothing new."""
    urls = conn.execute(select(_FAILURES.c.url).where(_FAILURES.c.source_id == source_id)).scalars()
    return any(not is_article(url) for url in urls)
