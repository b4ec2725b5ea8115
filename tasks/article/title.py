"""Titles: the site-name suffix of a <title> or og:title, and the length cap."""

from __future__ import annotations

import re

from profiles.base import host_of
from tasks.article.index import _Index
from tasks.article.jsonld import _LdInfo
from tasks.article.selectors import META_PUBLISHER_KEYS
from tasks.article.text import _clean_title

# Known site names, stripped from "<headline> - BBC News" style <title> fallbacks.
KNOWN_SITE_NAMES: tuple[str, ...] = (
    "National Crime Agency",
    "NCA",
    "BBC News",
    "BBC",
    "GOV.UK",
    "Europol",
    "The Guardian",
    "Guardian",
    "Mirror",
    "Mirror Online",
    "Daily Star",
    "Express.co.uk",
    "The Independent",
    "Evening Standard",
    "The Sun",
    "Sky News",
    "ITV News",
)
# "Headline | Site" -> "Headline". Pipes almost never occur inside headlines, dashes do,
# so a dash suffix is stripped only when it names the site.
TITLE_PIPE_SUFFIX_RE = re.compile(r"^(.+?\S)\s+[|]\s+(\S.{0,79})$")
TITLE_DASH_SUFFIX_RE = re.compile(r"^(.+\S)\s+[-–—:]\s+(\S.{0,79})$")
MAX_TITLE_CHARS = 1000


def _site_names(idx: _Index, ld: _LdInfo, url: str | None) -> list[str]:
    names = [*KNOWN_SITE_NAMES]
    for extra in (ld.publisher, *(idx.meta(k) for k in META_PUBLISHER_KEYS)):
        if extra:
            names.append(extra)
    host = host_of(url)
    if host:
        names.append(host)
    return names


def _strip_site_suffix(title: str | None, site_names: list[str]) -> str | None:
    title = _clean_title(title)
    if not title:
        return None
    m = TITLE_PIPE_SUFFIX_RE.match(title)
    if m and len(m.group(2).split()) <= 8:
        return m.group(1)
    m = TITLE_DASH_SUFFIX_RE.match(title)
    if m and _names_site(m.group(2), site_names):
        return m.group(1)
    return title


def _names_site(suffix: str, site_names: list[str]) -> bool:
    s = suffix.casefold().strip()
    squashed = re.sub(r"[^a-z0-9]", "", s)
    for name in site_names:
        n = name.casefold().strip()
        if s == n:
            return True
        if "." in n and squashed and squashed in re.sub(r"[^a-z0-9]", "", n):
            return True  # "Reading Caribbean Express News" in readingcaribbeanexpressnews.com
    return False


def _cap_title(title: str | None) -> str | None:
    if title and len(title) > MAX_TITLE_CHARS:
        return title[:MAX_TITLE_CHARS].rstrip()
    return title
