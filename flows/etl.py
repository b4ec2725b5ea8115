"""The ETL flow: discover -> fetch -> extract -> resolve -> load -> derive -> publish.

This module is the only wiring point. Tasks receive names, URLs, ids and
settings; each opens what it needs (engine, HTTP client) through the factories.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from app.progress import current as current_progress
from config.settings import Settings, get_settings
from config.sources import Source, load_sources, select_sources
from db import load as wh
from db.backoff import backing_off
from db.derived import pending
from db.engine import get_engine
from db.identity import rekey_pages
from db.recheck import interrupted, listing_failed, settled_urls
from domain.records import PARSER_VERSION, Match
from domain.urls import source_page_identity
from profiles import detect as detect_profile
from tasks import extract_pool
from tasks.derive import rebuild
from tasks.discover import Link, Settled, discover
from tasks.extract import extract_page, keeps, outside_dates, with_listing_date
from tasks.fetch import (
    CANCELLED,
    PRIVATE_REFUSED,
    shared_fetcher,
    stop_fetching_when_interrupted,
)
from tasks.host_slots import ensure_host_limits, host_slot, host_slots_needed
from tasks.resolve import resolve_batch


def threads() -> ThreadPoolTaskRunner:
    """The flows' task runner: OPTALLY_MAX_WORKERS threads (read when this module is
    imported; `optally run --task-runner` and the deployments choose their own)."""
    return ThreadPoolTaskRunner(max_workers=get_settings().max_workers)


@dataclass
class RunSummary:
    discovered: int = 0
    fetched: int = 0
    not_modified: int = 0
    unchanged: int = 0
    extracted: int = 0
    irrelevant: int = 0
    operations_touched: list[int] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # discovery's, "<source>: <warning>"
    # The listings, feeds, sitemaps and search pages discovery could not read, each with
    # its "source"; and the sources of which nothing at all could be read.
    discovery_failures: list[dict[str, Any]] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    sources: int = 0  # sources the run asked for

    def as_dict(self) -> dict[str, Any]:
        return {
            "discovered": self.discovered,
            "fetched": self.fetched,
            "not_modified": self.not_modified,
            "unchanged": self.unchanged,
            "extracted": self.extracted,
            "irrelevant": self.irrelevant,
            "operations_touched": len(self.operations_touched),
            "failed": len(self.failures),
            "failures": self.failures,
            # Only when there are some: a clean run's summary keeps its shape.
            **({"warnings": self.warnings} if self.warnings else {}),
            **(
                {
                    "discovery_failed": len(self.discovery_failures),
                    "discovery_failures": self.discovery_failures,
                }
                if self.discovery_failures
                else {}
            ),
            **({"sources": self.sources, "unread_sources": self.unread} if self.unread else {}),
        }

    @property
    def nothing_read(self) -> bool:
        """Every source of the run failed: the run as a whole failed."""
        return bool(self.unread) and len(self.unread) == self.sources


class NothingRead(RuntimeError):
    """No source of the run could be read (each one's listing, feed or sitemap failed, or
    every page of a URL list did): the flow run ends Failed, `optally run` exits 1.
    ``summary`` is the run's summary, with every failed URL and its reason."""

    def __init__(self, summary: dict[str, Any]) -> None:
        super().__init__(nothing_read_message(summary))
        self.summary = summary

    def __reduce__(self) -> tuple[Any, ...]:  # Prefect may pickle a flow's exception
        return (NothingRead, (self.summary,))


UNREAD_SHOWN = 5  # sources named in NothingRead's one line; the summary lists every URL


def nothing_read_message(summary: dict[str, Any]) -> str:
    """One line: each source that could not be read, with its first failed URL and why."""
    first: dict[str, dict[str, Any]] = {}
    for f in [*summary.get("discovery_failures", []), *summary.get("failures", [])]:
        first.setdefault(f.get("source", ""), f)
    unread = summary.get("unread_sources", [])
    named = [
        f"{name}: {first[name]['url']}: {first[name]['reason']}" if name in first else name
        for name in unread[:UNREAD_SHOWN]
    ]
    more = f"; and {len(unread) - UNREAD_SHOWN} more" if len(unread) > UNREAD_SHOWN else ""
    return f"no source could be read: {'; '.join(named)}{more}"


