"""The derive stage: from an operation's current claims to its derived rows.

Pure rules first (no I/O): ``reconcile`` (which claim of each figure wins),
``operation_facts`` (which article's name, agency, theme and dates the operation takes),
``breakdown_total``, ``derive_metrics`` and ``quality_checks``; ``derive_operation`` puts
them together for one operation's claims. Then the stage's unit of work, ``rebuild``:
read the claims of the operations whose claims changed (db/derived.py), derive, write
back only what differs, relink parents (tasks/lineage.py) and forces, in the caller's
transaction. The flow runs it as the task "derive" after each load (flows/etl.py).

Derived metrics: a figure is ``(value, qualifier)``. Bounds propagate: "more than 25 arrests"
over exactly 19 forces is *at least* 1.32 per force; dividing by a lower bound
gives an upper bound. A missing input gives no value and a reason; a zero
denominator never divides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection

from config.metrics import DERIVED_METRICS, MetricDef
from db import derived as store
from db.forces import refresh_operation_forces
from db.lineage import lock_operations
from tasks.followup import followup_metrics, outcomes_of, reference_day, relink
from tasks.lineage import link_parents

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


# ---------------------------------------------------------------------------------------
# Reconciliation and the operation's facts (pure)

# An exact figure before a bound, a lower bound before "about", "up to" last.
_QUAL_RANK = {"exact": 0, "more_than": 1, "at_least": 1, "approx": 2, "up_to": 3}


class Claim(Protocol):
    """One figure of a current article of the operation (db/derived.py figure_claims)."""

    id: int
    scope: str
    metric: str
    value: float
    qualifier: str
    official: bool
    published: Any
    aid: int


class ArticleFacts(Protocol):
    """What one current article says of the operation (db/derived.py article_facts)."""

    id: int
    op_name: str | None
    lead_agency: str | None
    theme: str | None
    published: Any
    official: bool
    title: str | None
    op_start: Any
    op_end: Any


class BreakdownSum(Protocol):
    aid: int
    official: bool
    total: float


@dataclass(frozen=True, slots=True)
class OperationClaims:
    """Everything the derive stage reads of one operation."""

    op_id: int
    figures: Sequence[Claim] = ()
    breakdowns: Sequence[BreakdownSum] = ()
    articles: Sequence[ArticleFacts] = ()
    followups: Sequence[Any] = ()  # linked follow-ups' outcomes (db/followups.py Outcome)


@dataclass(frozen=True, slots=True)
class DerivedRows:
    """One operation's derived rows, as the warehouse stores them. ``facts`` is None when
    the operation has no current article (it keeps the facts it has)."""

    figures: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] | None = None


def reconcile(op_id: int, claims: Iterable[Claim]) -> list[dict[str, Any]]:
    """operation_figures rows of one operation: the chosen claim per (scope, metric).

    Reconciliation rule: official source before news; an exact figure before a bound;
    then the most recently published, then the most recently read article's claim (then
    the first figure read)."""
    groups: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for c in claims:
        groups[(c.scope, c.metric)].append(c)
    rows = []
    for (scope, metric), cs in sorted(groups.items()):
        cs.sort(
            key=lambda c: (
                not c.official,
                _QUAL_RANK.get(c.qualifier, 9),
                -(c.published.toordinal() if c.published else 0),
                -c.aid,
                c.id,
            )
        )
        best = cs[0]
        rows.append(
            {
                "operation_id": op_id,
                "scope": scope,
                "metric": metric,
                "value": best.value,
                "qualifier": best.qualifier,
                "figure_id": best.id,
                "claims": len(cs),
                "conflict": len({c.value for c in cs}) > 1,
            }
        )
    return rows


def breakdown_total(sums: Iterable[BreakdownSum]) -> float | None:
    """The arrest breakdown's total on the best current article that has one (official
    first, then the newest)."""
    best = min(sums, key=lambda s: (not s.official, -s.aid), default=None)
    return None if best is None else float(best.total)


def operation_facts(arts: Sequence[ArticleFacts]) -> dict[str, Any]:
    """Name, lead agency, theme and dates from the best current article (official first)."""
    arts = sorted(arts, key=lambda r: (not r.official, r.id))
    first = arts[0]
    # Dates travel together: both from the first article (official first) that gives a start.
    dated = next((r for r in arts if r.op_start), None)
    return {
        "name": next((r.op_name for r in arts if r.op_name), None),
        "lead_agency": first.lead_agency
        or next((r.lead_agency for r in arts if r.lead_agency), None),
        "theme": first.theme or next((r.theme for r in arts if r.theme), None),
        "first_published": min((r.published for r in arts if r.published), default=None),
        "title": first.title,
        "start_date": dated.op_start if dated else None,
        "end_date": dated.op_end if dated else None,
    }


def metric_inputs(rows: Iterable[dict[str, Any]], breakdown: float | None) -> dict[str, Value]:
    """The inputs of the derived metrics: reconciled figures by name (international ones
    prefixed), and the breakdown's total."""
    inputs: dict[str, Value] = {
        (r["metric"] if r["scope"] == "operation" else f"international_{r['metric']}"): (
            r["value"],
            r["qualifier"],
        )
        for r in rows
    }
    if breakdown is not None:
        inputs["breakdown_total"] = (breakdown, "exact")
    return inputs


