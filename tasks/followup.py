"""What happened next: linking follow-up pages to the operation they report on, and the
operation's follow-up metrics.

Pure rules first (no I/O):

- ``link``: which operation a follow-up page (tasks/figures/followup.py recognises them)
  reports on. By name: the page names an operation ("Operation Aidant", "Project Aidant",
  "Op Aidant") that a live operation carries, published before the follow-up. Else by the
  week it describes: "arrested during the national week of action against labour
  exploitation in February" names a week (WEEK_WORDS), a month (and perhaps a year), and
  the page's theme; an operation of that theme whose dates fall in that month, the latest
  such month before the follow-up, matches, and one that shares a force with the page comes
  first. A page that names an operation the warehouse does not hold, or describes no week
  any operation matches, stays unlinked (``method`` "none"). A follow-up is published after
  its operation and at most MAX_FOLLOWUP_DAYS later.
- ``followup_metrics``: followups, charged_later, convicted_later, charge_rate_lower_bound
  and days_to_first_charge from the linked follow-ups' outcome figures (docs/METRICS.md,
  "What happened next").

Then the unit of work the derive stage runs first (``relink``): every follow-up page that
a person has not linked by hand is linked again against the live operations, and the
operations whose follow-ups changed are derived again.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection

from config.metrics import FOLLOWUP_METRICS
from db import followups as store
from db.followups import UNLINKED, FollowupPage, LinkTarget, Outcome
from tasks.figures.sentences import split_sentences

# A follow-up reports on an operation that ended before it, within a few years (trials of
# modern-slavery cases often take two to four years).
MAX_FOLLOWUP_DAYS = 6 * 366
# A name match is certain; a described week is good evidence, better with a shared force.
NAME_SCORE = 1.0
WEEK_SCORE = 0.8
FORCE_BONUS = 0.1
MONTH_BONUS = 0.05
LINK_THRESHOLD = 0.75

_NAME = re.compile(r"\b(?:Operation|Op\.?|Project)\s+([A-Z][A-Za-z'-]+)")
_NAME_SKIP = frozenset({"the", "a", "an", "week", "of", "and", "team", "officers"})
WEEK_WORDS = re.compile(
    r"\b(?:weeks? of action|week-long|week long|national week|action week|intensification|"
    r"days? of action|action days?|national operation|crackdown|blitz)\b",
    re.IGNORECASE,
)
_MONTHS = tuple(m.lower() for m in calendar.month_name[1:])
_MONTH = re.compile(
    r"\b(?:in|during|of|last)\s+(?:early\s+|late\s+|mid-?)?("
    + "|".join(m.capitalize() for m in _MONTHS)
    + r")(?:\s+((?:19|20)\d\d))?\b"
)
_YEAR = re.compile(r"\b(?:in|during|of)\s+((?:19|20)\d\d)\b")


@dataclass(frozen=True, slots=True)
class LinkFeatures:
    """What a follow-up page says of the operation it reports on."""

    names: frozenset[str]  # normalised operation names it mentions
    name_evidence: Mapping[str, str]
    week: str | None  # the sentence describing the week of action, if any
    month: int | None
    year: int | None
    theme: str | None
    published: date | None
    forces: frozenset[int]


@dataclass(frozen=True, slots=True)
class Link:
    operation_id: int | None
    method: str  # name | week | none
    score: float | None
    evidence: str | None


def normalise_name(name: str | None) -> str | None:
    """An operation's name as matched: lower case, "Operation"/"Project"/"Op" dropped, its
    first word (pages write "Operation Global Chain" and "Global Chain 2024" alike)."""
    if not name:
        return None
    words = [
        w
        for w in re.findall(r"[a-z0-9'-]+", name.lower())
        if w not in ("operation", "project", "op")
    ]
    return words[0] if words else None


def features(page: FollowupPage) -> LinkFeatures:
    """The linking rule's view of a follow-up page (its title, body and facts)."""
    texts = ([page.title] if page.title else []) + [s.text for s in split_sentences(page.body)]
    names: dict[str, str] = {}
    for text in texts:
        for m in _NAME.finditer(text):
            key = normalise_name(m.group(1))
            if key and key not in _NAME_SKIP:
                names.setdefault(key, text)
    own = normalise_name(page.op_name)
    if own and own not in _NAME_SKIP:
        names.setdefault(
            own,
            next(
                (t for t in texts if page.op_name and page.op_name in t), texts[0] if texts else ""
            ),
        )
    weeks = [(t, _when(t)) for t in texts if WEEK_WORDS.search(t)]
    # The first sentence that dates the week, else the first that names one.
    week, (month, year) = next(
        ((t, w) for t, w in weeks if w != (None, None)), weeks[0] if weeks else (None, (None, None))
    )
    return LinkFeatures(
        frozenset(names), names, week, month, year, page.theme, page.published, page.forces
    )


