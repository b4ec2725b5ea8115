"""The network layer: polite, bounded HTTP GETs. The only module that imports requests.

``Fetcher.fetch`` never raises. Every outcome, including "robots.txt said no" and
"the server kept failing", comes back as a ``FetchResult`` with a short ``error``, so the
flow can record a failure per URL and carry on with the rest.

Retries: the attempt loop in ``Fetcher._fetch_hop`` is the ONLY retry layer. The
requests adapter is mounted with ``max_retries=0`` (no urllib3 ``Retry``) and the Prefect
task that wraps a fetch must not set ``retries=``; stacking layers multiplies attempts
and delays against a site that is already struggling (research/aesthetics.md, "Stacked
retry layers").
"""

from __future__ import annotations

import hashlib
import ipaddress
import random
import re
import socket
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from config.settings import Settings, get_settings
from config.sources import host_allowed
from tasks.politeness import (
    HostPacer,
    RobotsCache,
    RobotsResponse,
    min_interval,
    robots_agent,
)

Accept = Literal["html", "feed", "json", "any"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# 403 is retried because the NCA's WAF answers 403 intermittently (research/sources.md
# §1.6, OpenSanctions retries it too); 429 and 5xx are the usual transient answers.
RETRY_STATUSES = frozenset({403, 429}) | frozenset(range(500, 600))

_ACCEPT_HEADER: dict[str, str] = {
    "html": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    "feed": "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1",
    "json": "application/json,*/*;q=0.1",
    "any": "*/*",
}
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_GZIP_TYPES = frozenset({"application/gzip", "application/x-gzip"})  # sitemap.xml.gz
_CHUNK = 64 * 1024
_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_ERRNO_RE = re.compile(r"\[Errno -?\d+\]\s*([^'\")\]]+)")


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


class Fetcher:
    """Polite HTTP client for one run: robots.txt, per-host pacing, bounded retries,
    size and time caps, allowed hosts and no private addresses.

    Thread-safe: the flow may call ``fetch`` from several threads. Requests to one host
    are sequential (``HostPacer``); different hosts proceed in parallel over one pooled
    ``requests.Session``.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        user_agent: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.user_agent = user_agent or self.settings.user_agent
        self._agent_token = robots_agent(self.user_agent)
        self._rng = rng or random.Random()
        self._pacer = HostPacer(sleep=sleep, clock=clock)
        self._robots = RobotsCache(clock=clock)
        self._session = requests.Session()
        # A pool per host for a handful of hosts; a few connections each is plenty since
        # requests to one host are sequential. max_retries=0: see the module docstring.
        adapter = HTTPAdapter(
            pool_connections=16,
            pool_maxsize=max(4, self.settings.max_workers),
            max_retries=0,
        )
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers.update({"User-Agent": self.user_agent})
        # A total budget per attempt. Read timeouts bound each socket read only, so a
        # server that trickles one byte at a time would otherwise never time out.
        self._deadline = float(
            getattr(self.settings, "total_timeout", None)
            or self.settings.connect_timeout + self.settings.read_timeout
        )

    # -- lifecycle ---------------------------------------------------------

    def close(self) -> None:
        self._session.close()

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
            refusal = self._refusal(current, allowed_hosts, allow_private)
            if refusal is not None:
                if hop > 0:
                    refusal += " (redirect)"
                return _result(url, fetched, started, attempts=attempts, error=refusal, last=last)

            robots_delay: float | None = None
            if respect_robots:
                policy = self._robots.policy(
                    current,
                    lambda robots_url: self._fetch_robots(
                        robots_url, allowed_hosts, rate_limit, allow_private
                    ),
                )
                if not policy.allows(current, self._agent_token, robots_on_error):
                    error = (
                        "robots.txt disallows"
                        if policy.state == "rules"
                        else f"robots.txt unreachable ({policy.reason}): host disallowed for this run"
                    )
                    return _result(url, fetched, started, attempts=attempts, error=error, last=last)
                robots_delay = policy.delay(self._agent_token)

            interval = min_interval(rate_limit, robots_delay, self.settings.retry_after_max)
            attempt, used = self._fetch_hop(current, headers, accept, interval)
            attempts += used

            if attempt.location is not None:
                fetched, last = current, attempt
                current = _strip_fragment(urljoin(current, attempt.location))
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

    def _fetch_hop(
        self, url: str, headers: Mapping[str, str], accept: Accept, interval: float
    ) -> tuple[_Attempt, int]:
        """GET one URL with the retry loop. Returns the last attempt and how many were made.

        Full-jitter exponential backoff (a uniform wait in [0, min(max, base * 2**n)]),
        unless the server sent Retry-After, which is obeyed (capped). The wait is put on
        the host itself (``HostSlot.defer``), so other threads stay off a host that asked
        us to back off.
        """
        host = urlsplit(url).netloc.lower()
        max_attempts = max(1, self.settings.max_attempts)
        attempt = _Attempt(error="no attempt made")
        for n in range(1, max_attempts + 1):
            with self._pacer.slot(host, interval) as slot:
                attempt = self._attempt(url, headers, accept)
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

    def _attempt(self, url: str, headers: Mapping[str, str], accept: Accept) -> _Attempt:
        """One request; reads the body only when it is wanted. Never raises."""
        s = self.settings
        t0 = time.monotonic()
        deadline = t0 + self._deadline
        try:
            resp = self._session.get(
                url,
                headers=dict(headers),
                timeout=(s.connect_timeout, s.read_timeout),
                stream=True,
                allow_redirects=False,  # every hop is re-checked in _fetch
            )
        except requests.exceptions.Timeout:
            return _Attempt(error="timeout", retryable=True)
        except requests.exceptions.SSLError as exc:
            # Certificate problems do not heal within a few seconds: no retry.
            return _Attempt(error=f"tls error: {_reason(exc)}")
        except requests.exceptions.ConnectionError as exc:
            return _Attempt(error=f"connection error: {_reason(exc)}", retryable=True)
        except requests.exceptions.RequestException as exc:
            return _Attempt(error=f"request error: {_reason(exc)}")

        try:
            status = resp.status_code
            rh = {k.lower(): v for k, v in resp.headers.items()}
            if time.monotonic() > deadline:
                return _Attempt(status, rh, error="timeout", retryable=True)
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
            mime = _media_type(rh.get("content-type"))
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
        """Why ``url`` must not be requested at all, or None."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return f"invalid url: {url}"
        if parts.scheme not in ("http", "https"):
            return f"unsupported url scheme: {parts.scheme or '(none)'}"
        host = (parts.hostname or "").lower()
        if not host:
            return f"invalid url: {url}"
        if not host_allowed(url, allowed_hosts):
            return f"host not allowed: {host}"
        if not allow_private:
            return _private_address_refusal(host, port or (443 if parts.scheme == "https" else 80))
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

    Checked on every hop. requests resolves the name again when it connects, so a DNS
    answer that changes in between (rebinding) is not covered; this stops the ordinary
    cases, and allowed_hosts is the primary fence.
    """
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            return f"connection error: cannot resolve {host}: {exc}"
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    for ip in addresses:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if (
            ip.is_private
            or ip.is_loopback
            or ip.is_link_local
            or ip.is_multicast
            or ip.is_reserved
            or ip.is_unspecified
        ):
            return "private address refused"
    return None


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
        content_type=_media_type(content_type),
        encoding=_charset(content_type),
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
        return mime in _HTML_TYPES
    if accept == "feed":
        return "xml" in mime or "rss" in mime or "atom" in mime or mime in _GZIP_TYPES
    return mime in ("application/json", "text/json") or mime.endswith("+json")


def _media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    mime = content_type.split(";", 1)[0].strip().lower()
    return mime or None


def _charset(content_type: str | None) -> str | None:
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
    parts = urlsplit(url)
    return urlunsplit(parts._replace(fragment="")) if parts.fragment else url


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


__all__ = ["Accept", "FetchResult", "Fetcher"]
