"""The ``wayback`` source kind: a site's past from a Wayback Machine CDX index.

Discovery (``discover_wayback``, called by tasks/discover.py ``discover``) asks the CDX
endpoint (``cdx_url``) for the captures under the source's URL prefix (``start_url``)
within its capture dates (``from_date``, ``to_date``; the run's ``--since`` raises the
first), as JSON, page by page with the CDX resume key. Of the captures with status 200
and an HTML media type it keeps the newest of each page (one page, one identity:
domain/urls.py ``page_key`` of the original URL) whose original URL is one of the source's
articles, and lists it as its raw capture URL, ``<capture_url><timestamp>id_/<original>``
(``id_``: the body as archived, without the archive's banner or rewritten links).

The CDX requests and the captures go through the one Fetcher at the source's ``rate_limit``
for the archive host: at most config/sources.py ``WAYBACK_RATE_LIMIT`` (15 a minute, the
Internet Archive's guidance; the default for the kind, and a faster one is refused unless
the archive is on a loopback address, as a test server is).

The fetch stage fetches those URLs as any other, through the Fetcher (the archive host's
robots.txt, the source's ``rate_limit`` for that host, the User-Agent), and archives each
body as a capture of its ORIGINAL URL (``capture_of``; db/captures.py): the page a live
crawl of the same URL finds, with the capture URL and date as its version's provenance.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from config.sources import Source
from db.captures import Capture
from domain.urls import page_key
from tasks.fetch import HTML_TYPES, media_type

# The CDX fields asked for, in this order (the JSON output's header row names them too).
CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode")
CDX_PAGE_ROWS = 1000  # rows per CDX request; the resume key asks for the next ones
RAW_MARK = "id_"  # after the timestamp: the capture as archived, not rewritten for replay
TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"


@dataclass(frozen=True, slots=True)
class CdxRow:
    urlkey: str
    timestamp: str  # 14 digits, UTC
    original: str
    mimetype: str
    statuscode: str


def cdx_query(
    cdx_url: str,
    prefix: str,
    since: date | None,
    until: date | None,
    resume_key: str | None = None,
    limit: int = CDX_PAGE_ROWS,
) -> str:
    """The CDX request for the captures under ``prefix`` between two capture dates."""
    params: list[tuple[str, str]] = [
        ("url", prefix),
        ("matchType", "prefix"),
        ("output", "json"),
        ("fl", ",".join(CDX_FIELDS)),
        ("filter", "statuscode:200"),
        ("filter", "mimetype:text/html"),
        ("limit", str(limit)),
        ("showResumeKey", "true"),
    ]
    if since:
        params.append(("from", since.strftime("%Y%m%d")))
    if until:
        params.append(("to", until.strftime("%Y%m%d")))
    if resume_key:
        params.append(("resumeKey", resume_key))
    return f"{cdx_url}?{urlencode(params)}"


def parse_cdx(body: bytes | str) -> tuple[list[CdxRow], str | None]:
    """A CDX JSON page: its rows (the header row names the fields) and its resume key (after
    an empty row, the last row's one value), or None when it is the last page. Rows that
    lack a field are left out; a body that is not CDX JSON raises ValueError."""
    data = json.loads(body or b"[]")
    if not isinstance(data, list) or any(not isinstance(r, list) for r in data):
        raise ValueError("not a CDX JSON array of rows")
    if not data:
        return [], None
    header, rows = [str(x) for x in data[0]], data[1:]
    resume = None
    if len(rows) >= 2 and rows[-2] == [] and len(rows[-1]) == 1:
        resume, rows = str(rows[-1][0]), rows[:-2]
    index = {name: header.index(name) for name in CDX_FIELDS if name in header}
    if len(index) != len(CDX_FIELDS):
        raise ValueError(f"CDX rows lack {sorted(set(CDX_FIELDS) - set(index))}")
    out = []
    for r in rows:
        if len(r) == len(header):
            out.append(CdxRow(*(str(r[index[name]]) for name in CDX_FIELDS)))
    return out, resume


def capture_time(timestamp: str) -> datetime | None:
    """A CDX timestamp (up to 14 digits; missing ones are the earliest) as UTC."""
    digits = timestamp.strip()
    if not digits.isdigit() or not 4 <= len(digits) <= 14:
        return None
    padded = digits + "0101000000"[len(digits) - 4 :] if len(digits) < 14 else digits
    try:
        return datetime.strptime(padded, TIMESTAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def newest_captures(
    rows: Sequence[CdxRow], source: Source, skip: Collection[str] = frozenset()
) -> list[CdxRow]:
    """The newest capture of each page with status 200 and an HTML type whose original URL
    is one of the source's articles, oldest page first (by that capture)."""
    newest: dict[str, CdxRow] = {}
    for r in rows:
        if r.statuscode != "200" or media_type(r.mimetype) not in HTML_TYPES:
            continue
        if capture_time(r.timestamp) is None or not source.is_article(r.original):
            continue
        key = page_key(r.original, source.profile)
        if key in skip:
            continue
        held = newest.get(key)
        if held is None or r.timestamp > held.timestamp:
            newest[key] = r
    return sorted(newest.values(), key=lambda r: (r.timestamp, r.original))


def capture_url(base: str, timestamp: str, original: str) -> str:
    """The raw capture's URL: ``<base><timestamp>id_/<original>``."""
    return f"{base.rstrip('/')}/{timestamp}{RAW_MARK}/{original}"


def parse_capture_url(url: str) -> tuple[datetime, str] | None:
    """(capture time, original URL) of a raw capture URL, or None when it is not one."""
    marker = url.find(RAW_MARK + "/")
    if marker < 0:
        return None
    head, original = url[:marker], url[marker + len(RAW_MARK) + 1 :]
    timestamp = head.rstrip("/").rsplit("/", 1)[-1]
    when = capture_time(timestamp)
    if when is None or not original.startswith(("http://", "https://")):
        return None
    return when, original


def capture_of(result: Any, asked: str) -> Capture | None:
    """A fetched raw capture (tasks.fetch.FetchResult of the URL ``asked``) as a capture of
    its original URL, or None when ``asked`` is no capture URL. The archive may redirect to
    a nearby timestamp: the URL the body came from dates it."""
    parsed = parse_capture_url(result.final_url) or parse_capture_url(asked)
    if parsed is None or result.body is None:
        return None
    when, original = parsed
    return Capture(
        url=original,
        captured_at=when,
        archive=result.final_url,
        offset=None,
        status=result.status or 200,
        body=result.body,
        content_type=result.content_type,
        encoding=result.encoding,
        content_hash=result.content_hash or hashlib.sha256(result.body).hexdigest(),
        final_url=asked,
        headers=dict(result.headers),
    )


def discover_wayback(
    source: Source,
    fetcher: Any,  # tasks.fetch.Fetcher
    *,
    since: date | None,
    limit: int,
    max_urls: int,
    skip: Collection[str] = frozenset(),
    settled: Any = None,  # tasks.discover.Settled
) -> Any:  # tasks.discover.Discovery
    """The source's captures to fetch (module docstring). ``limit``: CDX pages read at most;
    ``max_urls``: captures listed at most; ``skip`` and ``settled`` as for any source."""
    from tasks.discover import Discovery, Link

    start = max(d for d in (source.from_date, since) if d) if source.from_date or since else None
    rows: list[CdxRow] = []
    failures: list[Any] = []
    warnings: list[str] = []
    pages, resume, stopped = 0, None, "end"
    while True:
        if pages >= limit:
            stopped = "max_pages"
            warnings.append(f"CDX index read up to max_pages ({limit} pages of captures)")
            break
        url = cdx_query(source.cdx_url, source.start_url or "", start, source.to_date, resume)
        r = fetcher.fetch(
            url,
            allowed_hosts=source.allowed_hosts,
            rate_limit=source.rate_limit,
            allow_private=source.allow_private_hosts,
            accept="json",
            robots_on_error=source.robots_on_error,
        )
        if not r.ok or r.body is None:
            failures.append(r)
            stopped = "failure"
            break
        pages += 1
        try:
            found, resume = parse_cdx(r.body)
        except ValueError as exc:
            warnings.append(f"CDX answer {r.final_url} is not CDX JSON: {exc}")
            stopped = "failure"
            break
        rows.extend(found)
        if not resume:
            break
    chosen = newest_captures(rows, source, skip)
    links = [Link(capture_url(source.capture_url, r.timestamp, r.original)) for r in chosen]
    dropped: dict[str, int] = {}
    if settled is not None and links:
        known = set(settled([x.url for x in links]))
        if known:
            dropped["known"] = len(known)
            links = [x for x in links if x.url not in known]
    if len(links) > max_urls:
        warnings.append(
            f"more than {max_urls:,} captures found: kept the first {max_urls:,} "
            "(max_urls_per_source)"
        )
        links = links[:max_urls]
    return Discovery(links, failures, pages, stopped, warnings, dropped)
