"""One page, one row: a page has one identity however it is reached (domain/urls.py), the
demo run twice leaves the same rows, and warehouses keyed the old way merge their copies."""

from __future__ import annotations

import hashlib
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text

from config.sources import Source
from db import load as wh
from db.engine import get_engine
from domain.urls import declared_urls, fetch_url, page_identity, page_key, source_page_identity
from tasks.derive import rebuild
from tests.reliability_helpers import content_diff, counts, warehouse_content
from tests.test_warehouse import T0, T1, Fetched, extraction, load_one

NCA = "https://www.nationalcrimeagency.gov.uk"
SLUG = "dozens-of-victims-safeguarded-as-modern-slavery-crackdown-focuses-on-labour-exploitation"
NCA_SOURCE = Source(
    name="nca",
    kind="listing",
    profile="nca",
    start_url=f"{NCA}/news",
    allowed_hosts=["www.nationalcrimeagency.gov.uk", "nationalcrimeagency.gov.uk"],
)
NEWS_SOURCE = Source(
    name="news",
    kind="urls",
    urls=["https://news.example.org/a"],
    allowed_hosts=["news.example.org"],
)
SAMPLE_RELEASE = (
    Path(__file__).resolve().parent.parent
    / "app"
    / "sample_site"
    / "articles"
    / "1362-labour-exploitation-week-of-action-safeguards-dozens-of-potential-victims.html"
)


# ---------------------------------------------------------------------------------------
# The identity a URL alone gives


@pytest.mark.parametrize(
    ("url", "profile", "identity"),
    [
        # scheme and host case
        (f"HTTPS://WWW.NationalCrimeAgency.GOV.UK/news/{SLUG}", "nca", f"{NCA}/news/{SLUG}"),
        # default ports, and a port that is not one
        (f"https://www.nationalcrimeagency.gov.uk:443/news/{SLUG}", "nca", f"{NCA}/news/{SLUG}"),
        ("http://news.example.org:80/a", "generic", "http://news.example.org/a"),
        ("http://127.0.0.1:8765/news/a", "generic", "http://127.0.0.1:8765/news/a"),
        # trailing slash; the root keeps its slash, and an empty path becomes it
        (f"{NCA}/news/{SLUG}/", "nca", f"{NCA}/news/{SLUG}"),
        ("https://news.example.org/", "generic", "https://news.example.org/"),
        ("https://news.example.org", "generic", "https://news.example.org/"),
        # tracking parameters go, the others stay, sorted
        (
            f"{NCA}/news/{SLUG}?utm_source=twitter&utm_medium=social&utm_campaign=x",
            "nca",
            f"{NCA}/news/{SLUG}",
        ),
        (
            "https://news.example.org/a?fbclid=IwAR0x&gclid=Cj0&msclkid=1&mc_cid=2&mc_eid=3",
            "generic",
            "https://news.example.org/a",
        ),
        (
            "https://www.bbc.co.uk/news/uk-1?at_medium=RSS&at_campaign=rss&ns_source=t",
            "generic",
            "https://www.bbc.co.uk/news/uk-1",
        ),
        (
            "https://www.theguardian.com/a?CMP=share_btn_tw",
            "generic",
            "https://www.theguardian.com/a",
        ),
        (
            "https://news.example.org/story?page=2&id=7&utm_source=x",
            "generic",
            "https://news.example.org/story?id=7&page=2",
        ),
        # fragments
        (f"{NCA}/news/{SLUG}#top", "nca", f"{NCA}/news/{SLUG}"),
        # the NCA's numeric-id and slug forms of one release
        (f"{NCA}/news/1357-{SLUG}", "nca", f"{NCA}/news/{SLUG}"),
        (f"{NCA}/news/1357-{SLUG}/?utm_source=x#a", "nca", f"{NCA}/news/{SLUG}"),
        # ...which only the nca profile knows
        (f"{NCA}/news/1357-{SLUG}", "generic", f"{NCA}/news/1357-{SLUG}"),
        # a headline's own leading number is no id
        (
            f"{NCA}/news/38-arrested-in-week-of-action",
            "nca",
            f"{NCA}/news/38-arrested-in-week-of-action",
        ),
        (f"{NCA}/news/2023-24-annual-report", "nca", f"{NCA}/news/2023-24-annual-report"),
    ],
)
def test_page_key(url: str, profile: str, identity: str) -> None:
    assert page_key(url, profile) == identity


