"""Reads for the HTML report, the exports and the run artifacts.

Every query is a SQLAlchemy ``select()`` over the model tables or a reflected
view: scraped text only ever travels as bound parameters or result values.
The records returned here are plain frozen dataclasses, so the renderers in
``tasks/`` stay pure (data in, text out) and testable without a database.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, Table, and_, func, select

from db import models as m
from db.derived import RECONCILED_SCOPES
from db.followups import Outcome, outcomes, unlinked
from db.queries import metric_details, metrics_rows
from domain.records import METRICS

T = m.Base.metadata.tables
ARTICLES, FIGURES, BREAKDOWNS = T["articles"], T["figures"], T["arrest_breakdowns"]
OP_FIGURES, CHECKS = T["operation_figures"], T["quality_checks"]
OPERATIONS = T["operations"]

# The stable views, in the order exports write them.
EXPORT_VIEWS: tuple[str, ...] = ("operation_summary", "operation_metrics")


@dataclass(frozen=True, slots=True)
class Claim:
    """What one current article said about one metric: the evidence behind a figure."""

    figure_id: int
    article_id: int
    url: str
    article_title: str | None
    publisher: str | None
    published: str | None  # ISO date
    official: bool
    scope: str
    metric: str
    subject: str
    value: float
    qualifier: str
    evidence: str
    confidence: float | None = None  # the extractor's; None for claims read before 0005


@dataclass(frozen=True, slots=True)
class ReconciledFigure:
    """One row of operation_figures with every current claim behind it (the chosen one first)."""

    scope: str
    metric: str
    value: float
    qualifier: str
    claims: int
    conflict: bool
    figure_id: int
    sources: tuple[Claim, ...]

    @property
    def chosen(self) -> Claim | None:
        return next((c for c in self.sources if c.figure_id == self.figure_id), None)


@dataclass(frozen=True, slots=True)
class CheckRow:
    name: str
    passed: bool
    detail: str


@dataclass(frozen=True, slots=True)
class SourceRow:
    article_id: int
    url: str
    title: str | None
    publisher: str | None
    published: str | None
    official: bool


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    offence: str
    count: int
    article_id: int
    url: str


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything the report shows, keyed by operation id."""

    operations: list[dict[str, Any]]  # db.queries.metrics_rows shape
    details: dict[int, dict[str, dict[str, Any]]]  # db.queries.metric_details shape
    figures: dict[int, list[ReconciledFigure]] = field(default_factory=dict)
    other_figures: dict[int, list[Claim]] = field(default_factory=dict)  # force/context scope
    checks: dict[int, list[CheckRow]] = field(default_factory=dict)
    sources: dict[int, list[SourceRow]] = field(default_factory=dict)
    breakdowns: dict[int, list[BreakdownRow]] = field(default_factory=dict)
    # What happened next: each operation's linked follow-ups (oldest first), and the follow-up
    # pages no operation matched (url, title, published; read for the whole report only).
    followups: dict[int, list[Outcome]] = field(default_factory=dict)
    unlinked_followups: list[dict[str, Any]] = field(default_factory=list)


