"""The extract stage's rules. Pure: no I/O.

``extract_page``: page -> Extraction (the article rules, then the figure rules).
``with_listing_date``, ``within_capture``, ``keeps`` and ``outside_dates``: what the stage
does with a page's extraction for its source and run (a date from the listing, a web
archive's capture date as the latest publication date, the source's keywords, the run's
--since/--until for URL lists).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from domain.records import Extraction
from tasks.article import parse_article
from tasks.figures import extract_figures
from tasks.figures.followup import classify_followup


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
    # A follow-up's figures are outcomes of an earlier operation, never headline figures.
    result, followup = classify_followup(article, result)
    return Extraction(article=article, result=result, followup=followup)


def with_listing_date(ex: Extraction, listed: date | None) -> Extraction:
    """Some releases carry no date of their own; the listing that linked them does."""
    if ex.article.published is not None or listed is None:
        return ex
    return replace(ex, article=replace(ex.article, published=listed))


# A page's own date may run ahead of a UTC capture date by its time zone, never by more.
CAPTURE_DATE_SLACK = timedelta(days=1)


def within_capture(ex: Extraction, captured: datetime | None) -> Extraction:
    """A web archive's copy (``captured``: when the archive captured it) was published by
    then: the page's date is the publication date only when it is no later. A later one
    is a misreading (a date the text mentions, a date format read the wrong way round), so
    the page is left undated rather than dated from it. An undated page stays undated: the
    capture date is only an upper bound, kept in page_versions.capture_date."""
    published = ex.article.published
    if captured is None or published is None:
        return ex
    if published <= captured.date() + CAPTURE_DATE_SLACK:
        return ex
    return replace(ex, article=replace(ex.article, published=None))


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
