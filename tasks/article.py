"""HTML page -> Article: title, publication date, publisher, tags and clean body text.

Pure functions, no I/O. ``parse_article`` never raises: a page it cannot read gives an
Article with an empty body and ``method="empty"``.

How it works, and why it is built this way:

* bs4 spends ~13 µs on every element it builds, and most elements of a news page are
  head scripts and styles, menus, footers and "related" lists. So lxml, which builds a
  tree in C, reads the page first and trims it (_trim): everything the index below
  collects (title, h1s, the <meta>s some rule reads, JSON-LD, canonical link, dates,
  tags, the innermost body containers) is kept whole with its ancestors; every other
  subtree hanging off those ancestors is cut, and scripts and styles go from anywhere.
  bs4 then parses the serialised remainder, and the rules run on it as before: figures
  are still read from a BeautifulSoup tree. On an NCA release that is a tenth of the
  elements, and parse_article is three times faster.
* The trim never changes a result; the tests compare pages trimmed and whole. Each
  ancestor of a cut carries the text the index would have counted below it, so the
  boilerplate and cookie-banner decisions still use whole-page counts; a cut never holds
  a body container (they shield their ancestors from the boilerplate rules) nor a cookie
  word that could widen into a banner above it. A rule that would read a cut subtree (a
  body container with a cut below it; the densest-text fallback, where any element may
  win) raises _Inexact, and the page is parsed whole. Pages on which lxml's tree differs
  from what bs4's SAX reading of the same libxml2 parser builds, or that libxml2 would
  not read back as it wrote them (a doctype inside the page, content after </body>,
  nesting near 256 levels, "&#13;", raw-text elements holding markup, a non-ASCII
  canonical URL, lone surrogates...), are never trimmed; nor is a page without a body
  container, which the densest-text rule reads whole anyway.
* The (trimmed) page is parsed with BeautifulSoup + lxml, then walked once (iteratively,
  so a page nested 100,000 levels deep cannot hit Python's recursion limit) to build an
  index: every element the rules below ask for, the text length under each interesting
  element, and which elements are boilerplate. CSS selectors are kept as readable
  constants but matched by a small compound-selector matcher inside that single walk,
  because running a dozen ``soup.select`` calls over a 10 MB page costs several seconds.
  The trim finds what to keep with those same matchers.
* Source rules (NCA, Europol, GOV.UK) run first; generic rules (JSON-LD, OpenGraph,
  microdata, known body containers, densest text) fill whatever is still missing.
* The body is rendered to plain text by a block-aware walk: blocks are separated by a
  blank line, ``<li>`` blocks start with "• ", ``<br>`` is a newline inside a block.
  The figure extractor stores character spans into this text, so boilerplate (menus,
  cookie banners, "most read" lists full of numbers) must never reach it.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import heapq
import html as html_lib
import itertools
import json
import logging
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import charset_normalizer
from bs4 import (
    BeautifulSoup,
    CData,
    MarkupResemblesLocatorWarning,
    NavigableString,
    Tag,
    XMLParsedAsHTMLWarning,
)
from lxml import etree

from tasks.gc_pause import gc_paused
from tasks.records import Article

__all__ = ["PROFILES", "decode_html", "detect_profile", "parse_article"]

log = logging.getLogger(__name__)

# bs4 warns when a page looks like XML or like a file name; both are normal for scraped
# input (XHTML pages, tiny test strings) and would only flood the flow logs.
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)
warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)

# ---------------------------------------------------------------------------------------
# Profiles
# ---------------------------------------------------------------------------------------
PROFILES: tuple[str, ...] = ("nca", "europol", "govuk", "generic")

NCA_HOSTS: tuple[str, ...] = ("nationalcrimeagency.gov.uk",)
EUROPOL_HOSTS: tuple[str, ...] = ("europol.europa.eu",)
# Exact hosts only: other *.gov.uk sites (councils, the NCA itself) run other CMSs.
GOVUK_HOSTS: frozenset[str] = frozenset({"gov.uk", "www.gov.uk"})

# Markup signatures, for mirrors and test servers on other hosts. Attribute runs are
# bounded ({0,500}) so that a page of unclosed "<h1" cannot make the scan quadratic.
# The headline must be exactly "headline": Reach's old microdata uses "headline name"
# with the same articleBody div and must stay generic.
NCA_MARKUP_HEADLINE_RE = re.compile(
    r"""<h1\b[^>]{0,500}?\bitemprop\s*=\s*(?:"headline"|'headline'|headline(?=[\s/>]))""", re.I
)
NCA_MARKUP_BODY_RE = re.compile(
    r"""<div\b[^>]{0,500}?\bitemprop\s*=\s*(?:"articleBody"|'articleBody'|articleBody(?=[\s/>]))""",
    re.I,
)
EUROPOL_MARKUP_RE = re.compile(r"window\.SERVER_DATA\s*=")
GOVUK_MARKUP_RE = re.compile(r"""<meta\b[^>]{0,500}?\bname\s*=\s*["']?govuk:""", re.I)

# ---------------------------------------------------------------------------------------
# NCA (Joomla 3). Evidence: docs/SOURCES.md, "National Crime Agency", article pages.
# ---------------------------------------------------------------------------------------
NCA_PUBLISHER = "National Crime Agency"
NCA_TITLE_SELECTOR = "h1[itemprop=headline]"
NCA_BODY_SELECTOR = "div[itemprop=articleBody]"
NCA_TAG_SELECTOR = "li[itemprop~=keywords] a"
# Stock Joomla date markup; not evidenced on NCA, so only a fallback after the bold line.
NCA_DATE_SELECTOR = "time[itemprop~=datePublished], dd.published time"
# The release date is the last bold paragraph: "03 October 2025", "3 Oct 2025.",
# "23 Janaury 2025." (typo) and occasionally with a weekday. The whole bold text must be
# a date, so a bold quote attribution is never read as one.
NCA_DATE_TEXT_RE = re.compile(
    r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,12})\.?,?\s+(\d{4})",
    re.I,
)
# How far into the body the last-resort date search looks (old 2018 template puts the
# date right under the title).
NCA_DATE_SEARCH_CHARS = 400

# ---------------------------------------------------------------------------------------
# Europol: a JS app that embeds its state as window.SERVER_DATA = {...};
# ---------------------------------------------------------------------------------------
EUROPOL_PUBLISHER = "Europol"
SERVER_DATA_RE = re.compile(r"window\.SERVER_DATA\s*=\s*")
EUROPOL_NODE_PATH: tuple[str, ...] = ("NodeLoader", "node")
EUROPOL_BODY_KEYS: tuple[str, ...] = ("body", "content", "text", "description")
EUROPOL_INTRO_KEYS: tuple[str, ...] = ("introduction",)
# Drupal-style rich text fields wrap the HTML in a dict.
RICH_TEXT_KEYS: tuple[str, ...] = ("processed", "value", "html", "body", "content", "text")
# Europol paragraphs may come as a list of {"value": ...} parts; never deeper than this.
RICH_TEXT_MAX_DEPTH = 4
HTML_HINT_RE = re.compile(r"<(?:p|br|div|ul|ol|li|h[1-6]|strong|em|a|span|table)\b", re.I)

# ---------------------------------------------------------------------------------------
# GOV.UK (alphagov publishing components)
# ---------------------------------------------------------------------------------------
GOVUK_DATE_META = "govuk:first-published-at"
GOVUK_PUBLISHER_META = "govuk:primary-publishing-organisation"
GOVUK_BODY_SELECTOR = "div.gem-c-govspeak"

