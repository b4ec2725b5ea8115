"""Warehouse writes on SQLite and PostgreSQL: archive, claims, history, reconciliation, views."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from config.sources import Source
from db import load as wh
from db.engine import get_engine
from db.queries import metrics_rows
from domain.records import (
    Abstention,
    Article,
    BreakdownItem,
    Extraction,
    Figure,
    FigureResult,
    OperationFacts,
)
from tasks.derive import rebuild
from tasks.resolve import (
    candidate_of,
    countries_in,
    date_windows,
    places_in,
    resolve,
    resolve_batch,
)

T0 = datetime(2021, 11, 5, 9, 0, tzinfo=UTC)
T1 = datetime(2021, 11, 20, 9, 0, tzinfo=UTC)


@dataclass
class Fetched:
    """The fields of tasks.fetch.FetchResult that the archive reads."""

    url: str
    body: bytes | None
    fetched_at: datetime = T0
    status: int | None = 200
    not_modified: bool = False
    final_url: str = ""
    content_type: str | None = "text/html"
    encoding: str | None = None
    etag: str | None = '"v1"'
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "text/html"})
    error: str | None = None
    attempts: int = 1

    @property
    def content_hash(self) -> str | None:
        return hashlib.sha256(self.body).hexdigest() if self.body is not None else None


def source(name: str = "nca", official: bool = True) -> Source:
    return Source(
        name=name,
        kind="listing",
        start_url="https://www.nationalcrimeagency.gov.uk/news",
        allowed_hosts=["www.nationalcrimeagency.gov.uk"],
        profile="nca",
        official=official,
    )


def extraction(
    url: str, arrests: int, qualifier: str = "exact", published: date = date(2021, 11, 5)
) -> Extraction:
    figs = (
        Figure(
            "operation", "arrests", arrests, qualifier, f"{arrests} people were arrested.", (0, 10)
        ),
        Figure("operation", "forces_involved", 19, "exact", "Nineteen forces took part.", (11, 30)),
        Figure("international", "arrests", 175, "exact", "175 arrests across Europe.", (31, 60)),
        Figure(
            "force",
            "potential_victims",
            5,
            "exact",
            "Police Scotland safeguarded five.",
            (61, 90),
            subject="Police Scotland",
        ),
    )
    return Extraction(
        Article(
            url, "Child trafficking week of action", published, "National Crime Agency", "body"
        ),
        FigureResult(
            figs,
            (BreakdownItem("sexual exploitation", 11),),
            OperationFacts(lead_agency="NCA", theme="child_exploitation"),
        ),
    )


def load_one(
    engine, src_id: int, fetched: Fetched, ex: Extraction, official: bool = True
) -> set[int]:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        page_id, version_id = wh.archive(conn, src_id, fetched)
    assert version_id is not None
    item = wh.PageItem(page_id, version_id, fetched.url, fetched.fetched_at, official, "nca")
    page = wh.Extracted(item, ex, True)
    with engine.connect() as conn:
        matches = resolve([ex], wh.candidates(conn))
    with engine.begin() as conn:
        touched = wh.load(conn, [page], matches)
        rebuild(conn, touched)
    return touched


def counts(engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    tables = [
        "pages",
        "page_versions",
        "articles",
        "figures",
        "arrest_breakdowns",
        "operations",
        "operation_figures",
        "metric_values",
        "quality_checks",
        "fetch_failures",
    ]
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in tables}


def test_archive_keeps_raw_body_and_skips_unchanged(db_url: str) -> None:
    engine = get_engine(db_url)
    with engine.begin() as conn:
        ids = wh.register_sources(conn, [source()])
        first = wh.archive(conn, ids["nca"], Fetched("https://x.test/news/a", b"<html>one</html>"))
        again = wh.archive(conn, ids["nca"], Fetched("https://x.test/news/a", b"<html>one</html>"))
        nm = wh.archive(
            conn, ids["nca"], Fetched("https://x.test/news/a", None, not_modified=True, status=304)
        )
        changed = wh.archive(
            conn, ids["nca"], Fetched("https://x.test/news/a", b"<html>two</html>", T1)
        )
    assert first[1] is not None and again == (first[0], None) and nm == (first[0], None)
    assert changed[1] not in (None, first[1])
    with engine.connect() as conn:
        bodies = [
            gzip.decompress(b)
            for (b,) in conn.execute(text("SELECT body_gz FROM page_versions ORDER BY id"))
        ]
        state = wh.page_states(conn, ["https://x.test/news/a"])["https://x.test/news/a"]
    assert bodies == [b"<html>one</html>", b"<html>two</html>"]
    assert state.content_hash == hashlib.sha256(b"<html>two</html>").hexdigest()


def test_failures_are_recorded_counted_and_cleared_by_success(db_url: str) -> None:
    engine = get_engine(db_url)
    bad = Fetched("https://x.test/news/b", None, status=503, error="http 503", attempts=4)
    with engine.begin() as conn:
        sid = wh.register_sources(conn, [source()])["nca"]
        wh.record_failure(conn, sid, bad)
        wh.record_failure(conn, sid, bad)
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT reason, attempts, failures, http_status FROM fetch_failures")
        ).one()
        assert tuple(row) == ("http 503", 4, 2, 503)
        assert wh.failed_urls(conn, sid) == ["https://x.test/news/b"]
    with engine.begin() as conn:
        wh.archive(conn, sid, Fetched("https://x.test/news/b", b"ok"))
    assert counts(engine)["fetch_failures"] == 0


def test_claims_reconcile_official_first_and_history_is_kept(db_url: str) -> None:
    engine = get_engine(db_url)
    with engine.begin() as conn:
        sid = wh.register_sources(conn, [source()])["nca"]
    nca = "https://www.nationalcrimeagency.gov.uk/news/week-of-action"
    load_one(engine, sid, Fetched(nca, b"v1"), extraction(nca, 38))
    news = "https://news.test/story"
    load_one(
        engine,
        sid,
        Fetched(news, b"news"),
        extraction(news, 40, published=date(2021, 11, 6)),
        official=False,
    )
    (row,) = metrics_rows(engine)
    assert (
        row["arrests"],
        row["forces_involved"],
        row["international_arrests"],
        row["sources"],
    ) == (38, 19, 175, 2)
    assert (row["arrests_per_force"], row["uk_share_of_international_arrests"]) == (2, 0.217)
    assert (
        row["potential_victims"] is None
    )  # the force-level five never becomes an operation figure
    with engine.connect() as conn:
        conflict = conn.execute(
            text(
                "SELECT claims, conflict FROM operation_figures WHERE metric = 'arrests' AND scope = 'operation'"
            )
        ).one()
    assert (conflict[0], bool(conflict[1])) == (2, True)

    # The NCA page is revised: the new claim wins, the old one stays, closed.
    load_one(engine, sid, Fetched(nca, b"v2", T1), extraction(nca, 41))
    (row,) = metrics_rows(engine)
    assert row["arrests"] == 41
    with engine.connect() as conn:
        history = conn.execute(
            text(
                "SELECT f.value, a.superseded_at IS NOT NULL FROM figures f JOIN articles a ON a.id = f.article_id "
                "WHERE a.url = :u AND f.metric = 'arrests' AND f.scope = 'operation' ORDER BY a.id"
            ),
            {"u": nca},
        ).all()
    assert [(v, bool(s)) for v, s in history] == [(38.0, True), (41.0, False)]


def test_loading_twice_changes_nothing(db_url: str) -> None:
    engine = get_engine(db_url)
    with engine.begin() as conn:
        sid = wh.register_sources(conn, [source()])["nca"]
    url = "https://www.nationalcrimeagency.gov.uk/news/a"
    load_one(engine, sid, Fetched(url, b"v1"), extraction(url, 38))
    before = counts(engine)
    with engine.connect() as conn:
        snapshot = conn.execute(text("SELECT * FROM metric_values ORDER BY id")).all()
    # A second reading of the same version (as reparse does) adds no row and rewrites none.
    with engine.connect() as conn:
        (vid,) = conn.execute(text("SELECT id FROM page_versions")).one()
        (pid,) = conn.execute(text("SELECT id FROM pages")).one()
        matches = resolve([extraction(url, 38)], wh.candidates(conn))
    item = wh.PageItem(pid, vid, url, T0, True, "nca")
    with engine.begin() as conn:
        touched = wh.load(conn, [wh.Extracted(item, extraction(url, 38), True)], matches)
        rebuild(conn, touched)
    assert counts(engine) == before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT * FROM metric_values ORDER BY id")).all() == snapshot
    assert before == {
        "pages": 1,
        "page_versions": 1,
        "articles": 1,
        "figures": 4,
        "arrest_breakdowns": 1,
        "operations": 1,
        "operation_figures": 3,
        "metric_values": 16,  # 11 derived metrics and 5 follow-up metrics
        "quality_checks": 2,
        "fetch_failures": 0,
    }


def test_hostile_text_is_stored_as_text(db_url: str) -> None:
    engine = get_engine(db_url)
    with engine.begin() as conn:
        sid = wh.register_sources(conn, [source()])["nca"]
    url = "https://x.test/news/'; DROP TABLE figures; --"
    ex = extraction(url, 3)
    ex = Extraction(
        Article(url, "'; DROP TABLE figures; --", date(2021, 1, 1), None, "b"), ex.result
    )
    load_one(engine, sid, Fetched(url, b"x"), ex)
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT title FROM articles")).scalar_one()
            == "'; DROP TABLE figures; --"
        )
        assert conn.execute(text("SELECT COUNT(*) FROM figures")).scalar_one() == 4


def test_candidates_near_a_batch_are_those_its_pages_can_match(db_url: str) -> None:
    """Resolution reads only the operations published within MAX_GAP_DAYS of a page (and
    the undated); an undated page reads them all; ``ids`` reads those operations."""
    engine = get_engine(db_url)
    day = date(2021, 11, 5)
    with engine.begin() as conn:
        src = wh.register_sources(conn, [source()])["nca"]
    (same,) = load_one(engine, src, Fetched("https://www.nationalcrimeagency.gov.uk/n/1", b"a"),
                       extraction("https://www.nationalcrimeagency.gov.uk/n/1", 38))  # fmt: skip
    published = {
        "early": date(2021, 9, 20),  # 46 days before: cannot match
        "edge-before": date(2021, 9, 21),  # 45 days
        "edge-after": date(2021, 12, 20),
        "late": date(2021, 12, 21),
        "undated": None,
        "near-other-page": date(2023, 1, 1),
    }
    with engine.begin() as conn:
        for key, first in published.items():
            conn.execute(wh.OPERATIONS.insert().values(key=key, first_published=first))
        ids = dict(conn.execute(wh.OPERATIONS.select().with_only_columns(
            wh.OPERATIONS.c.key, wh.OPERATIONS.c.id)).all())  # fmt: skip

    with engine.connect() as conn:
        near = wh.candidates(conn, date_windows([day, date(2023, 1, 2)]))
        assert [c.key for c in near if c.key in published] == [
            "edge-before",
            "edge-after",
            "undated",
            "near-other-page",
        ]
        assert len(near) == 5
        (found,) = wh.candidates(conn, ids=[same])
        assert found in near and found.published == day
        assert found.figures == {("arrests", 38.0), ("forces_involved", 19.0)}  # operation scope
        assert len(wh.candidates(conn)) == len(published) + 1
        assert [c.key for c in wh.candidates(conn, ids=[ids["late"], ids["early"]])] == [
            "early",
            "late",
        ]


def test_a_load_that_was_never_derived_is_derived_by_the_next_derive(db_url: str) -> None:
    """Load and derive are two transactions: a run stopped between them leaves the
    operation pending, and the next derive (whatever it is asked for) rebuilds it."""
    engine = get_engine(db_url)
    with engine.begin() as conn:
        sid = wh.register_sources(conn, [source()])["nca"]
    url = "https://www.nationalcrimeagency.gov.uk/news/a"
    fetched = Fetched(url, b"v1")
    with engine.begin() as conn:
        page_id, version_id = wh.archive(conn, sid, fetched)
    item = wh.PageItem(page_id, version_id, url, fetched.fetched_at, True, "nca")
    with engine.connect() as conn:
        matches = resolve([extraction(url, 38)], wh.candidates(conn))
    with engine.begin() as conn:
        (op_id,) = wh.load(conn, [wh.Extracted(item, extraction(url, 38), True)], matches)
    # ... stopped here: claims without derived rows, and the operation marked pending.
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM operation_figures")).scalar_one() == 0
        assert conn.execute(text("SELECT operation_id FROM pending_derivations")).all() == [
            (op_id,)
        ]
    with engine.begin() as conn:
        assert rebuild(conn) == [op_id]  # asked for nothing, rebuilds what is pending
    with engine.connect() as conn:
        arrests = conn.execute(
            text(
                "SELECT value FROM operation_figures WHERE metric = 'arrests' AND scope = 'operation'"
            )
        ).scalar_one()
        assert (
            arrests,
            conn.execute(text("SELECT COUNT(*) FROM pending_derivations")).scalar_one(),
        ) == (38, 0)
    with engine.begin() as conn:
        assert rebuild(conn) == []  # nothing pending, nothing asked: nothing to do


def test_confidence_and_abstentions_are_kept_with_the_claims(db_url: str) -> None:
    """Each claim keeps the extractor's confidence; what it abstained from is kept with its
    reason and never reconciled."""
    engine = get_engine(db_url)
    with engine.begin() as conn:
        sid = wh.register_sources(conn, [source()])["nca"]
    url = "https://www.nationalcrimeagency.gov.uk/news/a"
    ex = extraction(url, 38)
    held = Abstention(
        "operation", "potential_victims", 3, "exact", "Three men were found.", (91, 112), 0.12,
        "confidence 0.12 under 0.193",
    )  # fmt: skip
    figs = (replace(ex.result.figures[0], confidence=0.87), *ex.result.figures[1:])
    ex = replace(ex, result=replace(ex.result, figures=figs, abstentions=(held,)))
    load_one(engine, sid, Fetched(url, b"v1"), ex)
    with engine.connect() as conn:
        confidence = dict(
            conn.execute(
                text("SELECT metric, confidence FROM figures WHERE scope = 'operation'")
            ).all()
        )
        abstained = conn.execute(
            text("SELECT metric, value, evidence, span_start, confidence, reason FROM abstentions")
        ).all()
        reconciled = conn.execute(
            text("SELECT COUNT(*) FROM operation_figures WHERE metric = 'potential_victims'")
        ).scalar_one()
    assert confidence == {"arrests": 0.87, "forces_involved": 1.0}
    assert [tuple(r) for r in abstained] == [
        ("potential_victims", 3, "Three men were found.", 91, 0.12, "confidence 0.12 under 0.193")
    ]
    assert reconciled == 0
    # what was withheld still tells which action the page is about (tasks/resolve.py)
    with engine.connect() as conn:
        (stored,) = wh.candidates(conn)
    assert stored.withheld == candidate_of(ex).withheld == {("potential_victims", 3.0)}


def test_stored_candidates_carry_the_wider_totals(db_url: str) -> None:
    """An operation stored from a page about its part keeps the whole's totals it was reported
    beside, so a later page about the whole does not join the part (tasks/resolve.py)."""
    engine = get_engine(db_url)
    with engine.begin() as conn:
        sid = wh.register_sources(conn, [source()])["nca"]
    url = "https://www.nationalcrimeagency.gov.uk/news/part"
    ex = extraction(url, 9)
    wider = Figure("international", "countries_involved", 116, "exact", "in 116 countries", None)
    ex = replace(ex, result=replace(ex.result, figures=(*ex.result.figures, wider)))
    load_one(engine, sid, Fetched(url, b"v1"), ex)
    with engine.connect() as conn:
        (stored,) = wh.candidates(conn)
    assert stored.wider == candidate_of(ex).wider
    assert ("countries_involved", 116.0) in stored.wider
    assert ("countries_involved", 116.0) not in stored.figures


def test_a_page_matches_an_operation_loaded_but_not_yet_derived(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another run may be between its load and its derive: resolution sees the pending
    operation with the figures derive will give it (two runs at once stay one warehouse)."""
    engine = get_engine(db_url)
    with engine.begin() as conn:
        sid = wh.register_sources(conn, [source()])["nca"]
    nca, news = "https://www.nationalcrimeagency.gov.uk/news/a", "https://news.example/b"
    fetched = Fetched(nca, b"v1")
    with engine.begin() as conn:
        page_id, version_id = wh.archive(conn, sid, fetched)
        item = wh.PageItem(page_id, version_id, nca, fetched.fetched_at, True, "nca")
        wh.load(
            conn,
            [wh.Extracted(item, extraction(nca, 38), True)],
            resolve([extraction(nca, 38)], []),
        )
    story = extraction(news, 38)
    story = replace(story, article=replace(story.article, title="Police round-up of the week"))
    with engine.begin() as conn:
        page_id, version_id = wh.archive(conn, sid, Fetched(news, b"n1"))
    page = wh.Extracted(wh.PageItem(page_id, version_id, news, T0, False, "nca"), story, True)
    with engine.connect() as conn:
        (match,) = resolve_batch(conn, [page])
    assert match is not None and not match.new  # joins the pending operation by its figures
    monkeypatch.setattr("tasks.resolve.pending", lambda conn: [])  # as before pending counted
    with engine.connect() as conn:
        (blind,) = resolve_batch(conn, [page])
    assert blind is not None and blind.new