def _iso(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return str(v)[:10]


def _metric_order(scope: str, metric: str) -> tuple[int, int, str]:
    # Vocabulary order reads better than alphabetical (arrests first, cash last).
    idx = METRICS.index(metric) if metric in METRICS else len(METRICS)
    return (0 if scope == "operation" else 1, idx, metric)


def _current_claims(conn: Connection, op_ids: Sequence[int] | None) -> list[Any]:
    q = (
        select(
            FIGURES.c.id,
            FIGURES.c.article_id,
            ARTICLES.c.operation_id,
            ARTICLES.c.url,
            ARTICLES.c.title,
            ARTICLES.c.publisher,
            ARTICLES.c.published,
            ARTICLES.c.official,
            FIGURES.c.scope,
            FIGURES.c.metric,
            FIGURES.c.subject,
            FIGURES.c.value,
            FIGURES.c.qualifier,
            FIGURES.c.evidence,
            FIGURES.c.confidence,
        )
        .join(ARTICLES, ARTICLES.c.id == FIGURES.c.article_id)
        .where(and_(ARTICLES.c.operation_id.is_not(None), ARTICLES.c.superseded_at.is_(None)))
        .order_by(FIGURES.c.id)
    )
    if op_ids is not None:
        q = q.where(ARTICLES.c.operation_id.in_(list(op_ids)))
    return list(conn.execute(q))


def load_report_data(engine: Engine, op_ids: Sequence[int] | None = None) -> ReportData:
    """The report's data for every operation, or only ``op_ids``."""
    data = ReportData(metrics_rows(engine, op_ids), metric_details(engine, op_ids))
    with engine.connect() as conn:
        claims_by_op: dict[int, dict[tuple[str, str], list[Claim]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for r in _current_claims(conn, op_ids):
            claim = Claim(
                figure_id=r.id,
                article_id=r.article_id,
                url=r.url,
                article_title=r.title,
                publisher=r.publisher,
                published=_iso(r.published),
                official=bool(r.official),
                scope=r.scope,
                metric=r.metric,
                subject=r.subject or "",
                value=float(r.value),
                qualifier=r.qualifier,
                evidence=r.evidence,
                confidence=r.confidence,
            )
            if r.scope in RECONCILED_SCOPES:
                claims_by_op[r.operation_id][(r.scope, r.metric)].append(claim)
            else:
                data.other_figures.setdefault(r.operation_id, []).append(claim)

        q = select(
            OP_FIGURES.c.operation_id,
            OP_FIGURES.c.scope,
            OP_FIGURES.c.metric,
            OP_FIGURES.c.value,
            OP_FIGURES.c.qualifier,
            OP_FIGURES.c.claims,
            OP_FIGURES.c.conflict,
            OP_FIGURES.c.figure_id,
        )
        if op_ids is not None:
            q = q.where(OP_FIGURES.c.operation_id.in_(list(op_ids)))
        for r in conn.execute(q):
            cs = claims_by_op[r.operation_id][(r.scope, r.metric)]
            # The reconciled claim first, then official sources, then by figure id.
            cs.sort(
                key=lambda c, fid=r.figure_id: (c.figure_id != fid, not c.official, c.figure_id)
            )
            data.figures.setdefault(r.operation_id, []).append(
                ReconciledFigure(
                    scope=r.scope,
                    metric=r.metric,
                    value=float(r.value),
                    qualifier=r.qualifier,
                    claims=int(r.claims),
                    conflict=bool(r.conflict),
                    figure_id=r.figure_id,
                    sources=tuple(cs),
                )
            )
        for figs in data.figures.values():
            figs.sort(key=lambda f: _metric_order(f.scope, f.metric))
        for others in data.other_figures.values():
            others.sort(
                key=lambda c: (c.scope, *_metric_order("operation", c.metric)[1:], c.subject)
            )

        q = select(CHECKS.c.operation_id, CHECKS.c.name, CHECKS.c.passed, CHECKS.c.detail).order_by(
            CHECKS.c.operation_id, CHECKS.c.name
        )
        if op_ids is not None:
            q = q.where(CHECKS.c.operation_id.in_(list(op_ids)))
        for r in conn.execute(q):
            data.checks.setdefault(r.operation_id, []).append(
                CheckRow(r.name, bool(r.passed), r.detail)
            )

        q = (
            select(
                ARTICLES.c.operation_id,
                ARTICLES.c.id,
                ARTICLES.c.url,
                ARTICLES.c.title,
                ARTICLES.c.publisher,
                ARTICLES.c.published,
                ARTICLES.c.official,
            )
            .where(and_(ARTICLES.c.operation_id.is_not(None), ARTICLES.c.superseded_at.is_(None)))
            .order_by(ARTICLES.c.operation_id, ARTICLES.c.official.desc(), ARTICLES.c.id)
        )
        if op_ids is not None:
            q = q.where(ARTICLES.c.operation_id.in_(list(op_ids)))
        for r in conn.execute(q):
            data.sources.setdefault(r.operation_id, []).append(
                SourceRow(r.id, r.url, r.title, r.publisher, _iso(r.published), bool(r.official))
            )

        q = (
            select(
                ARTICLES.c.operation_id,
                ARTICLES.c.id,
                ARTICLES.c.url,
                ARTICLES.c.official,
                BREAKDOWNS.c.offence,
                BREAKDOWNS.c.count,
            )
            .join(BREAKDOWNS, BREAKDOWNS.c.article_id == ARTICLES.c.id)
            .where(and_(ARTICLES.c.operation_id.is_not(None), ARTICLES.c.superseded_at.is_(None)))
            .order_by(BREAKDOWNS.c.id)
        )
        if op_ids is not None:
            q = q.where(ARTICLES.c.operation_id.in_(list(op_ids)))
        per_article: dict[int, dict[tuple[bool, int], list[BreakdownRow]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for r in conn.execute(q):
            per_article[r.operation_id][(bool(r.official), r.id)].append(
                BreakdownRow(r.offence, int(r.count), r.id, r.url)
            )
        for op_id, arts in per_article.items():
            # The same choice db.load._breakdown_total makes: official first, then the newest article.
            best = min(arts, key=lambda k: (not k[0], -k[1]))
            data.breakdowns[op_id] = arts[best]

        data.followups.update(outcomes(conn, op_ids))
        if op_ids is None:
            data.unlinked_followups.extend(unlinked(conn))
    return data


@dataclass(frozen=True, slots=True)
class Overview:
    """A run's operations in counts, and the few of them its artifacts show in full."""

    total: int  # distinct operations the run added or changed
    shown: tuple[int, ...]  # the ``limit`` most recently published of them, ascending ids
    conflicts: int  # how many of all ``total`` have a reconciled figure whose sources disagree
    failed_checks: int  # how many of all ``total`` fail at least one quality check


OVERVIEW_CHUNK = 500  # ids per query: well under every driver's bound-parameter limit


def operations_overview(engine: Engine, op_ids: Sequence[int], limit: int) -> Overview:
    """Count ``op_ids`` and pick the ``limit`` most recently published of them (undated last,
    then the highest id), reading them in chunks: memory and the size of what is returned
    do not grow with the number of operations, only the number of queries does."""
    ids = sorted(set(op_ids))
    newest: list[tuple[int, int, int]] = []  # min-heap of (dated, published ordinal, id)
    conflicts = failed = 0
    with engine.connect() as conn:
        for i in range(0, len(ids), OVERVIEW_CHUNK):
            chunk = ids[i : i + OVERVIEW_CHUNK]
            for op_id, published in conn.execute(
                select(OPERATIONS.c.id, OPERATIONS.c.first_published).where(
                    OPERATIONS.c.id.in_(chunk)
                )
            ):
                day = published if isinstance(published, date) else None
                key = (day is not None, day.toordinal() if day else 0, int(op_id))
                if len(newest) < limit:
                    heapq.heappush(newest, key)
                elif limit > 0 and key > newest[0]:
                    heapq.heapreplace(newest, key)
            conflicts += conn.execute(
                select(func.count(func.distinct(OP_FIGURES.c.operation_id))).where(
                    and_(OP_FIGURES.c.operation_id.in_(chunk), OP_FIGURES.c.conflict.is_(True))
                )
            ).scalar_one()
            failed += conn.execute(
                select(func.count(func.distinct(CHECKS.c.operation_id))).where(
                    and_(CHECKS.c.operation_id.in_(chunk), CHECKS.c.passed.is_(False))
                )
            ).scalar_one()
    return Overview(len(ids), tuple(sorted(k[2] for k in newest)), int(conflicts), int(failed))


def figure_claims(engine: Engine) -> tuple[list[str], list[dict[str, Any]]]:
    """Every claim (history included) with its article's URL and whether it is current or
    reconciled: (columns, rows)."""
    reconciled = select(OP_FIGURES.c.figure_id).scalar_subquery()
    q = (
        select(
            FIGURES.c.id.label("figure_id"),
            ARTICLES.c.operation_id,
            FIGURES.c.article_id,
            ARTICLES.c.url,
            ARTICLES.c.title.label("article_title"),
            ARTICLES.c.publisher,
            ARTICLES.c.published,
            ARTICLES.c.official,
            ARTICLES.c.superseded_at.is_(None).label("current"),
            FIGURES.c.id.in_(reconciled).label("reconciled"),
            FIGURES.c.scope,
            FIGURES.c.metric,
            FIGURES.c.subject,
            FIGURES.c.value,
            FIGURES.c.qualifier,
            FIGURES.c.evidence,
            FIGURES.c.span_start,
            FIGURES.c.span_end,
            FIGURES.c.parser_version,
        )
        .join(ARTICLES, ARTICLES.c.id == FIGURES.c.article_id)
        .order_by(FIGURES.c.id)
    )
    with engine.connect() as conn:
        result = conn.execute(q)
        columns = list(result.keys())
        return columns, [dict(r) for r in result.mappings()]


def view_rows(engine: Engine, view: str) -> tuple[list[str], list[dict[str, Any]]]:
    """All rows of one stable view by operation id: (columns, rows). The view is reflected,
    so its name is never spliced into SQL text."""
    if view not in EXPORT_VIEWS:
        raise ValueError(f"not an exported view: {view!r}")
    with engine.connect() as conn:
        table = Table(view, MetaData(), autoload_with=conn)
        result = conn.execute(select(table).order_by(table.c.operation_id))
        columns = list(result.keys())
        return columns, [dict(r) for r in result.mappings()]


def nrm_quarter_totals(engine: Engine) -> dict[tuple[int, int], int]:
    """NRM referrals per (year, quarter), all age groups, for ``tasks.compare.nrm_context``.

    One rule for which release counts lives in ``db.nrm.quarter_totals`` (the newest
    release that gives the quarter); this only hands it on, empty when nothing is loaded.
    """
    from db.nrm import quarter_totals

    return quarter_totals(engine)
