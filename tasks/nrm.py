"""Official NRM statistics: GOV.UK Content API JSON -> release ODS URLs -> referral rows. Pure.

The Home Office publishes the National Referral Mechanism statistics quarterly as ODS
tables (docs/SOURCES.md, "NRM statistics"). Table numbers change between releases
("Table_2" in one, "Table_3" in the next) and so does the number of title rows above the
column headers, so the referrals-by-quarter table is found by its header text: a row
holding "Year" and "Quarter" cells and columns for the "Adult" and "Child" age groups, on
a sheet about referrals (not reasonable or conclusive grounds decisions).

Column headers come either as one row ("Adult (18 or over) - Total") or as two (an
age-group row with merged cells above a location row: "Overseas", "UK", ..., "Total").
Per age group the "Total" column is taken (all locations of exploitation); without one,
the age group's only column. "Year" is filled down (it is printed on the first quarter of
each year only); rows whose quarter is not a quarter (year totals, notes, blanks) are skipped.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

from domain.records import NrmRow

AGE_GROUPS: tuple[str, ...] = ("adult", "child", "unknown")
_AGE = (
    ("adult", re.compile(r"\badult", re.IGNORECASE)),
    ("child", re.compile(r"\bchild", re.IGNORECASE)),
    ("unknown", re.compile(r"\bage\b.*\b(?:not specified|unknown)", re.IGNORECASE)),
)
_TOTAL = re.compile(r"\btotal\b", re.IGNORECASE)
# Decision tables share the Year/Quarter/Adult/Child layout; they are not referrals.
_NOT_REFERRALS = re.compile(r"grounds|decision|positive|negative|outcome", re.IGNORECASE)
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_QUARTER = re.compile(r"^\s*(?:q|quarter)\s*([1-4])\b", re.IGNORECASE)
_QUARTER_MONTHS = {
    "jan": 1,
    "apr": 2,
    "jul": 3,
    "oct": 4,
}
_MONTH_RANGE = re.compile(r"^\s*([a-z]{3})[a-z]*\s+(?:to|-|–)\s+[a-z]{3}", re.IGNORECASE)
_HEADER_SCAN_ROWS = 40
_RELEASE_TYPES = frozenset({"official_statistics", "national_statistics", "statistics"})


class NrmTableNotFound(ValueError):
    """The ODS file has no referrals-by-quarter table."""


@dataclass(frozen=True, slots=True)
class Release:
    """A statistics release listed by the collection."""

    title: str
    api_url: str
    published: date | None


@dataclass(frozen=True, slots=True)
class Attachment:
    url: str
    filename: str
    title: str


# --- discovery: Content API JSON -------------------------------------------------------


def _date(value: Any) -> date | None:
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def api_url_for(base_path: str, api_base: str) -> str:
    """``/government/statistics/x`` -> ``<origin>/api/content/government/statistics/x``."""
    parts = urlsplit(api_base)
    return f"{parts.scheme}://{parts.netloc}/api/content{base_path}"


def releases(collection: Mapping[str, Any], collection_url: str) -> list[Release]:
    """The statistics releases a collection lists, newest first (GOV.UK ``links.documents``)."""
    docs = (collection.get("links") or {}).get("documents") or []
    out: list[Release] = []
    seen: set[str] = set()
    for d in docs:
        kind = d.get("document_type")
        if kind is not None and kind not in _RELEASE_TYPES:
            continue  # guidance, user guides, methodology notes
        if d.get("api_url"):
            url = urljoin(collection_url, d["api_url"])
        elif d.get("api_path"):
            url = urljoin(collection_url, d["api_path"])
        elif d.get("base_path"):
            url = api_url_for(d["base_path"], collection_url)
        else:
            continue
        if url in seen:
            continue
        seen.add(url)
        published = _date(d.get("public_updated_at")) or _date(d.get("first_published_at"))
        out.append(Release(str(d.get("title") or ""), url, published))
    # Newest first; undated last, in the collection's own order.
    order = {r.api_url: i for i, r in enumerate(out)}
    out.sort(
        key=lambda r: (
            r.published is None,
            -(r.published or date.min).toordinal(),
            order[r.api_url],
        )
    )
    return out


def table_attachments(release: Mapping[str, Any], release_url: str) -> list[Attachment]:
    """The release's ODS data tables: attachments whose file name ends .ods and has "tables"."""
    out: list[Attachment] = []
    for a in (release.get("details") or {}).get("attachments") or []:
        url = a.get("url")
        if not url:
            continue
        url = urljoin(release_url, url)
        filename = a.get("filename") or urlsplit(url).path.rsplit("/", 1)[-1]
        if filename.lower().endswith(".ods") and "tables" in filename.lower():
            out.append(Attachment(url, filename, str(a.get("title") or "")))
    return out


# --- the ODS table -----------------------------------------------------------------------


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return " ".join(str(v).split())


