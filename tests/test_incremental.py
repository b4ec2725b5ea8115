"""Incremental runs: a re-run asks for what is new or recent, not for the whole archive.

One NCA-shaped site on 127.0.0.1 (tests/faultserver.py, 16 items a listing page) with
ARTICLES releases over many listing pages: RECENT of them published within the re-check
window (``recheck_days``, 30), the others older. One full run builds a warehouse; the flow
tests copy it and re-run against the same server, counting the requests the server saw.
Discovery is also tested alone, with a look-up standing in for the warehouse.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import MetaData, select, text

from config.settings import Settings, get_settings
from config.sources import Source
from db.engine import get_engine
from db.recheck import recheck_date
from tasks.discover import discover
from tasks.fetch import Fetcher
from tests.faultserver import PAGE_SIZE, FakeArticle, FaultServer

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]

ARTICLES = 240  # 15 listing pages of 16
RECENT = 3  # the newest three: 1, 5 and 10 days old; the rest 40 days and more
NEW = 20  # articles published after the first run: page 1 and part of page 2
OLD_CHANGED = 100  # an old article (listing page 7) that is corrected after the first run
TODAY = date.today()


def articles(n: int) -> list[FakeArticle]:
    """Newest first: RECENT within the window, the others 40 days old and older."""
    ages = [1, 5, 10][:RECENT] + [40 + 2 * i for i in range(n - RECENT)]
    return [
        FakeArticle(
            i, f"release-{i}", f"Release number {i} on trafficking", TODAY - timedelta(d), ()
        )
        for i, d in enumerate(ages)
    ]


def write_sources(path: Path, server: FaultServer) -> Path:
    source = {
        "name": "nca-mirror",
        "kind": "listing",
        "profile": "nca",
        "start_url": server.url("/news"),
        "allowed_hosts": [server.host],
        "rate_limit": 0,
        "allow_private_hosts": True,
        "max_pages": 100,
    }
    path.write_text(yaml.safe_dump({"sources": [source]}), encoding="utf-8")
    return path


@dataclasses.dataclass
class Site:
    server: FaultServer
    sources: Path
    base_db: Path  # the warehouse after one full run; copy it, never write to it
    first: dict[str, Any]

    def warehouse(self, tmp_path: Path, name: str = "w") -> str:
        path = tmp_path / f"{name}.db"
        shutil.copy(self.base_db, path)
        return f"sqlite:///{path}"

    def article_requests(self) -> list[str]:
        return [r.path for r in self.server.requests if r.path.startswith("/news/")]

    def listing_requests(self) -> list[str]:
        return [r.path for r in self.server.requests if r.path.split("?")[0] == "/news"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Iterator[Site]:
    from flows.etl import etl

    tmp = tmp_path_factory.mktemp("incremental")
    with FaultServer() as server:
        server.articles = articles(ARTICLES)
        sources = write_sources(tmp / "sources.yaml", server)
        base = tmp / "base.db"
        first = etl(sources_file=str(sources), db_url=f"sqlite:///{base}")
        assert (first["discovered"], first["fetched"], first["failed"]) == (ARTICLES, ARTICLES, 0)
        get_engine(f"sqlite:///{base}").dispose()  # copied by the tests: nothing held open
        yield Site(server, sources, base, first)


@pytest.fixture
def fresh(site: Site) -> Iterator[Site]:
    """The site as the first run saw it, its request log empty; restored afterwards."""
    original = list(site.server.articles)
    site.server.reset()
    yield site
    site.server.articles = original


def exact_dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table exactly as stored: ids, timestamps and bodies included."""
    engine = get_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return {
            name: sorted((tuple(r) for r in conn.execute(select(t))), key=repr)
            for name, t in meta.tables.items()
        }


def title_of(url: str, path: str) -> str:
    with get_engine(url).connect() as conn:
        return (
            conn.execute(
                text(
                    "SELECT title FROM articles WHERE url LIKE :u AND superseded_at IS NULL"
                    " ORDER BY id DESC"
                ),
                {"u": f"%{path}"},
            )
            .scalars()
            .first()
        )


def test_unchanged_rerun_asks_for_recent_articles_only_and_stops_paginating(
    fresh: Site, tmp_path: Path
) -> None:
    from flows.etl import etl

    url = fresh.warehouse(tmp_path)
    summary = etl(sources_file=str(fresh.sources), db_url=url)

    recent = [a.path for a in fresh.server.articles[:RECENT]]
    assert sorted(fresh.article_requests()) == sorted(recent)
    assert len(fresh.article_requests()) <= ARTICLES // 10
    # Conditional requests, answered 304: nothing fetched, nothing extracted.
    assert all("if-none-match" in r.headers for r in fresh.server.requests if r.path in recent)
    assert (summary["discovered"], summary["not_modified"], summary["fetched"]) == (
        RECENT,
        RECENT,
        0,
    )
    assert (summary["extracted"], summary["failed"]) == (0, 0)
    # Page 1 holds the recent ones (re-checked); page 2 brings nothing new or recent: the
    # walk ends there, 2 of the 15 listing pages.
    assert fresh.listing_requests() == ["/news", f"/news?start={PAGE_SIZE}"]


