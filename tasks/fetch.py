"""The network layer: polite, bounded HTTP GETs. The only module that imports requests.

``Fetcher.fetch`` never raises. Every outcome, including "robots.txt said no" and
"the server kept failing", comes back as a ``FetchResult`` with a short ``error``, so the
flow can record a failure per URL and carry on with the rest.

Retries: the attempt loop in ``Fetcher._fetch_hop`` is the ONLY retry layer. The
requests adapter is mounted with ``max_retries=0`` (no urllib3 ``Retry``) and the Prefect
task that wraps a fetch must not set ``retries=``; stacking layers multiplies attempts
and delays against a site that is already struggling (docs/DEPLOY.md, "Operational
settings", retries).

Hostile servers: every URL is checked as it will be sent (the prepared request's URL,
read with urllib3's parser, the one the connection uses), on every hop; an authority
holding a backslash, whitespace or a control character is refused outright
(``config.sources.url_problem``). Every HTTP request has a total deadline covering
connect, headers and body: a watchdog thread shuts the request's socket down when it
passes, so a server trickling its headers a byte at a time cannot hold a thread
(``_Watchdog``). ``Fetcher.cancel`` (a signal is stopping the run) ends every request in
flight the same way and refuses new ones.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import ipaddress
import itertools
import random
import re
import socket
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions
import urllib3.poolmanager
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from config.settings import Settings, get_settings
from config.sources import host_allowed, url_problem, url_target
from tasks.politeness import (
    HostPacer,
    RobotsCache,
    RobotsResponse,
    min_interval,
    robots_agent,
)

Accept = Literal["html", "feed", "json", "any"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# 403 is retried because the NCA's WAF answers 403 intermittently (docs/SOURCES.md,
# "National Crime Agency"; OpenSanctions retries it too); 429 and 5xx are the usual
# transient answers.
RETRY_STATUSES = frozenset({403, 429}) | frozenset(range(500, 600))

_ACCEPT_HEADER: dict[str, str] = {
    "html": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    "feed": "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1",
    "json": "application/json,*/*;q=0.1",
    "any": "*/*",
}
# The media types read as pages (tasks/warc.py and tasks/wayback.py read archives' so too).
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_GZIP_TYPES = frozenset({"application/gzip", "application/x-gzip"})  # sitemap.xml.gz
_CHUNK = 64 * 1024
_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_ERRNO_RE = re.compile(r"\[Errno -?\d+\]\s*([^'\")\]]+)")
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")

TIMEOUT = "timeout"
CANCELLED = "cancelled"  # Fetcher.cancel: the process is stopping (a signal)
PRIVATE_REFUSED = "private address refused"
# A host whose requests run out of time this many times in a row is not asked again for
# HOST_GIVE_UP_S: its remaining URLs fail at once (and are tried again next run).
HOST_TIMEOUT_LIMIT = 3
HOST_GIVE_UP_S = 600.0
HOST_GIVEN_UP = f"host unresponsive: {HOST_TIMEOUT_LIMIT} requests in a row ran out of time"


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One fetch, successful or not. ``error`` is a short reason whenever ``ok`` is False,
    except for a 304 (``not_modified=True``), which is not an error."""

    url: str
    final_url: str
    status: int | None
    ok: bool
    not_modified: bool
    body: bytes | None
    headers: dict[str, str]  # final response headers, lower-case keys
    content_type: str | None  # media type only, lower case: "text/html"
    encoding: str | None  # charset from Content-Type, else None (the parser detects it)
    etag: str | None
    last_modified: str | None
    content_hash: str | None  # sha256 hex of body
    fetched_at: datetime  # UTC, tz-aware
    attempts: int  # HTTP requests sent for this URL (retries and redirect hops; not robots.txt)
    error: str | None
    elapsed: float  # seconds, wall clock, waits included

    @property
    def failed(self) -> bool:
        """Not ok and not a 304: the flow should record this URL as a failure."""
        return not self.ok and not self.not_modified


