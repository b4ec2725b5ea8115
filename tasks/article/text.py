"""Text normalisation every step shares: spaces, invisible characters, small helpers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

BULLET = "• "
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


def _clean_title(value: str | None) -> str | None:
    if not value:
        return None
    return _clean_inline(value) or None


def _clean_inline(value: str | None) -> str:
    if not value:
        return ""
    return _SPACE_RUN_RE.sub(" ", _DELETED_RE.sub("", value)).strip()


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


def _chars(blocks: list[list[str]]) -> int:
    return sum(len(line) for lines in blocks for line in lines)
