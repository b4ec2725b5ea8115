"""`optally import-warc`: web-archive files read as fetched pages (tasks/warc.py), on SQLite
and PostgreSQL. The WARCs are written here with warcio from the sample site's NCA-shaped
releases (app/sample_site/articles/, written for this project)."""

from __future__ import annotations

import gzip
import io
import re
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from app.cli import main
from db.engine import get_engine
from domain.records import Article, Extraction, FigureResult
from tasks.extract import within_capture
from tasks.warc import read_captures, skip_reason, warc_date

ARTICLES = Path(__file__).resolve().parent.parent / "app" / "sample_site" / "articles"
NCA = "https://www.nationalcrimeagency.gov.uk/news/"
SEED = "thirty-eight-arrested-in-uk-wide-child-trafficking-week-of-action"
NINETY = "more-than-90-arrested-in-crackdown-on-criminal-exploitation-of-children"
PHISHING = "phishing-service-used-by-thousands-of-criminals-taken-down"
TABLES = (
    "sources",
    "pages",
    "page_versions",
    "articles",
    "figures",
    "operations",
    "operation_figures",
    "metric_values",
)

SOURCES_YAML = """\
sources:
  - name: nca-news
    kind: listing
    start_url: https://www.nationalcrimeagency.gov.uk/news
    allowed_hosts: [www.nationalcrimeagency.gov.uk]
    profile: nca
"""


def page(slug: str) -> bytes:
    return (ARTICLES / f"{slug}.html").read_bytes()


def _http(status: str, ctype: str) -> StatusAndHeaders:
    return StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")


def write_warc(path: Path, *, gzip: bool) -> None:
    """Three releases (the 90-arrests one captured twice with two bodies, the newer first
    in the file; the seed captured twice with one body), and everything that is no page:
    warcinfo, a request, a revisit, metadata, a PDF and a 404."""
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=gzip)

        def response(
            url: str,
            body: bytes,
            when: str,
            status: str = "200 OK",
            ctype: str = "text/html; charset=utf-8",
        ) -> None:
            w.write_record(
                w.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(body),
                    http_headers=_http(status, ctype),
                    warc_headers_dict={"WARC-Date": when},
                )
            )

        w.write_record(w.create_warcinfo_record(path.name, {"software": "test_warc.py"}))
        request = StatusAndHeaders(
            f"GET /news/{SEED} HTTP/1.1",
            [("Host", "www.nationalcrimeagency.gov.uk")],
            is_http_request=True,
        )
        w.write_record(
            w.create_warc_record(
                NCA + SEED, "request", payload=io.BytesIO(b""), http_headers=request
            )
        )
        response(NCA + SEED, page(SEED), "2021-11-06T09:00:00Z")
        response(NCA + SEED, page(SEED), "2021-12-01T09:00:00Z")  # the same body again
        w.write_record(
            w.create_revisit_record(
                NCA + SEED,
                digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                refers_to_uri=NCA + SEED,
                refers_to_date="2021-11-06T09:00:00Z",
                http_headers=_http("200 OK", "text/html"),
                warc_headers_dict={"WARC-Date": "2022-01-01T09:00:00Z"},
            )
        )
        w.write_record(
            w.create_warc_record(
                NCA + SEED,
                "metadata",
                payload=io.BytesIO(b"outlinks: none"),
                warc_content_type="application/warc-fields",
            )
        )
        newer = page(NINETY)
        older = newer.replace(b"</body>", b"<!-- an earlier copy --></body>")
        response(NCA + NINETY, newer, "2022-05-10T12:00:00Z")
        response(NCA + NINETY, older, "2022-04-29T12:00:00Z")
        response(NCA + PHISHING, page(PHISHING), "2023-03-03T08:00:00Z")
        response(
            NCA + "annual-report.pdf",
            b"%PDF-1.4 " + b"1" * 200,
            "2023-07-01T08:00:00Z",
            ctype="application/pdf",
        )
        response(
            NCA + "a-release-that-has-gone",
            b"<html><body>Not found</body></html>",
            "2023-07-01T08:00:00Z",
            status="404 Not Found",
        )