def derive_operation(claims: OperationClaims) -> DerivedRows:
    """One operation's derived rows from its current claims."""
    op_id = claims.op_id
    rows = reconcile(op_id, claims.figures)
    inputs = metric_inputs(rows, breakdown_total(claims.breakdowns))
    metrics = [
        {
            "operation_id": op_id,
            "metric": r.name,
            "value": r.value,
            "qualifier": r.qualifier,
            "unit": r.unit,
            "reason": r.reason,
            "formula": r.formula,
        }
        for r in derive_metrics(inputs)
    ]
    checks = [
        {"operation_id": op_id, "name": c.name, "passed": c.passed, "detail": c.detail}
        for c in quality_checks(inputs)
    ]
    facts = operation_facts(claims.articles) if claims.articles else None
    # What happened next: from the follow-up pages linked to the operation (tasks/followup.py).
    metrics += [
        {"operation_id": op_id, **r}
        for r in followup_metrics(inputs, claims.followups, reference_day(facts))
    ]
    return DerivedRows(rows, metrics, checks, facts)


def derive_operations(claims: Iterable[OperationClaims]) -> dict[int, DerivedRows]:
    return {c.op_id: derive_operation(c) for c in claims}


# ---------------------------------------------------------------------------------------
# The stage's unit of work (reads and writes through db/)

REBUILD_CHUNK = 500  # operations whose rows are read and written together


def rebuild(conn: Connection, op_ids: Iterable[int] = ()) -> list[int]:
    """Rebuild the derived rows of ``op_ids`` and of every operation waiting to be derived
    (db/derived.py pending: loaded by a run that stopped before deriving), in the caller's
    transaction. Returns the operations rebuilt.

    Operations are read and written REBUILD_CHUNK at a time (one query per table for all
    of them, not one per operation: a batch touches some fifty), and only the rows that
    differ are rewritten, so a rebuild of unchanged operations writes nothing.
    """
    lock_operations(conn)  # one rebuild at a time (db/lineage.py says why)
    ids = sorted(set(op_ids) | set(store.pending(conn)))
    for i in range(0, len(ids), REBUILD_CHUNK):
        chunk = ids[i : i + REBUILD_CHUNK]
        _rebuild_chunk(conn, chunk)
        store.clear_pending(conn, chunk)
    # Parents depend on reconciled totals of other operations too (tasks/lineage.py).
    link_parents(conn, ids)
    refresh_operation_forces(conn, ids)
    # Follow-up pages are linked against the operations' facts and forces just rebuilt;
    # the operations whose follow-ups changed get their follow-up metrics again.
    relinked = sorted(relink(conn))
    for i in range(0, len(relinked), REBUILD_CHUNK):
        _rebuild_chunk(conn, relinked[i : i + REBUILD_CHUNK])
    return sorted(set(ids) | set(relinked))


def _rebuild_chunk(conn: Connection, ids: list[int]) -> None:
    figures = store.figure_claims(conn, ids)
    breakdowns = store.breakdown_sums(conn, ids)
    articles = store.article_facts(conn, ids)
    followups = outcomes_of(conn, ids)
    derived = derive_operations(
        OperationClaims(
            op_id,
            figures.get(op_id, []),
            breakdowns.get(op_id, []),
            articles.get(op_id, []),
            followups.get(op_id, []),
        )
        for op_id in ids
    )
    for kind in ("figures", "metrics", "checks"):
        store.replace_derived(conn, kind, {op_id: getattr(d, kind) for op_id, d in derived.items()})
    store.write_facts(conn, {op_id: d.facts for op_id, d in derived.items() if d.facts is not None})
