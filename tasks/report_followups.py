"""What happened next, as the report shows it: each operation's timeline (the operation,
then the follow-up pages linked to it, in date order, each with its outcome) and the
follow-up pages no operation matched.

Pure: a ``db.queries.metrics_rows`` row and ``db.followups.Outcome`` records in, small
records out; the templates (``report_card.html.j2``, ``report.html.j2``) lay them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from db.followups import Outcome
from tasks.report_charts import BOUND_MARK

# How the derive stage tied a follow-up to its operation (followup_links.method).
LINK_METHODS: dict[str, str] = {
    "name": "linked by the operation's name",
    "week": "linked by the week of action it describes",
    "manual": "linked by hand",
}
# The outcome metrics a follow-up page states, in the order its outcome is written.
OUTCOME_ORDER: tuple[str, ...] = ("charged", "convicted", "sentence_years_total")
NO_COUNT = "outcome stated without a count"


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of an operation's timeline: the operation itself, or one follow-up page."""

    day: str | None  # ISO date; None when the page is undated
    kind: str  # "operation" or "followup"
    what: str  # "2021-02-01 to 2021-02-07 · 16 arrests", "2 convicted, 10.5 years in all"
    after: str = ""  # "22 days after it ended"
    url: str | None = None
    title: str | None = None
    linked_by: str = ""
    evidence: tuple[str, ...] = ()  # the outcome figures' sentences, then the link's


@dataclass(frozen=True, slots=True)
class UnlinkedPage:
    """A follow-up page no operation matched."""

    day: str | None
    url: str
    title: str | None


def _people(value: float, qualifier: str | None) -> str:
    return f"{BOUND_MARK.get(qualifier or 'exact', '')}{int(value):,}"


def _years(value: float) -> str:
    shown = f"{round(float(value), 2):g}"
    return f"{shown} year{'' if shown == '1' else 's'} in all"


def outcome_text(figures: Mapping[str, tuple[float, str, str]]) -> str:
    """A follow-up's outcome in words: "3 charged", "2 convicted, 10.5 years in all",
    "sentenced to 16 years in all" (a sentence of people convicted earlier), or NO_COUNT
    (an acquittal, or outcomes the page gives no number for)."""
    parts = []
    for metric in ("charged", "convicted"):
        if metric in figures:
            value, _, qualifier = figures[metric]
            parts.append(f"{_people(value, qualifier)} {metric}")
    if "sentence_years_total" in figures:
        years = _years(figures["sentence_years_total"][0])
        parts.append(years if "convicted" in figures else f"sentenced to {years}")
    return ", ".join(parts) or NO_COUNT


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def _reference(row: Mapping[str, Any]) -> tuple[date, str] | None:
    """The day follow-ups are counted from, as days_to_first_charge counts (the operation's
    last day, else its first, else its first publication), and how to say it."""
    for key, words in (
        ("end_date", "after it ended"),
        ("start_date", "after it began"),
        ("published", "after it was first published"),
    ):
        if row.get(key):
            return date.fromisoformat(str(row[key])[:10]), words
    return None


def _after(day: date | None, ref: tuple[date, str] | None) -> str:
    if day is None or ref is None:
        return ""
    days = (day - ref[0]).days
    if days < 0:  # only a link made by hand can put a follow-up before its operation
        return f"{-days} day{'' if days == -1 else 's'} before {ref[1].removeprefix('after ')}"
    return f"{days} day{'' if days == 1 else 's'} {ref[1]}"


def _operation_entry(row: Mapping[str, Any], qualifiers: Mapping[str, str | None]) -> TimelineEntry:
    start, end, published = row.get("start_date"), row.get("end_date"), row.get("published")
    dates = " to ".join(str(d) for d in (start, end) if d)
    parts = [dates or (f"first published {published}" if published else "undated")]
    for metric, words in (("arrests", "arrests"), ("charged", "charged during the operation")):
        if row.get(metric) is not None:
            parts.append(f"{_people(float(row[metric]), qualifiers.get(metric))} {words}")
    return TimelineEntry(_iso(start or published), "operation", " · ".join(parts))


def _followup_entry(o: Outcome, ref: tuple[date, str] | None) -> TimelineEntry:
    said = [o.figures[m][1] for m in OUTCOME_ORDER if m in o.figures]
    # The sentence that tied the page to the operation, unless it is already shown (an
    # outcome's sentence, or the title the link prints).
    if o.evidence and o.evidence not in said and o.evidence != o.title:
        said.append(o.evidence)
    return TimelineEntry(
        _iso(o.published),
        "followup",
        outcome_text(o.figures),
        _after(o.published, ref),
        o.url,
        o.title,
        LINK_METHODS.get(o.method, f"linked ({o.method})"),
        tuple(dict.fromkeys(said)),
    )


def timeline(
    row: Mapping[str, Any],
    followups: Sequence[Outcome],
    qualifiers: Mapping[str, str | None] | None = None,
) -> list[TimelineEntry]:
    """The operation, then each linked follow-up, in date order (the operation first on its
    own day, undated entries last); empty when no follow-up is linked. ``qualifiers``: the
    reconciled figures' (arrests "more_than" prints ">300 arrests")."""
    if not followups:
        return []
    ref = _reference(row)
    entries = [_operation_entry(row, qualifiers or {})]
    entries += [_followup_entry(o, ref) for o in followups]
    order = {id(e): i for i, e in enumerate(entries)}
    return sorted(
        entries,
        key=lambda e: (e.day is None, e.day or "", e.kind != "operation", order[id(e)]),
    )


def unlinked_pages(rows: Iterable[Mapping[str, Any]]) -> list[UnlinkedPage]:
    """Follow-up pages no operation matched, oldest first (undated last, then by URL: the
    same order on every database, whatever it does with NULL)."""
    pages = [UnlinkedPage(_iso(r.get("published")), str(r["url"]), r.get("title")) for r in rows]
    return sorted(pages, key=lambda p: (p.day is None, p.day or "", p.url))
