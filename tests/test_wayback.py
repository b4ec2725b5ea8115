"""The `wayback` source kind (tasks/wayback.py) against a local CDX-shaped server
(tests/cdxserver.py), into a warehouse that also holds the live crawl of the same page,
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from app.cli import main
from config.sources import WAYBACK_RATE_LIMIT, SourcesError, parse_sources
from db.engine import get_engine
from tasks.discover import discover
from tasks.fetch import Fetcher
from tasks.politeness import min_interval
from tasks.wayback import (
    CdxRow,
    capture_time,
    capture_url,
    cdx_query,
    newest_captures,
    parse_capture_url,
    parse_cdx,
)
from tests.cdxserver import CdxServer

ARTICLES = Path(__file__).resolve().parent.parent / "app" / "sample_site" / "articles"
SEED = "/news/thirty-eight-arrested-in-uk-wide-child-trafficking-week-of-action"
NINETY = "/news/more-than-90-arrested-in-crackdown-on-criminal-exploitation-of-children"
TABLES = ("pages", "page_versions", "articles", "figures", "operations", "operation_figures")


def body(path: str) -> bytes:
    return (ARTICLES / f"{path.removeprefix('/news/')}.html").read_bytes()


def wayback_source(base: str, **extra: object) -> dict[str, object]:
    return {
        "name": "nca-wayback",
        "kind": "wayback",
        "start_url": base + "/news/",
        "cdx_url": base + "/cdx/search/cdx",
        "capture_url": base + "/web/",
        "allowed_hosts": ["127.0.0.1"],
        "profile": "nca",
        "rate_limit": 0,
        "allow_private_hosts": True,
        **extra,
    }


# ---------------------------------------------------------------------------------------
# Pure parts


def test_cdx_query_rows_and_capture_urls() -> None:
    q = cdx_query(
        "http://web.archive.org/cdx/search/cdx",
        "https://x.org/news/",
        date(2014, 1, 1),
        date(2020, 12, 31),
        resume_key="abc",
        limit=50,
    )
    assert q == (
        "http://web.archive.org/cdx/search/cdx?url=https%3A%2F%2Fx.org%2Fnews%2F"
        "&matchType=prefix&output=json&fl=urlkey%2Ctimestamp%2Coriginal%2Cmimetype%2Cstatuscode"
        "&filter=statuscode%3A200&filter=mimetype%3Atext%2Fhtml&limit=50&showResumeKey=true"
        "&from=20140101&to=20201231&resumeKey=abc"
    )
    page = (
        b'[["urlkey","timestamp","original","mimetype","statuscode"],'
        b'["org,x)/news/a","20190102030405","https://x.org/news/a","text/html","200"],'
        b'["org,x)/news/a","2019","https://x.org/news/a","text/html"],'
        b"[],"
        b'["next-key"]]'
    )
    rows, resume = parse_cdx(page)
    assert rows == [
        CdxRow("org,x)/news/a", "20190102030405", "https://x.org/news/a", "text/html", "200")
    ]
    assert resume == "next-key"
    assert parse_cdx(b"[]") == ([], None)
    with pytest.raises(ValueError):
        parse_cdx(b'{"not": "cdx"}')
    assert capture_time("20190102030405") == datetime(2019, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert capture_time("201901") == datetime(2019, 1, 1, tzinfo=UTC)
    assert capture_time("2019x") is None
    url = capture_url("https://web.archive.org/web/", "20190102030405", "https://x.org/news/a?b=1")
    assert url == "https://web.archive.org/web/20190102030405id_/https://x.org/news/a?b=1"
    assert parse_capture_url(url) == (
        datetime(2019, 1, 2, 3, 4, 5, tzinfo=UTC),
        "https://x.org/news/a?b=1",
    )
    assert parse_capture_url("https://web.archive.org/web/2019/https://x.org/") is None


def test_newest_capture_per_page_of_the_source() -> None:
    # An archive not on a loopback address: the archive's pace (no faster rate_limit).
    (source,) = parse_sources(
        {
            "sources": [
                {**wayback_source("https://x.org"), "allowed_hosts": ["x.org"], "rate_limit": 0.25}
            ]
        }
    )

    def row(ts: str, path: str, mime: str = "text/html", status: str = "200") -> CdxRow:
        return CdxRow(path, ts, "https://x.org" + path, mime, status)

    rows = [
        row("20190101000000", "/news/a"),
        row("20200101000000", "/news/a"),
        row("20210101000000", "/news/a", status="404"),  # newer, but no page
        row("20200601000000", "/news/1357-b"),  # the NCA profile's old id form of /news/b
        row("20200701000000", "/news/b"),
        row("20200101000000", "/news/report.pdf", mime="application/pdf"),
        row("20200101000000", "/about"),  # not an article of the source
    ]
    assert [(r.timestamp, r.original) for r in newest_captures(rows, source)] == [
        ("20200101000000", "https://x.org/news/a"),
        ("20200701000000", "https://x.org/news/b"),
    ]


def test_wayback_sources_are_validated() -> None:
    with pytest.raises(SourcesError, match=r"cdx_url host 'web\.archive\.org' is not in allowed"):
        parse_sources(
            {
                "sources": [
                    {
                        "name": "w",
                        "kind": "wayback",
                        "start_url": "https://x.org/n/",
                        "allowed_hosts": ["x.org"],
                    }
                ]
            }
        )
    with pytest.raises(SourcesError, match="from_date 2020-01-01 is after to_date 2019-01-01"):
        parse_sources(
            {
                "sources": [
                    {
                        **wayback_source("https://x.org"),
                        "allowed_hosts": ["x.org"],
                        "from_date": date(2020, 1, 1),
                        "to_date": date(2019, 1, 1),
                    }
                ]
            }
        )
    with pytest.raises(SourcesError, match="from_date and to_date are only for kind 'wayback'"):
        parse_sources(
            {
                "sources": [
                    {
                        "name": "f",
                        "kind": "feed",
                        "start_url": "https://x.org/rss",
                        "allowed_hosts": ["x.org"],
                        "from_date": date(2020, 1, 1),
                    }
                ]
            }
        )
    (ok,) = parse_sources(
        {
            "sources": [
                {
                    "name": "w",
                    "kind": "wayback",
                    "start_url": "https://www.nationalcrimeagency.gov.uk/news/",
                    "allowed_hosts": ["www.nationalcrimeagency.gov.uk", "web.archive.org"],
                }
            ]
        }
    )
    assert (ok.cdx_url, ok.capture_url) == (
        "http://web.archive.org/cdx/search/cdx",
        "https://web.archive.org/web/",
    )


# ---------------------------------------------------------------------------------------
# The archive's own rate limit


def archive_source(**extra: object) -> dict[str, object]:
    return {
        "name": "w",
        "kind": "wayback",
        "start_url": "https://www.nationalcrimeagency.gov.uk/news/",
        "allowed_hosts": ["www.nationalcrimeagency.gov.uk", "web.archive.org"],
        **extra,
    }


def test_the_archive_is_asked_at_most_15_times_a_minute() -> None:
    (default,) = parse_sources({"sources": [archive_source()]})
    assert default.rate_limit == WAYBACK_RATE_LIMIT == 0.25
    assert min_interval(default.rate_limit, None, 120.0) == 4.0  # seconds between requests
    (slower,) = parse_sources({"sources": [archive_source(rate_limit=0.1)]})
    assert slower.rate_limit == 0.1
    for faster in (1, 0.5, 0):  # 0 is no limit at all
        with pytest.raises(SourcesError, match=f"rate_limit {faster:g} is faster than a web "):
            parse_sources({"sources": [archive_source(rate_limit=faster)]})
    # Another kind's default is untouched; an archive on a loopback address (a test
    # server) may go faster, as every test here does; one loopback URL of two is not enough.
    (feed,) = parse_sources(
        {
            "sources": [
                {
                    "name": "f",
                    "kind": "feed",
                    "start_url": "https://x.org/rss",
                    "allowed_hosts": ["x.org"],
                }
            ]
        }
    )
    assert feed.rate_limit == 1.0
    (local,) = parse_sources({"sources": [wayback_source("http://127.0.0.1:8000")]})
    assert local.rate_limit == 0
    half = {
        **wayback_source("http://127.0.0.1:8000"),
        "capture_url": "https://web.archive.org/web/",
        "allowed_hosts": ["127.0.0.1", "web.archive.org"],
    }
    with pytest.raises(SourcesError, match="rate_limit 0 is faster than a web archive allows"):
        parse_sources({"sources": [half]})


def test_cdx_listing_and_captures_go_at_the_archive_pace() -> None:
    """The CDX listing and the captures are fetched through one Fetcher at the source's
    pace: 4 s from the end of one request to the archive host to the start of the next."""
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    with CdxServer() as server:
        server.add_capture(SEED, "20211106090000", body(SEED))
        server.add_capture(NINETY, "20220510120000", body(NINETY))
        (source,) = parse_sources(
            {"sources": [wayback_source(server.base, rate_limit=WAYBACK_RATE_LIMIT)]}
        )
        fetcher = Fetcher(sleep=sleep, clock=lambda: now[0])
        found = discover(source, fetcher)
        assert [p.split("?")[0] for p in server.requests] == ["/robots.txt", "/cdx/search/cdx"]
        for link in found.links:  # as the fetch stage asks (tasks/crawl.py fetch_batch)
            result = fetcher.fetch(
                link.url,
                allowed_hosts=source.allowed_hosts,
                rate_limit=source.rate_limit,
                allow_private=source.allow_private_hosts,
            )
            assert result.ok
        assert len(server.requests) == 4
    # robots.txt, the CDX page, two captures: a 4 s wait before each but the first.
    assert waits == [4.0, 4.0, 4.0]


# ---------------------------------------------------------------------------------------
# The flow: live crawl, then the archive's backfill, into one warehouse


def counts(url: str) -> dict[str, int]:
    with get_engine(url).connect() as conn:
        return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in TABLES}


@pytest.mark.flow
def test_backfill_joins_the_live_crawl_without_duplicates(
    prefect_harness: None, db_url: str, tmp_path: Path
) -> None:
    import yaml

    with CdxServer() as server:
        server.live[SEED] = body(SEED)
        older_seed = body(SEED).replace(b"</body>", b"<!-- as archived in 2021 --></body>")
        server.add_capture(SEED, "20211106090000", older_seed)
        server.add_capture(
            NINETY, "20220429120000", body(NINETY).replace(b"</body>", b"<!----></body>")
        )
        server.add_capture(NINETY, "20220510120000", body(NINETY))  # newest: the one fetched
        server.add_capture(NINETY, "20230101000000", b"gone", statuscode="404")
        server.add_capture(
            "/news/annual-report.pdf", "20230101000000", b"%PDF-1.4", mimetype="application/pdf"
        )
        live = {
            "name": "nca-live",
            "kind": "urls",
            "urls": [server.url(SEED)],
            "allowed_hosts": ["127.0.0.1"],
            "profile": "nca",
            "rate_limit": 0,
            "allow_private_hosts": True,
        }
        sources = tmp_path / "sources.yaml"
        sources.write_text(yaml.safe_dump({"sources": [live, wayback_source(server.base)]}))
        base = ["--sources", str(sources), "--db", db_url]
        assert main(["run", "--only", "nca-live", *base]) == 0
        assert main(["run", "--only", "nca-wayback", *base]) == 0
        fetched = [p for p in server.requests if p.startswith("/web/")]
        assert sorted(fetched) == sorted(
            [
                f"/web/20211106090000id_/{server.url(SEED)}",
                f"/web/20220510120000id_/{server.url(NINETY)}",
            ]
        )
        with get_engine(db_url).connect() as conn:
            pages = conn.execute(
                text(
                    "SELECT p.url, s.name, COUNT(v.id), COUNT(v.capture_archive)"
                    " FROM pages p JOIN sources s ON s.id = p.source_id"
                    " JOIN page_versions v ON v.page_id = p.id GROUP BY p.url, s.name"
                    " ORDER BY p.url"
                )
            ).all()
            # One page each: the live page keeps its live version and gains the capture.
            assert [tuple(r) for r in pages] == [
                (server.url(NINETY), "nca-wayback", 1, 1),
                (server.url(SEED), "nca-live", 2, 1),
            ]
            current = conn.execute(
                text(
                    "SELECT a.url, v.capture_archive, v.capture_date FROM articles a"
                    " JOIN page_versions v ON v.id = a.version_id"
                    " WHERE a.superseded_at IS NULL ORDER BY a.url"
                )
            ).all()
            # The live reading stays current (it is newer than the 2021 capture); the
            # archived-only page is read from its newest capture, which names its copy.
            assert [(r[0], r[1], str(r[2])[:19] if r[2] else None) for r in current] == [
                (
                    server.url(NINETY),
                    f"{server.base}/web/20220510120000id_/{server.url(NINETY)}",
                    "2022-05-10 12:00:00",
                ),
                (server.url(SEED), None, None),
            ]
            assert conn.execute(text("SELECT COUNT(*) FROM operations")).scalar_one() == 2
        before = counts(db_url)
        assert before["pages"] == 2 and before["articles"] == 2
        # Again: the archived-only page is known (its capture URL), the seed's capture is
        # asked for again and changes nothing.
        server.requests.clear()
        assert main(["run", "--only", "nca-wayback", *base]) == 0
        assert [p for p in server.requests if p.startswith("/web/")] == [
            f"/web/20211106090000id_/{server.url(SEED)}"
        ]
        assert counts(db_url) == before
