"""Deployments: prefect.yaml against the flows, every deployment's flow run with its defaults
against the sample site, a served deployment triggered through the API, and parameter
validation (pydantic) with clear errors."""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text

from app.demo import write_demo_sources
from config.settings import get_settings
from db.engine import get_engine
from flows.deployments import DEPLOYMENTS, BackfillParams, check_backfill_params

ROOT = Path(__file__).resolve().parents[1]
SEED_TITLE = (
    "Thirty eight arrested and 99 potential victims identified in UK-wide child trafficking"
)
# The sample site: 9 on-topic NCA-shaped releases and 2 news stories, 9 operations.
FIRST_CRAWL = {
    "discovered": 11,
    "fetched": 11,
    "not_modified": 0,
    "unchanged": 0,
    "extracted": 11,
    "irrelevant": 0,
    "operations_touched": 9,
    "failed": 0,
    "failures": [],
}
# The first crawl's notify stage announces the nine new operations (no webhook set: Prefect
# events only); a re-run that adds none says nothing (tasks/notify.py).
ANNOUNCED = {
    "alerts": {
        "new_operations": 9,
        "unhealthy_sources": [],
        "recovered_sources": [],
        "delivered": 0,
        "delivery_pending": 0,
        "delivery_failed": 0,
    }
}
DERIVED_TABLES = ("operation_figures", "metric_values", "quality_checks", "operations")


def prefect_yaml() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))


def rows(url: str, table: str) -> list[tuple[Any, ...]]:
    with get_engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]


@pytest.fixture
def demo_env(
    monkeypatch: pytest.MonkeyPatch, sample_site: Any, tmp_path: Path, sqlite_url: str
) -> Iterator[str]:
    """Default parameters point at the sample site and a fresh warehouse; the working
    directory is a temporary one, so the default report path data/report.html lands there."""
    sources = write_demo_sources(sample_site, tmp_path)
    monkeypatch.setenv("OPTALLY_SOURCES_FILE", str(sources))
    monkeypatch.setenv("OPTALLY_DATABASE_URL", sqlite_url)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield sqlite_url
    monkeypatch.undo()
    get_settings.cache_clear()


# ---------------------------------------------------------------------------
# prefect.yaml


def test_prefect_yaml_follows_the_deployment_table() -> None:
    cfg = prefect_yaml()
    # An explicit pull step with the worker's checkout, filled in on the worker (docs/DEPLOY.md,
    # "Work pools and workers").
    assert cfg["pull"] == [
        {"prefect.deployments.steps.set_working_directory": {"directory": "{{ $OPTALLY_HOME }}"}}
    ]
    assert (cfg["build"], cfg["push"]) == (None, None)
    got = {d["name"]: d for d in cfg["deployments"]}
    assert list(got) == ["daily", "backfill", "metrics", "nrm-stats"]
    for spec in DEPLOYMENTS:
        d = got[spec.name]
        assert d["entrypoint"] == spec.entrypoint
        assert d["description"] == spec.description
        assert d["tags"] == ["optally", *spec.tags]
        assert d["concurrency_limit"] == 1
        assert d["work_pool"] == {
            "name": "local-process",
            "work_queue_name": "default",
            "job_variables": {},
        }
        want = [{"cron": spec.cron, "timezone": "Europe/London", "active": True}]
        assert d["schedules"] == (want if spec.cron else [])
        assert spec.load_flow().name == spec.name  # deployment 'daily/daily' and so on
    assert got["daily"]["schedules"][0]["cron"] == "0 6 * * *"
    assert got["nrm-stats"]["schedules"][0]["cron"] == "0 7 15 2,5,8,11 *"


def test_schedules_are_london_wall_clock_across_daylight_saving() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from prefect.server.schemas.schedules import CronSchedule

    cron = CronSchedule(cron="0 6 * * *", timezone="Europe/London")
    start = datetime(2027, 3, 26, 12, tzinfo=ZoneInfo("UTC"))
    dates = asyncio.run(cron.get_dates(4, start=start))
    utc = [d.astimezone(ZoneInfo("UTC")).strftime("%m-%d %H:%M") for d in dates]
    # Clocks go forward on 28 March 2027: 06:00 London is 06:00 UTC before, 05:00 after.
    assert utc == ["03-27 06:00", "03-28 05:00", "03-29 05:00", "03-30 05:00"]


