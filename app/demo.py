"""`optally demo`: serve the bundled sample site on 127.0.0.1 and run the real flow against it."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from app.sample_server import SampleSite

log = logging.getLogger(__name__)

# The news pages are not linked from the NCA-shaped listing: they come in as a URL list,
# the way a journalist adds stories by hand.
NEWS_PATHS = ("/local-news/",)

# One page, one row (domain/urls.py): the bundled pages declare canonical URLs on this
# origin, which the demo's sources allow, so a page is the same row whatever port the
# site is served on. Reserved for testing (RFC 6761): nothing ever fetches it.
SAMPLE_ORIGIN = "https://sample.optally.test"
SAMPLE_HOST = "sample.optally.test"
# The site is served here, so the sources (start_url) and each page's fetched_url are the
# same run after run too; when it is taken, on the next free one of these, then any.
DEMO_PORT = 8765
DEMO_PORT_TRIES = 10
DEMO_SOURCES = {"nca-demo": "nca", "news-demo": "generic"}  # name -> profile


def demo_sources(base_url: str, news_urls: list[str]) -> dict:
    host = base_url.split("//", 1)[1].split(":", 1)[0]
    return {
        "sources": [
            {
                "name": "nca-demo",
                "kind": "listing",
                "profile": "nca",
                "start_url": f"{base_url}/news",
                "allowed_hosts": [host, SAMPLE_HOST],
                "rate_limit": 0,
                "allow_private_hosts": True,
                "keywords": [
                    "trafficking",
                    "slavery",
                    "county lines",
                    "exploitation",
                    "intensification",
                    "week of action",
                    "smuggling",
                ],
            },
            {
                "name": "news-demo",
                "kind": "urls",
                "profile": "generic",
                "start_url": news_urls[0],
                "urls": news_urls,
                "allowed_hosts": [host, SAMPLE_HOST],
                "rate_limit": 0,
                "allow_private_hosts": True,
                "official": False,
            },
        ]
    }


def write_demo_sources(site: SampleSite, directory: Path) -> Path:
    news = sorted(
        site.base_url + path
        for (path, query) in site.routes
        if path.startswith(NEWS_PATHS) and not query
    )
    path = directory / "sources.yaml"
    path.write_text(
        yaml.safe_dump(demo_sources(site.base_url, news), sort_keys=False), encoding="utf-8"
    )
    return path


def serve_sample_site(port: int | None = None) -> SampleSite:
    """The sample site on ``port``; by default on DEMO_PORT, else the next free of
    DEMO_PORT_TRIES ports, else any free one (said in a warning)."""
    if port is not None:
        return SampleSite(port=port)
    for candidate in range(DEMO_PORT, DEMO_PORT + DEMO_PORT_TRIES):
        try:
            site = SampleSite(port=candidate)
        except OSError:  # taken
            continue
        if candidate != DEMO_PORT:
            log.warning("port %d is taken: serving the sample site on %d", DEMO_PORT, candidate)
        return site
    site = SampleSite(port=0)
    log.warning(
        "ports %d-%d are taken: serving the sample site on %s",
        DEMO_PORT,
        DEMO_PORT + DEMO_PORT_TRIES - 1,
        site.base_url,
    )
    return site


def adopt_earlier_demo_pages(db_url: str | None) -> int:
    """Pages an earlier demo (before migration 0003) stored under the random port it was
    served on are the bundled pages: each gets the identity it has now (on SAMPLE_ORIGIN)
    and the copies merge into one row (db/identity.py). Returns the copies merged away."""
    from sqlalchemy import select

    from db import models as m
    from db.engine import get_engine
    from db.identity import rekey
    from domain.urls import page_key

    pages, sources = m.Page.__table__, m.Source.__table__
    with get_engine(db_url).begin() as conn:
        rows = conn.execute(
            select(pages.c.id, pages.c.url, sources.c.name)
            .join(sources, sources.c.id == pages.c.source_id)
            .where(sources.c.name.in_(sorted(DEMO_SOURCES)))
        ).all()
        wanted = {
            r.id: page_key(SAMPLE_ORIGIN + urlsplit(r.url).path, DEMO_SOURCES[r.name])
            for r in rows
            if urlsplit(r.url).hostname == "127.0.0.1"
        }
        return rekey(conn, wanted) if wanted else 0


def run_demo(db_url: str | None, port: int | None = None) -> None:
    from flows.etl import etl

    adopt_earlier_demo_pages(db_url)
    with (
        serve_sample_site(port) as site,
        tempfile.TemporaryDirectory(prefix="optally-demo-") as tmp,
    ):
        sources_file = write_demo_sources(site, Path(tmp))
        etl(sources_file=str(sources_file), db_url=db_url)