@dataclass(slots=True)
class _Attempt:
    """What one HTTP request produced. Internal to the retry loop."""

    status: int | None = None
    headers: dict[str, str] | None = None
    body: bytes | None = None
    error: str | None = None
    retryable: bool = False
    retry_after: float | None = None
    location: str | None = None


# ---------------------------------------------------------------------------
# The total deadline: a watchdog that shuts sockets down


class _Guard:
    """One HTTP request's sockets and deadline.

    A read or connect timeout bounds one socket operation only, so a server that sends a
    byte every 0.2 s never trips it. When the deadline passes (or the fetcher is
    cancelled) the watchdog calls ``expire``: the sockets are shut down, which ends any
    blocked connect, read or TLS handshake at once, in whatever thread it is. Once the
    request is over (``finish``), the guard never touches its sockets again: they may be
    back in the pool, serving another request.
    """

    __slots__ = ("_done", "_lock", "_sockets", "allow_private", "expired", "refused")

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self.expired: str | None = None  # TIMEOUT or CANCELLED once expired
        self.refused: str | None = None  # the connected address was refused
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._done = False

    def attach(self, sock: socket.socket) -> None:
        with self._lock:
            if self._done:
                return
            if self.expired is not None:  # expired while connecting: end it now
                _shutdown(sock)
            elif sock not in self._sockets:
                self._sockets.append(sock)

    def expire(self, reason: str) -> None:
        with self._lock:
            if self._done or self.expired is not None:
                return
            self.expired = reason
            for sock in self._sockets:
                _shutdown(sock)

    def finish(self) -> None:
        with self._lock:
            self._done = True
            self._sockets.clear()


_current = threading.local()  # .guard: the _Guard of the request this thread is making


def _attach_current(sock: socket.socket | None) -> None:
    guard: _Guard | None = getattr(_current, "guard", None)
    if guard is not None and sock is not None:
        guard.attach(sock)


def _shutdown(sock: socket.socket) -> None:
    # socket.socket.shutdown, not SSLSocket.shutdown: the latter drops the TLS object
    # under the reading thread's feet. Shutting the descriptor down makes the reader see
    # end of stream. Never close() here: the descriptor could be reused meanwhile.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _GuardedConnectionMixin:
    """Hands every socket a request uses to the request's ``_Guard``: a new one as soon as
    it is connected (before any TLS handshake), a pooled one when it is reused."""

    sock: socket.socket | None
    proxy: Any

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        guard: _Guard | None = getattr(_current, "guard", None)
        if guard is not None:
            guard.attach(sock)
            # The name was checked before the request, but requests resolves it again
            # (DNS rebinding): refuse a private peer unless the source allows them. A
            # proxy's own address is not the target's, so it is not judged.
            if not guard.allow_private and not self.proxy and _peer_is_private(sock):
                guard.refused = PRIVATE_REFUSED
                _shutdown(sock)
                sock.close()
                raise urllib3.exceptions.NewConnectionError(self, PRIVATE_REFUSED)  # type: ignore[arg-type]
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach_current(self.sock)
        super().request(*args, **kwargs)  # type: ignore[misc]

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _attach_current(self.sock)
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class _GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


_GUARDED_POOLS: dict[str, type[HTTPConnectionPool]] = {
    "http": _GuardedHTTPPool,
    "https": _GuardedHTTPSPool,
}


