"""Failures are loud, and the small things a new user hit (issue 14).

- A run that reads no source ends Failed (exit 1) and names each URL and reason; a run
  that reads some sources succeeds and counts and names the others' failures.
- `run --only` with an unknown name and `--since` after `--until` are one-line errors;
  `--since` applies to a URL list's pages by their own date.
- A database that is not one, or does not exist, is one line; read-only commands create
  nothing; no command creates a missing directory (but the default's own data/).
- `extract` refuses empty, binary and non-HTML files; output into a closed pipe ends quietly.
- `make ui PORT=...`, a quiet install and dask run, a table as wide as the terminal,
  `metrics --format json` with title and published, `operations list` with page URLs.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from sqlalchemy import text

from app.cli import main
from config.settings import get_settings
from db.engine import dispose_all, get_engine

ROOT = Path(__file__).resolve().parent.parent
NEWS = "/news/thirty-eight-arrested-in-uk-wide-child-trafficking-week-of-action"
LOCAL_NEWS = "/local-news/child-trafficking-week-just-two-arrests-per-force"
COUNTY_NEWS = "/local-news/county-lines-week-1468-arrests"
PHISHING = "/news/phishing-service-used-by-thousands-of-criminals-taken-down"
SEED_TITLE = (
    "Thirty eight arrested and 99 potential victims identified in UK-wide child "
    "trafficking week of action"
)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_sources(path: Path, sources: list[dict[str, Any]]) -> str:
    common = {"rate_limit": 0, "allowed_hosts": ["127.0.0.1"], "profile": "nca"}
    path.write_text(yaml.safe_dump({"sources": [{**common, **s} for s in sources]}))
    return str(path)


@pytest.fixture
def one_attempt(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """One attempt and short timeouts: a refused connection fails at once."""
    for name, value in {
        "OPTALLY_CONNECT_TIMEOUT": "1",
        "OPTALLY_READ_TIMEOUT": "2",
        "OPTALLY_MAX_ATTEMPTS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


# ---------------------------------------------------------------------------
# 1. A run that reads no source fails, and says why


def _failing_sources(tmp_path: Path, site: Any) -> tuple[str, str, str]:
    """A listing whose server refuses connections, and one on a private address that its
    source does not allow."""
    refused = f"http://127.0.0.1:{closed_port()}/news"
    private = f"{site.base_url}/news"
    sources = write_sources(
        tmp_path / "sources.yaml",
        [
            {"name": "refused", "kind": "listing", "start_url": refused,
             "allow_private_hosts": True},
            {"name": "private", "kind": "listing", "start_url": private},
        ],
    )  # fmt: skip
    return sources, refused, private


PRIVATE_REASON = (
    "private address refused (set allow_private_hosts: true on source 'private' to allow it)"
)
# The fetcher asks for robots.txt first, and a host whose robots.txt cannot be reached at
# all is not asked for anything else.
REFUSED_REASON = (
    "robots.txt unreachable (connection error: Connection refused): host disallowed for this run"
)


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness", "one_attempt")
def test_a_run_whose_every_source_fails_exits_1_and_names_each_url_and_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, sample_site: Any
) -> None:
    sources, refused, private = _failing_sources(tmp_path, sample_site)
    code, out, err = cli(capsys, "run", "--sources", sources, "--db", f"sqlite:///{tmp_path}/w.db")

    assert code == 1
    assert out.splitlines() == [
        "discovered 0, fetched 0 new or changed, 0 not modified, 0 unchanged, extracted 0 "
        "(0 off-topic), operations touched 0, failed 0, discovery failed 2",
        f"  discovery failed: refused: {refused}: {REFUSED_REASON} (status None, 0 attempt(s))",
        f"  discovery failed: private: {private}: {PRIVATE_REASON} (status None, 0 attempt(s))",
    ]
    assert err.splitlines()[-1] == (
        f"optally: error: no source could be read: refused: {refused}: {REFUSED_REASON}; "
        f"private: {private}: {PRIVATE_REASON}"
    )
    assert "Traceback" not in err
    assert sample_site.requests == []  # the private address was never asked


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness", "one_attempt")
def test_a_flow_run_that_reads_no_source_ends_failed_in_prefect(
    tmp_path: Path, sample_site: Any
) -> None:
    from flows.etl import NothingRead, etl

    sources, refused, private = _failing_sources(tmp_path, sample_site)
    state = etl(sources_file=sources, db_url=f"sqlite:///{tmp_path}/w.db", return_state=True)

    assert state.is_failed()
    assert state.message == (
        "Flow run encountered an exception: NothingRead: no source could be read: "
        f"refused: {refused}: {REFUSED_REASON}; private: {private}: {PRIVATE_REASON}"
    )
    with pytest.raises(NothingRead) as caught:
        state.result()
    summary = caught.value.summary
    assert (summary["failed"], summary["discovery_failed"]) == (0, 2)
    assert summary["unread_sources"] == ["refused", "private"]
    assert [(f["source"], f["url"]) for f in summary["discovery_failures"]] == [
        ("refused", refused),
        ("private", private),
    ]


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness", "one_attempt")
def test_a_run_where_one_source_works_succeeds_and_names_the_other_failure(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, sample_site: Any
) -> None:
    refused = f"http://127.0.0.1:{closed_port()}/news"
    sources = write_sources(
        tmp_path / "sources.yaml",
        [
            {"name": "refused", "kind": "listing", "start_url": refused,
             "allow_private_hosts": True},
            {"name": "news", "kind": "urls", "profile": "generic", "allow_private_hosts": True,
             "urls": [sample_site.base_url + LOCAL_NEWS]},
        ],
    )  # fmt: skip
    code, out, err = cli(capsys, "run", "--sources", sources, "--db", f"sqlite:///{tmp_path}/w.db")

    assert code == 0, err
    assert out.splitlines() == [
        "discovered 1, fetched 1 new or changed, 0 not modified, 0 unchanged, extracted 1 "
        "(0 off-topic), operations touched 1, failed 0, discovery failed 1",
        f"  discovery failed: refused: {refused}: {REFUSED_REASON} (status None, 0 attempt(s))",
    ]
    assert "optally: error" not in err


def test_the_run_summary_artifact_counts_and_lists_discovery_failures() -> None:
    from db.report_queries import ReportData
    from tasks.publish import summary_markdown

    reason = "private address refused (set allow_private_hosts: true on source 'nca' to allow it)"
    summary = {
        "discovered": 0, "fetched": 0, "not_modified": 0, "unchanged": 0, "extracted": 0,
        "irrelevant": 0, "operations_touched": 0, "failed": 0, "failures": [],
        "discovery_failed": 2,
        "discovery_failures": [
            {"source": "nca", "url": "http://10.0.0.1/news", "reason": reason, "status": None,
             "attempts": 0},
            {"source": "feed", "url": "https://a.test/feed", "reason": "http 503", "status": 503,
             "attempts": 3},
        ],
        "sources": 3, "unread_sources": ["nca", "feed"],
    }  # fmt: skip
    md = summary_markdown(ReportData([], {}), summary)
    assert md.startswith(
        "# optally run\n\ndiscovered 0, fetched new or changed 0, not modified 0, unchanged 0, "
        "extracted 0, off-topic 0, operations touched 0, failed 0, discovery failed 2\n\n"
        "**Sources not read** (2 of 3): nca, feed\n\n"
    )
    assert md.endswith(
        "## Discovery failures (2)\n\n"
        "- nca: http://10.0.0.1/news: private address refused (set allow\\_private\\_hosts: "
        "true on source 'nca' to allow it) (0 attempt(s))\n"
        "- feed: https://a.test/feed: http 503 (status 503, 3 attempt(s))\n"
    )
    every = summary_markdown(ReportData([], {}), {**summary, "sources": 2})
    assert "\n**No source could be read** (2 of 2): nca, feed\n" in every


# ---------------------------------------------------------------------------
# 2. --only, --since and --until


def test_run_only_with_an_unknown_name_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sources = write_sources(
        tmp_path / "sources.yaml",
        [{"name": "nca", "kind": "listing", "start_url": "http://127.0.0.1/news"},
         {"name": "off", "kind": "listing", "start_url": "http://127.0.0.1/x", "enabled": False}],
    )  # fmt: skip
    db = tmp_path / "w.db"
    code, out, err = cli(
        capsys,
        "run",
        "--sources",
        sources,
        "--only",
        "nca",
        "nac",
        "off",
        "--db",
        f"sqlite:///{db}",
    )
    assert (code, out) == (2, "")
    assert err == (
        f"optally: error: unknown source(s) 'nac', 'off'; the enabled sources in {sources} "
        "are: nca\n"
    )
    code, _, err = cli(
        capsys, "run", "--sources", sources, "--schedule", "daily", "--only", "x", "--db",
        f"sqlite:///{db}",
    )  # fmt: skip
    assert (code, err) == (
        2,
        f"optally: error: unknown daily source(s) 'x'; the daily sources in {sources} are: nca\n",
    )
    assert not db.exists()


def test_since_after_until_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    code, out, err = cli(
        capsys, "run", "--since", "2024-02-01", "--until", "2024-01-31", "--db", f"sqlite:///{db}"
    )
    assert (code, out, err) == (
        2,
        "",
        "optally: error: --since 2024-02-01 is after --until 2024-01-31\n",
    )
    assert not db.exists()


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_since_applies_to_the_pages_of_a_url_list_by_their_own_date(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, sample_site: Any
) -> None:
    base = sample_site.base_url
    sources = write_sources(
        tmp_path / "sources.yaml",
        [{"name": "list", "kind": "urls", "profile": "generic", "allow_private_hosts": True,
          "official": False,
          "urls": [base + LOCAL_NEWS, base + COUNTY_NEWS, base + PHISHING, base + NEWS]}],
    )  # fmt: skip
    url = f"sqlite:///{tmp_path}/w.db"

    def loaded() -> set[str]:
        with get_engine(url).connect() as conn:
            return set(conn.execute(text("SELECT url FROM articles")).scalars())

    # Dated 2021-11-09, 2021-10-21 and 2023-03-02 (the generic profile finds no date on the
    # fourth): the second is before --since, the third after --until, and neither is
    # loaded; the undated page is kept, as nothing rules it out.
    code, out, err = cli(
        capsys, "run", "--sources", sources, "--db", url, "--since", "2021-11-01",
        "--until", "2022-12-31",
    )  # fmt: skip
    assert code == 0, err
    assert loaded() == {base + LOCAL_NEWS, base + NEWS}
    assert out.splitlines()[1:] == [
        "  warning: list: 2 page(s) left out: published outside the run's dates (since, until)"
    ]
    # Left out, not marked read: a run without the dates loads them.
    code, _, err = cli(capsys, "run", "--sources", sources, "--db", url)
    assert code == 0, err
    assert loaded() == {base + LOCAL_NEWS, base + COUNTY_NEWS, base + PHISHING, base + NEWS}


# ---------------------------------------------------------------------------
# 3. Databases that are not one, or are not there


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"hello, I am a text file\n", id="text"),
        pytest.param(b"SQLite format 3\x00" + b"\x01" * 200, id="truncated-sqlite"),
    ],
)
@pytest.mark.parametrize("command", ["metrics", "run", "demo"])
@pytest.mark.usefixtures("prefect_harness")
def test_a_file_that_is_not_a_database_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, content: bytes
) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    argv = [command, "--db", f"sqlite:///{path}"]
    if command == "run":
        argv += ["--sources", write_sources(tmp_path / "s.yaml", [
            {"name": "x", "kind": "listing", "start_url": "http://127.0.0.1/news"}])]  # fmt: skip
    code, out, err = cli(capsys, *argv)
    assert (code, out, err) == (
        2,
        "",
        f"optally: error: cannot open database sqlite:///{path}: file is not a database\n",
    )
    assert path.read_bytes() == content


def test_a_sqlite_file_of_another_program_is_refused_and_left_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import sqlite3

    path = tmp_path / "notes.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    code, out, err = cli(capsys, "metrics", "--db", f"sqlite:///{path}")
    assert (code, out, err) == (
        2,
        "",
        f"optally: error: sqlite:///{path} is not an optally warehouse: it holds other "
        "tables (notes)\n",
    )
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
    assert tables == ["notes"]


READ_ONLY = [
    pytest.param(["metrics"], id="metrics"),
    pytest.param(["metrics", "--format", "json"], id="metrics-json"),
    pytest.param(["report", "--out", "{tmp}/r.html"], id="report"),
    pytest.param(["export", "--out", "{tmp}/export"], id="export"),
    pytest.param(["operations", "list"], id="operations-list"),
]


@pytest.mark.parametrize("argv", READ_ONLY)
@pytest.mark.parametrize("where", ["missing-file", "missing-directory"])
def test_read_only_commands_on_a_missing_database_say_so_and_create_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], where: str
) -> None:
    db = tmp_path / "w.db" if where == "missing-file" else tmp_path / "no" / "such" / "w.db"
    before = sorted(tmp_path.rglob("*"))
    full = [a.format(tmp=tmp_path) for a in argv]
    if full[0] == "operations":
        full += ["--db", f"sqlite:///{db}"]
    else:
        full[1:1] = ["--db", f"sqlite:///{db}"]
    code, out, err = cli(capsys, *full)
    assert (code, out, err) == (
        2,
        "",
        f"optally: error: no database at {db} (`optally run` or `optally demo` creates one)\n",
    )
    assert sorted(tmp_path.rglob("*")) == before  # no file, no directory


def test_run_into_a_missing_directory_names_it_and_creates_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sources = write_sources(
        tmp_path / "s.yaml", [{"name": "x", "kind": "listing", "start_url": "http://127.0.0.1/n"}]
    )
    db = tmp_path / "typo" / "w.db"
    code, out, err = cli(capsys, "run", "--sources", sources, "--db", f"sqlite:///{db}")
    assert (code, out, err) == (
        2,
        "",
        f"optally: error: cannot create database sqlite:///{db}: {db.parent} does not exist\n",
    )
    assert not db.parent.exists()


def test_only_the_default_database_directory_is_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make demo` on a fresh clone: data/ is created for the default data/optally.db, in
    the working directory, and no other missing directory is."""
    from db.engine import DatabaseError

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPTALLY_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    dispose_all()  # an engine for the default URL made elsewhere would be reused
    try:
        get_engine(None)
        assert (tmp_path / "data" / "optally.db").is_file()
        with pytest.raises(DatabaseError, match=r"elsewhere does not exist$"):
            get_engine("sqlite:///elsewhere/optally.db")
        assert not (tmp_path / "elsewhere").exists()
    finally:
        dispose_all()
        get_settings.cache_clear()


