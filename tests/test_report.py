"""The HTML report: queries on SQLite and PostgreSQL, pure rendering, escaping, the CLI.

``build_warehouse`` (also used by the export, publish and browser tests) loads a
small warehouse through the real ``db.load`` functions: the seed operation with a
news story that disagrees on arrests, a county-lines operation with a bound and a
failed check, and an operation whose title, evidence and publisher are hostile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import Engine

from config.metrics import DERIVED_METRICS
from db import load as wh
from db.engine import get_engine
from db.queries import metrics_rows
from db.report_queries import ReportData, load_report_data, nrm_quarter_totals
from domain.records import Article, BreakdownItem, Extraction, Figure, FigureResult, OperationFacts
from tasks.derive import rebuild
from tasks.report import METHOD_NOTES, esc, fmt_metric, render_report, safe_url
from tasks.resolve import resolve

ROOT = Path(__file__).resolve().parents[1]
NCA = "https://www.nationalcrimeagency.gov.uk/news"
HOSTILE_TITLE = "<script>window.__pwned=1</script>Operation X"
HOSTILE_EVIDENCE = (
    '12 people were arrested "><img src=x onerror=alert(1)> | `code` [link](javascript:alert(1))'
)
HOSTILE_PUBLISHER = "Evil | `Pub` <b>bold</b>"
JS_URL = "javascript:alert(document.domain)"


@dataclass(frozen=True)
class SrcStub:
    """What db.load.register_sources reads of a configured source."""

    name: str
    official: bool
    kind: str = "listing"
    profile: str = "nca"
    start_url: str = NCA


@dataclass
class PageSpec:
    url: str
    title: str
    published: date
    figures: list[tuple[str, str, float, str, str]]  # scope, metric, value, qualifier, evidence
    name: str | None = None
    theme: str | None = "child_exploitation"
    lead: str | None = "NCA"
    official: bool = True
    publisher: str | None = "National Crime Agency"
    breakdown: list[tuple[str, int]] = field(default_factory=list)


def seed_page() -> PageSpec:
    e = "evidence"
    return PageSpec(
        f"{NCA}/aidant-2021",
        "Child trafficking week of action sees 38 arrests",
        date(2021, 11, 5),
        [
            ("operation", "arrests", 38, "exact", "THIRTY eight people have been arrested."),
            (
                "operation",
                "potential_victims",
                99,
                "exact",
                "99 potential victims were identified.",
            ),
            ("operation", "victims_children", 72, "exact", "72 of them were children."),
            ("operation", "victims_adults", 27, "exact", f"27 adults ({e})."),
            ("operation", "forces_involved", 19, "exact", "Nineteen forces took part."),
            ("operation", "duration_days", 7, "exact", "The week ran for seven days."),
            ("operation", "new_investigations", 51, "exact", "51 new investigations were opened."),
            ("operation", "nrm_referrals", 55, "exact", "55 were referred to the NRM."),
            ("international", "arrests", 175, "exact", "175 arrests across Europe."),
            (
                "international",
                "potential_victims",
                187,
                "exact",
                "187 potential victims in Europe.",
            ),
            ("force", "potential_victims", 5, "exact", "Police Scotland safeguarded five."),
        ],
        name="Operation Aidant",
        breakdown=[
            ("child criminal and drug related exploitation", 18),
            ("sexual exploitation", 11),
        ],
    )


def news_page() -> PageSpec:
    return PageSpec(
        "https://news.example/aidant-story",
        "Forty arrested in national crackdown",
        date(2021, 11, 6),
        [
            ("operation", "arrests", 40, "exact", "Forty people were arrested, police said."),
            ("operation", "forces_involved", 19, "exact", "19 forces were involved."),
        ],
        name="Operation Aidant",
        official=False,
        publisher="Local News",
    )


def county_lines_page() -> PageSpec:
    return PageSpec(
        f"{NCA}/county-lines-2022",
        "More than 25 arrests in county lines week",
        date(2022, 10, 14),
        [
            ("operation", "arrests", 25, "more_than", "More than 25 people were arrested."),
            ("operation", "forces_involved", 19, "exact", "19 forces took part."),
            ("operation", "duration_days", 5, "exact", "Over five days."),
            ("operation", "potential_victims", 10, "exact", "10 potential victims."),
            ("operation", "victims_children", 8, "exact", "Eight children."),
            ("operation", "victims_adults", 5, "exact", "Five adults."),
        ],
        name="Operation Orochi",
        theme="county_lines",
    )


def county_lines_news_page() -> PageSpec:
    """Agrees on forces, disagrees on arrests: a conflict on the county-lines operation."""
    return PageSpec(
        "https://news.example/county-lines",
        "Thirty held in county lines swoop",
        date(2022, 10, 15),
        [
            ("operation", "arrests", 30, "exact", "Thirty people were held."),
            ("operation", "forces_involved", 19, "exact", "Nineteen forces."),
        ],
        name="Operation Orochi",
        theme="county_lines",
        official=False,
        publisher="Local News",
    )


def hostile_pages() -> list[PageSpec]:
    figs = [
        ("operation", "arrests", 12, "exact", HOSTILE_EVIDENCE),
        ("operation", "forces_involved", 4, "exact", "Four forces."),
        ("operation", "duration_days", 7, "exact", "A week."),
        ("operation", "potential_victims", 6, "exact", "Six potential victims."),
        ("operation", "nrm_referrals", 3, "exact", "Three referrals."),
    ]
    return [
        PageSpec('https://news.example/x?a=1&b="2"', HOSTILE_TITLE, date(2022, 3, 1), figs,
                 publisher=HOSTILE_PUBLISHER),
        PageSpec(JS_URL, "Operation X follow-up", date(2022, 3, 2),
                 [("operation", "arrests", 12, "exact", "Twelve arrests.")], official=False,
                 publisher="Follow-up"),
    ]  # fmt: skip


def standard_pages() -> list[PageSpec]:
    return [seed_page(), news_page(), county_lines_page(), *hostile_pages()]


def _extraction(p: PageSpec) -> Extraction:
    figures = tuple(
        Figure(scope, metric, value, qual, ev, (0, len(ev)),
               subject="Police Scotland" if scope == "force" else None)
        for scope, metric, value, qual, ev in p.figures
    )  # fmt: skip
    return Extraction(
        Article(p.url, p.title, p.published, p.publisher, "body"),
        FigureResult(
            figures,
            tuple(BreakdownItem(o, c) for o, c in p.breakdown),
            OperationFacts(name=p.name, lead_agency=p.lead, theme=p.theme),
        ),
    )


@dataclass
class _Fetched:
    url: str
    body: bytes
    fetched_at: datetime
    status: int = 200
    not_modified: bool = False
    content_type: str = "text/html"
    encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def final_url(self) -> str:
        return self.url

    @property
    def content_hash(self) -> str:
        import hashlib

        return hashlib.sha256(self.body).hexdigest()


def build_warehouse(db_url: str, pages: list[PageSpec] | None = None) -> Engine:
    """Archive, extract (given), resolve, load and derive each page in order, as a run does."""
    engine = get_engine(db_url)
    with engine.begin() as conn:
        ids = wh.register_sources(conn, [SrcStub("official", True), SrcStub("news", False)])
    t0 = datetime(2023, 1, 1, tzinfo=UTC)
    for i, p in enumerate(pages if pages is not None else standard_pages()):
        src = ids["official" if p.official else "news"]
        fetched = _Fetched(p.url, f"page {i}".encode(), t0 + timedelta(minutes=i))
        with engine.begin() as conn:
            page_id, version_id = wh.archive(conn, src, fetched)
        assert version_id is not None
        ex = _extraction(p)
        item = wh.PageItem(page_id, version_id, p.url, fetched.fetched_at, p.official, "x")
        with engine.connect() as conn:
            matches = resolve([ex], wh.candidates(conn))
        with engine.begin() as conn:
            touched = wh.load(conn, [wh.Extracted(item, ex, True)], matches)
            rebuild(conn, touched)
    return engine


def ids_by_name(engine: Engine) -> dict[str, int]:
    return {(r["name"] or r["title"]): r["id"] for r in metrics_rows(engine)}


# --------------------------------------------------------------------------- queries


def test_report_data_keeps_every_claim_conflict_check_and_breakdown(db_url: str) -> None:
    engine = build_warehouse(db_url)
    ids = ids_by_name(engine)
    data = load_report_data(engine)
    aidant, orochi, x = ids["Operation Aidant"], ids["Operation Orochi"], ids[HOSTILE_TITLE]
    assert [r["id"] for r in data.operations] == [aidant, x, orochi]  # by first publication

    figs = {(f.scope, f.metric): f for f in data.figures[aidant]}
    assert list(figs)[:2] == [("operation", "arrests"), ("operation", "potential_victims")]
    arrests = figs[("operation", "arrests")]
    assert (arrests.value, arrests.qualifier, arrests.claims, arrests.conflict) == (
        38,
        "exact",
        2,
        True,
    )
    assert [(c.value, c.url, c.official, c.publisher, c.published) for c in arrests.sources] == [
        (38.0, f"{NCA}/aidant-2021", True, "National Crime Agency", "2021-11-05"),
        (40.0, "https://news.example/aidant-story", False, "Local News", "2021-11-06"),
    ]
    assert (
        arrests.chosen is not None
        and arrests.chosen.evidence == "THIRTY eight people have been arrested."
    )
    forces = figs[("operation", "forces_involved")]
    assert (forces.claims, forces.conflict, len(forces.sources)) == (2, False, 2)
    assert (figs[("international", "arrests")].value, len(figs)) == (175.0, 10)
    assert [(c.scope, c.metric, c.subject, c.value) for c in data.other_figures[aidant]] == [
        ("force", "potential_victims", "Police Scotland", 5.0)
    ]
    assert [(b.offence, b.count) for b in data.breakdowns[aidant]] == [
        ("child criminal and drug related exploitation", 18),
        ("sexual exploitation", 11),
    ]
    assert [(c.name, c.passed, c.detail) for c in data.checks[orochi] if not c.passed] == [
        ("children_adults_le_victims", False, "children + adults vs potential victims: 13 > 10")
    ]
    assert all(c.passed for c in data.checks[aidant]) and len(data.checks[aidant]) == 6
    assert [(s.url, s.official) for s in data.sources[x]] == [
        ('https://news.example/x?a=1&b="2"', True),
        (JS_URL, False),
    ]
    assert data.details[orochi]["arrests_per_force"] == {
        "operation_id": orochi, "metric": "arrests_per_force", "value": 1.32,
        "qualifier": "at_least", "unit": "arrests per force",
        "reason": "bound: arrests is more_than", "formula": "arrests / forces_involved",
    }  # fmt: skip

    only = load_report_data(engine, [orochi])
    assert [r["id"] for r in only.operations] == [orochi]
    assert set(only.figures) == set(only.checks) == set(only.details) == {orochi}


def test_nrm_quarter_totals_take_the_newest_release(db_url: str) -> None:
    from sqlalchemy import MetaData, Table, insert

    engine = get_engine(db_url)
    assert nrm_quarter_totals(engine) == {}
    now = datetime(2023, 1, 1, tzinfo=UTC)
    rows = [
        (2021, 4, "child", 100, "https://gov.example/q4", date(2022, 2, 1)),
        (2021, 4, "adult", 200, "https://gov.example/q4", date(2022, 2, 1)),
        # A later release revises 2021 Q4 and adds 2022 Q1.
        (2021, 4, "child", 110, "https://gov.example/q1", date(2022, 5, 1)),
        (2021, 4, "adult", 210, "https://gov.example/q1", date(2022, 5, 1)),
        (2022, 1, "child", 50, "https://gov.example/q1", date(2022, 5, 1)),
    ]
    with engine.begin() as conn:
        nrm = Table("nrm_statistics", MetaData(), autoload_with=conn)
        conn.execute(insert(nrm), [
            {"year": y, "quarter": q, "age_group": g, "referrals": n, "source_url": u,
             "release_title": "NRM statistics", "release_published": p, "loaded_at": now}
            for y, q, g, n, u, p in rows
        ])  # fmt: skip
    assert nrm_quarter_totals(engine) == {(2021, 4): 320, (2022, 1): 50}


# --------------------------------------------------------------------------- rendering


class _Collect(HTMLParser):
    """Every href and img src, as a browser would read them (entities decoded)."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.imgs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        a = dict(attrs)
        if "href" in a:
            self.hrefs.append(a["href"] or "")
        if tag == "img":
            self.imgs.append(a.get("src") or "")


