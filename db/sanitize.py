"""Values made fit for their column, in one place: where rows meet the warehouse.

Everything a page, its headers or a listing says arrives here unchecked: a 60-character
charset for ``page_versions.encoding`` (VARCHAR(40)), a NUL in an ETag or a title, a count
of 3,000,000,000 for an INTEGER column. SQLite stores any of these; PostgreSQL refuses the
statement, and with it the whole transaction. So every row written through db/upsert.py,
and every value db/load.py updates or looks up, passes through ``clean_row`` or ``clean``:

- text loses its NUL characters (PostgreSQL text cannot hold U+0000) and its lone
  surrogates (not UTF-8; the driver cannot encode them), which become U+FFFD;
- text for a ``String(n)`` column is cut to ``n`` characters, on both databases, so
  SQLite and PostgreSQL hold the same value;
- an integer outside the 32 bits of an ``Integer`` column, or a float that is not finite,
  is refused with ``ValueRefused``: cutting it to fit would make up a figure. The loader
  records the page as failed (db/load.py); absurd counts never get this far, since
  domain/records.py drops them as figures.

The column sizes are read from the models (db/models.py), so they are stated once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from sqlalchemy import Column, Float, Integer, String, Table

NUL = "\x00"
REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
# Integer columns are 4 bytes on PostgreSQL (SQLite's are 8; the smaller bound rules).
INT_MIN, INT_MAX = -(2**31), 2**31 - 1

_TEXT, _INT, _FLOAT = "text", "int", "float"


class ValueRefused(ValueError):
    """A value its column cannot hold and that cannot be cut to fit without changing what it
    says: an integer past 32 bits, a float that is NaN or infinite."""


def clean_text(value: str, limit: int | None = None) -> str:
    """``value`` without NUL characters or lone surrogates, at most ``limit`` characters."""
    if NUL in value:
        value = value.replace(NUL, "")
    if not value.isascii() and not _encodes(value):
        value = _SURROGATE.sub(REPLACEMENT, value)
    if limit is not None and len(value) > limit:
        value = value[:limit]
    return value


def _encodes(value: str) -> bool:
    """Whether ``value`` is valid UTF-8 text: a lone surrogate is the only thing that is not.
    (Encoding runs in C; searching for surrogates with a regex took ten times as long.)"""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@cache
def _rules(table: Table) -> dict[str, tuple[str, int | None]]:
    """(kind, length limit) of the columns of ``table`` that need a check."""
    out: dict[str, tuple[str, int | None]] = {}
    for col in table.columns:
        if isinstance(col.type, String):  # Text is a String without a length
            out[col.name] = (_TEXT, col.type.length)
        elif isinstance(col.type, Integer):
            out[col.name] = (_INT, None)
        elif isinstance(col.type, Float):
            out[col.name] = (_FLOAT, None)
    return out


def _fit(where: str, kind: str, limit: int | None, value: Any) -> Any:
    if value is None:
        return None
    if kind == _TEXT:
        return clean_text(value, limit) if isinstance(value, str) else value
    if kind == _INT:
        if isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
            raise ValueRefused(f"{where}: {value} does not fit a 32-bit integer")
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            if not math.isfinite(float(value)):
                raise ValueRefused(f"{where}: {value} is not a finite number")
        except OverflowError:  # an int too large for a float
            raise ValueRefused(f"{where}: a number of {len(str(value))} digits") from None
    return value


def clean(column: Column[Any], value: Any) -> Any:
    """``value`` made fit for ``column`` (for a row value or a lookup: a WHERE clause with a
    NUL fails on PostgreSQL as an INSERT does)."""
    rule = _rules(column.table).get(column.name)  # type: ignore[arg-type]
    if rule is None:
        return value
    return _fit(f"{column.table.name}.{column.name}", rule[0], rule[1], value)  # type: ignore[attr-defined]


def clean_row(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``row`` with every value made fit for its column of ``table``."""
    rules = _rules(table)
    out = dict(row)
    for name, value in row.items():
        rule = rules.get(name)
        if rule is not None and value is not None:
            out[name] = _fit(f"{table.name}.{name}", rule[0], rule[1], value)
    return out


def clean_rows(table: Table, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [clean_row(table, r) for r in rows]
