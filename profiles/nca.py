"""The National Crime Agency (Joomla 3): its news listing, article pages and URLs.

Evidence for every selector and pattern: docs/SOURCES.md, "National Crime Agency".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from bs4 import Tag

from profiles.base import Profile, host_of
from profiles.generic import listing_soup, node_text
from tasks.article.body import _require_whole
from tasks.article.dates import _nca_date_match, _search_date
from tasks.article.index import _IN_HARD, _Index
from tasks.article.related import _related_skips
from tasks.article.render import _render
from tasks.article.rules import _element_date, _Fields
from tasks.article.selectors import META_PUBLISHER_KEYS
from tasks.article.text import _clean_inline, _clean_title, _first
from tasks.dates import find_date
from tasks.discover import Link, _clean, _href_url, next_page_url
from tasks.gc_pause import gc_paused

NCA_HOSTS: tuple[str, ...] = ("nationalcrimeagency.gov.uk",)

# Markup signatures, for mirrors and test servers on other hosts. Attribute runs are
# bounded ({0,500}) so that a page of unclosed "<h1" cannot make the scan quadratic.
# The headline must be exactly "headline": Reach's old microdata uses "headline name"
# with the same articleBody div and must stay generic.
NCA_MARKUP_HEADLINE_RE = re.compile(
    r"""<h1\b[^>]{0,500}?\bitemprop\s*=\s*(?:"headline"|'headline'|headline(?=[\s/>]))""", re.I
)
NCA_MARKUP_BODY_RE = re.compile(
    r"""<div\b[^>]{0,500}?\bitemprop\s*=\s*(?:"articleBody"|'articleBody'|articleBody(?=[\s/>]))""",
    re.I,
)

# Current /news/<slug> and old /news/<id>-<slug>, matched against the URL path.
ARTICLE_PATTERN = r"^/news/(?:(\d+)-)?([a-z0-9-]+)/?$"

# Joomla's old URLs carry the article id before the alias: /news/1357-<alias>. An id is
# three or more digits followed by a word (NCA ids run in the thousands; a shorter leading
# number, or one followed by another number, is the headline's own: "38-arrested-...",
# "2023-24-annual-report").
NCA_ID_PREFIX = re.compile(r"^(/news/)\d{3,}-(?=[a-z])")

# Article pages.
NCA_PUBLISHER = "National Crime Agency"
NCA_TITLE_SELECTOR = "h1[itemprop=headline]"
NCA_BODY_SELECTOR = "div[itemprop=articleBody]"
NCA_TAG_SELECTOR = "li[itemprop~=keywords] a"
# Stock Joomla date markup; not evidenced on NCA, so only a fallback after the bold line.
NCA_DATE_SELECTOR = "time[itemprop~=datePublished], dd.published time"
# How far into the body the last-resort date search looks (old 2018 template puts the
# date right under the title).
NCA_DATE_SEARCH_CHARS = 400

# The news listing: the Joomla 3 blog layout OpenSanctions scrapes.
NCA_LINK_SELECTOR = "div.blog.news-page > div.row-fluid div.page-header a[href]"
NCA_BLOG_SELECTOR = "div.blog.news-page"
NCA_FALLBACK_SELECTOR = "main a[href*='/news/']"  # third-party fetch_nca(): text >= 15 chars
NCA_FALLBACK_MIN_TEXT = 15


def page_path(path: str) -> str:
    """/news/1357-dozens-of-victims and /news/dozens-of-victims are one page."""
    return NCA_ID_PREFIX.sub(r"\1", path, count=1)


def read_page(idx: _Index, f: _Fields, url: str | None) -> None:
    """Title, tags, body and the bold date line of an NCA release; the publisher."""
    for fr in idx.matches[NCA_TITLE_SELECTOR]:
        f.title = _clean_title(fr.tag.get_text())
        if f.title:
            break
    f.tags = [t for fr in idx.matches[NCA_TAG_SELECTOR] if (t := _clean_inline(fr.tag.get_text()))]
    bodies = [fr for fr in idx.matches[NCA_BODY_SELECTOR] if not (fr.ctx & _IN_HARD)]
    _require_whole(idx, bodies)
    if bodies:
        best = max(bodies, key=lambda fr: fr.text)  # OpenSanctions asserts exactly one
        body = best.tag
        f.published, skip = _nca_date_paragraph(body)
        blocks = _render([body], idx.dropped | skip | _related_skips(idx, [body], best.text))
        if blocks:
            f.blocks, f.method = blocks, "nca"
    if f.published is None:
        for fr in idx.matches[NCA_DATE_SELECTOR]:
            f.published = _element_date(fr.tag)
            if f.published:
                break
    other = _first(idx.meta(k) for k in META_PUBLISHER_KEYS)
    # A mirror may name itself; the NCA's own pages carry no site-name metadata.
    f.publisher = NCA_PUBLISHER if PROFILE.owns_host(host_of(url)) or not other else other


def _nca_date_paragraph(body: Tag) -> tuple[date | None, set[int]]:
    """The date in the last bold paragraph, and the elements to drop from the body."""
    paragraphs = _descendant_tags(body, ("p",))
    for p in reversed(paragraphs):
        strongs = _descendant_tags(p, ("strong", "b"))
        if strongs:
            break
    else:
        return None, set()
    # A date-shaped line that is no real date ("31 February 2025") is still the date
    # line: it goes from the body, and the date stays unknown.
    shaped, found = _nca_date_match(_clean_inline(p.get_text(" ")))
    if shaped:
        return found, {id(p)}
    shaped, found = _nca_date_match(_clean_inline(strongs[-1].get_text(" ")))
    if shaped:
        return found, {id(strongs[-1])}
    shaped, found = _nca_date_match(_clean_inline(" ".join(s.get_text(" ") for s in strongs)))
    if shaped:
        return found, {id(s) for s in strongs}
    return None, set()  # e.g. a bold quote attribution: not a date, keep it


def _descendant_tags(tag: Tag, names: tuple[str, ...]) -> list[Tag]:
    """tag.find_all(names), without bs4 building a filter for every call."""
    return [d for d in tag.descendants if isinstance(d, Tag) and d.name in names]


def body_date(blocks: list[list[str]]) -> date | None:
    """A date near the top of the body: the old 2018 template's place for it."""
    return _search_date(blocks, NCA_DATE_SEARCH_CHARS)


