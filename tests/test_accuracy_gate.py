"""Accuracy gate: the extractor must not fall below tests/accuracy_floor.json on any labelled set.

The sets: ``written`` (tests/fixtures/corpus, written for the project together with its rules:
in-sample), ``dev`` (the development part of the real corpus) and ``blind`` (its frozen blind part,
never read by rule writers). Raise a floor with ``make accuracy ARGS=--update-floor``; the tool
refuses to lower any number.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from measure.accuracy import (
    SET_FLOOR_KEYS,
    below_floor,
    format_details,
    measured,
    score_dir,
)

FIXTURES = Path(__file__).parent / "fixtures"
FLOOR_FILE = Path(__file__).parent / "accuracy_floor.json"
SETS = {
    "written": FIXTURES / "corpus",
    "dev": FIXTURES / "real" / "dev",
    "blind": FIXTURES / "real" / "blind",
}


def _floors() -> dict[str, dict[str, float]]:
    return json.loads(FLOOR_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", list(SETS))
def test_accuracy_is_not_below_the_floor(name: str) -> None:
    report = score_dir(SETS[name])
    assert report.pages > 0, f"no labelled pages in {SETS[name]}"
    worse = below_floor(measured(report), _floors()[name])
    assert not worse, f"{name}: {'; '.join(worse)}\n{format_details(report)}"
    assert not [c.case for c in report.cases if c.error], format_details(report)


def test_floor_file_is_well_formed() -> None:
    floors = _floors()
    assert set(floors) == set(SETS)
    for floor in floors.values():
        assert set(floor) == set(SET_FLOOR_KEYS)
        assert all(0 <= floor[k] <= 1 for k in SET_FLOOR_KEYS if k != "max_leaks")
        assert isinstance(floor["max_leaks"], int) and floor["max_leaks"] >= 0


def test_the_real_corpus_is_built_from_its_specs() -> None:
    """dev/ and blind/ are exactly what build.py renders from specs/ and SPLIT.json."""
    build = FIXTURES / "real" / "build.py"
    done = subprocess.run(
        [sys.executable, str(build), "--check"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_the_split_is_by_publisher_and_large_enough() -> None:
    split = json.loads((FIXTURES / "real" / "SPLIT.json").read_text())
    sys.path.insert(0, str(FIXTURES / "real"))
    try:
        from build import publisher_key
    finally:
        sys.path.pop(0)
    seen: dict[str, set[str]] = {"dev": set(), "blind": set()}
    for part in ("dev", "blind"):
        for gold in (FIXTURES / "real" / part).glob("*.gold.json"):
            key = publisher_key(json.loads(gold.read_text())["url"])
            assert split[key] == part, gold.name
            seen[part].add(key)
    assert not seen["dev"] & seen["blind"]
    assert len(list((FIXTURES / "real" / "blind").glob("*.gold.json"))) >= 60
    assert len(seen["dev"] | seen["blind"]) >= 40
