"""The whole flow over HTTP against the bundled sample site, into SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from app.demo import write_demo_sources
from db.engine import get_engine
from db.queries import metrics_rows

pytestmark = pytest.mark.flow

SEED_TITLE = "Thirty-eight arrested in UK-wide child trafficking week of action"
TABLES = (
    "sources",
    "pages",
    "page_versions",
    "articles",
    "figures",
    "arrest_breakdowns",
    "operations",
    "operation_figures",
    "metric_values",
    "quality_checks",
    "fetch_failures",
)


def snapshot(url: str) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    engine = get_engine(url)
    with engine.connect() as conn:
        return {
            t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY id"))]
            for t in TABLES
        }


STAGES = ("discover", "fetch", "extract", "resolve", "load", "derive", "publish", "notify")


def _task_runs(flow_run_id) -> list:  # type: ignore[no-untyped-def,type-arg]
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        return client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )


def seed_row(url: str) -> dict:  # type: ignore[type-arg]
    rows = [
        r
        for r in metrics_rows(get_engine(url))
        if r["arrests"] == 38 and r["forces_involved"] == 19
    ]
    assert len(rows) == 1, [(r["title"], r["arrests"]) for r in metrics_rows(get_engine(url))]
    return rows[0]


@pytest.mark.usefixtures("prefect_harness")
def test_flow_over_sample_site_gives_exact_figures_and_is_idempotent(
    db_url, sample_site, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from flows.etl import etl

    sources = write_demo_sources(sample_site, tmp_path)
    state = etl(sources_file=str(sources), db_url=db_url, return_state=True)
    summary = state.result()
    assert summary["failed"] == 0
    # Every stage is a task of its own in the run graph: publish after the others, then
    # notify (alerts, tests/test_alerts.py).
    runs = _task_runs(state.state_details.flow_run_id)
    assert {r.name.rsplit("-", 1)[0] for r in runs} == set(STAGES)
    (publish,) = [r for r in runs if r.name.startswith("publish-")]
    (notify,) = [r for r in runs if r.name.startswith("notify-")]
    assert publish.start_time >= max(r.end_time for r in runs if r not in (publish, notify))
    assert notify.start_time >= publish.end_time
    # 9 on-topic NCA-shaped releases and 2 news stories; the annual report and the phishing
    # story are dropped by the keyword filter on their listing titles, so never fetched.
    assert summary["fetched"] == 11
    assert not [p for p in sample_site.requests if "annual-report" in p or "phishing" in p]

    row = seed_row(db_url)
    assert {
        k: row[k]
        for k in (
            "lead_agency",
            "theme",
            "arrests",
            "potential_victims",
            "victims_children",
            "victims_adults",
            "forces_involved",
            "duration_days",
            "new_investigations",
            "nrm_referrals",
            "international_arrests",
            "international_potential_victims",
            "international_countries_involved",
            "sources",
        )
    } == {
        "lead_agency": "NCA",
        "theme": "child_exploitation",
        "arrests": 38,
        "potential_victims": 99,
        "victims_children": 72,
        "victims_adults": 27,
        "forces_involved": 19,
        "duration_days": 7,
        "new_investigations": 51,
        "nrm_referrals": 55,
        "international_arrests": 175,
        "international_potential_victims": 187,
        "international_countries_involved": 18,
        "sources": 2,
    }
    assert {
        k: row[k]
        for k in (
            "arrests_per_force",
            "arrests_per_force_day",
            "nrm_referral_rate",
            "unreferred_victims",
            "uk_share_of_international_arrests",
            "uk_share_of_international_victims",
            "arrests_outside_breakdown",
        )
    } == {
        "arrests_per_force": 2,
        "arrests_per_force_day": 0.29,
        "nrm_referral_rate": 0.556,
        "unreferred_victims": 44,
        "uk_share_of_international_arrests": 0.217,
        "uk_share_of_international_victims": 0.529,
        "arrests_outside_breakdown": 9,
    }

    # A second run asks for nothing it holds (every page is older than the re-check window)
    # and changes no row; a full sweep asks conditionally and changes no row either.
    before = snapshot(db_url)
    sample_site.requests.clear()
    again = etl(sources_file=str(sources), db_url=db_url)
    assert (again["fetched"], again["extracted"], again["not_modified"]) == (0, 0, 0)
    assert snapshot(db_url) == before
    swept = etl(sources_file=str(sources), db_url=db_url, full_sweep=True)
    assert (swept["fetched"], swept["extracted"], swept["not_modified"]) == (0, 0, 11)
    assert snapshot(db_url) == before


@pytest.mark.usefixtures("prefect_harness")
def test_add_records_pages_named_by_hand_under_the_manual_source(sqlite_url, sample_site) -> None:  # type: ignore[no-untyped-def]
    from flows.etl import add_urls

    url = (
        sample_site.base_url
        + "/news/thirty-eight-arrested-in-uk-wide-child-trafficking-week-of-action"
    )
    summary = add_urls(
        [url, sample_site.base_url + "/no/such/page"], db_url=sqlite_url, allow_private=True
    )
    assert (summary["fetched"], summary["failed"]) == (1, 1)
    assert summary["failures"][0]["reason"] == "http 404"
    engine = get_engine(sqlite_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT s.name, s.kind, p.url FROM pages p JOIN sources s ON s.id = p.source_id")
        ).all()
        failed = conn.execute(text("SELECT url, http_status FROM fetch_failures")).all()
    assert [tuple(r) for r in rows] == [("manual", "urls", url)]
    assert [tuple(r) for r in failed] == [(sample_site.base_url + "/no/such/page", 404)]
    assert seed_row(sqlite_url)["arrests_per_force"] == 2