# ---------------------------------------------------------------------------
# Parameters


def test_backfill_params_defaults_and_iso_dates() -> None:
    p = BackfillParams()
    assert (p.sources, p.since, p.until, p.max_pages) == (None, None, None, 200)
    p = BackfillParams(sources=[" nca-demo "], since="2024-01-01", until="2024-01-01", max_pages=1)
    assert (p.sources, str(p.since), str(p.until), p.max_pages) == (
        ["nca-demo"],
        "2024-01-01",
        "2024-01-01",
        1,
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"since": "2024-05-01", "until": "2024-01-01"},
            " - since, until: since (2024-05-01) is after until (2024-01-01)",
        ),
        ({"max_pages": 0}, " - max_pages: Input should be greater than or equal to 1"),
        ({"since": "20240101"}, " - since: expected an ISO date YYYY-MM-DD, got '20240101'"),
        (
            {"until": "2024-01-01T10:00:00"},
            " - until: expected an ISO date YYYY-MM-DD, got '2024-01-01T10:00:00'",
        ),
        (
            {"since": "2024-13-01"},
            " - since: '2024-13-01' is not a valid date: month must be in 1..12",
        ),
        ({"sources": []}, " - sources: give source names, or leave sources empty"),
        ({"sources": ["a", "a"]}, " - sources: a source name is given twice"),
        ({"max_page": 3}, " - max_page: Extra inputs are not permitted"),
    ],
)
def test_bad_backfill_parameters_give_one_clear_line(params: dict[str, Any], message: str) -> None:
    from prefect.exceptions import ParameterTypeError

    with pytest.raises(ParameterTypeError) as err:
        check_backfill_params(**params)
    lines = str(err.value).splitlines()
    assert lines[0] == "Flow run received invalid parameters:"
    assert len(lines) == 2 and lines[1].startswith(message), lines


def test_flow_signatures_reject_bad_types_before_a_run_starts() -> None:
    from prefect.exceptions import ParameterTypeError

    from flows.deployments import backfill, daily

    with pytest.raises(ParameterTypeError, match="max_pages: Input should be greater"):
        backfill.validate_parameters({"max_pages": 0})
    with pytest.raises(ParameterTypeError, match=r"since: .*expected an ISO date"):
        backfill.validate_parameters({"since": "yesterday"})
    with pytest.raises(ParameterTypeError, match="lookback_days"):
        daily.validate_parameters({"lookback_days": 0})
    assert backfill.validate_parameters({"since": "2024-01-01", "max_pages": "3"}) == {
        "sources": None,
        "since": __import__("datetime").date(2024, 1, 1),
        "until": None,
        "max_pages": 3,
        "sources_file": None,
        "db_url": None,
        "full_sweep": False,
    }


