"""The fetcher against the fault server: every politeness and safety rule, exactly.

Waits go through an injected fake clock, so Retry-After and rate limits are asserted
without sleeping; only the timeout tests spend real time (about a second each).
"""

from __future__ import annotations

import hashlib
import random
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from config.settings import Settings
from tasks.fetch import Fetcher, FetchResult, _private_address_refusal, _retry_after
from tasks.politeness import RobotsResponse, policy_from_response, robots_agent
from tests.faultserver import BIG_BYTES, ETAG, LAST_MODIFIED, FaultServer

HOSTS = ["127.0.0.1"]
LIMIT = 5 * 1024 * 1024


class FakeTime:
    """A monotonic clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "connect_timeout": 0.5,
        "read_timeout": 0.5,
        "max_attempts": 3,
        "backoff_base": 0.5,
        "backoff_max": 4.0,
        "retry_after_max": 10.0,
        "max_body_bytes": LIMIT,
        "max_redirects": 5,
        "default_rate_limit": 0.0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with FaultServer(hang_seconds=3.0) as s:
        yield s


@pytest.fixture(autouse=True)
def _fresh(server: FaultServer) -> None:
    server.reset()


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime()


@pytest.fixture
def fetcher(clock: FakeTime) -> Iterator[Fetcher]:
    with Fetcher(make_settings(), sleep=clock.sleep, clock=clock, rng=random.Random(7)) as f:
        yield f


def get(fetcher: Fetcher, server: FaultServer, path: str, **kw: object) -> FetchResult:
    kw.setdefault("allowed_hosts", HOSTS)
    kw.setdefault("allow_private", True)  # the fault server is on loopback
    return fetcher.fetch(server.url(path), **kw)  # type: ignore[arg-type]


def page_requests(server: FaultServer) -> list[str]:
    return [p for p in server.paths() if p != "/robots.txt"]


# ---------------------------------------------------------------------------
# The ordinary case


def test_ok_page_result_fields(fetcher: Fetcher, server: FaultServer) -> None:
    r = get(fetcher, server, "/news")
    assert r.ok and not r.not_modified and r.error is None
    assert (r.status, r.attempts, r.url, r.final_url) == (
        200,
        1,
        server.url("/news"),
        server.url("/news"),
    )
    assert r.body is not None and b'class="blog news-page"' in r.body
    assert r.content_hash == hashlib.sha256(r.body).hexdigest()
    assert (r.content_type, r.encoding) == ("text/html", "utf-8")
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert all(k == k.lower() for k in r.headers)
    assert r.fetched_at.tzinfo is UTC and abs(datetime.now(UTC) - r.fetched_at) < timedelta(
        seconds=5
    )
    assert r.elapsed >= 0
    [page] = [q for q in server.requests if q.path == "/news"]
    assert page.headers["user-agent"] == fetcher.settings.user_agent
    assert re.search(r"\+https?://", page.headers["user-agent"])  # a contact URL
    assert page.headers["accept"].startswith("text/html")
    assert "if-none-match" not in page.headers


def test_result_is_frozen(fetcher: Fetcher, server: FaultServer) -> None:
    r = get(fetcher, server, "/news")
    with pytest.raises(FrozenInstanceError):
        r.ok = False  # type: ignore[misc]


# ---------------------------------------------------------------------------
# Retries


@pytest.mark.parametrize("path", ["/fault/503-once", "/fault/403-once"])
def test_transient_status_is_retried_once(
    fetcher: Fetcher, server: FaultServer, clock: FakeTime, path: str
) -> None:
    r = get(fetcher, server, path)
    assert (r.ok, r.status, r.attempts, r.error) == (True, 200, 2, None)
    assert server.count(path) == 2
    assert len(clock.sleeps) == 1 and 0.0 <= clock.sleeps[0] <= 0.5  # full jitter, base 0.5


def test_persistent_5xx_gives_up_after_max_attempts(
    fetcher: Fetcher, server: FaultServer, clock: FakeTime
) -> None:
    r = get(fetcher, server, "/fault/always-503")
    assert (r.ok, r.status, r.attempts, r.error) == (False, 503, 3, "http 503")
    assert r.body is None and r.content_hash is None
    assert server.count("/fault/always-503") == 3
    # Two waits, each uniform in [0, min(backoff_max, base * 2**n)].
    assert len(clock.sleeps) == 2
    assert 0.0 <= clock.sleeps[0] <= 0.5 and 0.0 <= clock.sleeps[1] <= 1.0


def test_retry_after_seconds_is_honoured(
    fetcher: Fetcher, server: FaultServer, clock: FakeTime
) -> None:
    r = get(fetcher, server, "/fault/429-once")
    assert (r.ok, r.attempts) == (True, 2)
    assert clock.sleeps == [pytest.approx(1.0)]


def test_retry_after_http_date_is_capped(server: FaultServer, clock: FakeTime) -> None:
    # The server asks for 30 s; retry_after_max is 5.
    settings = make_settings(retry_after_max=5.0)
    with Fetcher(settings, sleep=clock.sleep, clock=clock) as f:
        r = get(f, server, "/fault/429-date-once")
    assert (r.ok, r.attempts) == (True, 2)
    assert clock.sleeps == [pytest.approx(5.0)]


def test_retry_after_keeps_the_whole_host_waiting(server: FaultServer, clock: FakeTime) -> None:
    # No retries left, so the 429 comes straight back; the next request to the host,
    # for another URL, still waits the Retry-After.
    with Fetcher(make_settings(max_attempts=1), sleep=clock.sleep, clock=clock) as f:
        r = get(f, server, "/fault/429-once")
        assert (r.ok, r.status, r.error, r.attempts) == (False, 429, "http 429", 1)
        assert clock.sleeps == []
        assert get(f, server, "/news").ok
    assert clock.sleeps == [pytest.approx(1.0)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        (format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True), 0.0),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_parsing(value: str | None, expected: float | None) -> None:
    assert _retry_after(value) == expected


def test_connection_refused_is_retried_then_reported(clock: FakeTime) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Fetcher(make_settings(), sleep=clock.sleep, clock=clock) as f:
        r = f.fetch(
            f"http://127.0.0.1:{port}/news",
            allowed_hosts=HOSTS,
            allow_private=True,
            respect_robots=False,
        )
    assert (r.ok, r.status, r.attempts) == (False, None, 3)
    assert r.error == "connection error: Connection refused"


def test_only_one_retry_layer(fetcher: Fetcher) -> None:
    adapter = fetcher._session.get_adapter("https://www.nationalcrimeagency.gov.uk/")
    assert adapter.max_retries.total == 0  # no urllib3 Retry under our loop


def test_fetch_is_the_only_module_that_imports_requests() -> None:
    root = Path(__file__).resolve().parent.parent
    pattern = re.compile(r"^\s*(?:import requests\b|from requests\b)", re.MULTILINE)
    offenders = [
        str(p.relative_to(root))
        for folder in ("tasks", "flows", "app", "measure", "db", "config", "benchmarks")
        for p in (root / folder).rglob("*.py")
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == ["tasks/fetch.py"]


# ---------------------------------------------------------------------------
# Time and size caps


def test_hanging_server_times_out(server: FaultServer, clock: FakeTime) -> None:
    with Fetcher(make_settings(max_attempts=2), sleep=clock.sleep, clock=clock) as f:
        r = get(f, server, "/fault/hang")
    assert (r.ok, r.status, r.error, r.attempts) == (False, None, "timeout", 2)
    assert server.count("/fault/hang") == 2
    assert r.elapsed < 2.5  # two read timeouts of 0.5 s, not two 3 s hangs


def test_trickling_body_hits_the_total_deadline(server: FaultServer, clock: FakeTime) -> None:
    # One byte every 0.1 s never trips a 0.5 s read timeout; the 1 s deadline must.
    with Fetcher(make_settings(max_attempts=1), sleep=clock.sleep, clock=clock) as f:
        r = get(f, server, "/fault/trickle")
    assert (r.ok, r.status, r.error, r.attempts, r.body) == (False, 200, "timeout", 1, None)
    assert 0.9 <= r.elapsed < 2.0
    assert server.bytes_sent("/fault/trickle") < 30


def test_content_length_over_cap_is_refused_unread(fetcher: Fetcher, server: FaultServer) -> None:
    r = get(fetcher, server, "/fault/big")
    assert (r.ok, r.status, r.error, r.body, r.attempts) == (
        False,
        200,
        "body larger than 5242880 bytes",
        None,
        1,
    )
    assert server.bytes_sent("/fault/big") < BIG_BYTES


def test_streamed_body_is_cut_off_at_the_cap(server: FaultServer, clock: FakeTime) -> None:
    with Fetcher(make_settings(max_body_bytes=100_000), sleep=clock.sleep, clock=clock) as f:
        r = get(f, server, "/fault/big-stream")
    assert (r.ok, r.error, r.body, r.attempts) == (False, "body larger than 100000 bytes", None, 1)
    # The server offers 64 MB; we hung up after ~100 kB (plus socket buffers).
    assert server.bytes_sent("/fault/big-stream") < BIG_BYTES


# ---------------------------------------------------------------------------
# Content types and encodings


@pytest.mark.parametrize(
    ("path", "accept", "error"),
    [
        ("/fault/pdf", "html", "content-type application/pdf skipped"),
        ("/fault/pdf", "any", None),
        ("/fault/json", "html", "content-type application/json skipped"),
        ("/fault/json", "json", None),
        ("/news", "json", "content-type text/html skipped"),
        ("/news?format=feed&type=rss", "feed", None),
        ("/news?format=feed&type=rss", "html", "content-type application/rss+xml skipped"),
        ("/news-sitemap.xml", "feed", None),
        ("/news", "feed", "content-type text/html skipped"),
        ("/fault/no-content-type", "html", None),
    ],
)
def test_content_type_rules(
    fetcher: Fetcher, server: FaultServer, path: str, accept: str, error: str | None
) -> None:
    r = get(fetcher, server, path, accept=accept)
    assert r.error == error
    assert r.ok is (error is None)
    assert (r.body is None) is (error is not None)


def test_charset_from_header(fetcher: Fetcher, server: FaultServer) -> None:
    r = get(fetcher, server, "/fault/windows-1252")
    assert (r.ok, r.encoding, r.content_type) == (True, "windows-1252", "text/html")
    assert r.body is not None
    assert "\u00a330,000" in r.body.decode("windows-1252")
    assert b"\xa330,000" in r.body  # the raw bytes, untouched


def test_no_charset_means_none(fetcher: Fetcher, server: FaultServer) -> None:
    r = get(fetcher, server, "/fault/no-content-type")
    assert (r.ok, r.encoding, r.content_type) == (True, None, None)


# ---------------------------------------------------------------------------
# Hosts and redirects


def test_redirect_within_allowed_host_is_followed(fetcher: Fetcher, server: FaultServer) -> None:
    r = get(fetcher, server, "/fault/redirect-home")
    first = server.articles[0].path
    assert (r.ok, r.status, r.attempts) == (True, 200, 2)
    assert (r.url, r.final_url) == (server.url("/fault/redirect-home"), server.url(first))
    assert page_requests(server) == ["/fault/redirect-home", first]


def test_redirect_to_host_not_allowed_is_refused(fetcher: Fetcher, server: FaultServer) -> None:
    r = get(fetcher, server, "/fault/redirect-away")
    assert (r.ok, r.status, r.attempts) == (False, 302, 1)
    assert r.error == "host not allowed: localhost (redirect)"
    assert r.final_url == server.url("/fault/redirect-away")
    assert r.headers["location"] == f"http://localhost:{server.port}/news"
    assert [q.host.split(":")[0] for q in server.requests] == ["127.0.0.1", "127.0.0.1"]


def test_redirect_to_second_allowed_host_checks_its_robots(
    fetcher: Fetcher, server: FaultServer
) -> None:
    r = get(fetcher, server, "/fault/redirect-away", allowed_hosts=["127.0.0.1", "localhost"])
    assert (r.ok, r.final_url, r.attempts) == (True, f"http://localhost:{server.port}/news", 2)
    assert [(q.host.split(":")[0], q.path) for q in server.requests] == [
        ("127.0.0.1", "/robots.txt"),
        ("127.0.0.1", "/fault/redirect-away"),
        ("localhost", "/robots.txt"),
        ("localhost", "/news"),
    ]


def test_redirect_loop_stops_at_max_redirects(fetcher: Fetcher, server: FaultServer) -> None:
    r = get(fetcher, server, "/fault/redirect-loop")
    assert (r.ok, r.status, r.attempts) == (False, 302, 6)
    assert r.error == "too many redirects (more than 5)"


def test_host_not_allowed_is_never_requested(fetcher: Fetcher, server: FaultServer) -> None:
    r = get(fetcher, server, "/news", allowed_hosts=["www.nationalcrimeagency.gov.uk"])
    assert (r.ok, r.status, r.attempts, r.error) == (False, None, 0, "host not allowed: 127.0.0.1")
    assert server.requests == []


def test_private_address_refused_unless_allowed(fetcher: Fetcher, server: FaultServer) -> None:
    r = get(fetcher, server, "/news", allow_private=False)
    assert (r.ok, r.attempts, r.error) == (False, 0, "private address refused")
    r = fetcher.fetch(
        f"http://localhost:{server.port}/news", allowed_hosts=["localhost"], allow_private=False
    )
    assert r.error == "private address refused"
    assert server.requests == []  # not even robots.txt


@pytest.mark.parametrize(
    ("host", "refused"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),  # cloud metadata, link-local
        ("0.0.0.0", True),
        ("::1", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("::ffff:127.0.0.1", True),
        ("8.8.8.8", False),
        ("2a00:1450:4009:81f::200e", False),
    ],
)
def test_private_address_table(host: str, refused: bool) -> None:
    assert (_private_address_refusal(host, 80) == "private address refused") is refused


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("ftp://127.0.0.1/file", "unsupported url scheme: ftp"),
        ("not a url", "unsupported url scheme: (none)"),
        ("http:///news", "invalid url: http:///news"),
    ],
)
def test_bad_urls_never_raise(fetcher: Fetcher, url: str, error: str) -> None:
    r = fetcher.fetch(url, allowed_hosts=HOSTS, allow_private=True)
    assert (r.ok, r.error, r.attempts) == (False, error, 0)


# ---------------------------------------------------------------------------
# robots.txt


def test_robots_disallowed_path_is_never_requested(fetcher: Fetcher, server: FaultServer) -> None:
    r = get(fetcher, server, "/private/report")
    assert (r.ok, r.status, r.attempts, r.error) == (False, None, 0, "robots.txt disallows")
    assert get(fetcher, server, "/news").ok
    assert server.paths() == ["/robots.txt", "/news"]  # robots fetched once, no /private/


def test_respect_robots_false_skips_robots(fetcher: Fetcher, server: FaultServer) -> None:
    r = get(fetcher, server, "/private/report", respect_robots=False)
    assert r.ok
    assert server.paths() == ["/private/report"]


def test_robots_matches_our_product_token(clock: FakeTime) -> None:
    robots = "User-agent: optally\nDisallow: /news/\n\nUser-agent: *\nAllow: /\n"
    with FaultServer(robots=robots) as srv:
        path = srv.articles[0].path
        with Fetcher(make_settings(), sleep=clock.sleep, clock=clock) as f:
            assert get(f, srv, path).error == "robots.txt disallows"
        with Fetcher(
            make_settings(), user_agent="OtherBot/2.0", sleep=clock.sleep, clock=clock
        ) as f:
            assert get(f, srv, path).ok


@pytest.mark.parametrize("status", [404, 410])
def test_missing_robots_allows_everything(clock: FakeTime, status: int) -> None:
    with FaultServer(robots_status=status) as srv:
        with Fetcher(make_settings(), sleep=clock.sleep, clock=clock) as f:
            assert get(f, srv, "/private/report").ok
        assert srv.paths() == ["/robots.txt", "/private/report"]


def test_unreachable_robots_disallows_the_host(clock: FakeTime) -> None:
    with FaultServer(robots_status=503) as srv:
        with Fetcher(make_settings(), sleep=clock.sleep, clock=clock) as f:
            r = get(f, srv, "/news")
            assert r.error == "robots.txt unreachable (http 503): host disallowed for this run"
            assert get(f, srv, "/news?start=16").error == r.error  # remembered for the run
        # robots.txt went through the same retry loop, once per run; no page was asked for.
        assert srv.paths() == ["/robots.txt"] * 3
        with Fetcher(make_settings(), sleep=clock.sleep, clock=clock) as f:
            assert get(f, srv, "/news", robots_on_error="allow").ok


def test_robots_is_read_again_after_a_day(
    fetcher: Fetcher, server: FaultServer, clock: FakeTime
) -> None:
    assert get(fetcher, server, "/news").ok
    clock.now += 23 * 3600
    assert get(fetcher, server, "/news").ok
    clock.now += 2 * 3600  # 25 h after the first read (RFC 9309: at most 24 h)
    assert get(fetcher, server, "/news").ok
    assert server.paths() == ["/robots.txt", "/news", "/news", "/robots.txt", "/news"]


@pytest.mark.parametrize(
    ("status", "state"),
    [(200, "rules"), (401, "allow_all"), (403, "allow_all"), (404, "allow_all"), (410, "allow_all"),
     (429, "unreachable"), (500, "unreachable"), (503, "unreachable"), (None, "unreachable")],
)  # fmt: skip
def test_robots_status_rules(status: int | None, state: str) -> None:
    policy = policy_from_response(RobotsResponse(status, b"User-agent: *\nDisallow:\n", None))
    assert policy.state == state


def test_robots_agent_is_the_product_token() -> None:
    assert robots_agent("optally/0.1 (+https://github.com/optally/optally; research)") == "optally"
    assert robots_agent("OtherBot") == "OtherBot"


def test_crawl_delay_sets_the_minimum_interval(clock: FakeTime) -> None:
    with (
        FaultServer(robots="User-agent: *\nCrawl-delay: 3\n") as srv,
        Fetcher(make_settings(), sleep=clock.sleep, clock=clock) as f,
    ):
        assert get(f, srv, "/news", rate_limit=2.0).ok
        assert get(f, srv, "/news?start=16", rate_limit=2.0).ok
    # robots.txt, then the first page 0.5 s later (rate limit; the delay was not yet
    # known), then 3 s between pages (Crawl-delay beats 1/rate_limit).
    assert clock.sleeps == [pytest.approx(0.5), pytest.approx(3.0)]


# ---------------------------------------------------------------------------
# Pacing


def test_rate_limit_spaces_requests_to_a_host(
    fetcher: Fetcher, server: FaultServer, clock: FakeTime
) -> None:
    for path in ("/news", "/news?start=16", "/news?start=32"):
        assert get(fetcher, server, path, rate_limit=2.0).ok
    # robots.txt, then three pages, each 1/2 s after the previous request.
    assert clock.sleeps == [pytest.approx(0.5)] * 3


def test_rate_limit_zero_means_no_waiting(
    fetcher: Fetcher, server: FaultServer, clock: FakeTime
) -> None:
    for path in ("/news", "/news?start=16"):
        assert get(fetcher, server, path, rate_limit=0).ok
    assert clock.sleeps == []


def test_default_rate_limit_comes_from_settings(server: FaultServer, clock: FakeTime) -> None:
    with Fetcher(make_settings(default_rate_limit=4.0), sleep=clock.sleep, clock=clock) as f:
        get(f, server, "/news")
    assert clock.sleeps == [pytest.approx(0.25)]


def test_one_host_sequential_two_hosts_concurrent() -> None:
    settings = make_settings(read_timeout=2.0)
    with FaultServer() as a, FaultServer() as b, Fetcher(settings) as f:

        def hit(srv: FaultServer, key: str) -> None:
            assert get(f, srv, f"/fault/slow?ms=300&k={key}", rate_limit=0).ok

        threads = [
            threading.Thread(target=hit, args=(srv, key))
            for srv, key in ((a, "1"), (a, "2"), (b, "3"))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)

        def spans(srv: FaultServer) -> list[tuple[float, float]]:
            return sorted(
                (q.started, q.finished or 0.0) for q in srv.requests if q.path.startswith("/fault/")
            )

        a1, a2 = spans(a)
        [b1] = spans(b)
    assert a2[0] >= a1[1]  # same host: the second starts after the first finished
    assert b1[0] < max(a1[1], a2[1]) and b1[1] > min(a1[0], a2[0])  # other host overlapped


# ---------------------------------------------------------------------------
# Conditional GET


def test_conditional_get_with_etag(fetcher: Fetcher, server: FaultServer) -> None:
    first = get(fetcher, server, "/fault/conditional")
    assert (first.ok, first.etag, first.last_modified) == (True, ETAG, LAST_MODIFIED)
    r = get(fetcher, server, "/fault/conditional", etag=first.etag)
    assert (r.ok, r.not_modified, r.error, r.status, r.body) == (False, True, None, 304, None)
    assert (r.etag, r.last_modified, r.content_hash, r.attempts) == (ETAG, LAST_MODIFIED, None, 1)
    assert r.failed is False
    assert server.requests[-1].headers["if-none-match"] == ETAG


def test_conditional_get_with_last_modified(fetcher: Fetcher, server: FaultServer) -> None:
    r = get(fetcher, server, "/fault/conditional", last_modified=LAST_MODIFIED)
    assert (r.not_modified, r.ok, r.error) == (True, False, None)
    assert server.requests[-1].headers["if-modified-since"] == LAST_MODIFIED


def test_changed_resource_comes_back_whole(fetcher: Fetcher, server: FaultServer) -> None:
    r = get(fetcher, server, "/fault/conditional", etag='"old"')
    assert (r.ok, r.not_modified, r.status, r.etag) == (True, False, 200, ETAG)