# ---------------------------------------------------------------------------------------
# Generic news pages: JSON-LD, OpenGraph/meta, microdata. Evidence: docs/SOURCES.md, "News outlets".
# ---------------------------------------------------------------------------------------
JSONLD_SELECTOR = "script[type='application/ld+json']"
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
# Every <meta> key a rule reads; a trimmed page keeps only the <meta>s that carry one.
META_READ_KEYS: frozenset[str] = frozenset(
    (
        *META_TITLE_KEYS,
        *META_PUBLISHER_KEYS,
        *META_DATE_KEYS,
        *META_TAG_KEYS,
        *META_URL_KEYS,
        GOVUK_PUBLISHER_META,
    )
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
# How many densest-text candidates to remember in the index walk.
DENSITY_CANDIDATES = 8

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

# ---------------------------------------------------------------------------------------
# Boilerplate. Decided by tag, role, and class/id tokens. Class values are split into
# sub-tokens ("article-body" -> article, body; "mostRead" -> most, read) and matched
# whole, so "related" hits "related-stories" but "ad" never hits "header" or "shadow".
# ---------------------------------------------------------------------------------------
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

# Single lines of page furniture that survive any container choice.
BOILERPLATE_LINE_RE = re.compile(
    r"(?:skip to (?:main )?(?:content|navigation)|advertisement|advert|sponsored(?: content)?"
    r"|share(?: this)?(?: article| story| page| post)?(?: on [a-z]+)?|share via [a-z ,]+"
    r"|copy link|print(?: this page)?|email|-*\s*ends\s*-*"
    r"|image (?:source|caption),.*"
    r"|(?:accept|reject|allow|decline)(?: all)?(?: additional| analytics| optional"
    r"| non-essential)? cookies"
    r"|(?:view|change|manage|set)(?: your)? cookies?(?: settings| preferences)?"
    r"|cookie (?:settings|preferences|policy)|cookies on .{1,40}"
    r"|we use (?:some )?(?:essential |necessary |strictly necessary )?cookies\b.*"
    r"|we(?:'|’)?d (?:also )?like to (?:use|set) (?:additional |analytics )?cookies\b.*"
    r"|this (?:site|website|service) is (?:a |in )?beta\b.*"
    r"|\d+ min(?:ute)?s? read|\d+\s*views?(?:\s*\d+\s*comments?)?|\d+\s*comments?"
    r"|post not marked as liked|follow us(?: on .{1,40})?|log in|sign in|sign up)",
    re.I,
)

# ---------------------------------------------------------------------------------------
# Wix and plain-text pages. Wix renders visually hidden "top of page" / "bottom of page"
# regions around the site; a text dump of it is the seed-article shape.
# ---------------------------------------------------------------------------------------
WIX_TOP_RE = re.compile(r"\s*top of page\s*", re.I)
WIX_BOTTOM_RE = re.compile(r"\s*bottom of page\s*", re.I)
# Wix blog posts end with a "Recent Posts" / "See All" card list.
WIX_TAIL_RE = re.compile(r"\s*(?:recent posts|see all|related posts)\s*", re.I)
# Cut the tail only when the article before it holds this share of the text; otherwise
# the marker sits in a sidebar before the article and only the marker line goes.
WIX_TAIL_MIN_SHARE = 0.4
# A plain-text page has no title element: take an early line that reads like a headline.
PLAIN_TITLE_LINES = 10
PLAIN_TITLE_MAX_CHARS = 200
LEADING_DATE_LINES = 5
# Wix renders "Nov 5, 2021" and "2 min read" as adjacent spans: the text reads
# "Nov 5, 20212 min read". The year is four digits, so the glued suffix can be split off.
READ_TIME_SUFFIX_RE = re.compile(r"(.*?\d{4})\s*[·|•-]?\s*\d{1,3}\s*min(?:ute)?s?\s*read", re.I)
# A body that starts with the headline (an <h1> inside <article>, a text dump) repeats
# it; that line and the site chrome above it go, if the chrome is short.
LEADING_TITLE_LINES = 6
LEADING_CHROME_MAX_CHARS = 300

# ---------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------
MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
MONTH_ABBREVIATIONS: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
# "Janaury" scores 0.86 against "january"; "June" vs "July" only 0.5.
MONTH_FUZZY_CUTOFF = 0.75
_MONTH_ALT = "|".join(sorted([*MONTHS, *MONTH_ABBREVIATIONS], key=len, reverse=True))
DATE_DMY_RE = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_ALT})\.?,?\s+(\d{{4}})(?!\d)", re.I
)
DATE_MDY_RE = re.compile(
    rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.I
)
# A line that is only a date (with an optional weekday / "Published" / "Updated" label).
DATE_LINE_PREFIX_RE = re.compile(
    r"\s*(?:(?:published|posted|updated|date)\s*:?\s*)?"
    r"(?:(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?,?\s+)?",
    re.I,
)
ISO_DATE_RE = re.compile(r"\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:$|[T\s])")
UNIX_TS_RE = re.compile(r"\s*(\d{9,13})(?:\.\d+)?\s*")
MIN_YEAR, MAX_YEAR = 1990, 2100

