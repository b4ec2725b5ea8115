"""The raw archive's web-archive copies: a page body read from a WARC/ARC file or a Wayback
capture, kept as a page version with its provenance (page_versions.capture_*, 0006).

A capture is archived like a fetched body (db/load.py ``archive``: the page by its
identity, one version per distinct body, gzip, headers, content hash), with two
differences, because a capture is a copy of the past and not the site's present:

- it never touches the page's crawl state (``fetched_at``, ``etag``, ``last_modified``,
  ``content_hash``, ``http_status``, ``fetched_url`` of a page that exists): those are what
  the next conditional GET of the live site sends;
- the version's ``fetched_at`` is the capture date, so that the extract stage, which reads
  each page's version with the latest ``fetched_at`` (db/load.py ``unextracted_versions``),
  reads the newest copy whatever order the copies were imported in, and a live fetch
  (fetched now) stays newer than any capture (unless the newest copy gives no figure and
  an older one does: tasks/versions.py).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, and_, select

from db import models as m
from db.sanitize import clean
from db.upsert import insert_ignore

_T = m.Base.metadata.tables
_PAGES, _VERSIONS = _T["pages"], _T["page_versions"]
_CHUNK = 500  # values per IN (...) list


@dataclass(frozen=True, slots=True)
class Capture:
    """One archived copy of a page: the page's original URL, when the archive captured it,
    where the copy is (a file and the record's byte offset, or a capture URL), and the
    HTTP response the archive recorded."""

    url: str  # the original URL (WARC-Target-URI, the CDX "original")
    captured_at: datetime  # tz-aware UTC (WARC-Date, the CDX timestamp)
    archive: str  # the WARC/ARC file's name, or the capture URL
    offset: int | None  # the record's byte offset in ``archive``; None for a capture URL
    status: int
    body: bytes
    content_type: str | None  # media type only, lower case
    encoding: str | None  # charset of the Content-Type, else None
    content_hash: str  # sha256 hex of ``body``
    final_url: str  # where the body came from: the original URL, or the capture URL fetched
    headers: dict[str, str] = field(default_factory=dict)  # lower-case keys


def archive_capture(
    conn: Connection, source_id: int, capture: Capture, identity: str
) -> tuple[int, int | None]:
    """Keep a capture's body in the raw archive. Returns (page_id, version_id or None when
    the page already holds this body). The page is the one ``identity`` names, created
    when new (first seen at the capture date, last asked for by ``capture.final_url``)."""
    key = clean(_PAGES.c.url, identity)
    insert_ignore(
        conn,
        _PAGES,
        [
            {
                "url": key,
                "fetched_url": clean(_PAGES.c.fetched_url, capture.final_url),
                "source_id": source_id,
                "first_seen_at": capture.captured_at,
            }
        ],
        ["url"],
    )
    page_id = conn.execute(select(_PAGES.c.id).where(_PAGES.c.url == key)).scalar_one()
    existing = conn.execute(
        select(_VERSIONS.c.id).where(
            and_(_VERSIONS.c.page_id == page_id, _VERSIONS.c.content_hash == capture.content_hash)
        )
    ).scalar()
    if existing is not None:  # the same body, archived before (a duplicate, a re-import)
        return page_id, None
    insert_ignore(
        conn,
        _VERSIONS,
        [
            {
                "page_id": page_id,
                "content_hash": capture.content_hash,
                "fetched_at": capture.captured_at,
                "final_url": clean(_VERSIONS.c.final_url, capture.final_url),
                "http_status": capture.status,
                "content_type": capture.content_type,
                "encoding": capture.encoding,
                "etag": capture.headers.get("etag"),
                "last_modified": capture.headers.get("last-modified"),
                "headers_json": json.dumps(capture.headers, sort_keys=True),
                "body_gz": gzip.compress(capture.body, 6, mtime=0),
                "size": len(capture.body),
                "capture_archive": clean(_VERSIONS.c.capture_archive, capture.archive),
                "capture_offset": capture.offset,
                "capture_date": capture.captured_at,
            }
        ],
        ["page_id", "content_hash"],
    )
    version_id = conn.execute(
        select(_VERSIONS.c.id).where(
            and_(_VERSIONS.c.page_id == page_id, _VERSIONS.c.content_hash == capture.content_hash)
        )
    ).scalar_one()
    return page_id, version_id


def archived_captures(conn: Connection, archives: Sequence[str]) -> set[str]:
    """Those of ``archives`` (capture URLs) whose copy the raw archive already holds."""
    out: set[str] = set()
    for i in range(0, len(archives), _CHUNK):
        chunk = list(archives[i : i + _CHUNK])
        q = select(_VERSIONS.c.capture_archive).where(_VERSIONS.c.capture_archive.in_(chunk))
        out.update(v for v in conn.execute(q).scalars() if v is not None)
    return out
