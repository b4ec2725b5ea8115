"""Discovery: which article URLs a source offers.

The parsers are pure (text in, ``Link`` records out) and tolerant: malformed input gives
fewer links, never an exception. ``discover`` is the driver: it fetches a source's
listing pages, feed, sitemaps or search pages through the ``Fetcher``, follows
pagination, and keeps the links that match the source (article pattern, allowed hosts,
dates, keywords), de-duplicated in the order found.

Evidence for the selectors, pagination and APIs of each source: docs/SOURCES.md, "The default
sources" (NCA, Europol, GOV.UK Search API, news feeds and sitemaps).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import zlib
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qs, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup
from lxml import etree

import profiles
from config.sources import Source
from domain.urls import fetch_url, page_key
from tasks.article import decode_html
from tasks.dates import parse_common_date
from tasks.fetch import Accept, Fetcher, FetchResult


@dataclass(frozen=True, slots=True)
class Link:
    """An article URL as a listing, feed, sitemap or search result presents it."""

    url: str
    title: str | None = None
    published: date | None = None
    tags: tuple[str, ...] = ()
    # A sitemap's <lastmod>. Not a publication date, but never earlier than one, so
    # "modified before `since`" safely means "published before `since`".
    modified: date | None = None


@dataclass(slots=True)
class Discovery:
    links: list[Link]
    failures: list[FetchResult]  # fetches that failed; the flow records them per URL
    pages_fetched: int  # documents read: listing pages, feeds, sitemaps, search pages
    stopped: str = "end"  # end | max_pages | max_urls | since | known | failure | loop | empty
    warnings: list[str] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)  # reason -> count


# ---------------------------------------------------------------------------
# Selectors and patterns. A profile's own listing selectors are in its module under
# profiles/ (docs/SOURCES.md, "National Crime Agency", "Europol").

NEXT_LABEL_RE = re.compile(r"^\s*go\s+to\s+next\b", re.IGNORECASE)  # "Go to next > page"
NEXT_SELECTORS = ("a[rel~=next]", "link[rel~=next]", "li.pagination-next a", "li.next a", "a.next")

_TAG_RE = re.compile(r"<[^>]+>")
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit for one uncompressed file
# Feeds and sitemaps are parsed as a stream, this many bytes at a time, so a huge one costs
# the memory of one entry and stops being read as soon as the per-source bound is reached.
_XML_CHUNK_BYTES = 64 * 1024
_DROPPED_EXAMPLES = 3  # listed URLs quoted in the warning about dropped ones
_MAX_WARNINGS = 20  # per source and run, after removing repeats; the rest are counted


# ---------------------------------------------------------------------------
# Small helpers


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text or None


def canonical_url(url: str) -> str:
    """The URL to ask for: without its fragment, tracking parameters (utm_*, at_*, fbclid...)
    and default port, scheme and host in lower case (domain/urls.py fetch_url). Which links
    are one page is ``page_key``'s to say (the collector drops the repeats)."""
    return fetch_url(url)


def _href_url(href: str | None, base_url: str) -> str | None:
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return None
    url = urljoin(base_url, href)
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return canonical_url(url)


# ---------------------------------------------------------------------------
# HTML listings: pagination. Each profile's listing parser is in its module under
# profiles/ (profiles.listing_parser); they share the helpers above and this.


def next_page_url(soup: BeautifulSoup, base_url: str) -> str | None:
    """The next listing page: "Go to next > page" (NCA), rel=next and friends, or the
    smallest ``start=N`` above the current page's offset (Joomla)."""
    current = canonical_url(base_url)
    for a in soup.find_all("a", attrs={"aria-label": True}):
        if NEXT_LABEL_RE.match(str(a.get("aria-label", ""))):
            url = _href_url(a.get("href"), base_url)  # type: ignore[arg-type]
            if url and url != current:
                return url
    for selector in NEXT_SELECTORS:
        for node in soup.select(selector):
            url = _href_url(node.get("href"), base_url)  # type: ignore[arg-type]
            if url and url != current:
                return url
    base_parts = urlsplit(base_url)
    offset = _start_param(base_parts.query) or 0
    best: tuple[int, str] | None = None
    for a in soup.find_all("a", href=True):
        url = _href_url(a.get("href"), base_url)  # type: ignore[arg-type]
        if not url:
            continue
        parts = urlsplit(url)
        if parts.path.rstrip("/") != base_parts.path.rstrip("/"):
            continue
        start = _start_param(parts.query)
        if start is not None and start > offset and (best is None or start < best[0]):
            best = (start, url)
    return best[1] if best else None