@pytest.mark.parametrize(
    ("a", "b", "profile"),
    [
        (
            f"{NCA}/news/38-arrested-in-week-of-action",
            f"{NCA}/news/40-arrested-in-week-of-action",
            "nca",
        ),
        (f"{NCA}/news/2023-24-annual-report", f"{NCA}/news/2022-23-annual-report", "nca"),
        (f"{NCA}/news/1357-{SLUG}", f"{NCA}/news/1358-another-release", "nca"),
        ("https://news.example.org/story?id=7", "https://news.example.org/story?id=8", "generic"),
        ("http://127.0.0.1:8765/news/a", "http://127.0.0.1:8766/news/a", "generic"),
        ("https://news.example.org/a", "https://news.example.org/b", "generic"),
        ("https://news.example.org/A", "https://news.example.org/a", "generic"),
    ],
)
def test_different_releases_stay_different(a: str, b: str, profile: str) -> None:
    assert page_key(a, profile) != page_key(b, profile)


def test_fetch_url_keeps_path_and_query_order_for_the_server() -> None:
    assert (
        fetch_url(f"HTTPS://WWW.NATIONALCRIMEAGENCY.GOV.UK:443/news/1357-{SLUG}/?b=1&a=2&utm_x=3#t")
        == f"{NCA}/news/1357-{SLUG}/?b=1&a=2"
    )


@pytest.mark.parametrize(
    "url", ["http://[::1/", "", "not a url", "http://a.test:99999/x", "http://a.test/%zz"]
)
def test_identity_of_unreadable_urls_never_raises(url: str) -> None:
    assert isinstance(page_key(url, "nca"), str)
    assert isinstance(fetch_url(url), str)


# ---------------------------------------------------------------------------------------
# The identity a page declares


def head(*tags: str) -> bytes:
    return f"<html><head>{''.join(tags)}</head><body><p>text</p></body></html>".encode()


FETCHED = "https://news.example.org/a?share=1"


@pytest.mark.parametrize(
    ("body", "identity"),
    [
        (
            head('<link rel="canonical" href="https://news.example.org/story/">'),
            "https://news.example.org/story",
        ),
        (head('<link href="/story" rel="Canonical">'), "https://news.example.org/story"),
        (
            head('<meta property="og:url" content="https://news.example.org/og">'),
            "https://news.example.org/og",
        ),
        (
            head(
                '<script type="application/ld+json">{"@type": "NewsArticle",'
                ' "url": "https://news.example.org/ld",'
                ' "publisher": {"@type": "Organization", "url": "https://news.example.org/"}}</script>'
            ),
            "https://news.example.org/ld",
        ),
        (
            head(
                '<script type="application/ld+json">{"@graph": [{"@type": "WebSite",'
                ' "url": "https://news.example.org/"}, {"@type": ["ReportageNewsArticle"],'
                ' "mainEntityOfPage": {"@type": "WebPage", "@id": "https://news.example.org/m"}}]}'
                "</script>"
            ),
            "https://news.example.org/m",
        ),
        # the canonical link comes first; one outside the allowed hosts is passed over
        (
            head(
                '<meta property="og:url" content="https://news.example.org/og">',
                '<link rel="canonical" href="https://news.example.org/first">',
            ),
            "https://news.example.org/first",
        ),
        (
            head(
                '<link rel="canonical" href="https://syndicated.example.com/original">',
                '<meta property="og:url" content="https://news.example.org/og">',
            ),
            "https://news.example.org/og",
        ),
        # negatives: outside the allowed hosts, the home page, a publisher's url, no http(s)
        (
            head('<link rel="canonical" href="https://evil.example.com/a">'),
            "https://news.example.org/a?share=1",
        ),
        (
            head('<link rel="canonical" href="https://news.example.org/">'),
            "https://news.example.org/a?share=1",
        ),
        (
            head(
                '<script type="application/ld+json">{"@type": "Organization",'
                ' "url": "https://news.example.org/about"}</script>'
            ),
            "https://news.example.org/a?share=1",
        ),
        (
            head('<link rel="canonical" href="javascript:alert(1)">'),
            "https://news.example.org/a?share=1",
        ),
        (
            head('<link rel="alternate" href="https://news.example.org/amp">'),
            "https://news.example.org/a?share=1",
        ),
        (b"\x89PNG\r\n\x1a\n canonical", "https://news.example.org/a?share=1"),
        (None, "https://news.example.org/a?share=1"),
    ],
)
def test_page_identity_from_what_the_page_declares(body: bytes | None, identity: str) -> None:
    assert page_identity(FETCHED, body, accept=NEWS_SOURCE.is_article) == identity