@pytest.fixture(scope="module")
def standard_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReportData, str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'w.db'}"
    data = load_report_data(build_warehouse(url))
    return data, render_report(data, generated_at="2023-01-01 12:00 UTC")


def test_scraped_text_is_escaped_and_only_http_links_are_links(
    standard_report: tuple[ReportData, str],
) -> None:
    _, page = standard_report
    assert HOSTILE_TITLE not in page and esc(HOSTILE_TITLE) in page
    assert "<script" not in page.lower() and "<img src=x" not in page
    assert esc(HOSTILE_EVIDENCE) in page and esc(HOSTILE_PUBLISHER) in page
    parsed = _Collect()
    parsed.feed(page)
    assert "script" not in parsed.tags
    external = {h for h in parsed.hrefs if not h.startswith("#")}
    assert external == {
        f"{NCA}/aidant-2021",
        f"{NCA}/county-lines-2022",
        "https://news.example/aidant-story",
        'https://news.example/x?a=1&b="2"',
    }
    assert JS_URL not in parsed.hrefs and esc(JS_URL) not in " ".join(parsed.hrefs)
    assert '<span class="nolink">Operation X follow-up</span>' in page
    # Nothing is loaded from anywhere: five charts, all inline SVG images.
    assert len(parsed.imgs) == 5
    assert all(s.startswith("data:image/svg+xml;base64,") for s in parsed.imgs)
    assert re.search(r"""(src|href)=["']?//""", page) is None
    assert "Content-Security-Policy" in page


