"""JSON-LD: the article node of a page's ``application/ld+json`` scripts, read leniently."""

from __future__ import annotations

import html as html_lib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tasks.article.dates import _parse_date_value
from tasks.article.index import _Index
from tasks.article.selectors import JSONLD_SELECTOR
from tasks.article.text import _clean_inline

LD_ARTICLE_TYPES: frozenset[str] = frozenset(
    {
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "Article",
        "BlogPosting",
        "LiveBlogPosting",
    }
)
# A WebPage node often carries only the page name; use it when nothing better exists.
LD_FALLBACK_TYPES: frozenset[str] = frozenset({"WebPage"})
# JSON-LD articleBody is the cleanest body there is (Reach 2025+), but some sites put a
# teaser there; below this length the HTML body is tried first.
LD_BODY_MIN_CHARS = 200
# Guards for hostile JSON-LD: how many nodes to visit, how many scripts to parse.
LD_MAX_NODES = 5000


@dataclass(slots=True)
class _LdInfo:
    fallback: bool = False  # read from a bare WebPage node: use only when all else fails
    headline: str | None = None
    published: date | None = None
    publisher: str | None = None
    body: str | None = None
    keywords: list[str] = field(default_factory=list)


def _read_jsonld(idx: _Index) -> _LdInfo:
    values: list[Any] = []
    for fr in idx.matches[JSONLD_SELECTOR]:
        raw = fr.tag.string if fr.tag.string is not None else fr.tag.get_text()
        value = _load_json_lenient(str(raw))
        if value is not None:
            values.append(value)
    objects = _ld_objects(values)
    by_id = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str)}
    best = next((o for o in objects if _ld_types(o) & LD_ARTICLE_TYPES), None)
    info = _LdInfo()
    if best is None:
        best = next((o for o in objects if _ld_types(o) & LD_FALLBACK_TYPES), None)
        info.fallback = True
    if best is None:
        return info
    info.headline = _ld_str(best.get("headline")) or _ld_str(best.get("name"))
    info.published = _parse_date_value(_ld_scalar(best.get("datePublished"))) or _parse_date_value(
        _ld_scalar(best.get("dateCreated"))
    )
    info.publisher = _ld_name(best.get("publisher"), by_id)
    info.body = _ld_str(best.get("articleBody"), clean=False)
    keywords = best.get("keywords")
    if isinstance(keywords, str):
        info.keywords = [k.strip() for k in keywords.split(",") if k.strip()]
    elif isinstance(keywords, list):
        info.keywords = [k.strip() for k in keywords if isinstance(k, str) and k.strip()]
    return info


_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")


def _load_json_lenient(text: str) -> Any:
    t = text.strip()
    for prefix, suffix in (("<!--", "-->"), ("<![CDATA[", "]]>"), ("//<![CDATA[", "//]]>")):
        if t.startswith(prefix) and t.endswith(suffix):
            t = t[len(prefix) : -len(suffix)].strip()
    t = t.rstrip(";").strip()
    if not t:
        return None
    for candidate in (t, _TRAILING_COMMA_RE.sub(r"\1", t)):
        try:
            return json.loads(candidate, strict=False)
        except (ValueError, RecursionError):
            continue
    try:  # one good object followed by junk
        return json.JSONDecoder(strict=False).raw_decode(t)[0]
    except (ValueError, RecursionError):
        return None


def _ld_objects(values: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    stack: list[Any] = list(reversed(values))
    visited = 0
    while stack and visited < LD_MAX_NODES:
        visited += 1
        v = stack.pop()
        if isinstance(v, list):
            stack.extend(reversed(v))
        elif isinstance(v, dict):
            out.append(v)
            for key in ("mainEntity", "@graph"):
                inner = v.get(key)
                if isinstance(inner, (list, dict)):
                    stack.append(inner)
    return out


def _ld_types(obj: dict[str, Any]) -> set[str]:
    raw = obj.get("@type")
    types = raw if isinstance(raw, list) else [raw]
    out = set()
    for t in types:
        if isinstance(t, str):
            out.add(t.rsplit("/", 1)[-1].rsplit(":", 1)[-1].strip())
    return out


def _ld_scalar(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    if isinstance(value, dict):
        return value.get("@value")
    return value


def _ld_str(value: Any, clean: bool = True) -> str | None:
    value = _ld_scalar(value)
    if not isinstance(value, str):
        return None
    if "&" in value:
        value = html_lib.unescape(value)
    return (_clean_inline(value) if clean else value.strip()) or None


def _ld_name(value: Any, by_id: dict[str, dict[str, Any]]) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, (dict, str))), None)
    if isinstance(value, str):
        return _clean_inline(value) or None
    if isinstance(value, dict):
        name = value.get("name")
        if not name and isinstance(value.get("@id"), str):
            name = by_id.get(value["@id"], {}).get("name")
        return _ld_str(name)
    return None
