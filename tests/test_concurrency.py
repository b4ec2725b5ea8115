"""Two runs at once, and a run killed mid-transaction, on SQLite and PostgreSQL.

Loads are idempotent (unique natural keys plus INSERT ... ON CONFLICT) and one transaction
per batch, so concurrent loads of the same pages never duplicate a row, and a batch killed
before its commit leaves the warehouse exactly as it was; running the batch again completes it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from db import load as wh
from db.engine import get_engine
from db.queries import metrics_rows
from tests.auditable_data import (
    BATCHES,
    SOURCES,
    TABLES,
    archive,
    build,
    ingest,
    load_batch,
    snapshot,
)

ROOT = Path(__file__).resolve().parent.parent
# Tables with rows per page or claim; forces and aliases are seeded by the migration.
CONTENT_TABLES = tuple(t for t in TABLES if t not in ("forces", "force_aliases"))


def content(engine: Engine) -> dict[str, Any]:
    """The warehouse without its surrogate ids (PostgreSQL sequences skip numbers that
    rolled-back or conflicting inserts took, so ids may differ between equal warehouses)."""
    with engine.connect() as conn:
        counts = {
            t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in CONTENT_TABLES
        }
        conflicts = conn.execute(
            text("SELECT metric, value_a, value_b FROM figure_conflicts ORDER BY metric")
        ).all()
    metrics = [{k: v for k, v in r.items() if k != "id"} for r in metrics_rows(engine)]
    return {"counts": counts, "metrics": metrics, "conflicts": [tuple(r) for r in conflicts]}


def test_concurrent_loads_of_the_same_pages_never_duplicate(db_url: str, sqlite_url: str) -> None:
    engine = get_engine(db_url)
    for batch in BATCHES:
        pages = archive(engine, batch)
        barrier = threading.Barrier(3)
        errors: list[BaseException] = []

        def run(
            pages: list[wh.Extracted] = pages,
            barrier: threading.Barrier = barrier,
            errors: list[BaseException] = errors,
        ) -> None:
            try:
                barrier.wait(timeout=30)
                load_batch(engine, pages)
            except BaseException as exc:  # deadlocks and unique violations included
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert errors == []
    serial = get_engine(sqlite_url.replace("warehouse.db", "serial.db"))
    build(serial)
    assert content(engine) == content(serial)
    assert content(engine)["counts"]["operations"] == 3


CHILD = """
import sys, time
from db import load as wh
from db.engine import get_engine
from tests.auditable_data import BATCHES, SOURCES
from tasks.derive import rebuild
from tasks.resolve import resolve_batch
from sqlalchemy import text

url, index = sys.argv[1], int(sys.argv[2])
engine = get_engine(url)
pages = []
with engine.connect() as conn:
    for d in BATCHES[index]:
        pid, vid = conn.execute(text(
            "SELECT p.id, MAX(v.id) FROM pages p JOIN page_versions v ON v.page_id = p.id"
            " WHERE p.url = :u GROUP BY p.id"), {"u": d.url}).one()
        item = wh.PageItem(pid, vid, d.url, d.fetched_at, SOURCES[d.source].official, d.source)
        pages.append(wh.Extracted(item, d.extraction, d.relevant))
    matches = resolve_batch(conn, pages)
with engine.begin() as conn:
    touched = wh.load(conn, pages, matches)
    rebuild(conn, touched)
    n = conn.execute(text("SELECT COUNT(*) FROM articles")).scalar_one()
    print(f"wrote {n}", flush=True)
    time.sleep(600)  # killed here, before the commit
"""


def test_a_batch_killed_before_commit_leaves_nothing_and_reruns(
    db_url: str, sqlite_url: str
) -> None:
    engine = get_engine(db_url)
    ingest(engine, BATCHES[0])
    archive(engine, BATCHES[1])  # fetched and archived: the archive commits per page
    before = snapshot(engine)

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, db_url, "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline() if child.stdout else ""
        # The child has written the batch's articles, claims, operations and metrics.
        assert line == "wrote 4\n", child.stderr.read() if child.stderr else line
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert snapshot(engine) == before

    # The next run reads the unread versions and completes the batch, then carries on.
    with engine.connect() as conn:
        unread = wh.unextracted_versions(conn, "1")
    assert len(unread) == 2
    with engine.connect() as conn:
        pages = []
        for d in BATCHES[1]:
            pid, vid = conn.execute(
                text(
                    "SELECT p.id, MAX(v.id) FROM pages p JOIN page_versions v ON v.page_id = p.id"
                    " WHERE p.url = :u GROUP BY p.id"
                ),
                {"u": d.url},
            ).one()
            assert vid in unread
            item = wh.PageItem(pid, vid, d.url, d.fetched_at, SOURCES[d.source].official, d.source)
            pages.append(wh.Extracted(item, d.extraction, d.relevant))
    load_batch(engine, pages)
    ingest(engine, BATCHES[2])
    serial = get_engine(sqlite_url.replace("warehouse.db", "serial.db"))
    build(serial)
    assert content(engine) == content(serial)
