"""Web-archive files (WARC and ARC, gzip or not) as fetched pages: `optally import-warc`.

``read_captures`` streams a file's records with warcio, one at a time (a 5 GB WARC never
sits in memory: only the record being read, its body capped at ``max_body_bytes``), and
yields each HTML page the archive recorded as a ``db.captures.Capture``: a ``response``
record (an ARC record is read as one) with HTTP status 200 and an HTML content type, at its
``WARC-Target-URI`` and ``WARC-Date``, with the file's name and the record's byte offset.
Everything else is counted by reason and left: request, metadata, warcinfo, resource,
revisit and conversion records (a revisit holds no body of its own, only a pointer to an
earlier one), non-HTML payloads (PDF, images), other statuses (404, redirects) and bodies
over the cap.

``import_file`` is the unit of work: the captures archived batch by batch, one
transaction per batch, each under the source that owns its URL (``source_for``). The flow
(flows/etl.py ``import_warc``) then extracts, resolves, loads and derives them as it does
any archived page.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from config.settings import get_settings
from config.sources import Source, url_host
from db import load as wh
from db.captures import Capture, archive_capture
from db.engine import get_engine
from domain.urls import page_identity, source_page_identity
from profiles import detect as detect_profile
from tasks.fetch import HTML_TYPES, charset, media_type

# Records that never hold a page of their own.
SKIPPED_RECORD_TYPES = frozenset(
    {"request", "metadata", "warcinfo", "resource", "revisit", "conversion", "continuation"}
)
# The source of a record no configured source claims: its own host's pages, news rules
# unless the URL says otherwise (profiles.detect), not official.
ARCHIVE_SOURCE = "warc"


class ArchiveFileError(ValueError):
    """A file that cannot be read as a WARC or ARC file (one line, for `optally`)."""


@dataclass(frozen=True, slots=True)
class ArchiveSource:
    """The source of records no configured source claims (registered like one)."""

    name: str = ARCHIVE_SOURCE
    kind: str = "warc"
    profile: str = "generic"
    start_url: str | None = None
    official: bool = False


def warc_date(value: str | None) -> datetime | None:
    """A WARC-Date ("2021-11-05T10:12:00Z", fractions allowed) as UTC, or None."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def skip_reason(
    record_type: str, status: str | None, content_type: str | None, uri: str | None
) -> str | None:
    """Why a record is no page (a short reason to count), or None for a page."""
    if record_type in SKIPPED_RECORD_TYPES:
        return record_type
    if record_type != "response":
        return f"record type {record_type}"
    if not uri or not uri.startswith(("http://", "https://")):
        return "not an http(s) URL"
    if status != "200":
        return f"HTTP status {status or 'unknown'}"
    if media_type(content_type) not in HTML_TYPES:
        return "not HTML"
    return None


def read_captures(
    path: str | Path, skipped: Counter[str], max_body_bytes: int | None = None
) -> Iterator[Capture]:
    """The HTML pages a WARC or ARC file recorded, in file order (module docstring).
    Raises ArchiveFileError for a file that is not one."""
    cap = max_body_bytes or get_settings().max_body_bytes
    name = Path(path).name
    try:
        with open(path, "rb") as fh:
            records = ArchiveIterator(fh, arc2warc=True)
            for record in records:
                capture = _capture(record, records, name, cap, skipped)
                if capture is not None:
                    yield capture
    except ArchiveLoadFailed as exc:
        raise ArchiveFileError(f"{path}: not a WARC or ARC file ({_first_line(exc)})") from None


# How a file starts, once gunzipped: a WARC record's version line, or an ARC file's own
# first record (its "filedesc" version block). warcio reads any text line as an ARC
# header, so a stray text file would otherwise import as one odd page.
ARCHIVE_MAGIC = (b"WARC/", b"filedesc://")
GZIP_MAGIC = b"\x1f\x8b"


