"""`optally import-warc`: web-archive files read as fetched pages (tasks/warc.py), on SQLite
and PostgreSQL. The WARCs are written here with warcio from the sample site's NCA-shaped
releases (app/sample_site/articles/, written for this project)."""

from __future__ import annotations

import io
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
