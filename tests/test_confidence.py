"""Confidence of figures and abstentions (tasks.figures.confidence, measure.train_confidence)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import tasks.figures.page
from measure.train_confidence import best_threshold
from measure.train_confidence import main as train_main
from tasks.extract import extract_page
from tasks.figures import extract_figures, headline_choices
from tasks.figures.confidence import FEATURE_NAMES, MODEL_FILE, Model, load_model

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
BODY = (
    "Officers arrested 41 people during a week of action against modern slavery.\n\n"
    "They identified 57 potential victims and visited 120 premises."
)
TITLE = "41 arrested in modern slavery week of action"


def _model(bias: float, threshold: float = 0.5) -> Model:
    weights = [0.0] * len(FEATURE_NAMES)
    weights[FEATURE_NAMES.index("bias")] = bias
    return Model(tuple(weights), threshold)


def test_without_a_model_every_figure_is_kept_with_confidence_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tasks.figures.page, "load_model", lambda: None)
    res = extract_figures(BODY, TITLE)
    op = {f.metric: (f.value, f.confidence) for f in res.figures if f.scope == "operation"}
    assert op == {
        "arrests": (41, 1.0),
        "potential_victims": (57, 1.0),
        "duration_days": (7, 1.0),
        "premises_visited": (120, 1.0),
    }
    assert res.abstentions == ()


def test_a_model_that_trusts_nothing_withholds_every_headline_figure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tasks.figures.page, "load_model", lambda: _model(bias=-3.0))
    res = extract_figures(BODY, TITLE)
    assert [f for f in res.figures if f.scope in ("operation", "international")] == []
    withheld = {(a.metric, a.value) for a in res.abstentions}
    assert withheld == {
        ("arrests", 41),
        ("potential_victims", 57),
        ("duration_days", 7),
        ("premises_visited", 120),
    }
    a = next(a for a in res.abstentions if a.metric == "arrests")
    assert a.confidence == 0.047  # 1 / (1 + e^3), rounded
    assert a.reason == "confidence 0.05 under the threshold 0.50"
    assert a.evidence.startswith("Officers arrested 41 people")
    assert a.span == (
        0,
        len("Officers arrested 41 people during a week of action against modern slavery."),
    )


def test_a_model_that_trusts_everything_reports_its_confidence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tasks.figures.page, "load_model", lambda: _model(bias=2.0))
    res = extract_figures(BODY, TITLE)
    assert {f.confidence for f in res.figures if f.scope == "operation"} == {0.881}
    assert res.abstentions == ()


def test_extraction_json_carries_confidence_and_abstentions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tasks.figures.page, "load_model", lambda: _model(bias=-3.0))
    html = (
        f"<html><head><title>{TITLE}</title></head><body><article><h1>{TITLE}</h1>"
        + "".join(f"<p>{p}</p>" for p in BODY.split("\n\n"))
        + "</article></body></html>"
    )
    out = extract_page(html, "https://news.example.org/story").to_json()
    assert out["figures"] == []
    assert {(a["metric"], a["value"], a["confidence"]) for a in out["abstentions"]} == {
        ("arrests", 41, 0.047),
        ("potential_victims", 57, 0.047),
        ("duration_days", 7, 0.047),
        ("premises_visited", 120, 0.047),
    }


def test_a_model_trained_on_other_features_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"features": ["bias"], "weights": [1.0], "threshold": 0.5}))
    with pytest.raises(ValueError, match="trained on other features"):
        load_model.__wrapped__(path)


def test_best_threshold_maximises_f1_counting_gold_never_chosen() -> None:
    # two right figures at 0.9 and 0.8, one wrong at 0.6, one right at 0.3; one gold never chosen
    probs, ys = [0.9, 0.8, 0.6, 0.3], [1, 1, 0, 1]
    # t=0.8 keeps 2 right: P=1, R=2/4, F1=0.667; t=0 keeps all: P=3/4, R=3/4, F1=0.75
    assert best_threshold(probs, ys, missed=1) == 0.0
    # two wrong ones scored low: withholding under 0.8 keeps both right ones and no wrong one
    assert best_threshold([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0], missed=0) == 0.8


def test_training_writes_a_model_with_cross_validated_scores(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    pages = tmp_path / "pages"
    pages.mkdir()
    # pages of several publishers (the split is by publisher), with some wrong choices among them
    golds = sorted(CORPUS.glob("*.gold.json"))
    for gold in [
        g
        for g in golds
        if g.name[:2] in {"01", "02", "03", "23", "24", "25", "35", "36", "39", "40", "43", "44"}
    ]:
        shutil.copy(gold, pages / gold.name)
        html = gold.name.removesuffix(".gold.json") + ".html"
        shutil.copy(CORPUS / html, pages / html)
    # the corpus is all right; relabel two figures so that the rules are wrong about them
    for name in ("01", "23"):
        gold_file = next(pages.glob(f"{name}-*.gold.json"))
        rec = json.loads(gold_file.read_text())
        rec["gold"]["figures"][0]["value"] += 1
        gold_file.write_text(json.dumps(rec))
    out = tmp_path / "model.json"
    assert train_main([str(pages), "--folds", "3", "--out", str(out)]) == 0
    model = json.loads(out.read_text())
    assert model["features"] == list(FEATURE_NAMES)
    assert len(model["weights"]) == len(FEATURE_NAMES)
    assert model["trained_on"]["pages"] == 12
    examples = len(
        [f for g in pages.glob("*.gold.json") for f in json.loads(g.read_text())["gold"]["figures"]]
    )
    assert model["trained_on"]["examples"] <= examples + 5
    assert model["trained_on"]["examples"] - model["trained_on"]["right"] >= 2
    assert model["trained_on"]["gold_never_chosen"] >= 2
    cv = model["cross_validation"]
    assert set(cv) == {"folds", "grouped_by", "all", "scored", "scored_on", "forward"}
    assert cv["forward"] == {}  # no rounds of out-of-sample choices: publisher folds
    assert model["threshold_chosen_by"] == "publisher folds"
    assert set(cv["scored"]) == {"without_model", "with_model"}
    assert cv["scored_on"] == [str(pages)]
    # the two relabelled figures are wrong choices, and the model says how many it withholds
    row = model["withheld"][str(pages)]
    assert row["wrong"] >= 2
    assert row["right"] + row["wrong"] == model["trained_on"]["examples"]


def _unseen_file(path: Path, rows: list[tuple[dict, int, str]]) -> None:
    """A file as measure.unseen_examples writes it: what the rules knew of each choice."""
    signals = {
        "event_title": True,
        "event_lead": True,
        "aggregate": False,
        "followup": False,
        "force_parts": 0,
        "context_parts": 0,
        "title_numbers": [],
        "units": 10,
    }
    examples = []
    for facts, y, group in rows:
        base = {
            "metric": "arrests",
            "scope": "operation",
            "value": 12.0,
            "qualifier": "exact",
            "title_only": False,
            "heading": False,
            "listed": False,
            "weak": False,
            "quoted": False,
            "part": False,
            "headline": True,
            "bullet": False,
            "order": 1,
            "rival_values": 0,
        }
        examples.append(
            {"facts": base | facts, "signals": signals, "y": y, "group": group, "case": group}
        )
    path.write_text(
        json.dumps({"examples": examples, "missed": {"x": 1}, "pages": len(rows)}),
        encoding="utf-8",
    )


def test_training_on_unseen_choices_chooses_its_threshold_on_them(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    pages = tmp_path / "pages"  # no in-sample pages: the out-of-sample choices alone
    pages.mkdir()
    # out of sample, a back-reference from a quotation is wrong, a plain statement right
    rows = []
    for i in range(12):
        rows.append(({}, 1, f"p{i}.example"))
        rows.append(({"weak": True, "quoted": True, "headline": False}, 0, f"p{i}.example"))
    unseen = tmp_path / "unseen.json"
    _unseen_file(unseen, rows)
    out = tmp_path / "model.json"
    argv = [str(pages), "--unseen", str(unseen), "--folds", "3", "--out", str(out)]
    assert train_main(argv) == 0
    model = json.loads(out.read_text())
    assert model["trained_on"]["unseen"] == [str(unseen)]
    assert model["cross_validation"]["scored_on"] == [str(unseen)]
    scored = model["cross_validation"]["scored"]
    assert scored["without_model"]["precision"] == 0.5
    assert scored["with_model"]["precision"] == 1.0
    assert model["withheld"][str(unseen)] == {
        "right": 12,
        "right_withheld": 0,
        "wrong": 12,
        "wrong_withheld": 12,
    }


def test_training_refuses_the_blind_split(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blind = tmp_path / "blind"
    blind.mkdir()
    assert train_main([str(blind), "--out", str(tmp_path / "m.json")]) == 2
    assert "blind split is scored, never trained on" in capsys.readouterr().err


def test_headline_choices_are_the_figures_before_any_is_withheld(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tasks.figures.page, "load_model", lambda: _model(bias=-3.0))
    choices = headline_choices(BODY, TITLE)
    assert {(f.metric, f.value) for f, _, _ in choices} == {
        ("arrests", 41),
        ("potential_victims", 57),
        ("duration_days", 7),
        ("premises_visited", 120),
    }
    facts = {f.metric: c for f, c, _ in choices}
    # the title and the body state the same 41: no rival value
    assert facts["arrests"].value == 41.0 and facts["arrests"].rival_values == 0
    assert choices[0][2].event_title is True


def test_training_needs_its_directories(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        train_main([])
    assert exit_.value.code == 2
    assert "DIR" in capsys.readouterr().err


def test_unseen_examples_are_the_choices_of_the_rules_at_a_commit(tmp_path: Path) -> None:
    """measure.unseen_examples runs the rules of a commit (here HEAD, checked out into a
    temporary worktree) on labelled pages; today's features are computed from what they knew."""
    from measure.unseen_examples import collect, load_unseen

    root = Path(__file__).resolve().parents[1]
    head = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    if head.returncode != 0:
        pytest.skip("not a git checkout")
    pages = tmp_path / "pages"
    pages.mkdir()
    for gold in sorted(CORPUS.glob("*.gold.json"))[:3]:
        shutil.copy(gold, pages / gold.name)
        html = gold.name.removesuffix(".gold.json") + ".html"
        shutil.copy(CORPUS / html, pages / html)
    first = sorted(pages.glob("*.gold.json"))[0].name[:3]
    data = collect(head.stdout.strip(), [pages], (first,))
    assert data["pages"] == 1  # the prefix keeps one page
    assert data["examples"]
    assert all(e["case"].startswith(first) for e in data["examples"])
    assert all(e["y"] == 1 for e in data["examples"])  # the written corpus is all right
    out = tmp_path / "unseen.json"
    out.write_text(json.dumps(data), encoding="utf-8")
    examples, missed, n = load_unseen([out])
    assert n == 1 and sum(missed.values()) == 0
    assert [len(e.x) for e in examples] == [len(FEATURE_NAMES)] * len(examples)
    # the worktree is gone again
    listed = subprocess.run(
        ["git", "-C", str(root), "worktree", "list"], capture_output=True, text=True
    ).stdout
    assert "optally-rules-" not in listed


