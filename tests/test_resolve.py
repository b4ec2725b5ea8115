"""The operation grouping rule, on hand-made extractions."""

from __future__ import annotations

from datetime import date

from tasks.records import Article, Extraction, Figure, FigureResult, OperationFacts
from tasks.resolve import MATCH_THRESHOLD, Candidate, normalise_name, resolve, score


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
