"""Serve a generated archive (benchmarks/generate.py) on 127.0.0.1, fast.

A threaded HTTP/1.1 server with keep-alive and no rate limit. Every document has a
strong ETag and a Last-Modified date; ``If-None-Match`` (or, without it,
``If-Modified-Since``) is answered with 304. Requests are counted: total, by status,
and by kind (listing, article, feed, robots). ``GET /__bench/stats`` returns the
counters as JSON and ``GET /__bench/reset`` zeroes them (neither is counted).

In the benchmark the site runs in a process of its own so that it never competes for
the GIL with what is being measured:

    python -m benchmarks.site --pages 2000 --seed 1 [--port 0]

prints ``READY http://127.0.0.1:PORT`` once every page is generated and serves until
killed. ``SiteProcess`` (a context manager) starts and stops it from Python, and
``BenchSite`` serves in a thread of the current process (for tests).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

from benchmarks.generate import Archive, build_archive

REPO = Path(__file__).resolve().parent.parent


class Counters:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.total = 0
        self.by_status: dict[int, int] = {}
        self.by_kind: dict[str, int] = {}

    def count(self, status: int, kind: str) -> None:
        with self.lock:
            self.total += 1
            self.by_status[status] = self.by_status.get(status, 0) + 1
            self.by_kind[kind] = self.by_kind.get(kind, 0) + 1

    def snapshot(self) -> dict:
        with self.lock:
            return {
                "requests": self.total,
                "not_modified": self.by_status.get(304, 0),
                "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
                "by_kind": dict(sorted(self.by_kind.items())),
            }


def _kind(path: str, query: str) -> str:
    if path == "/robots.txt":
        return "robots"
    if path == "/news":
        return "feed" if "format=feed" in query else "listing"
    if path.startswith("/news/"):
        return "article"
    return "other"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def make_server(
    archive: Archive, host: str = "127.0.0.1", port: int = 0
) -> tuple[_Server, Counters]:
    counters = Counters()
    documents = archive.documents
    # Responses are prebuilt per document (headers + body in one buffer, one send).
    prebuilt: dict[tuple[str, str], tuple[bytes, bytes, str, float | None]] = {}
    for key, doc in documents.items():
        head = (
            "HTTP/1.1 200 OK\r\n"
            f"Content-Type: {doc.content_type}\r\n"
            f"Content-Length: {len(doc.body)}\r\n"
            f"ETag: {doc.etag}\r\n"
            f"Last-Modified: {doc.last_modified}\r\n"
            "Cache-Control: max-age=0\r\n\r\n"
        ).encode("latin-1")
        not_modified = (
            "HTTP/1.1 304 Not Modified\r\n"
            f"ETag: {doc.etag}\r\n"
            f"Last-Modified: {doc.last_modified}\r\n\r\n"
        ).encode("latin-1")
        lm = parsedate_to_datetime(doc.last_modified).timestamp()
        prebuilt[key] = (head + doc.body, not_modified, doc.etag, lm)
    not_found = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nnot found\n"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path.startswith("/__bench/"):
                if parts.path == "/__bench/reset":
                    counters.reset()
                body = json.dumps(counters.snapshot()).encode()
                self.wfile.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                return
            kind = _kind(parts.path, parts.query)
            entry = prebuilt.get((parts.path, parts.query))
            if entry is None:
                counters.count(404, kind)
                self.wfile.write(not_found)
                return
            full, not_modified, etag, lm = entry
            inm = self.headers.get("If-None-Match")
            if inm is not None:
                fresh = etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
            else:
                ims = self.headers.get("If-Modified-Since")
                fresh = False
                if ims and lm is not None:
                    try:
                        fresh = parsedate_to_datetime(ims).timestamp() >= lm
                    except (TypeError, ValueError):
                        fresh = False
            if fresh:
                counters.count(304, kind)
                self.wfile.write(not_modified)
            else:
                counters.count(200, kind)
                self.wfile.write(full)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return _Server((host, port), Handler), counters


class BenchSite:
    """Serve an archive from a thread of this process (a context manager)."""

    def __init__(self, archive: Archive, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server, self.counters = make_server(archive, host, port)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> BenchSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class SiteProcess:
    """``python -m benchmarks.site`` in a subprocess; ``stats()``/``reset()`` read its counters."""

    def __init__(self, pages: int, seed: int = 1, python: str = sys.executable) -> None:
        self.pages, self.seed, self.python = pages, seed, python
        self.proc: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> SiteProcess:
        self.proc = subprocess.Popen(
            [
                self.python,
                "-m",
                "benchmarks.site",
                "--pages",
                str(self.pages),
                "--seed",
                str(self.seed),
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("READY "):
            self.proc.kill()
            raise RuntimeError(f"benchmark site did not start: {line!r}")
        self.base_url = line.split(" ", 1)[1]
        return self

    def _get(self, path: str) -> dict:
        with urlopen(self.base_url + path, timeout=10) as r:
            return json.loads(r.read())

    def stats(self) -> dict:
        return self._get("/__bench/stats")

    def reset(self) -> dict:
        return self._get("/__bench/reset")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Serve a generated NCA-shaped archive on 127.0.0.1.")
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args(argv)
    archive = build_archive(args.pages, args.seed)
    server, _ = make_server(archive, args.host, args.port)
    server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    del archive  # the prebuilt responses hold everything served
    host, port = server.server_address[:2]
    print(f"READY http://{host}:{port}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever(poll_interval=0.5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
