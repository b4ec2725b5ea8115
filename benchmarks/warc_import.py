"""`optally import-warc` on a generated WARC, against `optally reparse` of the same pages.

    python -m benchmarks.warc_import --pages 2000 [--pages 10000]

For each size: the benchmark archive's article pages (benchmarks/generate.py, about 60 KB
each) are written as one gzipped WARC (a request and a response record per page, so the
reader skips as many records as it keeps), imported into a fresh SQLite warehouse, then
re-read with `optally reparse`; each command's wall time, CPU and peak RSS of its process
tree (the extraction workers included) are measured by benchmarks/procs.py. Prints one JSON
object per size; docs/BENCHMARKS.md, "Importing web archives", quotes them.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from benchmarks.generate import build_archive
from benchmarks.procs import Measured, run_measured

REPO = Path(__file__).resolve().parent.parent
OPTALLY = str(Path(sys.executable).with_name("optally"))
HOST = "https://www.nationalcrimeagency.gov.uk"
SOURCES = f"""\
sources:
  - name: nca-news
    kind: listing
    start_url: {HOST}/news
    allowed_hosts: [www.nationalcrimeagency.gov.uk]
    profile: nca
"""


def write_warc(pages: int, path: Path) -> int:
    """The archive's article pages as a gzipped WARC; returns the file's size in bytes."""
    archive = build_archive(pages)
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for page in archive.pages:
            url = HOST + page.path
            captured = datetime.combine(page.published, datetime.min.time(), UTC) + timedelta(1)
            when = {"WARC-Date": captured.strftime("%Y-%m-%dT%H:%M:%SZ")}
            request = StatusAndHeaders(f"GET {page.path} HTTP/1.1", [], is_http_request=True)
            w.write_record(
                w.create_warc_record(
                    url,
                    "request",
                    payload=io.BytesIO(b""),
                    http_headers=request,
                    warc_headers_dict=when,
                )
            )
            doc = archive.documents[(page.path, "")]
            http = StatusAndHeaders("200 OK", [("Content-Type", doc.content_type)], "HTTP/1.1")
            w.write_record(
                w.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(doc.body),
                    http_headers=http,
                    warc_headers_dict=when,
                )
            )
    return path.stat().st_size


def summary(m: Measured, pages: int) -> dict[str, float]:
    if not m.ok:
        raise SystemExit(f"{' '.join(m.cmd)} failed:\n{m.stderr[-2000:]}")
    return {
        "wall_s": round(m.wall, 1),
        "cpu_s": round(m.cpu, 1),
        "pages_per_s": round(pages / m.wall, 1),
        "peak_tree_rss_mb": round(m.peak_tree_rss / 2**20),
        "peak_process_rss_mb": round(m.peak_proc_rss / 2**20),
        "peak_processes": m.peak_procs,
    }


def measure(pages: int, tmp: Path) -> dict[str, object]:
    warc = tmp / f"nca-{pages}.warc.gz"
    size = write_warc(pages, warc)
    sources = tmp / "sources.yaml"
    sources.write_text(SOURCES)
    db = f"sqlite:///{tmp / f'warehouse-{pages}.db'}"
    env = {**os.environ, "PREFECT_HOME": str(tmp / "prefect")}
    base = ["--sources", str(sources), "--db", db]
    imported = run_measured([OPTALLY, "import-warc", str(warc), *base], env=env, cwd=REPO)
    reparsed = run_measured([OPTALLY, "reparse", *base], env=env, cwd=REPO)
    return {
        "pages": pages,
        "warc_mb": round(size / 2**20, 1),
        "import_warc": summary(imported, pages),
        "import_output": imported.stdout.strip().splitlines()[-2:],
        "reparse": summary(reparsed, pages),
        "cores": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pages", type=int, action="append", help="pages per WARC (repeatable)")
    args = p.parse_args(argv)
    for pages in args.pages or [2000]:
        with tempfile.TemporaryDirectory(prefix="optally-warc-") as tmp:
            print(json.dumps(measure(pages, Path(tmp))), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
