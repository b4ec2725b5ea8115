"""A hostile web, part 1: URLs that steer the crawler, servers that never finish, signals.

- SSRF through parser disagreement: urllib.parse ends a URL's authority at "/", "?" or
  "#" and deletes tabs and newlines; urllib3, which requests connects with, also ends it
  at a backslash. Every such form is refused with a clear error before any connection,
  as a start URL, as a redirect Location and as a link found by discovery. A listener on
  127.0.0.2 counts every TCP connection it accepts (not just the requests), so "nothing
  reached it" means no connection at all. A name that resolves to a public address for
  the check and to 127.0.0.1 for the connection (DNS rebinding) is refused at the socket.
- Deadlines: a server that trickles its response headers a byte every 0.2 s without end
  costs one request its total deadline, no more, while another host is served normally;
  the same over TLS, and for a TLS handshake that never ends; a host that keeps running
  out of time is given up for a while; a cancelled fetcher ends its requests in flight
  and its waits at once.
- Signals: `optally run` stuck on such a server ends within seconds of SIGTERM or SIGINT
  with 143 or 130 and one line on stderr, the page it had fetched archived, and the next
  run carries on (slow: each run starts its own Prefect API).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import urllib3.util.connection
import yaml
from sqlalchemy import create_engine, text

from config.settings import Settings
from config.sources import Source, host_allowed, url_problem
from tasks.discover import discover
from tasks.fetch import CANCELLED, HOST_GIVEN_UP, TIMEOUT, Fetcher, FetchResult
from tests.faultserver import FaultServer
from tests.reliability_helpers import ROOT, child_env

LOOPBACK = ["127.0.0.1"]
DEADLINE = 2.0  # seconds: the total deadline the deadline tests configure
TRICKLE = "/fault/trickle-headers"


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "connect_timeout": 1.0,
        "read_timeout": 5.0,  # longer than the deadline: only the deadline can stop a trickle
        "total_timeout": DEADLINE,
        "max_attempts": 1,
        "default_rate_limit": 0.0,
    }
    values.update(overrides)
    return Settings(**values)


class ConnectionRecorder:
    """A TCP listener on 127.0.0.2 that counts the connections it accepts and answers each
    with a tiny page, so a request that does reach it would look like a success."""

    ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nok"

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.2", 0))
        self._sock.settimeout(0.1)
        self.port = int(self._sock.getsockname()[1])
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                    conn.sendall(self.ANSWER)
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with FaultServer() as s:
        yield s


@pytest.fixture
def recorder(server: FaultServer) -> Iterator[ConnectionRecorder]:
    server.reset()
    rec = ConnectionRecorder()
    yield rec
    rec.close()


# ---------------------------------------------------------------------------
# (a) URLs the parsers disagree on: refused before any connection

# (name, URL with {p1} the allowed server's port and {p2} the 127.0.0.2 listener's, error)
BACKSLASH = "invalid url: backslash in host"
CONTROL = "invalid url: control character in url"
SPACE = "invalid url: whitespace or control character in host"
HOSTILE_URLS = [
    # urllib.parse reads host 127.0.0.1, urllib3 connects to 127.0.0.2 (the case)
    ("backslash-userinfo", "http://127.0.0.2:{p2}\\@127.0.0.1:{p1}/x", BACKSLASH),
    ("backslash-default-port", "http://127.0.0.2:{p2}\\@127.0.0.1/x", BACKSLASH),
    ("backslash-reversed", "http://127.0.0.1:{p1}\\@127.0.0.2:{p2}/x", BACKSLASH),
    ("tab", "http://127.0.0.2:{p2}\t@127.0.0.1:{p1}/x", CONTROL),
    ("newline", "http://127.0.0.2:{p2}\n@127.0.0.1:{p1}/x", CONTROL),
    ("carriage-return", "http://127.0.0.2:{p2}\r@127.0.0.1:{p1}/x", CONTROL),
    ("nul", "http://127.0.0.2:{p2}\x00@127.0.0.1:{p1}/x", CONTROL),
    ("del", "http://127.0.0.2:{p2}\x7f@127.0.0.1:{p1}/x", CONTROL),
    ("c1-control", "http://127.0.0.2:{p2}\x85@127.0.0.1:{p1}/x", CONTROL),
    ("tab-in-path", "http://127.0.0.1:{p1}/x\ty", CONTROL),
    ("space", "http://127.0.0.2:{p2} @127.0.0.1:{p1}/x", SPACE),
    ("space-in-host", "http://127.0.0.1 :{p1}/x", SPACE),
    ("no-break-space", "http://127.0.0.2:{p2}\u00a0@127.0.0.1:{p1}/x", SPACE),
    ("ideographic-space", "http://127.0.0.2:{p2}\u3000@127.0.0.1:{p1}/x", SPACE),
    ("zero-width-space", "http://127.0.0.2:{p2}\u200b@127.0.0.1:{p1}/x", SPACE),
    ("bidi-override", "http://127.0.0.2:{p2}\u202e@127.0.0.1:{p1}/x", SPACE),
]


def _fill(template: str, server: FaultServer, recorder: ConnectionRecorder) -> str:
    return template.format(p1=server.port, p2=recorder.port)


@pytest.mark.parametrize(
    ("template", "error"),
    [pytest.param(t, e, id=name) for name, t, e in HOSTILE_URLS],
)
def test_hostile_url_is_refused_before_any_connection(
    server: FaultServer, recorder: ConnectionRecorder, template: str, error: str
) -> None:
    url = _fill(template, server, recorder)
    with Fetcher(make_settings()) as f:
        r = f.fetch(url, allowed_hosts=LOOPBACK, allow_private=True)
    assert (r.ok, r.status, r.attempts, r.error) == (False, None, 0, error)
    assert recorder.accepted == 0  # 127.0.0.2 never saw a connection
    assert server.requests == []  # nor the allowed server, not even for robots.txt
    assert not host_allowed(url, LOOPBACK)  # discovery's check refuses it too
    assert url_problem(url) == error.removeprefix("invalid url: ")


def _public_example(real: Callable[..., Any]) -> Callable[..., Any]:
    """getaddrinfo where public.example resolves to a public address (offline tests)."""

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "public.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port or 80))]
        return real(host, port, *args, **kwargs)

    return fake


def test_backslash_reaches_neither_a_listener_nor_the_metadata_address_without_private_hosts(
    server: FaultServer, recorder: ConnectionRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """allow_private_hosts false, allowed_hosts [public.example], a name that resolves to
    a public address: the check passed on the name after the backslash, and the connection
    went to the address before it (the listener on 127.0.0.2, the metadata service)."""
    dialled: list[tuple[str, int]] = []
    real_connect = urllib3.util.connection.create_connection

    def connect(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        dialled.append(address)
        if address[0].startswith("169.254."):  # never dial out, even on a machine with a route
            raise ConnectionRefusedError("test: metadata address")
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", _public_example(socket.getaddrinfo))
    monkeypatch.setattr(urllib3.util.connection, "create_connection", connect)
    urls = [
        f"http://127.0.0.2:{recorder.port}\\@public.example/x",
        "http://169.254.169.254\\@public.example/latest/meta-data/",
    ]
    with Fetcher(make_settings()) as f:
        results = [
            f.fetch(u, allowed_hosts=["public.example"], allow_private=False, respect_robots=False)
            for u in urls
        ]
    assert [(r.ok, r.attempts, r.error) for r in results] == [(False, 0, BACKSLASH)] * 2
    assert dialled == []
    assert recorder.accepted == 0


def test_a_name_that_resolves_elsewhere_when_connecting_is_refused_at_the_socket(
    server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the check resolves public.example to a public address, the
    connection's own lookup a moment later to 127.0.0.1. The connected peer is checked."""
    server.reset()
    real = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "public.example":
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        address = "93.184.216.34" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with Fetcher(make_settings()) as f:
        r = f.fetch(
            f"http://public.example:{server.port}/news",
            allowed_hosts=["public.example"],
            allow_private=False,
            respect_robots=False,
        )
    assert (r.ok, r.status, r.attempts, r.error) == (False, None, 1, "private address refused")
    assert len(lookups) == 2  # the check's, then the connection's
    assert server.requests == []  # connected, but not one byte of a request was sent


