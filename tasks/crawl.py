"""The discover and fetch stages' units of work, with the warehouse's crawl state.

``discover_source``: one source's article links for a run (tasks/discover.py reads the
listings, feeds and sitemaps), leaving out URLs that back off and known ones that need no
re-check (db/backoff.py, db/recheck.py), adding the earlier failed ones, recording what
failed. ``fetch_batch``: a batch of one host's links fetched (tasks/fetch.py, conditionally
where the warehouse knows the page) and every body archived before anything parses it.
The flow's discover and fetch tasks run them (flows/etl.py). Kept apart from the parsers
so that extraction workers, which import the parsers, do not import Prefect or the
warehouse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from prefect import get_run_logger

from config.settings import Settings, get_settings
from config.sources import MANUAL_SOURCE, Source
from db import load as wh
from db.backoff import backing_off
from db.captures import archive_capture
from db.engine import get_engine
from db.recheck import interrupted, listing_failed, settled_urls
from domain.records import PARSER_VERSION
from domain.urls import source_page_identity
from tasks.discover import Link, Settled, discover
from tasks.fetch import CANCELLED, PRIVATE_REFUSED, shared_fetcher
from tasks.host_slots import host_slot
from tasks.wayback import capture_of

# ---------------------------------------------------------------------------------------
# The stage's unit of work: a batch fetched and archived


def failure_reason(reason: str | None, source: Source) -> str:
    """A failure's reason, saying what allows a refused private address."""
    if reason != PRIVATE_REFUSED:
        return reason or "failed"
    if source.name == MANUAL_SOURCE:
        return f"{reason} (`optally add --allow-private` allows it)"
    return f"{reason} (set allow_private_hosts: true on source {source.name!r} to allow it)"


def failure_record(
    source: Source, url: str, status: int | None, reason: str | None, attempts: int
) -> dict[str, Any]:
    return {
        "source": source.name,
        "url": url,
        "status": status,
        "reason": failure_reason(reason, source),
        "attempts": attempts,
    }


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    fetched: int
    not_modified: int
    unchanged: int
    page_ids: tuple[int, ...]
    failures: tuple[dict[str, Any], ...]
    source: str = ""


def fetch_batch(source: Source, links: Sequence[Any], db_url: str | None) -> FetchOutcome:
    """The fetch stage for a batch of one host's links: fetch each (conditionally where the
    warehouse knows the page) and archive every body before anything parses it."""
    settings = get_settings()
    fetcher = shared_fetcher(settings)
    engine = get_engine(db_url)
    logger = get_run_logger()
    with engine.connect() as conn:
        states = wh.page_states(conn, [link.url for link in links])
        source_id = wh.register_sources(conn, [source])[source.name]
        conn.commit()
    fetched = not_modified = unchanged = 0
    page_ids: list[int] = []
    failures: list[dict[str, Any]] = []
    results = []
    for link in links:
        state = states.get(link.url)
        result = fetcher.fetch(
            link.url,
            allowed_hosts=source.allowed_hosts,
            rate_limit=source.rate_limit,
            etag=state.etag if state else None,
            last_modified=state.last_modified if state else None,
            allow_private=source.allow_private_hosts,
            robots_on_error=source.robots_on_error,
        )
        results.append((link, result))

    # One transaction for the batch's archive, not one per page: one commit and one
    # hand-over of SQLite's write lock between the fetch threads per batch
    # (docs/BENCHMARKS.md). Killed before the commit, the batch is fetched again next run.
    # A page the warehouse refuses fails alone; the others are archived (wh.write_pages).
    def archive(conn: Any, batch: Sequence[tuple[Any, Any]]) -> list[tuple[Any, Any, Any]]:
        out = []
        for link, result in batch:
            capture = capture_of(result, link.url) if source.kind == "wayback" else None
            if capture is not None and result.ok:
                # A web archive's copy of its original URL (tasks/wayback.py): that page,
                # with the capture URL and date as the version's provenance.
                identity = source_page_identity(source, capture.url, capture.body)
                out.append((link, result, archive_capture(conn, source_id, capture, identity)))
            elif result.ok or result.not_modified:
                # One page, one row: the page the body says it is (domain/urls.py).
                identity = source_page_identity(source, result.url, result.body)
                ids = wh.archive(conn, source_id, result, link.title, link.published, identity)
                out.append((link, result, ids))
            elif result.error != CANCELLED:  # stopping is not the page's failure
                wh.record_failure(conn, source_id, result)
                out.append((link, result, None))
        return out

    written, refused = wh.write_pages(engine, results, archive, "archive")
    for link, result, ids in (row for rows in written for row in rows):
        if ids is None:
            failures.append(
                failure_record(source, link.url, result.status, result.error, result.attempts)
            )
            logger.warning(
                "fetch %s failed after %d attempt(s): %s", link.url, result.attempts, result.error
            )
            continue
        page_id, version_id = ids
        page_ids.append(page_id)
        if result.not_modified:
            not_modified += 1
        elif version_id is None:
            unchanged += 1
        else:
            fetched += 1
    wh.record_page_failures(
        engine, [(link.url, source_id, None, why) for (link, _), why in refused]
    )
    for (link, result), why in refused:
        failures.append(failure_record(source, link.url, result.status, why, result.attempts))
        logger.warning("fetch %s: %s", link.url, why)
    return FetchOutcome(
        fetched, not_modified, unchanged, tuple(page_ids), tuple(failures), source.name
    )


# ---------------------------------------------------------------------------------------
# The stage's unit of work: one source's discovery for a run, with the warehouse's crawl state


