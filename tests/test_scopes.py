"""Page profile and sentence scopes (tasks.figures.scopes)."""

from __future__ import annotations

import pytest

from tasks.figures.places import find_entities
from tasks.figures.scopes import (
    CONTEXT,
    FORCE_SCOPE,
    INTERNATIONAL,
    OPERATION,
    is_international_headline,
    is_joint_operation,
    make_profile,
    place_splits,
    sentence_scope,
)


@pytest.mark.parametrize(
    ("title", "lead", "publisher", "expected"),
    [
        ("Europol: 300 arrests in EU-wide action days", "", None, True),
        ("Interpol operation frees 400", "", None, True),
        ("Anything at all", "", "Frontex", True),
        (
            "Eleven NCA arrests in global operation",
            "Eleven people were arrested in the UK.",
            None,
            False,
        ),
        ("UK arrests in Interpol operation", "", "National Crime Agency", False),
        ("Kent Police raids", "", None, False),
        ("Modern slavery week of action", "", None, False),
        # a page about its own part of a wider action
        ("Kent arrests as part of Europe-wide crackdown on smugglers", "", None, False),
        ("Rail police join European action on trafficking", "", None, False),
        (
            "Five held in Europe-wide day of action",
            "Five people were arrested in Leicester as part of the action.",
            None,
            False,
        ),
    ],
)
def test_international_headline(
    title: str, lead: str, publisher: str | None, expected: bool
) -> None:
    from tasks.figures.places import canonical_agency

    assert is_international_headline(title, lead, canonical_agency(publisher)) is expected


UK = make_profile(
    title="UK week of action", lead_sentence="", publisher_agency="NCA", lead="NCA", op_year=2023
)
INTL = make_profile(
    title="Europol action days",
    lead_sentence="",
    publisher_agency="Europol",
    lead="Europol",
    op_year=2023,
)


@pytest.mark.parametrize(
    ("profile", "text", "scope", "subject"),
    [
        (UK, "Officers arrested 40 people.", OPERATION, None),
        (UK, "Across Europe, 300 people were arrested.", INTERNATIONAL, None),
        (UK, "Worldwide, the operation led to 900 arrests.", INTERNATIONAL, None),
        (INTL, "Worldwide, the operation led to 900 arrests.", OPERATION, None),
        (UK, "In the year ending March 2022, 12,000 referrals were made.", CONTEXT, None),
        (UK, "In 2021, 4,100 children were referred.", CONTEXT, None),
        (UK, "Since its launch, the unit has made 800 arrests.", CONTEXT, None),
        (UK, "That equates to one arrest per force.", None, None),
        (UK, "What about the other 12?", None, None),
        (UK, "In a separate operation, 9 men were held.", None, None),
        (UK, "Police Scotland arrested seven people.", FORCE_SCOPE, "Police Scotland"),
        (UK, "At Dover, four people were held.", FORCE_SCOPE, "Dover"),
        (INTL, "In Spain, officers arrested 11 people.", FORCE_SCOPE, "Spain"),
        (INTL, "Italian police arrested 11 people.", FORCE_SCOPE, "Italy"),
        (INTL, "Police in Spain, Italy and Greece arrested 30 people.", OPERATION, None),
        (INTL, "In November, 30 people were arrested.", OPERATION, None),
        (UK, "Since it was set up in 2017, the unit has made 900 arrests.", CONTEXT, None),
        (UK, "Since Operation Ember began, 4 200 people have been arrested.", CONTEXT, None),
        (UK, "The NCA is currently leading 70 investigations.", CONTEXT, None),
        (UK, "Officers arrested 52 people, up from 40 last year.", OPERATION, None),
        (UK, "Compared with last year, 52 people were arrested.", CONTEXT, None),
        (UK, "North West: 54 arrests", FORCE_SCOPE, "North West"),
        (UK, "Kent Police: 12 arrests", FORCE_SCOPE, "Kent Police"),
        (UK, "Total: 540 arrests", OPERATION, None),
        (UK, "Addresses Visited: 310", OPERATION, None),
        (INTL, "Spain: 45 arrests", FORCE_SCOPE, "Spain"),
        (INTL, "MADRID, Spain - Police in 9 countries arrested 80 people.", OPERATION, None),
        (UK, "Five men were arrested in Kent during the Europe-wide action.", OPERATION, None),
        # the page's own lead as the subject before the wider action's mention
        (UK, "The NCA arrested 9 people as part of a Europe-wide crackdown.", OPERATION, None),
        (UK, "Europol said 300 people were arrested and the NCA arrested 9.", INTERNATIONAL, None),
    ],
)
def test_sentence_scope(profile: object, text: str, scope: str | None, subject: str | None) -> None:
    first = next((i for i, c in enumerate(text) if c.isdigit()), len(text))
    for word in ("seven", "four"):
        if word in text:
            first = text.index(word)
    sc = sentence_scope(text, profile, first_count=first, entities=find_entities(text))  # type: ignore[arg-type]
    assert (sc.scope, sc.subject) == (scope, subject)


@pytest.mark.parametrize(
    ("text", "number", "tail"),
    [
        ("Officers safeguarded 211 people, up from 158 a year earlier.", "211", ", up from 158"),
        ("The week saw 42 arrests, taking the total to 900.", "42", ", taking the total"),
        ("Police made 47 arrests compared with 31 last time.", "47", "compared with 31"),
    ],
)
def test_background_after_the_result(text: str, number: str, tail: str) -> None:
    """A comparison or running total after the sentence's own result: only the numbers after
    the break are background."""
    first = text.index(number)
    sc = sentence_scope(text, UK, first_count=first, entities=find_entities(text))  # type: ignore[arg-type]
    assert sc.scope == OPERATION
    assert sc.context_from is not None and text[sc.context_from :].startswith(tail)


def test_place_splits_need_two_places() -> None:
    text = "Arrests totalled 9, five in Belgium and four in Austria."
    positions = [
        (text.index("9"), text.index("9") + 1),
        (text.index("five"), text.index("five") + 4),
        (text.index("four"), text.index("four") + 4),
    ]
    assert place_splits(text, positions, INTL) == {1: "Belgium", 2: "Austria"}
    single = "Officers arrested 9 people in London."
    assert place_splits(single, [(18, 19)], UK) == {}


@pytest.mark.parametrize(
    ("title", "body", "joint"),
    [
        (
            "Gang dismantled in joint UK and French operation",
            "A joint operation between the UK and France led to 8 arrests.",
            True,
        ),
        (
            "NCA smuggling arrests",
            "A joint investigation with Belgian police led to 4 arrests.",
            True,
        ),
        (
            "NCA arrests in Europe-wide action day",
            "The joint investigation formed part of a Europe-wide action day.",
            False,
        ),
        (
            "UK arrests in joint action",
            "A joint operation across 20 participating countries saw 300 arrests.",
            False,
        ),
        (
            # a country's page on its part of an action of 43 countries, called "joint"
            "Estonian police take part in large-scale anti-trafficking operation",
            "It brought in officers from 43 countries. It was a carefully prepared joint operation.",
            False,
        ),
        (
            "Four countries in joint operation against smugglers",
            "A joint operation of police from four countries dismantled the network.",
            True,
        ),
        ("County lines week of action", "Officers arrested 40 people.", False),
    ],
)
def test_joint_operation(title: str, body: str, joint: bool) -> None:
    """A joint operation of a few countries, with no wider action on the page, is the page's
    operation: its countries are not a wider action's."""
    assert is_joint_operation(title, body) is joint
