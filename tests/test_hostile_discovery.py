"""A hostile web, discovery's share (issue 19): charsets that name no text encoding, a
listing built to be quadratic, a sitemap of a million URLs, URLs that fail run after run,
and discovery warnings that reach the run summary. Every server is on 127.0.0.1 and stops
with its test; every request has a short timeout."""

from __future__ import annotations

import contextlib
import random
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
import yaml
from sqlalchemy import text

from config.settings import Settings, get_settings
from config.sources import Source
from db import load as wh
from db.backoff import backing_off
from db.engine import get_engine
from db.report_queries import ReportData
from profiles.nca import parse_nca_listing
from tasks.article import decode_html, parse_article
from tasks.discover import discover, iter_sitemap, parse_feed
from tasks.fetch import Fetcher
from tasks.publish import md_escape, summary_markdown

# ---------------------------------------------------------------------------
# A tiny site on 127.0.0.1: path -> (status, Content-Type, body)

Route = tuple[int, str, bytes]
HANDLER_TIMEOUT = 5.0  # seconds a server thread waits on a silent client


class Site:
    """Serves fixed routes on 127.0.0.1 (404 for the rest, robots.txt included) and counts
    requests by path; ``routes`` may change while it runs."""

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.hits: dict[str, int] = {}
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            timeout = HANDLER_TIMEOUT

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                with site._lock:
                    site.hits[self.path] = site.hits.get(self.path, 0) + 1
                    status, ctype, body = site.routes.get(self.path, (404, "text/plain", b"no"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)  # a client that stopped reading hung up

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> Site:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self._httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    def count(self, path: str) -> int:
        with self._lock:
            return self.hits.get(path, 0)


def source(site: Site, kind: str, path: str | None, **extra: Any) -> Source:
    values: dict[str, Any] = {
        "name": "hostile",
        "kind": kind,
        "profile": "nca",
        "start_url": site.url(path) if path else None,
        "allowed_hosts": [site.host],
        "rate_limit": 0,
        "allow_private_hosts": True,
    }
    values.update(extra)
    return Source.model_validate(values)


@pytest.fixture
def fetcher_for() -> Iterator[Callable[..., Fetcher]]:
    """Fetchers with short timeouts and one attempt; settings overridable per test."""
    made: list[Fetcher] = []

    def make(**overrides: Any) -> Fetcher:
        values: dict[str, Any] = {"connect_timeout": 1, "read_timeout": 2, "max_attempts": 1}
        f = Fetcher(Settings(**{**values, **overrides}), rng=random.Random(1))
        made.append(f)
        return f

    yield make
    for f in made:
        f.close()


# ---------------------------------------------------------------------------
# 4. Charsets that name a codec but no text encoding

CAFE_TITLE = "Café owner jailed for modern slavery offences"
CODEC_LABELS = ("idna", "undefined", "punycode", "unicode_escape", "base64")


def nca_listing(items: list[tuple[str, str]], meta_charset: str | None = None) -> str:
    """An NCA-shaped blog listing (the nca profile's selector) of (slug, title) items."""
    meta = f'<meta charset="{meta_charset}">' if meta_charset else ""
    cells = "".join(
        '<div class="item"><div class="page-header"><h2>'
        f'<a href="/news/{slug}">{title}</a></h2></div>'
        '<div class="item-date">09 June 2026</div><p>Introduction.</p></div>'
        for slug, title in items
    )
    return (
        f"<html><head>{meta}<title>News</title></head><body><main>"
        f'<div class="blog news-page"><div class="row-fluid">{cells}</div></div>'
        "</main></body></html>"
    )


def cafe_article(meta_charset: str) -> str:
    return (
        f'<html><head><meta charset="{meta_charset}"><title>{CAFE_TITLE}</title></head><body>'
        f'<div class="item-page"><div class="page-header"><h1 itemprop="headline">{CAFE_TITLE}'
        '</h1></div><div itemprop="articleBody"><p>The owner of a café in Leeds was jailed after '
        "officers found four workers held in débt bondage. Twelve people were arrested.</p>"
        "<p>09 June 2026</p></div></div></body></html>"
    )


@pytest.mark.parametrize("label", CODEC_LABELS)
def test_decode_html_ignores_a_charset_that_is_no_text_encoding(label: str) -> None:
    page = cafe_article(label)
    data = page.encode("utf-8")
    assert decode_html(data, f"text/html; charset={label}") == page
    assert decode_html(data, charset=label) == page
    assert decode_html(data) == page  # the <meta> names it too


@pytest.mark.parametrize("label", CODEC_LABELS)
def test_listing_served_with_a_codec_charset_is_read(
    label: str, fetcher_for: Callable[..., Fetcher]
) -> None:
    items = [("cafe-owner-jailed", CAFE_TITLE), ("second-release", "Déjà vu: gang jailed again")]
    body = nca_listing(items, meta_charset=label).encode("utf-8")
    with Site({"/news": (200, f"text/html; charset={label}", body)}) as site:
        d = discover(source(site, "listing", "/news"), fetcher_for())
        assert [(x.url, x.title) for x in d.links] == [
            (site.url(f"/news/{slug}"), title) for slug, title in items
        ]
        assert (d.stopped, d.failures, d.warnings) == ("end", [], [])


@pytest.mark.parametrize("label", CODEC_LABELS)
def test_article_served_with_a_codec_charset_is_read(
    label: str, fetcher_for: Callable[..., Fetcher]
) -> None:
    body = cafe_article(label).encode("utf-8")
    with Site({"/news/cafe": (200, f"text/html; charset={label}", body)}) as site:
        result = fetcher_for().fetch(
            site.url("/news/cafe"), allowed_hosts=[site.host], rate_limit=0, allow_private=True
        )
        assert (result.ok, result.encoding) == (True, label)
        article = parse_article(result.body or b"", url=result.final_url, profile="nca")
    assert article.title == CAFE_TITLE
    assert "débt bondage" in article.body and "\ufffd" not in article.body


# ---------------------------------------------------------------------------
# 7. Listing parsing is linear

LINEAR_SMALL, LINEAR_LARGE = 1000, 4000
MAX_RATIO = 6.0  # 4x the items: linear is ~4x, the quadratic walk was ~15x
MAX_LARGE_SECONDS = 4.0  # 4,000 items took 129 s before; about 1 s now


ROUNDS = 3  # the fastest of three, alternating sizes: a busy machine adds noise, never speed


def _listing(n: int) -> str:
    return nca_listing([(f"item-{i}", f"Release number {i} about county lines") for i in range(n)])


def _parse(html: str, n: int) -> float:
    started = time.perf_counter()
    links, _next = parse_nca_listing(html, "https://www.nationalcrimeagency.gov.uk/news")
    elapsed = time.perf_counter() - started
    assert len(links) == n
    assert links[-1].url == f"https://www.nationalcrimeagency.gov.uk/news/item-{n - 1}"
    assert links[-1].published is not None and links[-1].published.isoformat() == "2026-06-09"
    return elapsed


def test_nca_listing_parse_time_is_linear_in_items() -> None:
    pages = {n: _listing(n) for n in (LINEAR_SMALL, LINEAR_LARGE)}
    best = dict.fromkeys(pages, float("inf"))
    for _ in range(ROUNDS):
        for n, html in pages.items():
            best[n] = min(best[n], _parse(html, n))
    small, large = best[LINEAR_SMALL], best[LINEAR_LARGE]
    assert large < MAX_LARGE_SECONDS, large
    assert large / small < MAX_RATIO, (small, large)


# ---------------------------------------------------------------------------
# 8. A bound on URLs per source, streamed feeds and sitemaps

MILLION = 1_000_000
BOUND = 5000
# A million-URL sitemap took 4.0 s alone and 5.2-5.6 s in full test runs on a machine running at
# half its usual speed; unbounded or quadratic work takes minutes, so 10 s still catches it
# without failing on a slow machine.
MAX_SITEMAP_SECONDS = 10.0
MAX_PEAK_BYTES = 16 * 1024 * 1024  # measured 5.2 MB: the 2.6 MB gzipped body and a copy


def gzipped_sitemap(n: int, path: str = "/news/item-") -> bytes:
    """A gzipped <urlset> of ``n`` URLs, built in chunks (61 MB uncompressed for a million)."""
    c = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [
        c.compress(
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        )
    ]
    step = 10_000
    for start in range(0, n, step):
        chunk = "".join(
            f"<url><loc>http://127.0.0.1:1{path}{i}</loc></url>\n"
            for i in range(start, min(n, start + step))
        )
        parts.append(c.compress(chunk.encode()))
    parts += [c.compress(b"</urlset>\n"), c.flush()]
    return b"".join(parts)


@pytest.fixture(scope="module")
def million_url_sitemap() -> bytes:
    return gzipped_sitemap(MILLION)


def test_million_url_sitemap_yields_exactly_the_bound(
    million_url_sitemap: bytes, fetcher_for: Callable[..., Fetcher]
) -> None:
    routes = {"/sitemap.xml.gz": (200, "application/x-gzip", million_url_sitemap)}
    with Site(routes) as site:
        # The sitemap's URLs name port 1 of 127.0.0.1: allowed, never fetched.
        src = source(site, "sitemap", "/sitemap.xml.gz", allowed_hosts=[site.host, "127.0.0.1:1"])
        fetcher = fetcher_for(max_urls_per_source=BOUND)
        tracemalloc.start()
        started = time.perf_counter()
        try:
            d = discover(src, fetcher)
            elapsed = time.perf_counter() - started
            _now, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert len(d.links) == BOUND
    assert (d.links[0].url, d.links[-1].url) == (
        "http://127.0.0.1:1/news/item-0",
        f"http://127.0.0.1:1/news/item-{BOUND - 1}",
    )
    assert (d.stopped, d.pages_fetched, d.failures) == ("max_urls", 1, [])
    assert d.warnings == [
        "more than 5,000 article URLs found: kept the first 5,000 (max_urls_per_source)"
    ]
    assert elapsed < MAX_SITEMAP_SECONDS, elapsed
    assert peak < MAX_PEAK_BYTES, peak


def test_streamed_sitemap_reads_no_further_than_its_consumer() -> None:
    """The parser itself: stopping after 10 entries of a million costs microseconds' worth
    of the document, not the 61 MB (a generator that read ahead would take seconds)."""
    body = gzipped_sitemap(200_000)
    # CPU time, not wall clock: the bound must hold on a loaded machine too. Reading the whole
    # document takes several CPU seconds; ten entries take milliseconds.
    started = time.process_time()
    entries = iter_sitemap(body, "http://127.0.0.1:1/", [])
    first = [next(entries) for _ in range(10)]
    entries.close()
    assert [link.url for _kind, link in first] == [
        f"http://127.0.0.1:1/news/item-{i}" for i in range(10)
    ]
    assert time.process_time() - started < 1.0


def test_a_big_feed_stops_at_the_bound(fetcher_for: Callable[..., Fetcher]) -> None:
    items = "".join(
        f"<item><title>Release {i}</title><link>/news/release-{i}</link></item>"
        for i in range(20_000)
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()
    with Site({"/feed.xml": (200, "application/rss+xml", feed)}) as site:
        d = discover(source(site, "feed", "/feed.xml"), fetcher_for(max_urls_per_source=100))
        assert [x.url for x in d.links] == [site.url(f"/news/release-{i}") for i in range(100)]
    assert d.stopped == "max_urls"
    assert d.warnings == [
        "more than 100 article URLs found: kept the first 100 (max_urls_per_source)"
    ]


def test_a_source_under_the_bound_is_read_whole(fetcher_for: Callable[..., Fetcher]) -> None:
    body = gzipped_sitemap(100)
    with Site({"/sitemap.xml.gz": (200, "application/x-gzip", body)}) as site:
        src = source(site, "sitemap", "/sitemap.xml.gz", allowed_hosts=[site.host, "127.0.0.1:1"])
        d = discover(src, fetcher_for(max_urls_per_source=100))
    assert (len(d.links), d.stopped, d.warnings) == (100, "end", [])


def test_a_feed_item_with_fifty_thousand_categories_is_read_in_linear_time() -> None:
    categories = "".join(f"<category>tag {i}</category>" for i in range(50_000))
    feed = (
        '<rss version="2.0"><channel><item><title>Tagged</title><link>https://x.test/news/t</link>'
        f"{categories}<category>tag 0</category></item></channel></rss>"
    )
    started = time.perf_counter()
    [link] = parse_feed(feed, "https://x.test/")
    assert time.perf_counter() - started < 2.0  # the list-membership dedupe took minutes
    assert len(link.tags) == 50_000 and link.tags[:2] == ("tag 0", "tag 1")


# ---------------------------------------------------------------------------
# 9. Discovery warnings, one by one (the flow test below checks they reach the summary)


def test_sitemap_loop_warns(fetcher_for: Callable[..., Fetcher]) -> None:
    def index(child: str) -> bytes:
        return (
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{child}</loc></sitemap></sitemapindex>"
        ).encode()

    with Site() as site:
        site.routes["/a.xml"] = (200, "application/xml", index(site.url("/b.xml")))
        site.routes["/b.xml"] = (200, "application/xml", index(site.url("/a.xml")))
        d = discover(source(site, "sitemap", "/a.xml"), fetcher_for())
        assert d.warnings == [
            f"sitemap {site.url('/a.xml')} is listed again (a loop or a repeat): read once"
        ]
        assert (site.count("/a.xml"), site.count("/b.xml"), d.links) == (1, 1, [])


def test_warnings_are_deduplicated_and_bounded(fetcher_for: Callable[..., Fetcher]) -> None:
    """A sitemap index whose 30 children are empty, each listed twice: 30 distinct
    warnings, each once, and the summary keeps the first 20 and counts the rest."""
    empty = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'
    with Site() as site:
        children = "".join(
            f"<sitemap><loc>{site.url(f'/c{i}.xml')}</loc></sitemap>" for i in range(30)
        )
        site.routes["/index.xml"] = (
            200,
            "application/xml",
            f"<sitemapindex>{children}{children}</sitemapindex>".encode(),
        )
        site.routes.update({f"/c{i}.xml": (200, "application/xml", empty) for i in range(30)})
        d = discover(source(site, "sitemap", "/index.xml", max_pages=100), fetcher_for())
        expected = [f"no URLs in sitemap {site.url(f'/c{i}.xml')}" for i in range(20)]
        assert d.warnings == [*expected, "40 more warnings"]  # 10 empty, 30 loops
        assert d.pages_fetched == 31


def test_url_list_entries_that_are_not_articles_warn(fetcher_for: Callable[..., Fetcher]) -> None:
    with Site() as site:
        urls = [site.url(p) for p in ("/news/kept", "/about/us", "/contact", "/a/b", "/c/d")]
        d = discover(source(site, "urls", None, urls=urls), fetcher_for())
        assert [x.url for x in d.links] == [site.url("/news/kept")]
        assert d.warnings == [
            "4 of 5 listed URLs dropped as not articles of this source (allowed_hosts or "
            f"article_pattern): {site.url('/about/us')}, {site.url('/contact')}, "
            f"{site.url('/a/b')}, ..."
        ]


# ---------------------------------------------------------------------------
# 8. Back-off from URLs that keep failing: the query


@dataclass
class _Failure:
    url: str
    fetched_at: datetime
    status: int = 503
    error: str = "http 503"
    attempts: int = 1


def test_backing_off_after_three_runs_in_a_row_for_doubling_days(sqlite_url: str) -> None:
    engine = get_engine(sqlite_url)
    t0 = datetime(2026, 6, 1, 12, tzinfo=UTC)
    src = Source(name="s", kind="urls", urls=["https://x.test/news/a"], allowed_hosts=["x.test"])
    with engine.begin() as conn:
        sid = wh.register_sources(conn, [src])[src.name]

    def fail(url: str, at: datetime) -> None:
        with engine.begin() as conn:
            wh.record_failure(conn, sid, _Failure(url, at))

    def off(now: datetime) -> set[str]:
        with engine.connect() as conn:
            return backing_off(conn, sid, now, after=3, base_days=1.0, max_days=30.0)

    a, b = "https://x.test/news/a", "https://x.test/news/b"
    for day in range(2):
        fail(a, t0 + timedelta(days=day))
    fail(b, t0)
    assert off(t0 + timedelta(days=1, hours=1)) == set()  # two failures: still tried
    fail(a, t0 + timedelta(days=2))  # the third run in a row
    third = t0 + timedelta(days=2)
    assert off(third + timedelta(hours=23)) == {a}
    assert off(third + timedelta(days=1)) == set()  # one day later: tried again
    fail(a, third + timedelta(days=1))  # and fails: now two days
    fourth = third + timedelta(days=1)
    assert off(fourth + timedelta(days=1, hours=23)) == {a}
    assert off(fourth + timedelta(days=2)) == set()
    for k in range(10):  # ever longer, at most 30 days
        fail(a, fourth + timedelta(days=100 * (k + 1)))
    last = fourth + timedelta(days=1000)
    assert off(last + timedelta(days=29, hours=23)) == {a}
    assert off(last + timedelta(days=30)) == set()
    with engine.begin() as conn:  # a success deletes the row (db.load.archive): a clean slate
        conn.execute(text("DELETE FROM fetch_failures WHERE url = :u"), {"u": a})
    assert off(last) == set()


def test_pages_named_by_hand_never_back_off(sqlite_url: str) -> None:
    """`optally add URL` fetches the URL however often it failed before."""
    from flows.etl import manual_source
    from tasks.crawl import backing_off_urls

    engine = get_engine(sqlite_url)
    manual = manual_source(["https://x.test/news/a"])
    listed = Source(name="s", kind="urls", urls=["https://x.test/news/a"], allowed_hosts=["x.test"])
    now = datetime.now(UTC)
    with engine.begin() as conn:
        ids = wh.register_sources(conn, [manual, listed])
        for name in ids:
            for _ in range(5):
                wh.record_failure(conn, ids[name], _Failure(f"https://x.test/news/{name}", now))
        settings = Settings()
        assert backing_off_urls(conn, manual, settings) == set()
        assert backing_off_urls(conn, listed, settings) == {"https://x.test/news/s"}


# ---------------------------------------------------------------------------
# Whole runs: back-off and warnings as the flow and `optally run` show them


@pytest.fixture
def flow_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Short timeouts, one attempt; ``setenv`` sets more OPTALLY_* settings."""

    def setenv(**values: str) -> None:
        for k, v in values.items():
            monkeypatch.setenv(f"OPTALLY_{k.upper()}", v)
        get_settings.cache_clear()

    setenv(read_timeout="2", connect_timeout="1", max_attempts="1", backoff_base="0.05")
    yield setenv
    get_settings.cache_clear()


def _article(title: str) -> bytes:
    return (
        f"<html><head><title>{title}</title></head><body><main><article><h1>{title}</h1>"
        "<p>Officers arrested twelve people in a week of action against county lines.</p>"
        "</article></main></body></html>"
    ).encode()


def _write_sources(path: Path, sources: list[dict[str, Any]], site: Site) -> str:
    common = {"allowed_hosts": [site.host], "rate_limit": 0, "allow_private_hosts": True}
    path.write_text(yaml.safe_dump({"sources": [{**common, **s} for s in sources]}))
    return str(path)


HTML = "text/html; charset=utf-8"


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_a_failing_url_is_left_out_after_three_runs_and_tried_after_its_back_off(
    sqlite_url: str, tmp_path: Path, flow_env: Callable[..., None]
) -> None:
    from flows.etl import etl

    with Site({"/news/fine": (200, HTML, _article("A fine release"))}) as site:
        site.routes["/news/broken"] = (503, "text/plain", b"down")
        sources = _write_sources(
            tmp_path / "sources.yaml",
            [
                {
                    "name": "list",
                    "kind": "urls",
                    "profile": "nca",
                    "urls": [site.url("/news/fine"), site.url("/news/broken")],
                }
            ],
            site,
        )
        for run in (1, 2, 3):
            summary = etl(sources_file=sources, db_url=sqlite_url)
            assert [f["url"] for f in summary["failures"]] == [site.url("/news/broken")]
            assert site.count("/news/broken") == run
            assert "warnings" not in summary

        fourth = etl(sources_file=sources, db_url=sqlite_url)
        assert site.count("/news/broken") == 3  # left out: not requested
        assert (fourth["discovered"], fourth["failed"]) == (1, 0)
        assert fourth["warnings"] == [
            "list: 1 URL(s) left out: failed in 3 or more runs in a row, backing off"
        ]

        with get_engine(sqlite_url).begin() as conn:  # a day passes
            conn.execute(
                text("UPDATE fetch_failures SET last_failed_at = :t"),
                {"t": datetime.now(UTC) - timedelta(days=1, minutes=1)},
            )
        site.routes["/news/broken"] = (200, HTML, _article("Mended at last"))
        fifth = etl(sources_file=sources, db_url=sqlite_url)
        assert site.count("/news/broken") == 4  # tried again, and it works now
        assert (fifth["discovered"], fifth["failed"], fifth["fetched"]) == (2, 0, 1)
        with get_engine(sqlite_url).connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM fetch_failures")).scalar_one() == 0


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_discovery_warnings_reach_the_log_the_summary_and_the_artifact(
    sqlite_url: str,
    tmp_path: Path,
    flow_env: Callable[..., None],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from app.cli import print_summary
    from flows.etl import etl

    flow_env(max_urls_per_source="2")
    empty_feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
    )
    with Site() as site:

        def index(child: str) -> bytes:
            return (
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{site.url(child)}</loc></sitemap></sitemapindex>"
            ).encode()

        site.routes.update(
            {
                "/feed.xml": (200, "application/rss+xml", empty_feed),
                "/a.xml": (200, "application/xml", index("/b.xml")),
                "/b.xml": (200, "application/xml", index("/a.xml")),
                "/news": (
                    200,
                    HTML,
                    nca_listing([(f"r{i}", f"Release {i} about fraud") for i in range(3)]).encode(),
                ),
                **{
                    f"/news/r{i}": (200, HTML, _article(f"Release {i} about fraud"))
                    for i in range(3)
                },
            }
        )
        sources = _write_sources(
            tmp_path / "sources.yaml",
            [
                {"name": "empty-feed", "kind": "feed", "start_url": site.url("/feed.xml")},
                {"name": "loop", "kind": "sitemap", "start_url": site.url("/a.xml")},
                {
                    "name": "by-hand",
                    "kind": "urls",
                    "profile": "nca",
                    "urls": [site.url("/news/r0"), site.url("/about/us")],
                },
                {
                    "name": "listing",
                    "kind": "listing",
                    "profile": "nca",
                    "start_url": site.url("/news"),
                },
            ],
            site,
        )
        with caplog.at_level("WARNING"):
            summary = etl(sources_file=sources, db_url=sqlite_url)
        expected = [
            f"empty-feed: no items in feed {site.url('/feed.xml')}",
            f"loop: sitemap {site.url('/a.xml')} is listed again (a loop or a repeat): read once",
            "by-hand: 1 of 2 listed URLs dropped as not articles of this source "
            f"(allowed_hosts or article_pattern): {site.url('/about/us')}",
            "listing: more than 2 article URLs found: kept the first 2 (max_urls_per_source)",
        ]
        assert summary["warnings"] == expected
        assert summary["discovered"] == 3  # r0 by hand, r0 and r1 from the listing
        assert site.count("/news/r2") == 0

    print_summary(summary)
    printed = capsys.readouterr().out.splitlines()
    assert printed[1:] == [f"  warning: {w}" for w in expected]

    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("discover ")]
    for w in expected:
        name, _, warning = w.partition(": ")
        assert f"discover {name}: {warning}" in logged

    markdown = summary_markdown(ReportData(operations=[], details={}), summary)
    section = markdown.split("## Discovery warnings (4)\n\n", 1)[1]
    assert section.splitlines() == [f"- {md_escape(w)}" for w in expected]
    assert section.splitlines()[0] == f"- empty-feed: no items in feed {site.url('/feed.xml')}"