def test_serve_refuses_without_a_prefect_server(capsys: pytest.CaptureFixture[str]) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from app.cli import main

    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert main(["serve"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("optally: error: optally serve needs a Prefect")


# ---------------------------------------------------------------------------
# Every deployment's flow, with its default parameters


@pytest.fixture
def govuk() -> Iterator[Any]:
    from tests.test_nrm import COLLECTION_PATH, FakeGovUk, release_json, variant_a

    with FakeGovUk() as site:
        o = site.origin
        site.json(
            COLLECTION_PATH,
            {
                "links": {
                    "documents": [
                        {
                            "title": "Modern Slavery: NRM and DtN statistics, January to March 2024",
                            "base_path": "/government/statistics/nrm-january-to-march-2024",
                            "document_type": "official_statistics",
                            "public_updated_at": "2024-05-01T09:30:00.000+01:00",
                        }
                    ]
                }
            },
        )
        site.json(
            "/api/content/government/statistics/nrm-january-to-march-2024",
            release_json(o, "a1/nrm-statistics-uk-quarter-1-2024-jan-to-mar-tables.ods"),
        )
        site.routes["/media/a1/nrm-statistics-uk-quarter-1-2024-jan-to-mar-tables.ods"] = (
            variant_a(),
            "application/vnd.oasis.opendocument.spreadsheet",
        )
        site.collection_url = o + COLLECTION_PATH
        yield site


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_every_deployment_runs_with_its_default_parameters(
    demo_env: str, govuk: Any, tmp_path: Path
) -> None:
    from prefect.flows import load_flow_from_entrypoint

    flows = {
        d["name"]: (load_flow_from_entrypoint(str(ROOT / d["entrypoint"])), d["parameters"])
        for d in prefect_yaml()["deployments"]
    }
    assert {name: f.name for name, (f, _) in flows.items()} == {
        "daily": "daily",
        "backfill": "backfill",
        "metrics": "metrics",
        "nrm-stats": "nrm-stats",
    }

    daily_flow, params = flows["daily"]
    assert daily_flow(**params) == {
        "etl": {**FIRST_CRAWL, **ANNOUNCED},
        "metrics": {"operations": 9, "report": "data/report.html"},
    }
    report = (tmp_path / "data" / "report.html").read_text(encoding="utf-8")
    assert SEED_TITLE in report
    with get_engine(demo_env).connect() as conn:
        seed = conn.execute(
            text(
                "SELECT m.arrests_per_force, m.nrm_referral_rate, m.unreferred_victims"
                " FROM operation_summary s JOIN operation_metrics m USING (operation_id)"
                " WHERE s.arrests = 38 AND s.forces_involved = 19"
            )
        ).one()
    assert tuple(seed) == (2.0, 0.556, 44)

    # Everything is archived and older than the re-check window: a backfill over the same
    # sources stops at the first listing page that brings nothing new and asks for nothing;
    # with full_sweep it walks everything and asks conditionally only.
    backfill_flow, params = flows["backfill"]
    assert backfill_flow(**params) == {
        **FIRST_CRAWL,
        "discovered": 0,
        "fetched": 0,
        "not_modified": 0,
        "extracted": 0,
        "operations_touched": 0,
    }
    assert backfill_flow(**params, full_sweep=True) == {
        **FIRST_CRAWL,
        "fetched": 0,
        "not_modified": 11,
        "extracted": 0,
        "operations_touched": 0,
    }

    # Recomputing every operation changes nothing that is already current.
    before = {t: rows(demo_env, t) for t in DERIVED_TABLES}
    metrics_flow, params = flows["metrics"]
    (tmp_path / "data" / "report.html").unlink()
    assert metrics_flow(**params) == {"operations": 9, "report": "data/report.html"}
    assert SEED_TITLE in (tmp_path / "data" / "report.html").read_text(encoding="utf-8")
    assert {t: rows(demo_env, t) for t in DERIVED_TABLES} == before

    # The official statistics flow, with GOV.UK played by a local server.
    from tests.test_nrm import A_ROWS

    nrm_flow, params = flows["nrm-stats"]
    assert nrm_flow(**params, collection_url=govuk.collection_url, rate_limit=0) == {
        "releases": 1,
        "files": 1,
        "rows": len(A_ROWS),  # 8: every (year, quarter, age group) of the table
        "failed": 0,
        "failures": [],
    }


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_a_bad_backfill_fails_its_flow_run_with_the_reason(demo_env: str) -> None:
    from prefect.exceptions import ParameterTypeError

    from flows.deployments import backfill

    with pytest.raises(ParameterTypeError, match=r"since \(2024-05-01\) is after until"):
        backfill(since="2024-05-01", until="2024-01-01")
    with pytest.raises(
        ValueError, match=r"unknown backfill source\(s\) 'nope'; the backfill sources"
    ):
        backfill(sources=["nope"])


# ---------------------------------------------------------------------------
# Served, then triggered through the API


class ServedInThread:
    """`optally serve` in a background thread: a Runner with the given deployments that
    polls every second, stopped from the test thread through its own event loop."""

    def __init__(self, deployments: list[Any]) -> None:
        from prefect.runner import Runner

        self.runner = Runner(query_seconds=1, pause_on_shutdown=False)
        self.deployments = deployments
        self.loop: asyncio.AbstractEventLoop | None = None
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="optally-serve", daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self.loop = asyncio.get_running_loop()
            for d in self.deployments:
                await self.runner.add_deployment(d)
            self.ready.set()
            await self.runner.start()

        try:
            asyncio.run(main())
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc
            self.ready.set()

    def __enter__(self) -> ServedInThread:
        self.thread.start()
        assert self.ready.wait(60), "the runner did not register its deployments in 60 s"
        deadline = time.monotonic() + 60
        while not self.runner.started and self.error is None and time.monotonic() < deadline:
            time.sleep(0.1)
        if self.error:
            raise self.error
        assert self.runner.started, "the runner did not start polling in 60 s"
        return self

    def __exit__(self, *exc: object) -> None:
        deadline = time.monotonic() + 60
        while self.thread.is_alive() and time.monotonic() < deadline:
            if self.loop is not None and self.runner.started:
                fut = asyncio.run_coroutine_threadsafe(self.runner.astop(), self.loop)
                # The loop may end while astop runs; the join below is what matters.
                with contextlib.suppress(Exception):
                    fut.result(timeout=10)
            self.thread.join(timeout=1)
        assert not self.thread.is_alive(), "the runner thread did not stop"


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_a_served_deployment_runs_when_triggered_through_the_api(
    sample_site: Any, tmp_path: Path, sqlite_url: str
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.exceptions import PrefectHTTPStatusError

    from app.serve import build_deployment
    from flows.deployments import DEPLOYMENTS

    sources = write_demo_sources(sample_site, tmp_path)
    spec = next(s for s in DEPLOYMENTS if s.name == "backfill")
    deployment = build_deployment(spec, {"sources_file": str(sources), "db_url": sqlite_url})

    with ServedInThread([deployment]):
        with get_client(sync_client=True) as client:
            served = client.read_deployment_by_name("backfill/backfill")
            assert served.global_concurrency_limit is not None
            assert served.global_concurrency_limit.limit == 1
            assert set(served.tags) == {"optally", "etl", "backfill"}
            assert served.entrypoint == "flows.deployments.backfill"
        # The API checks parameters against the flow's schema before any run exists.
        with pytest.raises(PrefectHTTPStatusError, match="max_pages"):
            run_deployment("backfill/backfill", parameters={"max_pages": 0}, timeout=0)

        started = time.monotonic()
        run = run_deployment(
            "backfill/backfill",
            parameters={"since": "2021-01-01", "max_pages": 1},
            timeout=180,
            poll_interval=1,
        )
        elapsed = time.monotonic() - started
        assert run.state is not None and run.state.is_completed(), (run.state, elapsed)
        assert run.parameters["since"] == "2021-01-01"

    # The run crawled the sample site into the warehouse named by the served parameters.
    with get_engine(sqlite_url).connect() as conn:
        pages = conn.execute(text("SELECT count(*) FROM pages")).scalar()
        ops = conn.execute(text("SELECT count(*) FROM operation_summary")).scalar()
    assert (pages, ops) == (5, 5)


# ---------------------------------------------------------------------------
# docker-compose.yml and Dockerfile (Docker does not run here: structure only)


def test_compose_file_starts_the_production_stack() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"prefect-db", "warehouse-db", "prefect-server", "deploy", "worker"}
    assert set(compose["volumes"]) == {"prefect-db", "warehouse-db", "reports"}

    def env(name: str) -> dict[str, str]:
        return {k: str(v) for k, v in services[name]["environment"].items()}

    def waits_for(name: str) -> dict[str, str]:
        return {k: v["condition"] for k, v in services[name]["depends_on"].items()}

    for db, user in (("prefect-db", "prefect"), ("warehouse-db", "optally")):
        assert services[db]["image"].startswith("postgres:16")
        assert env(db)["POSTGRES_USER"] == user
        assert env(db)["POSTGRES_PASSWORD"].startswith("${")  # from the environment, not here
        assert "pg_isready" in services[db]["healthcheck"]["test"][1]

    server = services["prefect-server"]
    assert server["image"] == "prefecthq/prefect:3.9.1-python3.11"
    assert server["command"][:3] == ["prefect", "server", "start"]
    assert env("prefect-server") == {
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": "postgresql+asyncpg://prefect:${PREFECT_DB_PASSWORD}@prefect-db:5432/prefect",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100",
        "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "100",
        "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "1",
        "PREFECT_UI_API_URL": "http://127.0.0.1:4200/api",
    }
    assert server["ports"] == ["127.0.0.1:4200:4200"]  # loopback only: no auth in front
    assert "/api/health" in " ".join(server["healthcheck"]["test"])
    assert waits_for("prefect-server") == {"prefect-db": "service_healthy"}

    deploy = services["deploy"]
    assert deploy["build"] == "."
    assert "prefect --no-prompt deploy --all" in deploy["command"][-1]
    assert "work-pool create local-process --type process" in deploy["command"][-1]
    assert env("deploy")["PREFECT_API_URL"] == "http://prefect-server:4200/api"
    assert waits_for("deploy") == {"prefect-server": "service_healthy"}

    worker = services["worker"]
    assert worker["image"] == deploy["image"] == "optally:latest"
    assert worker["command"][:5] == ["prefect", "worker", "start", "--pool", "local-process"]
    assert env("worker") == {
        "PREFECT_API_URL": "http://prefect-server:4200/api",
        "OPTALLY_HOME": "/app",
        "OPTALLY_DATABASE_URL": "postgresql+psycopg://optally:${WAREHOUSE_PASSWORD}@warehouse-db:5432/optally",
        "OPTALLY_HOST_LIMITS": "prefect",
        "PREFECT_LOGGING_LEVEL": "INFO",
    }
    assert waits_for("worker") == {
        "deploy": "service_completed_successfully",
        "warehouse-db": "service_healthy",
    }
    assert worker["stop_signal"] == "SIGINT"

    # The work pool and the deployments' pool agree.
    assert {d["work_pool"]["name"] for d in prefect_yaml()["deployments"]} == {"local-process"}
    # Every ${VAR} is one of the two documented passwords.
    source = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert set(re.findall(r"\$\{(\w+)", source)) == {"PREFECT_DB_PASSWORD", "WAREHOUSE_PASSWORD"}


def test_dockerfile_installs_the_project_where_the_pull_step_looks() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert lines[0] == "FROM python:3.11-slim"
    assert "WORKDIR /app" in lines
    assert "OPTALLY_HOME=/app \\" in lines
    # every top-level package the project installs, so none is missing from the image
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    parts = {name.split(".")[0] for name in packages["packages"]}
    assert parts == {"config", "db", "domain", "tasks", "profiles", "flows", "app", "measure"}
    for part in sorted(parts):
        assert f"COPY {part} ./{part}" in lines
        assert (ROOT / part).is_dir()
    assert "COPY prefect.yaml ./" in lines
    assert any(line.startswith('RUN pip install -e ".[dask]"') for line in lines)
    assert "USER optally" in lines


# ---------------------------------------------------------------------------
# `make ui`: a real Prefect server plus `optally serve`, stopped by Ctrl-C


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _deployment_names(api: str) -> list[str]:
    import json
    import urllib.request

    req = urllib.request.Request(
        f"{api}/deployments/filter",
        data=b"{}",
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return sorted(d["name"] for d in json.load(resp))
    except (OSError, ValueError):  # not up yet, or not a Prefect API
        return []


# slow: it starts `make ui`'s whole Prefect server and serve process (20 s), which kept make
# test near its 10-minute limit; make test-slow and CI run it.
@pytest.mark.flow
@pytest.mark.slow
def test_make_ui_serves_the_deployments_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_LOGGING_LEVEL": "INFO",  # the shutdown messages checked below
    }
    env.pop("PREFECT_API_URL", None)
    log = (tmp_path / "ui.log").open("w")
    cmd = [sys.executable, "-m", "app.serve", "ui", "--port", str(port), "--"]
    cmd += ["--db", f"sqlite:///{tmp_path / 'w.db'}"]
    # Like a terminal: its own process group, SIGINT not ignored.
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 150
        while _deployment_names(api) != ["backfill", "daily", "metrics", "nrm-stats"]:
            assert proc.poll() is None, (tmp_path / "ui.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "ui.log").read_text()
            time.sleep(1)
        # Let serve get from registering its deployments to polling for runs.
        time.sleep(2)
        output = (tmp_path / "ui.log").read_text()
        server_pid = int(re.search(r"Prefect server \(pid (\d+)\)", output).group(1))  # type: ignore[union-attr]

        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C
        assert proc.wait(timeout=90) == 130
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        print((tmp_path / "ui.log").read_text())  # shown by pytest when the test fails
    output = (tmp_path / "ui.log").read_text()
    assert "All deployments have been paused!" in output
    assert output.rstrip().endswith("optally ui: stopped")
    with pytest.raises(ProcessLookupError):
        os.kill(server_pid, 0)
    assert _deployment_names(api) == []  # nothing answers on the port any more
