"""The operation grouping rule, on hand-made extractions."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from tasks.records import Article, Extraction, Figure, FigureResult, OperationFacts
from tasks.resolve import (
    MATCH_THRESHOLD,
    MAX_GAP_DAYS,
    Candidate,
    Match,
    candidate_of,
    date_windows,
    normalise_name,
    resolve,
    score,
)


def ex(
    title: str,
    published: date | None,
    figures: dict[str, int],
    name: str | None = None,
    lead: str | None = "NCA",
    theme: str | None = "child_exploitation",
) -> Extraction:
    figs = tuple(Figure("operation", m, v, "exact", "", None) for m, v in figures.items())
    return Extraction(
        Article(f"https://example.org/{title.replace(' ', '-')}", title, published, None, ""),
        FigureResult(figs, (), OperationFacts(name=name, lead_agency=lead, theme=theme)),
    )


NCA = ex(
    "Child trafficking week of action sees 38 arrests",
    date(2021, 11, 5),
    {"arrests": 38, "potential_victims": 99, "forces_involved": 19},
)
NEWS = ex(
    "Week-long child trafficking operation leads to 38 arrests",
    date(2021, 11, 7),
    {"arrests": 38, "potential_victims": 99},
)
OTHER = ex(
    "County lines crackdown nets 1,468 arrests",
    date(2021, 11, 1),
    {"arrests": 1468},
    theme="county_lines",
    lead="NPCC",
)
LATER = ex("Child trafficking week of action sees 40 arrests", date(2022, 6, 1), {"arrests": 40})


def test_same_week_same_figures_group_into_one_operation() -> None:
    matches = resolve([NCA, NEWS, OTHER], [])
    assert [m.new for m in matches] == [True, False, True]
    assert matches[0].key == matches[1].key != matches[2].key
    assert matches[1].confidence >= MATCH_THRESHOLD


def test_operations_months_apart_never_group() -> None:
    matches = resolve([NCA, LATER], [])
    assert [m.new for m in matches] == [True, True]


def test_named_operations_group_by_name_and_never_across_names() -> None:
    a = ex(
        "Operation Aidant targets labour exploitation",
        date(2024, 3, 1),
        {"arrests": 12},
        name="Operation Aidant",
    )
    b = ex(
        "Police week of action on exploitation",
        date(2024, 3, 4),
        {"arrests": 9},
        name="Project Aidant",
    )
    c = ex(
        "Police week of action on exploitation",
        date(2024, 3, 4),
        {"arrests": 12},
        name="Operation Machinize",
    )
    matches = resolve([a, b, c], [])
    assert [m.new for m in matches] == [True, False, True]
    assert matches[0].key == "name:aidant:2024"
    assert normalise_name("Project Aidant") == normalise_name("OPERATION AIDANT") == "aidant"


def test_existing_operations_are_candidates() -> None:
    existing = Candidate(
        "page:nca:2021-11-05:x",
        None,
        "NCA",
        "child_exploitation",
        date(2021, 11, 5),
        "Child trafficking week of action sees 38 arrests",
        frozenset({("arrests", 38.0), ("potential_victims", 99.0)}),
    )
    (m,) = resolve([NEWS], [existing])
    assert (m.new, m.key) == (False, existing.key)
    assert round(score(resolve([NEWS], [])[0].candidate, existing), 3) == m.confidence == 0.833


def _resolve_by_scanning(pages: list[Extraction], existing: list[Candidate]) -> list[Match]:
    """The rule applied literally: every page against every candidate, in order."""
    pool = list(existing)
    out = []
    for extraction in pages:
        cand = candidate_of(extraction)
        best: tuple[float, Candidate] | None = None
        for op in pool:
            sc = score(cand, op)
            if sc >= MATCH_THRESHOLD and (best is None or sc > best[0]):
                best = (sc, op)
        if best is not None:
            out.append(Match(best[1].key, False, round(best[0], 3), best[1]))
        else:
            pool.append(cand)
            out.append(Match(cand.key, True, 1.0, cand))
    return out


NAMES = [None, None, "Operation Aidant", "Project Aidant", "Op Orochi", "Operation Machinize"]
WORDS = ["child", "trafficking", "week", "action", "arrests", "county", "lines", "fraud", "raid"]


def _random_page(rng: random.Random, i: int) -> Extraction:
    day = None if rng.random() < 0.15 else date(2021, 1, 1) + timedelta(days=rng.randrange(400))
    figures = {m: rng.choice([12, 38, 99]) for m in rng.sample(["arrests", "potential_victims",
               "forces_involved"], rng.randrange(1, 4))}  # fmt: skip
    title = " ".join(rng.sample(WORDS, 4)) + f" {i}"
    return ex(title, day, figures, name=rng.choice(NAMES), lead=rng.choice(["NCA", "NPCC", None]),
              theme=rng.choice(["child_exploitation", "county_lines", None]))  # fmt: skip


@pytest.mark.parametrize("seed", range(8))
def test_the_indexed_pool_resolves_as_scanning_every_candidate(seed: int) -> None:
    """resolve() skips candidates that score 0 (another name, too far apart): same matches,
    confidences and ties (the first of the best) as scoring every candidate in order."""
    rng = random.Random(seed)
    existing = [candidate_of(_random_page(rng, -i)) for i in range(1, rng.randrange(2, 60))]
    pages = [_random_page(rng, i) for i in range(300)]
    got = resolve(pages, existing)
    assert got == _resolve_by_scanning(pages, existing)
    assert any(not m.new for m in got) and any(m.new for m in got)


def test_date_windows_bound_every_date_a_page_can_match() -> None:
    days = [date(2021, 1, 1), date(2021, 2, 20), date(2021, 6, 1), date(1, 1, 2)]
    windows = date_windows(days)
    assert windows == [
        (date(1, 1, 1), date(1, 2, 16)),
        (date(2020, 11, 17), date(2021, 4, 6)),  # two pages' windows overlap: merged
        (date(2021, 4, 17), date(2021, 7, 16)),
    ]
    for day in (date(2020, 11, 16), date(2021, 4, 7), date(2021, 4, 16), date(2021, 7, 17)):
        assert not any(lo <= day <= hi for lo, hi in windows)
        assert all(abs((day - d).days) > MAX_GAP_DAYS for d in days)
    assert date_windows([]) == []
