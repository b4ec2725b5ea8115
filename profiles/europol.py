"""Europol: a JS app that embeds its state as ``window.SERVER_DATA = {...};``.

Both the newsroom listing and the article pages are read from that payload. Evidence:
docs/SOURCES.md, "Europol".
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterator
from typing import Any

from profiles.base import Profile
from profiles.generic import listing_soup, parse_listing
from tasks.article.body import HTML_HINT_RE, _fragment_blocks
from tasks.article.dates import _parse_date_value
from tasks.article.index import _Index
from tasks.article.jsonld import _TRAILING_COMMA_RE, LD_MAX_NODES
from tasks.article.rules import _Fields
from tasks.article.text import _clean_title, _first
from tasks.dates import parse_common_date
from tasks.discover import Link, _clean, _href_url, next_page_url

EUROPOL_HOSTS: tuple[str, ...] = ("europol.europa.eu",)
# /media-press/newsroom/news/<slug> and the legacy /newsroom/news/<slug>.
ARTICLE_PATTERN = r"^/(?:media-press/)?newsroom/news/[^/]+/?$"

# The payload's start: on any host it also marks a Europol page (mirrors, test servers).
SERVER_DATA_RE = re.compile(r"window\.SERVER_DATA\s*=\s*")
SERVER_DATA_MARKER = "SERVER_DATA"  # an inline script the page rules read holds this
EUROPOL_PUBLISHER = "Europol"
EUROPOL_NODE_PATH: tuple[str, ...] = ("NodeLoader", "node")
EUROPOL_BODY_KEYS: tuple[str, ...] = ("body", "content", "text", "description")
EUROPOL_INTRO_KEYS: tuple[str, ...] = ("introduction",)
# Drupal-style rich text fields wrap the HTML in a dict.
RICH_TEXT_KEYS: tuple[str, ...] = ("processed", "value", "html", "body", "content", "text")
# Europol paragraphs may come as a list of {"value": ...} parts; never deeper than this.
RICH_TEXT_MAX_DEPTH = 4


def read_page(idx: _Index, f: _Fields, url: str | None) -> None:
    """Title, date and body from the SERVER_DATA payload; the publisher is Europol."""
    f.publisher = EUROPOL_PUBLISHER
    node = None
    for tag in idx.scripts:
        text = tag.string
        if text and SERVER_DATA_MARKER in text:
            node = _europol_node(_parse_server_data(str(text)))
            if node is not None:
                break
    if node is None:
        return
    title = node.get("title")
    if isinstance(title, str):
        f.title = _clean_title(html_lib.unescape(title))
    f.published = _parse_date_value(node.get("published")) or _parse_date_value(node.get("created"))
    body_html = _first(_rich_text(node.get(k)) for k in EUROPOL_BODY_KEYS)
    if not body_html:
        body_html = _longest_html_string(node)
    blocks = _fragment_blocks(body_html) if body_html else []
    intro_html = _first(_rich_text(node.get(k)) for k in EUROPOL_INTRO_KEYS)
    if intro_html:
        intro = _fragment_blocks(intro_html)
        flat = "\n".join("\n".join(b) for b in blocks)
        intro = [b for b in intro if "\n".join(b) not in flat]
        blocks = intro + blocks
    if blocks:
        f.blocks, f.method = blocks, "europol"


def _parse_server_data(script: str) -> Any:
    m = SERVER_DATA_RE.search(script)
    if not m:
        return None
    start = m.end()
    if start >= len(script) or script[start] != "{":
        return None
    try:  # the JSON decoder stops at the object's matching brace by itself
        return json.JSONDecoder(strict=False).raw_decode(script, start)[0]
    except (ValueError, RecursionError):
        pass
    end = _matching_brace(script, start)
    if end is None:
        return None
    blob = script[start : end + 1]
    # Light JS-to-JSON repairs for hand-built payloads.
    blob = re.sub(r"\bundefined\b", "null", blob)
    blob = _TRAILING_COMMA_RE.sub(r"\1", blob)
    try:
        return json.loads(blob, strict=False)
    except (ValueError, RecursionError):
        return None


_BRACE_EVENT_RE = re.compile(r"""[{}\[\]"'\\]""")


