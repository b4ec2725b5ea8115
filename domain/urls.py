"""One page, one identity: the URL a page is known by, however it was reached.

Pure functions, no network and no database:

- ``fetch_url``: what discovery asks for. The fragment and tracking parameters go, the
  scheme and host are lower case, a default port is dropped; the path and the order of
  the query are kept, since a server may tell those apart.
- ``page_key``: the identity a URL alone gives. ``fetch_url``, then w3lib's
  ``canonicalize_url`` (query arguments sorted, percent-encoding normalised, an empty path
  made "/"), the trailing slash dropped, and the path put through the profile's own rule
  where it has one (``page_path`` in profiles/<name>.py: the ``nca`` profile drops the
  numeric article id of Joomla's old URLs, so ``/news/1357-dozens-of-victims`` is
  ``/news/dozens-of-victims``).
- ``declared_urls``: the URLs a page declares for itself, best first: ``<link
  rel="canonical">``, ``og:url``, then JSON-LD ``url`` and ``mainEntityOfPage`` of the
  page's article (never of its publisher or site: those name the home page).
- ``page_identity``: the ``page_key`` of the first declared URL the source accepts (its
  allowed hosts and article pattern: ``Source.is_article``), else of the URL fetched.

docs/SCHEMA.md ("One page, one row") says how the warehouse uses them.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree
from w3lib.url import canonicalize_url

import profiles

# Parameters that say how a reader arrived, never which page: a link shared on Facebook
# (fbclid), from an ad (gclid and friends), a newsletter (mc_*), a BBC feed (at_*, ns_*),
# a Guardian share button (CMP). Compared case-insensitively.
TRACKING_PREFIXES = ("utm_", "at_", "ns_")
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "_ga",
        "_gl",
        "ocid",
        "cmp",
        "cmpid",
    }
)
DEFAULT_PORTS = {"http": 80, "https": 443}

# What a page may declare about itself, looked for only when these bytes occur at all.
_MARKERS = (b"canonical", b"og:url", b"ld+json")
_HEAD_END = b"</head>"
_MAX_JSON_LD_CHARS = 1_000_000  # one script; a larger one is not a page's metadata
_MAX_JSON_LD_SCRIPTS = 20
# JSON-LD types whose url / mainEntityOfPage is the page itself.
_PAGE_TYPES = frozenset({"blogposting", "report", "webpage", "itempage", "liveblogposting"})


def is_tracking(name: str) -> bool:
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def fetch_url(url: str) -> str:
    """``url`` as discovery asks for it: without its fragment, tracking parameters and
    default port, scheme and host in lower case. Never raises: a URL urllib cannot split
    ("http://[::1/") comes back stripped of surrounding space only."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not is_tracking(k)]
        if len(kept) != len(pairs):  # re-encode only when something was dropped
            query = urlencode(kept)
    return urlunsplit((scheme, _netloc(parts.netloc.lower(), scheme), parts.path, query, ""))


def _netloc(netloc: str, scheme: str) -> str:
    """The netloc without the scheme's default port ("host:80" for http)."""
    default = DEFAULT_PORTS.get(scheme)
    suffix = f":{default}"
    if default is not None and netloc.endswith(suffix):  # "[::1]:80" too; "[::80]" ends in "]"
        return netloc[: -len(suffix)]
    return netloc


def page_key(url: str, profile: str = "generic") -> str:
    """The identity ``url`` alone gives a page (module docstring). Never raises."""
    url = fetch_url(url)
    # A URL w3lib cannot read stays as fetch_url gave it.
    with contextlib.suppress(ValueError, UnicodeError):
        url = canonicalize_url(url, keep_blank_values=True)
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    path = parts.path
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    rule = profiles.get(profile).page_path if profile in profiles.names() else None
    if rule is not None:
        path = rule(path)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def declared_urls(html: bytes | str, base_url: str) -> list[str]:
    """The absolute http(s) URLs the page declares as its own, best first (module
    docstring), relative ones resolved against ``base_url``. [] when it declares none or
    cannot be read. Only the <head> is parsed, unless JSON-LD appears after it."""
    data = html.encode("utf-8", "surrogatepass") if isinstance(html, str) else html
    low = data.lower()
    if not any(marker in low for marker in _MARKERS):
        return []
    end = low.find(_HEAD_END)
    head = data if end < 0 else data[: end + len(_HEAD_END)]
    found = _declared(head)
    if end >= 0 and b"ld+json" in low[end:]:
        found = [*found, *_declared(data)]
    out: list[str] = []
    for href in found:
        url = _absolute(href, base_url)
        if url and url not in out:
            out.append(url)
    return out


