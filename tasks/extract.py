"""Page -> Extraction: the article rules, then the figure rules. Pure: no I/O."""

from __future__ import annotations

from tasks.article import parse_article
from tasks.figures import extract_figures
from tasks.records import Extraction


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