def _start_param(query: str) -> int | None:
    values = parse_qs(query).get("start") or parse_qs(query).get("limitstart")
    if not values:
        return None
    try:
        return int(values[0])
    except ValueError:
        return None


# ---------------------------------------------------------------------------
# XML: feeds and sitemaps
#
# One streaming lxml reader (_xml_elements) serves both. It stays hand-written because the
# libraries lose properties the tests hold (measured on this machine, whole-document parse):
# - feedparser 6.0.14 reads the whole document before giving an entry: a 20,000-item feed
#   took 1.1 s where this stream gives the first 100 (a per-source bound) in 4 ms. It dedupes an
#   entry's categories by list membership: the 50,000-category item of
#   tests/test_hostile_discovery.py took 33 s (the test allows 2 s; 0.27 s here). A billion-laughs
#   feed cost it 2.2 s and 59 MB before it fell back to its loose parser (1 ms and 5 KB here).
# - ultimate-sitemap-parser 1.8.1 parses from bytes already fetched only through
#   sitemap_from_str(str), which reads the whole document: the first 5,000 URLs of a
#   1,000,000-URL sitemap took 54 s and 1 GB, against 0.4 s and 5 MB here.


_FEED_ITEMS = frozenset({"item", "entry"})
_SITEMAP_ENTRIES = frozenset({"url", "sitemap"})


def _xml_chunks(xml: bytes | str, problems: list[str]) -> Iterator[bytes]:
    """The document's bytes a chunk at a time, gunzipped on the fly when gzipped.

    A gzipped document is read up to ``_MAX_SITEMAP_BYTES`` uncompressed (the sitemaps.org
    limit; a compression bomb stops there) and up to its first corrupt byte; either adds
    to ``problems``, and what came before is still read.
    """
    # lxml refuses str input that carries an encoding declaration.
    data = _XML_DECL_RE.sub("", xml, count=1).encode("utf-8") if isinstance(xml, str) else xml
    data = data.lstrip()  # an XML declaration after whitespace is an error
    if not data.startswith(b"\x1f\x8b"):
        for start in range(0, len(data), _XML_CHUNK_BYTES):
            yield data[start : start + _XML_CHUNK_BYTES]
        return
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    pos = total = 0
    while not d.eof and (d.unconsumed_tail or pos < len(data)):
        compressed = d.unconsumed_tail
        if not compressed:
            compressed = data[pos : pos + _XML_CHUNK_BYTES]
            pos += _XML_CHUNK_BYTES
        try:
            out = d.decompress(compressed, _XML_CHUNK_BYTES)
        except zlib.error:
            problems.append("not valid gzip")
            return
        total += len(out)
        if total > _MAX_SITEMAP_BYTES:
            problems.append("too large")
            return
        yield out.lstrip() if total == len(out) else out


def _xml_elements(
    xml: bytes | str, names: frozenset[str], problems: list[str]
) -> Iterator[tuple[str, int, etree._Element]]:
    """(root's local name, depth, element) for each element named in ``names``, at its end.

    The document is parsed as a stream: whatever is finished and not inside a wanted
    element is cleared, and a wanted one once the consumer has moved on, so memory holds
    one entry whatever the document's length; a consumer that stops early stops the
    reading. The root is at depth 1.
    """
    # No entity resolution and no network: feeds are untrusted input (XXE).
    parser = etree.XMLPullParser(
        events=("start", "end"),
        recover=True,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
    )
    root = ""
    depth = inside = 0
    for chunk in itertools.chain(_xml_chunks(xml, problems), [None]):
        try:
            if chunk is None:
                parser.close()
            elif chunk:
                parser.feed(chunk)
        except (etree.XMLSyntaxError, ValueError):
            return
        for event, el in parser.read_events():
            name = _local(el)
            if event == "start":
                depth += 1
                root = root or name or "?"
                inside += name in names
                continue
            if name in names:
                inside -= 1
                yield root, depth, el
            depth -= 1
            if not inside:
                _forget(el)


