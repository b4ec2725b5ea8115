"""How far to trust a chosen figure: a small logistic model over what the rules already know.

The rules (``tasks.figures``) generate candidates and choose one per (scope, metric). This module
turns the circumstances of that choice into features — where the number stood (title, lead,
body, a list, a quotation), how the sentence read (a part, a back-reference, a narrative rather
than a summary), how many rival values the page offered, and what kind of page it is (a week of
action, a statistics story, a court report, a round-up of forces) — and gives each figure a
``confidence`` in [0, 1]. A figure under the model's threshold is not reported as a figure: it
is listed as an abstention with its reason, since a missing figure is visible and a wrong one is
not.

The weights live in ``tasks/figures/confidence_model.json``, written by ``make confidence-model``
(``measure.train_confidence``) from the development part of the labelled corpus (never its blind
part). Without that file every figure has confidence 1.0 and nothing is withheld. Scoring is a
dot product: nothing here needs scikit-learn at run time.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from domain.records import QUALIFIERS

MODEL_FILE = Path(__file__).with_name("confidence_model.json")

# A page about one event: a week or day of action, raids, an operation, arrests made.
EVENT_WORDS = re.compile(
    r"\b(?:week[s]?\sof\s(?:action|intensification)|days?\sof\saction|action\sdays?|"
    r"intensification|operation|op\b|crackdown|raids?|raided|swoops?|sweep|blitz|dawn|warrants?|"
    r"arrest(?:s|ed)?|rescued|safeguarded|detained|week-long|fortnight|targeted|targeting)\b",
    re.IGNORECASE,
)
# A page about a period's totals, a report or an awareness campaign rather than one event.
AGGREGATE_WORDS = re.compile(
    r"\b(?:statistics|figures\s(?:show|reveal|published)|data\s(?:show|reveal)|annual|"
    r"report(?:s|ed)?\s(?:says|shows|finds|warns)|estimate[sd]?|awareness|anti[\s-]slavery\sday|"
    r"campaign|launch(?:es|ed)?|since\s(?:the|its|\d{4})|in\s(?:the\s)?(?:year|months)|"
    r"per\scent|%|rise|soar(?:s|ed)?|increase[sd]?|year[\s-]on[\s-]year|review|tackled)\b",
    re.IGNORECASE,
)
# A court report: what happened to people arrested earlier.
FOLLOWUP_WORDS = re.compile(
    r"\b(?:jailed|sentenced|convicted|guilty|imprisoned|court|trial|pleaded|remanded|"
    r"sentencing|years?\sin\sprison|behind\sbars)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")

QUALIFIER_NAMES = tuple(q for q in QUALIFIERS if q != "exact")
# No feature names the metric or the scope: with them the model learns that a metric is often
# wrong on unseen pages (forces_involved, international totals) and withholds that metric
# everywhere, right or wrong. It must judge the circumstances of a choice, not its kind.
FEATURE_NAMES: tuple[str, ...] = (
    "bias",
    *(f"qualifier={q}" for q in QUALIFIER_NAMES),
    "from_title_only",
    "from_heading",
    "from_list_of_names",
    "back_reference",
    "quoted",
    "part_of_other_whole",
    "narrative_sentence",
    "in_bullet",
    "position",  # 0 for the lead sentence, 1 for the last
    "value_in_title",
    "rival_values",  # log2(1 + distinct other values stated for this scope and metric)
    "log10_value",
    "page_event_title",
    "page_event_lead",
    "page_aggregate",
    "page_followup",
    "page_forces_parts",  # log2(1 + force-scope figures on the page)
    "page_context_parts",  # log2(1 + background figures on the page)
    "page_no_event",  # neither title nor lead tells of an event
)
_INDEX = {name: i for i, name in enumerate(FEATURE_NAMES)}


@dataclass(frozen=True, slots=True)
class PageSignals:
    """What kind of page this is, read once."""

    event_title: bool
    event_lead: bool
    aggregate: bool
    followup: bool
    force_parts: int
    context_parts: int
    title_numbers: frozenset[float]
    units: int


def page_signals(
    title: str, lead: str, *, force_parts: int, context_parts: int, units: int
) -> PageSignals:
    head = f"{title} {lead}"
    return PageSignals(
        event_title=bool(EVENT_WORDS.search(title)),
        event_lead=bool(EVENT_WORDS.search(lead)),
        aggregate=bool(AGGREGATE_WORDS.search(head)),
        followup=bool(FOLLOWUP_WORDS.search(title)),
        force_parts=force_parts,
        context_parts=context_parts,
        title_numbers=frozenset(_numbers(title)),
        units=max(units, 1),
    )


def _numbers(text: str) -> Iterable[float]:
    for m in _NUMBER.finditer(text):
        try:
            yield float(m.group(0).replace(",", ""))
        except ValueError:
            continue


@dataclass(frozen=True, slots=True)
class CandidateFacts:
    """The circumstances of one chosen figure, as ``tasks.figures`` knows them."""

    metric: str
    scope: str
    value: float
    qualifier: str
    title_only: bool
    heading: bool
    listed: bool
    weak: bool
    quoted: bool
    part: bool
    headline: bool
    bullet: bool
    order: int
    rival_values: int


def features(c: CandidateFacts, page: PageSignals) -> list[float]:
    x = [0.0] * len(FEATURE_NAMES)

    def put(name: str, value: float | bool = 1.0) -> None:
        x[_INDEX[name]] = float(value)

    put("bias")
    if c.qualifier in QUALIFIER_NAMES:
        put(f"qualifier={c.qualifier}")
    put("from_title_only", c.title_only)
    put("from_heading", c.heading)
    put("from_list_of_names", c.listed)
    put("back_reference", c.weak)
    put("quoted", c.quoted)
    put("part_of_other_whole", c.part)
    put("narrative_sentence", not c.headline)
    put("in_bullet", c.bullet)
    put("position", min(max(c.order, 0) / page.units, 1.0))
    put("value_in_title", c.value in page.title_numbers)
    put("rival_values", math.log2(1 + c.rival_values))
    put("log10_value", math.log10(1 + abs(c.value)))
    put("page_event_title", page.event_title)
    put("page_event_lead", page.event_lead)
    put("page_aggregate", page.aggregate)
    put("page_followup", page.followup)
    put("page_forces_parts", math.log2(1 + page.force_parts))
    put("page_context_parts", math.log2(1 + page.context_parts))
    put("page_no_event", not (page.event_title or page.event_lead))
    return x


@dataclass(frozen=True, slots=True)
class Model:
    weights: tuple[float, ...]
    threshold: float

    def probability(self, x: Sequence[float]) -> float:
        z = sum(w * v for w, v in zip(self.weights, x, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_FILE) -> Model | None:
    """The trained model, or None when there is none (every figure then has confidence 1.0).
    A model trained on other features than this module's is refused: its weights would be
    read against the wrong inputs."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURE_NAMES:
        raise ValueError(
            f"{path.name} was trained on other features; retrain: make confidence-model"
        )
    return Model(tuple(float(w) for w in data["weights"]), float(data["threshold"]))


def rate(c: CandidateFacts, page: PageSignals, model: Model | None) -> float:
    """The figure's confidence: the model's probability that it is right, rounded for stable
    output (1.0 without a model)."""
    if model is None:
        return 1.0
    return round(model.probability(features(c, page)), 3)


__all__ = [
    "FEATURE_NAMES",
    "CandidateFacts",
    "Model",
    "PageSignals",
    "features",
    "load_model",
    "page_signals",
    "rate",
]
