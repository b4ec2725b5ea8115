"""Frozen records passed between pipeline stages.

Parsers return these; nothing in this module does I/O. The vocabulary tuples
are the single source of truth for metric, scope and qualifier names
(../DESIGN.md "Vocabulary").
"""

from __future__ import annotations

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
SCOPES: tuple[str, ...] = ("operation", "international", "force", "context")
QUALIFIERS: tuple[str, ...] = ("exact", "more_than", "at_least", "approx", "up_to")
HEADLINE_SCOPES: tuple[str, ...] = ("operation", "international")
THEMES: tuple[str, ...] = (
    "child_exploitation",
    "county_lines",
    "criminal_exploitation",
    "labour_exploitation",
    "sexual_exploitation",
    "organised_immigration_crime",
    "modern_slavery_general",
)


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

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "scope": self.scope,
            "metric": self.metric,
            "value": self.value,
            "qualifier": self.qualifier,
            "evidence": self.evidence,
            "span": list(self.span) if self.span is not None else None,
        }
        if self.subject:
            out["subject"] = self.subject
        return out


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


@dataclass(frozen=True, slots=True)
class Extraction:
    article: Article
    result: FigureResult
    parser_version: str = PARSER_VERSION

    def to_json(self) -> dict[str, Any]:
        a = self.article
        return {
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
            "parser_version": self.parser_version,
        }
