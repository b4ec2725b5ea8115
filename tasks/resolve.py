"""Which operation does a page report? A pure, documented scoring rule.

A page joins an existing operation when its score reaches MATCH_THRESHOLD:

- same operation name (normalised)                      +0.6; different names: never
- published within DATE_WINDOW_DAYS of the operation    +0.2; beyond MAX_GAP_DAYS: never
- same lead agency +0.1; same theme +0.1
- each operation-scope (metric, value) both report      +0.15 (at most +0.45)
- title similarity (token Jaccard)                      x 0.3

The score, capped at 1, is stored as the operation's confidence.

``resolve`` gives exactly the result of scoring each page against every candidate in
order (the first of the best scores wins), but scores a page only against the candidates
that can score above 0: the same normalised name or none, and published within
MAX_GAP_DAYS or undated. It keeps the pool indexed by (name, 46-day bucket), and each
candidate's normalised name and title words are computed once, not once per pair.
``date_windows`` gives the same date bound to the warehouse's candidate query.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from tasks.records import Extraction

MATCH_THRESHOLD = 0.5
DATE_WINDOW_DAYS = 10
MAX_GAP_DAYS = 45
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


@dataclass(frozen=True, slots=True)
class Candidate:
    key: str
    name: str | None
    lead_agency: str | None
    theme: str | None
    published: date | None
    title: str | None
    figures: frozenset[tuple[str, float]] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Match:
    key: str
    new: bool
    confidence: float
    candidate: Candidate


def normalise_name(name: str | None) -> str | None:
    if not name:
        return None
    words = _WORD.findall(name.lower())
    words = [w for w in words if w not in ("operation", "project", "op")]
    return " ".join(words) or None


def title_tokens(title: str | None) -> set[str]:
    return {w for w in _WORD.findall((title or "").lower()) if w not in _STOP and not w.isdigit()}


def operation_figures(extraction: Extraction) -> frozenset[tuple[str, float]]:
    return frozenset(
        (f.metric, float(f.value)) for f in extraction.result.figures if f.scope == "operation"
    )


def published_of(extraction: Extraction) -> date | None:
    """The date a page's operation is matched on: the page's, else the operation's start."""
    return extraction.article.published or extraction.result.operation.start_date


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
    )


def operation_key(extraction: Extraction) -> str:
    """A natural key for a new operation founded by this page."""
    op = extraction.result.operation
    a = extraction.article
    when = a.published or op.start_date
    year = when.year if when else "undated"
    name = normalise_name(op.name)
    if name:
        return _bounded(f"name:{name}:{year}")
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


@dataclass(frozen=True, slots=True)
class _Features:
    """What ``score`` compares, computed once per candidate."""

    name: str | None  # normalised
    published: date | None
    lead_agency: str | None
    theme: str | None
    figures: frozenset[tuple[str, float]]
    words: frozenset[str]  # title_tokens


def _features(c: Candidate) -> _Features:
    return _Features(
        normalise_name(c.name),
        c.published,
        c.lead_agency,
        c.theme,
        c.figures,
        frozenset(title_tokens(c.title)),
    )


def score(page: Candidate, op: Candidate) -> float:
    return _score(_features(page), _features(op))


def _score(page: _Features, op: _Features) -> float:
    pn, on = page.name, op.name
    if pn and on and pn != on:
        return 0.0
    s = 0.0
    if pn and pn == on:
        s += 0.6
    if page.published and op.published:
        gap = abs((page.published - op.published).days)
        if gap > MAX_GAP_DAYS:
            return 0.0
        if gap <= DATE_WINDOW_DAYS:
            s += 0.2
    if page.lead_agency and page.lead_agency == op.lead_agency:
        s += 0.1
    if page.theme and page.theme == op.theme:
        s += 0.1
    s += min(0.45, 0.15 * len(page.figures & op.figures))
    a, b = page.words, op.words
    if a and b:
        s += 0.3 * len(a & b) / len(a | b)
    return min(1.0, s)


# Two dates at most MAX_GAP_DAYS apart fall in the same or neighbouring buckets.
_BUCKET_DAYS = MAX_GAP_DAYS + 1
assert MATCH_THRESHOLD > 0  # a candidate that scores 0 can be skipped


def _bucket(day: date | None) -> int | None:
    return None if day is None else day.toordinal() // _BUCKET_DAYS


class _Pool:
    """Candidates in resolution order, indexed by normalised name and date bucket."""

    def __init__(self) -> None:
        self.items: list[tuple[_Features, Candidate]] = []
        self._by_name: dict[str | None, dict[int | None, list[int]]] = {}
        self._by_bucket: dict[int | None, list[int]] = {}

    def add(self, features: _Features, cand: Candidate) -> None:
        i = len(self.items)
        self.items.append((features, cand))
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


def resolve(pages: Sequence[Extraction], existing: Iterable[Candidate]) -> list[Match]:
    """Assign each page to an operation, founding new ones as needed (in page order)."""
    pool = _Pool()
    for c in existing:
        pool.add(_features(c), c)
    out: list[Match] = []
    for extraction in pages:
        cand = candidate_of(extraction)
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