# ---------------------------------------------------------------------------
# 4. extract on what is not a page; output into a closed pipe


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param(b"", "is empty", id="empty"),
        pytest.param(b"  \n\n\t", "is empty", id="blank"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "is not an HTML page (binary data)", id="png"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\x00", "is not an HTML page (binary data)", id="pdf"),
        pytest.param(b"Operation Aidant: 38 arrests, 99 victims.\n", "is not an HTML page (no HTML markup)", id="text"),
        pytest.param(b'{"title": "38 arrested"}', "is not an HTML page (no HTML markup)", id="json"),
    ],
)  # fmt: skip
def test_extract_refuses_what_is_not_an_html_page(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(content)
    for fmt in ("json", "table"):
        code, out, err = cli(capsys, "extract", str(path), "--format", fmt)
        assert (code, out, err) == (2, "", f"optally: error: {path} {problem}\n")


def test_extract_still_reads_a_fragment_and_a_utf16_page(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fragment = tmp_path / "fragment.html"
    fragment.write_text("<p>Officers arrested 12 people during the week of action.</p>")
    utf16 = tmp_path / "utf16.html"
    utf16.write_bytes(
        "<html><head><title>Twelve arrested</title></head><body><p>x</p></body></html>".encode(
            "utf-16"
        )
    )
    for path in (fragment, utf16):
        code, out, err = cli(capsys, "extract", str(path))
        assert (code, err) == (0, ""), path
        assert set(json.loads(out)) >= {"title", "figures"}


def _into_a_closed_pipe(argv: list[str], cwd: Path) -> tuple[int, str]:
    """Run optally with stdout a pipe whose reader has already gone (`| head` that ended)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPTALLY_")}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "app.cli", *argv],
            stdout=write_end,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env={**env, "PYTHONPATH": str(ROOT)},
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    return proc.returncode, proc.stderr.decode()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Iterator[Any]:
    """The sample site crawled into a SQLite warehouse, shared by the read-only tests."""
    from app.demo import write_demo_sources
    from app.sample_server import SampleSite
    from flows.etl import etl

    tmp = tmp_path_factory.mktemp("loud")
    with SampleSite() as site:
        url = f"sqlite:///{tmp / 'w.db'}"
        etl(sources_file=str(write_demo_sources(site, tmp)), db_url=url)
    yield SimpleNamespace(url=url)


@pytest.mark.flow
@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["extract", "app/sample_site/articles/{seed}.html"], id="extract-json"),
        pytest.param(["extract", "app/sample_site/articles/{seed}.html", "--format", "table"], id="extract-table"),
        pytest.param(["metrics", "--format", "json", "--db", "{db}"], id="metrics-json"),
        pytest.param(["metrics", "--db", "{db}"], id="metrics-table"),
        pytest.param(["operations", "list", "--db", "{db}"], id="operations-list"),
    ],
)  # fmt: skip
def test_output_into_a_closed_pipe_ends_quietly(warehouse: Any, argv: list[str]) -> None:
    seed = "thirty-eight-arrested-in-uk-wide-child-trafficking-week-of-action"
    full = [a.format(seed=seed, db=warehouse.url) for a in argv]
    code, err = _into_a_closed_pipe(full, ROOT)
    assert (code, err) == (1, "")


# ---------------------------------------------------------------------------
# 5. make ui PORT=...


def test_the_ui_server_is_told_the_port_in_use(monkeypatch: pytest.MonkeyPatch) -> None:
    """`make ui PORT=4377` starts `prefect server` with an environment in which Prefect
    gives its UI the API URL of that port, even when the shell or the profile points
    PREFECT_API_URL at :4200 (the UI then showed "can't connect to Server API")."""
    import signal

    from app import serve

    started: list[dict[str, str]] = []

    def start_server(host: str, port: int, env: dict[str, str]) -> object:
        started.append(env)
        return object()

    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    monkeypatch.setattr(serve, "healthy", lambda url, timeout=2.0: False)
    monkeypatch.setattr(serve, "_start_server", start_server)
    monkeypatch.setattr(serve, "_wait_healthy", lambda server, url, limit=120: False)
    monkeypatch.setattr(serve, "_stop", lambda proc, name, grace: None)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        assert serve.main(["ui", "--port", "4377"]) == 1
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    probe = (
        "from prefect.settings import PREFECT_UI_API_URL, PREFECT_API_URL, "
        "PREFECT_SERVER_API_PORT; print(PREFECT_UI_API_URL.value(), PREFECT_API_URL.value(), "
        "PREFECT_SERVER_API_PORT.value())"
    )
    (env,) = started
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout
    url = "http://127.0.0.1:4377/api"
    assert out.split() == [url, url, "4377"]


def test_make_ui_takes_a_port() -> None:
    def command(*extra: str) -> str:
        out = subprocess.run(
            ["make", "-n", "-W", "pyproject.toml", "ui", *extra],  # -W: print, never install
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return next(line for line in out.splitlines() if "app.serve" in line).strip()

    assert command("PORT=4377") == ".venv/bin/python -m app.serve ui --port 4377"
    assert command() == ".venv/bin/python -m app.serve ui --port 4200"
    assert command("PORT=4377", "SERVE_ARGS=--db sqlite:///x.db") == (
        ".venv/bin/python -m app.serve ui --port 4377 -- --db sqlite:///x.db"
    )


@pytest.mark.slow
def test_the_ui_on_another_port_asks_the_api_on_that_port(tmp_path: Path) -> None:
    from app.serve import _start_server, _stop, _wait_healthy, server_env

    port = closed_port()
    env = {**server_env("127.0.0.1", port), "PREFECT_HOME": str(tmp_path)}
    server = _start_server("127.0.0.1", port, env)
    try:
        assert _wait_healthy(server, f"http://127.0.0.1:{port}/api", limit=120)
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ui-settings", timeout=10) as r:
            settings = json.load(r)
        assert settings["api_url"] == f"http://127.0.0.1:{port}/api"
    finally:
        _stop(server, "prefect server", 30)


# ---------------------------------------------------------------------------
# 6. Quiet install, quiet dask, a table as wide as the terminal


def test_the_package_configuration_gives_setuptools_nothing_to_warn_about() -> None:
    """`project.license` as a TOML table is deprecated (an SPDX string instead), and each
    importable folder of package data must be a declared package, else setuptools prints
    a page of warnings for each on every install (`make demo`)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "MIT"
    packages = set(project["tool"]["setuptools"]["packages"])
    for package, patterns in project["tool"]["setuptools"]["package-data"].items():
        base = ROOT / package.replace(".", "/")
        for pattern in patterns:
            for path in base.glob(pattern):
                folder = path.parent.relative_to(ROOT)
                if all(part.isidentifier() for part in folder.parts):
                    assert ".".join(folder.parts) in packages, folder


@pytest.mark.flow
@pytest.mark.slow  # starts a Dask LocalCluster in a process of its own (21 s)
def test_a_dask_run_prints_no_distributed_chatter(
    prefect_harness: None, tmp_path: Path, sample_site: Any
) -> None:
    """`optally run --task-runner dask` as a user runs it, in a process of its own (its
    LocalCluster's workers write to the same stderr): the summary, no `distributed` line."""
    pytest.importorskip("prefect_dask")
    from prefect.settings import PREFECT_API_URL

    sources = write_sources(
        tmp_path / "sources.yaml",
        [{"name": "news", "kind": "urls", "profile": "generic", "allow_private_hosts": True,
          "urls": [sample_site.base_url + LOCAL_NEWS]}],
    )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "OPTALLY_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_API_URL=str(PREFECT_API_URL.value()),  # the harness: no server to boot
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )
    db = f"sqlite:///{tmp_path}/w.db"
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli", "run", "--sources", sources, "--db", db,
         "--task-runner", "dask"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("discovered 1, fetched 1 new or changed,")
    # Lines of the distributed (and tornado) loggers, in Prefect's format or their own;
    # Prefect's one line saying it creates the cluster is not theirs.
    chatter = [
        line
        for line in proc.stderr.splitlines()
        if re.search(r"(^|\| |- )(distributed|tornado)[.\w]* -|CommClosedError", line)
    ]
    assert chatter == []


def _tables(out: str) -> list[tuple[list[str], list[list[str]]]]:
    """Each rich table printed: its headings and its rows, as stripped cells."""

    def cells(line: str, bar: str) -> list[str]:
        return [c.strip() for c in line.strip().strip(bar).split(bar)]

    tables: list[tuple[list[str], list[list[str]]]] = []
    for line in out.splitlines():
        if line.lstrip().startswith("┃"):
            tables.append((cells(line, "┃"), []))
        elif line.lstrip().startswith("│"):
            tables[-1][1].append(cells(line, "│"))
    return tables


@pytest.mark.flow
def test_the_metrics_table_is_as_wide_as_the_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, warehouse: Any
) -> None:
    """A terminal 100 characters wide: names are cut, figures never; the figures that do not
    fit go on in further tables that repeat the id and the operation."""
    monkeypatch.setenv("COLUMNS", "100")
    code, out, _ = cli(capsys, "metrics", "--db", warehouse.url)
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 100
    tables = _tables(out)
    assert [headings for headings, _ in tables] == [
        ["id", "operation", "lead", "published", "src", "arrests", "victims", "forces", "days",
         "NRM"],
        ["id", "operation", "intl arr", "arr/force", "arr/force/day", "NRM rate", "unreferred"],
        ["id", "operation", "UK share intl arr"],
    ]  # fmt: skip
    seed = [next(r for r in rows if r[1] == "Thirty eight ar…") for _, rows in tables]
    assert [r[2:] for r in seed] == [
        ["NCA", "2021-11-05", "2", "38", "99", "19", "7", "55"],
        ["175", "2.0", "0.29", "55.6 %", "44"],
        ["21.7 %"],
    ]
    assert all(len(rows) == 9 for _, rows in tables)

    # Into a file or a pipe, without $COLUMNS: one table at its natural width, every heading
    # and figure whole (names over the operation column's 40 characters end in an ellipsis).
    monkeypatch.delenv("COLUMNS")
    code, out, _ = cli(capsys, "metrics", "--db", warehouse.url)
    assert code == 0
    ((headings, rows),) = _tables(out)
    assert headings == [
        "id", "operation", "lead", "published", "src", "arrests", "victims", "forces", "days",
        "NRM", "intl arr", "arr/force", "arr/force/day", "NRM rate", "unreferred",
        "UK share intl arr",
    ]  # fmt: skip
    seed = next(r for r in rows if r[1].startswith("Thirty eight"))
    assert seed[1:] == [
        "Thirty eight arrested and 99 potential …", "NCA", "2021-11-05", "2", "38", "99", "19",
        "7", "55", "175", "2.0", "0.29", "55.6 %", "44", "21.7 %",
    ]  # fmt: skip


