"""Derived metrics and quality checks: pure functions over an operation's reconciled figures.

A figure is ``(value, qualifier)``. Bounds propagate: "more than 25 arrests"
over exactly 19 forces is *at least* 1.32 per force; dividing by a lower bound
gives an upper bound. A missing input gives no value and a reason; a zero
denominator never divides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from config.metrics import DERIVED_METRICS, MetricDef

Value = tuple[float, str]  # (value, qualifier)

# Direction of a qualifier: +1 a lower bound (the truth is at or above), -1 an upper bound.
_DIRECTION = {"exact": 0, "more_than": 1, "at_least": 1, "up_to": -1}


@dataclass(frozen=True, slots=True)
class MetricResult:
    name: str
    value: float | None
    qualifier: str | None
    unit: str
    formula: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    passed: bool
    detail: str


def _combine(directions: list[int | None]) -> str:
    """Qualifier of a result from its inputs' directions (signed by how each input moves it)."""
    if any(d is None for d in directions):
        return "approx"
    signs = {d for d in directions if d != 0}
    if not signs:
        return "exact"
    if signs == {1}:
        return "at_least"
    if signs == {-1}:
        return "up_to"
    return "approx"  # bounds pulling both ways say nothing exact


def _dir(qualifier: str) -> int | None:
    return _DIRECTION.get(qualifier)  # approx -> None


def compute_metric(defn: MetricDef, inputs: Mapping[str, Value]) -> MetricResult:
    missing = [name for name in defn.inputs if name not in inputs]
    if missing:
        return MetricResult(
            defn.name,
            None,
            None,
            defn.unit,
            defn.formula,
            " and ".join(missing) + " not reported",
        )
    vals = [float(inputs[n][0]) for n in defn.inputs]
    dirs = [_dir(inputs[n][1]) for n in defn.inputs]
    if defn.op == "sub":
        value = vals[0] - vals[1]
        signed = [dirs[0], None if dirs[1] is None else -dirs[1]]
    else:
        for name, v in zip(defn.inputs[1:], vals[1:], strict=True):
            if v == 0:
                return MetricResult(defn.name, None, None, defn.unit, defn.formula, f"{name} is 0")
        value = vals[0]
        for v in vals[1:]:
            value /= v
        signed = [dirs[0]] + [None if d is None else -d for d in dirs[1:]]
    qualifier = _combine(signed)
    value = round(value, defn.digits)
    if defn.digits == 0:
        value = float(int(value))
    reason = None
    if qualifier != "exact":
        bounded = [n for n in defn.inputs if inputs[n][1] != "exact"]
        reason = f"bound: {', '.join(f'{n} is {inputs[n][1]}' for n in bounded)}"
    return MetricResult(defn.name, value, qualifier, defn.unit, defn.formula, reason)


def derive_metrics(inputs: Mapping[str, Value]) -> list[MetricResult]:
    return [compute_metric(d, inputs) for d in DERIVED_METRICS]


def quality_checks(inputs: Mapping[str, Value]) -> list[CheckResult]:
    """Arithmetic sanity checks; a failure is recorded and shown, never fatal."""

    def v(name: str) -> float | None:
        return float(inputs[name][0]) if name in inputs else None

    out: list[CheckResult] = []

    def le(name: str, left: float | None, right: float | None, label: str) -> None:
        if left is None or right is None:
            return
        ok = left <= right
        out.append(CheckResult(name, ok, f"{label}: {left:g} {'<=' if ok else '>'} {right:g}"))

    kids, adults = v("victims_children"), v("victims_adults")
    if kids is not None and adults is not None:
        le(
            "children_adults_le_victims",
            kids + adults,
            v("potential_victims"),
            "children + adults vs potential victims",
        )
    le("breakdown_le_arrests", v("breakdown_total"), v("arrests"), "arrest breakdown vs arrests")
    le(
        "uk_le_international_arrests",
        v("arrests"),
        v("international_arrests"),
        "arrests vs international arrests",
    )
    le(
        "uk_le_international_victims",
        v("potential_victims"),
        v("international_potential_victims"),
        "potential victims vs international",
    )
    le(
        "referrals_le_victims",
        v("nrm_referrals"),
        v("potential_victims"),
        "NRM referrals vs potential victims",
    )
    days = v("duration_days")
    if days is not None:
        ok = 1 <= days <= 60
        out.append(CheckResult("duration_in_range", ok, f"duration {days:g} days (expected 1..60)"))
    return out