def test_make_accuracy_prints_the_models_out_of_sample_scores() -> None:
    from measure.accuracy import model_line

    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert data["threshold_chosen_by"] == "round by round"
    pooled = data["cross_validation"]["forward"]["pooled"]
    line = model_line()
    assert line is not None
    assert (
        "predicted by a model of the rounds before it (tests/fixtures/real/unseen/round4a" in line
    )
    assert f"F1 {pooled['without_model']['f1']} without it" in line
    assert f"withholds under {data['threshold']}" in line


def test_rounds_sort_as_numbers() -> None:
    from measure.train_confidence import round_order

    names = ["round10.json", "round4b.json", "round9.json", "round4a.json", "round3.json"]
    ordered = sorted((Path(n) for n in names), key=round_order)
    assert [p.name for p in ordered] == [
        "round3.json",
        "round4a.json",
        "round4b.json",
        "round9.json",
        "round10.json",
    ]


def test_threshold_is_chosen_on_each_round_predicted_by_the_rounds_before_it(
    tmp_path: Path,
) -> None:
    """Three rounds: in each, quoted back-references are wrong and plain statements right.
    Round 1 only trains (the written corpus is all right, so no model before it); round 2 is
    predicted by round 1's model, round 3 by rounds 1 and 2, and the threshold is the best over
    those two rounds' predictions."""
    pytest.importorskip("sklearn")
    pages = tmp_path / "pages"
    pages.mkdir()
    plain: dict = {}
    backref = {"weak": True, "quoted": True, "headline": False}
    paths = []
    for n in (1, 2, 3):
        rows = []
        for i in range(8):
            rows.append((plain, 1, f"r{n}p{i}.example"))
            rows.append((backref, 0, f"r{n}p{i}.example"))
        path = tmp_path / f"round{n}.json"
        _unseen_file(path, rows)
        paths.append(path)
    out = tmp_path / "model.json"
    argv = [str(pages), "--folds", "3", "--out", str(out)]
    for path in reversed(paths):  # given in any order, taken in round order
        argv += ["--unseen", str(path)]
    assert train_main(argv) == 0
    model = json.loads(out.read_text())
    assert model["threshold_chosen_by"] == "round by round"
    forward = model["cross_validation"]["forward"]
    assert [r["unseen"] for r in forward["rounds"]] == [str(paths[1]), str(paths[2])]
    # round 2 had no earlier predictions to choose a threshold on: nothing withheld
    assert forward["rounds"][0]["threshold_from_earlier_rounds"] == 0.0
    assert forward["rounds"][0]["with_model"] == forward["rounds"][0]["without_model"]
    assert forward["rounds"][1]["threshold_from_earlier_rounds"] > 0.0
    # round 3 at round 2's threshold: every back-reference withheld, every plain one kept
    assert forward["rounds"][1]["with_model"]["precision"] == 1.0
    assert forward["pooled"]["without_model"]["precision"] == 0.5
    assert forward["pooled"]["with_model"]["precision"] == 1.0
    assert 0.0 < model["threshold"] < 1.0


