"""Train the confidence model of ``tasks.figures.confidence`` on labelled pages.

    python -m measure.train_confidence DIR [DIR ...] [--folds 5] [--out tasks/figures/confidence_model.json]

Every operation and international figure the rules choose on a page is one example: right when
its (scope, metric, value) is in the page's gold. A logistic regression over
``tasks.figures.confidence.FEATURE_NAMES`` learns how likely a choice is to be right. The threshold under
which a figure is withheld is chosen on predictions the model made on choices it had not learnt
from. With two or more ``--unseen`` files (one per round of the corpus) those predictions come
round by round, and the threshold is the highest whose F1 cannot be told from the best
(``precision_first_threshold``), capped so that no right figure of the in-sample pages is
withheld: a model trained on the written corpus and the rounds
before a round predicts that round, as the shipped model will predict the next round's pages.
Otherwise they come from a cross-validation grouped by publisher (a publisher's pages are all in
one fold), and the threshold is the one of best F1. Measured on rounds 3 to 8, the publisher folds picked a threshold (0.532) that the
round-by-round predictions say costs F1 (0.756 -> 0.751) where their own estimate said it gained
(0.757 -> 0.763): pages of one round share the rules' blind spots of that round, which random
folds mix into training. Gold figures the rules never chose count as misses at every threshold.

The first DIR's pages are also scored on their own (the real pages; ``make confidence-model``
passes the development part of the real corpus, then the written corpus). Never pass the
blind part: it is scored, not learned from. Needs scikit-learn (the ``dev`` extra); scoring at run
time does not.
"""

from __future__ import annotations

import argparse
import json
import math
import re
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
# Resamples of the pages of the round-by-round predictions that say how far F1 at a threshold is
# from the best (precision_first_threshold); seeded, so that training gives the same model.
BOOTSTRAP_RESAMPLES = 300
BOOTSTRAP_SEED = 0


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
                url=article.url or rec.get("url"),
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


def precision_first_threshold(
    probs: list[float],
    ys: list[int],
    cases: list[str],
    missed: int,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float]:
    """(the threshold of best F1, the threshold chosen): the highest threshold above the best
    whose F1 is no further below the best than one standard deviation of that difference, over
    resamples of the pages (a paired bootstrap). Each threshold is judged against the best on
    its own: close to the best, a threshold that withholds one more wrong figure differs by
    little but always in the same direction, so thresholds in between can fail where a higher
    one passes. Precision comes first (a missing figure is visible, a wrong one is not), so
    among thresholds whose F1 the data cannot tell from the best, the one that withholds most.
    Gold figures never chosen are spread over the resampled examples in proportion."""
    import numpy as np

    p = np.asarray(probs, dtype=float)
    y = np.asarray(ys, dtype=float)
    grid = np.unique(np.concatenate([[0.0], np.round(p, 3)]))
    above = (p[:, None] >= grid[None, :]).astype(float)

    def f1(w: Any) -> Any:
        tp = (w * y) @ above
        fp = (w * (1 - y)) @ above
        fn = missed * w.sum() / len(p) + (w * y).sum() - tp
        prec = np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1e-12), 1.0)
        rec = np.where(tp + fn > 0, tp / np.maximum(tp + fn, 1e-12), 1.0)
        return np.where(prec + rec > 0, 2 * prec * rec / np.maximum(prec + rec, 1e-12), 0.0)

    full = f1(np.ones(len(p)))
    best = int(np.argmax(full))  # the lowest of equal bests
    pages = {c: i for i, c in enumerate(sorted(set(cases)))}
    page_of = np.array([pages[c] for c in cases])
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(pages), size=(resamples, len(pages)))
    scores = np.stack([f1(np.bincount(d, minlength=len(pages))[page_of]) for d in draws])
    diff = scores[:, [best]] - scores
    close = diff.mean(axis=0) <= diff.std(axis=0, ddof=1)
    close[:best] = False
    chosen = int(np.nonzero(close)[0].max()) if close.any() else best
    return float(grid[best]), float(grid[chosen])


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


