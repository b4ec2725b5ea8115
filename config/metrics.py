"""Derived metrics, each defined once: formula, inputs, unit (docs/METRICS.md explains them).

An input is a reconciled figure of the operation: ``arrests`` is the operation
scope, ``international_arrests`` the wider action's total. ``breakdown_total``
is the sum of the operation's arrest breakdown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# "followup": computed from an operation's linked follow-up pages (tasks/followup.py).
Op = Literal["div", "div2", "sub", "followup"]


@dataclass(frozen=True, slots=True)
class MetricDef:
    name: str
    op: Op
    inputs: tuple[str, ...]
    unit: str
    formula: str
    description: str
    digits: int = 2


DERIVED_METRICS: tuple[MetricDef, ...] = (
    MetricDef(
        "arrests_per_force",
        "div",
        ("arrests", "forces_involved"),
        "arrests per force",
        "arrests / forces_involved",
        "Average arrests each participating force contributed.",
    ),
    MetricDef(
        "arrests_per_force_day",
        "div2",
        ("arrests", "forces_involved", "duration_days"),
        "arrests per force per day",
        "arrests / forces_involved / duration_days",
        "Average arrests per force for each day of the operation.",
    ),
    MetricDef(
        "victims_per_force",
        "div",
        ("potential_victims", "forces_involved"),
        "potential victims per force",
        "potential_victims / forces_involved",
        "Average potential victims identified per participating force.",
    ),
    MetricDef(
        "nrm_referral_rate",
        "div",
        ("nrm_referrals", "potential_victims"),
        "fraction",
        "nrm_referrals / potential_victims",
        "Share of potential victims referred to the National Referral Mechanism.",
        3,
    ),
    MetricDef(
        "unreferred_victims",
        "sub",
        ("potential_victims", "nrm_referrals"),
        "people",
        "potential_victims - nrm_referrals",
        "Potential victims the release does not say were referred to the NRM.",
        0,
    ),
    MetricDef(
        "child_share",
        "div",
        ("victims_children", "potential_victims"),
        "fraction",
        "victims_children / potential_victims",
        "Share of potential victims who were children.",
        3,
    ),
    MetricDef(
        "arrests_per_victim",
        "div",
        ("arrests", "potential_victims"),
        "arrests per victim",
        "arrests / potential_victims",
        "Arrests for each potential victim identified.",
    ),
    MetricDef(
        "investigations_per_force",
        "div",
        ("new_investigations", "forces_involved"),
        "investigations per force",
        "new_investigations / forces_involved",
        "New investigations opened per participating force.",
    ),
    MetricDef(
        "uk_share_of_international_arrests",
        "div",
        ("arrests", "international_arrests"),
        "fraction",
        "arrests / international_arrests",
        "The operation's share of the wider international action's arrests.",
        3,
    ),
    MetricDef(
        "uk_share_of_international_victims",
        "div",
        ("potential_victims", "international_potential_victims"),
        "fraction",
        "potential_victims / international_potential_victims",
        "The operation's share of the wider international action's potential victims.",
        3,
    ),
    MetricDef(
        "arrests_outside_breakdown",
        "sub",
        ("arrests", "breakdown_total"),
        "arrests",
        "arrests - sum(arrest_breakdown)",
        "Arrests the release's offence breakdown does not account for.",
        0,
    ),
)

DERIVED_NAMES: tuple[str, ...] = tuple(m.name for m in DERIVED_METRICS)

# What happened next (issue 15): from the follow-up pages linked to the operation
# (tasks/followup.py computes them; docs/METRICS.md, "What happened next"). Lower bounds:
# not every charge or conviction is published, and not every follow-up is found.
FOLLOWUP_METRICS: tuple[MetricDef, ...] = (
    MetricDef(
        "followups",
        "followup",
        ("followup pages",),
        "pages",
        "count(linked follow-up pages)",
        "Follow-up pages (charges, convictions, sentences) linked to the operation.",
        0,
    ),
    MetricDef(
        "charged_later",
        "followup",
        ("followup charged", "followup convicted"),
        "people",
        "max(sum(followup charged), sum(followup convicted))",
        "People the linked follow-ups say were charged (a conviction implies a charge).",
        0,
    ),
    MetricDef(
        "convicted_later",
        "followup",
        ("followup convicted",),
        "people",
        "sum(followup convicted)",
        "People the linked follow-ups say were convicted.",
        0,
    ),
    MetricDef(
        "charge_rate_lower_bound",
        "followup",
        ("charged", "charged_later", "arrests"),
        "fraction",
        "(charged + charged_later) / arrests",
        "Share of the operation's arrests known to have led to a charge.",
        3,
    ),
    MetricDef(
        "days_to_first_charge",
        "followup",
        ("end_date", "followup published"),
        "days",
        "first charging follow-up's date - end_date",
        "Days from the operation's end to the first follow-up that reports a charge.",
        0,
    ),
)
FOLLOWUP_NAMES: tuple[str, ...] = tuple(m.name for m in FOLLOWUP_METRICS)
# Every column of the operation_metrics view, in order.
ALL_DERIVED_NAMES: tuple[str, ...] = DERIVED_NAMES + FOLLOWUP_NAMES
