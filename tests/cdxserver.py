"""A Wayback-Machine-shaped HTTP server on 127.0.0.1 for tests: a CDX index, raw captures,
and the live pages they are copies of, all on one port.

    with CdxServer() as server:
        server.add_capture("/news/x", "20211106090000", body)        # archived copy
        server.live["/news/x"] = body                                 # the live page
        server.url("/cdx/search/cdx")

- ``/cdx/search/cdx``: the CDX API's JSON output (``output=json``): a header row naming the
  ``fl`` fields, then one row per capture under ``url`` (``matchType=prefix``) within
  ``from``/``to`` (capture dates, YYYYMMDD), honouring ``filter=field:value``, ``limit`` and
  ``showResumeKey`` (an empty row, then the key: the offset of the next row) /
  ``resumeKey``, as the public endpoint pages its answers;
- ``/web/<timestamp>id_/<original>``: the capture's body as archived (404 if none);
- the live pages at their own paths; ``/robots.txt`` allows everything.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

RAW = "id_/"


@dataclass(frozen=True)
class Entry:
    original: str
    timestamp: str
    mimetype: str
    statuscode: str
    body: bytes


class CdxServer:
    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.live: dict[str, bytes] = {}
        self.requests: list[str] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def add_capture(
        self,
        path: str,
        timestamp: str,
        body: bytes,
        mimetype: str = "text/html",
        statuscode: str = "200",
    ) -> None:
        """A capture of this server's own ``path`` (the original URL is a live URL here)."""
        self.entries.append(Entry(self.url(path), timestamp, mimetype, statuscode, body))

    def cdx(self, query: dict[str, list[str]]) -> list[list[str]]:
        prefix = query.get("url", [""])[0]
        fields = query.get("fl", ["urlkey,timestamp,original,mimetype,statuscode"])[0].split(",")
        lo, hi = query.get("from", [""])[0], query.get("to", ["99999999"])[0]
        rows = []
        for e in sorted(self.entries, key=lambda e: (e.original, e.timestamp)):
            if not e.original.startswith(prefix) or not lo <= e.timestamp[: len(hi)] <= hi:
                continue
            values = {
                "urlkey": urlsplit(e.original).path,
                "timestamp": e.timestamp,
                "original": e.original,
                "mimetype": e.mimetype,
                "statuscode": e.statuscode,
            }
            if all(values[f.split(":")[0]] == f.split(":", 1)[1] for f in query.get("filter", [])):
                rows.append([values[f] for f in fields])
        start = int(query.get("resumeKey", ["0"])[0])
        limit = int(query.get("limit", [str(len(rows) or 1)])[0])
        page = [fields, *rows[start : start + limit]]
        if query.get("showResumeKey") == ["true"] and start + limit < len(rows):
            page += [[], [str(start + limit)]]
        return page

    def capture(self, path: str) -> bytes | None:
        head, _, original = path.partition(RAW)
        timestamp = head.rstrip("/").rsplit("/", 1)[-1]
        for e in self.entries:
            if e.original == original and e.timestamp == timestamp:
                return e.body
        return None

    def __enter__(self) -> CdxServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                import json

                server.requests.append(self.path)
                parts = urlsplit(self.path)
                if parts.path == "/robots.txt":
                    self._send(200, "text/plain", b"User-agent: *\nAllow: /\n")
                elif parts.path == "/cdx/search/cdx":
                    body = json.dumps(server.cdx(parse_qs(parts.query))).encode()
                    self._send(200, "application/json", body)
                elif parts.path.startswith("/web/"):
                    found = server.capture(self.path)
                    if found is None:
                        self._send(404, "text/html", b"<html><body>no capture</body></html>")
                    else:
                        self._send(200, "text/html; charset=utf-8", found)
                elif parts.path in server.live:
                    self._send(200, "text/html; charset=utf-8", server.live[parts.path])
                else:
                    self._send(404, "text/html", b"<html><body>not found</body></html>")

            def _send(self, status: int, ctype: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._httpd is not None
        self._httpd.shutdown()
        self._httpd.server_close()