def snapshot(url: str) -> dict[str, int]:
    with get_engine(url).connect() as conn:
        return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in TABLES}


# ---------------------------------------------------------------------------------------
# The reader (no warehouse)


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "plain"])
def test_reader_keeps_only_html_200_responses(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    write_warc(path, gzip=gz)
    skipped: Counter[str] = Counter()
    captures = list(read_captures(path, skipped))
    assert [(c.url.removeprefix(NCA), c.captured_at.isoformat()) for c in captures] == [
        (SEED, "2021-11-06T09:00:00+00:00"),
        (SEED, "2021-12-01T09:00:00+00:00"),
        (NINETY, "2022-05-10T12:00:00+00:00"),
        (NINETY, "2022-04-29T12:00:00+00:00"),
        (PHISHING, "2023-03-03T08:00:00+00:00"),
    ]
    assert skipped == Counter(
        {
            "warcinfo": 1,
            "request": 1,
            "revisit": 1,
            "metadata": 1,
            "not HTML": 1,
            "HTTP status 404": 1,
        }
    )
    assert all(c.archive == path.name and c.content_type == "text/html" for c in captures)
    assert captures[0].encoding == "utf-8" and captures[0].body == page(SEED)
    # Each offset is where its record starts: reading from there gives that record first.
    for c in captures:
        with path.open("rb") as fh:
            fh.seek(c.offset or 0)
            from warcio.archiveiterator import ArchiveIterator

            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_headers.get_header("WARC-Target-URI") == c.url
            assert record.content_stream().read() == c.body


def test_skip_reasons_and_dates() -> None:
    assert skip_reason("response", "200", "text/html; charset=utf-8", NCA + SEED) is None
    assert skip_reason("response", "200", "application/xhtml+xml", NCA + SEED) is None
    assert skip_reason("response", "301", "text/html", NCA + SEED) == "HTTP status 301"
    assert skip_reason("response", "200", "application/pdf", NCA + SEED) == "not HTML"
    assert skip_reason("response", "200", "text/html", "dns:example.org") == "not an http(s) URL"
    assert skip_reason("revisit", "200", "text/html", NCA + SEED) == "revisit"
    assert warc_date("2021-11-06T09:00:00Z") == datetime(2021, 11, 6, 9, tzinfo=UTC)
    assert warc_date("2021-11-06T09:00:00.123456Z") == datetime(
        2021, 11, 6, 9, 0, 0, 123456, tzinfo=UTC
    )
    assert warc_date("yesterday") is None


def test_capture_date_bounds_the_publication_date() -> None:
    def dated(published: date | None) -> Extraction:
        article = Article(url=NCA + SEED, title="t", published=published, publisher=None, body="b")
        return Extraction(article=article, result=FigureResult())

    captured = datetime(2021, 11, 6, 9, tzinfo=UTC)
    # Before the capture, or the same day and the next (a time zone ahead of UTC): kept.
    for day in (date(2021, 11, 5), date(2021, 11, 6), date(2021, 11, 7)):
        assert within_capture(dated(day), captured).article.published == day
    # Later than the archive saw the page: a misreading, left undated.
    assert within_capture(dated(date(2021, 11, 8)), captured).article.published is None
    assert within_capture(dated(None), captured).article.published is None
    assert within_capture(dated(date(2030, 1, 1)), None).article.published == date(2030, 1, 1)


# ---------------------------------------------------------------------------------------
# The command, into the warehouse


@pytest.mark.flow
@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "plain"])
def test_import_loads_one_article_per_page_and_twice_changes_nothing(
    prefect_harness: None, db_url: str, tmp_path: Path, gz: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    write_warc(path, gzip=gz)
    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES_YAML)
    argv = ["import-warc", str(path), "--sources", str(sources), "--db", db_url]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "discovered 5, fetched 4 new or changed" in out
    assert "extracted 3 (1 off-topic)" not in out  # no keywords: every page is on topic
    assert "extracted 3 (0 off-topic)" in out
    assert (
        "records that are no page: HTTP status 404 1, metadata 1, not HTML 1, request 1, "
        "revisit 1, warcinfo 1" in out
    )
    engine = get_engine(db_url)
    with engine.connect() as conn:
        pages = conn.execute(
            text(
                "SELECT p.url, s.name, COUNT(v.id) FROM pages p JOIN sources s ON s.id = p.source_id"
                " JOIN page_versions v ON v.page_id = p.id GROUP BY p.url, s.name ORDER BY p.url"
            )
        ).all()
        assert [tuple(r) for r in pages] == [
            (NCA + NINETY, "nca-news", 2),
            (NCA + PHISHING, "nca-news", 1),
            (NCA + SEED, "nca-news", 1),
        ]
        # One current reading per page, of its newest capture (not the file's last record).
        read = conn.execute(
            text(
                "SELECT a.url, v.capture_date, v.capture_archive, v.capture_offset IS NOT NULL,"
                " a.published FROM articles a JOIN page_versions v ON v.id = a.version_id"
                " WHERE a.superseded_at IS NULL ORDER BY a.url"
            )
        ).all()
        assert [(r[0], str(r[1])[:10], r[2], bool(r[3]), str(r[4])) for r in read] == [
            (NCA + NINETY, "2022-05-10", path.name, True, "2022-04-28"),
            (NCA + PHISHING, "2023-03-03", path.name, True, "2023-03-02"),
            (NCA + SEED, "2021-11-06", path.name, True, "2021-11-05"),
        ]
        # Every figure is a page's: none from the PDF, the 404, the revisit or the request.
        urls = set(
            conn.execute(
                text("SELECT DISTINCT a.url FROM figures f JOIN articles a ON a.id = f.article_id")
            ).scalars()
        )
        assert urls == {NCA + NINETY, NCA + PHISHING, NCA + SEED}
        seed = conn.execute(
            text(
                "SELECT s.arrests, s.potential_victims, s.forces_involved, m.arrests_per_force"
                " FROM operation_summary s JOIN operation_metrics m USING (operation_id)"
                " WHERE s.title LIKE 'Thirty eight%'"
            )
        ).one()
        assert tuple(seed) == (38, 99, 19, 2.0)
        assert (
            conn.execute(
                text("SELECT COUNT(*) FROM pages WHERE url LIKE '%pdf' OR url LIKE '%gone'")
            ).scalar_one()
            == 0
        )
    before = snapshot(db_url)
    assert before["pages"] == 3 and before["page_versions"] == 4 and before["articles"] == 3
    assert main(argv) == 0
    assert "fetched 0 new or changed, 0 not modified, 5 unchanged, extracted 0" in (
        capsys.readouterr().out
    )
    assert snapshot(db_url) == before