def failure_reason(reason: str | None, source: Source) -> str:
    """A failure's reason, saying what allows a refused private address."""
    if reason != PRIVATE_REFUSED:
        return reason or "failed"
    if source.name == MANUAL_SOURCE:
        return f"{reason} (`optally add --allow-private` allows it)"
    return f"{reason} (set allow_private_hosts: true on source {source.name!r} to allow it)"


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    fetched: int
    not_modified: int
    unchanged: int
    page_ids: tuple[int, ...]
    failures: tuple[dict[str, Any], ...]
    source: str = ""


@dataclass(frozen=True, slots=True)
class Discovered:
    """A source's article links for this run, and its warnings as "<source>: <warning>"."""

    links: list[Link]
    warnings: list[str]
    failures: list[dict[str, Any]] = field(default_factory=list)  # discovery's, with "source"
    documents_read: int = 0  # listing pages, feeds, sitemaps, search pages read


def _backing_off(conn: Any, source: Source, settings: Settings) -> set[str]:
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


def _settled(conn: Any, db_url: str | None, source: Source, settings: Settings) -> Settled | None:
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


# Retries live in the Fetcher's own loop (it honours Retry-After); the tasks do not retry.
@task(name="discover", cache_policy=NO_CACHE, tags=["http"])
def discover_task(
    source: Source,
    since: date | None,
    until: date | None,
    max_pages: int | None,
    db_url: str | None,
    host_slots: bool = False,
    full_sweep: bool = False,
) -> Discovered:
    settings = get_settings()
    host = urlsplit(source.start_url or "").hostname
    with get_engine(db_url).begin() as conn:
        skip = _backing_off(conn, source, settings)
        settled = None if full_sweep else _settled(conn, db_url, source, settings)
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
        [_failure(source, f.url, f.status, f.error, f.attempts) for f in failures],
        result.pages_fetched,
    )


def _failure(
    source: Source, url: str, status: int | None, reason: str | None, attempts: int
) -> dict[str, Any]:
    return {
        "source": source.name,
        "url": url,
        "status": status,
        "reason": failure_reason(reason, source),
        "attempts": attempts,
    }


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


@task(name="fetch", cache_policy=NO_CACHE, tags=["http"])
def fetch_task(
    source: Source, links: Sequence[Link], db_url: str | None, host_slots: bool = False
) -> FetchOutcome:
    """Fetch a batch of one host's pages and archive each body before anything parses it."""
    host = urlsplit(links[0].url).hostname if links else None
    with host_slot(host, source.rate_limit, host_slots):
        return _fetch_batch(source, links, db_url)


def _fetch_batch(source: Source, links: Sequence[Link], db_url: str | None) -> FetchOutcome:
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
    def archive(conn: Any, batch: Sequence[tuple[Link, Any]]) -> list[tuple[Link, Any, Any]]:
        out = []
        for link, result in batch:
            if result.ok or result.not_modified:
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
                _failure(source, link.url, result.status, result.error, result.attempts)
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
        failures.append(_failure(source, link.url, result.status, why, result.attempts))
        logger.warning("fetch %s: %s", link.url, why)
    return FetchOutcome(
        fetched, not_modified, unchanged, tuple(page_ids), tuple(failures), source.name
    )


@task(name="extract", cache_policy=NO_CACHE)
def extract_task(
    version_ids: Sequence[int], sources: dict[str, Source], db_url: str | None
) -> list[wh.Extracted]:
    """Read archived versions and extract them (pure parsing; no network).

    A page whose source has keywords is kept only when its title or tags match;
    a page from a source not in ``sources`` (say, removed since) keeps everything.
    """
    engine = get_engine(db_url)
    with engine.connect() as conn:
        rows = wh.read_versions(conn, version_ids)
    profiles = {name: s.profile for name, s in sources.items()}
    jobs = [(body, item.url, profiles.get(item.source)) for item, body, _ctype in rows]
    if extract_pool.active():  # a large run: parse on the worker processes
        extractions = extract_pool.extract_pages(jobs)
    else:  # through this module's name: the crash tests wrap flows.etl.extract_page
        extractions = [extract_page(b, url=u, profile=p) for b, u, p in jobs]
    out = []
    for (item, _body, _ctype), ex in zip(rows, extractions, strict=True):
        ex = with_listing_date(ex, item.listed_date)
        out.append(wh.Extracted(item, ex, keeps(sources.get(item.source), ex)))
    return out