@gc_paused()
def parse_nca_listing(html: str | bytes, base_url: str) -> tuple[list[Link], str | None]:
    """Article links and the next page from one NCA news listing page.

    Links: ``div.blog.news-page > div.row-fluid div.page-header a[href]`` (the Joomla 3
    blog layout OpenSanctions scrapes), falling back to ``main a[href*='/news/']`` with
    at least 15 characters of text. The date is the "09 June 2026" text in the item's
    block (the listing has no <time> element). Next page: the "Go to next > page"
    link, else rel=next, else the smallest ``?start=N`` offset above the current one.
    """
    soup = listing_soup(html)
    anchors = soup.select(NCA_LINK_SELECTOR)
    blog = soup.select_one(NCA_BLOG_SELECTOR)
    if not anchors:
        anchors = [
            a
            for a in soup.select(NCA_FALLBACK_SELECTOR)
            if len(node_text(a)) >= NCA_FALLBACK_MIN_TEXT
        ]
        blog = None
    counts = _listing_links_below(anchors, stop=blog)

    links: list[Link] = []
    seen: set[str] = set()
    for a in anchors:
        url = _href_url(a.get("href"), base_url)  # type: ignore[arg-type]
        if url is None or url in seen:
            continue
        seen.add(url)
        title = _clean(node_text(a))
        block = _item_block(a, counts, stop=blog)
        block_text = node_text(block)
        if title:
            # A date inside the headline is not the item's date.
            block_text = block_text.replace(title, " ", 1)
        links.append(Link(url=url, title=title, published=find_date(block_text)))
    return links, next_page_url(soup, base_url)


def _block_ancestors(a: Tag, stop: Tag | None) -> Iterator[Tag]:
    """The ancestors of ``a`` an item's block may grow into: up to ``stop``, main or body."""
    parent = a.parent
    while isinstance(parent, Tag) and parent is not stop and parent.name not in ("main", "body"):
        yield parent
        parent = parent.parent


def _listing_links_below(anchors: list[Tag], stop: Tag | None) -> dict[int, int]:
    """How many of the listing's links each of their ancestors holds (by ``id``).

    One walk up from each link: linear in links x depth. Searching each ancestor for the
    other links instead was quadratic: 4,000 items in one container took minutes.
    """
    counts: dict[int, int] = {}
    for a in {id(x): x for x in anchors}.values():
        # Past main and body too (a <main> may sit inside an item): every ancestor a block
        # may grow into then counts every listing link below it.
        parent = a.parent
        while isinstance(parent, Tag) and parent is not stop:
            counts[id(parent)] = counts.get(id(parent), 0) + 1
            parent = parent.parent
    return counts


def _item_block(a: Tag, counts: dict[int, int], stop: Tag | None) -> Tag:
    """The largest ancestor of ``a`` that holds no other listing link: the item's block."""
    block: Tag = a
    for parent in _block_ancestors(a, stop):
        if counts.get(id(parent), 0) > 1:
            break
        block = parent
    return block


PROFILE = Profile(
    name="nca",
    official=True,
    hosts=NCA_HOSTS,
    markup=(NCA_MARKUP_HEADLINE_RE, NCA_MARKUP_BODY_RE),
    article_pattern=ARTICLE_PATTERN,
    listing=parse_nca_listing,
    page_rules=read_page,
    body_date=body_date,
    selectors=(NCA_TITLE_SELECTOR, NCA_BODY_SELECTOR, NCA_TAG_SELECTOR, NCA_DATE_SELECTOR),
    body_selectors=(NCA_BODY_SELECTOR,),
    page_path=page_path,
)