def test_import_refuses_missing_and_non_warc_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'w.db'}"
    assert main(["import-warc", str(tmp_path / "nope.warc.gz"), "--db", db]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"optally: error: file not found: {tmp_path / 'nope.warc.gz'}"]
    junk = tmp_path / "notes.txt"
    junk.write_text("just some notes, not an archive\n")
    assert main(["import-warc", str(junk), "--db", db]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"optally: error: {junk}: not a WARC or ARC file")
    assert not (tmp_path / "w.db").exists()


# ---------------------------------------------------------------------------------------
# Copies that disagree: the newest decides, unless an older one alone gives figures

SEED_TITLE = (
    b"Thirty eight arrested and 99 potential victims identified in UK-wide child "
    b"trafficking week of action"
)
ARTICLE_BODY = re.compile(rb'(<div itemprop="articleBody">).*?(</div><ul class="tags)', re.S)


def stub(note: bytes) -> bytes:
    """The seed release as a stub: its title and text replaced by a line saying it has
    gone (no figure in it), its date kept."""
    html = page(SEED).replace(SEED_TITLE, b"Release archived")
    text = b"<p>" + note + b"</p><p><strong>05 November 2021</strong></p>"
    return ARTICLE_BODY.sub(lambda m: m.group(1) + text + m.group(2), html, count=1)


FULL = ("2021-11-06T09:00:00Z", page(SEED))
STUB = ("2023-02-01T09:00:00Z", stub(b"This release has been archived."))
EARLIER_STUB = ("2022-06-01T09:00:00Z", stub(b"This release is no longer available."))


