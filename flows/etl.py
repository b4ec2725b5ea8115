"""The ETL flow: discover -> fetch -> extract -> resolve -> load -> derive -> publish -> notify.

This module is the only wiring point. Tasks receive names, URLs, ids and
settings; each opens what it needs (engine, HTTP client) through the factories.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from app.progress import current as current_progress
from config.settings import get_settings
from config.sources import MANUAL_SOURCE, Source, load_sources, select_sources
from db import load as wh
from db.derived import pending
from db.engine import get_engine
from db.identity import rekey_pages
from domain.records import PARSER_VERSION, Match
from domain.urls import source_page_identity
from profiles import detect as detect_profile
from tasks import extract_pool
from tasks.crawl import Discovered, FetchOutcome, discover_source, fetch_batch
from tasks.derive import rebuild
from tasks.discover import Link
from tasks.extract import (
    extract_page,
    keeps,
    outside_dates,
    with_listing_date,
    within_capture,
)
from tasks.fetch import (
    stop_fetching_when_interrupted,
)
from tasks.host_slots import ensure_host_limits, host_slot, host_slots_needed
from tasks.resolve import resolve_batch
from tasks.versions import with_older_readings


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
    # Per source, for the health alerts (tasks/alerts.py): article links its listings gave
    # (known ones included) and the new pages its keywords kept; then what notify told.
    listed: Counter[str] = field(default_factory=Counter)
    relevant_read: Counter[str] = field(default_factory=Counter)
    alerts: dict[str, Any] = field(default_factory=dict)

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
            **({"alerts": self.alerts} if self.alerts else {}),
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
    """A source's article links for this run (tasks/discover.py discover_source)."""
    return discover_source(source, since, until, max_pages, db_url, host_slots, full_sweep)


@task(name="fetch", cache_policy=NO_CACHE, tags=["http"])
def fetch_task(
    source: Source, links: Sequence[Link], db_url: str | None, host_slots: bool = False
) -> FetchOutcome:
    """Fetch a batch of one host's pages and archive each body before anything parses it."""
    host = urlsplit(links[0].url).hostname if links else None
    with host_slot(host, source.rate_limit, host_slots):
        return fetch_batch(source, links, db_url)


@task(name="extract", cache_policy=NO_CACHE)
def extract_task(
    version_ids: Sequence[int], sources: dict[str, Source], db_url: str | None
) -> list[wh.Extracted]:
    """Read archived versions and extract them (pure parsing; no network).

    A page whose source has keywords is kept only when its title or tags match;
    a page from a source not in ``sources`` (say, removed since) keeps everything.
    """
    engine = get_engine(db_url)

    def older_of(items: Sequence[wh.PageItem]) -> dict[int, tuple[int, bool]]:
        with engine.connect() as conn:
            return wh.older_versions(conn, items, PARSER_VERSION)

    # A page whose newest copy gives no figure: its older copies too (tasks/versions.py).
    pages = _extract_versions(engine, version_ids, sources)
    return with_older_readings(pages, older_of, lambda ids: _extract_versions(engine, ids, sources))


def _extract_versions(
    engine: Any, version_ids: Sequence[int], sources: dict[str, Source]
) -> list[wh.Extracted]:
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
        ex = within_capture(with_listing_date(ex, item.listed_date), item.captured)
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


@task(name="notify", cache_policy=NO_CACHE)
def notify_task(
    sources: Sequence[Source],
    db_url: str | None,
    run_summary: dict[str, Any],
    listed: dict[str, int],
    relevant: dict[str, int],
    dated: bool,
) -> dict[str, Any]:
    """The digest of new operations and the sources' health alert: Prefect events, and a
    POST to OPTALLY_ALERT_WEBHOOK whose failure never fails the run (tasks/notify.py)."""
    from tasks.notify import notify

    return notify(sources, db_url, run_summary, listed, relevant, dated).as_dict()


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
        summary.listed[name] += found.listed
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
    summary.alerts = notify_task(
        sources,
        db_url,
        summary.as_dict(),
        dict(summary.listed),
        dict(summary.relevant_read),
        dated=since is not None or until is not None,
    )
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
        touched.update(derive_task([], db_url))
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
        summary.relevant_read.update(p.item.source for p in pages if p.relevant)
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


IMPORT_IDS_LISTED = 5000  # pages an import names to extract; more: every unread page


@task(name="import-archive", cache_policy=NO_CACHE)
def import_archive_task(
    path: str, sources: Sequence[Source], forced: str | None, db_url: str | None
) -> Any:
    """Archive one WARC/ARC file's HTML pages (tasks/warc.py import_file)."""
    from tasks.warc import import_file

    return import_file(path, sources, forced, db_url)


@flow(name="import-warc", task_runner=threads())
def import_warc(
    files: list[str],
    source: str | None = None,
    sources_file: str | None = None,
    db_url: str | None = None,
) -> dict[str, Any]:
    """Web-archive files (WARC, ARC) as fetched pages: each HTML response archived with its
    capture's provenance, then extract -> resolve -> load -> derive, as for a crawl."""
    settings = get_settings()
    sources = load_sources(Path(sources_file) if sources_file else settings.sources_file)
    summary = RunSummary()
    get_engine(db_url)
    page_ids: list[int] = []
    skipped: Counter[str] = Counter()
    for path in files:
        outcome = import_archive_task(path, sources, source, db_url)
        summary.fetched += outcome.archived
        summary.unchanged += outcome.unchanged
        summary.failures.extend(outcome.failures)
        skipped.update(outcome.skipped)
        page_ids.extend(outcome.page_ids)
    summary.discovered = summary.fetched + summary.unchanged
    # A large archive's pages are not named one by one: an IN list of 100,000 ids is over
    # SQLite's bound. Every unread page is extracted instead (those of a stopped run too,
    # which its next run would read anyway).
    ids = sorted(set(page_ids))
    extract_and_load(
        ids if len(ids) <= IMPORT_IDS_LISTED else None,
        {s.name: s for s in sources},
        db_url,
        summary,
        current_progress(),
    )
    return {**summary.as_dict(), "records_skipped": dict(sorted(skipped.items()))}


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
