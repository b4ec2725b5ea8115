"""Which operation does a page report? A pure, documented scoring rule.

A page joins an existing operation when its score reaches MATCH_THRESHOLD; the first of the
best scores wins. The score adds the evidence for one operation and takes away the evidence
against it (weights below; docs/SCHEMA.md "Grouping accuracy" measures the rule on labelled
real pages, ``make grouping``).

Never the same operation (score 0):

- two operation names that differ (normalised: "Operation"/"Project" dropped; a name written
  all in lower case is a common noun the extractor mistook, such as "cuckooing", not a name);
- publication dates more than MAX_GAP_DAYS apart;
- action dates (the start and end a page states) that do not overlap, or a page published
  more than LAUNCH_DAYS before the other's action began;
- one page is a police force's own operation (its lead agency is a UK force) and the two
  pages name no force in common: another force's operation, or a force's part of a wider
  week that the warehouse keeps apart from the whole (as it keeps a UK part apart from the
  European action, linked by ``db/lineage.py``);
- one page's wider totals (its international figures, a duration aside) are the other's own
  operation figures: a part and its whole (the NCA's nine arrests in Liberterra II, whose 116
  countries are the whole's own).

Evidence for: same name +0.6; published within DATE_WINDOW_DAYS +0.2; overlapping action dates
+0.3; same lead agency +0.1; same theme +0.1; both pages about one and the same force +0.2;
a shared place (a named small place, not a country or nation) +0.1, at most +0.2; a shared
foreign country +0.1; title similarity (token Jaccard) x 0.3; and each operation figure both
report with one value, by how telling the value is (``figure_weight``: a duration or a count
under ten says little, a four-digit total nearly identifies an action), at most +0.9.

Evidence against: a figure both report with values that cannot both be right (not within
the bounds a qualifier allows): -0.3 for arrests or potential victims when they are more than
10 % apart, -0.1 for another count, -0.05 when within 10 % (a revised or rounded figure).
Durations never conflict (a week is 7 or 8 days by who counts).

An undated pair (one page has neither a publication date nor action dates) scores 0 unless
it has evidence of identity, which a theme and a lead agency are not: the same name with a
shared figure other than a duration and no conflicting headline figure (names recur: Aidant,
Global Chain), or shared counts worth at least IDENTITY_WEIGHT (one two-digit count), or any
shared count together with one and the same force, a shared place or a shared foreign
country. Otherwise an undated release lands on whatever operation of its theme comes nearest
(an undated release on a European action was once merged into a named operation published
days later, and its 41 arrests replaced the 44).

The score, capped at 1, is stored as the operation's confidence. A new operation's key is
``operation_key``; when another operation in the pool already holds it, ``free_key`` gives
the new one its own (the warehouse knows an operation by its key).

``resolve`` gives exactly the result of scoring each page against every candidate in
order (the first of the best scores wins), but scores a page only against the candidates
that can score above 0: the same normalised name or none, and published within
MAX_GAP_DAYS or undated. It keeps the pool indexed by (name, 46-day bucket), and each
candidate's features are computed once, not once per pair. ``date_windows`` gives the same
date bound to the warehouse's candidate query.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache

from sqlalchemy import Connection

from db.derived import figure_claims, pending
from db.load import Extracted, candidates
from db.operations import operation_candidates, operation_keys, pinned_operations
from domain.forces import load_forces, match_force, match_forces
from domain.records import Candidate, Extraction, Match
from tasks.derive import reconcile
from tasks.figures.facts import countries_named
from tasks.figures.page import MAX_BODY_CHARS
from tasks.figures.places import find_entities

MATCH_THRESHOLD = 0.5
DATE_WINDOW_DAYS = 10
MAX_GAP_DAYS = 45
# A launch page is published on or a few days before its action's first day: a page published
# earlier than this cannot report the action, and a page's own action dates that begin later
# than this after it was published are a misread (the extractor guessed the year wrong).
LAUNCH_DAYS = 7
# Two pages' action dates overlap when they are at most this far apart: one page may count a
# week to its Sunday, the other from the Monday after ("13 to 19 May", "20 May").
ACTION_SLACK_DAYS = 1

NAME_WEIGHT = 0.6
NEAR_DATE_WEIGHT = 0.2
ACTION_OVERLAP_WEIGHT = 0.3
SAME_LEAD_WEIGHT = 0.1
SAME_THEME_WEIGHT = 0.1
SAME_FORCE_WEIGHT = 0.2
PLACE_WEIGHT, MAX_PLACES_WEIGHT = 0.1, 0.2
COUNTRY_WEIGHT = 0.1
TITLE_WEIGHT = 0.3
MAX_FIGURES_WEIGHT = 0.9

HEADLINE_METRICS = frozenset({"arrests", "potential_victims"})
# Small counts that recur across unrelated actions: agreeing on them is weak evidence.
COMMON_METRICS = frozenset({"duration_days", "countries_involved", "forces_involved"})
HEADLINE_CONFLICT, COUNT_CONFLICT, NEAR_CONFLICT = 0.3, 0.1, 0.05
NEAR_RELATIVE = 0.1  # values this close (relative) are one figure revised or rounded
APPROX_RELATIVE = 0.15  # how far an "about N" may be from the exact value
ROUND_RELATIVE = 0.1  # a round exact value (2,500) may be a rounding of a nearby one
IDENTITY_WEIGHT = 0.2  # shared counts worth this identify an action without dates
SMALL_COUNT_WEIGHT = 0.05  # a count under ten: any two weeks can share it
SCORE_DIGITS = 9

LOWER_BOUNDS = frozenset({"more_than", "at_least"})
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "for",
        "to",
        "and",
        "or",
        "at",
        "by",
        "with",
        "as",
        "after",
        "from",
        "into",
        "over",
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "be",
        "been",
        "its",
        "it",
        "this",
        "that",
    ]
)
# "in the Cowgate area of Newcastle", "at Euston", "around Harrow": a capitalised run after a
# word of place.
_PLACE = re.compile(
    r"\b(?:in|at|near|around|across|throughout)\s+(?:the\s+)?"
    r"((?:[A-Z][a-z]+(?:[ -](?=[A-Z][a-z]))?){1,3})"
)
# Places too wide to tell two actions apart, and capitalised words that follow "in" or "at"
# without being places.
_WIDE_PLACES = frozenset(
    {
        "britain",
        "great britain",
        "england",
        "wales",
        "scotland",
        "northern ireland",
        "ireland",
        "europe",
        "european union",
        "africa",
        "americas",
        "asia",
        "middle east",
        "balkans",
        "western balkans",
        "london",
        "the uk",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    }
)
_NOT_PLACE_WORDS = frozenset(
    {
        "act",
        "action",
        "agency",
        "authority",
        "centre",
        "co",
        "council",
        "court",
        "crown",
        "day",
        "force",
        "hope",
        "jan",
        "labour",
        "lines",
        "office",
        "operation",
        "persons",
        "police",
        "project",
        "sector",
        "service",
        "team",
        "union",
        "unit",
        "week",
    }
)
_COMPASS = frozenset({"north", "south", "east", "west", "central", "northern", "southern"})
# Where an action happened is told near the top; reading further costs time on long pages
# and finds more of the background.
PLACE_TEXT_CHARS = 4000


def normalise_name(name: str | None) -> str | None:
    if not name:
        return None
    words = _WORD.findall(name.lower())
    words = [w for w in words if w not in ("operation", "project", "op")]
    return " ".join(words) or None


def title_tokens(title: str | None) -> set[str]:
    return {w for w in _WORD.findall((title or "").lower()) if w not in _STOP and not w.isdigit()}


def _stem(word: str) -> str:
    """A plural's singular, enough to see "raids" and "raid" as one word."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("shes", "ches", "xes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def operation_figures(extraction: Extraction) -> frozenset[tuple[str, float]]:
    return frozenset(
        (f.metric, float(f.value)) for f in extraction.result.figures if f.scope == "operation"
    )