def test_cards_show_figures_bounds_reasons_conflicts_and_checks(
    standard_report: tuple[ReportData, str],
) -> None:
    _, page = standard_report
    for d in DERIVED_METRICS:
        assert f"<code>{esc(d.formula)}</code>" in page
    for needle in (
        "Sources disagree: 2 claims, 2 different values.",
        '<tr class="conflict">',
        "<strong>✗ children_adults_le_victims</strong> children + adults vs potential victims: 13 &gt; 10",
        '<td class="num">≥1.32</td>',  # more than 25 arrests over 19 forces
        "bound: arrests is more_than",
        '<td class="note">nrm_referrals not reported</td>',
        '<td class="num big">&gt;25<span class="qual">more than</span></td>',
        "55.6 %",
        "0.81× the theme median (0.36, n=2)",
        '<span class="muted">no theme comparison: too few operations in the theme to compare (n=1)</span>',
        "Share of the quarter's NRM referrals: — NRM statistics not loaded",
        "child criminal and drug related exploitation: 18; sexual exploitation: 11",
        '<span class="tag tag-used">used</span>',
        '<article class="card has-failed" id="op-',
        '<article class="card has-conflict" id="op-',
    ):
        assert needle in page, needle
    for _, text in METHOD_NOTES:
        assert esc(text) in page


