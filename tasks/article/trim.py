"""The lxml pre-trim: the page without the subtrees no rule reads, before bs4 builds it.

bs4 spends ~13 µs on every element it builds, and most elements of a news page are head
scripts and styles, menus, footers and "related" lists. So lxml, which builds a tree in C,
reads the page first and trims it (_trim): everything the index collects (title, h1s, the
<meta>s some rule reads, JSON-LD, canonical link, dates, tags, the innermost body
containers, the scripts a profile reads) is kept whole with its ancestors; every other
subtree hanging off those ancestors is cut, and scripts and styles go from anywhere. bs4
then parses the serialised remainder, and the rules run on it as before. On an NCA
release that is a tenth of the elements, and parse_article is three times faster.

The trim never changes a result; the tests compare pages trimmed and whole. Each ancestor
of a cut carries the text the index would have counted below it (TRIM_MARK_ATTR), so the
boilerplate and cookie-banner decisions still use whole-page counts; a cut never holds a
body container (they shield their ancestors from the boilerplate rules) nor a cookie word
that could widen into a banner above it. A rule that would read a cut subtree (a body
container with a cut below it; the densest-text fallback, where any element may win)
raises _Inexact, and the page is parsed whole. Pages on which lxml's tree differs from
what bs4's SAX reading of the same libxml2 parser builds, or that libxml2 would not read
back as it wrote them (a doctype inside the page, content after </body>, nesting near 256
levels, "&#13;", raw-text elements holding markup, a non-ASCII canonical URL, lone
surrogates...), are never trimmed; nor is a page without a body container, which the
densest-text rule reads whole anyway.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from tasks.article.boilerplate import (
    COOKIE_STOP_TAGS,
    COOKIE_WORD_RE,
    HARD_SKIP_TAGS,
    RELATED_HEADING_TAGS,
    RELATED_HEADINGS_CHECKED,
)
from tasks.article.index import TRIM_MARK_ATTR, _plan
from tasks.article.match import _compile_compound, _Compound
from tasks.article.selectors import ANCHOR_SELECTORS, META_KEY_ATTRS

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Trimmed:
    markup: str
    cut_chars: int  # text the cuts held, as the index counts it


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


@dataclass(frozen=True, slots=True)
class _Protection:
    """Where to look for what the index collects: see _protection."""

    by_tag: dict[str, list[_ProtectEntry]]
    by_attr: dict[str, list[_ProtectEntry]]
    anchors_by_attr: dict[str, list[_AnchorEntry]]
    attr_xpath: etree.XPath  # every attribute by_attr looks at
    meta_keys: frozenset[str]
    script_markers: tuple[str, ...]


@functools.cache
def _protection() -> _Protection:
    """Where to look for what the index collects.

    Returns entries looked up before cutting, by tag and by attribute, and the body
    container selectors looked for only inside would-be cuts (see _scan_cut): by
    attribute too, but each attribute scan of a whole page costs as much as the cut
    saves. Only anchor selectors may wait so: inside a hard-skip context the index ignores
    them, so a cut there loses nothing. Of "li[itemprop~=keywords] a" only the li is
    looked for: it is kept whole, and the links with it. <title>, <meta> and <h1> are
    recorded by enter() whatever they match. Built on first use, as the index's _plan.
    """
    plan = _plan()
    body_keys = plan.body_selectors
    any_element = _Compound(None, None, (), ())
    by_tag: dict[str, list[_ProtectEntry]] = {
        "title": [("", any_element, False)],
        "h1": [("", any_element, False)],
        "meta": [],  # only those carrying a key some rule reads: see _read_by_tag
    }
    by_attr: dict[str, list[tuple[str, _Compound, str]]] = {}
    for key in plan.selectors:
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
    return _Protection(
        by_tag=by_tag,
        by_attr=scan,
        anchors_by_attr=lazy,
        attr_xpath=etree.XPath(" | ".join(f"//@{a}" for a in scan)),
        meta_keys=plan.meta_keys,
        script_markers=plan.script_markers,
    )


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
    protection = _protection()
    bodies: set[Any] = set()
    others: set[Any] = set()
    for el in doc.iter(*protection.by_tag, "script"):
        tag = el.tag
        if _read_by_tag(el, protection):
            others.add(el)
        for _, comp, is_body in protection.by_tag.get(tag, ()):
            if comp.match(tag, el.attrib):
                (bodies if is_body else others).add(el)
    for value in protection.attr_xpath(doc):
        el = value.getparent()
        for needle, comp, is_body in protection.by_attr[value.attrname]:
            if needle in value and comp.match(el.tag, el.attrib):
                (bodies if is_body else others).add(el)
    return bodies, others


def _read_by_tag(el: Any, protection: _Protection) -> bool:
    """A <meta> filed under a key some rule reads, or a script a profile's rule reads."""
    if el.tag == "script":
        text = el.text or ""
        return any(marker in text for marker in protection.script_markers)
    if el.tag != "meta" or el.get("content") is None:
        return False
    for attr in META_KEY_ATTRS:
        key = el.get(attr)
        if key and key.strip().lower() in protection.meta_keys:
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
    anchors = _protection().anchors_by_attr
    every_string_counts = True
    for node in el.iter(etree.Element):
        if node.tag in _UNCOUNTED_TAGS:
            every_string_counts = False
        for attr in node.keys():  # noqa: SIM118 -- iterating an lxml element yields children
            for needle, comp in anchors.get(attr, ()):
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