REDIRECTS = [
    ("backslash", "http://127.0.0.2:{p2}\\@127.0.0.1:{p1}/x", BACKSLASH),
    ("scheme-relative-backslash", "//127.0.0.2:{p2}\\@127.0.0.1:{p1}/x", BACKSLASH),
    # urljoin would delete the tab and hand over a clean-looking URL
    ("tab", "http://127.0.0.2:{p2}\t@127.0.0.1:{p1}/x", CONTROL),
    ("scheme-relative-tab", "//127.0.0.2:{p2}\t@127.0.0.1:{p1}/x", CONTROL),
    ("nul", "http://127.0.0.2:{p2}\x00@127.0.0.1:{p1}/x", CONTROL),
    ("space", "http://127.0.0.2:{p2} @127.0.0.1:{p1}/x", SPACE),
    ("no-break-space", "http://127.0.0.2:{p2}\u00a0@127.0.0.1:{p1}/x", SPACE),
    ("relative-path-with-tab", "/x\ty", CONTROL),
]


@pytest.mark.parametrize(
    ("template", "error"),
    [pytest.param(t, e, id=name) for name, t, e in REDIRECTS],
)
def test_redirect_to_a_hostile_url_is_refused(
    server: FaultServer, recorder: ConnectionRecorder, template: str, error: str
) -> None:
    location = _fill(template, server, recorder)
    # The Location header goes out as UTF-8 bytes (send_header encodes latin-1).
    path = "/fault/redirect-to?to=" + quote(location.encode().decode("latin-1"), safe="")
    with Fetcher(make_settings()) as f:
        r = f.fetch(server.url(path), allowed_hosts=LOOPBACK, allow_private=True)
    assert (r.ok, r.status, r.attempts, r.error) == (False, 302, 1, f"{error} (redirect)")
    assert r.final_url == server.url(path)
    assert recorder.accepted == 0
    assert server.paths() == ["/robots.txt", path]  # nothing after the redirect


