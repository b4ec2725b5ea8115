"""Compound CSS selectors, matched by hand inside the index walk.

Running a dozen ``soup.select`` calls over a 10 MB page costs several seconds, so the
selectors stay readable constants (tasks/article/selectors.py, profiles/) but are compiled
here into matchers the single index walk (and the trim) call on each element.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tasks.article.text import _attr_str

# The first context bit a descendant selector's ancestor sets; the bits below it are the
# index walk's own (tasks/article/index.py, _IN_HARD...).
_FIRST_SELECTOR_BIT = 32


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
