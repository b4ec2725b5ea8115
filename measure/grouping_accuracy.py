"""Score operation grouping (tasks.resolve) on labelled real pages.

    python -m measure.grouping_accuracy --set FILE [--json] [--details]

The set (the project's is ``tests/fixtures/groupings/dev_groupings.json``, conventions in the
README next to it; ``make grouping`` scores it) says which pages of its ``pages_dir``, a folder
named relative to the set file, report one operation. Each page
is read by ``tasks.extract.extract_page`` and the pages are resolved as the flow would:
official sources first, then in publication order (undated pages last, then by id), and
only pages that report an operation-scope figure are resolved (as
``db.operations.resolve_pages`` does); the others get no operation. All pages are resolved
in one batch; ``--one-page-batches`` resolves each page in a batch of its own against the
operations founded before, as the warehouse gives them back (``as_stored``: the founding
page's evidence, read again from its stored body).

Two pages are predicted *same* when resolution puts them in one operation. The positive
pairs of the set are exhaustive (every pair of pages reporting one operation), so every
other pair is a negative, except the few labelled ambiguous, which are not scored.
Pairwise precision and recall are given twice:

- ``resolved``: pairs whose two pages both reached resolution (what tasks.resolve decides);
- ``all``: every pair, so a page the extractor reads no figure from counts as a miss.

The hard negatives the set lists are counted by kind, with those resolution merged.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from domain.records import Candidate, Extraction
from measure.accuracy import MetricScore
from tasks.extract import extract_page
from tasks.resolve import published_of, resolve

Pair = frozenset[str]


@dataclass(frozen=True)
class GroupingSet:
    pages_dir: Path
    pages: tuple[str, ...]
    positive: frozenset[Pair]
    negative: dict[Pair, str]  # the listed hard negatives and their kind
    ambiguous: frozenset[Pair]


@dataclass(frozen=True)
class Page:
    id: str
    extraction: Extraction
    official: bool

    @property
    def reportable(self) -> bool:
        """Whether the flow resolves it: it reports an operation-scope figure."""
        return any(f.scope == "operation" for f in self.extraction.result.figures)


@dataclass
class PairScore(MetricScore):
    """Pairwise counts of "same operation" (precision and recall as measure.accuracy's)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass
class Report:
    pages: int
    resolved_pages: int
    operations: int
    resolved: PairScore = field(default_factory=PairScore)
    all: PairScore = field(default_factory=PairScore)
    hard_negatives: Counter[str] = field(default_factory=Counter)
    hard_merged: Counter[str] = field(default_factory=Counter)
    false_positives: list[tuple[str, str]] = field(default_factory=list)
    false_negatives: list[tuple[str, str, str]] = field(default_factory=list)  # a, b, why

    def to_json(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "resolved_pages": self.resolved_pages,
            "operations": self.operations,
            "resolved": self.resolved.to_json(),
            "all": self.all.to_json(),
            "hard_negatives": {
                k: {"pairs": n, "merged": self.hard_merged[k]}
                for k, n in sorted(self.hard_negatives.items())
            },
            "false_positives": [list(p) for p in self.false_positives],
            "false_negatives": [list(p) for p in self.false_negatives],
        }


def _pair(a: str, b: str) -> Pair:
    if a == b:
        raise ValueError(f"a pair of one page: {a}")
    return frozenset((a, b))


def load_set(path: Path) -> GroupingSet:
    raw = json.loads(path.read_text(encoding="utf-8"))
    # Relative to the set file, so the set finds its pages wherever it is run from.
    pages_dir = (path.parent / raw["pages_dir"]).resolve()
    if "blind" in pages_dir.parts:
        raise ValueError("the blind split is scored once per round, never used to build rules")
    pages = tuple(p for op in raw["operations"].values() for p in op["pages"])
    if len(set(pages)) != len(pages):
        raise ValueError("a page is in two operations")
    return GroupingSet(
        pages_dir,
        pages,
        frozenset(_pair(a, b) for a, b in raw["positive"]),
        {_pair(a, b): kind for a, b, kind in raw["negative"]},
        frozenset(_pair(a, b) for a, b, _why in raw["ambiguous"]),
    )


def read_pages(gs: GroupingSet) -> list[Page]:
    out = []
    for pid in gs.pages:
        rec = json.loads((gs.pages_dir / f"{pid}.gold.json").read_text(encoding="utf-8"))
        html = (gs.pages_dir / f"{pid}.html").read_bytes()
        ex = extract_page(html, rec.get("url"), rec.get("profile"))
        out.append(Page(pid, ex, rec.get("kind") == "official"))
    return out


def flow_order(pages: list[Page]) -> list[Page]:
    """Official first, then by publication date (undated last), then by id."""

    def key(p: Page) -> tuple[bool, bool, date, str]:
        day = published_of(p.extraction)
        return (not p.official, day is None, day or date.min, p.id)

    return sorted(pages, key=key)


def as_stored(c: Candidate) -> Candidate:
    """An operation as the warehouse gives it back to a later batch (db/load.py,
    ``candidates``): what its operations row, reconciled figures and founding article hold,
    which is all of the founding page's evidence: the candidate itself."""
    return c


def group(pages: list[Page], *, one_page_batches: bool = False) -> dict[str, str]:
    """page id -> operation key, for the pages the flow resolves: all in one batch, or one
    page per batch against the operations stored by the earlier ones."""
    reportable = [p for p in flow_order(pages) if p.reportable]
    if not one_page_batches:
        matches = resolve([p.extraction for p in reportable], [])
        return {p.id: m.key for p, m in zip(reportable, matches, strict=True)}
    stored: list[Candidate] = []
    keys = {}
    for p in reportable:
        (m,) = resolve([p.extraction], stored)
        keys[p.id] = m.key
        if m.new:
            stored.append(as_stored(m.candidate))
    return keys


def score(
    gs: GroupingSet, pages: list[Page] | None = None, *, one_page_batches: bool = False
) -> Report:
    pages = read_pages(gs) if pages is None else pages
    keys = group(pages, one_page_batches=one_page_batches)
    report = Report(len(pages), len(keys), len(set(keys.values())))
    for a, b in itertools.combinations(sorted(p.id for p in pages), 2):
        pair = _pair(a, b)
        if pair in gs.ambiguous:
            continue
        both = a in keys and b in keys
        same = both and keys[a] == keys[b]
        gold = pair in gs.positive
        kind = gs.negative.get(pair)
        if kind:
            report.hard_negatives[kind] += 1
            report.hard_merged[kind] += same
        for scope, counted in ((report.all, True), (report.resolved, both)):
            if not counted:
                continue
            scope.tp += same and gold
            scope.fp += same and not gold
            scope.fn += gold and not same
        if same and not gold:
            report.false_positives.append((a, b))
        elif gold and not same:
            why = "resolved apart" if both else "a page reports no operation figure"
            report.false_negatives.append((a, b, why))
    return report


def format_report(r: Report) -> str:
    lines = [
        f"pages {r.pages}, resolved {r.resolved_pages}, operations {r.operations}",
        f"{'pairs':10} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}",
    ]
    for name, s in (("resolved", r.resolved), ("all", r.all)):
        lines.append(f"{name:10} {s.precision:9.3f} {s.recall:7.3f} {s.tp:4d} {s.fp:4d} {s.fn:4d}")
    lines.append("hard negatives merged: " + ", ".join(
        f"{k} {r.hard_merged[k]}/{n}" for k, n in sorted(r.hard_negatives.items())
    ))  # fmt: skip
    return "\n".join(lines)


def format_details(r: Report) -> str:
    lines = [f"false positive: {a} + {b}" for a, b in r.false_positives]
    lines += [f"false negative: {a} + {b} ({why})" for a, b, why in r.false_negatives]
    return "\n".join(lines) or "no errors"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m measure.grouping_accuracy", description=__doc__.split("\n")[0]
    )
    ap.add_argument(
        "--set",
        type=Path,
        required=True,
        metavar="FILE",
        help="the labelled grouping set (make grouping passes the project's)",
    )
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--details", action="store_true", help="list every wrong pair")
    ap.add_argument(
        "--one-page-batches",
        action="store_true",
        help="resolve one page per batch against operations as the warehouse stores them",
    )
    args = ap.parse_args(argv)
    try:
        gs = load_set(args.set)
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {args.set}: {exc}", file=sys.stderr)
        return 2
    report = score(gs, one_page_batches=args.one_page_batches)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
        return 0
    print(format_report(report))
    if args.details:
        print()
        print(format_details(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
