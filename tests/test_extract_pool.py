"""tasks/extract_pool.py: extraction on worker processes gives what extraction in process gives."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tasks import extract_pool
from tasks.extract import extract_page

CORPUS = Path(__file__).parent / "fixtures" / "corpus"


def _jobs(n: int) -> list[extract_pool.Job]:
    pages = sorted(CORPUS.glob("*.html"))[:n]
    return [(p.read_bytes(), f"https://example.org/news/{p.stem}", None) for p in pages]


@pytest.mark.parametrize(
    ("pages", "setting", "cores", "expected"),
    [
        (10, None, 2, 0),  # a small run: in process
        (299, None, 8, 0),
        (300, None, 2, 1),  # one core stays with the main process
        (5000, None, 1, 0),  # a single core: nothing to gain
        (5000, None, 16, 4),  # capped: the main process could not feed more
        (10, 2, 2, 2),  # the setting wins, both ways
        (5000, 0, 8, 0),
        (5000, -1, 8, 0),
    ],
)
def test_worker_count(
    monkeypatch: pytest.MonkeyPatch, pages: int, setting: int | None, cores: int, expected: int
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert extract_pool.worker_count(pages, setting) == expected


def test_in_process_without_workers() -> None:
    jobs = _jobs(3)
    assert not extract_pool.active()
    assert extract_pool.extract_pages(jobs) == [extract_page(*j) for j in jobs]


def test_workers_give_the_same_extractions_in_order() -> None:
    jobs = _jobs(12)
    expected = [extract_page(*j) for j in jobs]
    with extract_pool.workers(1):
        assert extract_pool.active()
        assert extract_pool.extract_pages(jobs) == expected
        assert extract_pool.extract_pages([]) == []
    assert not extract_pool.active()  # shut down with the block


class _Crash:
    """Unpickled in a worker, it kills the worker, as the OOM killer would."""

    def __reduce__(self) -> tuple[object, tuple[int]]:
        return (os._exit, (1,))


def test_a_dead_worker_costs_nothing() -> None:
    good = _jobs(2)
    jobs: list[extract_pool.Job] = [good[0], (_Crash(), None, None), good[1]]  # type: ignore[list-item]
    with extract_pool.workers(1):
        out = extract_pool.extract_pages(jobs)
        assert not extract_pool.active()  # the rest of the run extracts in process
        assert extract_pool.extract_pages(good) == [extract_page(*j) for j in good]
    assert len(out) == 3
    assert out[0] == extract_page(*good[0]) and out[2] == extract_page(*good[1])


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_a_run_on_workers_loads_what_a_run_in_process_loads(
    sample_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The whole flow over the sample site, once with extraction forced onto a worker
    process and once in process: the same warehouse, row for row."""
    from app.demo import write_demo_sources
    from config.settings import get_settings
    from flows.etl import etl
    from tests.test_pipeline import snapshot

    sources = write_demo_sources(sample_site, tmp_path)
    snaps = []
    for processes in ("1", "0"):
        monkeypatch.setenv("OPTALLY_EXTRACT_PROCESSES", processes)
        get_settings.cache_clear()
        db_url = f"sqlite:///{tmp_path / f'w{processes}.db'}"
        summary = etl(sources_file=str(sources), db_url=db_url)
        assert summary["extracted"] == 11 and summary["failed"] == 0
        snaps.append(snapshot(db_url))
    get_settings.cache_clear()
    # What extraction produced and what was built from it; fetch records carry dates.
    for table in ("articles", "figures", "arrest_breakdowns", "operations",
                  "operation_figures", "metric_values", "quality_checks"):  # fmt: skip
        a, b = (_timeless(s[table]) for s in snaps)
        assert a == b, table
        assert a, table


def _timeless(rows: list[tuple]) -> list[tuple]:  # type: ignore[type-arg]
    from datetime import datetime

    stamp = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d")
    return [
        tuple(
            v
            for v in r
            if not isinstance(v, datetime) and not (isinstance(v, str) and stamp.match(v))
        )
        for r in rows
    ]
