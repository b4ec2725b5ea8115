"""Politeness: robots.txt per origin and pacing per host.

Nothing here talks to the network. ``RobotsCache`` is handed a callable that fetches
``/robots.txt`` through the fetcher (same User-Agent, timeouts, size cap, allowed hosts,
private-address check and retries as any page), and ``HostPacer`` only sleeps. Both are
thread-safe; one of each lives in a ``Fetcher``, so "once per run" means once per
Fetcher, and the flow builds one Fetcher per run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from protego import Protego

from config.sources import url_target

RobotsState = Literal["rules", "allow_all", "unreachable"]


@dataclass(frozen=True, slots=True)
class RobotsResponse:
    """What the fetcher saw when it asked for /robots.txt."""

    status: int | None
    body: bytes | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RobotsPolicy:
    """The parsed robots.txt of one origin, or why there is none."""

    state: RobotsState
    reason: str  # "ok", "http 404", "http 503", "timeout", ...
    parser: Protego | None = None

    def allows(self, url: str, agent: str, on_error: Literal["disallow", "allow"]) -> bool:
        if self.state == "allow_all":
            return True
        if self.state == "unreachable":
            return on_error == "allow"
        if self.parser is None:  # cannot happen for state "rules"; refuse rather than guess
            return False
        return bool(self.parser.can_fetch(url, agent))

    def delay(self, agent: str) -> float | None:
        """Seconds to leave between requests: Crawl-delay, else Request-rate, else None."""
        if self.parser is None:
            return None
        crawl_delay = self.parser.crawl_delay(agent)
        if crawl_delay is not None:
            return float(crawl_delay)
        rate = self.parser.request_rate(agent)
        if rate is not None and rate.requests:
            return float(rate.seconds) / float(rate.requests)
        return None


def robots_agent(user_agent: str) -> str:
    """The product token robots.txt groups are matched on: "optally/0.1 (+...)" -> "optally".

    Matching on the token rather than the whole string keeps a group such as
    ``User-agent: github`` from catching us because our contact URL is on GitHub.
    """
    token = user_agent.strip().split("/", 1)[0].split(None, 1)
    return token[0] if token else user_agent


def origin_of(url: str) -> str:
    """scheme://host[:port] of ``url``, read as the connection reads it (``url_target``),
    without userinfo: robots.txt is fetched from, and cached for, the host actually dialled."""
    target = url_target(url)
    if target is None:  # refused by the fetcher before robots.txt is asked for
        parts = urlsplit(url)
        return f"{parts.scheme.lower()}://{parts.netloc.lower()}"
    scheme, host, port = target
    if ":" in host:  # IPv6
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" if port == default else f"{scheme}://{host}:{port}"


def policy_from_response(resp: RobotsResponse) -> RobotsPolicy:
    """RFC 9309 §2.3.1: 2xx -> rules; 4xx -> no rules (allow all); 5xx, 429 or no answer
    -> unreachable, which means "disallow everything" unless the source opts out.

    429 counts as unreachable, as Google does: the server is asking us to slow down,
    not telling us there are no rules.
    """
    status = resp.status
    if status is not None and 200 <= status < 300 and resp.body is not None:
        text = resp.body.decode("utf-8", errors="replace").lstrip("\ufeff")
        return RobotsPolicy("rules", "ok", Protego.parse(text))
    if status is not None and 400 <= status < 500 and status != 429:
        return RobotsPolicy("allow_all", f"http {status}")
    reason = resp.error or (f"http {status}" if status is not None else "no response")
    return RobotsPolicy("unreachable", reason)


class RobotsCache:
    """robots.txt per origin (scheme://host:port), fetched once and then reused.

    "Once per run": the flow builds one Fetcher per run. A long-lived Fetcher (a
    process that serves scheduled runs) re-reads robots.txt after ``ttl`` seconds, the
    24 hours RFC 9309 §2.4 allows; an unreachable robots.txt is retried after
    ``unreachable_ttl`` so one outage does not block a host for a whole day.
    A per-origin lock makes concurrent first requests to one origin wait for a single
    robots.txt fetch instead of each fetching it.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        ttl: float = 24 * 3600.0,
        unreachable_ttl: float = 3600.0,
    ) -> None:
        self._clock = clock
        self._ttl = ttl
        self._unreachable_ttl = unreachable_ttl
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._policies: dict[str, tuple[RobotsPolicy, float]] = {}

    def _fresh(self, origin: str) -> RobotsPolicy | None:
        entry = self._policies.get(origin)
        if entry is None:
            return None
        policy, fetched_at = entry
        ttl = self._unreachable_ttl if policy.state == "unreachable" else self._ttl
        return policy if self._clock() - fetched_at < ttl else None

    def policy(self, url: str, fetch: Callable[[str], RobotsResponse]) -> RobotsPolicy:
        origin = origin_of(url)
        with self._guard:
            cached = self._fresh(origin)
            if cached is not None:
                return cached
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:
            with self._guard:
                cached = self._fresh(origin)
            if cached is None:
                cached = policy_from_response(fetch(origin + "/robots.txt"))
                with self._guard:
                    self._policies[origin] = (cached, self._clock())
            return cached

    def known(self, url: str) -> RobotsPolicy | None:
        with self._guard:
            return self._fresh(origin_of(url))


