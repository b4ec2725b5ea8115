"""The accuracy scorer (measure.accuracy) on small invented cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from measure import accuracy


def _case(
    path: Path, name: str, text: str, figures: list[dict[str, object]], **gold: object
) -> None:
    rec = {
        "text": text,
        "title": None,
        "published": "2023-05-01",
        "source_url": None,
        "gold": {"figures": figures, "arrest_breakdown": [], "distractors": [], **gold},
    }
    (path / f"{name}.json").write_text(json.dumps(rec), encoding="utf-8")


def _fig(
    metric: str, value: int, qualifier: str = "exact", scope: str = "operation"
) -> dict[str, object]:
    return {"scope": scope, "metric": metric, "value": value, "qualifier": qualifier}


def test_scores_precision_recall_qualifiers_and_leaks(tmp_path: Path) -> None:
    _case(
        tmp_path,
        "a",
        "Police arrested 25 people and safeguarded about 40 vulnerable people.",
        [_fig("arrests", 25), _fig("potential_victims", 40, "exact")],
    )
    _case(
        tmp_path,
        "b",
        "Officers executed 12 warrants. A 19-year-old was held.",
        [_fig("warrants_executed", 12), _fig("arrests", 1)],
        distractors=[12],  # a deliberately contradictory label: 12 is both gold and distractor
    )
    _case(
        tmp_path,
        "c",
        "Nine people were charged and 31 premises visited.",
        [_fig("charged", 9)],
        distractors=[31],
    )
    report = accuracy.score_dir(tmp_path)
    assert report.pages == 3
    m = report.per_metric
    assert (m["arrests"].tp, m["arrests"].fn) == (1, 1)
    assert m["premises_visited"].fp == 1
    assert report.qualifier_accuracy == pytest.approx(
        3 / 4
    )  # "about 40" is approx, gold says exact
    assert report.leaks == 1  # 31 is a distractor reported as an operation figure
    assert 0 < report.f1 < 1
    as_json = report.to_json()
    assert as_json["leaks"] == 1 and as_json["pages"] == 3


def test_update_floor_never_lowers(tmp_path: Path) -> None:
    _case(tmp_path, "a", "Police arrested 25 people.", [_fig("arrests", 25)])
    report = accuracy.score_dir(tmp_path)
    floor = tmp_path / "floor.json"
    floor.write_text(json.dumps({"f1": 0.5, "qualifier_accuracy": 0.5, "max_leaks": 3}))
    ok, _ = accuracy.update_floor(report, floor)
    assert ok
    assert json.loads(floor.read_text()) == {"f1": 1.0, "qualifier_accuracy": 1.0, "max_leaks": 0}
    _case(tmp_path, "b", "Police arrested 30 people.", [_fig("arrests", 31)])
    worse = accuracy.score_dir(tmp_path)
    ok, msg = accuracy.update_floor(worse, floor)
    assert not ok and "refusing" in msg
    assert json.loads(floor.read_text())["f1"] == 1.0


def test_cli_prints_a_table_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _case(tmp_path, "a", "Police arrested 25 people.", [_fig("arrests", 25)])
    assert accuracy.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "OVERALL" in out and "qualifier accuracy" in out and "pages/s" in out
    assert accuracy.main([str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["f1"] == 1.0
    assert accuracy.main([str(tmp_path / "missing")]) == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "name the labelled cases"),
        (["{dir}", "--update-floor"], "--update-floor needs --floor FILE"),
        (["--set", "a={dir}", "--floor", "{dir}/no-floor.json"], "no such floor file"),
        (["{dir}", "--set", "a={dir}"], "not both"),
    ],
)
def test_cli_names_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """Nothing is read from the repository's tests/: the caller names every path."""
    with pytest.raises(SystemExit) as exit_:
        accuracy.main([a.format(dir=tmp_path) for a in argv])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
