"""Rendering: element tree -> blocks of lines, the article body's plain text.

A block-aware walk: blocks are separated by a blank line, ``<li>`` blocks start with "• ",
``<br>`` is a newline inside a block. The figure extractor stores character spans into
this text, so what is skipped here (hard-skip tags, boilerplate) never reaches it.
"""

from __future__ import annotations

from collections.abc import Sequence

from bs4 import CData, NavigableString, Tag

from tasks.article.boilerplate import HARD_SKIP_TAGS
from tasks.article.text import _BR, _DELETED_RE, _SPACE_RUN_RE, BULLET

BLOCK_TAGS: frozenset[str] = frozenset(
    {
        "address", "article", "blockquote", "body", "caption", "center", "dd", "details",
        "div", "dl", "dt", "fieldset", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "hgroup", "hr", "html", "li", "main", "ol", "p", "pre", "section", "summary",
        "table", "tbody", "tfoot", "thead", "tr", "ul",
    }
)  # fmt: skip
CELL_TAGS: frozenset[str] = frozenset({"td", "th"})


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