class _GuardedAdapter(HTTPAdapter):
    """requests' adapter with connections that report their sockets to the guard."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _GUARDED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        # An HTTP(S) proxy uses the ordinary pools; a SOCKS proxy has its own classes,
        # and keeps them (its requests are bounded by the socket timeouts only).
        if manager.pool_classes_by_scheme is urllib3.poolmanager.pool_classes_by_scheme:
            manager.pool_classes_by_scheme = _GUARDED_POOLS
        return manager


class _Watchdog:
    """Expires guards whose deadline has passed. One daemon thread, started on first use,
    asleep until the earliest deadline; ``expire_all`` serves ``Fetcher.cancel``."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Guard]] = []
        self._active: set[_Guard] = set()
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None
        self._closed = False

    @contextlib.contextmanager
    def watch(self, deadline: float, allow_private: bool) -> Iterator[_Guard]:
        """Guard the request made in this block, in this thread."""
        guard = _Guard(allow_private)
        with self._cond:
            heapq.heappush(self._heap, (deadline, next(self._seq), guard))
            self._active.add(guard)
            if self._thread is None or not self._thread.is_alive():  # new, or forked
                self._thread = threading.Thread(
                    target=self._run, name="fetch-watchdog", daemon=True
                )
                self._thread.start()
            self._cond.notify()
        previous = getattr(_current, "guard", None)
        _current.guard = guard
        try:
            yield guard
        finally:
            _current.guard = previous
            guard.finish()
            with self._cond:
                self._active.discard(guard)  # its heap entry is dropped when it comes up

    def expire_all(self, reason: str) -> None:
        with self._cond:
            guards = list(self._active)
        for guard in guards:
            guard.expire(reason)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()

    def _run(self) -> None:
        with self._cond:
            while not self._closed:
                now = time.monotonic()
                while self._heap and self._heap[0][0] <= now:
                    guard = heapq.heappop(self._heap)[2]
                    if guard in self._active:
                        guard.expire(TIMEOUT)
                wait = self._heap[0][0] - now if self._heap else None
                self._cond.wait(wait)


# ---------------------------------------------------------------------------
# The fetcher


