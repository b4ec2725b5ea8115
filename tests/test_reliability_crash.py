"""Crash consistency: a flow run killed with SIGKILL anywhere, then run again, leaves the
warehouse row for row as one clean run does.

Each kill point is a full ``etl`` flow run over HTTP against the sample site, in a child
process that kills itself (``os.kill(getpid(), SIGKILL)``: no rollback, no cleanup, no
atexit) at the n-th call of one stage: after a fetch, inside the archive transaction,
inside an extraction, inside a load or derive transaction before its commit, or right
after a commit (tests/reliability_helpers.py, CRASH_CHILD). The points are drawn at random
(the seed is printed; ``OPTALLY_CRASH_SEED=<n>`` replays one) over the calls a clean run
makes. A second child then runs the flow to completion, and the warehouse must equal the
clean run's on every table (``warehouse_content``: natural keys, no surrogate ids, only
whether a timestamp is set).

Batches of 2 pages (OPTALLY_BATCH_SIZE=2) give 6 load transactions instead of 1, so a kill
can fall between batches. The load-level kill before one commit is in test_concurrency.py;
this is the whole flow, every stage.
"""

from __future__ import annotations

import os
import random
import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from app.demo import write_demo_sources
from app.sample_server import SampleSite
from tests.reliability_helpers import (
    content_diff,
    finish,
    forget_engine,
    pg_databases,
    run_flow_child,
    start_flow_child,
    warehouse_content,
)

pytestmark = [pytest.mark.slow, pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]

BATCH_ENV = {"OPTALLY_BATCH_SIZE": "2"}
# How many random kill points per stage (14 on SQLite, 5 on PostgreSQL).
SQLITE_POINTS = {"fetch": 2, "archive": 3, "extract": 2, "load": 3, "derive": 1, "commit": 3}
PG_POINTS = {"archive": 1, "extract": 1, "load": 2, "commit": 1}
PARALLEL = 3  # children at once; each is mostly CPU for ~5 s


@pytest.fixture(scope="module")
def sources_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with SampleSite() as site:
        yield write_demo_sources(site, tmp_path_factory.mktemp("crash-sources"))


@pytest.fixture(scope="module")
def seed() -> int:
    value = int(os.environ.get("OPTALLY_CRASH_SEED") or random.randrange(1 << 30))
    print(f"crash points seed: OPTALLY_CRASH_SEED={value}")
    return value


def kill_points(calls: dict[str, int], per_stage: dict[str, int], seed: int) -> list[str]:
    """Distinct random ``stage:n`` points, n within the calls a clean run makes."""
    rng = random.Random(seed)
    points = []
    for stage, k in per_stage.items():
        available = calls.get(stage, 0)
        assert available >= 1, f"a clean run never reaches stage {stage}: {calls}"
        points += [
            f"{stage}:{n}" for n in sorted(rng.sample(range(1, available + 1), min(k, available)))
        ]
    return points


def crash_then_finish(sources: Path, url: str, point: str, home: Path) -> dict[str, Any]:
    """Kill a run at ``point``, run again to completion; returns the warehouse content."""
    child = start_flow_child(sources, url, home / "killed", crash_after=point, extra_env=BATCH_ENV)
    code, _, err = finish(child)
    assert code == -signal.SIGKILL, f"{point}: the run was not killed (exit {code}):\n{err[-3000:]}"
    report = run_flow_child(sources, url, home / "rerun", extra_env=BATCH_ENV)
    assert report["failed"] == 0, f"{point}: rerun recorded failures: {report}"
    try:
        return warehouse_content(url)
    finally:
        forget_engine(url)


def check_points(sources: Path, urls: dict[str, str], reference: dict[str, Any], tmp: Path) -> None:
    def job(point: str) -> str | None:
        got = crash_then_finish(sources, urls[point], point, tmp / point.replace(":", "-"))
        return None if got == reference else f"{point}:\n{content_diff(reference, got)}"

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        problems = [p for p in pool.map(job, urls) if p]
    assert not problems, "killed and re-run, the warehouse differs from a clean run:\n" + "\n".join(
        problems
    )


def test_sqlite_run_killed_anywhere_then_rerun_equals_a_clean_run(
    sources_file: Path, seed: int, tmp_path: Path
) -> None:
    clean = f"sqlite:///{tmp_path / 'clean.db'}"
    report = run_flow_child(sources_file, clean, tmp_path / "clean-home", extra_env=BATCH_ENV)
    assert report["failed"] == 0 and report["fetched"] == 11, report
    reference = warehouse_content(clean)
    forget_engine(clean)
    assert len(reference["articles"]) == 11 and reference["metric_values"]

    points = kill_points(report["counts"], SQLITE_POINTS, seed)
    assert len(points) >= 10, points
    urls = {p: f"sqlite:///{tmp_path / (p.replace(':', '-') + '.db')}" for p in points}
    check_points(sources_file, urls, reference, tmp_path)


def test_postgres_run_killed_anywhere_then_rerun_equals_a_clean_run(
    sources_file: Path, seed: int, tmp_path: Path
) -> None:
    n = sum(PG_POINTS.values())
    with pg_databases(n + 1) as dbs:
        clean, rest = dbs[0], dbs[1:]
        report = run_flow_child(sources_file, clean, tmp_path / "clean-home", extra_env=BATCH_ENV)
        assert report["failed"] == 0, report
        reference = warehouse_content(clean)
        points = kill_points(report["counts"], PG_POINTS, seed)
        check_points(sources_file, dict(zip(points, rest, strict=True)), reference, tmp_path)
