"""Hostile data from the network, and a warehouse that cannot be written (issue 19, items 3
and 9), on SQLite and PostgreSQL.

- What a page, its headers or a listing says is made fit for its column before it meets
  one (db/sanitize.py): a 60-character charset for VARCHAR(40), NUL characters and lone
  surrogates in text, a count of 3,000,000,000 (no figure: domain/records.py).
- One page the warehouse refuses is a recorded failure of that page: its batch is written
  again one page at a time and every other page loads (db/load.py write_pages).
- Two runs on a fresh SQLite file both migrate it (db/engine.py upgrade holds a lock).
- A read-only warehouse, a lock held past the busy timeout and a full disk end a command
  with one line and exit 2, and nothing committed is lost.
- A signed number ("-45") is no figure (tasks/figures/numbers.py).

The full disk is simulated with SQLite's ``PRAGMA max_page_count``, set on every connection
of the child process (FULL_DISK_CHILD): SQLite then fails writes with SQLITE_FULL, "database
or disk is full", as on a full file system, with no mount and no root. The read-only file is
opened with SQLite's ``mode=ro`` URI parameter, which is what SQLite does with a file it
cannot write (the tests may run as root, whom file modes do not stop).
"""

from __future__ import annotations

import html
import json
import math
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text

from db import load as wh
from db.engine import get_engine
from db.sanitize import ValueRefused, clean_row
from domain.records import (
    MAX_COUNT,
    Article,
    BreakdownItem,
    Extraction,
    Figure,
    FigureResult,
    OperationFacts,
)
from tasks.derive import rebuild
from tasks.extract import extract_page
from tasks.resolve import resolve_batch
from tests.auditable_data import SOURCES, Fetched
from tests.reliability_helpers import ROOT, child_env, forget_engine, warehouse_content
from tests.test_reliability_network import RecordingSite

LONG_CHARSET = "x-hostile-" + "c" * 50  # 60 characters; page_versions.encoding is VARCHAR(40)
NUL_ETAG = '"v1\x00etag"'
HUGE = 3_000_000_000  # past PostgreSQL's INTEGER
CHILD_TIMEOUT_S = 120


