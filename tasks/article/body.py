"""Body containers: which element holds the article text, rendered to blocks of lines.

Known containers (selectors.BODY_RULES) are tried in order; when none holds text, the
element with the densest paragraph text wins. A profile's page rules use the same helpers
on their own containers.
"""

from __future__ import annotations

import re

from tasks.article.index import (
    _IN_HARD,
    TRIM_MARK_ATTR,
    _build_index,
    _Frame,
    _has_ancestor_in,
    _Index,
    _Inexact,
    _soup,
)
from tasks.article.related import _related_skips
from tasks.article.render import _render
from tasks.article.selectors import BODY_RULES
from tasks.article.text import _SURROGATE_RE, _chars, _clean_inline

# A text field that holds HTML markup (a JSON-LD articleBody, Europol's payload) rather
# than plain text.
HTML_HINT_RE = re.compile(r"<(?:p|br|div|ul|ol|li|h[1-6]|strong|em|a|span|table)\b", re.I)


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


def _fragment_blocks(fragment: str) -> list[list[str]]:
    idx = _build_index(_soup(_SURROGATE_RE.sub("\ufffd", fragment)))
    return _render([idx.root], idx.dropped)


def _text_or_html_blocks(text: str) -> list[list[str]]:
    if HTML_HINT_RE.search(text):
        return _fragment_blocks(text)
    # Plain-text articleBody: every line break separates paragraphs.
    return [[line] for para in text.splitlines() if (line := _clean_inline(para))]


# =======================================================================================
