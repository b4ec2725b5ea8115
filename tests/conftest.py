"""Shared fixtures: isolated Prefect home, warehouses on SQLite and PostgreSQL, the sample site."""

from __future__ import annotations

import logging
import os
import tempfile
import uuid
from collections.abc import Iterator

# Before anything imports prefect: never touch the developer's ~/.prefect, and stay quiet offline.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="optally-prefect-"))
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

import pytest
from sqlalchemy import create_engine, text

from tests.reliability_helpers import Everything

PG_ENV = "OPTALLY_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A throwaway Prefect API for tests that run flows (about 9 s, once per session)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def sqlite_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    return f"sqlite:///{tmp_path / 'warehouse.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL database of its own, dropped afterwards."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(
            f"PostgreSQL tests need {PG_ENV}, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
    name = f"optally_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        from db.engine import _engines, _lock, _migrated

        with _lock:
            eng = _engines.pop(url, None)
            _migrated.discard(url)
        if eng is not None:
            eng.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request) -> str:  # type: ignore[no-untyped-def]
    """Each warehouse test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def sample_site() -> Iterator[object]:
    from app.sample_server import SampleSite

    with SampleSite() as site:
        yield site


@pytest.fixture
def all_logs() -> Iterator[Everything]:
    """Every log record of the test (root, prefect and sqlalchemy loggers, at DEBUG)."""
    handler = Everything()
    loggers = [logging.getLogger(), logging.getLogger("prefect"), logging.getLogger("sqlalchemy")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    yield handler
    for lg, level in zip(loggers, levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)