@dataclass(slots=True)
class _HostState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    not_before: float = float("-inf")  # clock value before which no request may start
    timeouts: int = 0  # requests in a row that ran out of time
    given_up_until: float = float("-inf")  # clock value before which the host is not asked


class HostSlot:
    """The right to send one request to a host; handed out by ``HostPacer.slot``."""

    __slots__ = ("_clock", "_state")

    def __init__(self, state: _HostState, clock: Callable[[], float]) -> None:
        self._state = state
        self._clock = clock

    def defer(self, seconds: float) -> None:
        """Keep every thread off this host for ``seconds`` from now (Retry-After, backoff)."""
        self._state.not_before = max(self._state.not_before, self._clock() + max(0.0, seconds))

    def note(self, timed_out: bool, limit: int, give_up_for: float) -> None:
        """Count the requests in a row that ran out of time. After ``limit`` of them the
        host is given up for ``give_up_for`` seconds: a server that holds every request
        to its deadline would otherwise hold a batch of a hundred pages for hours."""
        state = self._state
        if not timed_out:
            state.timeouts = 0
            return
        state.timeouts += 1
        if state.timeouts >= limit:
            state.timeouts = 0
            state.given_up_until = self._clock() + give_up_for

    @property
    def given_up(self) -> bool:
        return self._clock() < self._state.given_up_until


class HostPacer:
    """Per-host pacing: one request at a time per host, at least ``interval`` seconds
    from the end of one request to the start of the next; hosts are independent.

    The interval runs from the *end* of the previous request so a slow server gets the
    full pause too. The host lock is held while waiting and during the request, which
    is what serialises requests to one host across threads; other hosts are untouched.
    ``sleep`` and ``clock`` are injectable so tests do not wait.
    """

    def __init__(
        self,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sleep = sleep
        self._clock = clock
        self._guard = threading.Lock()
        self._hosts: dict[str, _HostState] = {}

    def _state(self, host: str) -> _HostState:
        with self._guard:
            return self._hosts.setdefault(host.lower(), _HostState())

    @contextmanager
    def slot(self, host: str, interval: float) -> Iterator[HostSlot]:
        state = self._state(host)
        with state.lock:
            wait = state.not_before - self._clock()
            if wait > 0:
                self._sleep(wait)
            try:
                yield HostSlot(state, self._clock)
            finally:
                state.not_before = max(state.not_before, self._clock() + max(0.0, interval))


def min_interval(rate_limit: float | None, robots_delay: float | None, cap: float) -> float:
    """Seconds between requests to one host: the stricter of 1/rate_limit and the
    robots.txt delay (capped at ``cap`` so a hostile Crawl-delay cannot stall a run)."""
    interval = 1.0 / rate_limit if rate_limit and rate_limit > 0 else 0.0
    if robots_delay is not None and robots_delay > 0:
        interval = max(interval, min(robots_delay, cap))
    return interval
