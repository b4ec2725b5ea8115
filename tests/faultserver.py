"""A fault-injecting, NCA-shaped HTTP server on 127.0.0.1 for tests.

    from tests.faultserver import FaultServer

    with FaultServer() as server:
        server.url("/news")          # the listing, ?start=N pagination, 16 items a page
        server.requests              # every request seen: path, headers, timings

Or use the ``fault_server`` fixture defined below (import it into a test module).

Site (Joomla 3 markup as docs/SOURCES.md, "National Crime Agency", describes; all text is
invented):
- ``/news`` and ``/news?start=N``: blog listing, "Go to next > page" link
- ``/news/<slug>``: article pages (``/news/1357-<slug>`` is the old id-slug style)
- ``/news?format=feed&type=rss``: RSS 2.0 feed of the newest 10 articles
- ``/news-sitemap.xml`` (Google News), ``/sitemap-old.xml`` (plain), ``/sitemap-index.xml``
- ``/api/search.json?start=N&count=C``: GOV.UK Search API shaped JSON; its links are
  ``/government/news/<slug>``, which are served too
- ``/robots.txt``: disallows ``/private/`` (configurable; ``robots_status`` for 404/503)

Faults (a ``-once`` fault fails on the first request for that exact path+query and then
succeeds, so ``?k=<test name>`` gives each test its own counter):
- ``/fault/503-once``, ``/fault/403-once``, ``/fault/429-once`` (Retry-After: 1),
  ``/fault/429-date-once`` (Retry-After as an HTTP-date), ``/fault/always-503``
- ``/fault/hang``: sends nothing for ``hang_seconds``; ``/fault/trickle``: one byte
  every 0.1 s; ``/fault/slow?ms=N``: a normal page after N ms
- ``/fault/trickle-headers``: the status line and headers one byte every 0.2 s, never
  ending them (until the client hangs up, the server stops, or 2 minutes)
- ``/fault/redirect-to?to=<percent-encoded URL>``: 302 to exactly that Location
- ``/fault/big``: 12 MB with Content-Length; ``/fault/big-stream``: no Content-Length,
  streams up to 64 MB until the client hangs up (``bytes_sent`` records how far it got)
- ``/fault/pdf``, ``/fault/json``, ``/fault/no-content-type``, ``/fault/windows-1252``
- ``/fault/redirect-away``: 302 to ``localhost`` on the same port (another host name)
- ``/fault/redirect-home``: 302 to the first article (relative Location)
- ``/fault/redirect-loop``: redirects to itself forever
- ``/fault/conditional``: ETag and Last-Modified; answers 304 to a matching
  If-None-Match or a not-older If-Modified-Since
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import pytest

DEFAULT_ROBOTS = "User-agent: *\nDisallow: /private/\n"
PAGE_SIZE = 16  # the NCA listing's step (docs/SOURCES.md, "National Crime Agency")
FIRST_DATE = date(2026, 6, 9)
BIG_BYTES = 12 * 1024 * 1024
STREAM_LIMIT = 64 * 1024 * 1024
TRICKLE_HEADERS_INTERVAL = 0.2  # seconds per byte
TRICKLE_HEADERS_LIMIT = 600  # bytes: two minutes, so a test that fails still ends
ETAG = '"v1-fault"'
LAST_MODIFIED = "Mon, 01 Jun 2026 10:00:00 GMT"

# Alternating topics so keyword filters have something to keep and something to drop.
_TOPICS = (
    ("Dozens safeguarded in modern slavery week of action", ("Modern slavery",)),
    ("Cannabis factory dismantled after surveillance", ("Drug trafficking", "Cannabis")),
    ("County lines intensification leads to arrests", ("County Lines",)),
    ("Fraudster jailed for pension scam", ("Fraud",)),
    ("Human trafficking network disrupted across Europe", ("Human trafficking",)),
)


@dataclass(frozen=True, slots=True)
class FakeArticle:
    index: int
    slug: str
    title: str
    published: date
    tags: tuple[str, ...]

    @property
    def path(self) -> str:
        return f"/news/{self.slug}"


def make_articles(n: int) -> list[FakeArticle]:
    """Newest first, five days apart, the last one with an old-style id-slug URL."""
    out = []
    for i in range(n):
        title, tags = _TOPICS[i % len(_TOPICS)]
        title = f"{title} ({i + 1})"
        slug = "-".join(title.lower().replace("(", "").replace(")", "").split())
        if i == n - 1:
            slug = f"1357-{slug}"
        out.append(FakeArticle(i, slug, title, FIRST_DATE - timedelta(days=5 * i), tags))
    return out


@dataclass(slots=True)
class RecordedRequest:
    method: str
    path: str  # path and query, as sent
    headers: dict[str, str]  # lower-case keys
    host: str  # the Host header
    started: float  # time.monotonic()
    finished: float | None = None


@dataclass(slots=True)
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list[RecordedRequest] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    bytes_sent: dict[str, int] = field(default_factory=dict)


class FaultServer:
    """A ThreadingHTTPServer on 127.0.0.1 (port 0) in a daemon thread."""

    def __init__(
        self,
        *,
        robots: str | None = DEFAULT_ROBOTS,
        robots_status: int = 200,
        articles: int = 40,
        page_size: int = PAGE_SIZE,
        hang_seconds: float = 5.0,
        address: str = "127.0.0.1",  # 127.0.0.2 is loopback too on Linux: a second "host"
    ) -> None:
        self.address = address
        self.robots = robots
        self.robots_status = robots_status
        self.articles = make_articles(articles)
        self.page_size = page_size
        self.hang_seconds = hang_seconds
        self._state = _State()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> FaultServer:
        handler = type("Handler", (_Handler,), {"fault": self})
        httpd = ThreadingHTTPServer((self.address, 0), handler)
        httpd.daemon_threads = True
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="faultserver",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers that hang or trickle
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- inspection --------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FaultServer is not running")
        return int(self._httpd.server_address[1])

    @property
    def host(self) -> str:
        return self.address

    @property
    def base_url(self) -> str:
        return f"http://{self.address}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._state.lock:
            return list(self._state.requests)

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def bytes_sent(self, path: str) -> int:
        with self._state.lock:
            return self._state.bytes_sent.get(path, 0)

    def reset(self) -> None:
        """Forget recorded requests and fault counters (the site itself is unchanged)."""
        with self._state.lock:
            self._state.requests.clear()
            self._state.counters.clear()
            self._state.bytes_sent.clear()

    # -- used by the handler -----------------------------------------------

    def _record(self, req: RecordedRequest) -> int:
        with self._state.lock:
            self._state.requests.append(req)
            n = self._state.counters.get(req.path, 0) + 1
            self._state.counters[req.path] = n
            return n

    def _add_sent(self, path: str, n: int) -> None:
        with self._state.lock:
            self._state.bytes_sent[path] = self._state.bytes_sent.get(path, 0) + n

    # -- pages -------------------------------------------------------------

    def article_by_slug(self, slug: str) -> FakeArticle | None:
        return next((a for a in self.articles if a.slug == slug), None)

    def listing_html(self, start: int) -> str:
        items = self.articles[start : start + self.page_size]
        rows = []
        for i in range(0, len(items), 3):  # Joomla blog: three span4 columns per row
            cells = "".join(
                '<div class="span4"><div class="item column-1" itemprop="blogPost">'
                '<div class="page-header"><h2 itemprop="name">'
                f'<a href="{a.path}" itemprop="url">{escape(a.title)}</a></h2></div>'
                f'<div class="item-date">{_nca_date(a.published)}</div>'
                "<p>A short introduction to the release.</p></div></div>"
                for a in items[i : i + 3]
            )
            rows.append(f'<div class="items-row cols-3 row-fluid clearfix">{cells}</div>')
        pages = []
        next_start = start + self.page_size
        if start > 0:
            pages.append(
                f'<li><a aria-label="Go to previous &lt; page" '
                f'href="/news?start={max(0, start - self.page_size)}">&lt; Prev</a></li>'
            )
        if next_start < len(self.articles):
            page_no = next_start // self.page_size + 1
            pages.append(
                f'<li><a aria-label="Go to page {page_no}" href="/news?start={next_start}">'
                f"{page_no}</a></li>"
                f'<li><a aria-label="Go to next &gt; page" href="/news?start={next_start}">'
                "Next &gt;</a></li>"
            )
        return _page(
            "News",
            '<header><nav><a href="/news/all-news">All news</a> '
            '<a href="/what-we-do/crime-threats">Crime threats</a></nav></header>'
            '<main><div class="blog news-page" itemscope itemtype="https://schema.org/Blog">'
            + "".join(f'<div class="row-fluid">{r}</div>' for r in rows)
            + f'<div class="pagination"><ul class="pagination-list">{"".join(pages)}</ul></div>'
            "</div></main>",
        )

    def article_html(self, a: FakeArticle) -> str:
        tags = "".join(
            f'<li class="tag-{12 + k} tag-list{k}" itemprop="keywords">'
            f'<a class="label label-info" href="/news?tag={t.lower().replace(" ", "-")}">'
            f"{escape(t)}</a></li>"
            for k, t in enumerate(a.tags)
        )
        return _page(
            a.title,
            '<ul class="breadcrumb"><li><a href="/">Home</a></li><li>News</li></ul>'
            '<div class="item-page" itemscope itemtype="https://schema.org/Article">'
            f'<div class="page-header"><h1 itemprop="headline">{escape(a.title)}</h1></div>'
            '<div itemprop="articleBody">'
            "<p>Officers from several forces took part in a coordinated week of activity. "
            "Twelve people were arrested and nine potential victims were offered support.</p>"
            f"<p><strong>{_nca_date(a.published)}</strong></p></div>"
            f'<ul class="tags inline">{tags}</ul></div>',
        )

    def rss(self) -> str:
        items = "".join(
            "<item>"
            f"<title>{escape(a.title)}</title>"
            f"<link>{self.base_url}{a.path}</link>"
            f'<guid isPermaLink="false">{self.base_url}{a.path}</guid>'
            f"<description>{escape('<p>Summary of the release.</p>')}</description>"
            + "".join(f"<category>{escape(t)}</category>" for t in a.tags)
            + f"<pubDate>{_rfc822(a.published)}</pubDate>"
            "</item>"
            for a in self.articles[:10]
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>News</title><link>{self.base_url}/news</link>"
            f"<description>Latest news</description>{items}</channel></rss>"
        )

    def news_sitemap(self) -> str:
        urls = "".join(
            f"<url><loc>{self.base_url}{a.path}</loc><news:news><news:publication>"
            "<news:name>Fault News</news:name><news:language>en</news:language>"
            f"</news:publication><news:publication_date>{a.published.isoformat()}T09:00:00+01:00"
            f"</news:publication_date><news:title>{escape(a.title)}</news:title>"
            f"<news:keywords>{escape(', '.join(a.tags))}</news:keywords></news:news></url>"
            for a in self.articles[:5]
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            f"{urls}</urlset>"
        )

    def plain_sitemap(self) -> str:
        urls = "".join(
            f"<url><loc>{self.base_url}{a.path}</loc>"
            f"<lastmod>{a.published.isoformat()}</lastmod></url>"
            for a in self.articles[5:]
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        )

    def sitemap_index(self) -> str:
        newest = self.articles[0].published.isoformat()
        oldest = self.articles[5].published.isoformat() if len(self.articles) > 5 else newest
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{self.base_url}/news-sitemap.xml</loc><lastmod>{newest}</lastmod></sitemap>"
            f"<sitemap><loc>{self.base_url}/sitemap-old.xml</loc><lastmod>{oldest}</lastmod></sitemap>"
            "</sitemapindex>"
        )

    def search_json(self, start: int, count: int) -> str:
        chunk = self.articles[start : start + count]
        return json.dumps(
            {
                "results": [
                    {
                        "title": a.title,
                        "link": f"/government/news/{a.slug}",
                        "public_timestamp": f"{a.published.isoformat()}T10:00:00.000+01:00",
                        "format": "news_article",
                        "organisations": [{"title": "National Crime Agency", "slug": "nca"}],
                    }
                    for a in chunk
                ],
                "total": len(self.articles),
                "start": start,
                "suggested_queries": [],
            }
        )


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en-gb"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body>{body}</body></html>"
    )


def _nca_date(d: date) -> str:
    return d.strftime("%d %B %Y")  # zero-padded day, as on the NCA site: "09 June 2026"


def _rfc822(d: date) -> str:
    return format_datetime(datetime(d.year, d.month, d.day, 9, 30, tzinfo=UTC), usegmt=True)


class _Handler(BaseHTTPRequestHandler):
    fault: FaultServer  # set on the subclass made in FaultServer.start
    server_version = "FaultServer/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
        pass

    # -- plumbing ------------------------------------------------------------

    def do_GET(self) -> None:
        rec = RecordedRequest(
            method="GET",
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            host=self.headers.get("Host", ""),
            started=time.monotonic(),
        )
        nth = self.fault._record(rec)
        try:
            self._route(nth)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up, which is what several faults are for
        finally:
            rec.finished = time.monotonic()

    def _send(
        self,
        status: int,
        body: bytes | str = b"",
        content_type: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.fault._add_sent(self.path, len(data))

    def _ok_page(self, text: str = "OK") -> None:
        self._send(200, _page(text, f"<main><p>{escape(text)}</p></main>"))

    # -- routes ----------------------------------------------------------------

    def _route(self, nth: int) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        f = self.fault

        if path == "/robots.txt":
            if f.robots_status == 200 and f.robots is not None:
                self._send(200, f.robots, "text/plain; charset=utf-8")
            else:
                self._send(f.robots_status, "", "text/plain")
            return
        if path in ("/news", "/news/"):
            if query.get("format") == ["feed"]:
                self._send(200, f.rss(), "application/rss+xml; charset=utf-8")
            else:
                start = int(query.get("start", ["0"])[0] or 0)
                self._send(200, f.listing_html(start))
            return
        if path.startswith(("/news/", "/government/news/")):
            article = f.article_by_slug(path.rstrip("/").rsplit("/", 1)[-1])
            if article is None:
                self._send(404, _page("Not found", "<p>Not found</p>"))
                return
            # Articles carry validators, so a second crawl can ask conditionally.
            etag = f'"a-{article.index}"'
            if self.headers.get("If-None-Match") == etag:
                self._send(304, b"", None, {"ETag": etag})
            else:
                self._send(200, f.article_html(article), headers={"ETag": etag})
            return
        if path == "/news-sitemap.xml":
            self._send(200, f.news_sitemap(), "application/xml; charset=utf-8")
            return
        if path == "/sitemap-old.xml":
            self._send(200, f.plain_sitemap(), "application/xml; charset=utf-8")
            return
        if path == "/sitemap-index.xml":
            self._send(200, f.sitemap_index(), "application/xml; charset=utf-8")
            return
        if path == "/api/search.json":
            start = int(query.get("start", ["0"])[0])
            count = int(query.get("count", ["10"])[0])
            self._send(200, f.search_json(start, count), "application/json; charset=utf-8")
            return
        if path.startswith("/private/"):
            self._ok_page("Private")  # robots.txt forbids it: tests assert it is never asked for
            return
        if path.startswith("/fault/"):
            self._fault(path.removeprefix("/fault/"), query, nth)
            return
        self._send(404, _page("Not found", "<p>Not found</p>"))

    def _fault(self, name: str, query: dict[str, list[str]], nth: int) -> None:
        f = self.fault
        if name == "503-once":
            if nth == 1:
                self._send(503, "busy")
            else:
                self._ok_page("Recovered")
        elif name == "403-once":
            if nth == 1:
                self._send(403, "forbidden")
            else:
                self._ok_page("Recovered")
        elif name == "429-once":
            if nth == 1:
                self._send(429, "slow down", headers={"Retry-After": "1"})
            else:
                self._ok_page("Recovered")
        elif name == "429-date-once":
            if nth == 1:
                when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
                self._send(429, "slow down", headers={"Retry-After": when})
            else:
                self._ok_page("Recovered")
        elif name == "always-503":
            self._send(503, "down")
        elif name == "hang":
            f._stopping.wait(f.hang_seconds)
            self._ok_page("Too late")
        elif name == "trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.flush()
            for _ in range(600):
                if f._stopping.wait(0.1):
                    break
                self.wfile.write(b"x")
                self.wfile.flush()
                f._add_sent(self.path, 1)
        elif name == "trickle-headers":
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: "
            for i in range(TRICKLE_HEADERS_LIMIT):
                if f._stopping.wait(TRICKLE_HEADERS_INTERVAL):
                    break
                self.wfile.write(head[i : i + 1] if i < len(head) else b"a")
                f._add_sent(self.path, 1)
            self.close_connection = True
        elif name == "redirect-to":
            self._send(302, "", headers={"Location": query.get("to", ["/"])[0]})
        elif name == "slow":
            f._stopping.wait(int(query.get("ms", ["300"])[0]) / 1000)
            self._ok_page("Slow")
        elif name == "big":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(BIG_BYTES))
            self.end_headers()
            block = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
            for _ in range(BIG_BYTES // len(block)):
                self.wfile.write(block)
                f._add_sent(self.path, len(block))
        elif name == "big-stream":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            block = b"y" * (64 * 1024)
            for _ in range(STREAM_LIMIT // len(block)):
                self.wfile.write(block)
                f._add_sent(self.path, len(block))
        elif name == "pdf":
            self._send(200, b"%PDF-1.4\n% fake\n", "application/pdf")
        elif name == "json":
            self._send(200, '{"ok": true}', "application/json")
        elif name == "no-content-type":
            self._send(200, _page("Bare", "<p>No header</p>"), None)
        elif name == "windows-1252":
            body = _page("Caf\u00e9", "<p>\u201cCash\u201d of \u00a330,000 seized</p>").replace(
                '<meta charset="utf-8">', ""
            )
            self._send(200, body.encode("windows-1252"), "text/html; charset=windows-1252")
        elif name == "redirect-away":
            target = f"http://localhost:{f.port}/news"
            self._send(302, "", headers={"Location": target})
        elif name == "redirect-home":
            self._send(302, "", headers={"Location": f.articles[0].path})
        elif name == "redirect-loop":
            self._send(302, "", headers={"Location": self.path})
        elif name == "conditional":
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            validators = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
            if inm is not None:
                fresh = ETAG in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
            elif ims is not None:
                fresh = _not_older(ims, LAST_MODIFIED)
            else:
                fresh = False
            if fresh:
                self.send_response(304)
                for k, v in validators.items():
                    self.send_header(k, v)
                self.end_headers()
            else:
                self._send(200, _page("Versioned", "<p>Version one</p>"), headers=validators)
        else:
            self._send(404, _page("Not found", "<p>No such fault</p>"))


def _not_older(if_modified_since: str, last_modified: str) -> bool:
    try:
        return parsedate_to_datetime(if_modified_since) >= parsedate_to_datetime(last_modified)
    except (TypeError, ValueError):
        return False


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    """A fresh FaultServer per test. Import it into a test module to use it."""
    with FaultServer() as server:
        yield server