@dataclass(frozen=True, slots=True)
class Discovered:
    """A source's article links for this run, and its warnings as "<source>: <warning>"."""

    links: list[Link]
    warnings: list[str]
    failures: list[dict[str, Any]] = field(default_factory=list)  # discovery's, with "source"
    documents_read: int = 0  # listing pages, feeds, sitemaps, search pages read
    # Article links the listings gave, those a filter or the warehouse's state left out
    # included: zero from a source that used to list some is a health alert (tasks/alerts.py).
    listed: int = 0


# Links discovery left out that still show its listings work (not duplicates, not
# non-articles): the source's filters and what the warehouse holds already.
LISTED_DROPS = ("keywords", "before since", "after until", "backing off", "known")


def backing_off_urls(conn: Any, source: Source, settings: Settings) -> set[str]:
    """The source's URLs that failed run after run and wait out their back-off now. None
    for `optally add`: a page named by hand is fetched when asked."""
    if source.name == MANUAL_SOURCE:
        return set()
    source_id = wh.register_sources(conn, [source])[source.name]
    return backing_off(
        conn,
        source_id,
        datetime.now(UTC),
        after=settings.failure_backoff_after,
        base_days=settings.failure_backoff_days,
        max_days=settings.failure_backoff_max_days,
    )


def settled_lookup(
    conn: Any, db_url: str | None, source: Source, settings: Settings
) -> Settled | None:
    """Incremental runs: which of a page of the source's article URLs need not be asked for
    again (known, read by this parser, older than the re-check window: db/recheck.py).
    None for `optally add`: a page named by hand is fetched when asked."""
    if source.name == MANUAL_SOURCE:
        return None
    source_id = wh.register_sources(conn, [source])[source.name]
    if interrupted(conn, source_id, PARSER_VERSION):  # its walk may have holes: sweep
        get_run_logger().warning(
            "discover %s: pages archived and never read (a run stopped early, or a new "
            "parser): this run is a full sweep of the source",
            source.name,
        )
        return None
    if listing_failed(conn, source_id, source.is_article):  # the last walk stopped early
        get_run_logger().warning(
            "discover %s: a listing page failed last time: this run is a full sweep of the source",
            source.name,
        )
        return None
    # Recent: dated on or after this day (recheck_days 0: dated today or later).
    cutoff = date.today() - timedelta(days=settings.recheck_days)
    engine = get_engine(db_url)

    def look_up(urls: list[str]) -> set[str]:
        with engine.connect() as c:
            return settled_urls(c, source_id, urls, cutoff=cutoff, parser_version=PARSER_VERSION)

    return look_up


def discover_source(
    source: Source,
    since: date | None,
    until: date | None,
    max_pages: int | None,
    db_url: str | None,
    host_slots: bool = False,
    full_sweep: bool = False,
) -> Discovered:
    """The discover stage for one source: the links to fetch this run, leaving out URLs
    that back off and known ones that need no re-check, adding earlier failed ones; every
    listing failure recorded (the discover task in flows/etl.py runs it)."""
    settings = get_settings()
    host = urlsplit(source.start_url or "").hostname
    with get_engine(db_url).begin() as conn:
        skip = backing_off_urls(conn, source, settings)
        settled = None if full_sweep else settled_lookup(conn, db_url, source, settings)
    with host_slot(host, source.rate_limit, host_slots):
        result = discover(
            source,
            shared_fetcher(settings),
            since=since,
            until=until,
            max_pages=max_pages,
            skip=skip,
            settled=settled,
        )
    logger = get_run_logger()
    # a listing cut off by a stop signal is not the listing's failure
    failures = [f for f in result.failures if f.error != CANCELLED]
    for failure in failures:
        logger.warning("discover %s: %s failed: %s", source.name, failure.url, failure.error)
    links = list(result.links)
    engine = get_engine(db_url)
    with engine.begin() as conn:
        ids = wh.register_sources(conn, [source])
        for failure in failures:
            wh.record_failure(conn, ids[source.name], failure)
        # Article pages that failed last time are tried again. Not the listing pages,
        # feeds or sitemaps discovery failed on (their failures are recorded too): fetched
        # as articles they would be archived and extracted as articles.
        known = {link.url for link in links}
        known |= {f.url for f in result.failures} | {source.start_url}
        retries = [
            Link(url)
            for url in wh.failed_urls(conn, ids[source.name])
            if url not in known and url not in skip and source.is_article(url)
        ]
    warnings = [*result.warnings, *_bound_retries(links, retries, skip, source, settings)]
    for warning in warnings:
        logger.warning("discover %s: %s", source.name, warning)
    logger.info(
        "discover %s: %d article links, %d known ones not asked for again (stopped: %s)",
        source.name,
        len(links),
        result.dropped.get("known", 0),
        result.stopped,
    )
    return Discovered(
        links,
        [f"{source.name}: {w}" for w in warnings],
        [failure_record(source, f.url, f.status, f.error, f.attempts) for f in failures],
        result.pages_fetched,
        len(result.links) + sum(result.dropped.get(r, 0) for r in LISTED_DROPS),
    )


def _bound_retries(
    links: list[Link], retries: list[Link], skip: set[str], source: Source, settings: Settings
) -> list[str]:
    """Add the retries to ``links`` within max_urls_per_source; say what was left out."""
    room = max(0, settings.max_urls_per_source - len(links))
    links += retries[:room]
    warnings = []
    if len(retries) > room:
        warnings.append(
            f"{len(retries) - room:,} earlier failed URL(s) not retried this run "
            "(max_urls_per_source)"
        )
    waiting = sum(1 for url in skip if url != source.start_url and source.is_article(url))
    if waiting:
        warnings.append(
            f"{waiting:,} URL(s) left out: failed in {settings.failure_backoff_after} or more "
            "runs in a row, backing off"
        )
    return warnings
