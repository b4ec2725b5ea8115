"""Score the figure extractor on labelled pages.

    python -m measure.accuracy DIR [DIR ...] [--json] [--verbose] [--update-floor --floor FILE]
    python -m measure.accuracy --set NAME=DIR [--set ...] [--floor FILE] [--update-floor]

``make accuracy`` scores the project's labelled sets against ``tests/accuracy_floor.json``.
Two formats are read from each DIR:

- text cases: ``*.json`` with ``text``, ``title``, ``published``, ``source_url`` and ``gold``;
  scored on ``extract_figures(text, title, ...)``;
- page cases: ``NAME.html`` with ``NAME.gold.json`` (``url``, ``profile``, ``title``,
  ``published``, ``gold``); scored on the whole ``tasks.extract.extract_page(html, url, profile)``.

``gold`` holds ``figures`` ({scope, metric, value, qualifier}), ``arrest_breakdown``,
``distractors`` (numbers that must not be reported as operation figures) and optionally
``operation_name``, ``lead_agency`` and ``theme``.

A predicted figure is right when its (scope, metric, value) equals a gold figure's. Operation and
international figures are always scored; force and context figures only on pages whose gold lists
figures of that scope (elsewhere they are reported, not scored). A *leak* is an operation figure
whose value is a distractor of that page or a gold force/context value of the same metric.

``--update-floor`` raises the numbers in the ``--floor`` file to the measured ones and refuses
to lower any of them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from domain.records import FigureResult
from tasks.figures import extract_figures

ALWAYS_SCORED = ("operation", "international")


@dataclass
class MetricScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class CaseResult:
    case: str
    tp: list[tuple[str, str, float]] = field(default_factory=list)
    fp: list[tuple[str, str, float]] = field(default_factory=list)
    fn: list[tuple[str, str, float]] = field(default_factory=list)
    qualifier_wrong: list[tuple[str, str, float, str, str]] = field(default_factory=list)
    leaks: list[tuple[str, float]] = field(default_factory=list)
    unscored: int = 0
    breakdown_tp: int = 0
    breakdown_fp: int = 0
    breakdown_fn: int = 0
    facts: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class Report:
    pages: int
    seconds: float
    per_metric: dict[str, MetricScore]
    cases: list[CaseResult]

    def _total(self) -> MetricScore:
        t = MetricScore()
        for s in self.per_metric.values():
            t.tp += s.tp
            t.fp += s.fp
            t.fn += s.fn
        return t

    @property
    def precision(self) -> float:
        return self._total().precision

    @property
    def recall(self) -> float:
        return self._total().recall

    @property
    def f1(self) -> float:
        return self._total().f1

    @property
    def qualifier_accuracy(self) -> float:
        tp = sum(len(c.tp) for c in self.cases)
        wrong = sum(len(c.qualifier_wrong) for c in self.cases)
        return (tp - wrong) / tp if tp else 1.0

    @property
    def leaks(self) -> int:
        return sum(len(c.leaks) for c in self.cases)

    @property
    def pages_all_right(self) -> float:
        """Share of pages whose every operation and international figure is right: nothing
        missing, nothing extra, the value right (qualifiers aside)."""
        if not self.cases:
            return 1.0

        def right(c: CaseResult) -> bool:
            wrong = [k for k in (*c.fp, *c.fn) if k[0] in ALWAYS_SCORED]
            return not wrong and c.error is None

        return sum(1 for c in self.cases if right(c)) / len(self.cases)

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else float("inf")

    def facts_accuracy(self) -> dict[str, float]:
        out: dict[str, list[bool]] = defaultdict(list)
        for c in self.cases:
            for k, ok in c.facts.items():
                out[k].append(ok)
        return {k: sum(v) / len(v) for k, v in out.items() if v}

    def breakdown_f1(self) -> float:
        s = MetricScore(
            sum(c.breakdown_tp for c in self.cases),
            sum(c.breakdown_fp for c in self.cases),
            sum(c.breakdown_fn for c in self.cases),
        )
        return s.f1

    def to_json(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "seconds": round(self.seconds, 3),
            "pages_per_second": round(self.pages_per_second, 1),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "qualifier_accuracy": round(self.qualifier_accuracy, 4),
            "leaks": self.leaks,
            "breakdown_f1": round(self.breakdown_f1(), 4),
            "pages_all_right": round(self.pages_all_right, 4),
            "facts_accuracy": {k: round(v, 4) for k, v in self.facts_accuracy().items()},
            "per_metric": {
                m: {
                    "tp": s.tp,
                    "fp": s.fp,
                    "fn": s.fn,
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                }
                for m, s in sorted(self.per_metric.items())
            },
            "cases": [asdict(c) for c in self.cases],
        }


def _date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _load_cases(path: Path) -> list[tuple[str, dict[str, Any], FigureResult | None, str | None]]:
    """(name, gold record, result, error) for every case in a directory (or one file)."""
    files = [path] if path.is_file() else sorted(path.iterdir())
    out: list[tuple[str, dict[str, Any], FigureResult | None, str | None]] = []
    for f in files:
        if f.name.endswith(".gold.json"):
            html = f.with_name(f.name[: -len(".gold.json")] + ".html")
            rec = json.loads(f.read_text(encoding="utf-8"))
            if not html.exists():
                out.append((f.name, rec, None, "missing .html"))
                continue
            try:
                from tasks.extract import extract_page

                ex = extract_page(html.read_bytes(), rec.get("url"), rec.get("profile"))
                out.append((html.name, rec, ex.result, None))
            except Exception as exc:  # report, do not stop scoring
                out.append((html.name, rec, None, f"{type(exc).__name__}: {exc}"))
        elif f.suffix == ".json":
            try:
                rec = json.loads(f.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                out.append((f.name, {}, None, str(exc)))
                continue
            if not isinstance(rec, dict) or "text" not in rec or "gold" not in rec:
                continue
            res = extract_figures(
                rec["text"],
                rec.get("title"),
                publisher=rec.get("publisher"),
                url=rec.get("source_url"),
                published=_date(rec.get("published")),
            )
            out.append((f.name, rec, res, None))
    return out


def _norm_name(name: str | None) -> str:
    if not name:
        return ""
    n = name.lower().replace("op ", "operation ")
    for prefix in ("operation ", "project "):
        if n.startswith(prefix):
            n = n[len(prefix) :]
    return " ".join(n.split())


def _score_case(
    name: str,
    rec: dict[str, Any],
    res: FigureResult | None,
    error: str | None,
    per_metric: dict[str, MetricScore],
) -> CaseResult:
    cr = CaseResult(name, error=error)
    gold = rec.get("gold") or {}
    gold_figs = gold.get("figures") or []
    if res is None:
        for g in gold_figs:
            per_metric[g["metric"]].fn += 1
            cr.fn.append((g["scope"], g["metric"], g["value"]))
        return cr
    scored_scopes = set(ALWAYS_SCORED) | {g["scope"] for g in gold_figs}
    gold_map: dict[tuple[str, str, float], str] = {
        (g["scope"], g["metric"], float(g["value"])): g.get("qualifier", "exact") for g in gold_figs
    }
    matched: set[tuple[str, str, float]] = set()
    for f in res.figures:
        key = (f.scope, f.metric, float(f.value))
        if f.scope not in scored_scopes:
            cr.unscored += 1
            continue
        if key in gold_map and key not in matched:
            matched.add(key)
            per_metric[f.metric].tp += 1
            cr.tp.append(key)
            if gold_map[key] != f.qualifier:
                cr.qualifier_wrong.append((*key, f.qualifier, gold_map[key]))
        else:
            per_metric[f.metric].fp += 1
            cr.fp.append(key)
    for key in gold_map:
        if key not in matched:
            per_metric[key[1]].fn += 1
            cr.fn.append(key)
    # leaks
    distractors = {float(d) for d in gold.get("distractors") or [] if isinstance(d, (int, float))}
    op_gold = {(k[1], k[2]) for k in gold_map if k[0] == "operation"}
    op_values = {k[2] for k in gold_map if k[0] in ("operation",)}
    side = {(k[1], k[2]) for k in gold_map if k[0] in ("force", "context")}
    for f in res.figures:
        if f.scope != "operation":
            continue
        v = float(f.value)
        if (f.metric, v) in op_gold:
            continue
        if (v in distractors and v not in op_values) or (f.metric, v) in side:
            cr.leaks.append((f.metric, v))
    # breakdown (by count)
    gb = [int(b["count"]) for b in gold.get("arrest_breakdown") or []]
    pb = [int(b.count) for b in res.arrest_breakdown]
    rest = list(gb)
    for c in pb:
        if c in rest:
            rest.remove(c)
            cr.breakdown_tp += 1
        else:
            cr.breakdown_fp += 1
    cr.breakdown_fn = len(rest)
    # facts
    if rest or cr.breakdown_fp:
        cr.notes.append(
            f"breakdown {[(b.offence, b.count) for b in res.arrest_breakdown]} gold {gb}"
        )
    checks = (
        (
            "lead_agency",
            res.operation.lead_agency,
            gold.get("lead_agency"),
            lambda a, b: (a or "") == (b or ""),
        ),
        ("theme", res.operation.theme, gold.get("theme"), lambda a, b: a == b),
        (
            "operation_name",
            res.operation.name,
            gold.get("operation_name"),
            lambda a, b: _norm_name(a) == _norm_name(b),
        ),
    )
    for key, got, want, same in checks:
        if key in gold:
            cr.facts[key] = bool(same(got, want))
            if not cr.facts[key]:
                cr.notes.append(f"{key}: {got!r} (gold {want!r})")
    return cr


def score_dir(*paths: str | Path) -> Report:
    """Score every labelled case under ``paths`` (at least one)."""
    if not paths:
        raise ValueError("score_dir needs at least one directory of labelled cases")
    dirs = [Path(p) for p in paths]
    per_metric: dict[str, MetricScore] = defaultdict(MetricScore)
    cases: list[CaseResult] = []
    t0 = time.perf_counter()
    loaded = []
    for d in dirs:
        if d.exists():
            loaded.extend(_load_cases(d))
    seconds = time.perf_counter() - t0
    for name, rec, res, err in loaded:
        cases.append(_score_case(name, rec, res, err, per_metric))
    return Report(len(loaded), seconds, dict(per_metric), cases)


def format_table(report: Report) -> str:
    lines = [f"{'metric':<22}{'tp':>5}{'fp':>5}{'fn':>5}{'prec':>8}{'recall':>8}{'f1':>8}"]
    for m, s in sorted(report.per_metric.items()):
        lines.append(
            f"{m:<22}{s.tp:>5}{s.fp:>5}{s.fn:>5}{s.precision:>8.3f}{s.recall:>8.3f}{s.f1:>8.3f}"
        )
    t = report._total()
    lines.append(
        f"{'OVERALL':<22}{t.tp:>5}{t.fp:>5}{t.fn:>5}{t.precision:>8.3f}{t.recall:>8.3f}{t.f1:>8.3f}"
    )
    lines.append("")
    lines.append(f"qualifier accuracy  {report.qualifier_accuracy:.3f}")
    lines.append(f"leaks               {report.leaks}")
    lines.append(f"breakdown F1        {report.breakdown_f1():.3f}")
    lines.append(f"pages all right     {report.pages_all_right:.3f}")
    for k, v in sorted(report.facts_accuracy().items()):
        lines.append(f"{k + ' accuracy':<24}{v:.3f}")
    lines.append(f"pages               {report.pages} ({report.pages_per_second:.1f} pages/s)")
    return "\n".join(lines)


def format_details(report: Report) -> str:
    lines: list[str] = []
    for c in report.cases:
        if not (c.fp or c.fn or c.qualifier_wrong or c.leaks or c.error or c.notes):
            continue
        lines.append(f"== {c.case}")
        if c.error:
            lines.append(f"   error: {c.error}")
        for k in c.fp:
            lines.append(f"   FP  {k}")
        for k in c.fn:
            lines.append(f"   FN  {k}")
        for q in c.qualifier_wrong:
            lines.append(f"   QUAL {q}")
        for leak in c.leaks:
            lines.append(f"   LEAK {leak}")
        for note in c.notes:
            lines.append(f"   note {note}")
    return "\n".join(lines)


# What a floor holds for a named set: the numbers that may only go up (leaks only down).
SET_FLOOR_KEYS = ("f1", "precision", "pages_all_right", "qualifier_accuracy", "max_leaks")


def measured(report: Report, keys: tuple[str, ...] = SET_FLOOR_KEYS) -> dict[str, float | int]:
    values: dict[str, float | int] = {
        "f1": round(report.f1, 4),
        "precision": round(report.precision, 4),
        "pages_all_right": round(report.pages_all_right, 4),
        "qualifier_accuracy": round(report.qualifier_accuracy, 4),
        "max_leaks": report.leaks,
    }
    return {k: values[k] for k in keys}


def below_floor(now: dict[str, float | int], floor: dict[str, float | int]) -> list[str]:
    """The numbers of ``now`` that are worse than ``floor``."""
    worse = []
    for key, value in now.items():
        if key not in floor:
            continue
        if key == "max_leaks" and value > floor[key]:
            worse.append(f"leaks {value} > floor {floor[key]}")
        elif key != "max_leaks" and value < floor[key]:
            worse.append(f"{key} {value} < floor {floor[key]}")
    return worse


def update_floor(report: Report, path: Path, name: str | None = None) -> tuple[bool, str]:
    """Raise the floor to the measured numbers; refuse if any measured number is worse.

    Without ``name`` the file holds one flat floor (f1, qualifier_accuracy, max_leaks); with it,
    the file maps set names to floors and only that set's entry changes."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if name is None:
        old, new = data, measured(report, ("f1", "qualifier_accuracy", "max_leaks"))
    else:
        old, new = data.get(name, {}), measured(report)
    worse = below_floor(new, old)
    if worse:
        return False, "refusing to lower the floor: " + "; ".join(worse)
    if name is None:
        data = new
    else:
        data[name] = new
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return True, f"floor{'' if name is None else ' of ' + name} set to {new}"


