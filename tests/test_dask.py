"""Scale-out: the whole flow on a Dask LocalCluster gives the same warehouse as threads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from app.demo import write_demo_sources
from db.engine import get_engine

pytest.importorskip("prefect_dask")
pytestmark = pytest.mark.flow


def table_counts(url: str) -> dict[str, int]:
    engine = get_engine(url)
    with engine.connect() as conn:
        tables = sorted(set(inspect(conn).get_table_names()) - {"alembic_version"})
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}


def view_rows(url: str, view: str) -> list[tuple[Any, ...]]:
    """Rows without the operation id, sorted: two runners may fetch the two sources in a
    different order, which numbers the same operations differently."""
    with get_engine(url).connect() as conn:
        rows = conn.execute(text(f"SELECT * FROM {view}")).all()
    return sorted((tuple(r[1:]) for r in rows), key=repr)


# slow: a real Dask local cluster starts worker processes (14 s); make test-slow and CI run it.
@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_dask_local_cluster_gives_the_same_warehouse_as_threads(
    sample_site: Any, tmp_path: Path
) -> None:
    from flows.deployments import make_task_runner
    from flows.etl import etl

    sources = str(write_demo_sources(sample_site, tmp_path))
    threads_db = f"sqlite:///{tmp_path / 'threads.db'}"
    dask_db = f"sqlite:///{tmp_path / 'dask.db'}"

    by_threads = etl(sources_file=sources, db_url=threads_db)
    runner = make_task_runner("dask")
    assert type(runner).__name__ == "DaskTaskRunner"
    assert runner.cluster_kwargs == {
        "n_workers": 2,
        "processes": True,
        "threads_per_worker": 1,
        "dashboard_address": None,
        "host": "127.0.0.1",
    }
    by_dask = etl.with_options(task_runner=runner)(sources_file=sources, db_url=dask_db)

    assert by_dask == by_threads
    assert by_dask["fetched"] == 11 and by_dask["failed"] == 0
    counts = table_counts(dask_db)
    assert counts == table_counts(threads_db)
    assert counts["operations"] == 9 and counts["pages"] == 11
    for view in ("operation_summary", "operation_metrics"):
        assert view_rows(dask_db, view) == view_rows(threads_db, view), view
    assert len(view_rows(dask_db, "operation_metrics")) == 9

    # Two worker processes pace the sample site apart, so a global limit of 1 joined them.
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name("optally-host:127.0.0.1")
    assert (limit.limit, limit.active_slots) == (1, 0)


@pytest.mark.usefixtures("prefect_harness")
def test_a_missing_host_limit_fails_rather_than_not_throttling() -> None:
    from flows.etl import host_slot

    with host_slot("no-limit.example", 0, enabled=False):
        pass  # threads in one process: the fetcher's pacer is enough, no API call
    from prefect.concurrency._asyncio import ConcurrencySlotAcquisitionError

    with (
        pytest.raises(ConcurrencySlotAcquisitionError, match=r"optally-host:no-limit\.example"),
        host_slot("no-limit.example", 0, enabled=True),
    ):
        pass


def test_task_runner_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.task_runners import ThreadPoolTaskRunner

    from config.settings import Settings
    from flows.deployments import make_task_runner

    assert isinstance(make_task_runner("threads"), ThreadPoolTaskRunner)
    remote = make_task_runner(address="tcp://10.0.0.5:8786")  # an address implies Dask
    assert (type(remote).__name__, remote.address) == ("DaskTaskRunner", "tcp://10.0.0.5:8786")
    monkeypatch.setenv("OPTALLY_TASK_RUNNER", "dask")
    monkeypatch.setenv("OPTALLY_DASK_WORKERS", "3")
    from_env = make_task_runner(settings=Settings())
    assert from_env.cluster_kwargs["n_workers"] == 3


def test_cli_rejects_an_unknown_task_runner(capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["run", "--task-runner", "ray"])
    assert exc.value.code == 2
    assert "invalid choice: 'ray'" in capsys.readouterr().err