def _forget(el: etree._Element) -> None:
    """Free a finished element and the finished siblings before it (lxml's iterparse idiom)."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def _local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):  # comments, processing instructions
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if _local(c) == name]


def _child_text(el: etree._Element, *names: str) -> str | None:
    for name in names:
        for c in _children(el, name):
            text = _clean("".join(c.itertext()))
            if text:
                return text
    return None


def _unique(links: Iterable[Link]) -> list[Link]:
    """First occurrences only, by URL."""
    seen: set[str] = set()
    out: list[Link] = []
    for link in links:
        if link.url not in seen:
            seen.add(link.url)
            out.append(link)
    return out


def parse_feed(xml: bytes | str, base_url: str) -> list[Link]:
    """Items of an RSS 2.0, RSS 1.0 (RDF) or Atom feed: link, title, date and categories.

    Dates: pubDate / dc:date (RSS), published then updated (Atom). A missing date is
    normal (Europol's RSS has none, docs/SOURCES.md, "Europol") and gives ``published=None``.
    """
    return _unique(iter_feed(xml, base_url, []))


def iter_feed(xml: bytes | str, base_url: str, problems: list[str]) -> Iterator[Link]:
    """parse_feed's items one at a time, read as a stream (repeats included); a gzipped
    feed is gunzipped on the way, and what went wrong with that is added to ``problems``."""
    for root, _depth, item in _xml_elements(xml, _FEED_ITEMS, problems):
        is_atom = root == "feed"
        if _local(item) != ("entry" if is_atom else "item"):
            continue
        url = _atom_link(item, base_url) if is_atom else _rss_link(item, base_url)
        if url is None:
            continue
        title = _child_text(item, "title")
        if title and "<" in title:  # Atom type="html" titles arrive as escaped markup
            title = _clean(_TAG_RE.sub(" ", title))
        if is_atom:
            published = parse_common_date(_child_text(item, "published", "issued", "updated"))
            tags = [c.get("label") or c.get("term") or "" for c in _children(item, "category")]
        else:
            published = parse_common_date(
                _child_text(item, "pubdate", "date", "published", "updated")
            )
            tags = [
                "".join(c.itertext()) or c.get("term") or "" for c in _children(item, "category")
            ]
        yield Link(url=url, title=title, published=published, tags=_tags(tags))


def _tags(values: Iterable[str]) -> tuple[str, ...]:
    # First occurrences in order; a dict, not list membership, so an item with thousands
    # of categories costs linear time.
    return tuple(dict.fromkeys(v for v in map(_clean, values) if v))


def _rss_link(item: etree._Element, base_url: str) -> str | None:
    url = _href_url(_child_text(item, "link"), base_url)
    if url:
        return url
    for guid in _children(item, "guid"):
        if (guid.get("isPermaLink") or "true").lower() != "false":
            url = _href_url(_clean(guid.text), base_url)
            if url:
                return url
    about = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    return _href_url(about, base_url)


def _atom_link(entry: etree._Element, base_url: str) -> str | None:
    best: str | None = None
    for link in _children(entry, "link"):
        rel = (link.get("rel") or "alternate").lower()
        if rel != "alternate":
            continue
        url = _href_url(link.get("href"), base_url)
        if url and (best is None or (link.get("type") or "text/html") == "text/html"):
            best = url
    return best or _href_url(_child_text(entry, "id"), base_url)


def parse_sitemap(xml: bytes | str, base_url: str) -> list[Link]:
    """Page URLs of a ``<urlset>`` sitemap, with Google News fields when present
    (``news:title``, ``news:publication_date``, ``news:keywords`` as tags) and
    ``<lastmod>`` as ``modified``. A sitemap index gives [] here: see parse_sitemap_index.
    """
    return _unique(link for kind, link in iter_sitemap(xml, base_url, []) if kind == "url")


def parse_sitemap_index(xml: bytes | str, base_url: str) -> list[Link]:
    """Child sitemaps of a ``<sitemapindex>`` (``modified`` from ``<lastmod>``); [] for
    anything else."""
    return [link for kind, link in iter_sitemap(xml, base_url, []) if kind == "sitemap"]


def iter_sitemap(
    xml: bytes | str, base_url: str, problems: list[str]
) -> Iterator[tuple[str, Link]]:
    """A sitemap's entries one at a time, read as a stream (repeats included): ("url", page)
    for a ``<urlset>``, ("sitemap", child) for a ``<sitemapindex>``. A gzipped sitemap is
    gunzipped on the way, and what went wrong with that is added to ``problems``."""
    for root, depth, entry in _xml_elements(xml, _SITEMAP_ENTRIES, problems):
        kind = _local(entry)
        if depth != 2 or (root, kind) not in (("urlset", "url"), ("sitemapindex", "sitemap")):
            continue
        url = _href_url(_child_text(entry, "loc"), base_url)
        if url is None:
            continue
        modified = parse_common_date(_child_text(entry, "lastmod"))
        if kind == "sitemap":
            yield kind, Link(url=url, modified=modified)
            continue
        title = published = None
        tags: tuple[str, ...] = ()
        for news in _children(entry, "news"):
            title = _child_text(news, "title")
            published = parse_common_date(_child_text(news, "publication_date"))
            keywords = _child_text(news, "keywords")
            tags = _tags(keywords.split(",")) if keywords else ()
        yield kind, Link(url=url, title=title, published=published, tags=tags, modified=modified)


# ---------------------------------------------------------------------------
# GOV.UK Search API (docs/SOURCES.md, "GOV.UK")


def parse_govuk_search(json_text: str | bytes, base_url: str) -> list[Link]:
    """Results of a GOV.UK ``/api/search.json`` page. ``link`` is a path, resolved
    against the API's origin; ``public_timestamp`` gives the date; organisation titles
    become tags."""
    return _govuk_page(json_text, base_url)[0]


def _govuk_page(json_text: str | bytes, base_url: str) -> tuple[list[Link], int | None]:
    try:
        data = json.loads(json_text)
    except ValueError:
        return [], None
    if not isinstance(data, dict):
        return [], None
    results = data.get("results")
    links: list[Link] = []
    seen: set[str] = set()
    for r in results if isinstance(results, list) else []:
        if not isinstance(r, dict) or not isinstance(r.get("link"), str):
            continue
        url = _href_url(r["link"], base_url)
        if url is None or url in seen:
            continue
        seen.add(url)
        orgs = r.get("organisations")
        tags = _tags(
            o.get("title", "")
            for o in (orgs if isinstance(orgs, list) else [])
            if isinstance(o, dict)
        )
        ts = r.get("public_timestamp")
        links.append(
            Link(
                url=url,
                title=_clean(r.get("title")) if isinstance(r.get("title"), str) else None,
                published=parse_common_date(ts) if isinstance(ts, str) else None,
                tags=tags,
            )
        )
    total = data.get("total")
    return links, total if isinstance(total, int) else None


# ---------------------------------------------------------------------------
# The driver


# Given article URLs, the ones the warehouse has and need not be asked for this run.
Settled = Callable[[list[str]], Collection[str]]


class _Collector:
    """Applies a source's filters to links as they are found, keeping first occurrences,
    up to ``max_urls`` of them: past that it is ``full`` and the run stops reading."""

    def __init__(
        self,
        source: Source,
        since: date | None,
        until: date | None,
        max_urls: int,
        skip: Collection[str] = frozenset(),
        settled: Settled | None = None,
    ) -> None:
        self.source = source
        self.since = since
        self.until = until
        self.max_urls = max_urls
        self.skip = skip
        self.look_up_settled = settled
        self.settled: set[str] = set()  # the URLs looked up so far that are settled
        self.full = False
        self.links: list[Link] = []
        self.seen: set[str] = set()
        self.keys: set[str] = set()  # page_key of each link kept
        self.dropped: dict[str, int] = {}
        self.examples: dict[str, list[str]] = {}  # reason -> the first few URLs dropped

    def _drop(self, reason: str, url: str) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1
        examples = self.examples.setdefault(reason, [])
        if len(examples) < _DROPPED_EXAMPLES:
            examples.append(url)

    def add(self, link: Link) -> None:
        if self.full:
            return
        url = canonical_url(link.url)
        key = page_key(url, self.source.profile)  # one page, one link: domain/urls.py
        if url in self.seen or key in self.keys:
            self._drop("duplicate", url)
            return
        if not self.source.is_article(url):
            self._drop("not an article", url)
            return
        # `modified` (a sitemap's lastmod) is never earlier than publication, so it can
        # rule an item out for `since` but never for `until`.
        known = link.published or link.modified
        if self.since and known and known < self.since:
            self._drop("before since", url)
            return
        if self.until and link.published and link.published > self.until:
            self._drop("after until", url)
            return
        if not self.source.keeps(link.title, link.tags):
            self._drop("keywords", url)
            return
        if url in self.skip:  # its fetch failed run after run: backing off (flows/etl.py)
            self.seen.add(url)
            self._drop("backing off", url)
            return
        if url in self.settled:  # the warehouse has it, older than the re-check window
            self.seen.add(url)
            self._drop("known", url)
            return
        if len(self.links) >= self.max_urls:
            self.full = True
            return
        self.seen.add(url)
        self.keys.add(key)
        self.links.append(link if url == link.url else _replace_url(link, url))

    def look_up(self, links: list[Link]) -> None:
        """Ask once for a whole page of links which of them are settled (db/recheck.py)."""
        if self.look_up_settled is None:
            return
        urls = [
            u
            for u in dict.fromkeys(canonical_url(x.url) for x in links)
            if u not in self.seen and self.source.is_article(u)
        ]
        if urls:
            self.settled.update(self.look_up_settled(urls))

    def mark(self) -> tuple[int, int]:
        """Links kept and links dropped as known so far: compare with ``brought_nothing``."""
        return len(self.links), self.dropped.get("known", 0)

    def brought_nothing(self, mark: tuple[int, int]) -> bool:
        """Since ``mark``: no link kept, and some settled ones met. Listings and search
        results are newest first, so what lies beyond is older still: the warehouse has it
        already (a page whose links were all filtered out proves nothing, and is passed)."""
        kept, known = self.mark()
        return kept == mark[0] and known > mark[1]


def _replace_url(link: Link, url: str) -> Link:
    return dataclasses.replace(link, url=url)


def _all_before(links: list[Link], since: date | None) -> bool:
    """Every item is dated and older than ``since``: later pages (older) can be skipped."""
    return bool(since and links and all(x.published and x.published < since for x in links))


def _markup(result: FetchResult) -> str:
    """A listing's text, decoded as article pages are (one function for every page): the
    HTTP charset, else <meta>, else detection. A charset naming no text encoding
    ("idna", "undefined") is ignored rather than crashing the run."""
    return decode_html(result.body or b"", charset=result.encoding)


def _maybe_gunzip(body: bytes) -> bytes | None:
    """A whole document, gunzipped when gzipped; None when it is not valid gzip or is over
    the limit. Discovery itself streams (_xml_chunks) and never holds the whole."""
    problems: list[str] = []
    out = b"".join(_xml_chunks(body, problems))
    return None if problems else out


class _Run:
    def __init__(self, source: Source, fetcher: Fetcher, collector: _Collector, limit: int) -> None:
        self.source = source
        self.fetcher = fetcher
        self.collector = collector
        self.limit = limit
        self.failures: list[FetchResult] = []
        self.pages = 0
        self.warnings: list[str] = []
        self.stopped = "end"

    def get(self, url: str, accept: Accept) -> FetchResult | None:
        s = self.source
        r = self.fetcher.fetch(
            url,
            allowed_hosts=s.allowed_hosts,
            rate_limit=s.rate_limit,
            allow_private=s.allow_private_hosts,
            accept=accept,
            robots_on_error=s.robots_on_error,
        )
        if not r.ok or r.body is None:
            self.failures.append(r)
            return None
        self.pages += 1
        return r

    def listing(self) -> None:
        parser = profiles.listing_parser(self.source.profile)
        url: str | None = self.source.start_url
        visited: set[str] = set()
        while url:
            if self.pages >= self.limit:
                self.stopped = "max_pages"
                return
            if url in visited:
                self.warnings.append(f"pagination loops back to {url}")
                self.stopped = "loop"
                return
            visited.add(url)
            r = self.get(url, "html")
            if r is None:
                self.stopped = "failure"
                return
            links, next_url = parser(_markup(r), r.final_url)
            items = [x for x in links if self.source.is_article(canonical_url(x.url))]
            if not items:
                self.warnings.append(f"no article links on {r.final_url}")
                self.stopped = "empty"
                return
            mark = self.collector.mark()
            if not self.add_all(items):
                return
            if _all_before(items, self.collector.since):
                self.stopped = "since"
                return
            if self.collector.brought_nothing(mark):
                self.stopped = "known"
                return
            url = next_url

    def add_all(self, links: Iterable[Link]) -> bool:
        """Collect ``links``; False (and stopped) once the per-source bound is reached."""
        links = list(links)
        self.collector.look_up(links)
        for x in links:
            self.collector.add(x)
            if self.collector.full:
                self.stopped = "max_urls"
                return False
        return True

    def feed(self) -> None:
        r = self.get(self.source.start_url or "", "feed")
        if r is None:
            self.stopped = "failure"
            return
        problems: list[str] = []
        found = 0
        for x in iter_feed(r.body or b"", r.final_url, problems):
            found += 1
            if not self.add_all([x]):
                return
        if problems:
            self.warnings.append(f"feed {r.final_url} is not valid gzip or too large")
        if not found:
            self.warnings.append(f"no items in feed {r.final_url}")

    def sitemap(self) -> None:
        queue: deque[str] = deque([self.source.start_url or ""])
        visited: set[str] = set()
        while queue:
            url = queue.popleft()
            if url in visited:
                self.warnings.append(
                    f"sitemap {url} is listed again (a loop or a repeat): read once"
                )
                continue
            if self.pages >= self.limit:
                self.stopped = "max_pages"
                return
            visited.add(url)
            r = self.get(url, "feed")
            if r is None:
                continue  # one broken child sitemap should not hide the others
            if not self.sitemap_entries(r, queue):
                return
        if self.failures:
            self.stopped = "failure"

    def sitemap_entries(self, r: FetchResult, queue: deque[str]) -> bool:
        """Read one sitemap as a stream: queue its children, collect its pages. False once
        the per-source bound is reached."""
        since = self.collector.since
        problems: list[str] = []
        found = 0
        for kind, x in iter_sitemap(r.body or b"", r.final_url, problems):
            found += 1
            if kind == "url":
                if not self.add_all([x]):
                    return False
            elif since and x.modified and x.modified < since:
                continue  # nothing in it changed since `since`
            elif len(queue) < self.limit:  # more could never be read (max_pages)
                queue.append(x.url)
        if problems:
            self.warnings.append(f"sitemap {r.final_url} is not valid gzip or too large")
        elif not found:
            self.warnings.append(f"no URLs in sitemap {r.final_url}")
        return True

    def govuk_search(self) -> None:
        base = urlsplit(self.source.start_url or "")
        params = parse_qsl(base.query, keep_blank_values=True)
        names = {k for k, _ in params}
        since, until = self.collector.since, self.collector.until
        if (since or until) and "filter_public_timestamp" not in names:
            # Let the API do the date filtering (from:YYYY-MM-DD,to:..., docs/SOURCES.md, "GOV.UK").
            bounds = [f"from:{since.isoformat()}"] if since else []
            bounds += [f"to:{until.isoformat()}"] if until else []
            params.append(("filter_public_timestamp", ",".join(bounds)))
        count = int(dict(params).get("count", "10") or 10)
        start = int(dict(params).get("start", "0") or 0)
        params = [(k, v) for k, v in params if k != "start"]
        while True:
            if self.pages >= self.limit:
                self.stopped = "max_pages"
                return
            query = urlencode([*params, ("start", str(start))] if start else params)
            url = urlunsplit(base._replace(query=query))
            r = self.get(url, "json")
            if r is None:
                self.stopped = "failure"
                return
            links, total = _govuk_page(r.body or b"", r.final_url)
            mark = self.collector.mark()
            if not self.add_all(links):
                return
            if _all_before(links, since):
                self.stopped = "since"
                return
            if self.collector.brought_nothing(mark):
                self.stopped = "known"
                return
            start += count
            if len(links) < count or (total is not None and start >= total):
                return


def discover(
    source: Source,
    fetcher: Fetcher,
    *,
    since: date | None = None,
    until: date | None = None,
    max_pages: int | None = None,
    max_urls: int | None = None,
    skip: Collection[str] = frozenset(),
    settled: Settled | None = None,
) -> Discovery:
    """Find a source's article links. Never raises for network trouble: failed fetches
    are in ``failures`` (the flow records them per URL) and discovery stops or moves on.

    ``max_pages`` caps the documents read (listing pages, sitemaps, search pages); it
    defaults to the source's ``max_pages``, then ``settings.max_pages``. Listing and
    search pagination also stops when every item on a page is dated before ``since``
    (both are newest first). ``max_urls`` (default ``settings.max_urls_per_source``)
    caps the links kept: the first that many, in the order found; reading stops at the
    next one (``stopped="max_urls"``, with a warning), so a sitemap of a million URLs
    costs what its first ``max_urls`` do. URLs in ``skip`` (backing off after failing
    run after run) are dropped as "backing off" and do not count.

    ``settled`` (incremental runs) takes a page of article URLs and says which of them the
    warehouse already has and need not be asked for again (db/recheck.py): those are
    dropped as "known" and do not count either, and listing and search pagination stops
    at the first page that keeps no link but meets settled ones (``stopped="known"``).
    None (a full sweep) settles nothing.
    """
    limit = max_pages or source.max_pages or fetcher.settings.max_pages
    bound = max_urls or fetcher.settings.max_urls_per_source
    if source.kind == "wayback":  # a CDX index, not pages of the site (tasks/wayback.py)
        from tasks.wayback import discover_wayback

        return discover_wayback(  # type: ignore[no-any-return]
            source, fetcher, since=since, limit=limit, max_urls=bound, skip=skip, settled=settled
        )
    collector = _Collector(source, since, until, bound, skip, settled)
    run = _Run(source, fetcher, collector, limit)
    if source.kind == "urls":
        run.add_all(Link(url=u) for u in source.urls)
        _warn_dropped_listed(run, collector)
    elif source.kind == "listing":
        run.listing()
    elif source.kind == "feed":
        run.feed()
    elif source.kind == "sitemap":
        run.sitemap()
    elif source.kind == "govuk_search":
        run.govuk_search()
    if collector.full:
        run.warnings.append(
            f"more than {bound:,} article URLs found: kept the first {bound:,} "
            "(max_urls_per_source)"
        )
    return Discovery(
        links=collector.links,
        failures=run.failures,
        pages_fetched=run.pages,
        stopped=run.stopped,
        warnings=_bounded(run.warnings),
        dropped=collector.dropped,
    )


def _bounded(warnings: list[str]) -> list[str]:
    """Each warning once (a loop met twice is one loop), at most _MAX_WARNINGS of them."""
    unique = list(dict.fromkeys(warnings))
    if len(unique) <= _MAX_WARNINGS:
        return unique
    return [*unique[:_MAX_WARNINGS], f"{len(unique) - _MAX_WARNINGS:,} more warnings"]


def _warn_dropped_listed(run: _Run, collector: _Collector) -> None:
    """A hand-written URL list that names pages the source would never fetch says so."""
    count = collector.dropped.get("not an article", 0)
    if not count:
        return
    examples = collector.examples["not an article"]
    more = ", ..." if count > len(examples) else ""
    run.warnings.append(
        f"{count:,} of {len(run.source.urls):,} listed URLs dropped as not articles of this "
        f"source (allowed_hosts or article_pattern): {', '.join(examples)}{more}"
    )


__all__ = [
    "Discovery",
    "Link",
    "canonical_url",
    "discover",
    "iter_feed",
    "iter_sitemap",
    "parse_feed",
    "parse_govuk_search",
    "parse_sitemap",
    "parse_sitemap_index",
]