def format_summary(reports: dict[str, Report]) -> str:
    """One line per named set: the headline numbers side by side."""
    head = f"{'set':<10}{'pages':>6}{'prec':>8}{'recall':>8}{'f1':>8}{'all right':>11}{'qual':>7}{'leaks':>7}"
    lines = [head]
    for name, r in reports.items():
        lines.append(
            f"{name:<10}{r.pages:>6}{r.precision:>8.3f}{r.recall:>8.3f}{r.f1:>8.3f}"
            f"{r.pages_all_right:>11.3f}{r.qualifier_accuracy:>7.3f}{r.leaks:>7}"
        )
    return "\n".join(lines)


def model_line() -> str | None:
    """The confidence model's cross-validated scores, as trained (measure.train_confidence)."""
    from tasks.figures.confidence import MODEL_FILE

    if not MODEL_FILE.exists():
        return None
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    cv = data.get("cross_validation", {})
    forward = cv.get("forward") or {}
    if forward:
        pooled = forward["pooled"]
        before, after = pooled["without_model"], pooled["with_model"]
        return (
            f"confidence model, each of {len(forward['rounds'])} rounds of the rules' "
            f"out-of-sample choices predicted by a model of the rounds before it "
            f"({forward['rounds'][0]['unseen']} to {forward['rounds'][-1]['unseen']}): "
            f"F1 {before['f1']} without it, {after['f1']} with it "
            f"(precision {before['precision']} -> {after['precision']}); "
            f"withholds under {data.get('threshold')}"
        )
    scored = cv.get("scored", {})
    before, after = scored.get("without_model", {}), scored.get("with_model", {})
    on = ", ".join(cv.get("scored_on", [])) or "its training pages"
    if data.get("trained_on", {}).get("unseen"):
        on = f"the rules' out-of-sample choices ({on})"
    return (
        f"confidence model, {cv.get('folds')}-fold cross-validation by publisher on {on}: "
        f"F1 {before.get('f1')} without it, {after.get('f1')} "
        f"with it (precision {before.get('precision')} -> {after.get('precision')}); "
        f"withholds under {data.get('threshold')}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m measure.accuracy", description=__doc__.split("\n")[0]
    )
    ap.add_argument(
        "dirs", nargs="*", metavar="DIR", help="directories (or files) of labelled cases"
    )
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--verbose", "-v", action="store_true", help="list every miss per page")
    ap.add_argument(
        "--update-floor",
        action="store_true",
        help="raise the --floor file to the measured numbers (never lowers them)",
    )
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="score DIR on its own under NAME (repeatable): one summary line per set",
    )
    ap.add_argument(
        "--floor",
        type=Path,
        metavar="FILE",
        help="the floor file: checked with --set, raised by --update-floor "
        "(make accuracy passes tests/accuracy_floor.json)",
    )
    args = ap.parse_args(argv)
    if args.set and args.dirs:
        ap.error("give DIRs or --set NAME=DIR, not both")
    if not args.set and not args.dirs:
        ap.error("name the labelled cases: DIR ... or --set NAME=DIR (make accuracy names them)")
    if args.update_floor and args.floor is None:
        ap.error("--update-floor needs --floor FILE")
    if args.floor is not None and not args.update_floor and not args.floor.is_file():
        ap.error(f"no such floor file: {args.floor}")
    if args.set:
        return _main_sets(args)
    dirs = args.dirs
    missing = [d for d in dirs if not Path(d).exists()]
    if missing:
        print(f"error: no such directory: {', '.join(missing)}", file=sys.stderr)
        return 2
    report = score_dir(*dirs)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(format_table(report))
        if args.verbose:
            print()
            print(format_details(report))
    if args.update_floor:
        ok, msg = update_floor(report, args.floor)
        print(msg, file=sys.stderr)
        return 0 if ok else 1
    return 0


