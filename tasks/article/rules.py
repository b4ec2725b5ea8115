"""The generic rules: what every page gets after its profile's own rules.

JSON-LD, OpenGraph/meta, microdata, <h1> and <title>, then the known body containers and
the densest text, each filling only what the profile's rules (profiles/<name>.py) left
empty. The generic profile has no rules of its own: these are its rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bs4 import Tag

from tasks.article.body import _html_body, _text_or_html_blocks
from tasks.article.dates import _parse_date_value
from tasks.article.index import _Index
from tasks.article.jsonld import LD_BODY_MIN_CHARS, _LdInfo
from tasks.article.selectors import (
    META_DATE_KEYS,
    META_PUBLISHER_KEYS,
    META_TAG_KEYS,
    META_TITLE_KEYS,
    MICRODATA_DATE_SELECTOR,
    MICRODATA_HEADLINE_SELECTOR,
    TIME_SELECTOR,
)
from tasks.article.text import _attr_str, _chars, _clean_inline, _clean_title, _first
from tasks.article.title import _site_names, _strip_site_suffix


@dataclass(slots=True)
class _Fields:
    """What the rules have found so far; each rule fills only what is still empty."""

    title: str | None = None
    published: date | None = None
    publisher: str | None = None
    blocks: list[list[str]] | None = None
    method: str = ""
    tags: list[str] = field(default_factory=list)


def _apply_generic(idx: _Index, ld: _LdInfo, f: _Fields, url: str | None) -> None:
    site_names = _site_names(idx, ld, url)
    # An article node is trusted first; a bare WebPage node only after everything else.
    ld_first = None if ld.fallback else ld
    ld_last = ld if ld.fallback else None
    if f.title is None:
        f.title = (
            (ld_first and _clean_title(ld_first.headline))
            or _first(_strip_site_suffix(idx.meta(k), site_names) for k in META_TITLE_KEYS)
            or _first(_element_text(fr.tag) for fr in idx.live(MICRODATA_HEADLINE_SELECTOR))
            or _first(_clean_title(tag.get_text(" ")) for tag in idx.h1_candidates())
            or _strip_site_suffix(idx.title_text, site_names)
            or (ld_last and _clean_title(ld_last.headline))
            or None
        )
    if f.published is None:
        f.published = (
            (ld_first and ld_first.published)
            or _first(_parse_date_value(idx.meta(k)) for k in META_DATE_KEYS)
            or _first(_element_date(fr.tag) for fr in idx.live(MICRODATA_DATE_SELECTOR))
            or _first(_element_date(fr.tag) for fr in idx.live(TIME_SELECTOR))
            or (ld_last and ld_last.published)
            or None
        )
    if not f.publisher:
        f.publisher = (
            (ld_first and ld_first.publisher)
            or _first(idx.meta(k) for k in META_PUBLISHER_KEYS)
            or (ld_last and ld_last.publisher)
            or None
        )
    if not f.tags:
        # The Guardian packs every tag into one comma-separated article:tag.
        meta_tags = [t for k in META_TAG_KEYS for v in idx.meta_values(k) for t in v.split(",")]
        f.tags = [*ld.keywords, *meta_tags]
    if f.blocks is None:
        ld_blocks = _text_or_html_blocks(ld.body) if ld.body else []
        if ld_blocks and _chars(ld_blocks) >= LD_BODY_MIN_CHARS:
            f.blocks, f.method = ld_blocks, "jsonld"
            return
        blocks, method = _html_body(idx)
        if not blocks and ld_blocks:
            blocks, method = ld_blocks, "jsonld"
        f.blocks, f.method = blocks, method


def _element_text(tag: Tag) -> str | None:
    if tag.name == "meta":
        return _clean_title(_attr_str(tag.get("content")))
    return _clean_title(tag.get_text(" "))


def _element_date(tag: Tag) -> date | None:
    for attr in ("datetime", "content"):
        value = tag.get(attr)
        if value:
            found = _parse_date_value(_attr_str(value))
            if found:
                return found
    return _parse_date_value(_clean_inline(tag.get_text(" "))[:200])