def test_a_stored_operation_carries_its_founding_pages_evidence(db_url: str) -> None:
    """A page in a later batch is matched against what the founding page said: the action's
    dates, the qualifiers of its figures, the forces and the places it names; the warehouse
    gives them back as the founding page's own candidate holds them."""
    engine = get_engine(db_url)
    with engine.begin() as conn:
        src = wh.register_sources(conn, [source()])["nca"]
    url = "https://www.nationalcrimeagency.gov.uk/n/2"
    ex = extraction(url, 40, qualifier="more_than")
    body = (
        "Officers in Grimsby and Cleethorpes arrested more than 40 people during the week, "
        "with help from police in the Netherlands."
    )
    ex = Extraction(
        replace(ex.article, body=body),
        replace(
            ex.result,
            operation=replace(
                ex.result.operation,
                start_date=date(2021, 10, 25),
                end_date=date(2021, 10, 31),
                forces=("Humberside Police",),
                countries=("Netherlands",),
            ),
        ),
    )
    (op_id,) = load_one(engine, src, Fetched(url, b"b"), ex)
    with engine.connect() as conn:
        (stored,) = wh.candidates(conn, ids=[op_id], places=places_in, countries=countries_in)
        (bare,) = wh.candidates(conn, ids=[op_id])
    own = candidate_of(ex)
    assert (stored.start, stored.end) == (date(2021, 10, 25), date(2021, 10, 31))
    assert stored.bounds == own.bounds == {("arrests", "more_than")}
    assert stored.forces == ("Humberside Police", "Police Scotland") != own.forces
    assert set(own.forces) < set(stored.forces)  # the force-scope subject is a force it names
    assert stored.places == own.places == {"grimsby"}
    assert stored.countries == own.countries == {"Netherlands"}
    assert bare.places == frozenset()  # no rule given: db/ runs none