def test_redirect_whose_location_is_not_utf8_fails_cleanly(server: FaultServer) -> None:
    path = "/fault/redirect-to?to=" + quote("http://127.0.0.1/\xa0", safe="")  # one 0xA0 byte
    with Fetcher(make_settings()) as f:
        r = f.fetch(server.url(path), allowed_hosts=LOOPBACK, allow_private=True)
    assert (r.ok, r.error) == (False, "invalid url: Location is not UTF-8 (redirect)")


class ListingSite:
    """An NCA-shaped listing on 127.0.0.1 whose article and next-page links are given."""

    def __init__(self, links: list[str], next_page: str) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        cells = "".join(
            f'<div class="span4"><div class="page-header"><h2><a href="{href}">'
            f"Modern slavery week of action {i}</a></h2></div></div>"
            for i, href in enumerate(links)
        )
        page = (
            '<html><body><div class="blog news-page"><div class="row-fluid">'
            f'<div class="items-row row-fluid">{cells}</div></div><ul><li>'
            f'<a aria-label="Go to next &gt; page" href="{next_page}">Next</a></li></ul>'
            "</div></body></html>"
        ).encode()
        self.paths: list[str] = []
        paths = self.paths

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                paths.append(self.path)
                status, body = (200, page) if self.path == "/news" else (404, b"")
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = int(self._httpd.server_address[1])
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def test_discovery_drops_hostile_links_and_refuses_a_hostile_next_page(
    recorder: ConnectionRecorder,
) -> None:
    p2 = recorder.port
    next_page = f"http://127.0.0.2:{p2}\\@127.0.0.1/news?start=16"
    site = ListingSite(
        links=[
            f"http://127.0.0.2:{p2}\\@127.0.0.1/news/to-127-0-0-2",
            f"http://127.0.0.2:{p2} @127.0.0.1/news/with-a-space",
            "/news/on-the-allowed-host",
        ],
        next_page=next_page,
    )
    try:
        base = f"http://127.0.0.1:{site.port}"
        source = Source(
            name="hostile",
            kind="listing",
            profile="nca",
            start_url=f"{base}/news",
            allowed_hosts=LOOPBACK,
            allow_private_hosts=True,
            rate_limit=0,
            robots_on_error="allow",
        )
        with Fetcher(make_settings()) as f:
            result = discover(source, f)
    finally:
        site.close()
    assert [link.url for link in result.links] == [f"{base}/news/on-the-allowed-host"]
    assert [(r.url, r.error) for r in result.failures] == [(next_page, BACKSLASH)]
    assert recorder.accepted == 0
    assert site.paths == ["/robots.txt", "/news"]