# ---------------------------------------------------------------------------------------
# Encodings (WHATWG rules: labels for Latin-1 and ASCII really mean windows-1252).
# ---------------------------------------------------------------------------------------
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
CP1252_ALIASES: frozenset[str] = frozenset(
    {
        "iso-8859-1", "iso8859-1", "iso_8859-1", "iso-8859-1:1987", "latin1", "latin-1",
        "l1", "cp819", "ibm819", "us-ascii", "ascii", "ansi_x3.4-1968", "iso-ir-100",
        "csisolatin1", "windows-1252", "cp1252", "x-cp1252",
    }
)  # fmt: skip
# Python codecs that decode bytes but are no page's encoding: host-name and escape codecs
# turn a page into something else ("idna" splits it at dots, "unicode_escape" reads its
# backslashes), and "undefined" always raises. A page labelled so is decoded as unlabelled.
NOT_DOCUMENT_CODECS: frozenset[str] = frozenset(
    {"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape"}
)
CONTENT_TYPE_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([^"';\s,]+)""", re.I)
META_CHARSET_RE = re.compile(
    rb"""<meta\b[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I
)
XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml\b[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
# Browsers pre-scan 1024 bytes; some CMSs put long comments first, so look a little further.
META_PRESCAN_BYTES = 4096
# charset_normalizer samples the document anyway; cap its input so 10 MB stays fast.
DETECT_SAMPLE_BYTES = 1_000_000

# ---------------------------------------------------------------------------------------
# Text normalisation
# ---------------------------------------------------------------------------------------
BULLET = "• "
BLOCK_TAGS: frozenset[str] = frozenset(
    {
        "address", "article", "blockquote", "body", "caption", "center", "dd", "details",
        "div", "dl", "dt", "fieldset", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "hgroup", "hr", "html", "li", "main", "ol", "p", "pre", "section", "summary",
        "table", "tbody", "tfoot", "thead", "tr", "ul",
    }
)  # fmt: skip
CELL_TAGS: frozenset[str] = frozenset({"td", "th"})
# Paragraph-like elements whose text counts towards their parent's density score.
DENSITY_TAGS: frozenset[str] = frozenset({"p", "pre", "blockquote", "h2", "h3", "h4"})
# Every kind of space becomes a plain space (so "15 313" keeps its digit-group space);
# zero-width characters and soft hyphens vanish; C0 controls other than tab/newline go.
# Regex substitution runs in C; str.translate with a dict is several times slower.
_SPACE_RUN_RE = re.compile(
    "[ \t\n\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"
)
_DELETED_RE = re.compile("[\x00-\x08\x0e-\x1b\x7f\u00ad\u200b\u2060\ufeff]+")
# Stands for <br> between rendering and line splitting: a private-use character that
# survives the whitespace collapse.
_BR = "\ue000"
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
MAX_TAGS = 250_000  # "<" characters read per page: see _cap_tags

# Context bits carried down the index walk.
_IN_HARD = 1
_IN_NAVLIKE = 2
_IN_ARTICLE = 4
_IN_HEADER = 8
_IN_SVG = 16
_FIRST_SELECTOR_BIT = 32


# =======================================================================================
# Public API
# =======================================================================================
def parse_article(html: str | bytes, url: str | None = None, profile: str | None = None) -> Article:
    """Read the article a page holds. Never raises; linear in the page size.

    ``profile`` forces a source's rules (one of PROFILES); by default it comes from
    ``detect_profile``. ``method`` on the result names the rule that found the body.
    """
    try:
        with gc_paused():
            return _parse(html, url, profile)
    except Exception:  # the contract is "never raises": a bad page must not stop a flow
        log.warning("parse_article failed for %s", url, exc_info=True)
        return _empty(url)


def detect_profile(url: str | None, html: str | None = None) -> str:
    """Which source rules apply: by host first, then by markup (mirrors, test servers)."""
    host = _host(url)
    if host:
        if _host_in(host, NCA_HOSTS):
            return "nca"
        if _host_in(host, EUROPOL_HOSTS):
            return "europol"
        if host in GOVUK_HOSTS:
            return "govuk"
    if html:
        text = html if isinstance(html, str) else bytes(html).decode("latin-1")
        if NCA_MARKUP_HEADLINE_RE.search(text) and NCA_MARKUP_BODY_RE.search(text):
            return "nca"
        if EUROPOL_MARKUP_RE.search(text):
            return "europol"
        if GOVUK_MARKUP_RE.search(text):
            return "govuk"
    return "generic"


def decode_html(data: bytes, content_type: str | None = None, *, charset: str | None = None) -> str:
    """Bytes to text: BOM, then the HTTP charset, then <meta>, then detection. Never raises.

    ``charset`` is the HTTP charset already taken out of a Content-Type (discovery's
    ``FetchResult.encoding``); otherwise it is read from ``content_type``. Every page and
    listing goes through here, so a label naming a codec that is not a text encoding
    ("idna", "undefined", "punycode", "base64") is ignored instead of raising.
    """
    data = bytes(data)
    if not data:
        return ""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    declared: list[str] = [charset] if charset else []
    if content_type and not charset:
        m = CONTENT_TYPE_CHARSET_RE.search(content_type)
        if m:
            declared.append(m.group(1))
    head = data[:META_PRESCAN_BYTES]
    m2 = XML_ENCODING_RE.search(head) or META_CHARSET_RE.search(head)
    if m2:
        label = m2.group(1).decode("ascii", "replace")
        # A <meta> cannot truthfully declare UTF-16: the bytes it is written in are ASCII.
        declared.append("utf-8" if label.lower().startswith("utf-16") else label)
    for label in declared:
        encoding = _python_encoding(label)
        if encoding is None:
            continue
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            if encoding == "utf-8":
                break  # mislabelled as UTF-8: let detection decide
            with contextlib.suppress(Exception):
                # Single-byte pages with a few undefined bytes: keep the rest readable.
                return data.decode(encoding, errors="replace")
        except Exception:  # a hostile label must not stop the run: try the next one
            continue
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    encoding = "cp1252"
    with contextlib.suppress(Exception):  # detection is best effort
        best = charset_normalizer.from_bytes(data[:DETECT_SAMPLE_BYTES]).best()
        if best is not None and best.encoding:
            found = _python_encoding(best.encoding)
            if found:
                encoding = found
    try:
        return data.decode(encoding, errors="replace")
    except Exception:  # whatever detection named, cp1252 always decodes
        return data.decode("cp1252", errors="replace")


# =======================================================================================
# Orchestration
# =======================================================================================
@dataclass(slots=True)
class _Fields:
    title: str | None = None
    published: date | None = None
    publisher: str | None = None
    blocks: list[list[str]] | None = None
    method: str = ""
    tags: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _LdInfo:
    fallback: bool = False  # read from a bare WebPage node: use only when all else fails
    headline: str | None = None
    published: date | None = None
    publisher: str | None = None
    body: str | None = None
    keywords: list[str] = field(default_factory=list)


def _empty(url: str | None) -> Article:
    return Article(url=url, title=None, published=None, publisher=None, body="", method="empty")


def _parse(html: str | bytes, url: str | None, profile: str | None, trim: bool = True) -> Article:
    if html is None:
        return _empty(url)
    if isinstance(html, (bytes, bytearray, memoryview)):
        text = decode_html(bytes(html))
    else:
        text = str(html)
    if not text or text.isspace():  # as "not text.strip()", without copying the page
        return _empty(url)
    # lxml refuses lone surrogates, so a trimmed page has none; the whole-page parse
    # replaces them (scanning a page for them costs more than the trim saves).
    trimmed = _trim(_cap_tags(text)) if trim else None
    if trimmed is not None:
        article = _read_trimmed(trimmed, text, url, profile)
        if article is not None:
            return article
    text = _SURROGATE_RE.sub("\ufffd", text)
    return _read_page(_build_index(_soup(_cap_tags(text))), text, url, profile)


def _read_trimmed(
    trimmed: _Trimmed, text: str, url: str | None, profile: str | None
) -> Article | None:
    """The article from a trimmed page, or None when only the whole page can tell."""
    soup = _soup(trimmed.markup)
    try:
        return _read_page(_build_index(soup, trimmed.cut_chars), text, url, profile)
    except Exception as exc:  # _Inexact, or anything else: the whole page decides
        log.debug("trimmed parse of %s fell back to the whole page: %r", url, exc)
    # The collector is paused (gc_paused) and a bs4 tree is all reference cycles: free
    # it now rather than hold two trees while the whole page is parsed.
    soup.decompose()
    return None


def _read_page(idx: _Index, text: str, url: str | None, profile: str | None) -> Article:
    page_url = url or idx.canonical_url()
    if profile not in PROFILES:
        profile = detect_profile(page_url, text)
    ld = _read_jsonld(idx)
    f = _Fields()
    if profile == "nca":
        _apply_nca(idx, f, page_url)
    elif profile == "europol":
        _apply_europol(idx, f)
    elif profile == "govuk":
        _apply_govuk(idx, f)
    _apply_generic(idx, ld, f, page_url)

    blocks, wix, leading_date = _postprocess(f.blocks or [])
    if wix:
        f.method = "wix"
    if f.published is None:
        f.published = leading_date
    if f.published is None and profile == "nca":
        f.published = _search_date(blocks, NCA_DATE_SEARCH_CHARS)
    if f.title is None:
        f.title = _plain_title(blocks)
    blocks = _drop_leading_title(blocks, f.title)
    body = "\n\n".join("\n".join(lines) for lines in blocks)
    if not body:
        f.method = "empty"
    return Article(
        url=page_url,
        title=_cap_title(f.title),
        published=f.published,
        publisher=f.publisher or None,
        body=body,
        tags=tuple(_dedupe(f.tags)),
        method=f.method or "empty",
    )


def _cap_tags(text: str) -> str:
    """The page up to its MAX_TAGS-th "<".

    bs4 spends about 13 µs and 0.45 KB on every element it builds, so the number of tags,
    not of bytes, bounds a parse: 10 MB of "<br>" is 2.6 million elements, 35 s and 1.2 GB
    (tests/test_reliability_fuzz.py). Real articles hold a few thousand tags and the
    heavy 10 MB page of tests/test_article.py about 100,000; a page with more is broken or
    hostile, and its first MAX_TAGS tags are all that is read.
    """
    if text.count("<") <= MAX_TAGS:
        return text
    cut = -1
    for _ in range(MAX_TAGS):  # str.find runs in C: ~40 ms for the whole cap
        cut = text.find("<", cut + 1)
    return text[:cut]


def _soup(text: str) -> BeautifulSoup:
    # Plain string class attributes: cheaper, and the matchers split them themselves.
    return BeautifulSoup(text, "lxml", multi_valued_attributes=None)


# =======================================================================================
# Source rules
# =======================================================================================
def _apply_nca(idx: _Index, f: _Fields, url: str | None) -> None:
    for fr in idx.matches[NCA_TITLE_SELECTOR]:
        f.title = _clean_title(fr.tag.get_text())
        if f.title:
            break
    f.tags = [t for fr in idx.matches[NCA_TAG_SELECTOR] if (t := _clean_inline(fr.tag.get_text()))]
    bodies = [fr for fr in idx.matches[NCA_BODY_SELECTOR] if not (fr.ctx & _IN_HARD)]
    _require_whole(idx, bodies)
    if bodies:
        best = max(bodies, key=lambda fr: fr.text)  # OpenSanctions asserts exactly one
        body = best.tag
        f.published, skip = _nca_date_paragraph(body)
        blocks = _render([body], idx.dropped | skip | _related_skips(idx, [body], best.text))
        if blocks:
            f.blocks, f.method = blocks, "nca"
    if f.published is None:
        for fr in idx.matches[NCA_DATE_SELECTOR]:
            f.published = _element_date(fr.tag)
            if f.published:
                break
    other = _first(idx.meta(k) for k in META_PUBLISHER_KEYS)
    # A mirror may name itself; the NCA's own pages carry no site-name metadata.
    f.publisher = NCA_PUBLISHER if _host_in(_host(url), NCA_HOSTS) or not other else other


def _nca_date_paragraph(body: Tag) -> tuple[date | None, set[int]]:
    """The date in the last bold paragraph, and the elements to drop from the body."""
    paragraphs = _descendant_tags(body, ("p",))
    for p in reversed(paragraphs):
        strongs = _descendant_tags(p, ("strong", "b"))
        if strongs:
            break
    else:
        return None, set()
    # A date-shaped line that is no real date ("31 February 2025") is still the date
    # line: it goes from the body, and the date stays unknown.
    shaped, found = _nca_date_match(_clean_inline(p.get_text(" ")))
    if shaped:
        return found, {id(p)}
    shaped, found = _nca_date_match(_clean_inline(strongs[-1].get_text(" ")))
    if shaped:
        return found, {id(strongs[-1])}
    shaped, found = _nca_date_match(_clean_inline(" ".join(s.get_text(" ") for s in strongs)))
    if shaped:
        return found, {id(s) for s in strongs}
    return None, set()  # e.g. a bold quote attribution: not a date, keep it


def _descendant_tags(tag: Tag, names: tuple[str, ...]) -> list[Tag]:
    """tag.find_all(names), without bs4 building a filter for every call."""
    return [d for d in tag.descendants if isinstance(d, Tag) and d.name in names]


def _apply_europol(idx: _Index, f: _Fields) -> None:
    f.publisher = EUROPOL_PUBLISHER
    node = None
    for tag in idx.scripts:
        text = tag.string
        if text and "SERVER_DATA" in text:
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


def _apply_govuk(idx: _Index, f: _Fields) -> None:
    f.publisher = idx.meta(GOVUK_PUBLISHER_META)
    f.published = _parse_date_value(idx.meta(GOVUK_DATE_META))
    blocks = _body_from_rule(idx, GOVUK_BODY_SELECTOR, True, 1)
    if blocks:
        f.blocks, f.method = blocks, "govuk"


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


def _html_body(idx: _Index) -> tuple[list[list[str]], str]:
    for method, selector, multi, min_chars in BODY_RULES:
        blocks = _body_from_rule(idx, selector, multi, min_chars)
        if blocks:
            return blocks, method
    if idx.partial:
        raise _Inexact("densest text")  # any element may win, cut ones included
    for fr in idx.densest:
        if idx.inside_dropped(fr.tag):
            continue
        blocks = _render([fr.tag], idx.dropped | _related_skips(idx, [fr.tag], fr.text))
        if blocks:
            return blocks, "density"
    return [], "empty"


def _require_whole(idx: _Index, frames: list[_Frame]) -> None:
    """Body candidates are compared by text and rendered: none may have lost a subtree."""
    if idx.partial and any(TRIM_MARK_ATTR in fr.tag.attrs for fr in frames):
        raise _Inexact("body container with a cut")


def _body_from_rule(idx: _Index, selector: str, multi: bool, min_chars: int) -> list[list[str]]:
    frames = [fr for fr in idx.live(selector) if not (fr.ctx & _IN_HARD)]
    if not frames:
        return []
    _require_whole(idx, frames)
    if multi:
        ids = {id(fr.tag) for fr in frames}
        memo: dict[int, bool] = {}
        roots = [fr for fr in frames if not _has_ancestor_in(fr.tag, ids, memo)]
    else:
        roots = [max(frames, key=lambda fr: fr.text)]
    total = sum(fr.text for fr in roots)
    if total < min_chars:
        return []  # cheap pre-check on the index's text counts before rendering
    tags = [fr.tag for fr in roots]
    blocks = _render(tags, idx.dropped | _related_skips(idx, tags, total))
    return blocks if _chars(blocks) >= min_chars else []


# =======================================================================================
# The index walk
# =======================================================================================
@dataclass(frozen=True, slots=True)
class _Compound:
    """One compound CSS selector: tag, #id, .class, [attr], [attr=v], [attr~=v]."""

    tag: str | None
    id: str | None
    classes: tuple[str, ...]
    attrs: tuple[tuple[str, str | None, str], ...]

    def match(self, name: str, attrs: dict[str, Any]) -> bool:
        if self.tag is not None and name != self.tag:
            return False
        if self.id is not None and attrs.get("id") != self.id:
            return False
        if self.classes:
            value = _attr_str(attrs.get("class"))
            if self.classes[0] not in value:  # a token is a substring: cheap rejection
                return False
            tokens = value.split()
            for c in self.classes:
                if c not in tokens:
                    return False
        for attr, op, want in self.attrs:
            value = attrs.get(attr)
            if value is None:
                return False
            if op is None:
                continue
            have = _attr_str(value).strip().lower()
            if (op == "=" and have != want) or (op == "~=" and want not in have.split()):
                return False
        return True


_PART_RE = re.compile(
    r"""\.([\w-]+)|\#([\w-]+)|\[\s*([\w:-]+)\s*(?:(~?=)\s*(?:"([^"]*)"|'([^']*)'|([^\]\s]+)))?\s*\]"""
)
_TAG_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*|\*")


def _compile_compound(text: str) -> _Compound:
    tag_m = _TAG_RE.match(text)
    pos = tag_m.end() if tag_m else 0
    tag = tag_m.group(0).lower() if tag_m and tag_m.group(0) != "*" else None
    ident: str | None = None
    classes: list[str] = []
    attrs: list[tuple[str, str | None, str]] = []
    while pos < len(text):
        m = _PART_RE.match(text, pos)
        if not m:
            raise ValueError(f"unsupported selector: {text!r}")
        cls, ide, attr, op, v1, v2, v3 = m.groups()
        if cls:
            classes.append(cls)
        elif ide:
            ident = ide
        else:
            value = next((v for v in (v1, v2, v3) if v is not None), "")
            attrs.append((attr.lower(), op, value.lower()))
        pos = m.end()
    return _Compound(tag, ident, tuple(classes), tuple(attrs))


# (selector key or None, compound, ancestor bit needed, bit this element sets)
_Entry = tuple[str | None, _Compound, int, int]


def _compile_selectors(
    selectors: Iterable[str],
) -> tuple[dict[str, list[_Entry]], dict[str, list[_Entry]]]:
    by_tag: dict[str, list[_Entry]] = {}
    by_attr: dict[str, list[_Entry]] = {}
    ancestor_bits: dict[_Compound, int] = {}

    def add(entry: _Entry) -> None:
        comp = entry[1]
        if comp.tag is not None:
            by_tag.setdefault(comp.tag, []).append(entry)
        else:
            first = "class" if comp.classes else "id" if comp.id else comp.attrs[0][0]
            by_attr.setdefault(first, []).append(entry)

    for key in selectors:
        for alternative in key.split(","):
            parts = alternative.split()
            if len(parts) > 2:
                raise ValueError(f"unsupported selector: {alternative!r}")
            need = 0
            if len(parts) == 2:
                anc = _compile_compound(parts[0])
                if anc not in ancestor_bits:
                    ancestor_bits[anc] = _FIRST_SELECTOR_BIT << len(ancestor_bits)
                    add((None, anc, 0, ancestor_bits[anc]))
                need = ancestor_bits[anc]
            add((key, _compile_compound(parts[-1]), need, 0))
    return by_tag, by_attr


_INDEXED_SELECTORS: tuple[str, ...] = (
    NCA_TITLE_SELECTOR,
    NCA_BODY_SELECTOR,
    NCA_TAG_SELECTOR,
    NCA_DATE_SELECTOR,
    JSONLD_SELECTOR,
    MICRODATA_HEADLINE_SELECTOR,
    MICRODATA_DATE_SELECTOR,
    TIME_SELECTOR,
    CANONICAL_SELECTOR,
    *(sel for _, sel, _, _ in BODY_RULES),
)
_BY_TAG, _BY_ATTR = _compile_selectors(dict.fromkeys(_INDEXED_SELECTORS))


class _Frame:
    """What the index walk learns about one element."""

    __slots__ = (
        "anchor",
        "ck_blocked",
        "ck_chars",
        "ck_hit",
        "ck_pending",
        "ctx",
        "pscore",
        "soft",
        "tag",
        "text",
    )

    def __init__(self, tag: Tag, ctx: int) -> None:
        self.tag = tag
        self.ctx = ctx
        self.soft = False
        self.anchor = False
        self.text = 0  # characters of visible text below, boilerplate tags excluded
        self.pscore = 0  # paragraph text directly below: the density score
        self.ck_hit = False
        self.ck_chars = 0
        self.ck_pending: list[Tag] | None = None
        self.ck_blocked = False


class _Index:
    def __init__(self, root: Tag, cut_chars: int | None = None) -> None:
        self.root = root
        # Built from a trimmed page (see _trim): the text it lost, as the index counts it.
        self.partial = cut_chars is not None
        self.cut_chars = cut_chars or 0
        self.matches: dict[str, list[_Frame]] = {k: [] for k in _INDEXED_SELECTORS}
        self.metas: dict[str, list[str]] = {}
        self.title_text: str | None = None
        self.scripts: list[Tag] = []
        self.h1s: list[_Frame] = []
        self.headings: list[_Frame] = []
        self.soft: list[_Frame] = []
        self.cookie_dropped: set[int] = set()
        self.dense_heap: list[tuple[int, int, _Frame]] = []
        self.densest: list[_Frame] = []
        self.dropped: frozenset[int] = frozenset()
        self.total = 0
        self._memo: dict[int, bool] = {}
        self._seq = 0
        self._related: list[Tag] | None = None

    # -- queries -------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        return _first(_clean_inline(v) for v in self.meta_values(key))

    def meta_values(self, key: str) -> list[str]:
        if self.partial and key not in META_READ_KEYS:
            raise _Inexact(f"<meta> {key} was not kept")  # add it to META_READ_KEYS
        return self.metas.get(key, [])

    def live(self, selector: str) -> list[_Frame]:
        """Matches of a selector that are not inside a boilerplate block."""
        return [fr for fr in self.matches[selector] if not self.inside_dropped(fr.tag)]

    def inside_dropped(self, tag: Tag) -> bool:
        return _has_ancestor_in(tag, self.dropped, self._memo, inclusive=True)

    def related_headings(self) -> list[Tag]:
        if self._related is None:
            found: list[Tag] = []
            for fr in self.headings:
                if RELATED_HEADING_RE.fullmatch(_clean_inline(fr.tag.get_text(" "))):
                    found.append(fr.tag)
                    if len(found) >= RELATED_HEADINGS_CHECKED:
                        break
            self._related = found
        return self._related

    def canonical_url(self) -> str | None:
        for fr in self.matches[CANONICAL_SELECTOR]:
            href = _attr_str(fr.tag.get("href")).strip()
            if href.startswith(("http://", "https://")):
                return href
        return _first(
            u
            for k in META_URL_KEYS
            if (u := self.meta(k)) and u.startswith(("http://", "https://"))
        )

    def h1_candidates(self) -> list[Tag]:
        """Article h1 first, then any outside page furniture, then any at all."""
        live = [fr for fr in self.h1s if not self.inside_dropped(fr.tag)] or self.h1s
        ranked = sorted(
            live,
            key=lambda fr: (
                0 if fr.ctx & _IN_ARTICLE and not fr.ctx & _IN_NAVLIKE else
                1 if not fr.ctx & (_IN_NAVLIKE | _IN_HEADER) else
                2 if not fr.ctx & _IN_NAVLIKE else 3
            ),
        )  # fmt: skip
        return [fr.tag for fr in ranked]

    # -- the walk --------------------------------------------------------------------
    def enter(self, tag: Tag, parent: _Frame) -> _Frame:
        name = tag.name
        attrs = tag.attrs
        pctx = parent.ctx
        ctx = pctx
        if name in HARD_SKIP_TAGS:
            ctx |= _IN_HARD
            if name in NAVLIKE_TAGS:
                ctx |= _IN_NAVLIKE
            elif name == "header":
                ctx |= _IN_HEADER
            elif name in ("svg", "math"):
                ctx |= _IN_SVG
        elif name == "article" or name == "main":
            ctx |= _IN_ARTICLE
        fr = _Frame(tag, ctx)
        hard = bool(ctx & _IN_HARD)

        if name == "meta":
            self._add_meta(attrs)
        elif name == "title":
            if self.title_text is None and not ctx & _IN_SVG:
                self.title_text = tag.get_text()
        elif name == "script":
            if "src" not in attrs:
                self.scripts.append(tag)
        elif name == "h1":
            self.h1s.append(fr)

        matched: list[str] = []
        entries = _BY_TAG.get(name, ())
        if attrs:
            entries = [*entries, *(e for attr in attrs for e in _BY_ATTR.get(attr, ()))]
        for key, comp, need, sets in entries:  # the hot loop of a large page: inlined
            if (need and not pctx & need) or not comp.match(name, attrs):
                continue
            if sets:
                fr.ctx |= sets
            if key is not None and key not in matched:
                matched.append(key)
        for key in matched:
            if key in ANCHOR_SELECTORS:
                if hard:
                    continue  # a body container inside <nav>/<header> is furniture
                fr.anchor = True
            self.matches[key].append(fr)
        if not hard and attrs and name not in ("html", "body"):
            fr.soft = _soft_boilerplate(attrs)
        return fr

    def _add_meta(self, attrs: dict[str, Any]) -> None:
        content = attrs.get("content")
        if content is None:
            return
        content = _attr_str(content)
        for attr in META_KEY_ATTRS:
            key = attrs.get(attr)
            if key:
                self.metas.setdefault(_attr_str(key).strip().lower(), []).append(content)

    def text(self, node: NavigableString, fr: _Frame) -> None:
        if fr.ctx & _IN_HARD or node.isspace():
            return
        n = len(node)
        fr.text += n
        fr.pscore += n
        if COOKIE_WORD_RE.search(node):
            fr.ck_chars += n
            if COOKIE_BANNER_TEXT_RE.search(node):
                fr.ck_hit = True

    def exit(self, fr: _Frame, stack: list[_Frame]) -> None:
        parent = stack[-1]
        parent.text += fr.text
        parent.ck_chars += fr.ck_chars
        if fr.anchor:
            parent.anchor = True
        name = fr.tag.name
        if fr.ctx & _IN_HARD:
            return
        if name in DENSITY_TAGS:
            parent.pscore += fr.text
            if len(stack) > 1:
                stack[-2].pscore += fr.text // 2
        if fr.pscore:
            self._seq += 1
            item = (fr.pscore, -self._seq, fr)  # ties: the earlier element wins
            if len(self.dense_heap) < DENSITY_CANDIDATES:
                heapq.heappush(self.dense_heap, item)
            elif item[:2] > self.dense_heap[0][:2]:
                heapq.heapreplace(self.dense_heap, item)
        if fr.soft and not fr.anchor:
            self.soft.append(fr)
        if name in RELATED_HEADING_TAGS and 0 < fr.text <= RELATED_HEADING_MAX_CHARS:
            self.headings.append(fr)
        self._cookie_exit(fr, parent, name)

    @staticmethod
    def _whole_text(fr: _Frame) -> int:
        """An element's text count on the whole page: here plus what was cut below it."""
        return fr.text + int(fr.tag.attrs.get(TRIM_MARK_ATTR) or 0)

    def _cookie_exit(self, fr: _Frame, parent: _Frame, name: str) -> None:
        if not (fr.ck_hit or fr.ck_pending):
            return
        text = self._whole_text(fr) if self.partial else fr.text
        qualifies = (
            not fr.ck_blocked
            and not fr.anchor
            and name not in COOKIE_STOP_TAGS
            and text <= COOKIE_BLOCK_MAX_CHARS
            and fr.ck_chars >= COOKIE_SHARE_MIN * text
        )
        if qualifies:
            # This element is a better (larger) banner than anything found below it.
            if parent.ck_pending is None:
                parent.ck_pending = []
            parent.ck_pending.append(fr.tag)
        else:
            if fr.ck_pending:
                self.cookie_dropped.update(id(t) for t in fr.ck_pending)
            parent.ck_blocked = True

    def finish(self, root: _Frame) -> None:
        self.total = root.text + self.cut_chars
        if root.ck_pending:
            self.cookie_dropped.update(id(t) for t in root.ck_pending)
        limit = SOFT_MASS_GUARD * self.total
        if self.partial:
            dropped = {id(fr.tag) for fr in self.soft if self._whole_text(fr) <= limit}
        else:
            dropped = {id(fr.tag) for fr in self.soft if fr.text <= limit}
        self.dropped = frozenset(dropped | self.cookie_dropped)
        self.densest = [fr for _, _, fr in sorted(self.dense_heap, reverse=True)]
        self.soft = []


def _build_index(soup: BeautifulSoup, cut_chars: int | None = None) -> _Index:
    idx = _Index(soup, cut_chars)
    root = _Frame(soup, 0)
    stack = [root]
    # descendants is a flat linked-list walk (no recursion); closing tags are inferred by
    # popping the stack until the node's parent is on top.
    for node in soup.descendants:
        parent = node.parent
        while stack[-1].tag is not parent and len(stack) > 1:
            fr = stack.pop()
            idx.exit(fr, stack)
        if isinstance(node, Tag):
            stack.append(idx.enter(node, stack[-1]))
        elif type(node) is NavigableString or type(node) is CData:
            idx.text(node, stack[-1])
    while len(stack) > 1:
        fr = stack.pop()
        idx.exit(fr, stack)
    idx.finish(root)
    return idx


def _has_ancestor_in(
    tag: Tag, ids: set[int] | frozenset[int], memo: dict[int, bool], inclusive: bool = False
) -> bool:
    """Whether tag (or, if inclusive, tag itself) lies under an element in ids.

    Memoised along the path, so checking every element of a page stays linear even
    when the page is nested thousands of levels deep.
    """
    if not ids:
        return False
    path: list[int] = []
    node = tag if inclusive else tag.parent
    result = False
    while node is not None:
        key = id(node)
        if key in memo:
            result = memo[key]
            break
        if key in ids:
            result = True
            break
        path.append(key)
        node = node.parent
    for key in path:
        memo[key] = result
    return result


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


# =======================================================================================
# Trimming: the page without the subtrees no rule reads
# =======================================================================================
class _Inexact(Exception):
    """A rule asked a trimmed tree what only the whole page can answer."""


@dataclass(frozen=True, slots=True)
class _Trimmed:
    markup: str
    cut_chars: int  # text the cuts held, as the index counts it


# On every ancestor of a cut: how much text the index would have counted below it.
TRIM_MARK_ATTR = "data-optally-trimmed"
# bs4 types the strings below these apart (RubyTextString...): the index never counts them.
_RUBY_TAGS: frozenset[str] = frozenset({"rt", "rp"})
_UNCOUNTED_TAGS: frozenset[str] = HARD_SKIP_TAGS | _RUBY_TAGS
_CUT_TAG = "optally-cut"
# The trim relies on libxml2 reading its own serialisation back as the same tree, and on
# its tree mode building what its SAX mode (bs4's) reports. Checked for the HTML5
# tokenizer of libxml2 2.14; with an older one every page is parsed whole.
TRIM_MIN_LIBXML = (2, 14)
# lxml's tree mode stops nesting at 256 levels; bs4's SAX mode does not.
TRIM_MAX_DEPTH = 200
_HTML_SPACE = " \t\n\r\f"
_DOCTYPE_RE = re.compile(r"<!(?i:doctype)")
# libxml2's serialiser percent-escapes href values that are not printable ASCII.
_URI_UNSAFE_RE = re.compile(r"[^\x21-\x7e]")
# Raw text to the parser, but escaped by the serialiser.
_ESCAPED_RAW_TAGS: tuple[str, ...] = ("xmp", "iframe", "noembed", "noframes")


# Tags too common to walk: their selectors are found through an attribute instead.
_COMMON_TAGS: frozenset[str] = frozenset({"div", "span", "p", "a", "li", "ul", "section"})
_ProtectEntry = tuple[str, _Compound, bool]  # (class needle, compound, is a body container)
_AnchorEntry = tuple[str, _Compound]  # (class needle, compound)


def _protect_plan() -> tuple[
    dict[str, list[_ProtectEntry]], dict[str, list[_ProtectEntry]], dict[str, list[_AnchorEntry]]
]:
    """Where to look for what the index collects.

    Returns entries looked up before cutting, by tag and by attribute, and the body
    container selectors looked for only inside would-be cuts (see _scan_cut): by
    attribute too, but each attribute scan of a whole page costs as much as the cut
    saves. Only anchor selectors may wait so: inside a hard-skip context the index ignores
    them, so a cut there loses nothing. Of "li[itemprop~=keywords] a" only the li is
    looked for: it is kept whole, and the links with it. <title>, <meta> and <h1> are
    recorded by enter() whatever they match.
    """
    body_keys = set(_BODY_SELECTORS)
    any_element = _Compound(None, None, (), ())
    by_tag: dict[str, list[_ProtectEntry]] = {
        "title": [("", any_element, False)],
        "h1": [("", any_element, False)],
        "meta": [],  # only those carrying a key some rule reads: see _read_by_tag
    }
    by_attr: dict[str, list[tuple[str, _Compound, str]]] = {}
    for key in _INDEXED_SELECTORS:
        for alternative in key.split(","):
            comp = _compile_compound(alternative.split()[0])
            if comp.tag is not None and comp.tag not in _COMMON_TAGS:
                by_tag.setdefault(comp.tag, []).append(("", comp, key in body_keys))
            elif comp.attrs:
                by_attr.setdefault(comp.attrs[0][0], []).append(("", comp, key))
            elif comp.classes:
                by_attr.setdefault("class", []).append((comp.classes[0], comp, key))
            else:
                raise ValueError(f"selector not found by tag or attribute: {key!r}")
    scan: dict[str, list[_ProtectEntry]] = {}
    lazy: dict[str, list[_AnchorEntry]] = {}
    for attr, entries in by_attr.items():
        if all(key in ANCHOR_SELECTORS for _, _, key in entries):
            lazy[attr] = [(needle, comp) for needle, comp, _ in entries]
        else:
            scan[attr] = [(needle, comp, key in body_keys) for needle, comp, key in entries]
    return by_tag, scan, lazy


_BODY_SELECTORS: tuple[str, ...] = (NCA_BODY_SELECTOR, *(sel for _, sel, _, _ in BODY_RULES))
_PROTECT_BY_TAG, _PROTECT_BY_ATTR, _ANCHORS_BY_ATTR = _protect_plan()
_PROTECT_ATTR_XPATH = etree.XPath(" | ".join(f"//@{a}" for a in _PROTECT_BY_ATTR))
_DEEP_XPATH = etree.XPath("boolean(" + "/*" * TRIM_MAX_DEPTH + ")")
_MARK_XPATH = etree.XPath(f"boolean(//@{TRIM_MARK_ATTR})")
# One string per text run: the parser joins adjacent character data into one node.
_TEXT_XPATH = etree.XPath("descendant-or-self::text()", smart_strings=False)
# No element children and no text any rule reads: they can go from anywhere.
_INVISIBLE_XPATH = etree.XPath("//script | //style | //link | //base | //meta")


def _trim(text: str) -> _Trimmed | None:
    """The page with the subtrees no rule can read cut out, or None to parse it whole.

    See the module docstring. The lxml parse is bs4's own: same parser, options and
    single feed of the same text, so its tree is the one bs4 would build, except where
    the checks here and in _trim_tree say otherwise (and then nothing is trimmed).
    """
    if etree.LIBXML_VERSION < TRIM_MIN_LIBXML:
        return None
    if text.startswith("\ufeff"):
        text = text[1:]  # as bs4 does before lxml sees the page
    if _misplaced_doctype(text):
        return None  # in lxml's tree a doctype inside the page vanishes; bs4 keeps it
    try:
        return _trim_tree(text)
    except Exception as exc:  # lxml refusing a string, say: the page is read whole
        log.debug("page not trimmed: %r", exc)
        return None


def _misplaced_doctype(text: str) -> bool:
    """Whether a doctype stands anywhere but first (after white space and comments)."""
    first = _DOCTYPE_RE.search(text)
    if first is None:
        return False
    return first.start() != _prolog_end(text) or _DOCTYPE_RE.search(text, first.end()) is not None


def _prolog_end(text: str) -> int:
    """Where the page's leading white space and plain comments end."""
    pos = 0
    while True:
        while pos < len(text) and text[pos] in _HTML_SPACE:
            pos += 1
        if not text.startswith("<!--", pos) or text.startswith(("<!-->", "<!--->"), pos):
            return pos
        end = text.find("-->", pos + 4)
        if end < 0 or "--!>" in text[pos:end]:
            return pos
        pos = end + 3


def _trim_tree(text: str) -> _Trimmed | None:
    parser = etree.HTMLParser(recover=True)  # bs4's parser, options and single feed
    parser.feed(text)
    root = parser.close()
    if root is None or not _plain_skeleton(root):
        return None
    doc = root.getroottree()
    if next(doc.iter(_CUT_TAG), None) is not None:
        return None  # the page's own <optally-cut> would be stripped with the cuts
    # Only 50 "related" headings are checked: with more, cut ones could change which.
    headings = sum(1 for _ in doc.iter(*RELATED_HEADING_TAGS))
    if _DEEP_XPATH(doc) or headings > RELATED_HEADINGS_CHECKED:
        return None
    bodies, others = _protected(doc)
    if not bodies:
        return None
    # An outer container (a <main> round the article body) is used only if the inner one
    # fails; cutting beside the inner one pays, and a rule that reads the outer one raises.
    keep = others | (bodies - _outer(bodies))
    path = _paths_to(keep)
    cutter = _Cutter(blanks_may_join=True)
    direct = _cut_around(path, keep, cutter)
    if cutter.count:
        etree.strip_elements(doc, _CUT_TAG, with_tail=False)
    if _MARK_XPATH(doc):
        return None  # the page's own use of the mark would read as cut text
    marks = _marks(direct)
    for node, chars in marks.items():
        node.set(TRIM_MARK_ATTR, str(chars))
    invisible = _Cutter(blanks_may_join=False)  # these may stand inside a body container
    for el in _INVISIBLE_XPATH(doc):
        if el not in keep and el.getparent() is not None:
            invisible.cut(el)
    if not (cutter.count or invisible.count):
        return None
    if invisible.count:
        etree.strip_elements(doc, _CUT_TAG, with_tail=False)
    _drop_blank_text(marks)
    for el in doc.iter("li"):
        if not el.text and not len(el):
            el.append(etree.Comment())  # the serialiser drops an empty <li>'s end tag
    for el in doc.iter("plaintext", *_ESCAPED_RAW_TAGS):
        if el.tag == "plaintext" or any(ch in (el.text or "") for ch in "&<>"):
            return None
    for el in others:  # canonical URLs are read from href
        if el.tag == "link" and _URI_UNSAFE_RE.search(el.get("href") or ""):
            return None
    markup = etree.tostring(root, method="html", encoding="unicode", with_tail=False)
    if "\r" in markup:  # from "&#13;": written raw, it would read back as "\n"
        return None
    return _Trimmed(markup, marks.get(root, 0))


def _plain_skeleton(root: Any) -> bool:
    """<html> holding <head> and <body> only: content after </body> or </html> differs.

    After an early </html> libxml2 opens a second <html> (which iter() would miss), and
    text left directly in <html> reads back into an implied <body> once what stood
    before it is cut.
    """
    if root.tag != "html" or (root.text and not root.text.isspace()):
        return False
    for node in (*root.itersiblings(), *root.itersiblings(preceding=True)):
        if isinstance(node.tag, str):
            return False
    for child in root:
        if isinstance(child.tag, str) and child.tag not in ("head", "body"):
            return False
        if child.tail and not child.tail.isspace():
            return False
    return True


def _protected(doc: Any) -> tuple[set[Any], set[Any]]:
    """(body containers, everything else the index collects), as lxml elements.

    The index's own compound matchers decide, without their ancestor conditions, so the
    sets hold at least what the index would find.
    """
    bodies: set[Any] = set()
    others: set[Any] = set()
    for el in doc.iter(*_PROTECT_BY_TAG, "script"):
        tag = el.tag
        if _read_by_tag(el):
            others.add(el)
        for _, comp, is_body in _PROTECT_BY_TAG.get(tag, ()):
            if comp.match(tag, el.attrib):
                (bodies if is_body else others).add(el)
    for value in _PROTECT_ATTR_XPATH(doc):
        el = value.getparent()
        for needle, comp, is_body in _PROTECT_BY_ATTR[value.attrname]:
            if needle in value and comp.match(el.tag, el.attrib):
                (bodies if is_body else others).add(el)
    return bodies, others


def _read_by_tag(el: Any) -> bool:
    """A <meta> filed under a key some rule reads, or a script Europol's rule reads."""
    if el.tag == "script":
        return "SERVER_DATA" in (el.text or "")
    if el.tag != "meta" or el.get("content") is None:
        return False
    for attr in META_KEY_ATTRS:
        key = el.get(attr)
        if key and key.strip().lower() in META_READ_KEYS:
            return True
    return False


# The walks below remember what they have seen, so that a page of 250,000 tags nested
# 200 deep stays linear.
def _outer(bodies: set[Any]) -> set[Any]:
    """Body containers that hold another one."""
    outer: set[Any] = set()
    seen: set[Any] = set()
    for el in bodies:
        node = el.getparent()
        while node is not None and node not in seen:
            seen.add(node)
            if node in bodies:
                outer.add(node)
            node = node.getparent()
    return outer


def _paths_to(keep: set[Any]) -> set[Any]:
    """Ancestors of the kept elements that are not inside a kept element."""
    path: set[Any] = set()
    inside: set[Any] = set()
    for el in keep:
        chain: list[Any] = []
        node = el.getparent()
        while node is not None and node not in path:
            if node in keep or node in inside:  # el is inside a kept subtree
                inside.update(chain)
                chain = []
                break
            chain.append(node)
            node = node.getparent()
        path.update(chain)
    return path


def _cut_around(path: set[Any], keep: set[Any], cutter: _Cutter) -> dict[Any, int]:
    """Cut every child of a path element that is neither kept nor on a path.

    Returns, for each element that lost children, the text they held as the index
    counts it. A cut in a hard-skip context (head, nav, footer...) changes no count.
    Cookie banners are found by widening from their text upwards, so text with a cookie
    word is cut only where nothing above it can be a banner.
    """
    hard: dict[Any, bool] = {}
    ruby: dict[Any, bool] = {}
    stop: dict[Any, bool] = {}
    direct: dict[Any, int] = {}
    for parent in path:
        parent_hard = _any_of(parent, HARD_SKIP_TAGS, hard)
        counted = not (parent_hard or _any_of(parent, _RUBY_TAGS, ruby))
        for child in parent:
            tag = child.tag
            if not isinstance(tag, str) or child in keep or child in path:
                continue
            chars = 0
            if not (parent_hard or tag in HARD_SKIP_TAGS):
                chars, cookie, anchor = _scan_cut(child, counted and tag not in _RUBY_TAGS)
                if anchor or (cookie and not _all_of(parent, COOKIE_STOP_TAGS, stop)):
                    continue
            direct[parent] = direct.get(parent, 0) + chars
            cutter.cut(child)
    return direct


def _scan_cut(el: Any, counted: bool) -> tuple[int, bool, bool]:
    """A would-be cut outside hard-skip tags, as the index would see it.

    Returns the length of the text it counts there, whether a cookie word is in it,
    and whether a body container selector matches in it: such a subtree stays whole.
    """
    every_string_counts = True
    for node in el.iter(etree.Element):
        if node.tag in _UNCOUNTED_TAGS:
            every_string_counts = False
        for attr in node.keys():  # noqa: SIM118 -- iterating an lxml element yields children
            for needle, comp in _ANCHORS_BY_ATTR.get(attr, ()):
                if needle in node.get(attr) and comp.match(node.tag, node.attrib):
                    return 0, False, True
    if not counted:
        return 0, False, False
    if every_string_counts:  # the usual case, and one XPath call gets them all
        parts = [t for t in _TEXT_XPATH(el) if not t.isspace()]
    else:
        parts = _counted_strings(el)
    # Per string, as the index looks: the separator stops a word spanning two.
    return sum(map(len, parts)), COOKIE_WORD_RE.search("\0".join(parts)) is not None, False


def _counted_strings(el: Any) -> list[str]:
    """The strings below el that _Index.text counts: outside hard-skip and ruby tags."""
    parts: list[str] = []
    stack = [el]
    while stack:
        node = stack.pop()
        text = node.text
        if text and not text.isspace():
            parts.append(text)
        for child in node:
            tail = child.tail
            if tail and not tail.isspace():
                parts.append(tail)
            if isinstance(child.tag, str) and child.tag not in _UNCOUNTED_TAGS:
                stack.append(child)
    return parts


def _marks(direct: dict[Any, int]) -> dict[Any, int]:
    """For every ancestor of a cut, the text cut anywhere below it."""
    depth: dict[Any, int] = {}
    for el in direct:
        chain: list[Any] = []
        node = el
        while node is not None and node not in depth:
            chain.append(node)
            node = node.getparent()
        d = depth[node] if node is not None else 0
        for n in reversed(chain):
            d += 1
            depth[n] = d
    marks = dict.fromkeys(depth, 0)
    for node in sorted(depth, key=depth.__getitem__, reverse=True):  # children first
        marks[node] += direct.get(node, 0)
        parent = node.getparent()
        if parent is not None:
            marks[parent] += marks[node]
    return marks


def _drop_blank_text(marked: Iterable[Any]) -> None:
    """White space directly in a marked element: no rule reads it, bs4 builds it all the same.

    A marked element is never rendered or measured by its text (_require_whole), and
    white space between elements joins no other text when it goes.
    """
    for parent in marked:
        if parent.text is not None and parent.text.isspace():
            parent.text = None
        for child in parent:
            if child.tail is not None and child.tail.isspace():
                child.tail = None


def _any_of(el: Any, tags: frozenset[str], memo: dict[Any, bool]) -> bool:
    """Whether el or an ancestor is one of tags."""
    return _up_the_chain(el, tags, memo, any_=True)


def _all_of(el: Any, tags: frozenset[str], memo: dict[Any, bool]) -> bool:
    """Whether el and all its ancestors are among tags."""
    return _up_the_chain(el, tags, memo, any_=False)


def _up_the_chain(el: Any, tags: frozenset[str], memo: dict[Any, bool], *, any_: bool) -> bool:
    # Memoised per element, so a walk over every element climbs each chain once.
    chain: list[Any] = []
    node = el
    while node is not None and node not in memo:
        chain.append(node)
        node = node.getparent()
    acc = memo[node] if node is not None else not any_
    for n in reversed(chain):
        acc = (acc or n.tag in tags) if any_ else (acc and n.tag in tags)
        memo[n] = acc
    return acc


class _Cutter:
    """Renames elements for strip_elements, which keeps their tail text.

    Stripping joins a tail to the text before the element. One string where there were
    two is counted differently (the index skips blank strings: "  " and "x" count 1,
    "  x" counts 3; bs4 shrinks a blank string to one character), so an empty comment
    keeps them apart as the element did; comments are invisible to every rule, but each
    costs bs4 a node. Between cuts directly in a marked element two blanks may join: no
    rule reads a marked element's own strings except to count them, and blanks count 0.
    """

    def __init__(self, blanks_may_join: bool) -> None:
        self.count = 0
        self._blanks_may_join = blanks_may_join
        self._after: dict[Any, int] = {}  # cut element -> the text running on past it

    def cut(self, el: Any) -> None:
        prev = el.getprevious()
        if prev is None:
            before = _text_kind(el.getparent().text)
        elif prev.tag == _CUT_TAG:
            before = self._after[prev]
        else:
            before = _text_kind(prev.tail)
        tail = _text_kind(el.tail)
        if before and tail and (before == _TEXT or tail == _TEXT or not self._blanks_may_join):
            el.addprevious(etree.Comment())
            self._after[el] = tail
        else:
            self._after[el] = max(before, tail)
        el.tag = _CUT_TAG
        self.count += 1


_BLANK, _TEXT = 1, 2


def _text_kind(text: str | None) -> int:
    """0 for no text, _BLANK for white space only, _TEXT otherwise."""
    if not text:
        return 0
    return _BLANK if text.isspace() else _TEXT


# =======================================================================================
# Rendering: element tree -> blocks of lines
# =======================================================================================
class _Renderer:
    def __init__(self, skip: frozenset[int] | set[int]) -> None:
        self.skip = skip
        self.blocks: list[list[str]] = []
        self.parts: list[str] = []
        self.bullet = False
        self.pre = 0

    def flush(self) -> None:
        if not self.parts:
            return
        text = _DELETED_RE.sub("", "".join(self.parts))
        self.parts = []
        para: list[str] = []
        for raw in text.split(_BR):
            line = _SPACE_RUN_RE.sub(" ", raw).strip()
            if line:
                para.append(line)
            elif para:  # an empty line is two <br>s in a row: a paragraph break
                self._emit(para)
                para = []
        if para:
            self._emit(para)

    def _emit(self, para: list[str]) -> None:
        if self.bullet:
            para[0] = BULLET + para[0]
            self.bullet = False
        self.blocks.append(para)

    def _open(self, name: str) -> None:
        self.flush()
        if name == "li":
            self.bullet = True
        elif name == "pre":
            self.pre += 1

    def _close(self, name: str) -> None:
        self.flush()
        if name == "li":
            self.bullet = False
        elif name == "pre":
            self.pre -= 1

    def run(self, root: Tag) -> None:
        # The hot loop of a large page: block/cell handling is inlined on purpose.
        skip = self.skip
        parts = self.parts
        block_tags = BLOCK_TAGS
        if root.name in block_tags:
            self._open(root.name)
        stack = [(root, iter(root.contents))]
        while stack:
            tag, children = stack[-1]
            node = next(children, None)
            if node is None:
                stack.pop()
                name = tag.name
                if name in block_tags:
                    self._close(name)
                    parts = self.parts
                elif name in CELL_TAGS:
                    parts.append(" ")
                continue
            if isinstance(node, Tag):
                name = node.name
                if name in HARD_SKIP_TAGS or id(node) in skip:
                    continue
                if name == "br":
                    parts.append(_BR)
                    continue
                if name in block_tags:
                    self._open(name)
                    parts = self.parts
                elif name in CELL_TAGS:
                    parts.append(" ")
                stack.append((node, iter(node.contents)))
            elif type(node) is NavigableString or type(node) is CData:
                if self.pre:
                    parts.append(node.replace("\r\n", _BR).replace("\n", _BR))
                else:
                    parts.append(node)
        self.flush()
        self.bullet = False


def _render(roots: Sequence[Tag], skip: frozenset[int] | set[int]) -> list[list[str]]:
    r = _Renderer(skip)
    for root in roots:
        r.run(root)
    return r.blocks


def _related_skips(idx: _Index, roots: Sequence[Tag], total: int) -> set[int]:
    """Onward-journey blocks ("Most read", "Related stories") opened by a heading."""
    headings = idx.related_headings()
    if not headings:
        return set()
    root_ids = {id(r) for r in roots}
    skips: set[int] = set()
    for heading in headings:
        if not _under_roots(heading, root_ids):
            continue
        region = _related_region(heading, root_ids)
        if sum(_text_len(n) for n in region) <= RELATED_MAX_SHARE * total:
            skips.update(id(n) for n in region)
    return skips


def _related_region(heading: Tag, root_ids: set[int]) -> list[Tag]:
    node: Tag = heading
    while True:
        parent = node.parent
        if parent is None or id(parent) in root_ids:
            break
        if any(_has_text(s) for s in _siblings(node, before=True)):
            break
        if any(_has_text(s) for s in _siblings(node, before=False)):
            return [parent]  # the heading opens this element: it is the block
        node = parent  # a wrapper around the heading alone: look one level up
    # The heading sits among article text: drop it and the link lists after it, up to the
    # next heading or the next paragraph of prose.
    region: list[Tag] = [node]
    for sib in _siblings(node, before=False):
        if not isinstance(sib, Tag):
            continue
        if sib.name in {"h1", "h2", "h3", "h4", "h5", "h6"} or sib.find(["h1", "h2", "h3"]):
            break
        if sib.name == "p" and not _mostly_links(sib):
            break
        region.append(sib)
    return region


def _mostly_links(tag: Tag) -> bool:
    total = _text_len(tag)
    linked = sum(_text_len(a) for a in tag.find_all("a"))
    return total == 0 or linked * 2 >= total


def _siblings(node: Any, before: bool) -> Iterable[Any]:
    sib = node.previous_sibling if before else node.next_sibling
    while sib is not None:
        yield sib
        sib = sib.previous_sibling if before else sib.next_sibling


def _has_text(node: Any) -> bool:
    if isinstance(node, Tag):
        if node.name in HARD_SKIP_TAGS:
            return False
        return any(not s.isspace() for s in node.strings if type(s) is NavigableString)
    return type(node) is NavigableString and not node.isspace()


def _under_roots(tag: Tag, root_ids: set[int]) -> bool:
    node = tag.parent
    while node is not None:
        if id(node) in root_ids:
            return True
        node = node.parent
    return False


def _text_len(node: Any) -> int:
    if isinstance(node, Tag):
        return sum(len(s) for s in node.strings if type(s) is NavigableString)
    return len(node) if type(node) is NavigableString else 0


# =======================================================================================
# Post-processing of the rendered blocks
# =======================================================================================
def _postprocess(blocks: list[list[str]]) -> tuple[list[list[str]], bool, date | None]:
    """Wix markers, "Recent Posts" tails, furniture lines, a leading date line."""
    flat = [(i, line) for i, lines in enumerate(blocks) for line in lines]
    wix = False
    top = next((k for k, (_, line) in enumerate(flat) if WIX_TOP_RE.fullmatch(line)), None)
    if top is not None:
        flat, wix = flat[top + 1 :], True
    bottom = None
    for k in range(len(flat) - 1, -1, -1):
        if WIX_BOTTOM_RE.fullmatch(flat[k][1]):
            bottom = k
            break
    if bottom is not None:
        flat, wix = flat[:bottom], True
    tail = next((k for k, (_, line) in enumerate(flat) if WIX_TAIL_RE.fullmatch(line)), None)
    if tail is not None:
        before = sum(len(line) for _, line in flat[:tail])
        total = before + sum(len(line) for _, line in flat[tail:])
        if before >= WIX_TAIL_MIN_SHARE * total:
            flat = flat[:tail]
        else:
            flat = [(i, line) for i, line in flat if not WIX_TAIL_RE.fullmatch(line)]
    flat = [(i, line) for i, line in flat if not _is_furniture(line)]
    leading: date | None = None
    for k, (_, line) in enumerate(flat[:LEADING_DATE_LINES]):
        found = _date_only_line(line)
        if found:
            leading = found
            del flat[k]
            break
    out: list[list[str]] = []
    last = None
    for i, line in flat:
        if i != last:
            out.append([])
            last = i
        out[-1].append(line)
    return out, wix, leading


def _is_furniture(line: str) -> bool:
    text = line[len(BULLET) :] if line.startswith(BULLET) else line
    return not text.strip(" •") or bool(BOILERPLATE_LINE_RE.fullmatch(text))


def _drop_leading_title(blocks: list[list[str]], title: str | None) -> list[list[str]]:
    if not title:
        return blocks
    want = _comparable(title)
    seen = 0
    chrome = 0
    for b, lines in enumerate(blocks):
        for i, line in enumerate(lines):
            if _comparable(line) == want:
                rest = lines[i + 1 :]
                remaining = ([rest] if rest else []) + blocks[b + 1 :]
                return remaining or blocks  # a page whose only line is its title keeps it
            seen += 1
            chrome += len(line)
            if seen >= LEADING_TITLE_LINES or chrome > LEADING_CHROME_MAX_CHARS:
                return blocks
    return blocks


def _comparable(text: str) -> str:
    if text.startswith(BULLET):
        text = text[len(BULLET) :]
    return re.sub(r"\W+", " ", text.casefold()).strip()


def _plain_title(blocks: list[list[str]]) -> str | None:
    lines = [line for lines in blocks for line in lines][:PLAIN_TITLE_LINES]
    for line in lines:
        if (
            len(line.split()) >= 4
            and len(line) <= PLAIN_TITLE_MAX_CHARS
            and not line.startswith(BULLET)
        ):
            return line
    return None


def _chars(blocks: list[list[str]]) -> int:
    return sum(len(line) for lines in blocks for line in lines)


# =======================================================================================
# JSON-LD
# =======================================================================================
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


# =======================================================================================
# Europol SERVER_DATA
# =======================================================================================
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


def _fragment_blocks(fragment: str) -> list[list[str]]:
    idx = _build_index(_soup(_SURROGATE_RE.sub("\ufffd", fragment)))
    return _render([idx.root], idx.dropped)


def _text_or_html_blocks(text: str) -> list[list[str]]:
    if HTML_HINT_RE.search(text):
        return _fragment_blocks(text)
    # Plain-text articleBody: every line break separates paragraphs.
    return [[line] for para in text.splitlines() if (line := _clean_inline(para))]


# =======================================================================================
# Titles, publishers, small helpers
# =======================================================================================
def _site_names(idx: _Index, ld: _LdInfo, url: str | None) -> list[str]:
    names = [*KNOWN_SITE_NAMES]
    for extra in (ld.publisher, *(idx.meta(k) for k in META_PUBLISHER_KEYS)):
        if extra:
            names.append(extra)
    host = _host(url)
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


def _clean_title(value: str | None) -> str | None:
    if not value:
        return None
    return _clean_inline(value) or None


def _cap_title(title: str | None) -> str | None:
    if title and len(title) > MAX_TITLE_CHARS:
        return title[:MAX_TITLE_CHARS].rstrip()
    return title


def _clean_inline(value: str | None) -> str:
    if not value:
        return ""
    return _SPACE_RUN_RE.sub(" ", _DELETED_RE.sub("", value)).strip()


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


def _attr_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)


def _first(values: Iterable[Any]) -> Any:
    for v in values:
        if v:
            return v
    return None


def _dedupe(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for v in values:
        v = _clean_inline(v)
        key = v.casefold()
        if v and key not in seen:
            seen.add(key)
            out.append(v)
    return out


def _host(url: str | None) -> str:
    if not url:
        return ""
    try:
        return (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def _host_in(host: str, domains: Iterable[str]) -> bool:
    return bool(host) and any(host == d or host.endswith("." + d) for d in domains)


def _python_encoding(label: str) -> str | None:
    """The Python codec for a charset label; None for unknown labels and for codecs that
    are not document encodings (NOT_DOCUMENT_CODECS)."""
    label = label.strip().strip("\"'").lower()
    if label in CP1252_ALIASES:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError):  # ValueError: a label holding a NUL
        return None
    if name in NOT_DOCUMENT_CODECS:
        return None
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


# =======================================================================================
# Dates
# =======================================================================================
def _parse_date_value(value: Any) -> date | None:
    """ISO 8601 (the publisher's local date as written), unix time (UTC), RFC 2822, prose."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _from_timestamp(float(value))
    if not isinstance(value, str):
        return None
    s = value.strip()[:200]
    if not s:
        return None
    m = ISO_DATE_RE.match(s)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = UNIX_TS_RE.fullmatch(s)
    if m:
        return _from_timestamp(float(m.group(1)))
    if "," in s and ":" in s:
        with contextlib.suppress(TypeError, ValueError, IndexError, OverflowError):
            dt = parsedate_to_datetime(s)
            return _make_date(dt.year, dt.month, dt.day)
    return _search_date_text(s)


def _from_timestamp(ts: float) -> date | None:
    if ts > 1e11:  # milliseconds
        ts /= 1000
    try:
        d = datetime.fromtimestamp(ts, tz=UTC).date()
    except (OverflowError, OSError, ValueError):
        return None
    return d if MIN_YEAR <= d.year <= MAX_YEAR else None


def _make_date(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_number(token: str, fuzzy: bool = False) -> int | None:
    t = token.lower().rstrip(".")
    found = MONTHS.get(t) or MONTH_ABBREVIATIONS.get(t)
    if found or not fuzzy or len(t) < 4:
        return found
    close = difflib.get_close_matches(t, list(MONTHS), n=1, cutoff=MONTH_FUZZY_CUTOFF)
    # Typos keep the first letter; this stops "Juen" turning into anything but June.
    if close and close[0][0] == t[0]:
        return MONTHS[close[0]]
    return None


def _parse_nca_date(text: str) -> date | None:
    """A bold NCA date line: the whole text must be the date (typos tolerated)."""
    return _nca_date_match(text)[1]


def _nca_date_match(text: str) -> tuple[bool, date | None]:
    """(whether the text is shaped like a date line, the date if it is a real one)."""
    s = text.strip().strip(".,;:()[]").strip()
    if not s or len(s) > 60:
        return False, None
    m = NCA_DATE_TEXT_RE.fullmatch(s)
    if not m:
        return False, None
    month = _month_number(m.group(2), fuzzy=True)
    if month is None:
        return False, None
    return True, _make_date(int(m.group(3)), month, int(m.group(1)))


def _search_date_text(text: str) -> date | None:
    m = DATE_DMY_RE.search(text)
    if m:
        month = _month_number(m.group(2))
        if month:
            return _make_date(int(m.group(3)), month, int(m.group(1)))
    m = DATE_MDY_RE.search(text)
    if m:
        month = _month_number(m.group(1))
        if month:
            return _make_date(int(m.group(3)), month, int(m.group(2)))
    return None


def _date_only_line(line: str) -> date | None:
    """A line that holds nothing but a date, such as a Wix post's "Nov 5, 2021"."""
    if len(line) > 60:
        return None
    prefix = DATE_LINE_PREFIX_RE.match(line)
    rest = line[prefix.end() if prefix else 0 :].strip().rstrip(".")
    glued = READ_TIME_SUFFIX_RE.fullmatch(rest)
    if glued:
        rest = glued.group(1)
    for regex, d, mo, y in ((DATE_DMY_RE, 1, 2, 3), (DATE_MDY_RE, 2, 1, 3)):
        m = regex.fullmatch(rest)
        if m:
            month = _month_number(m.group(mo), fuzzy=True)
            if month:
                return _make_date(int(m.group(y)), month, int(m.group(d)))
    return _parse_nca_date(rest)


def _search_date(blocks: list[list[str]], limit: int) -> date | None:
    head = "\n".join(line for lines in blocks for line in lines)[:limit]
    return _search_date_text(head)
