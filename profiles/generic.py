"""The generic profile: any site no other profile claims (news outlets, police forces...).

It has no page rules of its own: the generic rules (tasks/article/rules.py) read every page,
whatever its profile, and are all a generic page gets. Its listing parser takes every link
and leaves the choice to the source's article pattern; the other profiles' listing parsers
build on its helpers.
"""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from profiles.base import Profile
from tasks.discover import Link, _clean, _href_url, next_page_url
from tasks.gc_pause import gc_paused


def listing_soup(html: str | bytes) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def node_text(node: Tag) -> str:
    return " ".join(node.get_text(" ").split())


@gc_paused()
def parse_listing(html: str | bytes, base_url: str) -> tuple[list[Link], str | None]:
    """Every link in ``main`` (else ``body``) and the next page: the generic listing.
    The source's article pattern does the real selection."""
    soup = listing_soup(html)
    root = soup.find("main") or soup.body or soup
    links: list[Link] = []
    seen: set[str] = set()
    for a in root.find_all("a", href=True):  # type: ignore[union-attr]
        url = _href_url(a.get("href"), base_url)
        if url is None or url in seen:
            continue
        seen.add(url)
        links.append(Link(url=url, title=_clean(node_text(a))))
    return links, next_page_url(soup, base_url)


PROFILE = Profile(name="generic", official=False, listing=parse_listing)