# ---------------------------------------------------------------------------
# 7. metrics --format json: title and published; operations list: page URLs


@pytest.mark.flow
def test_metrics_json_names_each_operation_by_its_first_official_page(
    capsys: pytest.CaptureFixture[str], warehouse: Any
) -> None:
    from config.metrics import ALL_DERIVED_NAMES
    from db.queries import FIGURE_COLUMNS

    code, out, _ = cli(capsys, "metrics", "--format", "json", "--db", warehouse.url)
    assert code == 0
    rows = json.loads(out)
    contract = [
        "id", "name", "lead_agency", "theme", "start_date", "end_date", "sources",
        *FIGURE_COLUMNS, *ALL_DERIVED_NAMES,
    ]  # fmt: skip
    assert [list(r) for r in rows] == [[*contract[:2], "title", "published", *contract[2:]]] * 9
    seed = next(r for r in rows if r["title"] == SEED_TITLE)
    # The NCA release of 2021-11-05, not the local news story of 2021-11-09 about it.
    assert (seed["published"], seed["sources"], seed["arrests"]) == ("2021-11-05", 2, 38)
    assert all(r["title"] and r["published"] for r in rows if r["title"] != SEED_TITLE)


@pytest.mark.flow
def test_operations_list_shows_each_operations_page_urls(
    capsys: pytest.CaptureFixture[str], warehouse: Any
) -> None:
    code, out, _ = cli(capsys, "operations", "list", "--format", "json", "--db", warehouse.url)
    assert code == 0
    ops = json.loads(out)
    # The pages' own origin: the sample site's, or the canonical one its pages declare.
    (origin,) = {url.split("/")[2] for o in ops for url in o["urls"]}
    base = f"{ops[0]['urls'][0].split('/')[0]}//{origin}"
    seed = next(o for o in ops if o["title"] == SEED_TITLE)
    assert seed["urls"] == [base + LOCAL_NEWS, base + NEWS]
    assert sum(len(o["urls"]) for o in ops) == 11 and all(len(o["urls"]) == o["pages"] for o in ops)

    code, out, _ = cli(capsys, "operations", "list", "--db", warehouse.url)
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.endswith(SEED_TITLE))
    assert lines[at].split()[0] == str(seed["id"])
    assert lines[at + 1 : at + 3] == [
        f"      page {base + LOCAL_NEWS}",
        f"      page {base + NEWS}",
    ]
    assert sum(1 for line in lines if line.startswith("      page ")) == 11