def article(title: str, paragraphs: list[str], day: str) -> bytes:
    """An NCA-shaped release (Joomla markup) with these paragraphs and a date line."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        "<html><body><div class='item-page'>"
        f"<h1 itemprop='headline'>{html.escape(title)}</h1><div itemprop='articleBody'>"
        f"{body}<p><strong>{day}</strong></p></div></div></body></html>"
    ).encode()


ALPHA = article(
    "Operation Alpha week of action",
    [
        "Officers from 19 forces arrested 38 people and safeguarded 99 potential victims "
        "during Operation Alpha. 55 were referred to the NRM."
    ],
    "03 November 2021",
)
BRAVO = article(
    "Operation Bravo week of action",
    [
        "Officers from 12 forces arrested 41 people and safeguarded 27 potential victims "
        "during Operation Bravo."
    ],
    "10 November 2021",
)
HOSTILE = article(
    "Operation Hostile week of action",
    [
        "Officers safeguarded 7 potential victims during Operation Hostile.",
        "Of those arrested, 3,000,000,000 were for drug offences and 20 were for modern "
        "slavery offences.",
    ],
    "17 November 2021",
)
# Each page's figures, exactly (scope "operation").
EXPECTED = {
    "alpha": {
        "arrests": 38,
        "duration_days": 7,
        "forces_involved": 19,
        "nrm_referrals": 55,
        "potential_victims": 99,
    },
    "bravo": {"arrests": 41, "duration_days": 7, "forces_involved": 12, "potential_victims": 27},
    "hostile": {"duration_days": 7, "potential_victims": 7},
}
HTML = {"Content-Type": "text/html; charset=utf-8"}


# ---------------------------------------------------------------------------------------
# Values at the warehouse boundary


def _fetched(url: str, body: bytes, **fields: Any) -> Fetched:
    return Fetched(url, body, datetime(2021, 11, 3, 9, tzinfo=UTC), final_url=url, **fields)


def _archive(engine: Any, result: Fetched, listed_title: str | None = None) -> wh.PageItem:
    with engine.begin() as conn:
        source_id = wh.register_sources(conn, [SOURCES["nca"]])["nca"]
        page_id, version_id = wh.archive(conn, source_id, result, listed_title)
    assert version_id is not None
    return wh.PageItem(page_id, version_id, result.url, result.fetched_at, True, "nca")


def _load(engine: Any, pages: list[wh.Extracted]) -> wh.LoadOutcome:
    with engine.connect() as conn:
        matches = resolve_batch(conn, pages)
    return wh.load_batch(engine, pages, matches)


def _rows(engine: Any, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def test_values_from_the_network_are_stored_fit_for_their_columns(db_url: str) -> None:
    """Headers, a listing title and an article with NUL characters, a lone surrogate, a
    60-character charset, a 300-character force name and a breakdown count of
    3,000,000,000 load, cleaned, on both databases (PostgreSQL refused each of them)."""
    engine = get_engine(db_url)
    url = "https://www.nationalcrimeagency.gov.uk/news/hostile-values"
    item = _archive(
        engine,
        _fetched(
            url,
            b"<html>body</html>",
            encoding=LONG_CHARSET,
            etag=NUL_ETAG,
            last_modified="Wed, 03 Nov 2021\x00 09:00:00 GMT",
            content_type="text/html\x00",
        ),
        listed_title="Listed\x00 title \ud800",
    )
    subject = "Force " + "f" * 300
    extraction = Extraction(
        Article(
            url, "Operation Nul\x00 week \ud83d", date(2021, 11, 3), "NCA\x00", "Body\x00 text"
        ),
        FigureResult(
            (
                Figure("operation", "arrests", 12, "exact", "12 arrested\x00", (0, 11)),
                Figure("operation", "potential_victims", HUGE, "exact", "too many", (0, 8)),
                Figure("force", "arrests", 3, "exact", "3 by the force", (0, 3), subject),
            ),
            (BreakdownItem("drug offences", HUGE), BreakdownItem("modern\x00 slavery", 9)),
            OperationFacts(name="Operation Nul\x00", lead_agency="NCA\x00", forces=(subject,)),
        ),
    )
    outcome = _load(engine, [wh.Extracted(item, extraction, True)])
    assert outcome.failures == []

    assert _rows(
        engine, "SELECT encoding, etag, last_modified, content_type FROM page_versions"
    ) == [(LONG_CHARSET[:40], '"v1etag"', "Wed, 03 Nov 2021 09:00:00 GMT", "text/html")]
    assert _rows(engine, "SELECT etag, listed_title FROM pages") == [
        ('"v1etag"', "Listed title \ufffd")
    ]
    assert _rows(engine, "SELECT title, publisher, body, op_name FROM articles") == [
        ("Operation Nul week \ufffd", "NCA", "Body text", "Operation Nul")
    ]
    assert sorted(_rows(engine, "SELECT scope, metric, subject, value, evidence FROM figures")) == [
        ("force", "arrests", subject[:200], 3, "3 by the force"),
        ("operation", "arrests", "", 12, "12 arrested"),
    ]
    assert _rows(engine, "SELECT offence, count FROM arrest_breakdowns") == [("modern slavery", 9)]
    assert _rows(engine, "SELECT written FROM article_forces") == [(subject[:200],)]


@pytest.mark.parametrize(
    ("metric", "value", "kept"),
    [
        ("arrests", MAX_COUNT, True),
        ("arrests", MAX_COUNT + 1, False),
        ("arrests", -1, False),
        ("arrests", math.nan, False),
        ("arrests", math.inf, False),
        ("cash_seized_gbp", 2_500_000_000, True),  # money may be larger than a count
        ("cash_seized_gbp", 10**13, False),
    ],
)
def test_an_implausible_number_is_no_figure(metric: str, value: float, kept: bool) -> None:
    fig = Figure("operation", metric, value, "exact", "evidence", None)
    assert FigureResult((fig,)).figures == ((fig,) if kept else ())


def test_an_implausible_breakdown_count_is_no_figure() -> None:
    items = tuple(BreakdownItem(f"offence {n}", n) for n in (MAX_COUNT, MAX_COUNT + 1, HUGE, -3))
    assert FigureResult((), items).arrest_breakdown == items[:1]


def test_a_value_no_column_can_hold_is_refused_not_cut() -> None:
    from db.load import BREAKDOWNS, FIGURES

    with pytest.raises(ValueRefused, match=r"arrest_breakdowns\.count"):
        clean_row(BREAKDOWNS, {"count": HUGE})
    with pytest.raises(ValueRefused, match=r"figures\.value"):
        clean_row(FIGURES, {"value": math.inf})
    assert clean_row(BREAKDOWNS, {"count": 2**31 - 1, "offence": "a\x00b"}) == {
        "count": 2**31 - 1,
        "offence": "ab",
    }


def _extracted(engine: Any, name: str, body: bytes) -> wh.Extracted:
    url = f"https://www.nationalcrimeagency.gov.uk/news/{name}"
    item = _archive(engine, _fetched(url, body))
    return wh.Extracted(item, extract_page(body, url=url, profile="nca"), True)


def _refused(page: wh.Extracted) -> wh.Extracted:
    """The page with a claim whose span no INTEGER column holds: the warehouse refuses it."""
    bad = Figure("operation", "arrests", 5, "exact", "5 arrested", (HUGE, HUGE + 10))
    ex = page.extraction
    return replace(page, extraction=replace(ex, result=replace(ex.result, figures=(bad,))))


def _figures_by_page(engine: Any) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for url, metric, value in _rows(
        engine,
        "SELECT a.url, f.metric, f.value FROM figures f JOIN articles a ON a.id = f.article_id"
        " WHERE f.scope = 'operation'",
    ):
        out.setdefault(url.rsplit("/", 1)[-1], {})[metric] = value
    return out


def test_a_page_the_warehouse_refuses_fails_alone(db_url: str) -> None:
    """The batch is written again page by page: the refused page is recorded as failed
    (fetch_failures, like a fetch failure, so the next run tries it again) and the other
    pages load with their exact figures."""
    engine = get_engine(db_url)
    pages = [
        _extracted(engine, "alpha", ALPHA),
        _refused(_extracted(engine, "bravo", BRAVO)),
        _extracted(engine, "hostile", HOSTILE),
    ]
    outcome = _load(engine, pages)

    bravo = "https://www.nationalcrimeagency.gov.uk/news/bravo"
    assert [f.url for f in outcome.failures] == [bravo]
    assert outcome.failures[0].reason.startswith("cannot load: ValueRefused: figures.span_start")
    assert _rows(engine, "SELECT url, reason FROM fetch_failures") == [
        (bravo, outcome.failures[0].reason)
    ]
    assert _figures_by_page(engine) == {"alpha": EXPECTED["alpha"], "hostile": EXPECTED["hostile"]}
    assert _rows(engine, "SELECT offence, count FROM arrest_breakdowns") == [
        ("modern slavery offences", 20)
    ]
    # The operations of the pages that loaded are derived; the refused page left nothing.
    assert sorted(_rows(engine, "SELECT name FROM operations")) == [
        ("Operation Alpha",),
        ("Operation Hostile",),
    ]
    assert len(outcome.touched) == 2


def test_a_page_joins_an_operation_whose_founder_was_refused(db_url: str) -> None:
    """Resolution matched the second page to an operation the first page of the batch was
    to found; the first is refused, so the second founds it."""
    engine = get_engine(db_url)
    second = article(
        "Operation Alpha results",
        ["Officers from 19 forces arrested 38 people during Operation Alpha."],
        "04 November 2021",
    )
    pages = [_extracted(engine, "alpha-a", ALPHA), _extracted(engine, "alpha-b", second)]
    with engine.connect() as conn:
        matches = resolve_batch(conn, pages)
    assert matches[0] is not None and matches[1] is not None
    assert (matches[0].new, matches[1].new, matches[1].key) == (True, False, matches[0].key)

    outcome = wh.load_batch(engine, [_refused(pages[0]), pages[1]], matches)
    assert [f.url.rsplit("/", 1)[-1] for f in outcome.failures] == ["alpha-a"]
    assert _rows(
        engine, "SELECT o.key, a.url FROM articles a JOIN operations o ON o.id = a.operation_id"
    ) == [(matches[0].key, "https://www.nationalcrimeagency.gov.uk/news/alpha-b")]


# ---------------------------------------------------------------------------------------
# Through the flow, over HTTP


def _site() -> RecordingSite:
    results = [
        {"link": "/news/alpha", "title": "Operation Alpha week of action"},
        {"link": "/news/bravo", "title": "Operation Bravo week of action"},
        {"link": "/news/hostile", "title": "Operation Hostile\u0000 week of action"},
    ]
    listing = json.dumps({"results": results, "total": len(results)}).encode()
    return RecordingSite(
        "127.0.0.1",
        [],
        {
            "/robots.txt": (404, {}, b""),
            "/api/search.json?count=10": (200, {"Content-Type": "application/json"}, listing),
            "/news/alpha": (200, HTML, ALPHA),
            "/news/bravo": (200, HTML, BRAVO),
            "/news/hostile": (
                200,
                {"Content-Type": f"text/html; charset={LONG_CHARSET}", "ETag": NUL_ETAG},
                HOSTILE,
            ),
        },
    )


@pytest.fixture
def hostile_site() -> Iterator[RecordingSite]:
    site = _site()
    yield site
    site.close()


def _sources(site: RecordingSite, tmp_path: Path) -> Path:
    path = tmp_path / "sources.yaml"
    entry = {
        "name": "hostile",
        "kind": "govuk_search",
        "profile": "nca",
        "start_url": f"http://127.0.0.1:{site.port}/api/search.json?count=10",
        "allowed_hosts": ["127.0.0.1"],
        "allow_private_hosts": True,
        "rate_limit": 0,
    }
    path.write_text(yaml.safe_dump({"sources": [entry]}))
    return path


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_a_hostile_page_does_not_cost_its_batch(
    db_url: str, hostile_site: RecordingSite, tmp_path: Path
) -> None:
    """One batch of three pages, one of them with a 60-character charset, a NUL in its
    ETag and its listed title and a breakdown count of 3,000,000,000: every page loads,
    the hostile one cleaned, the others with their exact figures."""
    from flows.etl import etl

    summary = etl(sources_file=str(_sources(hostile_site, tmp_path)), db_url=db_url)
    assert (summary["fetched"], summary["extracted"], summary["failed"]) == (3, 3, 0)

    engine = get_engine(db_url)
    hostile = f"http://127.0.0.1:{hostile_site.port}/news/hostile"
    assert _rows(
        engine,
        "SELECT v.encoding, p.etag, p.listed_title FROM pages p"
        " JOIN page_versions v ON v.page_id = p.id WHERE p.url = :u",
        u=hostile,
    ) == [(LONG_CHARSET[:40], '"v1etag"', "Operation Hostile week of action")]
    assert _figures_by_page(engine) == EXPECTED
    assert _rows(engine, "SELECT offence, count FROM arrest_breakdowns") == [
        ("modern slavery offences", 20)
    ]


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize("stage", ["archive", "load"])
def test_a_forced_failure_of_one_page_is_recorded_for_that_page_only(
    db_url: str,
    hostile_site: RecordingSite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    stage: str,
) -> None:
    """The bravo page fails in its batch's transaction (while archived, or while loaded):
    the run records that page only, loads the others, and the next run loads it."""
    from flows.etl import etl

    bravo = f"http://127.0.0.1:{hostile_site.port}/news/bravo"
    if stage == "archive":
        original_archive = wh.archive

        def archive(conn: Any, source_id: int, result: Any, *args: Any) -> Any:
            if result.url == bravo:
                raise RuntimeError("forced")
            return original_archive(conn, source_id, result, *args)

        monkeypatch.setattr(wh, "archive", archive)
    else:
        original_forces = wh.record_article_forces

        def forces(conn: Any, article_id: int, ex: Extraction, *args: Any) -> Any:
            if ex.article.title == "Operation Bravo week of action":
                raise RuntimeError("forced")
            return original_forces(conn, article_id, ex, *args)

        monkeypatch.setattr(wh, "record_article_forces", forces)

    sources = str(_sources(hostile_site, tmp_path))
    summary = etl(sources_file=sources, db_url=db_url)
    reason = f"cannot {stage}: RuntimeError: forced"
    assert summary["failed"] == 1
    assert [(f["url"], f["reason"]) for f in summary["failures"]] == [(bravo, reason)]
    engine = get_engine(db_url)
    assert _rows(engine, "SELECT url, reason FROM fetch_failures") == [(bravo, reason)]
    assert _figures_by_page(engine) == {"alpha": EXPECTED["alpha"], "hostile": EXPECTED["hostile"]}

    monkeypatch.undo()
    again = etl(sources_file=sources, db_url=db_url)
    assert again["failed"] == 0
    assert _rows(engine, "SELECT url FROM fetch_failures") == []
    assert _figures_by_page(engine) == EXPECTED


# ---------------------------------------------------------------------------------------
# The command line against a warehouse that cannot be written


def _optally(
    tmp_path: Path, *argv: str, script: str | None = None, name: str = "child"
) -> subprocess.Popen[str]:
    """`optally ARGV` in a child process (with ``script`` instead of the plain CLI)."""
    from prefect.settings import PREFECT_API_URL

    code = script or "import sys\nfrom app.cli import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.Popen(
        [sys.executable, "-c", code, *argv],
        cwd=ROOT,
        env=child_env(tmp_path / f"home-{name}", api_url=PREFECT_API_URL.value()),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(child: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = child.communicate(timeout=CHILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
        raise AssertionError(f"child timed out:\n{err[-3000:]}") from None
    return child.returncode, out, err


def _one_error_line(err: str) -> str:
    """The only line of ``err``, which must be optally's one-line error."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("optally: error: "), err[-3000:]
    return lines[0]


