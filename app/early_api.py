"""Start Prefect's temporary API server at the beginning of a command, not in the middle.

With no PREFECT_API_URL, Prefect starts a temporary API server in a subprocess the first
time a flow needs its client: after this process has imported the pipeline, checked the
sources and the database, and imported the server's own code (FastAPI and the server
models) only to call its ``SubprocessASGIServer``. The server then needs about 3 s to
start while this process waits. Started here instead, the same server boots on the other
core while this process does that work, and this process never imports the server code:
a run over a site with no articles went from 8.0 s to 4.6 s (docs/BENCHMARKS.md).

The server is the one Prefect would start (same command, same settings, UI off, marked
ephemeral), so runs, logs and artifacts behave as before. Nothing changes when an API URL
is configured or ephemeral mode is off, and when this server cannot start the client falls
back to Prefect's own.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

log = logging.getLogger(__name__)

STARTUP_TIMEOUT_S = 60.0  # a first start in a fresh PREFECT_HOME migrates for ~10 s
POLL_INTERVAL_S = 0.05
STOP_TIMEOUT_S = 5.0
DRAIN_TIMEOUT_S = 5.0


class TemporaryApi:
    """A Prefect API server in a subprocess, owned by this command."""

    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process = process
        self.port = port
        self._settings = contextlib.ExitStack()
        self.in_use = False

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def wait(self, timeout: float = STARTUP_TIMEOUT_S) -> bool:
        """Block until the server answers /health; True when it did."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log.debug("temporary Prefect API exited with %s", self.process.returncode)
                return False
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as resp:
                    if resp.status == 200:
                        return True
            except OSError:
                pass
            time.sleep(POLL_INTERVAL_S)
        return False

    def use(self) -> bool:
        """Wait for the server and point this process's Prefect client at it.

        False (and the server stopped) when it did not come up: the client then starts
        Prefect's own temporary server, as it would have without this module.
        """
        if not needed() or not self.wait():
            self.stop()
            return False
        from prefect.settings import (
            PREFECT_API_URL,
            PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
            temporary_settings,
        )

        # Heartbeats let a long-lived server mark a run whose process died as crashed;
        # this server dies with the process, so they tell nobody anything. They cost up
        # to a second per flow run: Prefect joins the heartbeat thread, which sleeps in
        # one-second slices, when the run ends (measured 0.85 s of a 1.3 s empty run).
        updates = {PREFECT_API_URL: self.api_url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
        self._settings.enter_context(temporary_settings(updates=updates))
        self.in_use = True
        return True

    @staticmethod
    def _drain() -> None:
        # Prefect sends logs and events from background workers that it drains at
        # interpreter exit; by then this server is gone ("Error logging to API"). Drain
        # them while it still answers, as prefect_test_harness does.
        from prefect.events.worker import EventsWorker
        from prefect.logging.handlers import APILogWorker

        for worker in (APILogWorker, EventsWorker):
            try:
                worker.drain_all(timeout=DRAIN_TIMEOUT_S)
            except Exception:  # best effort: the run itself is over and recorded
                log.debug("draining %s failed", worker.__name__, exc_info=True)

    def stop(self) -> None:
        if self.in_use:
            self._drain()
        self._settings.close()
        self.in_use = False
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def needed() -> bool:
    """True when a flow run in this process would start a temporary API server."""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    return not PREFECT_API_URL.value() and bool(PREFECT_SERVER_EPHEMERAL_ENABLED.value())


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env() -> dict[str, str]:
    # What prefect.server.api.server.SubprocessASGIServer gives its server (Prefect 3.9).
    # Its other settings it reads itself from the same environment, profile and files.
    return {
        **os.environ,
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
    }


def start() -> TemporaryApi | None:
    """Start the server now, or None when this process surely does not need one.

    In a fresh process this runs before Prefect is imported (0.7 s saved again), so it
    cannot read a server URL from a Prefect profile yet: ``use()`` checks, and stops the
    server when a profile names one.
    """
    if os.environ.get("PREFECT_API_URL"):
        return None
    if "prefect" in sys.modules and not needed():  # imported already: ask for free
        return None
    spec = importlib.util.find_spec("prefect")  # where it is, without importing it
    if spec is None or spec.origin is None:
        return None
    port = _free_port()
    try:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--app-dir",
                str(Path(spec.origin).parent.parent),
                "--factory",
                "prefect.server.api.server:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "error",
                "--lifespan",
                "on",
            ],
            env=_server_env(),
        )
    except OSError:
        log.debug("could not start a temporary Prefect API", exc_info=True)
        return None
    return TemporaryApi(process, port)


@contextlib.contextmanager
def early_api() -> Iterator[Callable[[], bool]]:
    """Start the temporary API (when one is needed) and stop it when the command ends.

    Yields ``use``: the caller does its imports and checks, then calls ``use()`` right
    before the flow (``TemporaryApi.use``; a no-op returning False when Prefect is
    configured with a server of its own).
    """
    api = start()
    try:
        yield api.use if api is not None else _nothing_to_use
    finally:
        if api is not None:
            api.stop()


def _nothing_to_use() -> bool:
    return False
