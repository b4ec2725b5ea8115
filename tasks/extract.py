"""The extract stage's rules. Pure: no I/O.

``extract_page``: page -> Extraction (the article rules, then the figure rules).
``with_listing_date``, ``keeps`` and ``outside_dates``: what the stage does with a page's
extraction for its source and run (a date from the listing, the source's keywords, the
run's --since/--until for URL lists).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from domain.records import Extraction
from tasks.article import parse_article
from tasks.figures import extract_figures


def extract_page(
    html: str | bytes, url: str | None = None, profile: str | None = None
) -> Extraction:
    article = parse_article(html, url=url, profile=profile)
    result = extract_figures(
        article.body,
        article.title,
        publisher=article.publisher,
        url=article.url or url,
        published=article.published,
    )
    return Extraction(article=article, result=result)


def with_listing_date(ex: Extraction, listed: date | None) -> Extraction:
    """Some releases carry no date of their own; the listing that linked them does."""
    if ex.article.published is not None or listed is None:
        return ex
    return replace(ex, article=replace(ex.article, published=listed))


def keeps(source: Any, ex: Extraction) -> bool:
    """Whether the page is on topic for its source: its title or tags match the source's
    keywords (a source without keywords keeps everything; so does a page whose source is
    no longer configured: ``source`` None)."""
    return source.keeps(ex.article.title, ex.article.tags) if source is not None else True


def outside_dates(source: Any, ex: Extraction, dates: tuple[date | None, date | None]) -> bool:
    """A page of a URL list (which discovery cannot filter by date: it lists no dates)
    whose own date is before ``since`` or after ``until``. An undated page is kept:
    nothing rules it out."""
    since, until = dates
    published = ex.article.published
    if source is None or source.kind != "urls" or published is None:
        return False
    return bool((since and published < since) or (until and published > until))
