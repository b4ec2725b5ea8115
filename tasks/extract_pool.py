"""Extraction in worker processes, so that parsing uses the cores the flow's threads cannot.

The flow runs its tasks on threads. Fetching and loading wait on sockets and SQLite, but
parsing holds the GIL: a backfill's extraction (parse_article + extract_figures, pure
functions of the page) is the largest share of its CPU time and, on threads, runs on one
core at a time. Here a batch's pages go to a small process pool instead, and the
extracting thread waits with the GIL released while the main process fetches, resolves
and loads.

Only worth it for a run with many pages: a worker's start costs about half a second and
it holds some 35 MB. Small runs (a daily run, `optally add`, the tests) extract in
process, as do runs whose tasks already run in other processes (Dask). A worker that
dies (a hostile page crashing lxml, the OOM killer) costs its batch nothing: the batch
and the rest of the run are extracted in process.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import multiprocessing
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool

from domain.records import Extraction
from tasks.extract import extract_page

__all__ = ["Job", "active", "extract_pages", "worker_count", "workers"]

log = logging.getLogger(__name__)

Job = tuple[str | bytes, str | None, str | None]  # (page, url, profile)

# Below this many pages a run extracts in process: the pool's start-up would cost more.
MIN_PAGES = 300

_lock = threading.Lock()
_pool: concurrent.futures.ProcessPoolExecutor | None = None
_size = 0


def worker_count(pages: int, setting: int | None) -> int:
    """Worker processes for a run of ``pages`` pages.

    ``setting`` is OPTALLY_EXTRACT_PROCESSES: 0 for none, a number for that many, None for
    one fewer than the cores (the main process keeps one), none on a single core.
    """
    if setting is not None:
        return max(0, setting)
    if pages < MIN_PAGES:
        return 0
    return max(0, min(4, (os.cpu_count() or 1) - 1))


def _init_worker() -> None:
    # Workers parse; a Ctrl-C belongs to the parent, which shuts them down.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _extract(job: Job) -> Extraction:
    page, url, profile = job
    return extract_page(page, url=url, profile=profile)


@contextlib.contextmanager
def workers(count: int) -> Iterator[None]:
    """Run ``extract_pages`` on ``count`` worker processes inside this block (0: none)."""
    global _pool, _size
    if count <= 0:
        yield
        return
    with _lock:
        if _pool is None:
            # forkserver, not fork: forking a process that runs threads (Prefect's) can
            # copy a lock another thread holds. The server forks workers from a clean,
            # single-threaded process.
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["tasks.extract"])
            _pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=count, mp_context=ctx, initializer=_init_worker
            )
            _size = count
            owner = True
        else:
            owner = False  # a nested run (a flow inside a flow) shares the pool
    try:
        yield
    finally:
        if owner:
            with _lock:
                pool, _pool, _size = _pool, None, 0
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)


def active() -> bool:
    """True inside ``workers`` with a live pool: ``extract_pages`` will use it."""
    return _pool is not None


def extract_pages(jobs: Sequence[Job]) -> list[Extraction]:
    """``extract_page`` for each job, in order: on the workers when ``workers`` is active."""
    global _pool
    pool = _pool
    if pool is None or not jobs:
        return [_extract(job) for job in jobs]
    chunk = max(1, len(jobs) // (2 * max(1, _size)))
    try:
        return list(pool.map(_extract, jobs, chunksize=chunk))
    except BrokenProcessPool:
        # Either a worker died, or workers cannot start at all (a script without an
        # ``if __name__ == "__main__":`` guard, which every worker would re-run). Either
        # way this run goes on in process: the batch loses nothing.
        log.warning("extraction workers failed; extracting in process for the rest of the run")
        with _lock:
            if _pool is pool:
                _pool = None
        pool.shutdown(wait=False, cancel_futures=True)
        return [_extract(job) for job in jobs]
