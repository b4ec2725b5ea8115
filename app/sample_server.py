"""Serve the bundled sample site (app/sample_site/) on 127.0.0.1 for `optally demo` and tests."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

SITE_DIR = Path(__file__).resolve().parent / "sample_site"


class SampleSite:
    """A static site from ``routes.json``: exact (path, query) -> file. A context manager."""

    def __init__(self, site_dir: Path = SITE_DIR, host: str = "127.0.0.1", port: int = 0) -> None:
        manifest = json.loads((site_dir / "routes.json").read_text(encoding="utf-8"))
        self.routes: dict[tuple[str, str], tuple[Path, str]] = {
            (r["path"], r.get("query", "")): (
                site_dir / r["file"],
                r.get("content_type", "text/html; charset=utf-8"),
            )
            for r in manifest["routes"]
        }
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                site.requests.append(self.path)
                route = site.routes.get((parts.path, parts.query))
                if route is None:
                    self.send_error(404)
                    return
                path, ctype = route
                body = path.read_bytes()
                etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: the demo prints its own progress

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> SampleSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
