"""Onward-journey blocks ("Most read", "Related stories") opened by a heading inside a body.

A body container can end in a list of links to other stories, full of numbers. A heading
that names such a block (boilerplate.RELATED_HEADING_RE) drops it and the link lists after
it, never more than RELATED_MAX_SHARE of the body.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from bs4 import NavigableString, Tag

from tasks.article.boilerplate import HARD_SKIP_TAGS, RELATED_MAX_SHARE

if TYPE_CHECKING:
    from tasks.article.index import _Index


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