def write_captures(path: Path, captures: list[tuple[str, bytes]]) -> None:
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for when, body in captures:
            w.write_record(
                w.create_warc_record(
                    NCA + SEED,
                    "response",
                    payload=io.BytesIO(body),
                    http_headers=_http("200 OK", "text/html; charset=utf-8"),
                    warc_headers_dict={"WARC-Date": when},
                )
            )


def seed_state(url: str) -> tuple[list[tuple[str, str | None]], tuple[object, ...]]:
    """The seed page's readings (capture day, day closed or None while current) and its
    operation's arrests, potential victims, forces and arrests per force."""
    with get_engine(url).connect() as conn:
        readings = conn.execute(
            text(
                "SELECT v.capture_date, a.superseded_at FROM articles a"
                " JOIN page_versions v ON v.id = a.version_id ORDER BY v.capture_date"
            )
        ).all()
        summary = conn.execute(
            text(
                "SELECT s.arrests, s.potential_victims, s.forces_involved, m.arrests_per_force"
                " FROM operation_summary s JOIN operation_metrics m USING (operation_id)"
            )
        ).all()
    days = [(str(r[0])[:10], str(r[1])[:10] if r[1] is not None else None) for r in readings]
    return days, tuple(tuple(r) for r in summary)


@pytest.mark.flow
@pytest.mark.parametrize(
    ("captures", "versions", "readings"),
    [
        # Older capture first in the file, then the newer stub.
        ([FULL, STUB], 2, [("2021-11-06", None), ("2023-02-01", "2023-02-01")]),
        # The same two the other way round: the file's order decides nothing.
        ([STUB, FULL], 2, [("2021-11-06", None), ("2023-02-01", "2023-02-01")]),
        # Two stubs after it: the look-back reaches the copy with figures; the middle stub,
        # read and without figures, is kept as a version and not loaded.
        ([FULL, EARLIER_STUB, STUB], 3, [("2021-11-06", None), ("2023-02-01", "2023-02-01")]),
    ],
    ids=["older-first", "newer-first", "two-stubs"],
)
def test_a_newer_stub_keeps_the_older_captures_figures(
    prefect_harness: None,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    captures: list[tuple[str, bytes]],
    versions: int,
    readings: list[tuple[str, str | None]],
) -> None:
    path = tmp_path / "seed.warc.gz"
    write_captures(path, captures)
    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES_YAML)
    argv = ["import-warc", str(path), "--sources", str(sources), "--db", db_url]
    assert main(argv) == 0
    capsys.readouterr()
    before = snapshot(db_url)
    assert before["pages"] == 1 and before["page_versions"] == versions
    # Both copies kept as readings; the older one, with figures, current; the stub closed
    # when it was captured.
    assert seed_state(db_url) == (readings, ((38, 99, 19, 2.0),))
    assert main(argv) == 0
    assert "extracted 0" in capsys.readouterr().out
    assert snapshot(db_url) == before