# ---------------------------------------------------------------------------
# (b) Deadlines


def _in_thread(fn: Callable[[], FetchResult]) -> tuple[threading.Thread, list[FetchResult]]:
    out: list[FetchResult] = []
    thread = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    thread.start()
    return thread, out


def _wait_for_request(server: FaultServer, path: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while path not in server.paths():
        assert time.monotonic() < deadline, f"{path} never requested"
        time.sleep(0.01)


def test_trickled_headers_cost_one_deadline_while_another_host_is_served() -> None:
    with FaultServer() as slow, FaultServer(address="127.0.0.2") as other:
        hosts = ["127.0.0.1", "127.0.0.2"]
        with Fetcher(make_settings()) as f:
            thread, out = _in_thread(
                lambda: f.fetch(slow.url(TRICKLE), allowed_hosts=hosts, allow_private=True)
            )
            _wait_for_request(slow, TRICKLE)
            started = time.monotonic()
            page = f.fetch(
                other.url(other.articles[0].path), allowed_hosts=hosts, allow_private=True
            )
            served_in = time.monotonic() - started
            stuck_meanwhile = thread.is_alive()
            thread.join(timeout=DEADLINE + 3)
            assert not thread.is_alive(), "the trickling server held the fetch past its deadline"
        sent = slow.bytes_sent(TRICKLE)
    [r] = out
    assert (r.ok, r.status, r.attempts, r.error, r.body) == (False, None, 1, TIMEOUT, None)
    assert DEADLINE <= r.elapsed < DEADLINE + 1.0
    assert 5 <= sent <= (DEADLINE + 1.0) / 0.2  # a byte every 0.2 s until we hung up
    assert page.ok and page.status == 200 and served_in < 1.0
    assert stuck_meanwhile  # the other host was served while the first one trickled


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    from datetime import UTC, datetime, timedelta
    from ipaddress import IPv4Address

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class SlowTlsServer:
    """HTTPS on 127.0.0.1 that either never finishes the TLS handshake ("handshake") or
    trickles its response headers a byte every 0.2 s ("headers"); 30 s at most."""

    def __init__(self, cert: Path, key: Path, mode: str) -> None:
        import ssl

        self._ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._ctx.load_cert_chain(cert, key)
        self._mode = mode
        self._stop = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.1)
        self.port = int(self._sock.getsockname()[1])
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                if self._mode == "handshake":
                    self._stop.wait(30)
                    return
                conn.settimeout(5)
                tls = self._ctx.wrap_socket(conn, server_side=True)
                tls.recv(65536)
                for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: " + b"a" * 150:
                    if self._stop.wait(0.2):
                        return
                    tls.sendall(bytes([byte]))
            except OSError:
                pass

    def close(self) -> None:
        self._stop.set()
        self._sock.close()