@pytest.mark.parametrize(
    ("probs", "ys", "missed", "best", "chosen"),
    [
        # wrong choices all scored under the right ones: the best withholds exactly them, and
        # any higher threshold withholds right ones, which costs F1 on every resample
        ([0.9, 0.8, 0.7, 0.3, 0.2] * 4, [1, 1, 1, 0, 0] * 4, 0, 0.7, 0.7),
        # nothing to tell apart: every threshold has the same F1 until it withholds right ones;
        # the lowest best is 0.0, the highest no worse is 0.5 (all scored 0.5 are kept there)
        ([0.5] * 10, [1, 0] * 5, 0, 0.0, 0.5),
    ],
)
def test_precision_first_threshold(
    probs: list[float], ys: list[int], missed: int, best: float, chosen: float
) -> None:
    pytest.importorskip("numpy")
    from measure.train_confidence import precision_first_threshold

    cases = [f"page{i // 2}" for i in range(len(probs))]
    assert precision_first_threshold(probs, ys, cases, missed) == (best, chosen)


def test_precision_first_threshold_takes_the_highest_it_cannot_tell_from_the_best() -> None:
    pytest.importorskip("numpy")
    from measure.train_confidence import precision_first_threshold

    # 40 pages: right choices at 0.9, wrong ones at 0.2 (the best withholds those), and at 0.6
    # one right choice and one wrong one, each on a page of its own: withholding both moves F1
    # up on some resamples and down on others, so the higher threshold is taken
    probs = [0.9] * 40 + [0.2] * 20 + [0.6, 0.6]
    ys = [1] * 40 + [0] * 20 + [1, 0]
    cases = [f"p{i % 40}" for i in range(60)] + ["p40", "p41"]
    best, chosen = precision_first_threshold(probs, ys, cases, missed=0)
    assert best == 0.6  # the lowest threshold of best F1 withholds the wrong ones at 0.2 only
    assert chosen == 0.9


