"""What the figure rules hold of a page while they choose: its sentences (``Unit``) and the
figures read from them (``Candidate``), with the ranks of where each was stated."""

from __future__ import annotations

from dataclasses import dataclass

from domain.records import Figure
from tasks.figures.sentences import Sentence

# Source ranks: a body sentence beats a heading, which beats the title repeated in the body,
# which beats the title itself.
BODY, HEADING, TITLE_REPEAT, TITLE = 0, 1, 2, 3
# A count read from a list of names ranks after any stated number.
LISTED = 10


@dataclass(frozen=True, slots=True)
class Unit:
    """A sentence (or the title) with what the rules need to know about it."""

    text: str
    span: tuple[int, int] | None  # None for the title
    offset: int  # where ``text`` starts in the body (0 for the title)
    rank: int
    order: int
    sentence: Sentence | None


@dataclass(frozen=True, slots=True)
class Candidate:
    scope: str
    metric: str
    value: int | float
    qualifier: str
    unit: Unit
    subject: str | None = None
    rank: int = BODY
    weak: bool = False
    quoted: bool = False
    order: int = 0
    headline: bool = True  # its sentence is about the operation as a whole
    part: bool = False  # a part of another whole ("22 of them were identified as victims")
    summed: bool = False  # added up from parts the page names ("652 men and 91 women")

    def figure(self, confidence: float = 1.0) -> Figure:
        u = self.unit
        return Figure(
            scope=self.scope,
            metric=self.metric,
            value=self.value,
            qualifier=self.qualifier,
            evidence=u.text,
            span=u.span,
            subject=self.subject,
            confidence=confidence,
        )
