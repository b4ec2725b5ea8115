"""Page-level families from round 4 of the real corpus (docs/EXTRACTION.md, "Round 4"): what a
page's operation is when the page is a part's — a county's or a country's share of a wider
action, a programme's totals, a group of the participants. Every sentence is written for this
test; each case but the control failed before its rule.

The rules are tested alone: the confidence model is switched off."""

from __future__ import annotations

import pytest

from tasks.figures.wholes import part_page
from tests.figure_rules import Fig, figures_of, rules_only


@pytest.fixture(autouse=True)
def _rules_only(monkeypatch: pytest.MonkeyPatch) -> None:
    rules_only(monkeypatch)


_figs = figures_of


# (id, title, body, figures that must be present, (scope, metric, value) that must be absent)
CASES: list[tuple[str, str, str, set[Fig], set[tuple[str, str, int | float]]]] = [
    (
        "a county's page: the national whole after its own result is no figure",
        "Dozens held in county drugs week",
        "Officers in the county arrested 37 people during the week of action.\n\n"
        "Nationally, the intensification led to 1,250 arrests and 980 vulnerable people being "
        "safeguarded.\n\nMore than 310 weapons were also recovered.",
        {("operation", "arrests", 37, "exact")},
        {
            ("operation", "arrests", 1250),
            ("operation", "potential_victims", 980),
            ("operation", "weapons_seized", 310),
        },
    ),
    (
        "a sheriff's county part of a statewide operation",
        "Trafficking sting in county nets arrests",
        "The sheriff says a trafficking sting in Merced County ended with 41 arrests.\n\n"
        "More than 60 agencies took part in the operation, which produced some 450 arrests "
        "across the state.",
        {("operation", "arrests", 41, "exact")},
        {("operation", "arrests", 450)},
    ),
    (
        "(control) a national page keeps the whole it leads with",
        "National week sees 1,250 arrests",
        "Forces across the country arrested 1,250 people in the week of action.\n\n"
        "In the county, officers arrested 37.",
        {("operation", "arrests", 1250, "exact")},
        {("operation", "arrests", 37)},
    ),
    (
        "a country's police named in a title-cased title: its own part",
        "Portuguese Police Detain Smuggling Gangs In Interpol Operation",
        "Portugal's Judicial Police have detained 40 people as part of an international "
        "operation led by Interpol against smuggling gangs in 20 countries.",
        {("operation", "arrests", 40, "exact")},
        {("force", "arrests", 40)},
    ),
    (
        "a country that only took part owns none of the whole's numbers",
        "Global action against labour exploitation",
        "Polish authorities also took part in the week-long action co-ordinated by Europol; "
        "2,100 workers were checked and 310 potential victims were identified.\n\n"
        "In Poland, 12 potential victims were identified.",
        {("operation", "potential_victims", 310, "exact")},
        {("force", "potential_victims", 310), ("operation", "potential_victims", 12)},
    ),
    (
        "a group of the participants is not all of them",
        "Europe-wide action against child trafficking",
        "What set it apart is that 12 non-EU countries were involved.\n\n"
        "Some 9,000 officers from 38 countries took part, and 95 suspects were arrested.",
        {("operation", "countries_involved", 38, "exact")},
        {("operation", "countries_involved", 12)},
    ),
    (
        "a programme's lifetime total in the title is background",
        "Trafficking unit says it has helped 85 victims",
        "A specialist trafficking unit says it has helped 85 victims since it was set up in "
        "2020.\n\nIts officers say they have carried out 40 investigations across the province.",
        set(),
        {("operation", "potential_victims", 85), ("operation", "new_investigations", 40)},
    ),
]


@pytest.mark.parametrize(
    ("title", "lead", "local", "expected"),
    [
        ("Dozens held in county drugs week", "Officers arrested 37.", False, True),
        ("Kent results", "Officers arrested 37.", True, True),
        ("73 arrested as national modern slavery crackdown ends", "x", True, False),
        ("Week of action", "Police forces have arrested 1,660 offenders.", False, False),
        ("Week of action", "A UK-wide operation led to 25 arrests.", True, False),
        ("Week of action", "Officers arrested 25 people.", False, False),
    ],
)
def test_a_part_page_names_a_place_smaller_than_the_nation(
    title: str, lead: str, local: bool, expected: bool
) -> None:
    assert part_page(title, lead, local) is expected


# Sentence families of round 4: (id, title, body, present, absent)
SENTENCES: list[tuple[str, str, str, set[Fig], set[tuple[str, str, int | float]]]] = [
    (
        "people named by words the tables do not know, then arrested",
        "Illegal working crackdown",
        "Some 45 takeaway couriers have been arrested across Leeds in the week-long crackdown.",
        {("operation", "arrests", 45, "approx")},
        set(),
    ),
    (
        "(control) a number of days is not arrested",
        "Illegal working crackdown",
        "In the crackdown, which lasted 30 days, officers were praised.",
        set(),
        {("operation", "arrests", 30)},
    ),
    (
        "people pointed back at are no new count",
        "Migration office detains 13 smugglers",
        "Officers detained 13 people smugglers in the operation.\n\n"
        "The ministry said that of the four foreigners detained, two were wanted abroad.",
        {("operation", "arrests", 13, "exact")},
        {("operation", "arrests", 4)},
    ),
    (
        "began on one date and finished on another",
        "Worldwide action against smugglers",
        "The operation began on 2 March and finished on 9 March, INTERPOL said.",
        {("operation", "duration_days", 8, "exact")},
        set(),
    ),
    (
        "one country's states are not countries",
        "Federal operation frees workers",
        "Inspectors freed 212 workers in 9 of Mexico's 32 states during the operation.",
        set(),
        {("operation", "countries_involved", 32), ("international", "countries_involved", 32)},
    ),
    (
        "people named by their nationality",
        "Factory raid",
        "Officers raided a bakery and rescued 14 Bulgarians who were being exploited.",
        {("operation", "potential_victims", 14, "exact")},
        set(),
    ),
    (
        "children taken into care",
        "Police week of action",
        "During the week of action, 23 children were taken into care for their own protection.",
        {("operation", "victims_children", 23, "exact")},
        set(),
    ),
    (
        "the international team's count on a country's page is the whole's",
        "Slovak police help dismantle smuggling gang",
        "Slovak police took part in a raid on an international smuggling gang.\n\n"
        "The international police team arrested 11 people in Slovakia, Austria and Hungary.\n\n"
        "On Slovak territory, officers carried out two house searches.",
        {("international", "arrests", 11, "exact")},
        {("operation", "arrests", 11)},
    ),
    (
        "the states of one country after the number",
        "Nationwide sting",
        "Officers in all 50 US states took part in the operation.",
        set(),
        {("operation", "countries_involved", 50), ("international", "countries_involved", 50)},
    ),
]


@pytest.mark.parametrize(
    ("title", "body", "present", "absent"),
    [c[1:] for c in (*CASES, *SENTENCES)],
    ids=[c[0] for c in (*CASES, *SENTENCES)],
)
def test_round4_families(
    title: str,
    body: str,
    present: set[Fig],
    absent: set[tuple[str, str, int | float]],
) -> None:
    got = _figs(title, body)
    assert present <= got, f"missing {present - got}; got {sorted(got)}"
    clash = {g for g in got if g[:3] in absent}
    assert not clash, f"should not be read: {clash}"
