"""Train the confidence model of ``tasks.figures.confidence`` on labelled pages.

    python -m measure.train_confidence DIR [DIR ...] [--folds 5] [--out tasks/figures/confidence_model.json]

Every operation and international figure the rules choose on a page is one example: right when
its (scope, metric, value) is in the page's gold. A logistic regression over
``tasks.figures.confidence.FEATURE_NAMES`` learns how likely a choice is to be right; the threshold under
which a figure is withheld is the one that maximises F1 over the out-of-fold predictions of a
cross-validation grouped by publisher (a publisher's pages are all in one fold, so the score
says what happens on publishers the model has not seen). Gold figures the rules never chose
count as misses at every threshold.

The first DIR's pages are also scored on their own (the real pages; ``make confidence-model``
passes the development part of the real corpus, then the written corpus). Never pass the
blind part: it is scored, not learned from. Needs scikit-learn (the ``dev`` extra); scoring at run
time does not.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tasks.article import parse_article
from tasks.figures import headline_choices
from tasks.figures.confidence import FEATURE_NAMES, MODEL_FILE, features

# L2 strength; out-of-fold F1 moves by under 0.002 between C = 0.2 and 5.
REGULARISATION_C = 1.0


@dataclass
class Example:
    x: list[float]
    y: int
    group: str
    case: str
    source: str  # the directory it came from


def _shown(d: Path) -> str:
    # Relative to where it is run (the repository, from make), so the model file names no
    # folder of one machine.
    here = Path.cwd().resolve()
    return str(d.relative_to(here)) if d.is_relative_to(here) else str(d)


def _publisher(url: str | None, case: str) -> str:
    host = (urlsplit(url or "").hostname or case).lower()
    labels = host.removeprefix("www.").split(".")
    return (
        ".".join(labels[-3:]) if len(labels) > 2 and len(labels[-1]) == 2 else ".".join(labels[-2:])
    )


def load_examples(dirs: list[Path]) -> tuple[list[Example], dict[str, int], int]:
    """(examples, gold figures never chosen per directory, pages)."""
    examples: list[Example] = []
    missed: dict[str, int] = {}
    pages = 0
    for d in dirs:
        for gold_file in sorted(d.glob("*.gold.json")):
            case = gold_file.name[: -len(".gold.json")]
            rec: dict[str, Any] = json.loads(gold_file.read_text(encoding="utf-8"))
            html = gold_file.with_name(f"{case}.html").read_bytes()
            article = parse_article(html, url=rec.get("url"), profile=rec.get("profile"))
            choices = headline_choices(
                article.body,
                article.title,
                publisher=article.publisher,
                published=article.published,
            )
            gold = {
                (f["scope"], f["metric"], float(f["value"]))
                for f in rec["gold"]["figures"]
                if f["scope"] in ("operation", "international")
            }
            group = _publisher(rec.get("url"), case)
            chosen = set()
            for fig, facts, signals in choices:
                key = (fig.scope, fig.metric, float(fig.value))
                chosen.add(key)
                examples.append(
                    Example(features(facts, signals), int(key in gold), group, case, str(d))
                )
            missed[str(d)] = missed.get(str(d), 0) + len(gold - chosen)
            pages += 1
    return examples, missed, pages


def _scores(probs: list[float], ys: list[int], missed: int, threshold: float) -> dict[str, float]:
    tp = sum(1 for p, y in zip(probs, ys, strict=True) if p >= threshold and y)
    fp = sum(1 for p, y in zip(probs, ys, strict=True) if p >= threshold and not y)
    fn = missed + sum(1 for p, y in zip(probs, ys, strict=True) if p < threshold and y)
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4)}


def best_threshold(probs: list[float], ys: list[int], missed: int) -> float:
    """The threshold with the best F1; among equals, the lower (withhold less)."""
    best_t, best_f1 = 0.0, _scores(probs, ys, missed, 0.0)["f1"]
    for t in sorted(set(round(p, 3) for p in probs)):
        f1 = _scores(probs, ys, missed, t)["f1"]
        if f1 > best_f1 + 1e-9:
            best_t, best_f1 = t, f1
    return best_t


def _withheld(model: Any, threshold: float, examples: list[Example]) -> dict[str, dict[str, int]]:
    """Per directory: how many right and wrong figures the model withholds."""
    out: dict[str, dict[str, int]] = {}
    if not examples:
        return out
    probs = model.predict_proba([e.x for e in examples])[:, 1]
    for e, p in zip(examples, probs, strict=True):
        row = out.setdefault(
            _shown(Path(e.source)),
            {"right": 0, "right_withheld": 0, "wrong": 0, "wrong_withheld": 0},
        )
        kind = "right" if e.y else "wrong"
        row[kind] += 1
        if p < threshold:
            row[f"{kind}_withheld"] += 1
    return out


def train(dirs: list[Path], folds: int, unseen: list[Path] | None = None) -> dict[str, Any]:
    """A model trained on the rules' choices on ``dirs`` and, with ``unseen``, on the
    out-of-sample choices in those files (``measure.unseen_examples``). With ``unseen`` the
    threshold and the scores that matter are those of the out-of-sample examples, out of fold:
    they say what the model does on pages the rules never read."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    examples, missed, pages = load_examples(dirs)
    if unseen:
        from measure.unseen_examples import load_unseen

        more, more_missed, more_pages = load_unseen(unseen)
        examples, pages = [*examples, *more], pages + more_pages
        missed = {**missed, **more_missed}
    xs = [e.x for e in examples]
    ys = [e.y for e in examples]
    groups = [e.group for e in examples]

    def fit(idx: list[int]) -> Any:
        model = LogisticRegression(C=REGULARISATION_C, fit_intercept=False, max_iter=5000)
        model.fit([xs[i] for i in idx], [ys[i] for i in idx])
        return model

    out_of_fold = [0.0] * len(examples)
    n_groups = len(set(groups))
    if n_groups < 2 or len(set(ys)) < 2:
        raise ValueError(
            "training needs pages from at least two publishers and both right and wrong figures"
        )
    splitter = GroupKFold(n_splits=min(folds, n_groups))
    for train_idx, test_idx in splitter.split(xs, ys, groups):
        model = fit(list(train_idx))
        for i, p in zip(
            test_idx, model.predict_proba([xs[i] for i in test_idx])[:, 1], strict=True
        ):
            out_of_fold[i] = float(p)
    # the examples the threshold is chosen on: the out-of-sample ones when there are any
    chosen_on = [str(u) for u in unseen] if unseen else [str(d) for d in dirs]
    idx = [i for i, e in enumerate(examples) if e.source in chosen_on]
    on_missed = sum(missed.get(src, 0) for src in chosen_on)
    threshold = best_threshold([out_of_fold[i] for i in idx], [ys[i] for i in idx], on_missed)
    final = fit(list(range(len(examples))))

    def cv_of(sources: list[str]) -> dict[str, dict[str, float]]:
        sel = [i for i, e in enumerate(examples) if e.source in sources]
        p, y = [out_of_fold[i] for i in sel], [ys[i] for i in sel]
        m = sum(missed.get(src, 0) for src in sources)
        return {
            "without_model": _scores([1.0] * len(y), y, m, 0.0),
            "with_model": _scores(p, y, m, threshold),
        }

    return {
        "features": list(FEATURE_NAMES),
        "weights": [round(float(w), 6) for w in final.coef_[0]],
        "threshold": threshold,
        "trained_on": {
            "dirs": [_shown(d) for d in dirs],
            "unseen": [_shown(u) for u in unseen or []],
            "pages": pages,
            "examples": len(examples),
            "right": sum(ys),
            "gold_never_chosen": sum(missed.values()),
            "publishers": n_groups,
        },
        "withheld": _withheld(final, threshold, examples),
        "cross_validation": {
            "folds": min(folds, n_groups),
            "grouped_by": "publisher",
            "all": cv_of(sorted({e.source for e in examples})),
            # what the threshold was chosen on: the out-of-sample choices, or else all dirs
            "scored": cv_of(chosen_on),
            "scored_on": [_shown(Path(src)) for src in chosen_on],
        },
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m measure.train_confidence", description=__doc__.splitlines()[0]
    )
    ap.add_argument(
        "dirs",
        nargs="+",
        type=Path,
        metavar="DIR",
        help="folders of labelled pages, the real ones first (make confidence-model passes them)",
    )
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument(
        "--unseen",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="train on these out-of-sample choices too (python -m measure.unseen_examples); "
        "the threshold is then chosen on them",
    )
    ap.add_argument("--out", type=Path, default=MODEL_FILE)
    args = ap.parse_args(argv)
    if any("blind" in d.parts for d in args.dirs):
        print("error: the blind split is scored, never trained on", file=sys.stderr)
        return 2
    try:
        model = train(
            [d.resolve() for d in args.dirs], args.folds, [u.resolve() for u in args.unseen]
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    cv = model["cross_validation"]
    print(
        f"{model['trained_on']['examples']} figures from {model['trained_on']['pages']} pages; "
        f"threshold {model['threshold']}\n"
        f"cross-validated by publisher on {', '.join(cv['scored_on'])}: "
        f"without the model {cv['scored']['without_model']}, with it {cv['scored']['with_model']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