def test_a_declared_url_must_be_an_article_of_the_source() -> None:
    """The nca profile's article pattern: a canonical link to the listing is not the page."""
    body = head(f'<link rel="canonical" href="{NCA}/news">')
    url = f"{NCA}/news/1357-{SLUG}"
    assert page_identity(url, body, accept=NCA_SOURCE.is_article, profile="nca") == (
        f"{NCA}/news/{SLUG}"
    )
    body = head(f'<link rel="canonical" href="http://nationalcrimeagency.gov.uk/news/{SLUG}/">')
    assert page_identity(url, body, accept=NCA_SOURCE.is_article, profile="nca") == (
        f"http://nationalcrimeagency.gov.uk/news/{SLUG}"
    )


def test_json_ld_after_the_head_is_read() -> None:
    body = (
        b"<html><head><title>x</title></head><body><p>text</p>"
        b'<script type="application/ld+json">{"@type": "BlogPosting",'
        b' "url": "https://news.example.org/late"}</script></body></html>'
    )
    assert declared_urls(body, FETCHED) == ["https://news.example.org/late"]


# ---------------------------------------------------------------------------------------
# In the warehouse: one release by id, slug, utm and trailing slash is one page

RELEASE_FORMS = [
    f"{NCA}/news/1357-{SLUG}",
    f"{NCA}/news/{SLUG}?utm_source=twitter&utm_medium=social",
    f"{NCA}/news/{SLUG}/",
    f"https://WWW.nationalcrimeagency.gov.uk:443/news/1357-{SLUG}/#main",
]


def test_one_release_by_its_id_slug_utm_and_slash_urls_is_one_page(db_url: str) -> None:
    from domain.urls import source_page_identity

    body = SAMPLE_RELEASE.read_bytes()
    engine = get_engine(db_url)
    archived = []
    with engine.begin() as conn:
        sid = wh.register_sources(conn, [NCA_SOURCE])["nca"]
        for url in RELEASE_FORMS:
            identity = source_page_identity(NCA_SOURCE, url, body)
            archived.append(wh.archive(conn, sid, Fetched(url, body), identity=identity))
        # A 304 for any form belongs to that page too.
        gone = wh.archive(conn, sid, Fetched(f"{NCA}/news/{SLUG}", None, not_modified=True))
    assert archived[1:] == [(archived[0][0], None)] * 3 and gone == (archived[0][0], None)
    with engine.connect() as conn:
        pages = conn.execute(text("SELECT url, fetched_url FROM pages")).all()
        versions = conn.execute(text("SELECT COUNT(*) FROM page_versions")).scalar_one()
        states = wh.page_states(conn, [fetch_url(u) for u in RELEASE_FORMS])
    assert [tuple(p) for p in pages] == [(f"{NCA}/news/{SLUG}", f"{NCA}/news/{SLUG}")]
    assert versions == 1
    assert {s.page_id for s in states.values()} == {archived[0][0]}