def _when(text: str) -> tuple[int | None, int | None]:
    """The month and year a sentence gives the week it names: the first after the week's
    words ("charged in November after the week of action in October" is October), else the
    first before them."""
    at = WEEK_WORDS.search(text)
    start = at.start() if at else 0
    for rx_text in (text[start:], text):
        mm = _MONTH.search(rx_text)
        if mm:
            month = _MONTHS.index(mm.group(1).lower()) + 1
            return month, int(mm.group(2)) if mm.group(2) else None
        my = _YEAR.search(rx_text)
        if my:
            return None, int(my.group(1))
    return None, None


def _op_dates(op: LinkTarget) -> tuple[date | None, date | None]:
    start = op.start_date or op.first_published
    end = op.end_date or start
    return start, end


def _in_window(f: LinkFeatures, op: LinkTarget) -> bool:
    start, end = _op_dates(op)
    if f.published is None or start is None:
        return True
    return start <= f.published and (f.published - (end or start)).days <= MAX_FOLLOWUP_DAYS


def _month_matches(f: LinkFeatures, op: LinkTarget) -> bool:
    """The week the page describes ("in February", "in February 2021", "in 2021") is the
    operation's: its dates fall in that month (of that year, else the latest such month
    before the follow-up)."""
    start, end = _op_dates(op)
    if start is None:
        return False
    days = {start, end or start}
    if f.month is None:
        return f.year is not None and any(d.year == f.year for d in days)
    if f.year is None:
        # "in February", written years later about a trial: any February within the window
        # (the window and the theme keep it to the operations that can be meant).
        return any(d.month == f.month for d in days)
    return any(d.month == f.month and d.year == f.year for d in days)


def score(f: LinkFeatures, op: LinkTarget) -> tuple[float, str, str | None]:
    """How well a follow-up matches an operation: (score, method, evidence)."""
    if not _in_window(f, op):
        return 0.0, UNLINKED, None
    op_name = normalise_name(op.name)
    if f.names and op_name:
        if op_name in f.names:
            # Names recur (Aidant ran for years): the edition of the month described first.
            dated = (f.month is not None or f.year is not None) and _month_matches(f, op)
            return NAME_SCORE + (MONTH_BONUS if dated else 0.0), "name", f.name_evidence[op_name]
        return 0.0, UNLINKED, None  # the page names another operation
    if f.names and f.week is None:
        return 0.0, UNLINKED, None  # it names an operation this one is not known as
    if f.week is None or f.theme is None or op.theme != f.theme:
        return 0.0, UNLINKED, None
    shared_force = bool(f.forces & op.forces)
    if f.month is None and f.year is None and not shared_force:
        return 0.0, UNLINKED, None
    if (f.month is not None or f.year is not None) and not _month_matches(f, op):
        return 0.0, UNLINKED, None
    return WEEK_SCORE + (FORCE_BONUS if shared_force else 0.0), "week", f.week


