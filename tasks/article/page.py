"""parse_article: page in, Article out. The order of the steps, and nothing else.

Decode (charset.py), trim (trim.py), parse and index (index.py), the profile's page rules
(profiles/<name>.py), the generic rules (rules.py), post-processing (postprocess.py).
"""

from __future__ import annotations

import logging

import profiles
from domain.records import Article
from tasks.article.charset import decode_html
from tasks.article.index import _build_index, _Index, _soup
from tasks.article.jsonld import _read_jsonld
from tasks.article.postprocess import _drop_leading_title, _plain_title, _postprocess
from tasks.article.rules import _apply_generic, _Fields
from tasks.article.text import _SURROGATE_RE, _dedupe
from tasks.article.title import _cap_title
from tasks.article.trim import _trim, _Trimmed
from tasks.gc_pause import gc_paused

log = logging.getLogger(__name__)

MAX_TAGS = 250_000  # "<" characters read per page: see _cap_tags


def parse_article(html: str | bytes, url: str | None = None, profile: str | None = None) -> Article:
    """Read the article a page holds. Never raises; linear in the page size.

    ``profile`` forces a source's rules (one of ``profiles.names()``); by default it comes
    from ``profiles.detect``. ``method`` on the result names the rule that found the body.
    """
    try:
        with gc_paused():
            return _parse(html, url, profile)
    except Exception:  # the contract is "never raises": a bad page must not stop a flow
        log.warning("parse_article failed for %s", url, exc_info=True)
        return _empty(url)


def _empty(url: str | None) -> Article:
    return Article(url=url, title=None, published=None, publisher=None, body="", method="empty")


def _parse(html: str | bytes, url: str | None, profile: str | None, trim: bool = True) -> Article:
    if html is None:
        return _empty(url)
    if isinstance(html, (bytes, bytearray, memoryview)):
        text = decode_html(bytes(html))
    else:
        text = str(html)
    if not text or text.isspace():  # as "not text.strip()", without copying the page
        return _empty(url)
    # lxml refuses lone surrogates, so a trimmed page has none; the whole-page parse
    # replaces them (scanning a page for them costs more than the trim saves).
    trimmed = _trim(_cap_tags(text)) if trim else None
    if trimmed is not None:
        article = _read_trimmed(trimmed, text, url, profile)
        if article is not None:
            return article
    text = _SURROGATE_RE.sub("\ufffd", text)
    return _read_page(_build_index(_soup(_cap_tags(text))), text, url, profile)


def _read_trimmed(
    trimmed: _Trimmed, text: str, url: str | None, profile: str | None
) -> Article | None:
    """The article from a trimmed page, or None when only the whole page can tell."""
    soup = _soup(trimmed.markup)
    try:
        return _read_page(_build_index(soup, trimmed.cut_chars), text, url, profile)
    except Exception as exc:  # _Inexact, or anything else: the whole page decides
        log.debug("trimmed parse of %s fell back to the whole page: %r", url, exc)
    # The collector is paused (gc_paused) and a bs4 tree is all reference cycles: free
    # it now rather than hold two trees while the whole page is parsed.
    soup.decompose()
    return None


def _read_page(idx: _Index, text: str, url: str | None, profile: str | None) -> Article:
    page_url = url or idx.canonical_url()
    if profile not in profiles.names():
        profile = profiles.detect(page_url, text)
    source = profiles.get(profile)
    ld = _read_jsonld(idx)
    f = _Fields()
    if source.page_rules is not None:
        source.page_rules(idx, f, page_url)
    _apply_generic(idx, ld, f, page_url)

    blocks, wix, leading_date = _postprocess(f.blocks or [])
    if wix:
        f.method = "wix"
    if f.published is None:
        f.published = leading_date
    if f.published is None and source.body_date is not None:
        f.published = source.body_date(blocks)
    if f.title is None:
        f.title = _plain_title(blocks)
    blocks = _drop_leading_title(blocks, f.title)
    body = "\n\n".join("\n".join(lines) for lines in blocks)
    if not body:
        f.method = "empty"
    return Article(
        url=page_url,
        title=_cap_title(f.title),
        published=f.published,
        publisher=f.publisher or None,
        body=body,
        tags=tuple(_dedupe(f.tags)),
        method=f.method or "empty",
    )


def _cap_tags(text: str) -> str:
    """The page up to its MAX_TAGS-th "<".

    bs4 spends about 13 µs and 0.45 KB on every element it builds, so the number of tags,
    not of bytes, bounds a parse: 10 MB of "<br>" is 2.6 million elements, 35 s and 1.2 GB
    (tests/test_reliability_fuzz.py). Real articles hold a few thousand tags and the
    heavy 10 MB page of tests/test_article.py about 100,000; a page with more is broken or
    hostile, and its first MAX_TAGS tags are all that is read.
    """
    if text.count("<") <= MAX_TAGS:
        return text
    cut = -1
    for _ in range(MAX_TAGS):  # str.find runs in C: ~40 ms for the whole cap
        cut = text.find("<", cut + 1)
    return text[:cut]
