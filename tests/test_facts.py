"""Operation name, lead agency, theme and named places (tasks.figures: facts, places)."""

from __future__ import annotations

import pytest

from tasks.figures.facts import lead_agency, leading_countries, operation_name, theme
from tasks.figures.places import AGENCY, COUNTRY, FORCE, canonical_agency, find_entities


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Kent Police and Essex police searched homes.",
            [(FORCE, "Kent Police"), (FORCE, "Essex Police")],
        ),
        ("the Met and the PSNI", [(FORCE, "Metropolitan Police"), (FORCE, "PSNI")]),
        ("officers from Police Scotland", [(FORCE, "Police Scotland")]),
        ("a Europol-led action with Frontex", [(AGENCY, "Europol"), (AGENCY, "Frontex")]),
        ("the Gangmasters and Labour Abuse Authority (GLAA)", [(AGENCY, "GLAA"), (AGENCY, "GLAA")]),
        (
            "Bosnia and Herzegovina, the Netherlands and Czechia",
            [(COUNTRY, "Bosnia and Herzegovina"), (COUNTRY, "Netherlands"), (COUNTRY, "Czechia")],
        ),
        ("She told MPs the figures.", []),
        ("Portuguese police arrested two men", [("demonym", "Portugal")]),
        ("two Portuguese nationals", []),
        # places abroad named after a UK force's area are not that force
        ("New South Wales Police and Kent Police", [(FORCE, "Kent Police")]),
        ("New Hampshire police arrested three", []),
    ],
)
def test_find_entities(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(e.kind, e.name) for e in find_entities(text)] == expected


@pytest.mark.parametrize(
    ("publisher", "agency"),
    [
        ("National Crime Agency", "NCA"),
        ("Home Office", "Home Office Immigration Enforcement"),
        ("Europol", "Europol"),
        ("The Evening Echo", None),
        (None, None),
    ],
)
def test_canonical_agency(publisher: str | None, agency: str | None) -> None:
    assert canonical_agency(publisher) == agency


@pytest.mark.parametrize(
    ("title", "body", "name"),
    [
        ("Raids under Operation Harbour", "Officers raided homes.", "Operation Harbour"),
        ("", "The raids, carried out under Op Lantern, found 9 victims.", "Operation Lantern"),
        ("", "The week of action, called Project Kestrel, ended on Friday.", "Project Kestrel"),
        (
            "",
            "The operation, Joint Action Day (JAD) Tisza 3, was the third of its kind.",
            "JAD Tisza 3",
        ),
        (
            "",
            "Authorities ran a coordinated action codenamed 'NORTHERN LIGHT' last month.",
            "NORTHERN LIGHT",
        ),
        (
            "",
            "Operation Ember - a regional push on farms - lasted from 2 to 6 May.",
            "Operation Ember",
        ),
        ("", "The dedicated Operation Ember team has been praised for its work.", None),
        ("", "No name is given here.", None),
    ],
)
def test_operation_name(title: str, body: str, name: str | None) -> None:
    assert operation_name(body, title) == name


@pytest.mark.parametrize(
    ("title", "body", "publisher", "international", "lead"),
    [
        (
            "",
            "The operation was led by the National Crime Agency (NCA) and 12 forces.",
            None,
            False,
            "NCA",
        ),
        (
            "",
            "A Frontex-led operation with support from Europol ran at the border.",
            None,
            True,
            "Frontex",
        ),
        (
            "",
            "The action days were coordinated by Europol, with help from Interpol.",
            None,
            True,
            "Europol",
        ),
        (
            "",
            "In total, 30 people were arrested by Cleveland Police.",
            None,
            False,
            "Cleveland Police",
        ),
        (
            "Essex Police raids",
            "Officers searched 12 homes with the GLAA.",
            None,
            False,
            "Essex Police",
        ),
        ("", "Officers searched 12 homes.", "National Crime Agency", False, "NCA"),
        ("", "Nothing about who ran it.", "Local Gazette", False, None),
    ],
)
def test_lead_agency(
    title: str, body: str, publisher: str | None, international: bool, lead: str | None
) -> None:
    assert lead_agency(body, title, publisher=publisher, international=international) == lead


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        ("County lines week nets 300 arrests", "Drug runners were safeguarded.", "county_lines"),
        (
            "Paedophiles held in online abuse sweep",
            "Children were protected.",
            "child_exploitation",
        ),
        (
            "Car washes and farms checked",
            "Labour exploitation was found at farms.",
            "labour_exploitation",
        ),
        ("Brothels raided", "Women were forced into prostitution.", "sexual_exploitation"),
        (
            "People smugglers arrested",
            "Small boat crossings were targeted.",
            "organised_immigration_crime",
        ),
        (
            "Trafficking victims freed",
            "Human trafficking networks were targeted.",
            "modern_slavery_general",
        ),
        (
            "Cannabis farm raids",
            "Young Vietnamese men were found tending cannabis farms.",
            "criminal_exploitation",
        ),
        ("", "", None),
    ],
)
def test_theme(title: str, body: str, expected: str | None) -> None:
    assert theme(body, title) == expected


def test_leading_countries() -> None:
    body = "Spain led the operation, which was co-led by Greece. Italy and Malta also took part."
    ents = find_entities(body)
    assert leading_countries(body, ents) == ("Spain", "Greece")
