"""One place for each setting: the OPTALLY_* environment reaches what it names."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.settings import get_settings
from config.sources import parse_sources

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("fresh_settings")
def test_a_source_without_a_rate_limit_takes_the_default_rate_limit_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPTALLY_DEFAULT_RATE_LIMIT", "0.25")
    get_settings.cache_clear()
    entry = {
        "name": "x",
        "kind": "listing",
        "start_url": "https://www.example.org/news",
        "allowed_hosts": ["www.example.org"],
    }
    (plain,) = parse_sources({"sources": [entry]})
    (own,) = parse_sources({"sources": [{**entry, "rate_limit": 2}]})
    assert (plain.rate_limit, own.rate_limit) == (0.25, 2.0)


def test_plain_runs_use_max_workers_threads() -> None:
    """`optally run`, `reparse` and `add` without a --task-runner: OPTALLY_MAX_WORKERS.
    (Prefect keeps the pool size only in a private attribute.)"""
    code = (
        "from flows.etl import add_urls, etl, reparse;"
        "print([f.task_runner._max_workers for f in (etl, reparse, add_urls)])"
    )
    env = {**os.environ, "OPTALLY_MAX_WORKERS": "3", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[3, 3, 3]"
