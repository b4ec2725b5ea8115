"""Operation grouping on labelled real pages: the set's integrity and a floor on its score.

The set is tests/fixtures/groupings/dev_groupings.json (conventions in the README next to it);
the score is ``python -m measure.grouping_accuracy`` (docs/SCHEMA.md, "Grouping accuracy").
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from measure import grouping_accuracy as ga

ROOT = Path(__file__).resolve().parents[1]
SET_FILE = ROOT / "tests" / "fixtures" / "groupings" / "dev_groupings.json"
# Measured with the rule of tasks/resolve.py on the set (docs/SCHEMA.md): a change to the rule
# or to the extractor may raise these numbers, never lower them. "resolved" counts the pairs
# whose two pages reach resolution; "all" counts every pair (a page the extractor reads no
# operation figure from misses its pairs).
# 710 pages since round 17 (692 after round 16: 0.920 / 0.627, "all" 0.600; 655 after round 14: 0.933 / 0.640, 0.926 / 0.640 with the model
# retrained with rounds 15 and 16, which keeps one figure that joins Portugal's part of the 2023
# labour action days to the whole; 637 after round 13: 0.932 / 0.661 with its model, 0.932 / 0.641 with
# round 14's; 606 after round 12: 0.922 / 0.668; 584 after round 11's second wave: 0.940 / 0.703; 558 after its
# first: 0.942 / 0.715; 532 after round 10: 0.934 / 0.733; 510 after round 9: 0.944 / 0.752;
# 419 after round 8: 0.950 / 0.687; 390 after round 7: 0.948 / 0.696; 329 after round 5:
# 0.955 / 0.724; 168 before round 4: 1.000 / 0.895); docs/SCHEMA.md, "Grouping accuracy",
# names the wrong merges left
FLOOR = {"resolved": (0.921, 0.627), "all": (0.921, 0.597)}
# Each page in a batch of its own, against operations as the warehouse stores them.
ONE_PAGE_BATCHES_FLOOR = (0.921, 0.627)
MAX_HARD_NEGATIVES_MERGED = 10
POSITIVE_PAIRS, MIN_HARD_NEGATIVES = 234, 150


@pytest.fixture(scope="module")
def raw() -> dict:
    return json.loads(SET_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pages() -> list[ga.Page]:
    return ga.read_pages(ga.load_set(SET_FILE))


@pytest.fixture(scope="module")
def report(pages: list[ga.Page]) -> ga.Report:
    return ga.score(ga.load_set(SET_FILE), pages)


def test_every_page_is_a_dev_page_in_one_operation(raw: dict) -> None:
    dev = (SET_FILE.parent / raw["pages_dir"]).resolve()
    assert dev == ROOT / "tests" / "fixtures" / "real" / "dev"
    pages = [p for op in raw["operations"].values() for p in op["pages"]]
    assert len(pages) == len(set(pages)) == 710
    assert {p.name[: -len(".html")] for p in dev.glob("*.html")} == set(pages)


def test_positives_are_every_pair_within_an_operation(raw: dict) -> None:
    """So every other pair is a negative, and precision counts every merge."""
    ambiguous = {frozenset(p[:2]) for p in raw["ambiguous"]}
    within = {
        frozenset(pair)
        for op in raw["operations"].values()
        for pair in itertools.combinations(op["pages"], 2)
    }
    positive = [frozenset(p) for p in raw["positive"]]
    assert len(positive) == len(set(positive)) == POSITIVE_PAIRS
    assert set(positive) == within - ambiguous
    assert all(len(p) == 3 and p[2] for p in raw["ambiguous"])  # each with its reason


def test_hard_negatives_cross_operations_with_a_known_kind(raw: dict) -> None:
    op_of = {p: k for k, op in raw["operations"].items() for p in op["pages"]}
    negative = [frozenset(p[:2]) for p in raw["negative"]]
    assert len(negative) == len(set(negative)) >= MIN_HARD_NEGATIVES
    assert all(op_of[a] != op_of[b] for a, b, _kind in raw["negative"])
    assert {kind for _a, _b, kind in raw["negative"]} == set(raw["kinds"])
    assert not set(negative) & {frozenset(p[:2]) for p in raw["ambiguous"]}


def test_grouping_holds_its_floor(report: ga.Report) -> None:
    for name, (precision, recall) in FLOOR.items():
        scored = getattr(report, name)
        assert scored.precision >= precision and scored.recall >= recall, name
    assert sum(report.hard_merged.values()) <= MAX_HARD_NEGATIVES_MERGED
    assert sum(report.hard_negatives.values()) >= MIN_HARD_NEGATIVES


def test_grouping_batch_by_batch_holds_its_floor(pages: list[ga.Page]) -> None:
    batched = ga.score(ga.load_set(SET_FILE), pages, one_page_batches=True).resolved
    precision, recall = ONE_PAGE_BATCHES_FLOOR
    assert batched.precision >= precision and batched.recall >= recall


def test_the_command_prints_the_report(report: ga.Report, capsys: pytest.CaptureFixture) -> None:
    assert ga.main(["--set", str(SET_FILE), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == report.to_json()
    table = ga.format_report(report).splitlines()
    assert (
        table[0] == f"pages 710, resolved {report.resolved_pages}, operations {report.operations}"
    )
    assert table[2].split() == ["resolved", f"{report.resolved.precision:.3f}",
                                f"{report.resolved.recall:.3f}", str(report.resolved.tp),
                                str(report.resolved.fp), str(report.resolved.fn)]  # fmt: skip
    details = ga.format_details(report).splitlines()
    assert len(details) == len(report.false_positives) + len(report.false_negatives)


def test_the_blind_split_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """The blind split is scored once per round of rule work, never used to build rules."""
    bad = tmp_path / "set.json"
    bad.write_text(json.dumps({"pages_dir": "tests/fixtures/real/blind", "operations": {},
                               "positive": [], "negative": [], "ambiguous": []}))  # fmt: skip
    with pytest.raises(ValueError, match="blind"):
        ga.load_set(bad)
    assert ga.main(["--set", str(bad)]) == 2
    assert "blind split" in capsys.readouterr().err