@pytest.mark.parametrize("mode", ["handshake", "headers"])
def test_deadline_holds_over_tls(
    mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = _self_signed(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))  # trusted, so TLS itself succeeds
    server = SlowTlsServer(cert, key, mode)
    try:
        settings = make_settings(connect_timeout=5.0)  # neither timeout can end it: 5 s
        with Fetcher(settings) as f:
            r = f.fetch(
                f"https://127.0.0.1:{server.port}/x",
                allowed_hosts=LOOPBACK,
                allow_private=True,
                respect_robots=False,
            )
    finally:
        server.close()
    assert (r.ok, r.status, r.attempts, r.error) == (False, None, 1, TIMEOUT)
    assert DEADLINE <= r.elapsed < DEADLINE + 1.0


def test_deadline_defaults_to_connect_plus_read_timeout() -> None:
    settings = Settings(
        connect_timeout=0.5, read_timeout=1.0, max_attempts=1, default_rate_limit=0.0
    )
    with FaultServer() as slow, Fetcher(settings) as f:
        r = f.fetch(slow.url(TRICKLE), allowed_hosts=LOOPBACK, allow_private=True)
    assert (r.ok, r.error) == (False, TIMEOUT)
    assert 1.5 <= r.elapsed < 2.5


def test_host_that_keeps_running_out_of_time_is_given_up() -> None:
    deadline = 0.5
    with FaultServer() as slow, FaultServer(address="127.0.0.2") as other:
        hosts = ["127.0.0.1", "127.0.0.2"]
        with Fetcher(make_settings(total_timeout=deadline)) as f:
            first = [
                f.fetch(slow.url(f"{TRICKLE}?n={i}"), allowed_hosts=hosts, allow_private=True)
                for i in range(3)
            ]
            started = time.monotonic()
            fourth = f.fetch(
                slow.url(slow.articles[0].path), allowed_hosts=hosts, allow_private=True
            )
            fourth_took = time.monotonic() - started
            elsewhere = f.fetch(
                other.url(other.articles[0].path), allowed_hosts=hosts, allow_private=True
            )
        asked = slow.paths()
    assert [(r.error, r.attempts) for r in first] == [(TIMEOUT, 1)] * 3
    assert (fourth.ok, fourth.error, fourth.attempts) == (False, HOST_GIVEN_UP, 0)
    assert fourth_took < 0.2
    assert slow.articles[0].path not in asked  # the given-up host was not asked again
    assert elsewhere.ok


def test_cancel_ends_a_request_in_flight_and_refuses_new_ones() -> None:
    with FaultServer() as slow, Fetcher(make_settings(total_timeout=30.0)) as f:
        thread, out = _in_thread(
            lambda: f.fetch(slow.url(TRICKLE), allowed_hosts=LOOPBACK, allow_private=True)
        )
        _wait_for_request(slow, TRICKLE)
        cancelled_at = time.monotonic()
        f.cancel()
        thread.join(timeout=2)
        ended_in = time.monotonic() - cancelled_at
        after = f.fetch(slow.url(slow.articles[0].path), allowed_hosts=LOOPBACK, allow_private=True)
        asked = slow.paths()
    [r] = out
    assert (r.ok, r.error, r.attempts) == (False, CANCELLED, 1)
    assert ended_in < 1.0
    assert (after.ok, after.error, after.attempts) == (False, CANCELLED, 0)
    assert slow.articles[0].path not in asked


def test_cancel_cuts_a_retry_after_wait_short() -> None:
    settings = make_settings(max_attempts=2, retry_after_max=30.0)
    with FaultServer() as server, Fetcher(settings) as f:
        path = "/fault/429-date-once?k=cancel-wait"  # Retry-After: 30 s from now
        thread, out = _in_thread(
            lambda: f.fetch(server.url(path), allowed_hosts=LOOPBACK, allow_private=True)
        )
        _wait_for_request(server, path)
        time.sleep(0.2)  # into the wait
        f.cancel()
        thread.join(timeout=2)
        assert not thread.is_alive()
    [r] = out
    assert (r.ok, r.error, r.attempts) == (False, CANCELLED, 1)
    assert r.elapsed < 2.0


