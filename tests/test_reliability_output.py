"""Output safety: scraped text is escaped wherever it is shown, and SQL is parameterised.

tests/test_report.py and tests/test_publish.py check the renderers with hostile rows put
in the warehouse directly; tests/test_warehouse.py stores a hostile title through one load.
Here hostile pages come over HTTP through the whole flow (fetch, extract, resolve, load,
derive, publish) into the Prefect artifacts and `optally report`, on SQLite and PostgreSQL;
and a static check reads every SQL string the code hands to the database.
"""

from __future__ import annotations

import ast
import html
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import inspect, text

from app.cli import main
from db.engine import get_engine
from tests.reliability_helpers import ROOT
from tests.test_reliability_network import RecordingSite

SCRIPT_TITLE = (
    '<script>alert("x")</script><img src=x onerror=alert(1)> | Operation **Bold** '
    "[click](javascript:alert(1)) `code` \\ ~~gone~~ & more | week of action"
)
SQL_TITLE = "'; DROP TABLE figures; -- week of action \" OR 1=1 --"


def article(title: str, arrests: int) -> bytes:
    """An NCA-shaped release whose headline is ``title`` (escaped in the HTML, so the
    extractor reads it back as exactly ``title``)."""
    return (
        "<html><body><div class='item-page'>"
        f"<h1 itemprop='headline'>{html.escape(title)}</h1><div itemprop='articleBody'>"
        f"<p>Officers from 19 forces arrested {arrests} people and safeguarded 99 potential "
        f"victims during the week of action. 55 were referred to the NRM.</p>"
        f"<p><strong>0{arrests % 9 + 1} November 2021</strong></p></div></div></body></html>"
    ).encode()


@pytest.fixture
def hostile_site() -> Iterator[RecordingSite]:
    site = RecordingSite(
        "127.0.0.1",
        [],
        {
            "/robots.txt": (404, {}, b""),
            "/news/script": (200, {"Content-Type": "text/html"}, article(SCRIPT_TITLE, 38)),
            "/news/sql": (200, {"Content-Type": "text/html"}, article(SQL_TITLE, 41)),
        },
    )
    yield site
    site.close()


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs


def md_table_rows(markdown: str) -> list[list[str]]:
    """Cells of each markdown table row, split on the pipes that are not escaped."""
    return [
        re.split(r"(?<!\\)\|", line.strip())[1:-1]
        for line in markdown.splitlines()
        if line.startswith("|")
    ]


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_hostile_titles_through_the_flow_are_text_everywhere(
    db_url: str,
    hostile_site: RecordingSite,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from flows.etl import etl

    base = f"http://127.0.0.1:{hostile_site.port}"
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        yaml.safe_dump(
            {
                "sources": [
                    {
                        "name": "hostile",
                        "kind": "urls",
                        "profile": "nca",
                        "urls": [f"{base}/news/script", f"{base}/news/sql"],
                        "allowed_hosts": ["127.0.0.1"],
                        "allow_private_hosts": True,
                        "rate_limit": 0,
                    }
                ]
            }
        )
    )
    engine = get_engine(db_url)
    tables_before = set(inspect(engine).get_table_names())
    summary = etl(sources_file=str(sources), db_url=db_url)
    assert (summary["fetched"], summary["failed"]) == (2, 0)

    # SQL: stored as the text it is; every table is still there, with its rows.
    with engine.connect() as conn:
        titles = set(conn.execute(text("SELECT title FROM articles")).scalars())
        figures = conn.execute(text("SELECT COUNT(*) FROM figures")).scalar_one()
    assert titles == {SCRIPT_TITLE, SQL_TITLE}
    assert figures >= 6
    assert set(inspect(engine).get_table_names()) == tables_before

    # Artifacts of this run, read back from the Prefect API.
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(limit=1, sort="START_TIME_DESC")  # type: ignore[arg-type]
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[runs[0].id]))
        )
    artifacts = {a.key: a.data for a in found}
    markdown, table = artifacts["optally-run-summary"], json.loads(artifacts["optally-operations"])
    assert SCRIPT_TITLE in [row["title"] for row in table]  # a table cell: data, not markup
    assert "<script" not in markdown and "<img" not in markdown
    assert "&lt;script&gt;" in markdown
    assert not re.search(r"(?<!\\)\]\(", markdown)  # "](" only escaped: no link can form
    rows = md_table_rows(markdown)
    assert rows and len({len(r) for r in rows}) == 1  # no title broke a table row

    # The report: no element or attribute came from the page.
    report = tmp_path / "report.html"
    assert main(["report", "--db", db_url, "--out", str(report)]) == 0
    capsys.readouterr()
    page = report.read_text(encoding="utf-8")
    parsed = Tags()
    parsed.feed(page)
    assert "script" not in parsed.tags and not any(k.startswith("on") for k, _ in parsed.attrs)
    assert not any((v or "").lower().startswith("javascript:") for _, v in parsed.attrs)
    assert html.escape(SCRIPT_TITLE) in page and html.escape(SQL_TITLE) in page