def test_report_is_deterministic_and_renders_without_operations(
    standard_report: tuple[ReportData, str],
) -> None:
    data, page = standard_report
    assert render_report(data, generated_at="2023-01-01 12:00 UTC") == page
    empty = render_report(ReportData([], {}))
    assert "0 operations from 0 source pages" in empty
    assert empty.count('<img src="data:image/svg+xml;base64,') == 5


def test_nrm_context_shows_when_statistics_are_loaded(
    standard_report: tuple[ReportData, str],
) -> None:
    data, _ = standard_report
    page = render_report(data, nrm_quarter_totals={(2021, 4): 5000})
    assert "1.10 % of the 5,000 NRM referrals in 2021 Q4" in page  # 55 / 5000
    assert "no NRM statistics for 2022 Q1" in page  # the hostile operation, March 2022


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://www.nationalcrimeagency.gov.uk/news/a", True),
        ("http://example.org/x?a=1&b=2", True),
        ("HTTPS://EXAMPLE.ORG/", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,<script>1</script>", False),
        ("//evil.example/x", False),
        ("/news/relative", False),
        ("https://exa mple.org/", False),
        ("https://example.org/\nx", False),
        ("https:///nohost", False),
        ("", False),
        (None, False),
    ],
)
def test_safe_url(url: str | None, safe: bool) -> None:
    assert (safe_url(url) is not None) is safe


@pytest.mark.parametrize(
    ("metric", "value", "qualifier", "text"),
    [
        ("arrests_per_force", 2.0, "exact", "2.00"),
        ("arrests_per_force", 1.32, "at_least", "≥1.32"),
        ("nrm_referral_rate", 0.556, None, "55.6 %"),
        ("unreferred_victims", 44.0, "up_to", "≤44"),
        ("uk_share_of_international_arrests", 0.217, "approx", "~21.7 %"),
        ("child_share", None, None, "—"),
    ],
)
def test_fmt_metric(metric: str, value: float | None, qualifier: str | None, text: str) -> None:
    assert fmt_metric(metric, value, qualifier) == text


# --------------------------------------------------------------------------- CLI and docs


