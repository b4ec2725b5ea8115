"""app/early_api.py: the temporary Prefect API a command starts before its imports."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from app import early_api
from app.early_api import TemporaryApi

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def health_server() -> Iterator[int]:
    """Answers /api/health with 200, like a Prefect API that has started."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/api/health" else 404)
            self.send_header("Content-Length", "4")
            self.end_headers()
            self.wfile.write(b"true")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def _sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def test_nothing_starts_when_the_environment_names_a_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert early_api.start() is None


def test_nothing_starts_when_prefect_settings_name_a_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:4200/api"}):
        assert early_api.start() is None


def test_use_points_the_client_at_the_server_and_drops_heartbeats(
    monkeypatch: pytest.MonkeyPatch, health_server: int
) -> None:
    from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY

    monkeypatch.setattr(early_api, "needed", lambda: True)
    before = PREFECT_API_URL.value()
    api = TemporaryApi(_sleeper(), health_server)
    assert api.use() is True
    assert PREFECT_API_URL.value() == f"http://127.0.0.1:{health_server}/api"
    assert PREFECT_FLOWS_HEARTBEAT_FREQUENCY.value() is None
    api.stop()
    assert PREFECT_API_URL.value() == before
    assert PREFECT_FLOWS_HEARTBEAT_FREQUENCY.value() == 180
    assert api.process.poll() is not None  # terminated and reaped


def test_a_server_that_dies_leaves_the_client_to_prefect(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prefect.settings import PREFECT_API_URL

    monkeypatch.setattr(early_api, "needed", lambda: True)
    before = PREFECT_API_URL.value()
    dead = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    api = TemporaryApi(dead, 9)
    assert api.use() is False
    assert PREFECT_API_URL.value() == before


def test_a_profile_with_a_server_stops_the_early_one(
    monkeypatch: pytest.MonkeyPatch, health_server: int
) -> None:
    from prefect.settings import PREFECT_API_URL

    monkeypatch.setattr(early_api, "needed", lambda: False)
    before = PREFECT_API_URL.value()
    api = TemporaryApi(_sleeper(), health_server)
    assert api.use() is False
    assert api.process.poll() is not None
    assert PREFECT_API_URL.value() == before


def test_the_context_manager_stops_the_server_on_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[TemporaryApi] = []

    def fake_start() -> TemporaryApi:
        started.append(TemporaryApi(_sleeper(), 9))
        return started[0]

    monkeypatch.setattr(early_api, "start", fake_start)
    with pytest.raises(RuntimeError), early_api.early_api():
        raise RuntimeError("bad sources")
    assert started[0].process.poll() is not None


@pytest.mark.slow
def test_optally_run_with_no_prefect_server(tmp_path: Path) -> None:
    """The real thing: `optally run` in a fresh process and a fresh PREFECT_HOME, no API URL.

    The run must complete against the server it started, and leave no server behind.
    """
    import psutil

    sources = tmp_path / "sources.yaml"
    sources.write_text(
        yaml.safe_dump(
            {
                "sources": [
                    {
                        "name": "nowhere",
                        "kind": "listing",
                        "profile": "nca",
                        "start_url": "http://127.0.0.1:9/news",
                        "allowed_hosts": ["127.0.0.1"],
                        "allow_private_hosts": True,
                        "rate_limit": 0,
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "OPTALLY_"))}
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect-home"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.cli",
            "run",
            "--sources",
            str(sources),
            "--db",
            f"sqlite:///{tmp_path / 'w.db'}",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    servers: set[int] = set()
    while child.poll() is None:
        try:
            for kid in psutil.Process(child.pid).children():
                if "uvicorn" in " ".join(kid.cmdline()):
                    servers.add(kid.pid)
        except psutil.Error:  # a process ended between the listing and the look
            pass
        threading.Event().wait(0.2)
    out, err = child.communicate(timeout=240)
    # the only source is unreachable: the run completes, reports it and ends failed (exit 1)
    assert child.returncode == 1, err
    assert err.strip().splitlines()[-1].startswith("optally: error: no source could be read: ")
    assert "Error logging to API" not in err  # logs and events drained before the stop
    assert "discovered 0," in out  # the summary is still printed
    assert len(servers) == 1  # ours; Prefect did not start a second one
    assert not any(psutil.pid_exists(pid) for pid in servers)  # stopped with the run
    assert (tmp_path / "prefect-home" / "prefect.db").exists()