def _matching_brace(text: str, start: int) -> int | None:
    """Index of the brace closing the object at text[start], skipping over strings."""
    depth = 0
    quote: str | None = None
    escaped_at = -1
    # Jump between the characters that matter instead of looping over every character.
    for m in _BRACE_EVENT_RE.finditer(text, start):
        pos = m.start()
        if pos == escaped_at:
            continue
        ch = m.group(0)
        if quote:
            if ch == "\\":
                escaped_at = pos + 1
            elif ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return pos
    return None


def _europol_node(data: Any) -> dict[str, Any] | None:
    node: Any = data
    for key in EUROPOL_NODE_PATH:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict) and node.get("title"):
        return node
    # Layout drift: look for the first dict that reads like an article node.
    stack: list[Any] = [data]
    visited = 0
    while stack and visited < LD_MAX_NODES:
        visited += 1
        v = stack.pop()
        if isinstance(v, dict):
            if isinstance(v.get("title"), str) and any(
                _rich_text(v.get(k)) for k in (*EUROPOL_BODY_KEYS, *EUROPOL_INTRO_KEYS)
            ):
                return v
            stack.extend(reversed(list(v.values())))
        elif isinstance(v, list):
            stack.extend(reversed(v))
    return None


def _rich_text(value: Any, depth: int = 0) -> str | None:
    """A text field that may be a string, a {"value": ...} dict or a list of parts."""
    if isinstance(value, str):
        return value if value.strip() else None
    if depth >= RICH_TEXT_MAX_DEPTH:
        return None
    if isinstance(value, dict):
        return _first(_rich_text(value.get(k), depth + 1) for k in RICH_TEXT_KEYS)
    if isinstance(value, list):
        parts = [p for p in (_rich_text(v, depth + 1) for v in value[:1000]) if p]
        return "\n".join(parts) or None
    return None


def _longest_html_string(data: Any) -> str | None:
    best: str | None = None
    stack: list[Any] = [data]
    visited = 0
    while stack and visited < LD_MAX_NODES:
        visited += 1
        v = stack.pop()
        if isinstance(v, str):
            if HTML_HINT_RE.search(v) and (best is None or len(v) > len(best)):
                best = v
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return best


def parse_europol_listing(html: str | bytes, base_url: str) -> tuple[list[Link], str | None]:
    """Europol newsroom: items from the embedded ``window.SERVER_DATA`` JSON (title,
    alias, unix ``published``), else the generic links (docs/SOURCES.md, "Europol")."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    links: list[Link] = []
    m = SERVER_DATA_RE.search(text)
    if m:
        try:
            data, _ = json.JSONDecoder().raw_decode(text, m.end())
        except ValueError:
            data = None
        seen: set[str] = set()
        for item in _walk_dicts(data):
            path = item.get("alias") or item.get("url") or item.get("path")
            title = item.get("title")
            if not isinstance(path, str) or not isinstance(title, str):
                continue
            url = _href_url(path, base_url)
            if url is None or url in seen:
                continue
            seen.add(url)
            links.append(
                Link(
                    url=url, title=_clean(title), published=parse_common_date(item.get("published"))
                )
            )
    soup = listing_soup(html)
    if not links:
        links, _ = parse_listing(html, base_url)
    return links, next_page_url(soup, base_url)


def _walk_dicts(data: Any) -> Iterator[dict[str, Any]]:
    stack = [data]
    while stack:
        node = stack.pop(0)
        if isinstance(node, dict):
            yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


PROFILE = Profile(
    name="europol",
    official=True,
    hosts=EUROPOL_HOSTS,
    markup=(SERVER_DATA_RE,),
    article_pattern=ARTICLE_PATTERN,
    listing=parse_europol_listing,
    page_rules=read_page,
    script_marker=SERVER_DATA_MARKER,
)