def wider_figures(extraction: Extraction) -> frozenset[tuple[str, float]]:
    """The wider action's totals a page gives beside its own part (scope international)."""
    return frozenset(
        (f.metric, float(f.value)) for f in extraction.result.figures if f.scope == "international"
    )


def withheld_figures(extraction: Extraction) -> frozenset[tuple[str, float]]:
    """The operation figures the confidence model withheld (abstentions with a confidence;
    a figure withheld for contradicting the page's other figures has none and says nothing)."""
    return frozenset(
        (a.metric, float(a.value))
        for a in extraction.result.abstentions
        if a.scope == "operation" and a.confidence > 0
    )


def _bounds(extraction: Extraction) -> frozenset[tuple[str, str]]:
    return frozenset(
        (f.metric, f.qualifier)
        for f in extraction.result.figures
        if f.scope == "operation" and f.qualifier != "exact"
    )


def published_of(extraction: Extraction) -> date | None:
    """The date a page's operation is matched on: the page's, else the operation's start."""
    return extraction.article.published or extraction.result.operation.start_date


def places_in(text: str) -> frozenset[str]:
    """Small places a text names after "in", "at", "around" ...: not countries, agencies or
    force areas, not nations, continents or London (too wide to tell two actions apart)."""
    out: set[str] = set()
    for m in _PLACE.finditer(text):
        place = m.group(1).strip()
        key = place.lower()
        words = set(key.replace("-", " ").split())
        if key in _WIDE_PLACES or words & _NOT_PLACE_WORDS or words <= _COMPASS:
            continue
        # Countries, agencies and force areas ("Staffordshire") are compared as forces and
        # countries, not twice.
        if find_entities(place) or match_force(place):
            continue
        out.add(key)
    return frozenset(out)