# ---------------------------------------------------------------------------
# (c) Signals end `optally run`


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prefect-home")  # shared: migrated once for both runs


def _start_run(sources: Path, db_url: str, prefect_home: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "run", "--sources", str(sources), "--db", db_url],
        cwd=ROOT,
        env=child_env(prefect_home, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As from a terminal: SIGINT not ignored, even when pytest was started in the
        # background; its own session, so only the signals sent here reach it.
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _kill_session(child: subprocess.Popen[str]) -> None:
    """SIGKILL whatever is left of the run's session: a run that did not stop leaves its
    temporary Prefect API behind, holding the pipes ``communicate`` waits on."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.communicate(timeout=10)


def _children(pid: int) -> list[int]:
    import psutil

    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"]
)
def test_signal_ends_a_run_stuck_on_a_trickling_server(
    signum: int, status: int, prefect_home: Path, tmp_path: Path
) -> None:
    import psutil

    db_url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    with FaultServer() as site:
        good = site.url(site.articles[0].path)
        stuck = site.url(TRICKLE)
        sources = tmp_path / "sources.yaml"
        sources.write_text(
            yaml.safe_dump(
                {
                    "sources": [
                        {
                            "name": "trickle",
                            "kind": "urls",
                            "urls": [good, stuck],  # one batch: the good page first
                            "allowed_hosts": LOOPBACK,
                            "allow_private_hosts": True,
                            "rate_limit": 0,
                        }
                    ]
                }
            ),
            encoding="utf-8",
        )
        child = _start_run(sources, db_url, prefect_home)
        try:
            deadline = time.monotonic() + 120  # the Prefect API starts first
            while TRICKLE not in site.paths():
                assert child.poll() is None, child.communicate()[1][-3000:]
                assert time.monotonic() < deadline, "the run never reached the trickling page"
                time.sleep(0.1)
            time.sleep(1.0)  # well into the trickle (default deadline: 40 s)
            helpers = _children(child.pid)  # the temporary Prefect API among them
            sent = time.monotonic()
            os.kill(child.pid, signum)
            _, err = child.communicate(timeout=10)
            took = time.monotonic() - sent
            time.sleep(1.0)
            left = [pid for pid in helpers if psutil.pid_exists(pid)]
        finally:
            _kill_session(child)
        assert child.returncode == status, err[-3000:]
        assert took < 10
        name = signal.Signals(signum).name
        assert err.strip().splitlines()[-1] == (
            f"optally: stopped by {name}; the next run carries on from here"
        )
        assert err.count("optally: ") == 1 and "Traceback" not in err
        assert left == []  # the temporary Prefect API stopped with the run
        assert _rows(db_url) == ({good}, {}, 0)  # archived; the page cut short is no failure

        # The next run carries on: the archived page is extracted, the trickling one is
        # recorded as a timeout (short timeouts this time, so the run ends by itself).
        child = _start_run(
            sources,
            db_url,
            prefect_home,
            OPTALLY_CONNECT_TIMEOUT="1",
            OPTALLY_READ_TIMEOUT="1",
            OPTALLY_MAX_ATTEMPTS="1",
        )
        try:
            _, err = child.communicate(timeout=180)
        finally:
            _kill_session(child)
    assert child.returncode == 0, err[-3000:]
    assert _rows(db_url) == ({good}, {stuck: TIMEOUT}, 1)


def _rows(db_url: str) -> tuple[set[str], dict[str, str], int]:
    """The warehouse's page URLs, failures (URL -> reason) and extracted articles."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            pages = set(conn.execute(text("SELECT url FROM pages")).scalars())
            failures = dict(conn.execute(text("SELECT url, reason FROM fetch_failures")).all())
            articles = conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
    finally:
        engine.dispose()
    return pages, failures, int(articles)