# ---------------------------------------------------------------------------------------
# Static: every SQL string handed to the database is a constant


CODE_DIRS = ("db", "flows", "tasks", "app", "measure")
# Functions that build view definitions from constant metric names (config.metrics,
# domain.records), checked below to be identifiers; calls to them may be executed.
SQL_BUILDERS = {"operation_summary_sql", "operation_metrics_sql", "_without_merged"}
# Functions that put names into SQL from their own literal tuples, audited by hand.
AUDITED = {
    ("db/migrations/versions/0002_auditable_warehouse.py", "_drop_views"): "view names from "
    "literal tuples at each call site"
}
SQL_SINKS = {"text", "exec_driver_sql", "DDL"}


def _constant_name(node: ast.AST) -> bool:
    """A module constant by convention (UPPER_CASE), or an attribute of one."""
    if isinstance(node, ast.Name):
        return node.id.isupper() or node.id.lstrip("_").isupper()
    return isinstance(node, ast.Attribute) and _constant_name(node.value)


def _fixed(node: ast.AST) -> bool:
    """Whether a SQL argument is built from constants only."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return all(
            isinstance(v, ast.Constant) or _constant_name(v.value)  # type: ignore[attr-defined]
            for v in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _fixed(node.left) and (_fixed(node.right) or _constant_name(node.right))
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in SQL_BUILDERS:
            return all(_fixed(a) or _constant_name(a) for a in node.args)
        return False  # .format() and anything else computed
    return _constant_name(node)


def sql_violations(source: str, path: str) -> list[str]:
    """Calls that hand the database SQL text built from something other than constants:
    text(...), exec_driver_sql(...), DDL(...), alembic's op.execute(...) and any
    .execute(...) given a string expression."""
    out: list[str] = []

    class Visitor(ast.NodeVisitor):
        owner = "<module>"

        def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
            outer, self.owner = self.owner, node.name
            self.generic_visit(node)
            self.owner = outer

        def visit_Call(self, node: ast.Call) -> None:
            self.generic_visit(node)
            if not node.args or (path, self.owner) in AUDITED:
                return
            f = node.func
            name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")
            # sa.text / sqlalchemy.text; not matplotlib's ax.text nor a parser's .text
            if (
                name == "text"
                and isinstance(f, ast.Attribute)
                and not (isinstance(f.value, ast.Name) and f.value.id in ("sa", "sqlalchemy"))
            ):
                return
            arg = node.args[0]
            stringy = isinstance(arg, ast.Constant | ast.JoinedStr | ast.BinOp) or (
                isinstance(arg, ast.Call) and getattr(arg.func, "attr", "") == "format"
            )
            alembic = (
                name == "execute"
                and isinstance(f, ast.Attribute)
                and isinstance(f.value, ast.Name)
                and f.value.id == "op"
            )
            if (name in SQL_SINKS or alembic or (name == "execute" and stringy)) and not _fixed(
                arg
            ):
                out.append(f"{path}:{node.lineno} {self.owner}: {ast.unparse(node)[:120]}")

    Visitor().visit(ast.parse(source))
    return out


def test_no_sql_is_built_from_values() -> None:
    found = []
    for d in CODE_DIRS:
        for p in sorted((ROOT / d).rglob("*.py")):
            rel = p.relative_to(ROOT).as_posix()
            found += sql_violations(p.read_text(encoding="utf-8"), rel)
    assert found == []


def test_the_static_check_catches_sql_built_from_values() -> None:
    bad = """
def f(conn, title, n):
    conn.execute(text(f"SELECT * FROM articles WHERE title = '{title}'"))
    conn.exec_driver_sql("DELETE FROM pages WHERE id = %s" % n)
    conn.execute("SELECT {}".format(n))
    op.execute("DROP VIEW " + title)
    conn.execute(text(query_from_elsewhere))
"""
    good = """
LOCK = 7
def g(conn, title):
    conn.execute(text("SELECT * FROM articles WHERE title = :t"), {"t": title})
    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK})")
    op.execute(operation_summary_sql(FIGURE_METRICS))
    conn.execute(select(ARTICLES).where(ARTICLES.c.title == title))
"""
    assert len(sql_violations(bad, "bad.py")) == 5
    assert sql_violations(good, "good.py") == []


def test_view_builders_only_ever_see_identifiers() -> None:
    """The allow-listed builders interpolate metric names; each one is an identifier."""
    from config.metrics import DERIVED_METRICS
    from domain.records import METRICS

    names: list[Any] = [*METRICS, *(getattr(d, "name", d) for d in DERIVED_METRICS)]
    assert names and all(re.fullmatch(r"[a-z][a-z0-9_]*", str(n)) for n in names)
    calls = []
    for p in sorted((ROOT / "db").rglob("*.py")):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in SQL_BUILDERS:
                calls.append(node)
                assert all(_fixed(a) or _constant_name(a) for a in node.args), ast.unparse(node)
    assert calls  # the migrations do call them