def countries_in(body: str) -> frozenset[str]:
    """The countries a page's body names, as ``candidate_of`` gives them (the extractor's
    operation facts): for an operation stored by an earlier batch (db/load.py candidates)."""
    return frozenset(countries_named(find_entities(body[:MAX_BODY_CHARS])))


class _Memo:
    """A rule over a stored page's body, remembered by the body's digest: every batch
    re-reads the candidate operations' founding pages, and reading them again cost a
    third of a reparse (places and countries of 31,160 bodies for 2,000 pages, profiled).
    A body always gives the same answer, so no warehouse can see another's; the memory is
    bounded by clearing it when full."""

    MAX_ENTRIES = 50_000

    def __init__(self, rule: Callable[[str], frozenset[str]]) -> None:
        self.rule = rule
        self.seen: dict[bytes, frozenset[str]] = {}

    def __call__(self, body: str) -> frozenset[str]:
        key = hashlib.blake2b(body.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        found = self.seen.get(key)
        if found is None:
            if len(self.seen) >= self.MAX_ENTRIES:
                self.seen.clear()
            found = self.seen[key] = self.rule(body)
        return found


# The founding pages' evidence, as resolve_batch hands the rules to db/load.py candidates.
_STORED_PLACES = _Memo(places_in)
_STORED_COUNTRIES = _Memo(countries_in)


def candidate_of(extraction: Extraction) -> Candidate:
    op = extraction.result.operation
    a = extraction.article
    return Candidate(
        key=operation_key(extraction),
        name=op.name,
        lead_agency=op.lead_agency,
        theme=op.theme,
        published=published_of(extraction),
        title=a.title,
        figures=operation_figures(extraction),
        bounds=_bounds(extraction),
        start=op.start_date,
        end=op.end_date,
        forces=op.forces,
        countries=frozenset(op.countries),
        places=places_in(a.body[:PLACE_TEXT_CHARS]),
        withheld=withheld_figures(extraction),
        wider=wider_figures(extraction),
    )


def operation_key(extraction: Extraction) -> str:
    """A natural key for a new operation founded by this page."""
    op = extraction.result.operation
    a = extraction.article
    when = a.published or op.start_date
    name = normalise_name(op.name)
    if name:
        return _bounded(f"name:{name}:{when or 'undated'}")
    slug = "-".join(sorted(title_tokens(a.title)))[:120] or (a.url or "untitled")
    return _bounded(f"page:{(op.lead_agency or 'unknown').lower()}:{when or 'undated'}:{slug}")


MAX_KEY_CHARS = 200  # operations.key is VARCHAR(200); PostgreSQL refuses anything longer


def _bounded(key: str) -> str:
    """A key that fits the column. A page naming "Operation <300 letters>" (or a long URL
    as the slug) would otherwise fail its whole load batch on PostgreSQL, run after run;
    the hash of the whole key keeps two long keys with one prefix apart."""
    if len(key) <= MAX_KEY_CHARS:
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{key[: MAX_KEY_CHARS - len(digest) - 1]}~{digest}"


@lru_cache(maxsize=1)
def _police_forces() -> frozenset[str]:
    """Slugs of the forces that run operations of their own: territorial and special police
    forces, not the NCA or the regional units that coordinate them."""
    return frozenset(
        f.slug
        for f in load_forces()
        if f.kind in ("territorial", "special") and not f.slug.startswith("rocu-")
    )


def _forces_named(names: Iterable[str | None]) -> frozenset[str]:
    police = _police_forces()
    return frozenset(s for s in match_forces(names) if s in police)


def _proper_name(name: str | None) -> str | None:
    """The normalised name, or None when it is no proper name (written all in lower case)."""
    if not name or not any(c.isupper() for c in name):
        return None
    return normalise_name(name)


@dataclass(frozen=True, slots=True)
class _Features:
    """What ``score`` compares, computed once per candidate."""

    name: str | None  # normalised
    published: date | None
    lead_agency: str | None
    theme: str | None
    figures: dict[str, tuple[float, str]]  # metric -> (value, qualifier)
    words: frozenset[str]  # stemmed title tokens
    start: date | None  # the action's dates, when believable
    end: date | None
    owner: str | None  # the police force whose own operation this is (its lead agency)
    forces: frozenset[str]  # police forces named, the owner included
    countries: frozenset[str]  # countries named other than the UK
    places: frozenset[str]
    wider: frozenset[tuple[str, float]]  # the wider action's totals beside the page's part
    own: frozenset[tuple[str, float]]  # its own operation figures, as reported


def _features(c: Candidate) -> _Features:
    quals = dict(c.bounds)
    start, end = c.start, c.end or c.start
    if c.published and start and start > c.published + timedelta(days=LAUNCH_DAYS):
        start = end = None  # an action beginning long after its own report: a wrong year
    if start is not None and end is not None and end < start:
        end = start
    owner = next(iter(_forces_named([c.lead_agency])), None)
    forces = _forces_named([c.lead_agency, *c.forces])
    return _Features(
        _proper_name(c.name),
        c.published,
        c.lead_agency,
        c.theme,
        _identity_figures(c, quals),
        frozenset(_stem(w) for w in title_tokens(c.title)),
        start,
        end,
        owner,
        forces,
        frozenset(c.countries) - {"UK", "United Kingdom"},
        c.places,
        frozenset((m, v) for m, v in c.wider if m not in _NOT_TELLING_WIDER),
        c.figures,
    )


def _identity_figures(c: Candidate, quals: dict[str, str]) -> dict[str, tuple[float, str]]:
    """The figures identity is judged on: the reported ones, then the withheld ones of the
    other metrics. The confidence model decides what is reported, not what a page says:
    without them a county's page whose own cash and weapons were withheld kept only the
    national total it quotes, and joined the national week's pages (grouping precision
    0.933 -> 0.896 on the development set when the model's threshold rose to 0.50)."""
    out = {m: (v, "exact") for m, v in c.withheld}
    out.update({m: (v, quals.get(m, "exact")) for m, v in c.figures})
    return out


def figure_weight(metric: str, value: float) -> float:
    """How much two pages giving this one value for a metric says they report one action."""
    if metric == "duration_days":
        return 0.05
    if metric in COMMON_METRICS:
        return 0.1
    if value < 10:
        return SMALL_COUNT_WEIGHT
    if value != int(value):
        return 0.45  # pence: nobody else seized £30,240.89
    digits = str(int(value)).rstrip("0")
    return {1: 0.1, 2: 0.2, 3: 0.35}.get(len(digits), 0.45)


def _is_round(value: float) -> bool:
    return value >= 100 and value == int(value) and len(str(int(value)).rstrip("0")) <= 2


def _within(bound: float, qualifier: str, value: float) -> bool:
    """Whether ``value`` can be the figure that ``qualifier bound`` describes."""
    if qualifier in LOWER_BOUNDS:
        return value >= bound
    if qualifier == "up_to":
        return value <= bound
    if qualifier == "approx" or (qualifier == "exact" and _is_round(bound)):
        slack = APPROX_RELATIVE if qualifier == "approx" else ROUND_RELATIVE
        return abs(value - bound) <= slack * bound
    return value == bound


@dataclass(frozen=True, slots=True)
class _Figures:
    agree: float  # weight of the figures both give with one value
    counts: float  # the part of it from counts (not durations, countries, forces)
    telling: float  # the part of it from anything but a duration
    against: float  # penalty for figures that cannot both be right
    headline_conflict: bool  # arrests or potential victims far apart


def _compare_figures(a: dict[str, tuple[float, str]], b: dict[str, tuple[float, str]]) -> _Figures:
    agree = counts = telling = against = 0.0
    headline = False
    for metric in sorted(a.keys() & b.keys()):  # one order: the same float sums every run
        (va, qa), (vb, qb) = a[metric], b[metric]
        if va == vb:
            w = figure_weight(metric, va)
            agree += w
            counts += 0.0 if metric in COMMON_METRICS else w
            telling += 0.0 if metric == "duration_days" else w
        elif metric == "duration_days" or _within(va, qa, vb) or _within(vb, qb, va):
            continue  # compatible: a bound and a value inside it
        elif abs(va - vb) <= NEAR_RELATIVE * max(va, vb):
            against += NEAR_CONFLICT
        elif metric in HEADLINE_METRICS:
            against += HEADLINE_CONFLICT
            headline = True
        else:
            against += COUNT_CONFLICT
    return _Figures(min(agree, MAX_FIGURES_WEIGHT), counts, telling, against, headline)


def score(page: Candidate, op: Candidate) -> float:
    return _score(_cached_features(page), _cached_features(op))


@lru_cache(maxsize=4096)
def _cached_features(c: Candidate) -> _Features:
    """``score`` compares one candidate with many: its features once."""
    return _features(c)


def _dates_apart(page: _Features, op: _Features) -> bool:
    """Dates that rule one action out: reports too far apart, actions that do not overlap,
    a report published before the other's action began."""
    if page.published and op.published and abs((page.published - op.published).days) > MAX_GAP_DAYS:
        return True
    if page.start and op.start and page.end and op.end:
        slack = timedelta(days=ACTION_SLACK_DAYS)
        if page.start > op.end + slack or op.start > page.end + slack:
            return True
    launch = timedelta(days=LAUNCH_DAYS)
    for report, action in ((page, op), (op, page)):
        if report.published and action.start and report.published < action.start - launch:
            return True
    return False


def _other_country(page: _Features, op: _Features) -> bool:
    """Two countries' own parts of one action ("Finland's part", "Hungary's part"): each page
    names one country, and not the same one (a page about the whole names many, or none)."""
    return len(page.countries) == 1 and len(op.countries) == 1 and page.countries != op.countries


# A part and its whole share their dates and often their length; a count tells them apart.
_NOT_TELLING_WIDER = frozenset({"duration_days"})


def _part_and_whole(page: _Features, op: _Features) -> bool:
    """One page's wider totals are the other's own figures: a part (the UK's, a force's) and
    the whole it belongs to, which the warehouse keeps apart (db/lineage.py links them)."""
    return bool(page.wider & op.own or op.wider & page.own)


def _other_force(page: _Features, op: _Features) -> bool:
    """A police force's own operation and a page that names only other forces."""
    return bool(
        (page.owner or op.owner) and page.forces and op.forces and page.forces.isdisjoint(op.forces)
    )


def _score(page: _Features, op: _Features) -> float:
    pn, on = page.name, op.name
    if pn and on and pn != on:
        return 0.0
    if (
        _dates_apart(page, op)
        or _other_force(page, op)
        or _other_country(page, op)
        or _part_and_whole(page, op)
    ):
        return 0.0
    figs = _compare_figures(page.figures, op.figures)
    same_name = bool(pn and pn == on)
    same_force = len(page.forces) == 1 and page.forces == op.forces
    places = len(page.places & op.places)
    countries = bool(page.countries & op.countries)
    same_dates = bool(page.start and page.start == op.start and page.end == op.end)
    if not (same_name or same_force or places or countries or same_dates or figs.telling > 0):
        # Publication dates, a theme, a lead and a week's seven days are shared by every week
        # of action around one awareness day: one action shows in a name, a force, a place,
        # a country, its own stated dates or a figure other than its length.
        return 0.0
    s = NAME_WEIGHT if same_name else 0.0
    if page.published and op.published:
        if abs((page.published - op.published).days) <= DATE_WINDOW_DAYS:
            s += NEAR_DATE_WEIGHT
    elif not _identified(figs, same_name, same_force or places > 0 or countries):
        return 0.0  # undated: a theme and a lead agency do not identify an action
    if page.start and op.start:  # not apart, so they overlap
        s += ACTION_OVERLAP_WEIGHT
    if page.lead_agency and page.lead_agency == op.lead_agency:
        s += SAME_LEAD_WEIGHT
    if page.theme and page.theme == op.theme:
        s += SAME_THEME_WEIGHT
    s += figs.agree - figs.against
    if same_force:
        s += SAME_FORCE_WEIGHT
    s += min(MAX_PLACES_WEIGHT, PLACE_WEIGHT * places)
    if countries:
        s += COUNTRY_WEIGHT
    a, b = page.words, op.words
    if a and b:
        s += TITLE_WEIGHT * len(a & b) / len(a | b)
    # Rounded so that float noise never decides the threshold (0.2 + 0.1 + 0.2 is 0.5).
    return max(0.0, min(1.0, round(s, SCORE_DIGITS)))


def _identified(figs: _Figures, same_name: bool, shared_entity: bool) -> bool:
    """Evidence that an undated page and an operation are one action."""
    if same_name and figs.telling > SMALL_COUNT_WEIGHT and not figs.headline_conflict:
        # a name recurs (Aidant, Global Chain): it needs one figure besides, and not a count
        # under ten ("3 arrests"), which any two weeks of one programme can share
        return True
    return figs.counts >= IDENTITY_WEIGHT or (figs.counts > 0 and shared_entity)


# Two dates at most MAX_GAP_DAYS apart fall in the same or neighbouring buckets.
_BUCKET_DAYS = MAX_GAP_DAYS + 1
assert MATCH_THRESHOLD > 0  # a candidate that scores 0 can be skipped


def _bucket(day: date | None) -> int | None:
    return None if day is None else day.toordinal() // _BUCKET_DAYS


class _Pool:
    """Candidates in resolution order, indexed by normalised name and date bucket."""

    def __init__(self) -> None:
        self.items: list[tuple[_Features, Candidate]] = []
        self.keys: set[str] = set()
        self._by_name: dict[str | None, dict[int | None, list[int]]] = {}
        self._by_bucket: dict[int | None, list[int]] = {}

    def add(self, features: _Features, cand: Candidate) -> None:
        i = len(self.items)
        self.items.append((features, cand))
        self.keys.add(cand.key)
        bucket = _bucket(features.published)
        self._by_name.setdefault(features.name, {}).setdefault(bucket, []).append(i)
        self._by_bucket.setdefault(bucket, []).append(i)

    def possible(self, page: _Features) -> Iterator[int]:
        """Positions of the candidates ``page`` can score above 0 with (a name differing
        from the page's, or a date more than MAX_GAP_DAYS from it, scores 0), in no order."""
        bucket = _bucket(page.published)
        near = None if bucket is None else (bucket - 1, bucket, bucket + 1, None)
        if page.name is None:
            if near is None:
                yield from range(len(self.items))
                return
            for b in near:
                yield from self._by_bucket.get(b, ())
            return
        for name in (page.name, None):
            by_bucket = self._by_name.get(name, {})
            if near is None:
                for positions in by_bucket.values():
                    yield from positions
            else:
                for b in near:
                    yield from by_bucket.get(b, ())


def free_key(key: str, extraction: Extraction, taken: set[str]) -> str:
    """A key for a new operation whose natural key another operation has (two strands of a
    programme named alike on one day, two undated pages of one name). The warehouse knows an
    operation by its key and adds a page founding a taken key to the operation holding it,
    so a taken key would merge what resolution kept apart. The page's URL (else its title)
    tells the two apart, the same on every run."""
    seed = extraction.article.url or extraction.article.title or ""
    for n in range(len(taken) + 1):
        digest = hashlib.sha256(f"{seed}#{n}".encode("utf-8", "surrogatepass")).hexdigest()
        free = f"{key[: MAX_KEY_CHARS - 9]}~{digest[:8]}"
        if free not in taken:
            return free
    raise AssertionError("unreachable: one of len(taken) + 1 keys is free")


def resolve(pages: Sequence[Extraction], existing: Iterable[Candidate]) -> list[Match]:
    """Assign each page to an operation, founding new ones as needed (in page order)."""
    pool = _Pool()
    for c in existing:
        pool.add(_features(c), c)
    out: list[Match] = []
    for extraction in pages:
        cand = candidate_of(extraction)
        if cand.key in pool.keys:
            cand = replace(cand, key=free_key(cand.key, extraction, pool.keys))
        features = _features(cand)
        best: tuple[float, int] | None = None  # (score, position): the first of the best
        for i in pool.possible(features):
            sc = _score(features, pool.items[i][0])
            if sc >= MATCH_THRESHOLD and (best is None or (sc, -i) > (best[0], -best[1])):
                best = (sc, i)
        if best is not None:
            op = pool.items[best[1]][1]
            out.append(Match(op.key, False, round(best[0], 3), op))
        else:
            pool.add(features, cand)
            out.append(Match(cand.key, True, 1.0, cand))
    return out


def date_windows(days: Iterable[date]) -> list[tuple[date, date]]:
    """The merged date ranges within MAX_GAP_DAYS of ``days``: an operation published
    outside all of them scores 0 with every page published on one of ``days``."""
    gap = timedelta(days=MAX_GAP_DAYS)
    windows: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        lo = day - gap if day > date.min + gap else date.min
        hi = day + gap if day < date.max - gap else date.max
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], hi))
        else:
            windows.append((lo, hi))
    return windows


