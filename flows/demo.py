"""`optally demo`: serve the bundled sample site on 127.0.0.1 and run the real flow against it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml

from flows.sample_site import SampleSite

# The news pages are not linked from the NCA-shaped listing: they come in as a URL list,
# the way a journalist adds stories by hand.
NEWS_PATHS = ("/local-news/",)


def demo_sources(base_url: str, news_urls: list[str]) -> dict:
    host = base_url.split("//", 1)[1].split(":", 1)[0]
    return {
        "sources": [
            {
                "name": "nca-demo",
                "kind": "listing",
                "profile": "nca",
                "start_url": f"{base_url}/news",
                "allowed_hosts": [host],
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
                "allowed_hosts": [host],
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


def run_demo(db_url: str | None, port: int = 0) -> None:
    from flows.etl import etl

    with SampleSite(port=port) as site, tempfile.TemporaryDirectory(prefix="optally-demo-") as tmp:
        sources_file = write_demo_sources(site, Path(tmp))
        etl(sources_file=str(sources_file), db_url=db_url)