def check_file(path: str | Path) -> None:
    """Raise ArchiveFileError (one line) unless ``path`` is a readable file that starts as
    a WARC or ARC file does (gzip or not): its first bytes are read, nothing more."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(GZIP_MAGIC))
            fh.seek(0)
            if head == GZIP_MAGIC:
                with gzip.open(fh) as gz:
                    head = gz.read(16)
            else:
                head = fh.read(16)
    except FileNotFoundError:
        raise ArchiveFileError(f"file not found: {path}") from None
    except IsADirectoryError:
        raise ArchiveFileError(f"not a file: {path}") from None
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise ArchiveFileError(f"cannot read {path}: {_first_line(exc)}") from None
    if not head.startswith(ARCHIVE_MAGIC):
        raise ArchiveFileError(f"{path}: not a WARC or ARC file (it starts {head[:8]!r})")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _capture(
    record: Any, records: ArchiveIterator, name: str, cap: int, skipped: Counter[str]
) -> Capture | None:
    uri = record.rec_headers.get_header("WARC-Target-URI")
    http = record.http_headers
    status = http.get_statuscode() if http is not None else None
    content_type = http.get_header("Content-Type") if http is not None else None
    why = skip_reason(record.rec_type, status, content_type, uri)
    captured = warc_date(record.rec_headers.get_header("WARC-Date"))
    if why is None and captured is None:
        why = "no WARC-Date"
    if why is None:
        body = record.content_stream().read(cap + 1)  # decoded: chunked, gzip
        if len(body) > cap:
            why = "body over max_body_bytes"
        elif not body:
            why = "empty body"
    if why is not None:
        skipped[why] += 1
        return None
    assert captured is not None and uri is not None
    return Capture(
        url=uri,
        captured_at=captured,
        archive=name,
        offset=records.get_record_offset(),
        status=200,
        body=body,
        content_type=media_type(content_type),
        encoding=charset(content_type),
        content_hash=hashlib.sha256(body).hexdigest(),
        final_url=uri,
        headers={k.lower(): v for k, v in http.headers},
    )


def source_for(url: str, sources: Sequence[Source]) -> Source | None:
    """The first enabled configured source whose articles include ``url``."""
    return next((s for s in sources if s.enabled and s.is_article(url)), None)


def identity_of(capture: Capture, source: Source | None) -> str:
    """The page a capture is a copy of (one page, one row: domain/urls.py): under its
    source's rules, else its own URL or a URL on its own host that it declares."""
    if source is not None:
        return source_page_identity(source, capture.url, capture.body)
    host = url_host(capture.url)
    return page_identity(
        capture.url,
        capture.body,
        accept=lambda declared: url_host(declared) == host,
        profile=detect_profile(capture.url),
    )


@dataclass(slots=True)
class ImportOutcome:
    """What importing one file did."""

    archived: int = 0  # captures whose body was new to their page
    unchanged: int = 0  # captures whose body their page already held
    page_ids: list[int] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # records that are no page, by why
    failures: list[dict[str, Any]] = field(default_factory=list)


def import_file(
    path: str | Path, sources: Sequence[Source], forced: str | None, db_url: str | None
) -> ImportOutcome:
    """Archive every HTML page of one WARC/ARC file, ``batch_size`` records per transaction.
    ``forced`` names the source every page goes under (`--source`): a configured one, else
    a new one of that name; None: each page under the source that owns its URL."""
    settings = get_settings()
    engine = get_engine(db_url)
    by_name = {s.name: s for s in sources}
    fallback = ArchiveSource(name=forced or ARCHIVE_SOURCE)
    with engine.begin() as conn:
        ids = wh.register_sources(conn, [*sources, fallback])
    outcome = ImportOutcome()

    def owner(url: str) -> Source | None:
        if forced is not None:
            return by_name.get(forced)
        return source_for(url, sources)

    def archive(conn: Any, batch: Sequence[Capture]) -> list[tuple[int, int | None]]:
        out = []
        for capture in batch:
            source = owner(capture.url)
            source_id = ids[source.name if source is not None else fallback.name]
            out.append(archive_capture(conn, source_id, capture, identity_of(capture, source)))
        return out

    batch: list[Capture] = []
    for capture in read_captures(path, outcome.skipped, settings.max_body_bytes):
        batch.append(capture)
        if len(batch) >= settings.batch_size:
            _write(engine, batch, archive, outcome)
            batch = []
    if batch:
        _write(engine, batch, archive, outcome)
    return outcome


def _write(engine: Any, batch: list[Capture], archive: Any, outcome: ImportOutcome) -> None:
    written, refused = wh.write_pages(engine, batch, archive, "archive")
    for page_id, version_id in (row for rows in written for row in rows):
        outcome.page_ids.append(page_id)
        if version_id is None:
            outcome.unchanged += 1
        else:
            outcome.archived += 1
    for capture, why in refused:
        outcome.failures.append(
            {"url": capture.url, "status": capture.status, "reason": why, "attempts": 1}
        )