class _OneRelease(BaseHTTPRequestHandler):
    """Serves one NCA-shaped release at every URL form of it, and 404 elsewhere."""

    body = SAMPLE_RELEASE.read_bytes()
    paths = frozenset({f"/news/1357-{SLUG}", f"/news/{SLUG}", f"/news/{SLUG}/"})

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/robots.txt":
            self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        elif path in self.paths:
            self._send(200, self.body, "text/html; charset=utf-8")
        else:
            self._send(404, b"not found", "text/plain")

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if status == 200 and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def one_release() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OneRelease)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _urls_source(tmp_path: Path, name: str, urls: list[str]) -> str:
    path = tmp_path / f"{name}.yaml"
    entry = {
        "name": "nca-forms",
        "kind": "urls",
        "profile": "nca",
        "urls": urls,
        "allowed_hosts": ["127.0.0.1"],
        "rate_limit": 0,
        "allow_private_hosts": True,
    }
    path.write_text(yaml.safe_dump({"sources": [entry]}), encoding="utf-8")
    return str(path)


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_a_crawl_reaching_one_release_by_every_form_keeps_one_page(
    db_url: str, one_release: str, tmp_path: Path
) -> None:
    from flows.etl import etl

    forms = [
        f"{one_release}/news/1357-{SLUG}",
        f"{one_release}/news/{SLUG}?utm_source=twitter&utm_medium=social",
        f"{one_release}/news/{SLUG}/",
    ]
    first = etl(sources_file=_urls_source(tmp_path, "all", forms), db_url=db_url)
    assert (first["discovered"], first["fetched"], first["failed"]) == (1, 1, 0)
    # Later runs that reach it by one other form each fetch nothing new and add no row
    # (whether they ask conditionally or know it is settled: docs/SOURCES.md).
    before = warehouse_content(db_url)
    for i, form in enumerate(forms[1:]):
        again = etl(sources_file=_urls_source(tmp_path, f"one{i}", [form]), db_url=db_url)
        assert (again["fetched"], again["unchanged"], again["failed"]) == (0, 0, 0)
    after = warehouse_content(db_url)
    assert counts(after)["pages"] == 1 and counts(after)["articles"] == 1
    unfetched = {t: rows for t, rows in after.items() if t != "pages"}
    assert unfetched == {t: rows for t, rows in before.items() if t != "pages"}
    page = dict(after["pages"][0])
    assert page["url"] == f"{one_release}/news/{SLUG}"
    assert page["fetched_url"] == forms[0]  # the URL it was asked for by


# ---------------------------------------------------------------------------------------
# The demo, twice


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_demo_twice_leaves_identical_rows(db_url: str) -> None:
    from app.demo import run_demo

    run_demo(db_url)
    first = warehouse_content(db_url)
    run_demo(db_url)
    second = warehouse_content(db_url)
    assert counts(first)["articles"] == 11 and counts(first)["pages"] == 11
    assert counts(second) == counts(first)
    assert second == first, content_diff(first, second)


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_demo_on_another_port_keeps_every_page_its_row(db_url: str) -> None:
    """Served on another port (the default one taken, or --port), the demo's pages are the
    same rows: only where the site was served is recorded anew (sources.start_url, and
    pages.fetched_url, the URL each page was last asked for)."""
    from app.demo import SAMPLE_ORIGIN, run_demo

    one, two = _free_ports(2)
    run_demo(db_url, port=one)
    first = warehouse_content(db_url)
    run_demo(db_url, port=two)
    second = warehouse_content(db_url)
    assert counts(second) == counts(first)
    where = {("sources", "start_url"), ("pages", "fetched_url")}
    assert _without(second, where) == _without(first, where), content_diff(first, second)
    assert {dict(r)["start_url"] for r in second["sources"]} == {
        f"http://127.0.0.1:{two}/news",
        f"http://127.0.0.1:{two}/local-news/child-trafficking-week-just-two-arrests-per-force",
    }
    assert all(dict(r)["url"].startswith(SAMPLE_ORIGIN) for r in second["pages"])
    assert all(f":{two}/" in dict(r)["fetched_url"] for r in second["pages"])


def _without(content: dict[str, list[Any]], columns: set[tuple[str, str]]) -> dict[str, Any]:
    return {
        t: sorted(
            (tuple((c, v) for c, v in row if (t, c) not in columns) for row in rows), key=repr
        )
        for t, rows in content.items()
    }


# ---------------------------------------------------------------------------------------
# Warehouses keyed the old way (before 0003)


def _as_before_0003(engine: Any, urls: dict[int, str]) -> None:
    """Pages as 0002 stored them: url as fetched, no fetched_url."""
    with engine.begin() as conn:
        for pid, url in urls.items():
            conn.execute(
                text("UPDATE pages SET url = :u, fetched_url = NULL WHERE id = :p"),
                {"u": url, "p": pid},
            )
            conn.execute(
                text("UPDATE articles SET url = :u WHERE page_id = :p"), {"u": url, "p": pid}
            )


