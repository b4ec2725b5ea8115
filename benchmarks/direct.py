"""The ETL without Prefect: the same task functions called directly (``task.fn``).

``python -m benchmarks.direct --sources FILE --db URL [--sequential] [--profile OUT]``

Every Prefect task object in ``flows.etl`` is swapped for a shim whose ``__call__`` is
the task's ``fn`` and whose ``submit`` runs ``fn`` on a ``ThreadPoolExecutor`` of the
flow's own width (or inline with ``--sequential``), then ``flows.etl.etl.fn`` runs. So
the work is the flow's work, line for line, minus orchestration: no API server, no
task runs, no states, no events. Artifacts (``tasks.publish``) are built but not sent
(sending them needs the API). ``get_run_logger`` becomes a plain logger.

``--profile OUT`` records the run with pyinstrument (use ``--sequential`` so that every
task runs on the profiled main thread) and writes a text profile to OUT.
Prints one JSON line: the run summary and the wall time of ``etl.fn``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


PROFILE_TARGETS = (
    ("extract_task", "extract (whole task)"),
    ("parse_article", "  parse_article (HTML -> article)"),
    ("BeautifulSoup.__init__", "    BeautifulSoup tree build (lxml)"),
    ("_build_index", "    _build_index (selector walk)"),
    ("extract_figures", "  extract_figures (text -> figures)"),
    ("fetch_task", "fetch (whole task)"),
    ("Session.get", "  HTTP (requests)"),
    ("archive", "  archive (gzip + SQL)"),
    ("discover_task", "discover (listing pages)"),
    ("resolve_task", "resolve"),
    ("load_task", "load"),
    ("derive_task", "derive"),
    ("publish_task", "publish (report data)"),
)


def profile_shares(session: Any) -> tuple[float, list[tuple[str, float]]]:
    """Inclusive seconds per function of interest (outermost frame only), and the run total."""
    root = session.root_frame()
    totals = {name: 0.0 for name, _ in PROFILE_TARGETS}

    def walk(frame: Any, inside: frozenset[str]) -> None:
        name = frame.function or ""
        cls = getattr(frame, "class_name", None)
        qual = f"{cls}.{name}" if cls else name
        hit = next((t for t in (qual, name) if t in totals), None)
        if hit and hit not in inside:
            totals[hit] += frame.time
            inside = inside | {hit}
        for child in frame.children:
            walk(child, inside)

    walk(root, frozenset())
    etl_total = 0.0

    def find(frame: Any) -> None:
        nonlocal etl_total
        if frame.function == "etl" and "flows/etl" in (frame.file_path_short or ""):
            etl_total = max(etl_total, frame.time)
        for child in frame.children:
            find(child)

    find(root)
    total = etl_total or root.time
    return total, [(label, totals[name]) for name, label in PROFILE_TARGETS]


class _Direct:
    def __init__(self, task: Any, pool: ThreadPoolExecutor | None) -> None:
        self.fn = task.fn
        self.name = task.name
        self._pool = pool

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = _plain(args, kwargs)
        return self.fn(*args, **kwargs)

    def submit(self, *args: Any, **kwargs: Any) -> Future:
        args, kwargs = _plain(args, kwargs)
        if self._pool is None:
            fut: Future = Future()
            try:
                fut.set_result(self.fn(*args, **kwargs))
            except BaseException as exc:  # the flow sees it on .result(), as with Prefect
                fut.set_exception(exc)
            return fut
        return self._pool.submit(self.fn, *args, **kwargs)


def _plain(args: tuple, kwargs: dict[str, Any]) -> tuple[tuple, dict[str, Any]]:
    """What Prefect hands the function: annotations (quote) unwrapped, and no run options
    (wait_for, return_state)."""
    from prefect.utilities.annotations import BaseAnnotation

    def unwrap(v: Any) -> Any:
        return v.unwrap() if isinstance(v, BaseAnnotation) else v

    kwargs = {k: unwrap(v) for k, v in kwargs.items() if k not in ("wait_for", "return_state")}
    return tuple(unwrap(a) for a in args), kwargs


def install(sequential: bool = False) -> ThreadPoolExecutor | None:
    """Swap flows.etl's tasks for direct calls. Returns the pool (None when sequential)."""
    from prefect import Task

    import flows.etl as etl_mod
    import tasks.publish as publish_mod

    width = getattr(etl_mod.etl.task_runner, "_max_workers", None) or 4
    pool = None if sequential else ThreadPoolExecutor(max_workers=width)
    for name, obj in list(vars(etl_mod).items()):
        if isinstance(obj, Task):
            setattr(etl_mod, name, _Direct(obj, pool))
    etl_mod.get_run_logger = lambda: logging.getLogger("optally.direct")
    publish_mod.create_table_artifact = lambda *a, **k: None
    publish_mod.create_markdown_artifact = lambda *a, **k: None
    return pool


def run(sources_file: str, db_url: str, sequential: bool = False) -> dict[str, Any]:
    pool = install(sequential)
    import flows.etl as etl_mod

    t0 = time.perf_counter()
    summary = etl_mod.etl.fn(sources_file=sources_file, db_url=db_url)
    elapsed = time.perf_counter() - t0
    if pool is not None:
        pool.shutdown()
    return {"elapsed": elapsed, "summary": {k: v for k, v in summary.items() if k != "failures"}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run the ETL's tasks directly, without Prefect.")
    ap.add_argument("--sources", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--sequential", action="store_true", help="run submitted tasks inline")
    ap.add_argument("--profile", metavar="OUT", help="write a pyinstrument text profile here")
    ap.add_argument("--profile-json", metavar="OUT", help="and the shares of the main parts here")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.002)
        profiler.start()
        out = run(args.sources, args.db, args.sequential)
        profiler.stop()
        with open(args.profile, "w", encoding="utf-8") as fh:
            fh.write(profiler.output_text(unicode=False, color=False, show_all=False))
        if args.profile_json:
            total, shares = profile_shares(profiler.last_session)
            with open(args.profile_json, "w", encoding="utf-8") as fh:
                json.dump(
                    {"pages": out["summary"]["extracted"], "total": total, "shares": shares}, fh
                )
    else:
        out = run(args.sources, args.db, args.sequential)
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
