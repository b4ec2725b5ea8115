"""Prefect artifacts: the table and the markdown summary of one run, read back from the API;
bounded whatever the run touched (docs/BENCHMARKS.md: a backfill touches thousands)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
from prefect.context import get_run_context

import tasks.publish
from db.engine import get_engine
from db.report_queries import ReportData, operations_overview
from tasks.publish import (
    FAILURES_LIMIT,
    MARKDOWN_KEY,
    PUBLISH_LIMIT,
    TABLE_KEY,
    md_escape,
    publish_artifacts,
    summary_markdown,
)
from tests.test_report import HOSTILE_TITLE, build_warehouse, ids_by_name

RUN_SUMMARY: dict[str, Any] = {
    "discovered": 5,
    "fetched": 4,
    "not_modified": 0,
    "unchanged": 1,
    "extracted": 4,
    "irrelevant": 0,
    "operations_touched": 2,
    "failed": 1,
    "failures": [
        {
            "url": "https://x.test/news/<b>|[x](y)",
            "status": 503,
            "reason": "http 503",
            "attempts": 4,
        }
    ],
}


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("<script>window.__pwned=1</script>Operation X",
         "&lt;script&gt;window.\\_\\_pwned=1&lt;/script&gt;Operation X"),
        ("a | b", "a \\| b"),
        ("`code` and ``more``", "\\`code\\` and \\`\\`more\\`\\`"),
        ("[link](javascript:alert(1))", "\\[link\\](javascript:alert(1))"),
        ("![img](http://x/y.png)", "!\\[img\\](http://x/y.png)"),
        ("*bold* ~strike~", "\\*bold\\* \\~strike\\~"),
        ("&lt; stays literal", "&amp;lt; stays literal"),
        ("back\\slash", "back\\\\slash"),
        ("two\nlines\r\n  here", "two lines here"),
        (None, ""),
        (38, "38"),
    ],
)  # fmt: skip
def test_md_escape(text: Any, escaped: str) -> None:
    assert md_escape(text) == escaped


def _run_publish(op_ids: list[int], db_url: str, limit: int = PUBLISH_LIMIT) -> UUID:
    publish = task(name="publish", cache_policy=NO_CACHE)(publish_artifacts)

    @flow(name="publish-test")
    def tiny() -> UUID:
        publish(op_ids, db_url, RUN_SUMMARY, limit)
        return get_run_context().flow_run.id  # type: ignore[union-attr]

    return tiny()


def _artifacts(run_id: UUID) -> dict[str, Any]:
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
        )
    return {a.key: a for a in found}


@pytest.mark.flow
def test_publish_creates_table_and_markdown_artifacts(prefect_harness: None, db_url: str) -> None:
    engine = build_warehouse(db_url)
    ids = ids_by_name(engine)
    x, orochi = ids[HOSTILE_TITLE], ids["Operation Orochi"]
    artifacts = _artifacts(_run_publish([orochi, x], db_url))
    assert set(artifacts) == {TABLE_KEY, MARKDOWN_KEY}
    assert (artifacts[TABLE_KEY].type, artifacts[MARKDOWN_KEY].type) == ("table", "markdown")

    table = json.loads(artifacts[TABLE_KEY].data)
    assert table == [
        {"id": x, "name": "", "title": HOSTILE_TITLE, "lead": "NCA", "published": "2022-03-01",
         "sources": 2, "arrests": "12", "potential_victims": "6", "forces": "4", "days": "7",
         "nrm_referrals": "3", "arrests_per_force": "3.00", "arrests_per_force_day": "0.43",
         "nrm_referral_rate": "50.0 %", "uk_share_of_international_arrests": "—",
         "conflicts": "", "failed_checks": ""},
        {"id": orochi, "name": "Operation Orochi", "title": "More than 25 arrests in county lines week",
         "lead": "NCA", "published": "2022-10-14", "sources": 1, "arrests": ">25",
         "potential_victims": "10", "forces": "19", "days": "5", "nrm_referrals": "—",
         "arrests_per_force": "≥1.32", "arrests_per_force_day": "≥0.26", "nrm_referral_rate": "—",
         "uk_share_of_international_arrests": "—", "conflicts": "",
         "failed_checks": "children_adults_le_victims"},
    ]  # fmt: skip

    assert artifacts[TABLE_KEY].description.endswith("with their figures and metrics: all 2.")

    md = artifacts[MARKDOWN_KEY].data
    assert md == EXPECTED_MARKDOWN.format(x=x, orochi=orochi)
    assert "<script>" not in md and "<b>" not in md


@pytest.mark.flow
def test_publish_shows_only_the_most_recent_operations_and_counts_them_all(
    prefect_harness: None, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that touched more operations than the limit: the artifacts say how many, count
    conflicts and failed checks over all of them, and read and show only the newest."""
    engine = build_warehouse(sqlite_url)
    ids = ids_by_name(engine)
    aidant, x, orochi = ids["Operation Aidant"], ids[HOSTILE_TITLE], ids["Operation Orochi"]
    read: list[list[int]] = []
    load = tasks.publish.load_report_data

    def recording(engine: Any, op_ids: Any = None) -> ReportData:
        read.append(list(op_ids))
        return load(engine, op_ids)

    monkeypatch.setattr(tasks.publish, "load_report_data", recording)
    artifacts = _artifacts(_run_publish([aidant, orochi, x, orochi], sqlite_url, limit=1))
    assert read == [[orochi]]  # report data of the shown operation only

    # Orochi (2022-10-14) is the newest; Aidant (2021) has the conflict, Orochi a failed check.
    assert [row["id"] for row in json.loads(artifacts[TABLE_KEY].data)] == [orochi]
    assert artifacts[TABLE_KEY].description.endswith(
        "the 1 most recently published of 3 (`optally metrics` lists every operation)."
    )
    md = artifacts[MARKDOWN_KEY].data
    assert (
        "## Operations added or changed (3)\n\n3 operations: 1 with conflicting sources, "
        "1 with a failed quality check. Showing the 1 most recently published of the 3; "
        "`optally metrics` lists every operation and `optally report` shows them all.\n\n"
        f"### {orochi}. Operation Orochi\n" in md
    )
    assert "Operation Aidant" not in md and "pwned" not in md