@pytest.mark.flow
def test_a_stub_imported_after_the_page_was_read_does_not_displace_it(
    prefect_harness: None, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The copy with figures read first (as a live page is, before it is re-published as a
    stub), the stub later: the stub's reading is kept, closed, and nothing older is read
    again."""
    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES_YAML)
    first, second = tmp_path / "2021.warc.gz", tmp_path / "2023.warc.gz"
    write_captures(first, [FULL])
    write_captures(second, [STUB])
    base = ["--sources", str(sources), "--db", db_url]
    assert main(["import-warc", str(first), *base]) == 0
    capsys.readouterr()
    assert main(["import-warc", str(second), *base]) == 0
    # Only the stub is read: the copy before it was read by this parser already.
    assert "extracted 1 (0 off-topic)" in capsys.readouterr().out
    expected = ([("2021-11-06", None), ("2023-02-01", "2023-02-01")], ((38, 99, 19, 2.0),))
    assert seed_state(db_url) == expected
    before = snapshot(db_url)
    assert main(["import-warc", str(second), *base]) == 0
    assert snapshot(db_url) == before and seed_state(db_url) == expected


# ---------------------------------------------------------------------------------------
# ARC files (the Internet Archive's format before WARC), written by hand


def arc_record(url: str, ip: str, when: str, ctype: str, payload: bytes) -> bytes:
    """One ARC v1 record: "URL IP-address Archive-date Content-type Archive-length", then
    that many bytes (for a page, the HTTP response as received), then a newline."""
    return f"{url} {ip} {when} {ctype} {len(payload)}\n".encode() + payload + b"\n"


def http_response(status: str, ctype: str, body: bytes) -> bytes:
    return f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\n\r\n".encode() + body


def arc_records(name: str) -> list[bytes]:
    """The file's version block, the seed release, a 404 and an image."""
    version = b"1 0 optally-tests\nURL IP-address Archive-date Content-type Archive-length\n"
    return [
        arc_record(f"filedesc://{name}", "0.0.0.0", "20211106080000", "text/plain", version),
        arc_record(
            NCA + SEED,
            "192.0.2.10",
            "20211106090000",
            "text/html",
            http_response("200 OK", "text/html; charset=utf-8", page(SEED)),
        ),
        arc_record(
            NCA + "a-release-that-has-gone",
            "192.0.2.10",
            "20211106090100",
            "text/html",
            http_response("404 Not Found", "text/html", b"<html><body>Not found</body></html>"),
        ),
        arc_record(
            NCA + "logo.gif",
            "192.0.2.10",
            "20211106090200",
            "image/gif",
            http_response("200 OK", "image/gif", b"GIF89a" + b"\0" * 40),
        ),
    ]


@pytest.mark.flow
@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "plain"])
def test_arc_files_import_like_warc(
    prefect_harness: None, db_url: str, tmp_path: Path, gz: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "crawl.arc.gz" if gz else "crawl.arc"
    records = arc_records(name)
    # A gzipped ARC is one gzip member per record, as a WARC's is.
    chunks = [gzip.compress(r, mtime=0) for r in records] if gz else records
    (tmp_path / name).write_bytes(b"".join(chunks))
    seed_offset = len(chunks[0])
    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES_YAML)
    argv = ["import-warc", str(tmp_path / name), "--sources", str(sources), "--db", db_url]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "discovered 1, fetched 1 new or changed" in out
    assert "records that are no page: HTTP status 404 1, not HTML 1, warcinfo 1" in out
    with get_engine(db_url).connect() as conn:
        versions = conn.execute(
            text(
                "SELECT p.url, s.name, v.capture_archive, v.capture_offset, v.capture_date,"
                " v.http_status, v.content_type FROM pages p"
                " JOIN sources s ON s.id = p.source_id JOIN page_versions v ON v.page_id = p.id"
            )
        ).all()
        assert [(*r[:4], str(r[4])[:19], *r[5:]) for r in versions] == [
            (
                NCA + SEED,
                "nca-news",
                name,
                seed_offset,
                "2021-11-06 09:00:00",
                200,
                "text/html",
            )
        ]
        articles = conn.execute(
            text("SELECT url, title, published, superseded_at FROM articles")
        ).all()
        assert [(r[0], r[1], str(r[2]), r[3]) for r in articles] == [
            (NCA + SEED, SEED_TITLE.decode(), "2021-11-05", None)
        ]
        figures = conn.execute(
            text(
                "SELECT f.scope, f.metric, f.value FROM figures f"
                " JOIN articles a ON a.id = f.article_id ORDER BY f.scope, f.metric"
            )
        ).all()
        assert [(r[0], r[1], float(r[2])) for r in figures] == [
            ("context", "nrm_referrals", 4946.0),
            ("force", "victims_children", 5.0),
            ("international", "arrests", 175.0),
            ("international", "countries_involved", 18.0),
            ("international", "potential_victims", 187.0),
            ("operation", "arrests", 38.0),
            ("operation", "duration_days", 7.0),
            ("operation", "forces_involved", 19.0),
            ("operation", "new_investigations", 51.0),
            ("operation", "nrm_referrals", 55.0),
            ("operation", "potential_victims", 99.0),
            ("operation", "victims_adults", 27.0),
            ("operation", "victims_children", 72.0),
        ]
    before = snapshot(db_url)
    assert main(argv) == 0
    assert snapshot(db_url) == before
