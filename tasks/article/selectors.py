"""Selectors and <meta> keys of the generic rules, in one place (as trafilatura's xpaths.py).

The generic rules (tasks/article/rules.py) fill in every page, whatever its profile:
JSON-LD, OpenGraph/meta, microdata, known body containers. Evidence: docs/SOURCES.md,
"News outlets". A profile's own selectors live in its module under profiles/; the index
collects both (tasks/article/index.py).

Selectors are compound CSS (tag, #id, .class, [attr], [attr=v], [attr~=v]) with at most one
descendant step: the index matches them itself (tasks/article/match.py).
"""

from __future__ import annotations

# GOV.UK's body container and first-published date are read on any page, not only under
# the govuk profile: mirrors and reposts of GOV.UK pages carry them too.
GOVUK_DATE_META = "govuk:first-published-at"
GOVUK_BODY_SELECTOR = "div.gem-c-govspeak"

JSONLD_SELECTOR = "script[type='application/ld+json']"

META_TITLE_KEYS: tuple[str, ...] = ("og:title", "twitter:title")
META_PUBLISHER_KEYS: tuple[str, ...] = ("og:site_name",)
# In order of trust. The Sun gives BST in JSON-LD but UTC here, so JSON-LD goes first.
META_DATE_KEYS: tuple[str, ...] = (
    "article:published_time",
    "og:article:published_time",
    "parsely-pub-date",
    "date",
    GOVUK_DATE_META,
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "dcterms.issued",
    "dcterms.created",
    "pubdate",
    "publishdate",
    "publish-date",
    "sailthru.date",
)
META_TAG_KEYS: tuple[str, ...] = ("article:tag",)
META_URL_KEYS: tuple[str, ...] = ("og:url",)
# A <meta> is filed under each of these attributes' values (see _Index._add_meta).
META_KEY_ATTRS: tuple[str, ...] = ("property", "name", "itemprop", "http-equiv")
# Every <meta> key a generic rule reads; a trimmed page keeps only the <meta>s that carry
# one of these or of a profile's ``meta_keys``.
META_READ_KEYS: frozenset[str] = frozenset(
    (*META_TITLE_KEYS, *META_PUBLISHER_KEYS, *META_DATE_KEYS, *META_TAG_KEYS, *META_URL_KEYS)
)

MICRODATA_HEADLINE_SELECTOR = "[itemprop~=headline]"
MICRODATA_DATE_SELECTOR = "[itemprop~=datePublished]"
TIME_SELECTOR = "time[datetime]"
CANONICAL_SELECTOR = "link[rel~=canonical]"

# Body containers, tried in this order: (method, selector, several roots?, min chars).
# Selectors name stable hooks only; hashed CSS-in-JS classes (sc-…, dcr-…,
# HeadingOne_heading-one__…) change with every deploy.
MICRODATA_BODY_SELECTOR = "[itemprop~=articleBody]"
BBC_TEXT_BLOCK_SELECTOR = "[data-component=text-block], [data-component=subheadline-block]"
GUARDIAN_BODY_SELECTOR = ".article-body-viewer-selector"
SUN_BODY_SELECTOR = ".article__content"
REACH_BODY_SELECTOR = "div.article-body"
REACH_NEW_BODY_SELECTOR = "article#article-body"
ARTICLE_SELECTOR = "article"
MAIN_SELECTOR = "main, [role=main]"
BODY_RULES: tuple[tuple[str, str, bool, int], ...] = (
    ("microdata", MICRODATA_BODY_SELECTOR, False, 1),
    ("text-block", BBC_TEXT_BLOCK_SELECTOR, True, 1),
    ("selector", GUARDIAN_BODY_SELECTOR, False, 1),
    ("selector", SUN_BODY_SELECTOR, False, 1),
    ("selector", REACH_BODY_SELECTOR, False, 1),
    ("selector", REACH_NEW_BODY_SELECTOR, False, 1),
    ("govuk", GOVUK_BODY_SELECTOR, True, 1),
    # <article> and <main> also wrap teaser cards and empty shells: demand real text.
    ("article", ARTICLE_SELECTOR, False, 100),
    ("main", MAIN_SELECTOR, False, 100),
)
# These containers are sure signs of article text: an ancestor holding one is never
# treated as boilerplate even if its class says "sidebar" (layout wrappers often do).
ANCHOR_SELECTORS: frozenset[str] = frozenset(
    sel for _, sel, _, _ in BODY_RULES if sel != ARTICLE_SELECTOR
)

# Every selector the generic rules ask the index for.
GENERIC_SELECTORS: tuple[str, ...] = (
    JSONLD_SELECTOR,
    MICRODATA_HEADLINE_SELECTOR,
    MICRODATA_DATE_SELECTOR,
    TIME_SELECTOR,
    CANONICAL_SELECTOR,
    *(sel for _, sel, _, _ in BODY_RULES),
)
