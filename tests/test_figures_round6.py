"""Rules of round 6 (docs/EXTRACTION.md, "Round 6"). A passage on the wider action (section 4,
"A passage on the whole"): on a page about its own part of a multi-country action, sentences
after one about the whole go on with the whole until the text comes back to the page's own side.
Words: safeguarding referrals and visits are potential victims, vulnerable people only identified
are not and people referred into the NRM are its potential victims when no other count of victims is given
(the round-4 conventions); residences, dwellings and apartments are premises; cash given together
with assets is no cash figure (a round-6 convention). Every sentence is written for this test;
the rules are tested alone (the confidence model is off)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.figure_rules import Fig, assert_figures, figures_of, rules_only


@pytest.fixture(autouse=True)
def _rules_only(monkeypatch: pytest.MonkeyPatch) -> None:
    rules_only(monkeypatch)


def _figs(title: str, body: str) -> set[Fig]:
    return figures_of(title, body, date(2023, 10, 1))


# (id, title, body, figures that must be present, (scope, metric, value) that must be absent)
CASES: list[tuple[str, str, str, set[Fig], set[tuple[str, str, int | float]]]] = [
    (
        "the whole's results run on after 'at European level'",
        "Maltese police take part in EU action on labour exploitation",
        "Officers in Malta inspected 58 workplaces over three days.\n\n"
        "At European level the action was co-ordinated by Europol.\n\n"
        "The participating authorities made 212 arrests.\n\n"
        "They also identified 340 possible victims of trafficking.\n\n"
        "In Malta, officers arrested four people.",
        {
            ("international", "arrests", 212, "exact"),
            ("international", "potential_victims", 340, "exact"),
            ("operation", "arrests", 4, "exact"),
        },
        {("operation", "arrests", 212), ("operation", "potential_victims", 340)},
    ),
    (
        "the page's own force, written in lower case, ends the passage",
        "Gardaí join Europol action against trafficking gangs",
        "According to Europol, the action covered 25 countries.\n\n"
        "More than 800 people were arrested.\n\n"
        "In all, gardaí made 31 arrests during the week.",
        {("international", "arrests", 800, "more_than"), ("operation", "arrests", 31, "exact")},
        {("international", "arrests", 31), ("operation", "arrests", 800)},
    ),
    (
        "a sentence on one's own side joining the whole opens no passage",
        "Thousand sites checked in joint action week",
        "Finnish authorities joined the international action days in June.\n\n"
        "Officers checked 1,087 targets and identified six victims.",
        {("operation", "potential_victims", 6, "exact")},
        {("international", "potential_victims", 6)},
    ),
    (
        "(control) 'the wider community' names no multi-country action",
        "County police make 40 arrests in drugs week",
        "Officers also worked with schools in the wider community.\n\n"
        "In all, 40 arrests were made and 12 people were safeguarded.",
        {("operation", "arrests", 40, "exact"), ("operation", "potential_victims", 12, "exact")},
        {("international", "arrests", 40)},
    ),
    (
        "(control) a list of the whole's participants does not end the passage",
        "Irish agencies part of Europe-wide labour operation",
        "Across Europe, labour inspectors and police visited 900 workplaces.\n\n"
        "The action was led by the Netherlands with France, Italy and Romania.\n\n"
        "Police made 57 arrests.",
        {("international", "arrests", 57, "exact")},
        {("operation", "arrests", 57)},
    ),
]


@pytest.mark.parametrize(
    ("title", "body", "present", "absent"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_passage_on_the_whole(
    title: str,
    body: str,
    present: set[Fig],
    absent: set[tuple[str, str, int | float]],
) -> None:
    got = _figs(title, body)
    assert_figures(got, present, absent)


# (sentence, figures that must be present, (scope, metric, value) that must be absent)
WORDS: list[tuple[str, set[Fig], set[tuple[str, str, int | float]]]] = [
    (
        "Neighbourhood teams made 23 safeguarding referrals during the fortnight.",
        {("operation", "potential_victims", 23, "exact")},
        {("operation", "nrm_referrals", 23)},
    ),
    (
        "Nine new CSE referrals were made after the visits.",
        {("operation", "potential_victims", 9, "exact")},
        set(),
    ),
    (
        "Officers made 14 social care referrals.",
        set(),
        {("operation", "potential_victims", 14), ("operation", "nrm_referrals", 14)},
    ),
    (
        "Officers made 31 safeguarding referrals and 8 referrals into the National Referral "
        "Mechanism.",
        {
            ("operation", "potential_victims", 31, "exact"),
            ("operation", "nrm_referrals", 8, "exact"),
        },
        {("operation", "nrm_referrals", 31)},
    ),
    (
        "Over the two days, 27 safeguarding visits were carried out.",
        {("operation", "potential_victims", 27, "exact")},
        {("operation", "premises_visited", 27)},
    ),
    (
        "Patrols in the town centre identified 33 vulnerable young people.",
        set(),
        {("operation", "potential_victims", 33)},
    ),
    (
        "Patrols identified 33 vulnerable young people and referred them to safeguarding teams.",
        {("operation", "potential_victims", 33, "exact")},
        set(),
    ),
    (
        # a hyphenated number word starts the next count as a digit does
        "Forty men and twenty-three women were arrested.",
        {("operation", "arrests", 63, "exact")},
        {("operation", "arrests", 40)},
    ),
    (
        "Detectives seized around £3,500 in cash and other assets.",
        set(),
        {("operation", "cash_seized_gbp", 3500)},
    ),
    (
        "Detectives seized £3,500 in cash and drugs worth £12,000.",
        {("operation", "cash_seized_gbp", 3500, "exact")},
        set(),
    ),
    (
        "Eleven workers were referred to the National Referral Mechanism as potential victims.",
        {
            ("operation", "nrm_referrals", 11, "exact"),
            ("operation", "potential_victims", 11, "exact"),
        },
        set(),
    ),
    (
        "Officers made 26 referrals to the National Referral Mechanism.",
        {("operation", "nrm_referrals", 26, "exact")},
        {("operation", "potential_victims", 26)},
    ),
    (
        "Nine men were referred into the NRM and 15 children were safeguarded.",
        {
            ("operation", "nrm_referrals", 9, "exact"),
            ("operation", "victims_children", 15, "exact"),
        },
        {("operation", "potential_victims", 9)},
    ),
    (
        "Detectives visited 61 cuckooed residences across the borough.",
        {("operation", "premises_visited", 61, "exact")},
        set(),
    ),
    (
        "Inspectors called at 17 dwellings and two apartments blocks.",
        set(),
        {("operation", "premises_visited", 17)},
    ),
]


@pytest.mark.parametrize(("body", "present", "absent"), WORDS, ids=[w[0][:40] for w in WORDS])
def test_words(body: str, present: set[Fig], absent: set[tuple[str, str, int | float]]) -> None:
    got = _figs("Results of the operation", body)
    assert_figures(got, present, absent)


def test_the_headline_and_the_body_agree() -> None:
    # an earlier rounded lead that the exact figure does not refine loses to the body figure the
    # headline states
    got = _figs(
        "Four-day trafficking sting ends with 212 arrests",
        "More than 100 people were arrested in the four-day operation, deputies said.\n\n"
        "In all, deputies arrested 212 people.",
    )
    assert ("operation", "arrests", 212, "exact") in got
    assert not any(m == "arrests" and v == 100 for _, m, v, _ in got)


def test_a_headline_value_no_body_sentence_states_changes_nothing() -> None:
    got = _figs(
        "Dozens held in trafficking sting",
        "More than 100 people were arrested in the operation.\n\nLater, 60 were charged.",
    )
    assert ("operation", "arrests", 100, "more_than") in got
