"""Shared machinery for the reliability tests (tests/test_reliability_*.py).

- ``warehouse_content(url)``: every table of a warehouse as comparable content, keyed on
  natural keys, with surrogate ids and run timestamps taken out (docs/RELIABILITY.md says
  exactly what is ignored and why). Two warehouses hold the same data exactly when their
  contents compare equal.
- ``start_flow_child`` / ``run_flow_child``: a full ``etl`` flow run in a child process,
  optionally killed with SIGKILL by itself at a chosen point (``OPTALLY_CRASH_AFTER``).
- ``Everything``: a logging handler that keeps every formatted record (the ``all_logs``
  fixture of tests/conftest.py attaches it), for tests that a secret reaches no log.
- ``child_env``: the environment a child needs (its own PREFECT_HOME, no analytics, the
  repository on PYTHONPATH, the API of an already running Prefect server when given, so
  the child does not spend ~8 s starting an ephemeral one).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, Table, UniqueConstraint, select

ROOT = Path(__file__).resolve().parent.parent

# Columns whose value is the time of a run (when a page was first seen, fetched, failed,
# superseded, a row loaded). Two runs over the same pages differ here by design, so only
# whether the column is set is compared. Every DateTime column of the models is one.
# headers_json keeps the HTTP response headers; "date" is the server's clock.
_VOLATILE_HEADERS = frozenset({"date"})


def _prefect_api_url() -> str | None:
    """The API of the Prefect server this process talks to (the test harness), if any."""
    try:
        from prefect.settings import PREFECT_API_URL

        return PREFECT_API_URL.value()
    except Exception:  # no prefect settings context: the child starts its own server
        return None


def child_env(prefect_home: Path, *, api_url: str | None = None, **extra: str) -> dict[str, str]:
    """Environment for a child process that runs optally code (flows included)."""
    env = {
        k: v
        for k, v in os.environ.items()
        # The parent's test settings must not leak into the child: it gets its own.
        if not k.startswith(("PREFECT_", "OPTALLY_CRASH"))
    }
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "PREFECT_HOME": str(prefect_home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOGGING_LEVEL": "WARNING",
            # Flow and task runs would otherwise wait on the API's log and event workers.
            "PREFECT_LOGGING_TO_API_ENABLED": "false",
        }
    )
    if api_url:
        env["PREFECT_API_URL"] = api_url
    env.update(extra)
    return env


# The child: install the crash hook, run the etl flow, print the hook's call counts as one
# JSON line. ``OPTALLY_CRASH_AFTER=<stage>:<n>`` kills the process with SIGKILL (no
# cleanup, no rollback, no atexit: what the OOM killer or a power cut would do) at the n-th
# call of that stage:
#   fetch    after the n-th HTTP fetch returned, before its body is archived
#   archive  after the n-th page version is written, inside its uncommitted transaction
#   extract  inside the n-th extract_page call (after parsing, before returning)
#   load     after the n-th batch of articles and claims is written, before its commit
#   derive   after the n-th refresh of reconciled figures and metrics, before its commit
#   commit   right after the n-th warehouse COMMIT returned (between two transactions)
CRASH_CHILD = r"""
import json, os, signal, sys, threading
from collections import Counter

counts = Counter()
lock = threading.Lock()
stage, _, nth = os.environ.get("OPTALLY_CRASH_AFTER", ":").partition(":")
nth = int(nth) if nth else 0

def hit(name):
    with lock:
        counts[name] += 1
        n = counts[name]
    if name == stage and n == nth:
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)

def wrap(owner, attr, name):
    original = getattr(owner, attr)
    def hooked(*args, **kwargs):
        out = original(*args, **kwargs)
        hit(name)
        return out
    setattr(owner, attr, hooked)

import db.load, flows.etl, tasks.fetch
from sqlalchemy.engine import Connection
wrap(tasks.fetch.Fetcher, "fetch", "fetch")
wrap(db.load, "archive", "archive")
wrap(flows.etl, "extract_page", "extract")  # flows.etl imported the name itself
wrap(db.load, "load", "load")
wrap(flows.etl, "rebuild", "derive")  # flows.etl imported the name itself
wrap(Connection, "_commit_impl", "commit")