def _declared(data: bytes) -> list[str]:
    root = _parse(data)
    if root is None:
        return []
    canonical: list[str] = []
    og: list[str] = []
    ld: list[str] = []
    scripts = 0
    for el in root.iter("link", "meta", "script"):
        if el.tag == "link":
            rels = str(el.get("rel") or "").lower().split()
            if "canonical" in rels and el.get("href"):
                canonical.append(str(el.get("href")))
        elif el.tag == "meta":
            name = str(el.get("property") or el.get("name") or "").strip().lower()
            if name == "og:url" and el.get("content"):
                og.append(str(el.get("content")))
        elif str(el.get("type") or "").strip().lower() == "application/ld+json":
            scripts += 1
            if scripts <= _MAX_JSON_LD_SCRIPTS:
                ld += _json_ld_urls(el.text or "")
    return canonical + og + ld


def _parse(data: bytes) -> Any:
    # No network, no entities: pages are untrusted input.
    parser = etree.HTMLParser(recover=True, no_network=True, remove_comments=True)
    try:
        return etree.fromstring(data, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


def _json_ld_urls(text: str) -> list[str]:
    if len(text) > _MAX_JSON_LD_CHARS:
        return []
    try:
        data = json.loads(text)
    except ValueError:
        return []
    out: list[str] = []
    for obj in _json_ld_objects(data):
        if not _is_page_type(obj.get("@type")):
            continue
        for value in (obj.get("url"), obj.get("mainEntityOfPage")):
            if isinstance(value, dict):
                value = value.get("@id") or value.get("url")
            if isinstance(value, str) and value.strip():
                out.append(value)
    return out


def _json_ld_objects(data: Any) -> Iterator[dict[str, Any]]:
    """The top-level objects of a JSON-LD script and of its @graph: not nested ones (a
    publisher's or an author's url is theirs, not the page's)."""
    items = data if isinstance(data, list) else [data]
    for item in items:
        if not isinstance(item, dict):
            continue
        graph = item.get("@graph")
        if isinstance(graph, list):
            yield from (g for g in graph if isinstance(g, dict))
        yield item


def _is_page_type(value: Any) -> bool:
    types = value if isinstance(value, list) else [value]
    return any(
        isinstance(t, str) and (t.lower().endswith("article") or t.lower() in _PAGE_TYPES)
        for t in types
    )


def _absolute(href: str, base_url: str) -> str | None:
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        url = urljoin(base_url, href)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        return None
    return url


def page_identity(
    url: str,
    body: bytes | None = None,
    *,
    accept: Callable[[str], bool],
    profile: str = "generic",
) -> str:
    """The identity of the page fetched from ``url`` with ``body``: the ``page_key`` of the
    first URL the page declares that ``accept`` takes (the source's ``is_article``), else
    of ``url``. A declared home page is ignored unless ``url`` is one too: a site that
    declares its home page everywhere would otherwise make every article one page."""
    if body:
        fetched_root = _is_root(url)
        for declared in declared_urls(body, url):
            if (fetched_root or not _is_root(declared)) and accept(declared):
                return page_key(declared, profile)
    return page_key(url, profile)


class _Source(Protocol):
    """What page identity needs of a source (config.sources.Source)."""

    @property
    def profile(self) -> str: ...

    def is_article(self, url: str) -> bool: ...


def source_page_identity(source: _Source, url: str, body: bytes | None) -> str:
    """``page_identity`` under ``source``: its article URLs may be declared, with its profile."""
    return page_identity(url, body, accept=source.is_article, profile=source.profile)


def _is_root(url: str) -> bool:
    return urlsplit(url).path.strip("/") == ""


__all__ = [
    "DEFAULT_PORTS",
    "TRACKING_PARAMS",
    "TRACKING_PREFIXES",
    "declared_urls",
    "fetch_url",
    "is_tracking",
    "page_identity",
    "page_key",
    "source_page_identity",
]
