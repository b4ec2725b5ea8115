"""Derived metrics and checks: exact values, bounds, reasons, no division by zero."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from config.metrics import DERIVED_METRICS, DERIVED_NAMES
from tasks.derive import (
    OperationClaims,
    derive_metrics,
    derive_operation,
    quality_checks,
    reconcile,
)

SEED = {
    "arrests": (38, "exact"),
    "potential_victims": (99, "exact"),
    "victims_children": (72, "exact"),
    "victims_adults": (27, "exact"),
    "forces_involved": (19, "exact"),
    "duration_days": (7, "exact"),
    "new_investigations": (51, "exact"),
    "nrm_referrals": (55, "exact"),
    "international_arrests": (175, "exact"),
    "international_potential_victims": (187, "exact"),
    "breakdown_total": (29, "exact"),
}


def by_name(inputs):  # type: ignore[no-untyped-def]
    return {m.name: m for m in derive_metrics(inputs)}


def test_seed_operation_gives_the_design_table() -> None:
    got = {k: (v.value, v.qualifier) for k, v in by_name(SEED).items()}
    assert got == {
        "arrests_per_force": (2.0, "exact"),
        "arrests_per_force_day": (0.29, "exact"),
        "victims_per_force": (5.21, "exact"),
        "nrm_referral_rate": (0.556, "exact"),
        "unreferred_victims": (44.0, "exact"),
        "child_share": (0.727, "exact"),
        "arrests_per_victim": (0.38, "exact"),
        "investigations_per_force": (2.68, "exact"),
        "uk_share_of_international_arrests": (0.217, "exact"),
        "uk_share_of_international_victims": (0.529, "exact"),
        "arrests_outside_breakdown": (9.0, "exact"),
    }


def test_every_metric_is_defined_once() -> None:
    assert len(DERIVED_NAMES) == len(set(DERIVED_NAMES)) == 11
    assert all(d.formula and d.unit and d.inputs for d in DERIVED_METRICS)


@pytest.mark.parametrize(
    ("inputs", "metric", "value", "qualifier", "reason"),
    [
        (
            {"arrests": (25, "at_least"), "forces_involved": (19, "exact")},
            "arrests_per_force",
            1.32,
            "at_least",
            "bound: arrests is at_least",
        ),
        (
            {"arrests": (25, "more_than"), "forces_involved": (19, "exact")},
            "arrests_per_force",
            1.32,
            "at_least",
            "bound: arrests is more_than",
        ),
        (
            {"arrests": (40, "exact"), "forces_involved": (20, "at_least")},
            "arrests_per_force",
            2.0,
            "up_to",
            "bound: forces_involved is at_least",
        ),
        (
            {"arrests": (40, "up_to"), "forces_involved": (20, "at_least")},
            "arrests_per_force",
            2.0,
            "up_to",
            "bound: arrests is up_to, forces_involved is at_least",
        ),
        (
            {"arrests": (40, "at_least"), "forces_involved": (20, "at_least")},
            "arrests_per_force",
            2.0,
            "approx",
            "bound: arrests is at_least, forces_involved is at_least",
        ),
        (
            {"arrests": (500, "approx"), "forces_involved": (10, "exact")},
            "arrests_per_force",
            50.0,
            "approx",
            "bound: arrests is approx",
        ),
        (
            {"potential_victims": (100, "more_than"), "nrm_referrals": (40, "exact")},
            "unreferred_victims",
            60.0,
            "at_least",
            "bound: potential_victims is more_than",
        ),
        (
            {"potential_victims": (100, "exact"), "nrm_referrals": (40, "at_least")},
            "unreferred_victims",
            60.0,
            "up_to",
            "bound: nrm_referrals is at_least",
        ),
        (
            {"arrests": (38, "exact")},
            "arrests_per_force",
            None,
            None,
            "forces_involved not reported",
        ),
        (
            {},
            "arrests_per_force_day",
            None,
            None,
            "arrests and forces_involved and duration_days not reported",
        ),
        (
            {"arrests": (38, "exact"), "forces_involved": (0, "exact")},
            "arrests_per_force",
            None,
            None,
            "forces_involved is 0",
        ),
        (
            {
                "arrests": (38, "exact"),
                "forces_involved": (19, "exact"),
                "duration_days": (0, "exact"),
            },
            "arrests_per_force_day",
            None,
            None,
            "duration_days is 0",
        ),
    ],
)
def test_bounds_missing_inputs_and_zero(inputs, metric, value, qualifier, reason) -> None:  # type: ignore[no-untyped-def]
    got = by_name(inputs)[metric]
    assert (got.value, got.qualifier, got.reason) == (value, qualifier, reason)


def test_quality_checks_pass_on_the_seed_and_flag_inconsistencies() -> None:
    assert all(c.passed for c in quality_checks(SEED))
    assert {c.name for c in quality_checks(SEED)} == {
        "children_adults_le_victims",
        "breakdown_le_arrests",
        "uk_le_international_arrests",
        "uk_le_international_victims",
        "referrals_le_victims",
        "duration_in_range",
    }
    bad = {
        "arrests": (10, "exact"),
        "breakdown_total": (11, "exact"),
        "potential_victims": (5, "exact"),
        "victims_children": (4, "exact"),
        "victims_adults": (3, "exact"),
        "nrm_referrals": (6, "exact"),
        "international_arrests": (9, "exact"),
        "duration_days": (90, "exact"),
    }
    failed = {c.name: c.detail for c in quality_checks(bad) if not c.passed}
    assert failed == {
        "children_adults_le_victims": "children + adults vs potential victims: 7 > 5",
        "breakdown_le_arrests": "arrest breakdown vs arrests: 11 > 10",
        "uk_le_international_arrests": "arrests vs international arrests: 10 > 9",
        "referrals_le_victims": "NRM referrals vs potential victims: 6 > 5",
        "duration_in_range": "duration 90 days (expected 1..60)",
    }


def _claim(fid: int, value: float, qualifier: str = "exact", official: bool = True,
           published: date | None = None, aid: int = 1, scope: str = "operation") -> Any:  # fmt: skip
    return SimpleNamespace(id=fid, scope=scope, metric="arrests", value=value,
                           qualifier=qualifier, official=official, published=published, aid=aid)  # fmt: skip


RECONCILE_CASES = [
    # (claims, chosen value, claims counted, conflict)
    ([_claim(1, 40, official=False), _claim(2, 38)], 38, 2, True),  # official first
    ([_claim(1, 38, "more_than"), _claim(2, 41)], 41, 2, True),  # exact before a bound
    ([_claim(1, 38, "approx"), _claim(2, 30, "at_least")], 30, 2, True),  # bound before about
    (
        [_claim(1, 38, published=date(2021, 11, 5)), _claim(2, 39, published=date(2021, 11, 9))],
        39,
        2,
        True,
    ),  # the newest published
    ([_claim(1, 38, aid=1), _claim(2, 39, aid=2)], 39, 2, True),  # then the latest reading
    ([_claim(1, 38), _claim(2, 38, aid=2)], 38, 2, False),  # agreeing claims: no conflict
]


@pytest.mark.parametrize(("claims", "value", "count", "conflict"), RECONCILE_CASES)
def test_reconcile_picks_one_claim_per_figure(
    claims: list[Any], value: float, count: int, conflict: bool
) -> None:
    (row,) = reconcile(7, claims)
    assert (row["operation_id"], row["value"], row["claims"], row["conflict"]) == (
        7,
        value,
        count,
        conflict,
    )


def test_derive_operation_from_claims_alone() -> None:
    """The stage's pure core: claims in, every derived row out, no warehouse."""
    figures = [
        _claim(1, 38),
        SimpleNamespace(**{**vars(_claim(2, 19)), "metric": "forces_involved"}),
    ]
    art = SimpleNamespace(id=1, op_name="Operation X", lead_agency="NCA", theme=None,
                          published=date(2021, 11, 5), official=True, title="T",
                          op_start=None, op_end=None)  # fmt: skip
    rows = derive_operation(
        OperationClaims(3, figures, [SimpleNamespace(aid=1, official=True, total=29)], [art])
    )
    metrics = {m["metric"]: m["value"] for m in rows.metrics}
    assert metrics["arrests_per_force"] == 2.0
    assert metrics["arrests_outside_breakdown"] == 9
    assert [c["name"] for c in rows.checks] == ["breakdown_le_arrests"]
    assert rows.facts is not None and rows.facts["name"] == "Operation X"
    assert derive_operation(OperationClaims(4)).facts is None  # no article: keeps its own