def _nothing_lost(before: dict[str, Any], url: str) -> None:
    """Every row ``before`` held is still there, unchanged, and no page, version, article or
    claim was added (a new sources row may be: the run registers its source first)."""
    after = warehouse_content(url)
    for table, rows in before.items():
        missing = [r for r in rows if r not in after[table]]
        assert missing == [], f"{table} lost {missing[:2]}"
        if table != "sources":
            assert after[table] == rows, table


def _read_only(path: Path) -> str:
    return f"sqlite:///file:{path}?mode=ro&uri=true"


# Both runs wait for each other right before migrating, and the migration is slowed down,
# so that without a lock both would create the schema at once.
RACE_CHILD = r"""
import os, sys, time
from pathlib import Path
import alembic.command
import db.engine

original_upgrade, original_alembic = db.engine.upgrade, alembic.command.upgrade

def synchronised(engine):
    here = Path(os.environ["OPTALLY_BARRIER_DIR"])
    (here / str(os.getpid())).touch()
    deadline = time.monotonic() + 60
    while len(list(here.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    return original_upgrade(engine)

def slow(*args, **kwargs):
    time.sleep(0.5)
    return original_alembic(*args, **kwargs)

db.engine.upgrade, alembic.command.upgrade = synchronised, slow
from app.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_two_runs_on_a_fresh_sqlite_file_both_succeed(
    hostile_site: RecordingSite, tmp_path: Path
) -> None:
    """Without the migration lock one of them failed: "table operations already exists"."""
    db = tmp_path / "fresh.db"
    sources = str(_sources(hostile_site, tmp_path))
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    children = []
    for i in range(2):
        from prefect.settings import PREFECT_API_URL

        env = child_env(
            tmp_path / f"home-{i}",
            api_url=PREFECT_API_URL.value(),
            OPTALLY_BARRIER_DIR=str(barrier),
        )
        argv = ["run", "--sources", sources, "--db", f"sqlite:///{db}"]
        children.append(
            subprocess.Popen(
                [sys.executable, "-c", RACE_CHILD, *argv],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    for child in children:
        code, out, err = _finish(child)
        assert code == 0, err[-3000:]
        assert "already exists" not in err
        assert "failed 0" in out, out
    assert _figures_by_page(get_engine(f"sqlite:///{db}")) == EXPECTED
    forget_engine(f"sqlite:///{db}")


@pytest.fixture
def loaded_warehouse(tmp_path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """A SQLite warehouse with two loaded pages, and its content; the engine let go of."""
    path = tmp_path / "warehouse.db"
    url = f"sqlite:///{path}"
    engine = get_engine(url)
    pages = [_extracted(engine, "alpha", ALPHA), _extracted(engine, "bravo", BRAVO)]
    with engine.connect() as conn:
        matches = resolve_batch(conn, pages)
    with engine.begin() as conn:  # as a load batch does, without the page-by-page fallback
        rebuild(conn, wh.load(conn, pages, matches))
    content = warehouse_content(url)
    forget_engine(url)
    yield path, content
    forget_engine(url)


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_run_on_a_read_only_warehouse_is_one_line_and_loses_nothing(
    loaded_warehouse: tuple[Path, dict[str, Any]], hostile_site: RecordingSite, tmp_path: Path
) -> None:
    path, before = loaded_warehouse
    sources = str(_sources(hostile_site, tmp_path))
    code, _out, err = _finish(
        _optally(tmp_path, "run", "--sources", sources, "--db", _read_only(path))
    )
    assert code == 2
    assert "readonly database" in _one_error_line(err)
    _nothing_lost(before, f"sqlite:///{path}")


def test_metrics_reads_a_read_only_warehouse(
    loaded_warehouse: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """Reading needs no write: `metrics` works on a read-only warehouse at head."""
    path, _ = loaded_warehouse
    code, out, err = _finish(
        _optally(tmp_path, "metrics", "--format", "json", "--db", _read_only(path))
    )
    assert code == 0, err
    assert sorted((r["name"], r["arrests"]) for r in json.loads(out)) == [
        ("Operation Alpha", 38),
        ("Operation Bravo", 41),
    ]


def test_metrics_on_a_read_only_file_that_needs_migrating_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()  # an empty database: the schema would have to be created
    code, _out, err = _finish(_optally(tmp_path, "metrics", "--db", _read_only(path)))
    assert code == 2
    line = _one_error_line(err)
    assert "readonly database" in line and "cannot reach" not in line  # it was reached


HOLD_LOCK = r"""
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == "exclusive":
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")  # readers are shut out too
conn.execute("BEGIN EXCLUSIVE")
conn.execute("SELECT COUNT(*) FROM sources").fetchall()
print("held", flush=True)
time.sleep(float(sys.argv[3]))
"""


def _hold_lock(path: Path, mode: str, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), mode, str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_run_on_a_warehouse_locked_past_the_busy_timeout_is_one_line(
    loaded_warehouse: tuple[Path, dict[str, Any]], hostile_site: RecordingSite, tmp_path: Path
) -> None:
    """Another process holds the write lock; the run waits its busy timeout (1 s here,
    the URL's ``timeout``), then stops before anything starts."""
    path, before = loaded_warehouse
    sources = str(_sources(hostile_site, tmp_path))
    holder = _hold_lock(path, "write", 60)
    try:
        started = time.monotonic()
        code, _out, err = _finish(
            _optally(tmp_path, "run", "--sources", sources, "--db", f"sqlite:///{path}?timeout=1")
        )
        took = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert code == 2
    assert "database is locked" in _one_error_line(err)
    assert took < 25  # the 1 s timeout, not the default 30 s
    _nothing_lost(before, f"sqlite:///{path}")


def test_metrics_on_a_warehouse_locked_past_the_busy_timeout_is_one_line(
    loaded_warehouse: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    path, before = loaded_warehouse
    holder = _hold_lock(path, "exclusive", 60)
    try:
        started = time.monotonic()
        code, _out, err = _finish(
            _optally(tmp_path, "metrics", "--db", f"sqlite:///{path}?timeout=1")
        )
        took = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert code == 2
    assert "database is locked" in _one_error_line(err)
    assert took < 25
    _nothing_lost(before, f"sqlite:///{path}")


# Every SQLite connection of the child may grow the file to at most N pages (argv[1]): the
# disk is "full" beyond that, and SQLite fails the write with SQLITE_FULL.
FULL_DISK_CHILD = r"""
import sys
from sqlalchemy import Engine, event

@event.listens_for(Engine, "connect")
def full_disk(dbapi_conn, _record):
    dbapi_conn.execute(f"PRAGMA max_page_count={int(sys.argv[1])}")

from app.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _page_count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(conn.execute("PRAGMA page_count").fetchone()[0])


def test_metrics_on_a_full_disk_is_one_line(tmp_path: Path) -> None:
    """A fresh warehouse whose schema does not fit. The file exists (empty): read-only
    commands create no database, so a missing file would be refused before the disk is."""
    path = tmp_path / "full.db"
    sqlite3.connect(path).close()
    code, _out, err = _finish(
        _optally(tmp_path, "2", "metrics", "--db", f"sqlite:///{path}", script=FULL_DISK_CHILD)
    )
    assert code == 2
    line = _one_error_line(err)
    assert "database or disk is full" in line and "cannot reach" not in line


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_run_on_a_full_disk_is_one_line_and_loses_nothing(
    loaded_warehouse: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """The disk fills while the run archives a large page: the run stops with one error
    line and no traceback, exit 2; what earlier runs committed is untouched, and the next
    run, with room again, loads the page."""
    path, before = loaded_warehouse
    big = article(
        "Operation Bulky week of action",
        ["Officers arrested 17 people during Operation Bulky."]
        + [f"Paragraph {i}: " + "".join(f"{i * j:x}" for j in range(400)) for i in range(200)],
        "24 November 2021",
    )
    site = RecordingSite(
        "127.0.0.1", [], {"/robots.txt": (404, {}, b""), "/news/bulky": (200, HTML, big)}
    )
    try:
        sources = tmp_path / "bulky.yaml"
        entry = {
            "name": "bulky",
            "kind": "urls",
            "profile": "nca",
            "urls": [f"http://127.0.0.1:{site.port}/news/bulky"],
            "allowed_hosts": ["127.0.0.1"],
            "allow_private_hosts": True,
            "rate_limit": 0,
        }
        sources.write_text(yaml.safe_dump({"sources": [entry]}))
        room = _page_count(path) + 4  # a few pages: far less than the page needs
        argv = [str(room), "run", "--sources", str(sources), "--db", f"sqlite:///{path}"]
        code, _out, err = _finish(_optally(tmp_path, *argv, script=FULL_DISK_CHILD, name="full"))
        assert code == 2, err[-3000:]
        assert "Traceback" not in err, err[-3000:]
        last = err.strip().splitlines()[-1]
        assert last.startswith("optally: error: ") and "database or disk is full" in last
        _nothing_lost(before, f"sqlite:///{path}")

        code, out, err = _finish(
            _optally(
                tmp_path,
                "run",
                "--sources",
                str(sources),
                "--db",
                f"sqlite:///{path}",
                name="after",
            )
        )
        assert code == 0, err[-3000:]
        assert "fetched 1 new or changed" in out and "failed 0" in out, out
        forget_engine(f"sqlite:///{path}")
        assert _figures_by_page(get_engine(f"sqlite:///{path}"))["bulky"]["arrests"] == 17
    finally:
        site.close()


# ---------------------------------------------------------------------------------------
# Signs


def test_a_signed_number_becomes_no_figure() -> None:
    """ "-45" is not a count: no figure of value 45, and the victims stay 99."""
    page = article(
        "Operation Minus week of action",
        ["Officers arrested -45 people and safeguarded 99 potential victims during the week."],
        "03 November 2021",
    )
    ex = extract_page(page, url="https://www.nationalcrimeagency.gov.uk/news/minus", profile="nca")
    values = {(f.metric, f.value) for f in ex.result.figures}
    assert all(v != 45 for _, v in values)
    assert ("potential_victims", 99) in values
    assert ("arrests", 45) not in values