def test_cli_report_writes_one_file(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    build_warehouse(sqlite_url, [seed_page()])
    out = tmp_path / "out" / "report.html"
    assert main(["report", "--db", sqlite_url, "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Operation Aidant" in page

    assert main(["report", "--db", sqlite_url, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == f"optally: error: --out must be a file, not the directory {tmp_path}\n"


def _doc() -> str:
    return " ".join((ROOT / "docs" / "METRICS.md").read_text(encoding="utf-8").split())


def test_metrics_doc_covers_every_metric_and_the_seed_values() -> None:
    from domain.records import METRICS

    doc = _doc()
    for d in DERIVED_METRICS:
        assert f"`{d.name}`" in doc, d.name
        assert d.formula in doc and d.unit in doc
    for m in METRICS:
        assert f"`{m}`" in doc, m
    for seed in ("38 / 19 = 2.0", "= 0.29", "= 5.21", "55 / 99 = 0.556", "99 - 55 = 44",
                 "72 / 99 = 0.727", "38 / 99 = 0.38", "51 / 19 = 2.68", "38 / 175 = 0.217",
                 "99 / 187 = 0.529", "38 - 18 - 11 = 9"):  # fmt: skip
        assert seed in doc, seed


def test_report_method_notes_are_the_docs_words() -> None:
    doc = _doc()
    for title, text in METHOD_NOTES:
        assert f"**{title}.** {text}" in doc, title


def test_charts_flag_impossible_shares_explain_gaps_and_keep_the_most_recent() -> None:
    from tasks.report_charts import MAX_BARS, nrm_referral_rates, uk_share_of_international

    rows = [
        {"id": 1, "name": "Op A", "published": "2021-01-01", "nrm_referral_rate": 0.556},
        {"id": 2, "name": "Op B", "published": "2022-01-01", "nrm_referral_rate": 250.059},
        {"id": 3, "name": "Op $C$", "published": "2023-01-01", "nrm_referral_rate": None},
    ]
    details = {
        1: {"nrm_referral_rate": {"qualifier": "exact"}},
        2: {"nrm_referral_rate": {"qualifier": "at_least"}},
        3: {"nrm_referral_rate": {"reason": "nrm_referrals not reported"}},
    }
    chart = nrm_referral_rates(rows, details)
    assert chart.alt == (
        "2021-01-01 · Op A NRM referral rate: 55.6 %; "
        "2022-01-01 · Op B NRM referral rate: ≥25005.9 % (impossible: see the quality checks); "
        "2023-01-01 · Op $C$ NRM referral rate: n/a (nrm_referrals not reported)"
    )
    assert chart.data_uri == nrm_referral_rates(rows, details).data_uri  # reproducible

    many = [{"id": i, "name": f"Op {i}", "published": f"{1980 + i}-01-01",
             "nrm_referral_rate": 0.5} for i in range(MAX_BARS + 5)]  # fmt: skip
    chart = nrm_referral_rates(many, {})
    assert chart.alt.startswith("1985-01-01 · Op 5 ") and chart.alt.count("Op ") == MAX_BARS
    assert uk_share_of_international(rows, details).alt == (
        "No operation reports an international total yet"
    )


def test_a_low_confidence_figure_is_marked_on_its_card(
    standard_report: tuple[ReportData, str],
) -> None:
    """A reported claim the extractor rated under LOW_CONFIDENCE is marked beside the
    reconciled value and beside the claim; confident and unrated claims are not."""
    data, page = standard_report
    assert "low confidence" not in page  # every claim of the test warehouse is rated 1.0
    op_id, figs = next((k, v) for k, v in data.figures.items() if v)
    fig = figs[0]
    unsure = tuple(
        replace(c, confidence=0.31) if c.figure_id == fig.figure_id else c for c in fig.sources
    )
    unrated = tuple(replace(c, confidence=None) for c in figs[1].sources) if len(figs) > 1 else ()
    changed = [replace(fig, sources=unsure)]
    if unrated:
        changed.append(replace(figs[1], sources=unrated))
    data = replace(data, figures={**data.figures, op_id: [*changed, *figs[len(changed) :]]})
    marked = render_report(data, generated_at="2023-01-01 12:00 UTC")
    tag = '<span class="tag tag-low" title="extractor confidence 0.31">low confidence</span>'
    assert marked.count(tag) == 2  # the reconciled value and the chosen claim
    assert marked.count("low confidence</span>") == 2
