"""SQL for the stable views analysts query. Plain SQL that SQLite and PostgreSQL both run."""

from __future__ import annotations

from collections.abc import Sequence


def operation_summary_sql(metrics: Sequence[str]) -> str:
    cols = []
    for m in metrics:
        cols.append(
            f"MAX(CASE WHEN f.scope = 'operation' AND f.metric = '{m}' THEN f.value END) AS {m}"
        )
    for m in metrics:
        cols.append(
            f"MAX(CASE WHEN f.scope = 'international' AND f.metric = '{m}' THEN f.value END)"
            f" AS international_{m}"
        )
    return (
        "CREATE VIEW operation_summary AS\n"
        "SELECT o.id AS operation_id, o.name, o.lead_agency, o.theme, o.start_date, o.end_date,\n"
        "  o.first_published, o.title,\n"
        "  (SELECT COUNT(DISTINCT a.page_id) FROM articles a\n"
        "     WHERE a.operation_id = o.id AND a.superseded_at IS NULL) AS sources,\n  "
        + ",\n  ".join(cols)
        + "\nFROM operations o LEFT JOIN operation_figures f ON f.operation_id = o.id\n"
        "GROUP BY o.id, o.name, o.lead_agency, o.theme, o.start_date, o.end_date,"
        " o.first_published, o.title"
    )


def operation_metrics_sql(derived: Sequence[str]) -> str:
    cols = [f"MAX(CASE WHEN m.metric = '{d}' THEN m.value END) AS {d}" for d in derived]
    return (
        "CREATE VIEW operation_metrics AS\n"
        "SELECT o.id AS operation_id, o.name, o.lead_agency, o.theme,\n  "
        + ",\n  ".join(cols)
        + "\nFROM operations o LEFT JOIN metric_values m ON m.operation_id = o.id\n"
        "GROUP BY o.id, o.name, o.lead_agency, o.theme"
    )
