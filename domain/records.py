"""Frozen records passed between pipeline stages.

Parsers return these; nothing in this module does I/O. The vocabulary tuples
are the single source of truth for metric, scope and qualifier names
(docs/CONTRACTS.md, "Vocabulary").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

PARSER_VERSION = "1"

METRICS: tuple[str, ...] = (
    "arrests",
    "potential_victims",
    "victims_children",
    "victims_adults",
    "forces_involved",
    "duration_days",
    "new_investigations",
    "nrm_referrals",
    "charged",
    "warrants_executed",
    "premises_visited",
    "countries_involved",
    "cash_seized_gbp",
    "weapons_seized",
)
SCOPES: tuple[str, ...] = ("operation", "international", "force", "context", "followup")
QUALIFIERS: tuple[str, ...] = ("exact", "more_than", "at_least", "approx", "up_to")
HEADLINE_SCOPES: tuple[str, ...] = ("operation", "international")
# A follow-up page's outcomes (tasks/figures/followup.py): people charged and convicted
# after an earlier operation, and the custodial years they were given. Scope "followup"
# only: never an operation's headline figure.
FOLLOWUP_METRICS: tuple[str, ...] = ("charged", "convicted", "sentence_years_total")
THEMES: tuple[str, ...] = (
    "child_exploitation",
    "county_lines",
    "criminal_exploitation",
    "labour_exploitation",
    "sexual_exploitation",
    "organised_immigration_crime",
    "modern_slavery_general",
)


# What a figure can be. No operation arrests, safeguards, visits or refers more than
# MAX_COUNT of anything: a larger count is a misreading, a typo or an attack (a breakdown
# count of 3,000,000,000 once overflowed PostgreSQL's INTEGER column and failed its batch).
# Money can be larger; MAX_MONEY is still far beyond any seizure, and fits every column.
MAX_COUNT = 10_000_000
MAX_MONEY = 10**12
MONEY_METRICS: frozenset[str] = frozenset({"cash_seized_gbp"})


def plausible(metric: str, value: object) -> bool:
    """Whether ``value`` can be a figure of ``metric``: a finite number from 0 to its bound.
    (Breakdown counts are counts of arrests.)"""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if not math.isfinite(value) or value < 0:
        return False
    return value <= (MAX_MONEY if metric in MONEY_METRICS else MAX_COUNT)


@dataclass(frozen=True, slots=True)
class Article:
    """The article a page holds, with boilerplate gone.

    ``body`` is plain text: block elements separated by a blank line
    ("\\n\\n"); each ``<li>`` is its own block starting with "• ".
    Figure spans index into ``body``.
    """

    url: str | None
    title: str | None
    published: date | None
    publisher: str | None
    body: str
    tags: tuple[str, ...] = ()
    method: str = ""  # which rule found the body: "nca", "jsonld", "article", ...


@dataclass(frozen=True, slots=True)
class Figure:
    scope: str
    metric: str
    value: int | float
    qualifier: str
    evidence: str
    # [start, end) of the evidence sentence in Article.body; None when the
    # evidence is the headline rather than the body.
    span: tuple[int, int] | None
    subject: str | None = None  # the force or country of a force-scope figure
    # How far to trust it, in [0, 1] (tasks.figures.confidence); 1.0 where no model rates it.
    confidence: float = 1.0

    def to_json(self) -> dict[str, Any]:
        out = _claim_json(self)
        if self.subject:
            out["subject"] = self.subject
        return out


@dataclass(frozen=True, slots=True)
class Abstention:
    """A figure the extractor read but does not report: too little confidence that it is the
    operation's own. Kept with its evidence and the reason, so a reader can check it."""

    scope: str
    metric: str
    value: int | float
    qualifier: str
    evidence: str
    span: tuple[int, int] | None
    confidence: float
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {**_claim_json(self), "reason": self.reason}


def _claim_json(c: Figure | Abstention) -> dict[str, Any]:
    """What a figure and an abstention both say, in the order of the extract contract."""
    return {
        "scope": c.scope,
        "metric": c.metric,
        "value": c.value,
        "qualifier": c.qualifier,
        "evidence": c.evidence,
        "span": list(c.span) if c.span is not None else None,
        "confidence": c.confidence,
    }


@dataclass(frozen=True, slots=True)
class BreakdownItem:
    offence: str
    count: int
    evidence: str = ""
    span: tuple[int, int] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"offence": self.offence, "count": self.count}


@dataclass(frozen=True, slots=True)
class OperationFacts:
    name: str | None = None
    lead_agency: str | None = None
    theme: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    forces: tuple[str, ...] = ()  # force names as written on the page
    countries: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "lead_agency": self.lead_agency,
            "theme": self.theme,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "forces": list(self.forces),
            "countries": list(self.countries),
        }