def round_order(path: Path) -> list[int | str]:
    """Sort key of the unseen files: round10 after round9, round4a before round4b."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.name)]


def forward_predictions(
    fit: Any, base: list[Example], rounds: list[tuple[str, list[Example], int]]
) -> tuple[list[dict[str, Any]], list[float], list[int], list[str], int]:
    """Each round predicted by a model of the rounds before it (and ``base``): (per-round scores,
    pooled probabilities, their labels, their pages, pooled gold never chosen). A round whose training data
    lack right or wrong choices (the first, when ``base`` is all right) is only trained on. Each
    round's row gives its scores at the threshold the rounds before it chose, which is what the
    procedure would have shipped."""
    rows: list[dict[str, Any]] = []
    probs: list[float] = []
    ys: list[int] = []
    cases: list[str] = []
    missed = 0
    training = list(base)
    for name, examples, round_missed in rounds:
        if examples and len({e.y for e in training}) == 2:
            model = fit(training)
            p = [float(v) for v in model.predict_proba([e.x for e in examples])[:, 1]]
            y = [e.y for e in examples]
            before = precision_first_threshold(probs, ys, cases, missed)[1] if probs else 0.0
            rows.append(
                {
                    "unseen": name,
                    "threshold_from_earlier_rounds": before,
                    "without_model": _scores([1.0] * len(y), y, round_missed, 0.0),
                    "with_model": _scores(p, y, round_missed, before),
                }
            )
            probs, ys, missed = probs + p, ys + y, missed + round_missed
            cases += [e.case for e in examples]
        training += examples
    return rows, probs, ys, cases, missed


def train(dirs: list[Path], folds: int, unseen: list[Path] | None = None) -> dict[str, Any]:
    """A model trained on the rules' choices on ``dirs`` and, with ``unseen``, on the
    out-of-sample choices in those files (``measure.unseen_examples``). With ``unseen`` the
    threshold and the scores that matter are those of the out-of-sample examples, out of fold:
    they say what the model does on pages the rules never read."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    examples, missed, pages = load_examples(dirs)
    base = list(examples)
    rounds: list[tuple[str, list[Example], int]] = []
    unseen = sorted(unseen or [], key=round_order)
    if unseen:
        from measure.unseen_examples import load_unseen

        for path in unseen:
            more, more_missed, more_pages = load_unseen([path])
            rounds.append((str(path), more, sum(more_missed.values())))
            examples, pages = [*examples, *more], pages + more_pages
            missed = {**missed, **more_missed}
    xs = [e.x for e in examples]
    ys = [e.y for e in examples]
    groups = [e.group for e in examples]

    def fit_examples(chosen: list[Example]) -> Any:
        model = LogisticRegression(C=REGULARISATION_C, fit_intercept=False, max_iter=5000)
        model.fit([e.x for e in chosen], [e.y for e in chosen])
        return model

    def fit(idx: list[int]) -> Any:
        return fit_examples([examples[i] for i in idx])

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
    forward_rows, fwd_p, fwd_y, fwd_cases, fwd_missed = forward_predictions(
        fit_examples, base, rounds
    )
    best_forward = None
    if len(forward_rows) >= 1:
        best_forward, threshold = precision_first_threshold(fwd_p, fwd_y, fwd_cases, fwd_missed)
        chosen_by = "round by round"
    else:
        threshold = best_threshold([out_of_fold[i] for i in idx], [ys[i] for i in idx], on_missed)
        chosen_by = "publisher folds"
    final = fit(list(range(len(examples))))
    right_in_dirs = [e.x for e in base if e.y]
    if unseen and right_in_dirs:
        # The in-sample pages (the written corpus: well-formed releases the rules get right)
        # keep every right figure: the threshold stays at or under the lowest confidence the
        # final model gives one of them.
        lowest = float(min(final.predict_proba(right_in_dirs)[:, 1]))
        threshold = min(threshold, math.floor(lowest * 1000) / 1000)

    def cv_of(sources: list[str]) -> dict[str, dict[str, float]]:
        sel = [i for i, e in enumerate(examples) if e.source in sources]
        p, y = [out_of_fold[i] for i in sel], [ys[i] for i in sel]
        m = sum(missed.get(src, 0) for src in sources)
        return {
            "without_model": _scores([1.0] * len(y), y, m, 0.0),
            "with_model": _scores(p, y, m, threshold),
        }

    forward: dict[str, Any] = {}
    if forward_rows:
        forward = {
            "rounds": [{**r, "unseen": _shown(Path(r["unseen"]))} for r in forward_rows],
            "pooled": {
                "without_model": _scores([1.0] * len(fwd_y), fwd_y, fwd_missed, 0.0),
                "with_model": _scores(fwd_p, fwd_y, fwd_missed, threshold),
                "best_f1_threshold": best_forward,
                "at_best_f1_threshold": _scores(fwd_p, fwd_y, fwd_missed, best_forward or 0.0),
            },
        }
    return {
        "features": list(FEATURE_NAMES),
        "weights": [round(float(w), 6) for w in final.coef_[0]],
        "threshold": threshold,
        "threshold_chosen_by": chosen_by,
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
            # each round predicted by a model of the rounds before it (with two or more rounds)
            "forward": forward,
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
        f"threshold {model['threshold']} (chosen {model['threshold_chosen_by']})\n"
        f"cross-validated by publisher on {', '.join(cv['scored_on'])}: "
        f"without the model {cv['scored']['without_model']}, with it {cv['scored']['with_model']}"
    )
    if cv["forward"]:
        pooled = cv["forward"]["pooled"]
        print(
            f"round by round, on {len(cv['forward']['rounds'])} rounds each predicted by the "
            f"rounds before it: without the model {pooled['without_model']}, "
            f"with it {pooled['with_model']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