from flows.etl import etl
sources_file, db_url = sys.argv[1], sys.argv[2]
summary = etl(sources_file=sources_file, db_url=db_url)
print(json.dumps({"counts": dict(counts), "failed": summary["failed"],
                  "fetched": summary["fetched"]}), flush=True)
"""


# `optally ARGS...` in a child, its runs held at the start of extraction until every party
# of the barrier (files in OPTALLY_BARRIER_DIR, OPTALLY_BARRIER_PARTIES of them) is there.
# Without it, two runs started together drift apart (imports, the migration lock) and one
# has loaded everything before the other starts: no contention to test.
BARRIER_CLI = r"""
import os, sys, time
from pathlib import Path
import flows.etl

original = flows.etl.extract_and_load

def synchronised(*args, **kwargs):
    here = Path(os.environ["OPTALLY_BARRIER_DIR"])
    (here / str(os.getpid())).touch()
    deadline = time.monotonic() + 120
    while len(list(here.iterdir())) < int(os.environ["OPTALLY_BARRIER_PARTIES"]):
        if time.monotonic() > deadline:
            sys.exit("barrier: the other run never arrived")
        time.sleep(0.01)
    return original(*args, **kwargs)

flows.etl.extract_and_load = synchronised  # run_pipeline looks the name up at call time
from app.cli import main
sys.exit(main(sys.argv[1:]))
"""


def start_flow_child(
    sources_file: Path,
    db_url: str,
    prefect_home: Path,
    *,
    crash_after: str | None = None,
    api_url: str | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> subprocess.Popen[str]:
    env = child_env(prefect_home, api_url=api_url or _prefect_api_url(), **dict(extra_env or {}))
    if crash_after:
        env["OPTALLY_CRASH_AFTER"] = crash_after
    prefect_home.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-c", CRASH_CHILD, str(sources_file), db_url],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(child: subprocess.Popen[str], timeout: float = 240) -> tuple[int, str, str]:
    """Wait for a child; returns (returncode, stdout, stderr). Kills it on timeout."""
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
        raise AssertionError(f"child timed out after {timeout} s:\n{err[-3000:]}") from None
    return child.returncode, out, err


def child_report(stdout: str) -> dict[str, Any]:
    """The JSON line a completed CRASH_CHILD prints last."""
    lines = [ln for ln in stdout.splitlines() if ln.startswith("{")]
    if not lines:
        raise AssertionError(f"child printed no report: {stdout[-2000:]!r}")
    return json.loads(lines[-1])


def run_flow_child(
    sources_file: Path,
    db_url: str,
    prefect_home: Path,
    *,
    api_url: str | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One complete flow run in a child; fails the test with the child's stderr otherwise."""
    child = start_flow_child(
        sources_file, db_url, prefect_home, api_url=api_url, extra_env=extra_env
    )
    code, out, err = finish(child)
    assert code == 0, f"flow child exited {code}:\n{err[-4000:]}"
    return child_report(out)


# ---------------------------------------------------------------------------------------
# Comparable warehouse content


def _natural_key(table: Table) -> list[str]:
    """The columns of the table's first unique constraint (its natural key), else []."""
    for cons in sorted(
        (c for c in table.constraints if isinstance(c, UniqueConstraint)),
        key=lambda c: [col.name for col in c.columns],
    ):
        return [col.name for col in cons.columns]
    return []