def test_overview_ranks_newest_first_and_counts_every_operation(sqlite_url: str) -> None:
    engine = build_warehouse(sqlite_url)
    ids = ids_by_name(engine)
    aidant, x, orochi = ids["Operation Aidant"], ids[HOSTILE_TITLE], ids["Operation Orochi"]
    everything = [aidant, x, orochi, x]
    assert operations_overview(engine, everything, 2).shown == tuple(sorted([x, orochi]))
    for limit in (0, 1, 3, 100):
        o = operations_overview(engine, everything, limit)
        assert (o.total, o.conflicts, o.failed_checks) == (3, 1, 1)
        assert len(o.shown) == min(limit, 3)
    assert operations_overview(engine, [], 5) == operations_overview(get_engine(sqlite_url), [], 0)


def test_failures_are_listed_up_to_the_limit_and_counted() -> None:
    failures = [
        {"url": f"https://x.test/news/{i}", "status": 503, "reason": "http 503", "attempts": 4}
        for i in range(FAILURES_LIMIT + 7)
    ]
    md = summary_markdown(
        ReportData([], {}), {**RUN_SUMMARY, "failed": len(failures), "failures": failures}
    )
    assert f"## Failures ({FAILURES_LIMIT + 7})\n\nThe first {FAILURES_LIMIT} of " in md
    listed = [line for line in md.splitlines() if line.startswith("- https://x.test/news/")]
    assert len(listed) == FAILURES_LIMIT and listed[-1].startswith(
        f"- https://x.test/news/{FAILURES_LIMIT - 1}:"
    )


@pytest.mark.flow
def test_publish_with_no_operation_and_a_conflict(prefect_harness: None, sqlite_url: str) -> None:
    engine = build_warehouse(sqlite_url)
    ids = ids_by_name(engine)
    empty = _artifacts(_run_publish([], sqlite_url))
    assert json.loads(empty[TABLE_KEY].data) == []
    assert (
        "## Operations added or changed (0)\n\nNo operation was added or changed.\n"
        in empty[MARKDOWN_KEY].data
    )

    aidant = _artifacts(_run_publish([ids["Operation Aidant"]], sqlite_url))
    (row,) = json.loads(aidant[TABLE_KEY].data)
    assert (row["arrests"], row["nrm_referral_rate"], row["uk_share_of_international_arrests"],
            row["conflicts"]) == ("38", "55.6 %", "21.7 %", "arrests")  # fmt: skip
    assert (
        "- **Conflict** on operation arrests: 38 (National Crime Agency); 40 (Local News); "
        "reconciled 38\n" in aidant[MARKDOWN_KEY].data
    )


EXPECTED_MARKDOWN = """# optally run

discovered 5, fetched new or changed 4, not modified 0, unchanged 1, extracted 4, off-topic 0, operations touched 2, failed 1

## Operations added or changed (2)

2 operations: 0 with conflicting sources, 1 with a failed quality check. All shown below.

### {x}. &lt;script&gt;window.\\_\\_pwned=1&lt;/script&gt;Operation X

NCA · child exploitation · 2022-03-01 · 2 source page(s)

| figure or metric | value | note |
|---|---:|---|
| arrests | 12 |  |
| potential victims | 6 |  |
| forces involved | 4 |  |
| duration (days) | 7 |  |
| NRM referrals | 3 |  |
| arrests per force | 3.00 |  |
| arrests per force per day | 0.43 |  |
| potential victims per force | 1.50 |  |
| NRM referral rate | 50.0 % |  |
| victims not referred to the NRM | 3 |  |
| children among potential victims | — | victims\\_children not reported |
| arrests per potential victim | 2.00 |  |
| new investigations per force | — | new\\_investigations not reported |
| UK share of international arrests | — | international\\_arrests not reported |
| UK share of international victims | — | international\\_potential\\_victims not reported |
| arrests outside the offence breakdown | — | breakdown\\_total not reported |

### {orochi}. Operation Orochi

*More than 25 arrests in county lines week*

NCA · county lines · 2022-10-14 · 1 source page(s)

| figure or metric | value | note |
|---|---:|---|
| arrests | &gt;25 |  |
| potential victims | 10 |  |
| forces involved | 19 |  |
| duration (days) | 5 |  |
| NRM referrals | — |  |
| arrests per force | ≥1.32 | bound: arrests is more\\_than |
| arrests per force per day | ≥0.26 | bound: arrests is more\\_than |
| potential victims per force | 0.53 |  |
| NRM referral rate | — | nrm\\_referrals not reported |
| victims not referred to the NRM | — | nrm\\_referrals not reported |
| children among potential victims | 80.0 % |  |
| arrests per potential victim | ≥2.50 | bound: arrests is more\\_than |
| new investigations per force | — | new\\_investigations not reported |
| UK share of international arrests | — | international\\_arrests not reported |
| UK share of international victims | — | international\\_potential\\_victims not reported |
| arrests outside the offence breakdown | — | breakdown\\_total not reported |

- **Failed check** children\\_adults\\_le\\_victims: children + adults vs potential victims: 13 &gt; 10

## Failures (1)

- https://x.test/news/&lt;b&gt;\\|\\[x\\](y): http 503 (status 503, 4 attempt(s))
"""