def _number(v: Any) -> int | None:
    """A count cell: 12, 12.0 or "1,234"; None for suppressed/blank ("[x]", "[z]", "")."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int | float):
        return None if isinstance(v, float) and math.isnan(v) else round(v)
    s = _text(v).replace(",", "")
    return int(s) if s.isdigit() else None


def _year(v: Any) -> int | None:
    if isinstance(v, int | float) and not (isinstance(v, float) and math.isnan(v)):
        return int(v) if 1990 <= v <= 2100 else None
    m = _YEAR.search(_text(v))
    return int(m.group(0)) if m else None


def _quarter(v: Any) -> int | None:
    s = _text(v)
    m = _QUARTER.match(s)
    if m:
        return int(m.group(1))
    m = _MONTH_RANGE.match(s)
    if m:
        return _QUARTER_MONTHS.get(m.group(1).lower())
    if isinstance(v, int | float) and not isinstance(v, bool) and v in (1, 2, 3, 4):
        return int(v)
    return None


def _age_group(label: str) -> str | None:
    for name, pattern in _AGE:
        if pattern.search(label):
            return name
    return None


def _col(head: list[str], name: str) -> int | None:
    """Index of the header cell that is ``name``, perhaps with a note mark ("Year [note 2]")."""
    for j, label in enumerate(head):
        if re.match(rf"^{name}\b(?!\s*\w)", label, re.IGNORECASE):
            return j
    return None


def _header_row(rows: list[list[Any]]) -> int | None:
    for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        head = [_text(c) for c in row]
        if _col(head, "year") is not None and _col(head, "quarter") is not None:
            return i
    return None


def _columns(rows: list[list[Any]], header: int) -> dict[str, int]:
    """Age group -> the column with its referrals over all locations."""
    head = [_text(c) for c in rows[header]]
    above: list[str] = [""] * len(head)
    if header > 0:
        # Two-row headers: the age group sits in a merged cell above; fill it rightwards.
        current = ""
        for j, c in enumerate(rows[header - 1][: len(head)]):
            t = _text(c)
            if t:
                current = t if _age_group(t) else ""
            above[j] = current
    candidates: dict[str, list[tuple[bool, int]]] = {}
    for j, label in enumerate(head):
        # The label's own age group first: a one-row header says it in every cell.
        group = _age_group(label) or _age_group(above[j])
        if group is None or j in (_col(head, "year"), _col(head, "quarter")):
            continue
        candidates.setdefault(group, []).append((bool(_TOTAL.search(label)), j))
    out: dict[str, int] = {}
    for group, cols in candidates.items():
        totals = [j for is_total, j in cols if is_total]
        if totals:
            out[group] = totals[-1]
        elif len(cols) == 1:
            out[group] = cols[0][1]
    return out


def _is_referrals_table(rows: list[list[Any]], header: int, cols: Mapping[str, int]) -> bool:
    if "adult" not in cols or "child" not in cols:
        return False
    text = " ".join(_text(c) for r in rows[: header + 1] for c in r)
    return not _NOT_REFERRALS.search(text)


def find_referrals_table(sheets: Mapping[str, list[list[Any]]]) -> tuple[str, int, dict[str, int]]:
    """(sheet name, header row index, age group -> column) of the referrals-by-quarter table.

    When several sheets qualify, the one whose title text mentions "referral" wins, then
    the first in workbook order.
    """
    found: list[tuple[int, int, str, int, dict[str, int]]] = []
    for order, (name, rows) in enumerate(sheets.items()):
        header = _header_row(rows)
        if header is None:
            continue
        cols = _columns(rows, header)
        if not _is_referrals_table(rows, header, cols):
            continue
        title = " ".join(_text(c) for r in rows[:header] for c in r).lower()
        found.append((0 if "referral" in title else 1, order, name, header, cols))
    if not found:
        raise NrmTableNotFound("no sheet has a Year/Quarter table of NRM referrals by age group")
    _, _, name, header, cols = min(found)
    return name, header, cols


def referral_rows(sheets: Mapping[str, list[list[Any]]]) -> list[NrmRow]:
    """Rows of the referrals-by-quarter table of a workbook given as lists of cells."""
    name, header, cols = find_referrals_table(sheets)
    rows = sheets[name]
    head = [_text(c) for c in rows[header]]
    ycol, qcol = _col(head, "year"), _col(head, "quarter")
    if ycol is None or qcol is None:  # pragma: no cover - _header_row found both
        raise NrmTableNotFound(f"sheet {name}: no Year and Quarter columns")
    out: dict[tuple[int, int, str], NrmRow] = {}
    year: int | None = None
    for row in rows[header + 1 :]:
        cell = row[ycol] if ycol < len(row) else None
        year = _year(cell) or year
        quarter = _quarter(row[qcol] if qcol < len(row) else None)
        if year is None or quarter is None:
            continue
        for group in AGE_GROUPS:
            j = cols.get(group)
            n = _number(row[j]) if j is not None and j < len(row) else None
            if n is not None:
                out.setdefault((year, quarter, group), NrmRow(year, quarter, group, n))
    return sorted(out.values(), key=lambda r: (r.year, r.quarter, AGE_GROUPS.index(r.age_group)))


def read_ods(data: bytes) -> dict[str, list[list[Any]]]:
    """Every sheet of an ODS file as rows of raw cells (no header interpretation)."""
    import pandas as pd  # a heavy import, only when a workbook is read

    frames = pd.read_excel(io.BytesIO(data), engine="odf", sheet_name=None, header=None)
    return {
        str(name): [[_plain(c) for c in r] for r in df.itertuples(index=False, name=None)]
        for name, df in frames.items()
    }


def _plain(v: Any) -> Any:
    """numpy scalars as Python ones (np.int64 is no ``int``), NaN as None."""
    if hasattr(v, "item") and not isinstance(v, str | bytes):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def parse_referrals_ods(data: bytes) -> list[NrmRow]:
    """ODS bytes -> NRM referrals per (year, quarter, age group)."""
    return referral_rows(read_ods(data))


def totals(rows: Iterable[NrmRow]) -> dict[tuple[int, int], int]:
    out: dict[tuple[int, int], int] = {}
    for r in rows:
        out[(r.year, r.quarter)] = out.get((r.year, r.quarter), 0) + r.referrals
    return out