def test_the_threshold_never_withholds_a_right_figure_of_the_written_pages(
    tmp_path: Path,
) -> None:
    """Rounds in which plain statements are wrong and back-references right teach the model to
    distrust plain statements, which are what the written pages state; the threshold stays
    under the lowest confidence of a right written figure."""
    pytest.importorskip("sklearn")
    pages = tmp_path / "pages"
    pages.mkdir()
    for gold in sorted(CORPUS.glob("*.gold.json"))[:4]:
        shutil.copy(gold, pages / gold.name)
        html = gold.name.removesuffix(".gold.json") + ".html"
        shutil.copy(CORPUS / html, pages / html)
    argv = [str(pages), "--folds", "3", "--out", str(tmp_path / "model.json")]
    for n in (1, 2, 3):
        rows = []
        for i in range(10):
            rows.append(({}, 0, f"r{n}p{i}.example"))
            rows.append(({"weak": True, "quoted": True, "headline": False}, 1, f"r{n}p{i}.example"))
        path = tmp_path / f"round{n}.json"
        _unseen_file(path, rows)
        argv += ["--unseen", str(path)]
    assert train_main(argv) == 0
    model = json.loads((tmp_path / "model.json").read_text())
    assert model["withheld"][str(pages)]["right_withheld"] == 0
    assert model["threshold"] < model["cross_validation"]["forward"]["pooled"]["best_f1_threshold"]
