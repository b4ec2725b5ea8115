"""Secrets: a warehouse password never leaves the process that uses it.

A PostgreSQL URL with a password (the test server trusts local connections, so any
password works) goes through whole runs; the password must not appear in:
- Python logging output or anything printed (capsys, a handler on the root and prefect
  loggers at DEBUG);
- what Prefect keeps in its API, read back from it: flow runs (their parameters), task
  runs, run logs and artifacts;
- error messages on stderr, for every way a URL can be wrong or unreachable;
- the HTML report.
Credentials come from the environment (OPTALLY_DATABASE_URL) or a Prefect Secret block
(``prefect-secret://NAME``), and no file in the repository holds a URL with a password.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from app.cli import main
from app.demo import write_demo_sources
from app.sample_server import SampleSite
from config.settings import get_settings
from db.engine import get_engine
from tests.reliability_helpers import ROOT, Everything, forget_engine

PASSWORD = "Pw-8c1f-s3cret"


@pytest.fixture
def secret_url(pg_url: str) -> Iterator[str]:
    url = make_url(pg_url).set(password=PASSWORD).render_as_string(hide_password=False)
    yield url
    forget_engine(url)


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Environment changes that settings see (they are cached), undone afterwards."""
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def prefect_records(skip_runs: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """Flow runs, task runs, logs and artifacts as the Prefect API holds them, as JSON,
    leaving out what belongs to the flow runs in ``skip_runs`` (other tests' runs: the
    harness is shared by the session)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.sorting import (
        ArtifactSort,
        FlowRunSort,
        LogSort,
        TaskRunSort,
    )

    # The newest of each: the session's harness holds every earlier test's records, more
    # than one page of 200 of them, and the API's default order is not by time.
    async def read() -> dict[str, list[str]]:
        async with get_client() as client:
            records = {
                "flow_runs": await client.read_flow_runs(
                    limit=200, sort=FlowRunSort.EXPECTED_START_TIME_DESC
                ),
                "task_runs": await client.read_task_runs(
                    limit=200, sort=TaskRunSort.EXPECTED_START_TIME_DESC
                ),
                "logs": await client.read_logs(limit=200, sort=LogSort.TIMESTAMP_DESC),
                "artifacts": await client.read_artifacts(limit=200, sort=ArtifactSort.CREATED_DESC),
            }
        return {
            kind: [
                r.model_dump_json()
                for r in rows
                if str(getattr(r, "flow_run_id", None) or r.id) not in skip_runs
            ]
            for kind, rows in records.items()
        }

    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()  # run logs go to the API in batches: send what is queued
    return asyncio.run(read())


def flow_run_ids() -> frozenset[str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.sorting import FlowRunSort

    async def read() -> frozenset[str]:
        async with get_client() as client:
            runs = await client.read_flow_runs(limit=200, sort=FlowRunSort.EXPECTED_START_TIME_DESC)
            return frozenset(str(r.id) for r in runs)

    return asyncio.run(read())


def leaks(where: dict[str, Any]) -> list[str]:
    return [name for name, texts in where.items() if any(PASSWORD in t for t in texts)]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.flow
@pytest.mark.postgres
@pytest.mark.usefixtures("prefect_harness")
def test_password_in_db_url_reaches_no_log_artifact_parameter_or_report(
    secret_url: str,
    sample_site: SampleSite,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    all_logs: Everything,
) -> None:
    earlier = flow_run_ids()
    sources = write_demo_sources(sample_site, tmp_path)
    code, out, err = cli(capsys, "run", "--sources", str(sources), "--db", secret_url)
    assert code == 0, err
    assert "failed 0" in out
    report = tmp_path / "report.html"
    code2, out2, err2 = cli(capsys, "report", "--db", secret_url, "--out", str(report))
    code3, out3, err3 = cli(capsys, "metrics", "--db", secret_url, "--format", "json")
    assert (code2, code3) == (0, 0), err2 + err3
    assert '"arrests": 38' in out3  # the runs really used that database

    seen = {
        "stdout/stderr": [out, err, out2, err2, out3, err3],
        "logging": all_logs.lines,
        "report": [report.read_text(encoding="utf-8")],
        **prefect_records(skip_runs=earlier),
    }
    assert seen["flow_runs"] and seen["artifacts"] and seen["logging"]
    assert leaks(seen) == []


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://u:{PASSWORD}@127.0.0.1:1/warehouse",  # unreachable
        f"postgresql+psycopg://u:{PASSWORD}@127.0.0.1:notaport/warehouse",  # bad port
        f"postgresql+psycopg://u:{PASSWORD.replace('-s3', '@s3')}@127.0.0.1:1/w",  # "@" in it
        f"nosuchdriver://u:{PASSWORD}@host/db",  # unknown driver
        f"postgresql+psycopg://127.0.0.1:1/w?user=u&password={PASSWORD}",  # in the query
    ],
)
@pytest.mark.parametrize("command", ["run", "metrics", "report", "export"])
def test_error_messages_never_show_the_password(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str, command: str
) -> None:
    extra = {"report": ["--out", str(tmp_path / "r.html")], "export": ["--out", str(tmp_path)]}
    code, out, err = cli(capsys, command, "--db", url, *extra.get(command, []))
    assert code == 2 and err.count("\n") == 1 and err.startswith("optally: error: "), err
    assert "s3cret" not in err + out  # no part of the password either


def test_password_from_the_environment_is_not_echoed(
    capsys: pytest.CaptureFixture[str], settings_env: pytest.MonkeyPatch
) -> None:
    settings_env.setenv("OPTALLY_DATABASE_URL", f"postgresql+psycopg://u:{PASSWORD}@127.0.0.1:1/w")
    code, out, err = cli(capsys, "metrics")
    assert code == 2 and "cannot reach database postgresql+psycopg://u:***@127.0.0.1:1/w" in err
    assert PASSWORD not in err + out


@pytest.mark.flow
@pytest.mark.postgres
@pytest.mark.usefixtures("prefect_harness")
def test_database_url_from_a_prefect_secret_block(
    secret_url: str,
    sample_site: SampleSite,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    settings_env: pytest.MonkeyPatch,
) -> None:
    from prefect.blocks.system import Secret

    import db.engine

    earlier = flow_run_ids()
    Secret(value=secret_url).save("optally-test-warehouse", overwrite=True)
    settings_env.setenv("OPTALLY_DATABASE_URL", "prefect-secret://optally-test-warehouse")
    settings_env.setattr(db.engine, "_secret_urls", {})
    sources = write_demo_sources(sample_site, tmp_path)
    code, out, err = cli(capsys, "run", "--sources", str(sources))
    assert code == 0, err
    assert get_engine(secret_url)  # the run wrote to the database the block names
    code, out, _ = cli(capsys, "metrics", "--format", "json")
    assert code == 0 and '"arrests": 38' in out
    flow_runs = prefect_records(skip_runs=earlier)["flow_runs"]
    assert flow_runs and not [r for r in flow_runs if PASSWORD in r]

    settings_env.setenv("OPTALLY_DATABASE_URL", "prefect-secret://no-such-block")
    get_settings.cache_clear()
    code, _, err = cli(capsys, "metrics")
    assert code == 2 and err.count("\n") == 1
    assert "cannot read the database URL from Prefect Secret block 'no-such-block'" in err


# A URL with user:password@ in it. Placeholders in docs (user:password@, USER:PASS@,
# <user>:<password>@, ${VAR}) are allowed: they are how a deployment guide shows the shape.
# A backslash before the "@" is the authority trick of docs/RELIABILITY.md 9.1
# ("http://127.0.0.2:8001\@127.0.0.1:8000/x"), a port and not a password.
PASSWORD_IN_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\s/@:'\"<>]+:([^\s/@'\"<>\\]+)@", re.I)
PLACEHOLDERS = re.compile(r"^(\*+|x+|pass(word)?|secret|changeme|\$\{?\w+\}?|<[^>]*>|%\(.*)$", re.I)


def test_no_file_in_the_repository_holds_a_url_with_a_password() -> None:
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    found = []
    for name in files:
        if name.startswith("tests/") or not (ROOT / name).is_file():
            continue
        try:
            content = (ROOT / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary
        for m in PASSWORD_IN_URL.finditer(content):
            if not PLACEHOLDERS.match(m.group(1)):
                line = content.count("\n", 0, m.start()) + 1
                found.append(f"{name}:{line}: {m.group(0)}")
    assert found == []
    assert len(files) > 50  # the listing really saw the repository


def test_the_repository_check_would_see_one() -> None:
    sample = "url = postgresql+psycopg://optally:hunter2@db.internal:5432/warehouse"
    assert [m.group(1) for m in PASSWORD_IN_URL.finditer(sample)] == ["hunter2"]
    assert not PLACEHOLDERS.match("hunter2")
    assert PLACEHOLDERS.match("password") and PLACEHOLDERS.match("${PGPASSWORD}")
