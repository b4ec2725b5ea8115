"""Accuracy gate: the extractor on the bundled corpus must not fall below tests/accuracy_floor.json.

Raise the floor with ``python -m tasks.accuracy --update-floor`` (it refuses to lower any number).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tasks.accuracy import DEFAULT_DIR, FLOOR_FILE, format_details, score_dir


def test_corpus_accuracy_is_not_below_the_floor() -> None:
    if not DEFAULT_DIR.exists() or not any(DEFAULT_DIR.glob("*.gold.json")):
        pytest.skip("no labelled corpus in tests/fixtures/corpus")
    floor = json.loads(Path(FLOOR_FILE).read_text(encoding="utf-8"))
    report = score_dir(DEFAULT_DIR)
    details = format_details(report)
    assert report.f1 >= floor["f1"], f"F1 {report.f1:.4f} < floor {floor['f1']}\n{details}"
    assert report.qualifier_accuracy >= floor["qualifier_accuracy"], (
        f"qualifier accuracy {report.qualifier_accuracy:.4f} < floor {floor['qualifier_accuracy']}\n{details}"
    )
    assert report.leaks <= floor["max_leaks"], (
        f"{report.leaks} leaks > floor {floor['max_leaks']}\n{details}"
    )
    assert not [c.case for c in report.cases if c.error], details


def test_floor_file_is_well_formed() -> None:
    floor = json.loads(Path(FLOOR_FILE).read_text(encoding="utf-8"))
    assert set(floor) == {"f1", "qualifier_accuracy", "max_leaks"}
    assert 0 <= floor["f1"] <= 1 and 0 <= floor["qualifier_accuracy"] <= 1
    assert isinstance(floor["max_leaks"], int) and floor["max_leaks"] >= 0
