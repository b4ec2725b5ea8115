"""Reads for the CLI, the report and exports: the stable views, flattened."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from config.metrics import DERIVED_NAMES
from tasks.records import METRICS

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


def _num(v: Any) -> int | float | None:
    if v is None:
        return None
    f = float(v)
    return int(f) if f.is_integer() else f


def metrics_rows(engine: Engine) -> list[dict[str, Any]]:
    """One flat dict per operation, in the shape of `optally metrics --format json`."""
    with engine.connect() as conn:
        summary = (
            conn.execute(
                text("SELECT * FROM operation_summary ORDER BY first_published, operation_id")
            )
            .mappings()
            .all()
        )
        derived = {
            r["operation_id"]: r
            for r in conn.execute(text("SELECT * FROM operation_metrics")).mappings().all()
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
        for col in DERIVED_NAMES:
            row[col] = _num(d.get(col))
        out.append(row)
    return out


def metric_details(engine: Engine) -> dict[int, dict[str, dict[str, Any]]]:
    """Per operation and derived metric: value, qualifier, unit and the reason when null or a bound."""
    out: dict[int, dict[str, dict[str, Any]]] = {}
    with engine.connect() as conn:
        for r in conn.execute(
            text(
                "SELECT operation_id, metric, value, qualifier, unit, reason, formula FROM metric_values"
            )
        ).mappings():
            out.setdefault(r["operation_id"], {})[r["metric"]] = dict(r)
    return out


def _iso(v: Any) -> str | None:
    if v is None:
        return None
    return v.isoformat() if hasattr(v, "isoformat") else str(v)[:10]
