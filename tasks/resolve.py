"""Which operation does a page report? A pure, documented scoring rule.

A page joins an existing operation when its score reaches MATCH_THRESHOLD:

- same operation name (normalised)                      +0.6; different names: never
- published within DATE_WINDOW_DAYS of the operation    +0.2; beyond MAX_GAP_DAYS: never
- same lead agency +0.1; same theme +0.1
- each operation-scope (metric, value) both report      +0.15 (at most +0.45)
- title similarity (token Jaccard)                      x 0.3

The score, capped at 1, is stored as the operation's confidence.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

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


def candidate_of(extraction: Extraction) -> Candidate:
    op = extraction.result.operation
    a = extraction.article
    published = a.published or op.start_date
    return Candidate(
        key=operation_key(extraction),
        name=op.name,
        lead_agency=op.lead_agency,
        theme=op.theme,
        published=published,
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


def score(page: Candidate, op: Candidate) -> float:
    pn, on = normalise_name(page.name), normalise_name(op.name)
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
    a, b = title_tokens(page.title), title_tokens(op.title)
    if a and b:
        s += 0.3 * len(a & b) / len(a | b)
    return min(1.0, s)


def resolve(pages: Sequence[Extraction], existing: Iterable[Candidate]) -> list[Match]:
    """Assign each page to an operation, founding new ones as needed (in page order)."""
    pool = list(existing)
    out: list[Match] = []
    for extraction in pages:
        cand = candidate_of(extraction)
        best: tuple[float, Candidate] | None = None
        for op in pool:
            sc = score(cand, op)
            if sc >= MATCH_THRESHOLD and (best is None or sc > best[0]):
                best = (sc, op)
        if best is not None:
            out.append(Match(best[1].key, False, round(best[0], 3), best[1]))
        else:
            pool.append(cand)
            out.append(Match(cand.key, True, 1.0, cand))
    return out