def test_a_run_merges_pages_that_were_one_page_under_the_old_identity(db_url: str) -> None:
    """Three pages of an 0002 warehouse are one release: the id form and the slug form with
    a trailing slash archived the same body (read twice, two claims of 38 arrests), the
    slug form with utm parameters a corrected one later (40 arrests)."""
    from db.identity import rekey_pages

    engine = get_engine(db_url)
    with engine.begin() as conn:
        sid = wh.register_sources(conn, [NCA_SOURCE])["nca"]
    forms = [
        (f"{NCA}/news/1357-{SLUG}", b"<html>one</html>", T0, 38),
        (f"{NCA}/news/{SLUG}/", b"<html>one</html>", T0, 38),
        (f"{NCA}/news/{SLUG}?utm_source=x", b"<html>two</html>", T1, 40),
    ]
    old: dict[int, str] = {}
    for i, (url, body, at, arrests) in enumerate(forms):
        fetched = Fetched(f"{NCA}/news/form-{i}", body, at)  # archived apart, then renamed
        load_one(engine, sid, fetched, extraction(url, arrests))
        with engine.connect() as conn:
            old[conn.execute(text("SELECT MAX(id) FROM pages")).scalar_one()] = url
    _as_before_0003(engine, old)
    with engine.connect() as conn:
        claims = conn.execute(
            text(
                "SELECT claims FROM operation_figures WHERE scope = 'operation' AND metric = 'arrests'"
            )
        ).scalar_one()
    assert claims == 3

    assert rekey_pages(engine, [NCA_SOURCE], source_page_identity) == 2
    with engine.begin() as conn:
        rebuild(conn)  # the derive stage, as the run calls it next
    with engine.connect() as conn:
        pages = conn.execute(text("SELECT id, url, fetched_url, content_hash FROM pages")).all()
        versions = conn.execute(text("SELECT page_id FROM page_versions")).scalars().all()
        articles = conn.execute(
            text("SELECT page_id, url, superseded_at IS NULL FROM articles ORDER BY id")
        ).all()
        reconciled = conn.execute(
            text(
                "SELECT value, claims, conflict FROM operation_figures"
                " WHERE scope = 'operation' AND metric = 'arrests'"
            )
        ).one()
    (kept,) = [p.id for p in pages]
    first = min(old)
    assert [tuple(p) for p in pages] == [
        (
            first,
            f"{NCA}/news/{SLUG}",
            f"{NCA}/news/1357-{SLUG}",
            hashlib.sha256(b"<html>two</html>").hexdigest(),
        )
    ]
    assert versions == [kept, kept]  # one body archived twice is kept once
    # The second reading of the same body is gone; the corrected one is current.
    assert [tuple(a) for a in articles] == [
        (kept, f"{NCA}/news/{SLUG}", False),
        (kept, f"{NCA}/news/{SLUG}", True),
    ]
    assert (reconciled.value, reconciled.claims, bool(reconciled.conflict)) == (40, 1, False)
    assert rekey_pages(engine, [NCA_SOURCE], source_page_identity) == 0  # once only


