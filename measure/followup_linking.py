"""Scores follow-up recognition, linking and outcome figures on a labelled set (issue 15).

    python -m measure.followup_linking tests/fixtures/followups/labelled.yaml [--details]
    make followups

Each page of the set is rendered as a plain HTML article and read by the extract stage
(tasks.extract.extract_page: the follow-up rule included); each follow-up is then linked by
tasks.followup.link against the set's operations, as the derive stage links it against the
warehouse's. Printed:

- recognition: precision and recall of "this page is a follow-up";
- linking: precision (links made that are right) and recall (gold links made), over the
  pages labelled with an operation and the pages linked;
- outcome figures: the share of labelled outcome figures (charged, convicted,
  sentence_years_total) read with exactly the gold value, and of follow-up pages with every
  outcome figure right (no figure read that the label does not have).
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from db.followups import FollowupPage, LinkTarget
from domain.forces import load_forces, match_force
from tasks.extract import extract_page
from tasks.figures.followup import FOLLOWUP_SCOPE
from tasks.followup import TargetIndex, features, link

OUTCOME_METRICS = ("charged", "convicted", "sentence_years_total")
# A figure is right when it equals the gold value; years to two decimals (3 y 4 m = 3.33).
TOLERANCE = 0.01


@dataclass
class Score:
    recognised_tp: int = 0
    recognised_fp: int = 0
    recognised_fn: int = 0
    link_tp: int = 0
    link_fp: int = 0
    link_fn: int = 0
    figures: int = 0
    figures_right: int = 0
    pages: int = 0
    pages_right: int = 0

    @staticmethod
    def ratio(a: int, b: int) -> float:
        return round(a / b, 3) if b else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "recognition_precision": self.ratio(
                self.recognised_tp, self.recognised_tp + self.recognised_fp
            ),
            "recognition_recall": self.ratio(
                self.recognised_tp, self.recognised_tp + self.recognised_fn
            ),
            "linking_precision": self.ratio(self.link_tp, self.link_tp + self.link_fp),
            "linking_recall": self.ratio(self.link_tp, self.link_tp + self.link_fn),
            "figure_accuracy": self.ratio(self.figures_right, self.figures),
            "pages_all_right": self.ratio(self.pages_right, self.pages),
        }


def render(page: dict[str, Any]) -> str:
    """A labelled page as a plain article page (title, date, paragraphs)."""
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in page["body"])
    title = html.escape(page["title"])
    day = str(page["published"])
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="article:published_time" content="{day}T10:00:00Z"></head>'
        f"<body><article><h1>{title}</h1>{paras}</article></body></html>"
    )


def _force_ids(names: list[str]) -> frozenset[int]:
    slugs = sorted({f.slug for f in load_forces()})
    out = set()
    for name in names:
        force = match_force(name)
        if force is not None:
            out.add(slugs.index(force))
    return frozenset(out)


def _day(v: Any) -> date | None:
    return v if isinstance(v, date) or v is None else date.fromisoformat(str(v))


def targets(ops: list[dict[str, Any]]) -> list[LinkTarget]:
    return [
        LinkTarget(
            o["id"],
            o.get("name"),
            o.get("theme"),
            o.get("lead_agency"),
            _day(o.get("first_published")),
            _day(o.get("start_date")),
            _day(o.get("end_date")),
            o.get("title"),
            _force_ids(o.get("forces") or []),
        )
        for o in ops
    ]


def score(data: dict[str, Any], details: bool = False) -> Score:
    ops = targets(data["operations"])
    s = Score()
    index = TargetIndex(ops)
    for page in data["pages"]:
        gold = page["gold"]
        url = f"https://followups.optally.test/{page['id']}"
        ex = extract_page(render(page), url=url, profile="generic")
        found = ex.followup is not None
        if found and gold["followup"]:
            s.recognised_tp += 1
        elif found:
            s.recognised_fp += 1
        elif gold["followup"]:
            s.recognised_fn += 1
        linked: int | None = None
        if found:
            fp = FollowupPage(
                0, None, False, "none", None, ex.article.title, ex.article.body,
                ex.article.published, ex.result.operation.name, ex.result.operation.theme,
                _force_ids(list(ex.result.operation.forces)),
            )  # fmt: skip
            f = features(fp)
            linked = link(f, index.candidates(f)).operation_id  # as relink does
        want = gold.get("operation") if gold["followup"] else None
        if linked is not None and linked == want:
            s.link_tp += 1
        else:
            s.link_fp += linked is not None
            s.link_fn += want is not None
        got = {f.metric: float(f.value) for f in ex.result.figures if f.scope == FOLLOWUP_SCOPE}
        if gold["followup"]:
            wanted = {m: float(gold[m]) for m in OUTCOME_METRICS if gold.get(m) is not None}
            right = sum(1 for m, v in wanted.items() if abs(got.get(m, -1) - v) <= TOLERANCE)
            s.figures += len(wanted)
            s.figures_right += right
            s.pages += 1
            all_right = right == len(wanted) and set(got) <= set(wanted)
            s.pages_right += all_right
            if details and (not all_right or linked != want):
                print(f"{page['id']}: linked {linked} (gold {want}); figures {got} (gold {wanted})")
        elif details and found:
            print(f"{page['id']}: read as a follow-up, labelled not one")
    return s


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("labelled", type=Path)
    p.add_argument("--details", action="store_true", help="list every page scored wrong")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = p.parse_args(argv)
    data = yaml.safe_load(args.labelled.read_text(encoding="utf-8"))
    result = score(data, args.details).as_dict()
    pages = len(data["pages"])
    followups = sum(1 for pg in data["pages"] if pg["gold"]["followup"])
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(f"{pages} pages, {followups} follow-ups, {len(data['operations'])} operations")
    for key, value in result.items():
        print(f"{key:<24} {value:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