def test_new_articles_are_found_and_the_walk_goes_as_far_as_they_do(
    fresh: Site, tmp_path: Path
) -> None:
    from flows.etl import etl

    url = fresh.warehouse(tmp_path)
    new = [
        FakeArticle(5000 + i, f"new-release-{i}", f"New release {i} on trafficking", TODAY, ())
        for i in range(NEW)
    ]
    fresh.server.articles = new + fresh.server.articles
    summary = etl(sources_file=str(fresh.sources), db_url=url)

    recent = [a.path for a in fresh.server.articles[: NEW + RECENT]]
    assert sorted(fresh.article_requests()) == sorted(recent)
    assert (summary["fetched"], summary["not_modified"], summary["failed"]) == (NEW, RECENT, 0)
    # 23 new or recent links fill page 1 and part of page 2; page 3 brings nothing.
    assert fresh.listing_requests() == ["/news", "/news?start=16", "/news?start=32"]
    with get_engine(url).connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM pages")).scalar_one() == ARTICLES + NEW
    assert title_of(url, "/news/new-release-0") == "New release 0 on trafficking"


def test_an_old_correction_waits_for_a_full_sweep(
    fresh: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    url = fresh.warehouse(tmp_path)
    old = fresh.server.articles[OLD_CHANGED]
    assert TODAY - old.published > timedelta(days=30)
    corrected = dataclasses.replace(old, index=9000, title="Release corrected on trafficking")
    fresh.server.articles[OLD_CHANGED] = corrected  # a new body and a new ETag
    argv = ["run", "--sources", str(fresh.sources), "--db", url]

    assert main(argv) == 0
    assert old.path not in fresh.article_requests()
    assert title_of(url, old.path) == old.title
    capsys.readouterr()

    fresh.server.reset()
    assert main([*argv, "--full-sweep"]) == 0
    out = capsys.readouterr().out
    # Every listing page and every article, conditionally; the corrected one comes back 200.
    assert len(fresh.listing_requests()) == ARTICLES // PAGE_SIZE
    assert sorted(fresh.article_requests()) == sorted(a.path for a in fresh.server.articles)
    assert "fetched 1 new or changed, 239 not modified" in out
    assert title_of(url, old.path) == "Release corrected on trafficking"


def test_incremental_rerun_leaves_the_warehouse_a_full_rerun_leaves(
    fresh: Site, tmp_path: Path
) -> None:
    from flows.deployments import backfill
    from flows.etl import etl

    incremental, full = fresh.warehouse(tmp_path, "a"), fresh.warehouse(tmp_path, "b")
    before = exact_dump(incremental)
    etl(sources_file=str(fresh.sources), db_url=incremental)
    asked = len(fresh.article_requests())
    fresh.server.reset()
    swept = backfill(sources_file=str(fresh.sources), db_url=full, full_sweep=True)
    assert (asked, len(fresh.article_requests()), swept["not_modified"]) == (
        RECENT,
        ARTICLES,
        ARTICLES,
    )
    assert exact_dump(incremental) == exact_dump(full) == before


def test_recheck_days_is_the_window(
    fresh: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.etl import etl

    monkeypatch.setenv("OPTALLY_RECHECK_DAYS", "0")
    get_settings.cache_clear()
    try:
        summary = etl(sources_file=str(fresh.sources), db_url=fresh.warehouse(tmp_path))
    finally:
        monkeypatch.delenv("OPTALLY_RECHECK_DAYS")
        get_settings.cache_clear()
    assert (summary["discovered"], fresh.article_requests()) == (0, [])
    assert fresh.listing_requests() == ["/news"]


# ---------------------------------------------------------------------------------------
# Discovery alone, and the date an undated page counts from


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(Settings(max_attempts=1), sleep=lambda _s: None) as f:
        yield f


def _source(server: FaultServer, kind: str, path: str, profile: str = "nca") -> Source:
    return Source.model_validate(
        {
            "name": "test",
            "kind": kind,
            "profile": profile,
            "start_url": server.url(path),
            "allowed_hosts": ["127.0.0.1"],
            "rate_limit": 0,
            "allow_private_hosts": True,
        }
    )


def test_discovery_drops_settled_links_and_stops_at_the_first_page_without_news(
    fetcher: Fetcher,
) -> None:
    with FaultServer(articles=80) as server:  # five listing pages
        urls = [server.url(a.path) for a in server.articles]
        settled = set(urls[20:])  # the warehouse has everything from item 21 on
        asked: list[list[str]] = []

        def look_up(batch: list[str]) -> set[str]:
            asked.append(batch)
            return settled & set(batch)

        d = discover(_source(server, "listing", "/news"), fetcher, settled=look_up)
        assert [x.url for x in d.links] == urls[:20]
        assert (d.stopped, d.pages_fetched, d.dropped) == ("known", 3, {"known": 28})
        assert server.paths() == ["/robots.txt", "/news", "/news?start=16", "/news?start=32"]
        assert [len(b) for b in asked] == [16, 16, 16]  # one look-up per listing page

        # A full sweep (no look-up) reads every page and keeps every link.
        server.reset()
        d = discover(_source(server, "listing", "/news"), fetcher)
        assert (len(d.links), d.stopped, d.pages_fetched) == (80, "end", 5)


def test_search_pagination_stops_at_the_first_page_without_news(fetcher: Fetcher) -> None:
    with FaultServer(articles=48) as server:
        src = _source(server, "govuk_search", "/api/search.json?count=16", profile="govuk")
        urls = [server.url(f"/government/news/{a.slug}") for a in server.articles]
        d = discover(src, fetcher, settled=lambda batch: set(batch) & set(urls[8:]))
        assert ([x.url for x in d.links], d.stopped) == (urls[:8], "known")
        assert server.paths()[1:] == [
            "/api/search.json?count=16",
            "/api/search.json?count=16&start=16",
        ]


def test_a_page_whose_links_are_all_filtered_out_does_not_stop_the_walk(
    fetcher: Fetcher,
) -> None:
    with FaultServer(articles=48) as server:
        src = _source(server, "listing", "/news")
        # Page 1 is "after until" entirely: it proves nothing about what lies beyond.
        until = server.articles[16].published
        urls = [server.url(a.path) for a in server.articles]
        known = set(urls) - set(urls[16:20])  # page 1 too, but "after until" comes first
        d = discover(src, fetcher, until=until, settled=lambda batch: known & set(batch))
        assert [x.url for x in d.links] == urls[16:20]
        assert (d.stopped, d.pages_fetched) == ("known", 3)
        assert d.dropped == {"after until": 16, "known": 28}


@pytest.mark.parametrize(
    ("published", "listed", "expected"),
    [
        (date(2026, 1, 5), date(2026, 1, 4), date(2026, 1, 5)),  # the latest date given
        (None, date(2026, 1, 4), date(2026, 1, 4)),
        (date(2026, 1, 5), None, date(2026, 1, 5)),
        (None, None, date(2025, 12, 31)),  # undated: the day the warehouse first saw it
    ],
)
def test_recheck_date(published: date | None, listed: date | None, expected: date) -> None:
    assert recheck_date(published, listed, datetime(2025, 12, 31, 23, 0)) == expected


def test_a_run_after_one_stopped_before_reading_everything_sweeps_the_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run stopped after fetching leaves pages archived and never read. Where those lie
    past a listing page that brings nothing new, an incremental walk would never reach
    them: the next run of the source is a full sweep, and reads them all."""
    import db.load
    from flows.etl import etl

    load_batch = db.load.load_batch
    first_two_pages = {f"release-{i}" for i in range(2 * PAGE_SIZE)}

    def load_first_two_pages(engine: Any, pages: Any, matches: Any) -> Any:
        # As if the run had stopped once listing pages 1 and 2 were read.
        kept = [
            (p, m)
            for p, m in zip(pages, matches, strict=True)
            if p.item.url.rsplit("/", 1)[1] in first_two_pages
        ]
        return load_batch(engine, [p for p, _ in kept], [m for _, m in kept])

    url = f"sqlite:///{tmp_path / 'w.db'}"
    with FaultServer() as server:
        server.articles = articles(64)  # four listing pages
        sources = write_sources(tmp_path / "sources.yaml", server)
        with monkeypatch.context() as m:
            m.setattr(db.load, "load_batch", load_first_two_pages)
            etl(sources_file=str(sources), db_url=url)
        with get_engine(url).connect() as conn:
            counts = [
                conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                for t in ("pages", "articles")
            ]
        assert counts == [64, 2 * PAGE_SIZE]

        server.reset()
        summary = etl(sources_file=str(sources), db_url=url)
        listing = [r.path for r in server.requests if r.path.split("?")[0] == "/news"]
        assert listing == ["/news", "/news?start=16", "/news?start=32", "/news?start=48"]
        assert (summary["discovered"], summary["not_modified"], summary["extracted"]) == (
            64,
            64,
            64 - 2 * PAGE_SIZE,
        )

        # Everything read: the next run is incremental again.
        server.reset()
        assert etl(sources_file=str(sources), db_url=url)["discovered"] == RECENT


def test_an_unchanged_rerun_asks_for_recent_articles_only_on_each_warehouse(
    db_url: str, tmp_path: Path
) -> None:
    from flows.etl import etl

    with FaultServer() as server:
        server.articles = articles(48)  # three listing pages
        sources = str(write_sources(tmp_path / "sources.yaml", server))
        assert etl(sources_file=sources, db_url=db_url)["fetched"] == 48
        server.reset()
        again = etl(sources_file=sources, db_url=db_url)
        asked = [r.path for r in server.requests if r.path.startswith("/news/")]
        assert sorted(asked) == sorted(a.path for a in server.articles[:RECENT])
        assert (again["discovered"], again["not_modified"], again["fetched"]) == (RECENT, RECENT, 0)
