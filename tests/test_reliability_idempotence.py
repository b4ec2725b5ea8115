"""Idempotence and determinism of whole flow runs over the same pages.

- Consecutive runs change nothing, on every table, ids and timestamps included, whichever
  way the pages come back: 304 Not Modified, the same body again (no validators), or
  re-read from the archive by ``reparse``. (tests/test_pipeline.py checks two runs on
  eleven tables; this covers five runs, three re-read paths and every table.)
- Two fresh warehouses built from the same pages are equal whatever the batch size and
  whichever fetch finished first.
- Two runs at once on PostgreSQL both succeed and leave what one run leaves (no
  duplicate, no deadlock): tests/test_concurrency.py does this for loads of pre-archived
  pages in threads; here it is two `optally run` processes over HTTP.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, select

from app.demo import write_demo_sources
from app.sample_server import SampleSite
from config.settings import get_settings
from db.engine import get_engine
from tests.reliability_helpers import (
    BARRIER_CLI,
    ROOT,
    child_env,
    content_diff,
    counts,
    forget_engine,
    pg_databases,
    run_flow_child,
    warehouse_content,
)

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]


def raw_dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table exactly as stored: ids, timestamps and bodies included."""
    engine = get_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return {
            name: sorted((tuple(r) for r in conn.execute(select(t))), key=repr)
            for name, t in meta.tables.items()
        }


@pytest.fixture
def batch_size(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Set OPTALLY_BATCH_SIZE for flows run in this process (settings are cached)."""

    def set_size(n: int) -> None:
        monkeypatch.setenv("OPTALLY_BATCH_SIZE", str(n))
        get_settings.cache_clear()

    yield set_size
    monkeypatch.delenv("OPTALLY_BATCH_SIZE", raising=False)
    get_settings.cache_clear()


def test_two_then_five_runs_leave_every_row_as_the_first_run_did(
    db_url: str, sample_site: SampleSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from db import load as wh
    from flows.etl import etl, reparse

    sources = str(write_demo_sources(sample_site, tmp_path))
    first = etl(sources_file=sources, db_url=db_url)
    assert (first["fetched"], first["failed"]) == (11, 0)
    after_one = raw_dump(db_url)

    # a full sweep asks again for every page, conditionally: 304 for every page
    second = etl(sources_file=sources, db_url=db_url, full_sweep=True)
    assert (second["not_modified"], second["extracted"]) == (11, 0)
    assert raw_dump(db_url) == after_one

    # Three more, each reaching the warehouse by another path.
    with monkeypatch.context() as m:
        # The server's bodies again, as if it had dropped its ETags: archive sees equal hashes.
        m.setattr(wh, "page_states", lambda conn, urls: {})
        third = etl(sources_file=sources, db_url=db_url, full_sweep=True)
    assert (third["unchanged"], third["fetched"], third["extracted"]) == (11, 0, 0)
    fourth = reparse(sources_file=sources, db_url=db_url)  # every archived page read again
    assert fourth["extracted"] == 11
    fifth = etl(sources_file=sources, db_url=db_url, full_sweep=True)
    assert fifth["not_modified"] == 11
    after_five = raw_dump(db_url)
    assert after_five == after_one, content_diff(after_one, after_five)


def test_fresh_warehouses_from_the_same_pages_are_equal_whatever_the_batch_size(
    sample_site: SampleSite, tmp_path: Path, batch_size: Any
) -> None:
    """Resolution (which page founds an operation, which joins it) must depend on the pages
    only: not on how a run is cut into batches, nor on which fetch thread finished first."""
    from flows.etl import etl

    sources = str(write_demo_sources(sample_site, tmp_path))
    contents = {}
    for size in (50, 2, 3):
        batch_size(size)
        url = f"sqlite:///{tmp_path / f'batch{size}.db'}"
        assert etl(sources_file=sources, db_url=url)["failed"] == 0
        contents[size] = warehouse_content(url)
        forget_engine(url)
    for size in (2, 3):
        assert contents[size] == contents[50], f"batch {size} vs 50:\n" + content_diff(
            contents[50], contents[size]
        )


@pytest.mark.slow
@pytest.mark.postgres
def test_two_runs_at_once_on_postgres_both_succeed_and_duplicate_nothing(
    sample_site: SampleSite, tmp_path: Path
) -> None:
    """Two `optally run` processes on one fresh database, released into extraction at the
    same moment (BARRIER_CLI): both exit 0 and the warehouse is what one run leaves."""
    from prefect.settings import PREFECT_API_URL

    sources = write_demo_sources(sample_site, tmp_path)
    with pg_databases(3) as (serial, together, together_small):
        run_flow_child(sources, serial, tmp_path / "serial-home")
        reference = warehouse_content(serial)
        # Default batches, then batches of 2 (more, shorter transactions to interleave).
        for url, size in ((together, "50"), (together_small, "2")):
            barrier = tmp_path / f"barrier-{size}"
            barrier.mkdir()
            argv = ["run", "--sources", str(sources), "--db", url]
            children = [
                subprocess.Popen(
                    [sys.executable, "-c", BARRIER_CLI, *argv],
                    cwd=ROOT,
                    env=child_env(
                        tmp_path / f"home-{size}-{i}",
                        api_url=PREFECT_API_URL.value(),
                        OPTALLY_BATCH_SIZE=size,
                        OPTALLY_BARRIER_DIR=str(barrier),
                        OPTALLY_BARRIER_PARTIES="2",
                    ),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for i in range(2)
            ]
            results = [c.communicate(timeout=240) for c in children]
            for child, (out, err) in zip(children, results, strict=True):
                assert child.returncode == 0, f"exit {child.returncode}:\n{out}\n{err[-4000:]}"
                assert "failed 0" in out, out
            got = warehouse_content(url)
            assert counts(got) == counts(reference)
            assert got == reference, f"batch {size}:\n" + content_diff(reference, got)