def _plain(value: Any) -> Any:
    """Driver values as comparable plain values (SQLite and psycopg differ on bool/float)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, memoryview):
        value = bytes(value)
    return value


def warehouse_content(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the warehouse at ``url``: a sorted list of rows per table.

    Each row is a tuple of (column, value) pairs with:
    - ``id`` (the surrogate key) left out;
    - every foreign key replaced by the natural key of the row it points to (a page by its
      URL, an article by its page version and parser version, an operation by its key...);
    - every DateTime column replaced by whether it is set;
    - ``page_versions.body_gz`` replaced by the SHA-256 of the uncompressed body, and the
      server's ``date`` header dropped from ``headers_json``.
    Tables the models do not know (``alembic_version``) are compared column by column.
    """
    from db.engine import get_engine
    from db.models import Base

    engine = get_engine(url)
    reflected = MetaData()
    reflected.reflect(engine)
    known = Base.metadata.tables
    raw: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for name, table in reflected.tables.items():
            raw[name] = [dict(r) for r in conn.execute(select(table)).mappings()]

    keys: dict[tuple[str, Any], Any] = {}  # (table, id) -> natural key, memoised

    def natural(table_name: str, row_id: Any) -> Any:
        if row_id is None:
            return None
        memo = (table_name, row_id)
        if memo not in keys:
            table = known[table_name]
            row = next(r for r in raw[table_name] if r["id"] == row_id)
            cols = _natural_key(table) or [c.name for c in table.columns if c.name != "id"]
            keys[memo] = tuple(_value(table, c, row) for c in cols)
        return keys[memo]

    def _value(table: Table, col: str, row: Mapping[str, Any]) -> Any:
        column = table.columns[col]
        value = row[col]
        fks = list(column.foreign_keys)
        if fks:
            return natural(fks[0].column.table.name, value)
        if isinstance(column.type, DateTime):
            return value is not None
        if table.name == "page_versions" and col == "body_gz":
            return hashlib.sha256(gzip.decompress(bytes(value))).hexdigest()
        if table.name == "page_versions" and col == "headers_json":
            headers = json.loads(value)
            return tuple(sorted((k, v) for k, v in headers.items() if k not in _VOLATILE_HEADERS))
        return _plain(value)

    out: dict[str, list[tuple[Any, ...]]] = {}
    for name, rows in raw.items():
        if name in known:
            table = known[name]
            cols = [c.name for c in table.columns if c.name != "id"]
            out[name] = sorted(
                (tuple((c, _value(table, c, r)) for c in cols) for r in rows), key=repr
            )
        else:
            out[name] = sorted((tuple(sorted(r.items())) for r in rows), key=repr)
    return out


def content_diff(
    a: Mapping[str, list[Any]], b: Mapping[str, list[Any]], limit: int = 3, width: int = 300
) -> str:
    """A short human-readable difference between two ``warehouse_content`` results:
    per differing table, the row counts and a few rows only one side has."""
    lines = []
    for table in sorted(set(a) | set(b)):
        ra, rb = a.get(table, []), b.get(table, [])
        if ra == rb:
            continue
        only_a = [r for r in ra if r not in rb]
        only_b = [r for r in rb if r not in ra]
        lines.append(f"  {table}: {len(ra)} vs {len(rb)} rows")
        lines += [f"    - {str(dict(r))[:width]}" for r in only_a[:limit]]
        lines += [f"    + {str(dict(r))[:width]}" for r in only_b[:limit]]
    return "\n".join(lines) or "(no difference)"


def counts(content: Mapping[str, list[Any]]) -> dict[str, int]:
    return {t: len(rows) for t, rows in content.items()}


# ---------------------------------------------------------------------------------------
# Warehouses


def forget_engine(url: str) -> None:
    """Drop this process's cached engine for ``url`` (db.engine keeps one per URL), so a
    database can be dropped or a file removed. Same private state conftest.pg_url uses."""
    from db.engine import _engines, _lock, _migrated

    with _lock:
        engine = _engines.pop(url, None)
        _migrated.discard(url)
    if engine is not None:
        engine.dispose()


@contextmanager
def pg_databases(n: int) -> Iterator[list[str]]:
    """``n`` fresh PostgreSQL databases (skips the test without OPTALLY_TEST_POSTGRES_URL)."""
    import pytest
    from sqlalchemy import create_engine, text

    base = os.environ.get("OPTALLY_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("PostgreSQL tests need OPTALLY_TEST_POSTGRES_URL")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    names = [f"optally_rel_{uuid.uuid4().hex[:10]}" for _ in range(n)]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    urls = [admin.url.set(database=name).render_as_string(hide_password=False) for name in names]
    try:
        yield urls
    finally:
        for url in urls:
            forget_engine(url)
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Everything(logging.Handler):
    """Keeps every formatted record, tracebacks included."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
