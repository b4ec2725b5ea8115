"""Boilerplate: which elements hold no article text (menus, banners, widgets, ads).

Decided by tag, role, and class/id tokens. Class values are split into sub-tokens
("article-body" -> article, body; "mostRead" -> most, read) and matched whole, so
"related" hits "related-stories" but "ad" never hits "header" or "shadow". The index walk
(tasks/article/index.py) applies these rules to every element; tasks/article/related.py
removes onward-journey blocks opened by a heading inside a chosen body.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from tasks.article.text import _attr_str

# Subtrees whose text is never article text.
HARD_SKIP_TAGS: frozenset[str] = frozenset(
    {
        "head", "script", "style", "noscript", "template", "svg", "math", "iframe",
        "object", "embed", "canvas", "video", "audio", "map", "button", "select",
        "option", "optgroup", "input", "textarea", "label", "nav", "aside", "footer",
        "header", "figcaption", "dialog", "menu", "title", "meta", "link", "base",
    }
)  # fmt: skip
NAVLIKE_TAGS: frozenset[str] = frozenset({"nav", "aside", "footer"})
BOILERPLATE_ROLES: frozenset[str] = frozenset(
    {
        "navigation", "banner", "contentinfo", "complementary", "search", "menu",
        "menubar", "toolbar", "dialog", "alertdialog",
    }
)  # fmt: skip
# Attributes whose values name a component.
BOILERPLATE_ATTRS: tuple[str, ...] = (
    "class", "id", "data-component", "data-testid", "data-hook", "aria-label",
)  # fmt: skip
BOILERPLATE_TOKENS: frozenset[str] = frozenset(
    {
        # cookie and consent banners
        "cookie", "cookies", "consent", "gdpr",
        # navigation furniture
        "nav", "navbar", "navigation", "menu", "megamenu", "submenu", "breadcrumb",
        "breadcrumbs", "crumbs", "sidebar", "footer", "header", "masthead", "pagination",
        "pager", "skiplink",
        # onward journeys ("related", "most read" lists are full of numbers)
        "related", "recommended", "recommendations", "trending", "popular", "mostread",
        "mostpopular", "readmore", "seealso", "onward", "onwards", "recirculation",
        "links", "carousel", "ticker",
        # share widgets, newsletters, comments
        "share", "sharing", "sharebar", "sharetools", "social", "addthis", "newsletter",
        "newsletters", "subscribe", "subscription", "signup", "comments", "comment",
        "disqus",
        # advertising
        "ad", "ads", "advert", "adverts", "advertisement", "advertising", "adslot",
        "adunit", "dfp", "promo", "promos", "promoted", "sponsor", "sponsored",
        "outbrain", "taboola", "dianomi", "teads",
        # article furniture that is not article text
        "byline", "meta", "caption", "tags", "tools", "toolbar", "popup", "modal",
        # screen-reader-only helpers ("Image caption," "Published")
        "visuallyhidden", "sronly",
    }
)  # fmt: skip
BOILERPLATE_TOKEN_PAIRS: frozenset[tuple[str, str]] = frozenset(
    {
        ("most", "read"), ("most", "popular"), ("most", "viewed"), ("most", "shared"),
        ("more", "on"), ("more", "stories"), ("more", "from"), ("read", "more"),
        ("see", "also"), ("also", "read"), ("top", "stories"), ("recent", "posts"),
        ("you", "may"), ("may", "like"), ("sign", "up"), ("tag", "list"),
        ("tag", "cloud"), ("side", "bar"), ("skip", "link"), ("skip", "to"),
        ("visually", "hidden"), ("sr", "only"), ("screen", "reader"), ("off", "screen"),
        ("scroll", "to"),
    }
)  # fmt: skip
HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# A class-flagged element holding more than this share of the page's text is the page
# (e.g. <div class="layout has-sidebar">), not a widget, and is kept.
SOFT_MASS_GUARD = 0.6

# Cookie banners with anonymous classes (police.uk "Single Online Home" sites) are found by
# their text, then widened to the largest small ancestor that is mostly about cookies.
COOKIE_BANNER_TEXT_RE = re.compile(
    r"\bwe use (?:some )?(?:essential |necessary |strictly necessary |small files called )?"
    r"cookies\b|\bcookies on (?:this|our|the) (?:site|website|service)\b|\bcookies on gov\.uk\b"
    r"|\b(?:accept|reject) (?:all |additional |analytics |optional )?cookies\b"
    r"|\blike to (?:use|set) (?:some )?(?:additional |analytics |optional )?cookies\b"
    r"|\bcookie (?:settings|preferences)\b",
    re.I,
)
COOKIE_WORD_RE = re.compile(r"cookie", re.I)
COOKIE_BLOCK_MAX_CHARS = 2000
# Most of a banner's text mentions cookies; an article wrapper's text does not.
COOKIE_SHARE_MIN = 0.6
COOKIE_STOP_TAGS: frozenset[str] = frozenset({"html", "body", "main", "article", "[document]"})

# A heading that opens an onward-journey block inside an otherwise good container.
RELATED_HEADING_RE = re.compile(
    r"(?:most (?:read|popular|viewed|shared|watched)"
    r"|related(?: (?:stories|articles|content|news|links|topics|posts|coverage|reading"
    r"|internet links))?"
    r"|more (?:on|about) this (?:story|topic)|more (?:stories|news)|more from .{1,40}"
    r"|you (?:may|might) (?:also )?(?:like|be interested in)"
    r"|recommended(?: for you| stories| articles| reading)?|top stories"
    r"|latest (?:news|stories)|recent posts|see also|also read|read (?:more|next)"
    r"|trending(?: now)?|explore more|elsewhere on .{1,40})\s*:?",
    re.I,
)
RELATED_HEADING_TAGS: frozenset[str] = frozenset({"h2", "h3", "h4", "h5", "h6"})
RELATED_HEADING_MAX_CHARS = 80
RELATED_HEADINGS_CHECKED = 50
# Never let the heading rule remove more than this share of the chosen body.
RELATED_MAX_SHARE = 0.5


_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SUBTOKEN_SPLIT_RE = re.compile(r"[^a-z0-9]+")
_boilerplate_cache: dict[str, bool] = {}
_BOILERPLATE_CACHE_MAX = 20_000


def _soft_boilerplate(attrs: dict[str, Any]) -> bool:
    role = attrs.get("role")
    if role and _attr_str(role).strip().lower() in BOILERPLATE_ROLES:
        return True
    if "hidden" in attrs:
        return True
    style = attrs.get("style")
    if style and HIDDEN_STYLE_RE.search(_attr_str(style)):
        return True
    for attr in BOILERPLATE_ATTRS:
        value = attrs.get(attr)
        if value and _boilerplate_value(_attr_str(value)):
            return True
    return False


def _boilerplate_value(value: str) -> bool:
    cached = _boilerplate_cache.get(value)
    if cached is not None:
        return cached
    result = False
    for word in value.split():
        subs = [s for s in _SUBTOKEN_SPLIT_RE.split(_CAMEL_RE.sub(" ", word).lower()) if s]
        if any(s in BOILERPLATE_TOKENS for s in subs) or any(
            pair in BOILERPLATE_TOKEN_PAIRS for pair in itertools.pairwise(subs)
        ):
            result = True
            break
    if len(_boilerplate_cache) >= _BOILERPLATE_CACHE_MAX:
        _boilerplate_cache.clear()
    if len(value) < 1000:
        _boilerplate_cache[value] = result
    return result