def _main_sets(args: argparse.Namespace) -> int:
    sets: dict[str, Path] = {}
    for item in args.set:
        name, sep, d = item.partition("=")
        if not sep or not name or not Path(d).is_dir():
            print(
                f"error: --set wants NAME=DIR with an existing DIR, not {item!r}", file=sys.stderr
            )
            return 2
        sets[name] = Path(d)
    reports = {name: score_dir(d) for name, d in sets.items()}
    if args.json:
        print(json.dumps({n: r.to_json() for n, r in reports.items()}, indent=2))
    else:
        print(format_summary(reports))
        line = model_line()
        if line:
            print()
            print(line)
        if args.verbose:
            for name, r in reports.items():
                print(f"\n# {name}\n{format_table(r)}")
    status = 0
    floors = (
        json.loads(args.floor.read_text(encoding="utf-8"))
        if args.floor is not None and args.floor.exists()  # --update-floor may start a new file
        else {}
    )
    for name, r in reports.items():
        if args.update_floor:
            ok, msg = update_floor(r, args.floor, name)
            print(msg, file=sys.stderr)
            status = status or (0 if ok else 1)
        elif isinstance(floors.get(name), dict):
            worse = below_floor(measured(r), floors[name])
            if worse:
                print(f"{name}: below its floor: {'; '.join(worse)}", file=sys.stderr)
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
