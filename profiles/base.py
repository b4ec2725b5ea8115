"""What a source profile is: the contract each module under profiles/ fills in.

A profile is one kind of source site (a CMS, a publisher): how to recognise its pages, which
URLs are its articles, how to read its listing pages, the page rules that read its article
markup before the generic rules (tasks/article/rules.py) fill in the rest, and the rule that
makes two of its URLs one page. Everything but ``name`` and ``official`` is optional.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from tasks.article.index import _Index
    from tasks.article.rules import _Fields
    from tasks.discover import Link

# (listing page text, its URL) -> (article links, the next listing page or None)
ListingParser = Callable[[str | bytes, str], tuple[list["Link"], str | None]]
# (the page's index, the fields found so far, the page's URL) -> None; fills ``fields``
PageRules = Callable[["_Index", "_Fields", str | None], None]
# The rendered body's blocks of lines -> the publication date they show, if any
BodyDate = Callable[[list[list[str]]], date | None]
# A URL path -> the path that names the same page (domain/urls.py page_key)
PathRule = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Profile:
    name: str  # the value of ``profile`` in the sources file
    # Its pages are the agency's own word: a source's ``official`` default (config/sources.py).
    official: bool
    # Recognising a page: by host first (``subdomains``: www.<host> and the like too), then,
    # for mirrors and test servers, by markup: every one of ``markup`` must occur.
    hosts: tuple[str, ...] = ()
    subdomains: bool = True
    markup: tuple[re.Pattern[str], ...] = ()
    # Matched against the URL path (never the host), so a mirror matches as the live site;
    # None: every URL on a source's allowed hosts is an article.
    article_pattern: str | None = None
    listing: ListingParser | None = None  # None: the generic listing parser
    page_rules: PageRules | None = None
    body_date: BodyDate | None = None  # the last resort for the date, after the generic rules
    # What page_rules read, so the index collects it and the trim keeps it: selectors
    # (compound CSS, tasks/article/match.py), of which body containers, <meta> keys, and a
    # word an inline script must hold to be kept.
    selectors: tuple[str, ...] = ()
    body_selectors: tuple[str, ...] = ()
    meta_keys: tuple[str, ...] = ()
    script_marker: str | None = None
    page_path: PathRule | None = None

    def owns_host(self, host: str) -> bool:
        """Whether a page on ``host`` (lower case, as host_of gives it) is this profile's."""
        if not self.subdomains:
            return host in self.hosts
        return bool(host) and any(host == d or host.endswith("." + d) for d in self.hosts)

    def owns_markup(self, text: str) -> bool:
        """Whether the page's markup carries every one of this profile's signatures."""
        return bool(self.markup) and all(regex.search(text) for regex in self.markup)


def host_of(url: str | None) -> str:
    """The URL's host, lower case and without a trailing dot; "" when it has none."""
    if not url:
        return ""
    try:
        return (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