class Fetcher:
    """Polite HTTP client for one run: robots.txt, per-host pacing, bounded retries,
    size and time caps, allowed hosts and no private addresses.

    Thread-safe: the flow may call ``fetch`` from several threads. Requests to one host
    are sequential (``HostPacer``); different hosts proceed in parallel over one pooled
    ``requests.Session``. A host that uses up its deadline holds only its own requests.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        user_agent: str | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.user_agent = user_agent or self.settings.user_agent
        self._agent_token = robots_agent(self.user_agent)
        self._rng = rng or random.Random()
        self._cancelled = threading.Event()
        # Waits (pacing, Retry-After, backoff) end early when the fetcher is cancelled.
        self._pacer = HostPacer(sleep=sleep or self._wait, clock=clock)
        self._robots = RobotsCache(clock=clock)
        self._watchdog = _Watchdog()
        self._session = requests.Session()
        # A pool per host for a handful of hosts; a few connections each is plenty since
        # requests to one host are sequential. max_retries=0: see the module docstring.
        adapter = _GuardedAdapter(
            pool_connections=16,
            pool_maxsize=max(4, self.settings.max_workers),
            max_retries=0,
        )
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers.update({"User-Agent": self.user_agent})
        # The total budget of one HTTP request: connect, headers and body.
        self._deadline = float(
            self.settings.total_timeout
            or self.settings.connect_timeout + self.settings.read_timeout
        )

    # -- lifecycle ---------------------------------------------------------

    def close(self) -> None:
        self._watchdog.close()
        self._session.close()

    def cancel(self) -> None:
        """End every request in flight (their sockets are shut down) and refuse new ones:
        each ``fetch`` returns at once with the error ``"cancelled"``. For a process that
        is stopping; a cancelled fetcher stays cancelled."""
        self._cancelled.set()
        self._watchdog.expire_all(CANCELLED)

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def _wait(self, seconds: float) -> None:
        self._cancelled.wait(seconds)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- public API --------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        allowed_hosts: Sequence[str],
        rate_limit: float | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        allow_private: bool = False,
        accept: Accept = "html",
        respect_robots: bool = True,
        robots_on_error: Literal["disallow", "allow"] = "disallow",
    ) -> FetchResult:
        """GET ``url`` politely. Never raises.

        ``rate_limit`` is requests per second to this host (None: the settings default;
        0: no limit). ``etag``/``last_modified`` make the request conditional; a 304
        comes back with ``not_modified=True``. ``robots_on_error="allow"`` lets a source
        crawl a host whose robots.txt is unreachable (5xx, timeout), which is otherwise
        treated as "disallow everything" for this run.
        """
        started = time.monotonic()
        try:
            return self._fetch(
                url,
                started=started,
                allowed_hosts=allowed_hosts,
                rate_limit=self.settings.default_rate_limit if rate_limit is None else rate_limit,
                etag=etag,
                last_modified=last_modified,
                allow_private=allow_private,
                accept=accept,
                respect_robots=respect_robots,
                robots_on_error=robots_on_error,
            )
        except Exception as exc:  # the contract is "never raises"; keep the reason
            return _result(url, url, started, error=f"unexpected error: {_short(exc)}")

    # -- internals ---------------------------------------------------------

    def _fetch(
        self,
        url: str,
        *,
        started: float,
        allowed_hosts: Sequence[str],
        rate_limit: float,
        etag: str | None,
        last_modified: str | None,
        allow_private: bool,
        accept: Accept,
        respect_robots: bool,
        robots_on_error: Literal["disallow", "allow"],
    ) -> FetchResult:
        headers = {"Accept": _ACCEPT_HEADER[accept]}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified

        current = _strip_fragment(url)
        fetched = current  # the last URL actually requested; final_url when a hop is refused
        attempts = 0
        last: _Attempt | None = None  # the previous hop's response, when redirected
        for hop in range(self.settings.max_redirects + 1):
            if self.cancelled:
                return _result(url, fetched, started, attempts=attempts, error=CANCELLED)
            prepared, refusal = self._prepare(current, headers)
            if prepared is not None:
                refusal = self._refusal(prepared.url or "", allowed_hosts, allow_private)
            if prepared is None or refusal is not None:
                refusal = refusal or f"invalid url: {current}"
                if hop > 0:
                    refusal += " (redirect)"
                return _result(url, fetched, started, attempts=attempts, error=refusal, last=last)
            sent = prepared.url or current  # what goes on the wire, as checked

            robots_delay: float | None = None
            if respect_robots:
                policy = self._robots.policy(
                    sent,
                    lambda robots_url: self._fetch_robots(
                        robots_url, allowed_hosts, rate_limit, allow_private
                    ),
                )
                if not policy.allows(sent, self._agent_token, robots_on_error):
                    error = (
                        "robots.txt disallows"
                        if policy.state == "rules"
                        else f"robots.txt unreachable ({policy.reason}): host disallowed for this run"
                    )
                    return _result(url, fetched, started, attempts=attempts, error=error, last=last)
                robots_delay = policy.delay(self._agent_token)

            interval = min_interval(rate_limit, robots_delay, self.settings.retry_after_max)
            attempt, used = self._fetch_hop(prepared, accept, interval, allow_private)
            attempts += used

            if attempt.location is not None:
                fetched, last = current, attempt
                current, problem = _redirect_url(current, attempt.location)
                if problem is not None:
                    error = f"invalid url: {problem} (redirect)"
                    return _result(url, fetched, started, attempts=attempts, error=error, last=last)
                continue
            return _result(
                url,
                current,
                started,
                attempts=attempts,
                last=attempt,
                etag=etag,
                last_modified=last_modified,
            )
        return _result(
            url,
            fetched,
            started,
            attempts=attempts,
            error=f"too many redirects (more than {self.settings.max_redirects})",
            last=last,
        )

    def _prepare(
        self, url: str, headers: dict[str, str]
    ) -> tuple[requests.PreparedRequest | None, str | None]:
        """The request exactly as it would be sent, or why ``url`` is refused unread."""
        try:
            scheme = urlsplit(url).scheme.lower()
        except ValueError:
            return None, f"invalid url: {url}"
        if scheme not in ("http", "https"):
            return None, f"unsupported url scheme: {scheme or '(none)'}"
        problem = url_problem(url)
        if problem is not None:
            return None, f"invalid url: {problem}"
        try:
            req = requests.Request("GET", url, headers=headers)
            return self._session.prepare_request(req), None
        except (requests.exceptions.RequestException, ValueError, UnicodeError):
            return None, f"invalid url: {url}"  # no host, bad port, bad IDNA label...

    def _fetch_hop(
        self,
        prepared: requests.PreparedRequest,
        accept: Accept,
        interval: float,
        allow_private: bool,
    ) -> tuple[_Attempt, int]:
        """GET one URL with the retry loop. Returns the last attempt and how many were made.

        Full-jitter exponential backoff (a uniform wait in [0, min(max, base * 2**n)]),
        unless the server sent Retry-After, which is obeyed (capped). The wait is put on
        the host itself (``HostSlot.defer``), so other threads stay off a host that asked
        us to back off. A host that keeps running out of time is given up for a while
        (``HostSlot.note``).
        """
        host = _host_key(prepared.url or "")
        max_attempts = max(1, self.settings.max_attempts)
        attempt = _Attempt(error="no attempt made")
        for n in range(1, max_attempts + 1):
            with self._pacer.slot(host, interval) as slot:
                if self.cancelled:
                    return _Attempt(error=CANCELLED), n - 1
                if slot.given_up:
                    return _Attempt(error=HOST_GIVEN_UP), n - 1
                attempt = self._attempt(prepared, accept, allow_private)
                slot.note(attempt.error == TIMEOUT, HOST_TIMEOUT_LIMIT, HOST_GIVE_UP_S)
                if attempt.retry_after is not None:
                    # Obeyed even when we give up: the next request to this host, for
                    # any URL and from any thread, waits as the server asked.
                    slot.defer(min(attempt.retry_after, self.settings.retry_after_max))
                if not attempt.retryable or n == max_attempts:
                    return attempt, n
                if attempt.retry_after is None:
                    cap = min(self.settings.backoff_max, self.settings.backoff_base * 2 ** (n - 1))
                    slot.defer(self._rng.uniform(0.0, cap))
        return attempt, max_attempts

    def _attempt(
        self, prepared: requests.PreparedRequest, accept: Accept, allow_private: bool
    ) -> _Attempt:
        """One request under the total deadline. Never raises."""
        deadline = time.monotonic() + self._deadline
        with self._watchdog.watch(deadline, allow_private) as guard:
            attempt = self._send(prepared, accept, deadline)
        if guard.refused is not None:
            return _Attempt(error=guard.refused)
        if guard.expired is not None:
            # Whatever the shut-down socket made of the response (an error, or a body cut
            # short that would look complete), the request ran out of time or was cancelled.
            return _Attempt(
                attempt.status,
                attempt.headers,
                error=guard.expired,
                retryable=guard.expired == TIMEOUT,
            )
        return attempt

    def _send(
        self, prepared: requests.PreparedRequest, accept: Accept, deadline: float
    ) -> _Attempt:
        """One request; reads the body only when it is wanted. Never raises."""
        s = self.settings
        # Connecting may not outlast the deadline either: the watchdog can only shut a
        # socket down once it exists.
        connect = max(0.001, min(s.connect_timeout, deadline - time.monotonic()))
        try:
            env = self._session.merge_environment_settings(prepared.url, {}, True, None, None)
            resp = self._session.send(
                prepared.copy(),
                timeout=(connect, s.read_timeout),
                allow_redirects=False,  # every hop is re-checked in _fetch
                **env,
            )
        except requests.exceptions.Timeout:
            return _Attempt(error=TIMEOUT, retryable=True)
        except requests.exceptions.SSLError as exc:
            # Certificate problems do not heal within a few seconds: no retry.
            return _Attempt(error=f"tls error: {_reason(exc)}")
        except requests.exceptions.ConnectionError as exc:
            return _Attempt(error=f"connection error: {_reason(exc)}", retryable=True)
        except requests.exceptions.RequestException as exc:
            return _Attempt(error=f"request error: {_reason(exc)}")
        except UnicodeDecodeError:
            # requests decodes a redirect's Location as UTF-8 even when not following it.
            return _Attempt(error="invalid url: Location is not UTF-8 (redirect)")

        try:
            status = resp.status_code
            rh = {k.lower(): v for k, v in resp.headers.items()}
            if time.monotonic() > deadline:
                return _Attempt(status, rh, error=TIMEOUT, retryable=True)
            if status in REDIRECT_STATUSES and rh.get("location"):
                return _Attempt(status, rh, location=rh["location"])
            if status == 304:
                # No body to read, but closing an unread response closes its connection:
                # drain it so the connection goes back to the pool. Otherwise every page an
                # incremental run re-checks opens a new connection (TCP and TLS handshakes).
                resp.raw.drain_conn()
                return _Attempt(status, rh)
            if status in RETRY_STATUSES:
                return _Attempt(
                    status,
                    rh,
                    error=f"http {status}",
                    retryable=True,
                    retry_after=_retry_after(rh.get("retry-after")),
                )
            if not 200 <= status < 300:
                return _Attempt(status, rh, error=f"http {status}")
            mime = media_type(rh.get("content-type"))
            if not _acceptable(mime, accept):
                return _Attempt(status, rh, error=f"content-type {mime} skipped")
            declared = rh.get("content-length", "")
            if declared.isdigit() and int(declared) > s.max_body_bytes:
                return _Attempt(status, rh, error=f"body larger than {s.max_body_bytes} bytes")
            return self._read_body(resp, status, rh, deadline)
        finally:
            resp.close()

    def _read_body(
        self, resp: requests.Response, status: int, headers: dict[str, str], deadline: float
    ) -> _Attempt:
        """Stream the body, stopping at the size cap or the deadline.

        ``raw.read1`` rather than ``iter_content`` (``stream=True`` either way):
        iter_content reads fixed-size chunks and blocks until a chunk is full, so a
        server trickling bytes would hold us far past the deadline between two checks;
        read1 returns whatever one socket read gave. Content-Encoding is decoded as we
        go, so the cap also stops gzip bombs.
        """
        limit = self.settings.max_body_bytes
        buf = bytearray()
        try:
            for chunk in _chunks(resp):
                if time.monotonic() > deadline:
                    return _Attempt(status, headers, error="timeout", retryable=True)
                buf += chunk
                if len(buf) > limit:
                    return _Attempt(status, headers, error=f"body larger than {limit} bytes")
        except (urllib3.exceptions.ReadTimeoutError, TimeoutError):
            return _Attempt(status, headers, error="timeout", retryable=True)
        except urllib3.exceptions.DecodeError as exc:
            return _Attempt(status, headers, error=f"decode error: {_reason(exc)}")
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            # Connection reset or truncated body mid-transfer: transient.
            return _Attempt(
                status, headers, error=f"connection error: {_reason(exc)}", retryable=True
            )
        return _Attempt(status, headers, body=bytes(buf))

    def _fetch_robots(
        self,
        robots_url: str,
        allowed_hosts: Sequence[str],
        rate_limit: float,
        allow_private: bool,
    ) -> RobotsResponse:
        # Same rules as any page (allowed hosts, private addresses, pacing, retries,
        # size cap), minus robots itself.
        r = self._fetch(
            robots_url,
            started=time.monotonic(),
            allowed_hosts=allowed_hosts,
            rate_limit=rate_limit,
            etag=None,
            last_modified=None,
            allow_private=allow_private,
            accept="any",
            respect_robots=False,
            robots_on_error="disallow",
        )
        return RobotsResponse(status=r.status, body=r.body, error=r.error)

    def _refusal(self, url: str, allowed_hosts: Sequence[str], allow_private: bool) -> str | None:
        """Why ``url`` (a prepared request's URL) must not be requested at all, or None.

        Host and port are read by ``url_target``, i.e. by urllib3's parser, the one the
        connection is made with, so the address checked is the address dialled.
        """
        problem = url_problem(url)
        if problem is not None:
            return f"invalid url: {problem}"
        target = url_target(url)
        if target is None:
            return f"invalid url: {url}"
        scheme, host, port = target
        if scheme not in ("http", "https"):
            return f"unsupported url scheme: {scheme}"
        if not host_allowed(url, allowed_hosts):
            return f"host not allowed: {host}"
        if not allow_private:
            return _private_address_refusal(host, port)
        return None


# ---------------------------------------------------------------------------
# Helpers


def _chunks(resp: requests.Response) -> Iterator[bytes]:
    """The decoded body, one socket read at a time (see ``Fetcher._read_body``)."""
    read1 = getattr(resp.raw, "read1", None)
    if read1 is None:  # urllib3 < 2: small iter_content chunks keep the deadline checks close
        yield from resp.iter_content(chunk_size=1024)
        return
    while True:
        chunk = read1(_CHUNK, decode_content=True)
        if not chunk:
            return
        yield chunk


def _private_address_refusal(host: str, port: int) -> str | None:
    """Refuse hosts that resolve to private, loopback, link-local or otherwise
    non-public addresses, so a crafted link or redirect cannot reach internal services.

    Checked on every hop, on the host urllib3 will dial. requests resolves the name again
    when it connects; a DNS answer that changed in between (rebinding) is caught there,
    on the connected socket (``_GuardedConnectionMixin._new_conn``).
    """
    try:
        addresses = [_ip(host)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            return f"connection error: cannot resolve {host}: {exc}"
        addresses = [_ip(str(info[4][0])) for info in infos]
    return PRIVATE_REFUSED if any(_non_public(ip) for ip in addresses) else None


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text.split("%", 1)[0])  # without an IPv6 zone ("%eth0")


def _non_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _peer_is_private(sock: socket.socket) -> bool:
    try:
        return _non_public(_ip(str(sock.getpeername()[0])))
    except (OSError, ValueError):  # not connected, or an address family without an IP
        return False


def _host_key(url: str) -> str:
    """host:port, as connected to: the unit of pacing."""
    target = url_target(url)
    return f"{target[1]}:{target[2]}" if target else url


def _redirect_url(base: str, location: str) -> tuple[str, str | None]:
    """The URL a Location header points to, and why it must be refused (or None).

    Checked before joining: ``urljoin`` reads both with urllib.parse, which silently
    deletes tabs and newlines, so "//127.0.0.2\\t@allowed/" would come out clean.
    """
    if any(unicodedata.category(c) == "Cc" for c in location):
        return location, "control character in url"
    if location.startswith("//"):  # scheme-relative: the authority is the Location's
        absolute = f"{urlsplit(base).scheme}:{location}"
    elif _SCHEME_RE.match(location):
        absolute = location
    else:  # a path: the authority is base's, checked already
        return _strip_fragment(urljoin(base, location)), None
    problem = url_problem(absolute)
    if problem is not None:
        return absolute, problem
    return _strip_fragment(absolute), None


def _result(
    url: str,
    final_url: str,
    started: float,
    *,
    attempts: int = 0,
    error: str | None = None,
    last: _Attempt | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchResult:
    headers = dict(last.headers or {}) if last else {}
    status = last.status if last else None
    body = last.body if last and error is None else None
    error = error if error is not None else (last.error if last else None)
    not_modified = status == 304 and error is None
    ok = error is None and not not_modified and body is not None
    if ok or not_modified:
        # On a 304 the server may omit the validators; the ones we sent still hold.
        etag_out = headers.get("etag") or (etag if not_modified else None)
        lm_out = headers.get("last-modified") or (last_modified if not_modified else None)
    else:
        etag_out = headers.get("etag")
        lm_out = headers.get("last-modified")
    content_type = headers.get("content-type")
    return FetchResult(
        url=url,
        final_url=final_url,
        status=status,
        ok=ok,
        not_modified=not_modified,
        body=body if ok else None,
        headers=headers,
        content_type=media_type(content_type),
        encoding=charset(content_type),
        etag=etag_out,
        last_modified=lm_out,
        content_hash=hashlib.sha256(body).hexdigest() if ok and body is not None else None,
        fetched_at=datetime.now(UTC),
        attempts=attempts,
        error=error,
        elapsed=time.monotonic() - started,
    )


def _acceptable(mime: str | None, accept: Accept) -> bool:
    # A missing Content-Type is let through: the parsers cope, and refusing would lose
    # pages from servers that simply forget the header.
    if accept == "any" or mime is None:
        return True
    if accept == "html":
        return mime in HTML_TYPES
    if accept == "feed":
        return "xml" in mime or "rss" in mime or "atom" in mime or mime in _GZIP_TYPES
    return mime in ("application/json", "text/json") or mime.endswith("+json")


def media_type(content_type: str | None) -> str | None:
    """A Content-Type's media type, lower case (tasks/warc.py reads archived headers so too)."""
    if not content_type:
        return None
    mime = content_type.split(";", 1)[0].strip().lower()
    return mime or None


def charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _CHARSET_RE.search(content_type)
    return m.group(1).lower() if m else None


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _strip_fragment(url: str) -> str:
    # Cut at the first "#", as every parser does; no reparsing, which would normalise the
    # URL (and delete tabs) before it is checked.
    return url.split("#", 1)[0]


def _reason(exc: BaseException) -> str:
    """A short reason from requests' nested exception text."""
    text = str(exc)
    m = _ERRNO_RE.search(text)
    if m:
        return m.group(1).strip()
    inner = getattr(exc, "reason", None) or (exc.args[0] if exc.args else None)
    inner_reason = getattr(inner, "reason", None)
    if isinstance(inner_reason, BaseException):
        return _short(inner_reason)
    return _short(exc)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text[:200]


__all__ = ["CANCELLED", "TIMEOUT", "Accept", "FetchResult", "Fetcher"]


# ---------------------------------------------------------------------------------------
# One Fetcher per process: what every discover and fetch task of a run shares

_fetchers: dict[str, Fetcher] = {}
_fetchers_lock = threading.Lock()


def post_json(url: str, payload: Mapping[str, Any], timeout: float) -> str | None:
    """POST ``payload`` as JSON to a receiver the operator configured (an alert webhook):
    None when it took it (2xx), else why not, as an HTTP status or an exception's class name
    (never the URL: it may hold a token). No retries here: the caller keeps what was not
    delivered and tries again on its next run. No redirects: requests would turn the POST
    into a GET, and a 3xx is a receiver that moved, to fix in the configuration."""
    try:
        r = requests.post(
            url, json=dict(payload), timeout=(timeout, timeout), allow_redirects=False
        )
    except requests.RequestException as exc:
        return type(exc).__name__
    return None if 200 <= r.status_code < 300 else f"http {r.status_code}"


def shared_fetcher(settings: Settings) -> Fetcher:
    """One Fetcher per process and settings, so per-host rate limits and robots.txt are shared."""
    key = settings.model_dump_json()
    with _fetchers_lock:
        if key not in _fetchers:
            _fetchers[key] = Fetcher(settings)
        return _fetchers[key]


@contextlib.contextmanager
def stop_fetching_when_interrupted() -> Iterator[None]:
    """A run stopped by a signal (KeyboardInterrupt, Prefect's TerminationSignal, Abort:
    every BaseException that is not an Exception) cancels the shared fetchers at once.

    Otherwise the task runner's shutdown waits for every request in flight, up to its
    whole deadline. Cancelled, each returns "cancelled" within moments; the batch being
    fetched still archives the pages it got. A new run starts with new fetchers.
    """
    with _fetchers_lock:
        for key in [k for k, f in _fetchers.items() if f.cancelled]:
            del _fetchers[key]
    try:
        yield
    except BaseException as exc:
        if not isinstance(exc, Exception):
            with _fetchers_lock:
                fetchers = list(_fetchers.values())
            for fetcher in fetchers:
                fetcher.cancel()
        raise