@task(name="resolve", cache_policy=NO_CACHE)
def resolve_task(pages: Sequence[wh.Extracted], db_url: str | None) -> list[Match | None]:
    """Group pages into operations: existing ones where the rule matches, new ones otherwise;
    a page a person merged or split (`optally operations`) goes where they put it."""
    engine = get_engine(db_url)
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # One snapshot: another run's loaded operation is seen pending with its
            # claims or derived with its figures, never half way (tasks/resolve.py).
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        return resolve_batch(conn, pages)


@task(name="load", cache_policy=NO_CACHE)
def load_task(
    pages: Sequence[wh.Extracted], matches: Sequence[Match | None], db_url: str | None
) -> wh.LoadOutcome:
    """One transaction for the batch: articles, claims and operations; the operations it
    touched are marked pending for derive. A page that cannot be loaded is recorded as
    failed; the others load (wh.load_batch)."""
    outcome = wh.load_batch(get_engine(db_url), pages, matches)
    for failure in outcome.failures:
        get_run_logger().warning("load %s: %s", failure.url, failure.reason)
    return outcome


@task(name="derive", cache_policy=NO_CACHE)
def derive_task(op_ids: Sequence[int], db_url: str | None) -> list[int]:
    """One transaction: rebuild the derived rows (reconciled figures, metrics, checks,
    facts, forces, parents) of ``op_ids`` and of any operation a stopped run left pending
    (tasks/derive.py rebuild). Returns the operations rebuilt."""
    with get_engine(db_url).begin() as conn:
        return rebuild(conn, op_ids)


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(op_ids: Sequence[int], db_url: str | None, run_summary: dict[str, Any]) -> None:
    """Prefect artifacts: a table of the operations this run touched and a markdown summary."""
    from tasks.publish import publish_artifacts  # matplotlib and friends load only when publishing

    publish_artifacts(op_ids, db_url, run_summary)


def _batches(links: Sequence[Link], size: int) -> list[list[Link]]:
    return [list(links[i : i + size]) for i in range(0, len(links), size)]


@stop_fetching_when_interrupted()
def run_pipeline(
    sources: Sequence[Source],
    db_url: str | None,
    since: date | None = None,
    until: date | None = None,
    max_pages: int | None = None,
    progress: Any = None,
    full_sweep: bool = False,
) -> RunSummary:
    """The body of the etl flow (callable from any flow): returns what the run did."""
    settings = get_settings()
    get_engine(db_url)  # migrate once, up front, before tasks race to do it
    # Pages keyed before 0003 get their identity, and merge where they are one page. Not
    # those added by hand: `optally add` knows only its own URLs' hosts (wh.archive re-keys
    # such a page when it is asked for again).
    rekey_pages(
        get_engine(db_url),
        [s for s in sources if s.name != MANUAL_SOURCE],
        source_page_identity,
    )
    summary = RunSummary()

    # Tasks in other processes (Dask) pace hosts apart: a Prefect limit per host joins them.
    host_slots = host_slots_needed()
    if host_slots:
        ensure_host_limits(urlsplit(s.start_url or "").hostname or "" for s in sources)
    discovered = {
        s.name: discover_task.submit(s, since, until, max_pages, db_url, host_slots, full_sweep)
        for s in sources
    }
    by_source = {s.name: s for s in sources}
    read: Counter[str] = Counter()  # per source: documents and pages read
    fetch_futures = []
    for name, fut in discovered.items():
        found = fut.result()
        links = found.links
        summary.warnings.extend(found.warnings)
        summary.discovered += len(links)
        summary.discovery_failures.extend(found.failures)
        read[name] += found.documents_read
        by_host: dict[str, list[Link]] = defaultdict(list)
        for link in links:
            by_host[urlsplit(link.url).hostname or ""].append(link)
        if host_slots:
            ensure_host_limits(by_host)
        for host_links in by_host.values():
            for batch in _batches(host_links, settings.batch_size):
                fetch_futures.append(fetch_task.submit(by_source[name], batch, db_url, host_slots))
    if progress:
        progress.start("fetch", len(fetch_futures))
    page_ids: list[int] = []
    for fut in fetch_futures:
        outcome = fut.result()
        summary.fetched += outcome.fetched
        summary.not_modified += outcome.not_modified
        summary.unchanged += outcome.unchanged
        summary.failures.extend(outcome.failures)
        page_ids.extend(outcome.page_ids)
        read[outcome.source] += len(outcome.page_ids)
        if progress:
            progress.advance("fetch")
    summary.sources = len(sources)
    summary.unread = _unread(sources, read, summary)
    extract_and_load(page_ids, by_source, db_url, summary, progress, dates=(since, until))
    publish_task(summary.operations_touched, db_url, summary.as_dict())
    if summary.nothing_read:  # after publishing: the artifacts name every failure too
        raise NothingRead(summary.as_dict())
    return summary