@dataclass(frozen=True, slots=True)
class FigureResult:
    """What the figure extractor reads from an article's text."""

    figures: tuple[Figure, ...] = ()
    arrest_breakdown: tuple[BreakdownItem, ...] = ()
    operation: OperationFacts = field(default_factory=OperationFacts)
    abstentions: tuple[Abstention, ...] = ()

    def __post_init__(self) -> None:
        # An implausible number is not a figure, whoever read it (see ``plausible``).
        figures = tuple(f for f in self.figures if plausible(f.metric, f.value))
        breakdown = tuple(
            b
            for b in self.arrest_breakdown
            if isinstance(b.count, int) and plausible("arrests", b.count)
        )
        if len(figures) != len(self.figures):
            object.__setattr__(self, "figures", figures)
        if len(breakdown) != len(self.arrest_breakdown):
            object.__setattr__(self, "arrest_breakdown", breakdown)


@dataclass(frozen=True, slots=True)
class FollowUp:
    """What makes a page a follow-up: its subject is later criminal-justice outcomes of
    people arrested earlier (tasks/figures/followup.py). ``outcomes`` in the order the page
    gives them (charged, remanded, convicted, sentenced, acquitted, no_further_action);
    ``evidence`` the sentence that says so; ``refers`` the sentence that points back to
    the earlier operation, when the page has one."""

    outcomes: tuple[str, ...]
    evidence: str
    span: tuple[int, int] | None
    refers: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "outcomes": list(self.outcomes),
            "evidence": self.evidence,
            "span": list(self.span) if self.span is not None else None,
            "refers": self.refers,
        }


@dataclass(frozen=True, slots=True)
class Extraction:
    article: Article
    result: FigureResult
    parser_version: str = PARSER_VERSION
    # Set when the page is a follow-up: its figures are then outcomes (scope "followup")
    # and context, never the operation's headline figures.
    followup: FollowUp | None = None

    def to_json(self) -> dict[str, Any]:
        a = self.article
        out = {
            "url": a.url,
            "title": a.title,
            "published": a.published.isoformat() if a.published else None,
            "publisher": a.publisher,
            "operation": self.result.operation.to_json(),
            # The headline operation's figures and the wider action's totals. One force's
            # part and background statistics are reported apart, so that nobody reading
            # "figures" can mistake them for the operation's own numbers.
            "figures": [f.to_json() for f in self.result.figures if f.scope in HEADLINE_SCOPES],
            "other_figures": [
                f.to_json() for f in self.result.figures if f.scope not in HEADLINE_SCOPES
            ],
            "arrest_breakdown": [b.to_json() for b in self.result.arrest_breakdown],
            "abstentions": [a.to_json() for a in self.result.abstentions],
            "parser_version": self.parser_version,
        }
        if self.followup is not None:
            out["followup"] = self.followup.to_json()
        return out


# Resolution (tasks/resolve.py): an operation or a page as the scoring rule sees it, and
# which operation a page joins.
@dataclass(frozen=True, slots=True)
class Candidate:
    key: str
    name: str | None
    lead_agency: str | None
    theme: str | None
    published: date | None
    title: str | None
    figures: frozenset[tuple[str, float]] = field(default_factory=frozenset)
    # Evidence a page gives beyond the warehouse's operations row; empty when not known
    # (the warehouse's candidates, db/load.py, give what the row holds).
    bounds: frozenset[tuple[str, str]] = field(default_factory=frozenset)  # metric, qualifier
    start: date | None = None  # the action's first and last day, as the page states them
    end: date | None = None
    forces: tuple[str, ...] = ()  # force names as written (domain.forces matches them)
    countries: frozenset[str] = field(default_factory=frozenset)
    places: frozenset[str] = field(default_factory=frozenset)
    # Operation figures the page states that the confidence model withheld from its report
    # (metric, value): not reported, but what the page says, so evidence of which action it
    # is (a county's own cash and weapons tell its page from the national week's).
    withheld: frozenset[tuple[str, float]] = field(default_factory=frozenset)
    # The wider action's totals the page gives beside its own part (its international
    # figures): the operation figures of the whole, which a part never joins.
    wider: frozenset[tuple[str, float]] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Match:
    key: str
    new: bool
    confidence: float
    candidate: Candidate


# NRM statistics (tasks/nrm.py reads them, db/nrm.py stores them).
@dataclass(frozen=True, slots=True)
class NrmRow:
    year: int
    quarter: int
    age_group: str  # adult, child, unknown
    referrals: int
