"""What the figure-rule tests share (tests/test_figures*.py): the figures of a result as
comparable tuples, and the rules run alone, without the confidence model (it withholds some
figures of one-sentence pages; docs/EXTRACTION.md, section 7)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

import tasks.figures.page
from domain.records import FigureResult
from tasks.figures import extract_figures

Fig = tuple[str, str, int | float, str]


def rules_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks.figures.page, "load_model", lambda: None)


def figure_set(res: FigureResult) -> set[Fig]:
    return {(f.scope, f.metric, f.value, f.qualifier) for f in res.figures}


def figures_of(title: str, body: str, published: date = date(2024, 6, 1)) -> set[Fig]:
    return figure_set(extract_figures(body, title, published=published))


def assert_figures(
    got: set[Fig], present: set[Fig], absent: set[tuple[str, str, int | float]]
) -> None:
    """Every figure of ``present`` read, and no (scope, metric, value) of ``absent``."""
    assert present <= got, f"missing {present - got}; got {sorted(got)}"
    clash = {(s, m, v) for s, m, v, _ in got} & absent
    assert not clash, f"should not be read: {clash}; got {sorted(got)}"


# One table case: (id, title, body, figures that must be present, (scope, metric, value) that
# must be absent).
Case = tuple[str, str, str, set[Fig], set[tuple[str, str, int | float]]]


def rule_cases_test(cases: list[Case], published: date) -> Callable[..., None]:
    """A test over a table of cases, the rules alone, each case its own test id."""

    @pytest.mark.parametrize(
        ("title", "body", "present", "absent"), [c[1:] for c in cases], ids=[c[0] for c in cases]
    )
    def test(
        title: str,
        body: str,
        present: set[Fig],
        absent: set[tuple[str, str, int | float]],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        rules_only(monkeypatch)
        assert_figures(figures_of(title, body, published), present, absent)

    return test