class _WeekBuckets:
    """Operations by theme and by what a described week can match on (``score``'s week
    path): the month and year of their days, the month alone, the year alone, a force."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[Any, ...], list[LinkTarget]] = defaultdict(list)

    def add(self, op: LinkTarget) -> None:
        start, end = _op_dates(op)
        keys: set[tuple[Any, ...]] = set()
        for d in (start, end):
            if d is not None:
                keys |= {("ym", op.theme, d.year, d.month), ("m", op.theme, d.month)}
                keys.add(("y", op.theme, d.year))
        keys |= {("f", op.theme, force) for force in op.forces}
        for key in keys:
            self.by_key[key].append(op)

    def get(self, f: LinkFeatures) -> list[LinkTarget]:
        if f.month is not None and f.year is not None:
            return self.by_key.get(("ym", f.theme, f.year, f.month), [])
        if f.month is not None:
            return self.by_key.get(("m", f.theme, f.month), [])
        if f.year is not None:
            return self.by_key.get(("y", f.theme, f.year), [])
        found: dict[int, LinkTarget] = {}
        for force in f.forces:
            for op in self.by_key.get(("f", f.theme, force), ()):
                found[op.id] = op
        return list(found.values())


class TargetIndex:
    """The operations a follow-up can match, found without scoring every operation: by the
    names it mentions, and by the theme and the month, year or forces of the week it
    describes (``score`` gives 0 to every other operation). Built once per relink, it keeps
    linking every follow-up against thousands of operations from costing follow-ups times
    operations on each derive."""

    def __init__(self, ops: Sequence[LinkTarget]) -> None:
        self.by_name: dict[str, list[LinkTarget]] = defaultdict(list)
        self.week = _WeekBuckets()  # every operation with a theme
        self.unnamed_week = _WeekBuckets()  # those of them with no name
        for op in ops:
            name = normalise_name(op.name)
            if name:
                self.by_name[name].append(op)
            if op.theme:
                self.week.add(op)
                if not name:
                    self.unnamed_week.add(op)

    def candidates(self, f: LinkFeatures) -> list[LinkTarget]:
        named = [op for n in sorted(f.names) for op in self.by_name.get(n, ())]
        if f.week is None or f.theme is None:
            return named
        # a page naming operations may still describe the week of an unnamed one
        return named + (self.unnamed_week if f.names else self.week).get(f)


def link(f: LinkFeatures, ops: Sequence[LinkTarget]) -> Link:
    """The operation a follow-up reports on: the best score at LINK_THRESHOLD or more; of
    equal scores the latest operation before the follow-up."""
    best: tuple[float, date, int] | None = None
    chosen: Link = Link(None, UNLINKED, None, None)
    for op in ops:
        sc, method, evidence = score(f, op)
        if sc < LINK_THRESHOLD:
            continue
        key = (sc, _op_dates(op)[0] or date.min, -op.id)
        if best is None or key > best:
            best = key
            chosen = Link(op.id, method, round(sc, 3), evidence)
    return chosen


# ---------------------------------------------------------------------------------------
# Metrics (pure)

_DEFS = {d.name: d for d in FOLLOWUP_METRICS}


def _row(
    name: str, value: float | None, qualifier: str | None, reason: str | None
) -> dict[str, Any]:
    d = _DEFS[name]
    if value is not None:
        value = round(float(value), d.digits)
    return {
        "metric": name,
        "value": value,
        "qualifier": qualifier,
        "unit": d.unit,
        "reason": reason,
        "formula": d.formula,
    }


def _total(items: Sequence[Outcome], metric: str) -> float | None:
    values = [o.figures[metric][0] for o in items if metric in o.figures]
    return float(sum(values)) if values else None


def followup_metrics(
    inputs: Mapping[str, tuple[float, str]], items: Sequence[Outcome], end: date | None
) -> list[dict[str, Any]]:
    """The follow-up metrics of one operation: ``inputs`` its reconciled figures (as the
    derived metrics take them), ``items`` its linked follow-ups, ``end`` its last day (else
    its first publication). Counts are lower bounds ("at_least"): not every outcome is
    published or found."""
    rows = [_row("followups", len(items), "exact", None)]
    none = "no linked follow-up" if not items else None
    charged = _total(items, "charged")
    convicted = _total(items, "convicted")
    if convicted is None:
        rows_conv = _row(
            "convicted_later", None, None, none or "no linked follow-up states a conviction count"
        )
    else:
        rows_conv = _row(
            "convicted_later", convicted, "at_least", "lower bound: published outcomes only"
        )
    later = max((v for v in (charged, convicted) if v is not None), default=None)
    if later is None:
        rows_charged = _row(
            "charged_later", None, None, none or "no linked follow-up states a charge count"
        )
    else:
        rows_charged = _row(
            "charged_later", later, "at_least", "lower bound: published outcomes only"
        )
    rows += [rows_charged, rows_conv]
    rows.append(_charge_rate(inputs, later))
    rows.append(_days_to_first_charge(items, end))
    return rows


def _charge_rate(inputs: Mapping[str, tuple[float, str]], later: float | None) -> dict[str, Any]:
    name = "charge_rate_lower_bound"
    if "arrests" not in inputs:
        return _row(name, None, None, "arrests not reported")
    arrests, arrests_q = inputs["arrests"]
    if not arrests:
        return _row(name, None, None, "arrests is 0")
    week = inputs.get("charged")
    if week is None and later is None:
        return _row(name, None, None, "charged and charged_later not reported")
    charged = (float(week[0]) if week else 0.0) + (later or 0.0)
    # A bound on arrests pulls the other way from the lower bound on charges.
    qualifier = "at_least" if arrests_q == "exact" else "approx"
    missing = "charged_later" if later is None else "charged" if week is None else None
    reason = "lower bound: published outcomes only" + (
        f"; {missing} not reported, taken as 0" if missing else ""
    )
    return _row(name, charged / float(arrests), qualifier, reason)


def _days_to_first_charge(items: Sequence[Outcome], end: date | None) -> dict[str, Any]:
    name = "days_to_first_charge"
    charging = [
        o.published
        for o in items
        if o.published is not None and ("charged" in o.figures or "convicted" in o.figures)
    ]
    if not charging:
        return _row(name, None, None, "no linked follow-up reports a charge")
    if end is None:
        return _row(name, None, None, "end_date not reported")
    # The page's date is on or after the charge: the true delay is at most this.
    return _row(
        name,
        max(0, (min(charging) - end).days),
        "up_to",
        "bound: a charge is published on or after its day",
    )


def reference_day(facts: Mapping[str, Any] | None) -> date | None:
    """The day follow-up delays count from: the operation's last day, else its first, else
    its first publication."""
    if not facts:
        return None
    return facts.get("end_date") or facts.get("start_date") or facts.get("first_published")


# ---------------------------------------------------------------------------------------
# The derive stage's unit of work (reads and writes through db/)


def relink(conn: Connection) -> set[int]:
    """Link every follow-up page no person linked by hand against the live operations; write
    the links that changed. Returns the operations whose follow-ups changed."""
    pages = store.followup_pages(conn)
    if not pages:
        return set()
    targets = TargetIndex(store.link_targets(conn))
    changed: dict[int, tuple[int | None, str, float | None, str | None]] = {}
    touched: set[int] = set()
    for page in pages:
        if page.manual:
            continue
        f = features(page)
        new = link(f, targets.candidates(f))
        if (new.operation_id, new.method, new.evidence) != (
            page.operation_id,
            page.method,
            page.evidence,
        ):
            changed[page.page_id] = (new.operation_id, new.method, new.score, new.evidence)
            touched.update(i for i in (page.operation_id, new.operation_id) if i is not None)
    store.write_links(conn, changed)
    return touched


def outcomes_of(conn: Connection, op_ids: Iterable[int]) -> dict[int, list[Outcome]]:
    return store.outcomes(conn, op_ids)
