"""Reads for the CLI, the report and exports: the stable views, flattened."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Engine, TextClause, bindparam, text

from config.metrics import ALL_DERIVED_NAMES
from domain.records import METRICS

FIGURE_COLUMNS: tuple[str, ...] = METRICS + tuple(f"international_{m}" for m in METRICS)
META_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "lead_agency",
    "theme",
    "start_date",
    "end_date",
    "sources",
)


_SUMMARY = "SELECT * FROM operation_summary ORDER BY first_published, operation_id"
_SUMMARY_IN = (
    "SELECT * FROM operation_summary WHERE operation_id IN :ids"
    " ORDER BY first_published, operation_id"
)
_METRICS = "SELECT * FROM operation_metrics"
_METRICS_IN = "SELECT * FROM operation_metrics WHERE operation_id IN :ids"
_DETAILS = "SELECT operation_id, metric, value, qualifier, unit, reason, formula FROM metric_values"
_DETAILS_IN = _DETAILS + " WHERE operation_id IN :ids"


def _in(stmt: TextClause) -> TextClause:
    return stmt.bindparams(bindparam("ids", expanding=True))


def _ids(op_ids: Collection[int] | None) -> dict[str, Any]:
    return {} if op_ids is None else {"ids": sorted(set(op_ids))}


def _num(v: Any) -> int | float | None:
    if v is None:
        return None
    f = float(v)
    return int(f) if f.is_integer() else f


def metrics_rows(engine: Engine, op_ids: Collection[int] | None = None) -> list[dict[str, Any]]:
    """One flat dict per operation (or per operation of ``op_ids``), in the shape of
    `optally metrics --format json`."""
    if op_ids is not None and not op_ids:
        return []
    summary_q = text(_SUMMARY) if op_ids is None else _in(text(_SUMMARY_IN))
    metrics_q = text(_METRICS) if op_ids is None else _in(text(_METRICS_IN))
    with engine.connect() as conn:
        summary = conn.execute(summary_q, _ids(op_ids)).mappings().all()
        derived = {
            r["operation_id"]: r for r in conn.execute(metrics_q, _ids(op_ids)).mappings().all()
        }
    out = []
    for s in summary:
        d = derived.get(s["operation_id"], {})
        row: dict[str, Any] = {
            "id": s["operation_id"],
            "name": s["name"],
            "lead_agency": s["lead_agency"],
            "theme": s["theme"],
            "start_date": _iso(s["start_date"]),
            "end_date": _iso(s["end_date"]),
            "sources": int(s["sources"] or 0),
            "published": _iso(s["first_published"]),
            "title": s["title"],
        }
        for col in FIGURE_COLUMNS:
            row[col] = _num(s[col])
        for col in ALL_DERIVED_NAMES:
            row[col] = _num(d.get(col))
        out.append(row)
    return out


_FIRST_PAGES = (
    "SELECT operation_id, id, official, published, title FROM articles"
    " WHERE superseded_at IS NULL AND operation_id IS NOT NULL"
)
_PAGE_URLS = (
    "SELECT operation_id, url FROM articles"
    " WHERE superseded_at IS NULL AND operation_id IS NOT NULL ORDER BY operation_id, url"
)


def first_pages(engine: Engine) -> dict[int, dict[str, Any]]:
    """Per operation, the ``title`` and ``published`` date of its first official page (the
    earliest published, then the first loaded), else of its first page: what names an
    operation its releases do not name."""
    best: dict[int, tuple[tuple[Any, ...], dict[str, Any]]] = {}
    with engine.connect() as conn:
        for r in conn.execute(text(_FIRST_PAGES)).mappings():
            published = _iso(r["published"])
            key = (not r["official"], published is None, published or "", r["id"])
            op_id = r["operation_id"]
            if op_id not in best or key < best[op_id][0]:
                best[op_id] = (key, {"title": r["title"], "published": published})
    return {op_id: page for op_id, (_, page) in best.items()}


def operation_page_urls(engine: Engine) -> dict[int, list[str]]:
    """Per operation, the URLs of its pages (their current articles), in URL order: what
    `optally operations split --page` takes."""
    out: dict[int, list[str]] = {}
    with engine.connect() as conn:
        for op_id, url in conn.execute(text(_PAGE_URLS)):
            out.setdefault(op_id, []).append(url)
    return out


def metric_details(
    engine: Engine, op_ids: Collection[int] | None = None
) -> dict[int, dict[str, dict[str, Any]]]:
    """Per operation (of ``op_ids``, or every one) and derived metric: value, qualifier, unit
    and the reason when null or a bound."""
    out: dict[int, dict[str, dict[str, Any]]] = {}
    if op_ids is not None and not op_ids:
        return out
    q = text(_DETAILS) if op_ids is None else _in(text(_DETAILS_IN))
    with engine.connect() as conn:
        for r in conn.execute(q, _ids(op_ids)).mappings():
            out.setdefault(r["operation_id"], {})[r["metric"]] = dict(r)
    return out


def _iso(v: Any) -> str | None:
    if v is None:
        return None
    return v.isoformat() if hasattr(v, "isoformat") else str(v)[:10]
