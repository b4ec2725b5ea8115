"""A whole run against the fault-injecting server: it completes, loads every fetchable
article, asks for nothing robots.txt forbids, records each failure, and a second run is
conditional and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

from config.settings import get_settings
from db.engine import get_engine
from tests.faultserver import FaultServer

pytestmark = pytest.mark.flow

ARTICLES = 20  # two listing pages of 16
FAULTS = {
    "/fault/503-once": None,  # recovers on retry
    "/fault/429-once": None,  # recovers after Retry-After
    "/fault/windows-1252": None,
    "/fault/hang": "timeout",
    "/fault/big": "body larger than",
    "/fault/pdf": "content-type application/pdf skipped",
    "/fault/redirect-away": "host not allowed",
    "/private/secret-page": "robots.txt disallows",
}
TABLES = (
    "pages",
    "page_versions",
    "articles",
    "figures",
    "operations",
    "operation_figures",
    "metric_values",
    "fetch_failures",
)


def rows(url: str) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    with get_engine(url).connect() as conn:
        return {
            t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY id"))]
            for t in TABLES
        }


@pytest.fixture
def fast_http(monkeypatch):  # type: ignore[no-untyped-def]
    """Short timeouts and few attempts, so the hanging page fails in about two seconds."""
    monkeypatch.setenv("OPTALLY_READ_TIMEOUT", "1")
    monkeypatch.setenv("OPTALLY_CONNECT_TIMEOUT", "1")
    monkeypatch.setenv("OPTALLY_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("OPTALLY_BACKOFF_BASE", "0.1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("prefect_harness", "fast_http")
def test_hostile_site_run_completes_and_second_run_is_conditional(
    sqlite_url, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from flows.etl import etl

    with FaultServer(articles=ARTICLES, hang_seconds=3) as server:
        host = f"127.0.0.1:{server.port}"
        sources = tmp_path / "sources.yaml"
        sources.write_text(
            yaml.safe_dump(
                {
                    "sources": [
                        {
                            "name": "nca-mirror",
                            "kind": "listing",
                            "profile": "nca",
                            "start_url": server.url("/news"),
                            "allowed_hosts": [host],
                            "rate_limit": 0,
                            "allow_private_hosts": True,
                        },
                        {
                            "name": "odd-pages",
                            "kind": "urls",
                            "profile": "generic",
                            "start_url": server.url("/fault/pdf"),
                            "urls": [server.url(p) for p in FAULTS],
                            "allowed_hosts": [host],
                            "rate_limit": 0,
                            "allow_private_hosts": True,
                        },
                    ]
                }
            )
        )
        first = etl(sources_file=str(sources), db_url=sqlite_url)

        # Every ordinary article and the three recoverable pages are loaded; five failures recorded.
        assert first["fetched"] == ARTICLES + 3
        failures = {f["url"].split(str(server.port))[1]: f["reason"] for f in first["failures"]}
        assert {p for p, r in FAULTS.items() if r} == set(failures)
        for path, reason in FAULTS.items():
            if reason:
                assert reason in failures[path], (path, failures[path])
        assert "/private/secret-page" not in server.paths()  # robots.txt obeyed: never requested
        assert not [
            r for r in server.requests if r.host.startswith("localhost")
        ]  # redirect refused
        with get_engine(sqlite_url).connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM articles")).scalar_one() == ARTICLES + 3
            recorded = dict(conn.execute(text("SELECT url, reason FROM fetch_failures")).all())
        assert {u.split(str(server.port))[1] for u in recorded} == set(failures)
        with get_engine(sqlite_url).connect() as conn:
            body = conn.execute(
                text("SELECT body FROM articles WHERE url LIKE '%windows-1252%'")
            ).scalar_one()
        assert "£" in body and "\ufffd" not in body  # decoded as windows-1252, not mangled

        # Second run, a full sweep: conditional requests, nothing re-extracted, no row changed
        # (failures retried). An ordinary run would ask for none of the old articles again.
        before = rows(sqlite_url)
        server.reset()
        second = etl(sources_file=str(sources), db_url=sqlite_url, full_sweep=True)
        assert (second["fetched"], second["extracted"]) == (0, 0)
        assert second["not_modified"] == ARTICLES
        conditional = [r for r in server.requests if r.path.startswith("/news/")]
        assert len(conditional) == ARTICLES and all(
            "if-none-match" in r.headers for r in conditional
        )
        after = rows(sqlite_url)
        assert {t: v for t, v in after.items() if t != "fetch_failures"} == {
            t: v for t, v in before.items() if t != "fetch_failures"
        }
        # The failed pages were tried again and are still recorded, now with two failures each.
        with get_engine(sqlite_url).connect() as conn:
            counts = {r[0] for r in conn.execute(text("SELECT failures FROM fetch_failures"))}
        assert counts == {2}
