"""Network safety over whole flow runs: which hosts are contacted, private addresses, caps.

tests/test_fetch.py proves each rule on the fetcher alone (redirect re-checks, private
address table, size cap, deadlines, robots). Here the rules are checked where they matter:
through discovery, fetch, archive and the failure record of real `etl` runs, with every
connection the servers saw recorded:
- a listing that links off the allowed hosts, and articles that redirect to another
  loopback host (127.0.0.2) and to ``localhost`` when only 127.0.0.1 is allowed: the run
  never connects anywhere but 127.0.0.1, and records the refused redirects as failures;
- a source without ``allow_private_hosts`` on 127.0.0.1, on ``localhost`` and on the
  link-local metadata address: nothing is requested, each refusal is recorded;
- a 12 MB body, a body streamed without end, a response that hangs and one that trickles:
  the run finishes, each URL is recorded as a failure with its reason.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text

from config.settings import get_settings
from db.engine import get_engine
from tests.faultserver import FaultServer

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]

ARTICLE = (
    "<html><body><div class='item-page'><h1 itemprop='headline'>Modern slavery week of action"
    "</h1><div itemprop='articleBody'><p>Officers from 19 forces arrested 38 people and "
    "safeguarded 99 potential victims during the week of action.</p>"
    "<p><strong>05 November 2021</strong></p></div></div></body></html>"
)


@dataclass(frozen=True)
class Hit:
    server: str  # the address the connection arrived at
    host: str  # the Host header
    path: str


class RecordingSite:
    """A tiny site on one loopback address that records every request it receives."""

    def __init__(self, address: str, hits: list[Hit], routes: dict[str, Any]) -> None:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(Hit(address, self.headers.get("Host", ""), self.path))
                route = site.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                status, headers, body = route(site) if callable(route) else route
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.routes = routes
        self.server = ThreadingHTTPServer((address, 0), Handler)
        self.server.daemon_threads = True
        self.address = address
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def listing(links: list[str]) -> bytes:
    """An NCA (Joomla) listing page whose article links and "next" link are ``links``."""
    cells = "".join(
        '<div class="span4"><div class="page-header"><h2>'
        f'<a href="{href}">Human trafficking week of action {i}</a></h2></div></div>'
        for i, href in enumerate(links[:-1])
    )
    return (
        '<html><body><div class="blog news-page"><div class="row-fluid">'
        f'<div class="items-row row-fluid">{cells}</div></div>'
        f'<ul><li><a aria-label="Go to next &gt; page" href="{links[-1]}">Next</a></li></ul>'
        "</div></body></html>"
    ).encode()


HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def sites() -> Iterator[tuple[RecordingSite, RecordingSite, list[Hit]]]:
    """127.0.0.1 (allowed) and 127.0.0.2 (not), one record of every request either saw."""
    hits: list[Hit] = []
    allowed = RecordingSite("127.0.0.1", hits, {})
    other = RecordingSite("127.0.0.2", hits, {})
    a, b = allowed.port, other.port
    allowed.routes.update(
        {
            "/robots.txt": (404, {}, b""),
            "/news": (
                200,
                HTML,
                listing(
                    [
                        "/news/on-the-allowed-host",
                        f"http://127.0.0.2:{b}/news/on-another-loopback-host",
                        f"http://localhost:{a}/news/same-server-other-name",
                        "/news/redirects-to-127-0-0-2",
                        "/news/redirects-to-localhost",
                        f"http://127.0.0.2:{b}/news?start=16",  # the "next page" link
                    ]
                ),
            ),
            "/news/on-the-allowed-host": (200, HTML, ARTICLE.encode()),
            "/news/redirects-to-127-0-0-2": (
                302,
                {"Location": f"http://127.0.0.2:{b}/news/on-the-allowed-host"},
                b"",
            ),
            "/news/redirects-to-localhost": (
                302,
                {"Location": f"http://localhost:{a}/news/on-the-allowed-host"},
                b"",
            ),
        }
    )
    other.routes.update(
        {"/robots.txt": (404, {}, b""), "/news": (200, HTML, listing(["/x", "/y"]))}
    )
    yield allowed, other, hits
    allowed.close()
    other.close()


def write_sources(path: Path, sources: list[dict[str, Any]]) -> str:
    for s in sources:
        s.setdefault("rate_limit", 0)
    path.write_text(yaml.safe_dump({"sources": sources}), encoding="utf-8")
    return str(path)


def failures(db_url: str) -> dict[str, str]:
    with get_engine(db_url).connect() as conn:
        return dict(conn.execute(text("SELECT url, reason FROM fetch_failures")).all())


def page_urls(db_url: str) -> set[str]:
    with get_engine(db_url).connect() as conn:
        return set(conn.execute(text("SELECT url FROM pages")).scalars())


def test_only_allowed_hosts_are_contacted_even_through_links_and_redirects(
    sites: tuple[RecordingSite, RecordingSite, list[Hit]], sqlite_url: str, tmp_path: Path
) -> None:
    from flows.etl import etl

    allowed, other, hits = sites
    base = f"http://127.0.0.1:{allowed.port}"
    sources = write_sources(
        tmp_path / "sources.yaml",
        [
            {
                "name": "listing",
                "kind": "listing",
                "profile": "nca",
                "start_url": f"{base}/news",
                "allowed_hosts": ["127.0.0.1"],
                "allow_private_hosts": True,  # a local mirror: loopback allowed, by name
            }
        ],
    )
    summary = etl(sources_file=sources, db_url=sqlite_url)

    assert [h for h in hits if h.server != "127.0.0.1"] == []  # 127.0.0.2 never contacted
    assert {h.host for h in hits} == {f"127.0.0.1:{allowed.port}"}  # never as "localhost"
    assert sorted(h.path for h in hits) == [
        "/news",
        "/news/on-the-allowed-host",
        "/news/redirects-to-127-0-0-2",
        "/news/redirects-to-localhost",
        "/robots.txt",
    ]
    # Off-list article links are dropped at discovery; the refused "next page" and the
    # refused redirect hops are recorded failures.
    assert page_urls(sqlite_url) == {f"{base}/news/on-the-allowed-host"}
    redirects = {
        f"{base}/news/redirects-to-127-0-0-2": "host not allowed: 127.0.0.2 (redirect)",
        f"{base}/news/redirects-to-localhost": "host not allowed: localhost (redirect)",
    }
    next_page = {f"http://127.0.0.2:{other.port}/news?start=16": "host not allowed: 127.0.0.2"}
    assert failures(sqlite_url) == redirects | next_page
    assert {f["url"]: f["reason"] for f in summary["failures"]} == redirects

    # The next run tries the failed pages again, and is refused again without contact.
    hits.clear()
    etl(sources_file=sources, db_url=sqlite_url)
    assert {(h.server, h.host) for h in hits} == {("127.0.0.1", f"127.0.0.1:{allowed.port}")}


def test_private_and_link_local_addresses_are_refused_unless_allowed(
    sites: tuple[RecordingSite, RecordingSite, list[Hit]], sqlite_url: str, tmp_path: Path
) -> None:
    from flows.etl import etl

    allowed, _, hits = sites
    listing_url = f"http://127.0.0.1:{allowed.port}/news"
    by_name = f"http://localhost:{allowed.port}/news"
    metadata = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
    sources = write_sources(
        tmp_path / "sources.yaml",
        [
            {
                "name": "loopback",
                "kind": "listing",
                "profile": "nca",
                "start_url": listing_url,
                "allowed_hosts": ["127.0.0.1"],
            },
            {
                "name": "by-name",
                "kind": "listing",
                "profile": "nca",
                "start_url": by_name,
                "allowed_hosts": ["localhost"],
            },
            {
                "name": "metadata",
                "kind": "urls",
                "urls": [metadata],
                "allowed_hosts": ["169.254.169.254"],
            },
        ],
    )
    from flows.etl import NothingRead

    started = time.monotonic()
    # no source could be read: the run ends failed, naming each URL and the key that allows it
    with pytest.raises(NothingRead) as stopped:
        etl(sources_file=sources, db_url=sqlite_url)
    summary = stopped.value.summary

    assert hits == []  # not even robots.txt
    assert time.monotonic() - started < 30  # the metadata address was never dialled

    assert failures(sqlite_url) == {
        listing_url: "private address refused",
        by_name: "private address refused",
        metadata: "private address refused",
    }
    for name in ("loopback", "by-name", "metadata"):
        hint = f"set allow_private_hosts: true on source '{name}' to allow it"
        assert hint in str(stopped.value)
    # Only the metadata URL is an article to fetch; the listings failed at discovery.
    assert [(f["url"], f["attempts"]) for f in summary["failures"]] == [(metadata, 0)]
    assert page_urls(sqlite_url) == set()


def test_a_listing_page_that_failed_is_never_fetched_as_an_article(
    sqlite_url: str, tmp_path: Path, short_timeouts: None
) -> None:
    """Discovery records the listing pages it failed on; the flow retries failed *article*
    pages, and must not take those listing pages for articles (archived and extracted as
    one, a listing full of headline numbers would found bogus operations)."""
    from flows.etl import etl

    hits: list[Hit] = []
    calls = {"page2": 0}

    def page2(site: RecordingSite) -> tuple[int, dict[str, str], bytes]:
        calls["page2"] += 1  # down the first time, fine afterwards
        if calls["page2"] == 1:
            return 503, {}, b"busy"
        return 200, HTML, listing(["/news/second-article", "/news?start=32"])

    site = RecordingSite(
        "127.0.0.1",
        hits,
        {
            "/robots.txt": (404, {}, b""),
            "/news": (200, HTML, listing(["/news/first-article", "/news?start=16"])),
            "/news?start=16": page2,
            "/news?start=32": (404, {}, b""),
            "/news/first-article": (200, HTML, ARTICLE.encode()),
            "/news/second-article": (200, HTML, ARTICLE.replace("38", "40").encode()),
        },
    )
    try:
        sources = write_sources(
            tmp_path / "sources.yaml",
            [{"name": "nca", "kind": "listing", "profile": "nca", "allowed_hosts": ["127.0.0.1"],
              "start_url": f"http://127.0.0.1:{site.port}/news", "allow_private_hosts": True}],
        )  # fmt: skip
        etl(sources_file=sources, db_url=sqlite_url)
        etl(sources_file=sources, db_url=sqlite_url)  # page 2 is back: discovery reads it
    finally:
        site.close()
    base = f"http://127.0.0.1:{site.port}"
    assert page_urls(sqlite_url) == {f"{base}/news/first-article", f"{base}/news/second-article"}
    assert [h.path for h in hits].count("/news?start=16") == 2  # once per discovery


@pytest.fixture
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Timeouts of a second and one attempt, so a hanging server costs seconds, not minutes."""
    for name, value in {
        "OPTALLY_CONNECT_TIMEOUT": "1",
        "OPTALLY_READ_TIMEOUT": "1",
        "OPTALLY_MAX_ATTEMPTS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.mark.usefixtures("short_timeouts")
def test_size_and_time_caps_hold_inside_a_flow_run(sqlite_url: str, tmp_path: Path) -> None:
    from flows.etl import etl

    with FaultServer(hang_seconds=20) as server:
        ok = server.url(server.articles[0].path)
        bad = {
            server.url("/fault/big"): "body larger than 5242880 bytes",  # says 12 MB up front
            server.url("/fault/big-stream"): "body larger than 5242880 bytes",  # never says
            server.url("/fault/hang"): "timeout",
            server.url("/fault/trickle"): "timeout",  # a byte every 0.1 s, for a minute
            server.url("/private/page"): "robots.txt disallows",
        }
        sources = write_sources(
            tmp_path / "sources.yaml",
            [
                {
                    "name": "faults",
                    "kind": "urls",
                    "urls": [ok, *bad],
                    "allowed_hosts": ["127.0.0.1"],
                    "allow_private_hosts": True,
                }
            ],
        )
        started = time.monotonic()
        summary = etl(sources_file=sources, db_url=sqlite_url)
        elapsed = time.monotonic() - started
        streamed = server.bytes_sent("/fault/big-stream")
        requested = server.paths()

    assert elapsed < 30, f"{elapsed:.0f} s"
    assert {f["url"]: f["reason"] for f in summary["failures"]} == bad
    assert failures(sqlite_url) == bad
    assert page_urls(sqlite_url) == {ok}  # the good page is still archived and read
    assert summary["extracted"] == 1
    # The client hung up at the cap: the server got to write a fraction of its 64 MB.
    assert streamed < 16 * 1024 * 1024
    assert "/private/page" not in requested
