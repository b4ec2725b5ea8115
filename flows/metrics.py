"""The `metrics` flow: recompute every operation's derived metrics, then write the HTML report.

It runs at the end of each daily run (flows/deployments.py calls it as a subflow) and on
demand from the UI or `prefect deployment run 'metrics/metrics'`: after a change to the
metric definitions or reconciliation rule, or after `optally operations merge`, it brings
every operation up to date without fetching anything.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import select

from config.settings import get_settings
from db import load as wh
from db.engine import get_engine
from tasks.derive import rebuild

DEFAULT_REPORT_PATH = "data/report.html"


@task(name="derive", cache_policy=NO_CACHE)
def derive_all_task(db_url: str | None) -> int:
    """The derive stage over every operation (tasks/derive.py rebuild), in one transaction.

    One transaction so a reader never sees half the operations on the new definitions;
    ``rebuild`` rewrites only the rows that change, so a re-run writes nothing.
    """
    engine = get_engine(db_url)
    with engine.begin() as conn:
        op_ids = list(
            conn.execute(select(wh.OPERATIONS.c.id).order_by(wh.OPERATIONS.c.id)).scalars()
        )
        rebuild(conn, op_ids)
    return len(op_ids)


def build_report(db_url: str | None, report_path: str | Path) -> Path:
    """Render the HTML report from the warehouse and write it (also `optally report`)."""
    from db.report_queries import load_report_data, nrm_quarter_totals
    from tasks.report import render_report, write_report

    engine = get_engine(db_url)
    html_text = render_report(
        load_report_data(engine),
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        nrm_quarter_totals=nrm_quarter_totals(engine),
    )
    return write_report(html_text, Path(report_path))


@task(name="write-report", cache_policy=NO_CACHE)
def write_report_task(db_url: str | None, report_path: str) -> str:
    return str(build_report(db_url, report_path))


@flow(name="metrics", timeout_seconds=get_settings().metrics_timeout_seconds)
def metrics(db_url: str | None = None, report_path: str = DEFAULT_REPORT_PATH) -> dict[str, Any]:
    """Recompute the derived metrics of every operation and write the HTML report.

    Args:
        db_url: The warehouse (default: $OPTALLY_DATABASE_URL or sqlite:///data/optally.db).
        report_path: Where the HTML report goes, relative to the run's working directory.
    """
    operations = derive_all_task(db_url)
    path = write_report_task(db_url, report_path)
    get_run_logger().info("metrics: %d operations refreshed; report at %s", operations, path)
    return {"operations": operations, "report": path}