# ---------------------------------------------------------------------------------------
# The stage's unit of work (reads through db/)


def resolve_batch(conn: Connection, pages: Sequence[Extracted]) -> list[Match | None]:
    """Resolution for one batch: pinned pages go where a person put them; the other relevant
    pages that report operation figures are grouped by ``resolve``; the rest get None.

    Every batch reads the warehouse afresh (operations founded by earlier batches, merges
    and splits made meanwhile), but only the operations these pages can match: those
    published near them (``date_windows``), and the pinned pages' own."""
    pins = pinned_operations(conn, [p.item.page_id for p in pages])
    reportable = [
        p
        for p in pages
        if p.relevant
        and p.item.page_id not in pins
        and any(f.scope == "operation" for f in p.extraction.result.figures)
    ]
    existing = []
    if reportable:
        days = [published_of(p.extraction) for p in reportable]
        # An undated page can match any operation: then every one is a candidate.
        windows = date_windows(days) if all(d is not None for d in days) else None  # type: ignore[arg-type]
        existing = _as_derived(
            conn, candidates(conn, windows, places=_STORED_PLACES, countries=_STORED_COUNTRIES)
        )
    pinned_ids = {pins[p.item.page_id] for p in pages if p.relevant and p.item.page_id in pins}
    by_id = operation_candidates(conn, pinned_ids) if pinned_ids else {}
    matches = iter(resolve([p.extraction for p in reportable], existing))
    ids = {id(p) for p in reportable}
    out: list[Match | None] = []
    for p in pages:
        if p.relevant and p.item.page_id in pins:
            cand = by_id[pins[p.item.page_id]]
            out.append(Match(cand.key, False, 1.0, cand))
        else:
            out.append(next(matches) if id(p) in ids else None)
    return out


def _as_derived(conn: Connection, existing: list[Candidate]) -> list[Candidate]:
    """Candidates whose operation is loaded but not yet derived (pending: another run is
    between its load and its derive, or a run stopped there) get the figures derive will
    give them, reconciled from their claims now: a page must match an operation whether or
    not its derive has committed. Read in one snapshot (resolve_task), an operation is
    either pending with its claims or derived with its figures."""
    keys = {c.key for c in existing}
    waiting = {i: k for i, k in operation_keys(conn, pending(conn)).items() if k in keys}
    if not waiting:
        return existing
    claims = figure_claims(conn, sorted(waiting))
    figures = {
        key: frozenset(
            (r["metric"], float(r["value"]))
            for r in reconcile(op_id, claims.get(op_id, []))
            if r["scope"] == "operation"
        )
        for op_id, key in waiting.items()
    }
    return [replace(c, figures=figures[c.key]) if c.key in figures else c for c in existing]