def _unread(sources: Sequence[Source], read: Counter[str], summary: RunSummary) -> list[str]:
    """The sources of which nothing could be read: something failed, nothing was read."""
    failed = {f.get("source") for f in [*summary.discovery_failures, *summary.failures]}
    return [s.name for s in sources if s.name in failed and not read[s.name]]


def _extract_ahead(batches: int) -> int:
    """Extract batches in flight ahead of loading. On threads one is enough: parsing holds
    the GIL, so a second parsing thread adds memory, not speed. A process-based runner
    (Dask) parses in parallel and gets every batch at once, as before."""
    return 1 if _on_threads() else max(1, batches)


def _on_threads() -> bool:
    """True when this flow's tasks run on threads in this process (not Dask)."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    return ctx is None or isinstance(ctx.task_runner, ThreadPoolTaskRunner)


def extract_and_load(
    page_ids: Sequence[int] | None,
    sources: dict[str, Source],
    db_url: str | None,
    summary: RunSummary,
    progress: Any = None,
    *,
    include_read: bool = False,
    dates: tuple[date | None, date | None] = (None, None),
) -> None:
    """Extract every archived page version the current parser has not read, then resolve,
    load and derive them batch by batch. A URL list's page is left out when its own date
    falls outside ``dates`` (since, until): it is dated only once read."""
    settings = get_settings()
    engine = get_engine(db_url)
    with engine.connect() as conn:
        versions = wh.unextracted_versions(
            conn, PARSER_VERSION, page_ids, include_read=include_read
        )
    batches = [
        versions[i : i + settings.batch_size] for i in range(0, len(versions), settings.batch_size)
    ]
    if progress:
        progress.start("extract", len(batches))
    # On threads, parsing holds the GIL: a large run parses on worker processes instead.
    processes = (
        extract_pool.worker_count(len(versions), settings.extract_processes) if _on_threads() else 0
    )
    with extract_pool.workers(processes):
        _extract_and_load(
            batches, sources, db_url, summary, progress, parallel=processes > 0, dates=dates
        )


def _derivations_pending(db_url: str | None) -> bool:
    with get_engine(db_url).connect() as conn:
        return bool(pending(conn))


def _outside(
    page: wh.Extracted, dates: tuple[date | None, date | None], sources: dict[str, Source]
) -> bool:
    return outside_dates(sources.get(page.item.source), page.extraction, dates)


def _extract_and_load(
    batches: Sequence[Sequence[int]],
    sources: dict[str, Source],
    db_url: str | None,
    summary: RunSummary,
    progress: Any,
    *,
    parallel: bool,
    dates: tuple[date | None, date | None] = (None, None),
) -> None:
    # Extraction runs at most `ahead` batches in front of the batch being resolved and
    # loaded, so parsing overlaps loading without piling up: a finished batch waiting in
    # its future keeps its pages (and, with parses overlapping on threads, uncollected
    # parse trees) in memory. benchmarks/ and docs/BENCHMARKS.md have the measurements.
    # With worker processes, the next batch parses there while this one is loaded.
    ahead = 2 if parallel else _extract_ahead(len(batches))
    futures = deque(extract_task.submit(b, sources, db_url) for b in batches[:ahead])
    touched: set[int] = set()
    if _derivations_pending(db_url):
        # A run stopped between a load and its derive, or pages merged as one (rekey):
        # rebuild those operations before this run resolves anything against them.
        touched.update(derive_task(quote([]), db_url))
    left_out: Counter[str] = Counter()
    for i in range(len(batches)):
        extracted = futures.popleft()
        pages = extracted.result()
        if i + ahead < len(batches):
            futures.append(extract_task.submit(batches[i + ahead], sources, db_url))
        # Not loaded, so not marked read: a later run without the dates loads them.
        left_out.update(p.item.source for p in pages if _outside(p, dates, sources))
        pages = [p for p in pages if not _outside(p, dates, sources)]
        summary.extracted += len(pages)
        summary.irrelevant += sum(1 for p in pages if not p.relevant)
        # Resolve and load in page order, batch after batch: resolution sees earlier batches.
        # quote(): Prefect would otherwise walk every page's article and figures, twice per
        # call, looking for futures (a quarter of these tasks' time, docs/BENCHMARKS.md);
        # wait_for keeps the extract -> resolve/load edges of the run graph.
        matches = resolve_task(quote(pages), db_url, wait_for=[extracted])
        loaded = load_task(quote(pages), quote(matches), db_url, wait_for=[extracted])
        # Before the next batch resolves: it matches against these operations' figures.
        touched.update(derive_task(loaded.touched, db_url))
        summary.failures.extend(f.as_dict() for f in loaded.failures)
        if progress:
            progress.advance("extract")
    summary.operations_touched = sorted(touched)
    summary.warnings.extend(
        f"{name}: {n:,} page(s) left out: published outside the run's dates (since, until)"
        for name, n in sorted(left_out.items())
    )


@flow(name="etl", task_runner=threads())
def etl(
    sources_file: str | None = None,
    db_url: str | None = None,
    since: date | None = None,
    until: date | None = None,
    max_pages: int | None = None,
    schedule: str = "both",
    only: list[str] | None = None,
    full_sweep: bool = False,
) -> dict[str, Any]:
    """Crawl the sources, archive and extract pages, load claims, resolve operations, derive metrics.

    A run asks for new articles and re-checks recent ones (``recheck_days``); ``full_sweep``
    walks every listing to its end and asks again for every known article (conditionally),
    to pick up corrections of old pages."""
    settings = get_settings()
    sources = load_sources(Path(sources_file) if sources_file else settings.sources_file)
    sources = (
        [s for s in sources if s.enabled]
        if schedule == "both"
        else select_sources(sources, schedule)
    )
    if only:
        sources = [s for s in sources if s.name in only]
    summary = run_pipeline(
        sources,
        db_url,
        since,
        until,
        max_pages,
        progress=current_progress(),
        full_sweep=full_sweep,
    )
    logger = get_run_logger()
    logger.info("run summary: %s", {k: v for k, v in summary.as_dict().items() if k != "failures"})
    return summary.as_dict()


@flow(name="reparse", task_runner=threads())
def reparse(sources_file: str | None = None, db_url: str | None = None) -> dict[str, Any]:
    """Re-extract every archived page with the current parser, from the raw archive, no network."""
    settings = get_settings()
    sources = load_sources(Path(sources_file) if sources_file else settings.sources_file)
    summary = RunSummary()
    get_engine(db_url)
    extract_and_load(
        None, {s.name: s for s in sources}, db_url, summary, current_progress(), include_read=True
    )
    return summary.as_dict()


MANUAL_SOURCE = "manual"


def manual_source(urls: Sequence[str], allow_private: bool = False) -> Source:
    """The `manual` source for pages a user names by hand: only their own hosts are allowed."""
    hosts = sorted({urlsplit(u).hostname or "" for u in urls} - {""})
    if not hosts or len(hosts) != len({urlsplit(u).hostname for u in urls}):
        raise ValueError("every URL needs an http(s) scheme and a host")
    profiles = {detect_profile(u) for u in urls}
    return Source(
        name=MANUAL_SOURCE,
        kind="urls",
        start_url=urls[0],
        urls=list(urls),
        allowed_hosts=hosts,
        profile=profiles.pop() if len(profiles) == 1 else "generic",
        allow_private_hosts=allow_private,
    )


@flow(name="add", task_runner=threads())
def add_urls(
    urls: list[str], db_url: str | None = None, allow_private: bool = False
) -> dict[str, Any]:
    """Fetch and extract pages a user names by hand, under the same politeness and archive rules."""
    source = manual_source(urls, allow_private)
    summary = run_pipeline([source], db_url, progress=current_progress())
    return summary.as_dict()