def test_a_page_keyed_the_old_way_is_rekeyed_by_its_sources_run_only(db_url: str) -> None:
    from db.identity import rekey_pages

    engine = get_engine(db_url)
    with engine.begin() as conn:
        sid = wh.register_sources(conn, [NCA_SOURCE])["nca"]
    load_one(
        engine, sid, Fetched(f"{NCA}/news/x", b"<html>one</html>"), extraction(f"{NCA}/news/x", 38)
    )
    _as_before_0003(engine, {1: f"{NCA}/news/1357-{SLUG}/"})
    assert rekey_pages(engine, [NEWS_SOURCE], source_page_identity) == 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT url, fetched_url FROM pages")).one() == (
            f"{NCA}/news/1357-{SLUG}/",
            None,
        )
    assert rekey_pages(engine, [NCA_SOURCE], source_page_identity) == 0
    with engine.connect() as conn:
        assert tuple(conn.execute(text("SELECT url, fetched_url FROM pages")).one()) == (
            f"{NCA}/news/{SLUG}",
            f"{NCA}/news/1357-{SLUG}/",
        )
        assert conn.execute(text("SELECT url FROM articles")).scalar_one() == f"{NCA}/news/{SLUG}"


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_an_old_demo_warehouse_loses_its_copies_on_the_next_demo(
    db_url: str, tmp_path: Path
) -> None:
    """Before 0003 each `optally demo` served the site on a random port and stored every
    page again under it. The next demo merges those copies into the pages it keeps: the
    warehouse is then what one demo leaves."""
    from app.demo import DEMO_SOURCES, run_demo, write_demo_sources
    from app.sample_server import SampleSite
    from flows.etl import etl

    for port in _free_ports(2):  # two old demos, keyed by their port
        with SampleSite(port=port) as site:
            sources = write_demo_sources(site, tmp_path)
            data = yaml.safe_load(sources.read_text(encoding="utf-8"))
            for entry in data["sources"]:
                entry["allowed_hosts"] = ["127.0.0.1"]  # the old demo allowed no other
            sources.write_text(yaml.safe_dump(data), encoding="utf-8")
            etl(sources_file=str(sources), db_url=db_url)
    engine = get_engine(db_url)
    with engine.connect() as conn:
        old = dict(conn.execute(text("SELECT id, url FROM pages")).all())
    _as_before_0003(engine, old)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM articles")).scalar_one() == 22
        names = set(conn.execute(text("SELECT name FROM sources")).scalars())
    assert names == set(DEMO_SOURCES)

    run_demo(db_url)
    merged = warehouse_content(db_url)
    fresh_url = f"sqlite:///{tmp_path / 'fresh.db'}"
    run_demo(fresh_url)
    fresh = warehouse_content(fresh_url)
    assert counts(merged) == counts(fresh)
    # The bodies were archived by the old demos, from their own ports.
    where = {("page_versions", "final_url")}
    assert _without(merged, where) == _without(fresh, where), content_diff(fresh, merged)


def test_a_page_added_by_hand_before_0003_takes_its_identity_when_fetched_again(
    db_url: str,
) -> None:
    """Pages of `optally add` are not re-keyed in bulk (the manual source knows only the
    hosts of its own URLs): the archive re-keys one when its URL is asked for again."""
    engine = get_engine(db_url)
    url = "https://news.example.org/story/?utm_source=x"
    with engine.begin() as conn:
        sid = wh.register_sources(conn, [NEWS_SOURCE])["news"]
    load_one(
        engine,
        sid,
        Fetched("https://news.example.org/story", b"<html>one</html>"),
        extraction(url, 38),
    )
    _as_before_0003(engine, {1: "https://news.example.org/story/"})
    with engine.begin() as conn:
        again = wh.archive(
            conn, sid, Fetched("https://news.example.org/story/", b"<html>two</html>", T1)
        )
    assert again[0] == 1 and again[1] is not None
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(text("SELECT id, url, fetched_url FROM pages"))] == [
            (1, "https://news.example.org/story", "https://news.example.org/story/")
        ]
        assert conn.execute(text("SELECT COUNT(*) FROM page_versions")).scalar_one() == 2


def test_0003_marks_existing_pages_as_keyed_the_old_way_and_downgrades(db_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from db.engine import current_revision
    from tests.test_migrations import migrate

    engine = get_engine(db_url, migrate=False)
    migrate(engine, command.upgrade, "0002")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sources (id, name, kind, profile, official) VALUES"
                " (1, 'nca', 'listing', 'nca', TRUE)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO pages (id, url, source_id, first_seen_at) VALUES"
                " (1, :u, 1, '2021-11-05 09:00:00')"
            ),
            {"u": f"{NCA}/news/1357-{SLUG}/"},
        )
    migrate(engine, command.upgrade, "0003")
    assert current_revision(engine) == "0003"
    with engine.connect() as conn:
        assert tuple(conn.execute(text("SELECT url, fetched_url FROM pages")).one()) == (
            f"{NCA}/news/1357-{SLUG}/",
            None,
        )
    migrate(engine, command.downgrade, "0002")
    with engine.connect() as conn:
        assert "fetched_url" not in {c["name"] for c in inspect(conn).get_columns("pages")}
        assert (
            conn.execute(text("SELECT url FROM pages")).scalar_one() == f"{NCA}/news/1357-{SLUG}/"
        )
