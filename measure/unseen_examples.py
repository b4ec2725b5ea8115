"""Out-of-sample training examples for the confidence model: the figures the rules chose on
labelled pages *before* any rule had been written from those pages.

    python -m measure.unseen_examples --rules-at COMMIT [--prefix ID_PREFIX ...] DIR ... --out FILE

The rules in this repository were written while reading the development pages, so on those pages
they are right far more often (F1 0.90) than on pages nobody read (0.72-0.79): a confidence model
trained on their in-sample choices learns that the rules are nearly always right. Each round of
the real corpus adds pages that were scored before any rule looked at them; running the rules as
they stood at the commit before that round (``--rules-at``, checked out into a temporary git
worktree) on those pages gives choices with the error rate of unseen pages. Each example is what
that commit's rules knew of a chosen figure (``CandidateFacts`` and ``PageSignals``, whose fields
must be today's: the features are computed from them by today's
``tasks.figures.confidence.features``), whether it is in the page's gold, and the page's
publisher; ``measure.train_confidence --unseen FILE`` trains on them.

Never pass a blind directory: the blind pages are scored, never learned from.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from measure.train_confidence import Example, _shown
from tasks.figures.confidence import CandidateFacts, PageSignals, features

# Run with the old checkout first on the path: its article reader and its rules. It reads the
# pages as measure.train_confidence.load_examples does, but keeps what the rules knew of each
# choice (CandidateFacts, PageSignals) rather than an old commit's feature vector.
_CHILD = r"""
import dataclasses, inspect, json, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
import measure.train_confidence as tc
from tasks.article import parse_article
from tasks.figures import headline_choices
assert tc.__file__.startswith(sys.argv[1]), tc.__file__
out = {"examples": [], "missed": {}, "pages": 0}
prefixes = tuple(p for p in sys.argv[2].split(",") if p)
for d in map(Path, sys.argv[3:]):
    missed = 0
    for gold_file in sorted(d.glob("*.gold.json")):
        case = gold_file.name[: -len(".gold.json")]
        if prefixes and not case.startswith(prefixes):
            continue
        rec = json.loads(gold_file.read_text(encoding="utf-8"))
        html = gold_file.with_name(case + ".html").read_bytes()
        a = parse_article(html, url=rec.get("url"), profile=rec.get("profile"))
        # the page's address reaches the rules since round 15 (its publisher's country)
        kw = {"url": a.url or rec.get("url")} if "url" in inspect.signature(headline_choices).parameters else {}
        choices = headline_choices(a.body, a.title, publisher=a.publisher, published=a.published, **kw)
        gold = {(f["scope"], f["metric"], float(f["value"])) for f in rec["gold"]["figures"]
                if f["scope"] in ("operation", "international")}
        chosen = set()
        for fig, facts, signals in choices:
            key = (fig.scope, fig.metric, float(fig.value))
            chosen.add(key)
            sig = dataclasses.asdict(signals)
            sig["title_numbers"] = sorted(sig["title_numbers"])
            out["examples"].append({"facts": dataclasses.asdict(facts), "signals": sig,
                "y": int(key in gold),
                "group": tc._publisher(rec.get("url"), case), "case": case})
        missed += len(gold - chosen)
        out["pages"] += 1
    out["missed"][str(d)] = missed
print(json.dumps(out))
"""


def _fields(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def load_unseen(paths: list[Path]) -> tuple[list[Example], dict[str, int], int]:
    """(examples with today's features, gold figures never chosen per file, pages) from files
    written by this module."""
    examples: list[Example] = []
    missed: dict[str, int] = {}
    pages = 0
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        for e in data["examples"]:
            sig = dict(e["signals"], title_numbers=frozenset(e["signals"]["title_numbers"]))
            x = features(CandidateFacts(**e["facts"]), PageSignals(**sig))
            examples.append(Example(x, int(e["y"]), e["group"], e["case"], str(path)))
        missed[str(path)] = sum(data["missed"].values())
        pages += data["pages"]
    return examples, missed, pages


def collect(commit: str, dirs: list[Path], prefixes: tuple[str, ...] = ()) -> dict:
    repo = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix="optally-rules-") as tmp:
        tree = Path(tmp) / "rules"
        subprocess.run(
            ["git", "-C", str(repo), "worktree", "add", "--detach", "-f", str(tree), commit],
            check=True,
            capture_output=True,
        )
        try:
            res = subprocess.run(
                [sys.executable, "-c", _CHILD, str(tree), ",".join(prefixes), *map(str, dirs)],
                check=True,
                capture_output=True,
                text=True,
                cwd=tmp,
            )
        finally:
            subprocess.run(
                ["git", "-C", str(repo), "worktree", "remove", "--force", str(tree)],
                check=False,
                capture_output=True,
            )
    data = json.loads(res.stdout)
    if data["examples"]:
        e = data["examples"][0]
        if set(e["facts"]) != _fields(CandidateFacts) or set(e["signals"]) != _fields(PageSignals):
            raise SystemExit(
                f"the rules at {commit} describe a choice otherwise; pick a later commit"
            )
    data["rules_at"] = commit
    data["dirs"] = [_shown(d) for d in dirs]
    data["prefixes"] = list(prefixes)
    data["missed"] = {_shown(Path(k)): v for k, v in data["missed"].items()}
    return data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m measure.unseen_examples", description=__doc__.splitlines()[0]
    )
    ap.add_argument("dirs", nargs="+", type=Path, metavar="DIR")
    ap.add_argument("--rules-at", required=True, help="the commit before any rule read DIR's pages")
    ap.add_argument(
        "--prefix",
        action="append",
        default=[],
        help="only the pages whose id starts so (repeatable): one round's pages",
    )
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    if any("blind" in d.parts for d in args.dirs):
        print("error: the blind split is scored, never trained on", file=sys.stderr)
        return 2
    data = collect(args.rules_at, [d.resolve() for d in args.dirs], tuple(args.prefix))
    args.out.write_text(json.dumps(data, indent=0) + "\n", encoding="utf-8")
    ys = [e["y"] for e in data["examples"]]
    print(
        f"{len(ys)} figures from {data['pages']} pages, {sum(ys)} right, rules at {args.rules_at}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
