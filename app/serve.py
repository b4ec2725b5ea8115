"""`optally serve`: the four deployments with their schedules, served to the Prefect API.

One process registers ``daily``, ``backfill``, ``metrics`` and ``nrm-stats``
(flows/deployments.py ``DEPLOYMENTS``, the same table prefect.yaml follows), polls the API
for their scheduled and UI-triggered runs, and runs each in a child process. No work pool
or worker is needed: this is the one-machine setup. For several machines use prefect.yaml
with workers (docs/DEPLOY.md).

``python -m app.serve ui`` is `make ui`: a local `prefect server start` in the
background, then `optally serve` against it; Ctrl-C stops both.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron

from flows.deployments import DEPLOYMENTS, DeploymentSpec, deployment_tags

# The parameters each flow accepts that `optally serve --sources/--db` may preset.
_PRESETS: dict[str, tuple[str, ...]] = {
    "daily": ("sources_file", "db_url"),
    "backfill": ("sources_file", "db_url"),
    "metrics": ("db_url",),
    "nrm-stats": ("db_url",),
}


def build_deployment(
    spec: DeploymentSpec, parameters: dict[str, Any] | None = None
) -> RunnerDeployment:
    """One served deployment: schedule in London time, at most one run at a time."""
    return spec.load_flow().to_deployment(
        name=spec.name,
        schedule=Cron(spec.cron, timezone=spec.timezone) if spec.cron else None,
        description=spec.description,
        tags=deployment_tags(spec),
        parameters=parameters or {},
        # Overlapping runs of one deployment would crawl the same pages twice and race on
        # the same operations; later runs wait for a slot instead.
        concurrency_limit=1,
        # The child process imports `flows.deployments` as a module, so serving works
        # from any working directory, not only the repository root.
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def build_deployments(
    sources_file: str | None = None, db_url: str | None = None
) -> list[RunnerDeployment]:
    presets = {"sources_file": sources_file, "db_url": db_url}
    return [
        build_deployment(
            spec,
            {k: presets[k] for k in _PRESETS[spec.name] if presets[k] is not None},
        )
        for spec in DEPLOYMENTS
    ]


def api_url() -> str | None:
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


def serve(sources_file: str | None = None, db_url: str | None = None) -> None:
    """Serve every deployment until interrupted; schedules are paused on the way out, so
    no runs pile up while nothing is there to run them (the next serve resumes them)."""
    from prefect import serve as prefect_serve

    prefect_serve(*build_deployments(sources_file, db_url))


# ---------------------------------------------------------------------------
# `make ui`

UI_HOST = "127.0.0.1"
UI_PORT = 4200
# docs/DEPLOY.md, "Prefect server on PostgreSQL": the default recorder inserts one task run
# at a time and lags for
# seconds after every run; batches of 100 flushed each second keep the UI current.
SERVER_ENV = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "1",
}


def server_env(host: str, port: int) -> dict[str, str]:
    """The environment of `prefect server start --port PORT` and `optally serve`.

    `prefect server start --port` listens on the port, but its UI asks the API at
    PREFECT_UI_API_URL, which defaults to PREFECT_API_URL (a profile's or the shell's,
    often :4200) or else to PREFECT_SERVER_API_HOST/PORT (4200): on another port the UI
    showed "can't connect to Server API at 127.0.0.1:4200". All four say the port in use.
    """
    url = f"http://{host}:{port}/api"
    return {
        **os.environ,
        **SERVER_ENV,
        "PREFECT_API_URL": url,
        "PREFECT_UI_API_URL": url,
        "PREFECT_SERVER_API_HOST": host,
        "PREFECT_SERVER_API_PORT": str(port),
    }


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _stop(proc: subprocess.Popen[bytes], name: str, grace: float) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds. Both Prefect processes shut down
    cleanly on SIGTERM (serve pauses its schedules first), and unlike SIGINT it is never
    ignored by a process started in the background."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            proc.send_signal(sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            print(f"optally ui: {name} (pid {proc.pid}) still running", file=sys.stderr)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def ui(host: str = UI_HOST, port: int = UI_PORT, serve_args: Sequence[str] = ()) -> int:
    """Start `prefect server`, wait for /api/health, run `optally serve`; stop both on exit."""
    url = f"http://{host}:{port}/api"
    env = server_env(host, port)
    # Ctrl-C and `kill` both end in the `finally` below, which stops the children. (A
    # shell starts background jobs with SIGINT ignored; make Ctrl-C work regardless.)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    server: subprocess.Popen[bytes] | None = None
    serving: subprocess.Popen[bytes] | None = None
    try:
        if healthy(url):
            print(f"optally ui: a Prefect server already answers at {url}; serving to it")
        else:
            server = _start_server(host, port, env)
            if not _wait_healthy(server, url):
                return 1
        serving = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", *serve_args], env=env)
        return serving.wait()
    except KeyboardInterrupt:
        if serving is not None:
            # The terminal's SIGINT reached `serve` too: let it pause its schedules and exit.
            with contextlib.suppress(subprocess.TimeoutExpired, KeyboardInterrupt):
                serving.wait(timeout=30)
        return 130
    finally:
        if serving is not None:
            _stop(serving, "optally serve", 30)
        if server is not None:
            _stop(server, "prefect server", 30)
        print("optally ui: stopped")


def _start_server(host: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    # Its own session: Ctrl-C in the terminal reaches `serve` only, which then pauses its
    # schedules through the API while the server is still up; the server goes last.
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            host,
            "--port",
            str(port),
            "--analytics-off",
        ],
        env=env,
        start_new_session=True,
    )


def _wait_healthy(server: subprocess.Popen[bytes], url: str, limit: float = 120) -> bool:
    started = time.monotonic()
    while not healthy(url):
        if server.poll() is not None:
            print(
                f"optally ui: prefect server exited with status {server.returncode}"
                " (is the port in use?)",
                file=sys.stderr,
            )
            return False
        if time.monotonic() - started > limit:
            print(f"optally ui: no answer from {url}/health after {limit:.0f} s", file=sys.stderr)
            return False
        time.sleep(0.5)
    print(
        f"optally ui: Prefect server (pid {server.pid}) healthy after "
        f"{time.monotonic() - started:.1f} s; UI at {url.removesuffix('/api')}"
    )
    return True


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m app.serve")
    sub = p.add_subparsers(dest="command", required=True)
    u = sub.add_parser("ui", help="a local Prefect server plus `optally serve` (make ui)")
    u.add_argument("--host", default=UI_HOST)
    u.add_argument("--port", type=int, default=UI_PORT)
    u.add_argument("serve_args", nargs=argparse.REMAINDER, help="passed to `optally serve`")
    args = p.parse_args(argv)
    return ui(args.host, args.port, [a for a in args.serve_args if a != "--"])


if __name__ == "__main__":
    raise SystemExit(main())
