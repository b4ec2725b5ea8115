"""Rules written in round 15 (docs/EXTRACTION.md, "Round 15"), before its pages existed. On a page
about one country's part of a multi-country action, a sentence that places the action in many
countries ("checked at the same time in 27 European countries") is about the whole, and the
sentences after it go on with the whole; a few of the whole's countries named back ("across those
three countries") are a part. "Over the first half of the year" is a reporting period, and a
sentence that goes on from it with a pronoun ("They have recorded 31 victims") is background too.
A weekday with a comma ("from Tuesday, 6 June, until Tuesday, 13 June") still dates a range.
A national site's page (its address on a country's own domain) whose title names neither a
country nor the wider action reports that country's part when its body gives the country
results of its own.
Every sentence is written for this test; the rules are tested alone (the confidence model is
off)."""

from __future__ import annotations

from datetime import date

import pytest

from tasks.figures import extract_figures
from tasks.figures.places import publisher_country
from tests.figure_rules import Case, assert_figures, figure_set, rule_cases_test, rules_only

# (id, title, body, figures that must be present, (scope, metric, value) that must be absent)
CASES: list[Case] = [
    (
        "a country's part, then the whole placed in many countries",
        "Latvian police took part in checks on labour exploitation",
        "Riga, 3 July - In June Latvia joined international action days against human "
        "trafficking. Officers in Latvia checked 14 businesses and 90 people. The checks were "
        "carried out at the same time in 27 European countries. Overall, 312 possible victims "
        "were identified and 19 people were arrested.",
        {
            ("operation", "premises_visited", 14, "exact"),
            ("international", "arrests", 19, "exact"),
            ("international", "potential_victims", 312, "exact"),
        },
        {("operation", "arrests", 19), ("operation", "potential_victims", 312)},
    ),
    (
        "officers from many member states are the whole's",
        "Lithuanian officers joined checks on migrant smuggling",
        "In October Lithuania joined the action days. Lithuanian officers checked eight "
        "lorries. Police from 22 member states took part. Across the action, 140 smugglers "
        "were detained.",
        {("international", "arrests", 140, "exact")},
        {("operation", "arrests", 140)},
    ),
    (
        "a few of the whole's countries named back are a part",
        "UK week of action finds 80 potential victims",
        "During the week, officers across the UK identified 80 potential victims. Similar "
        "action was also taken in 18 European countries, among them Italy, Greece and Poland. "
        "Across those three countries more than 60 victims were identified in total.",
        {("operation", "potential_victims", 80, "exact")},
        {("international", "potential_victims", 60), ("operation", "potential_victims", 60)},
    ),
    (
        "a half year's cases, and the victims they go on to count",
        "Police check 40 farms for forced labour",
        "Officers checked 40 farms during a day of action on Tuesday. Prosecutors opened nine "
        "trafficking cases over the first half of the year. They have recorded 31 victims.",
        {
            ("operation", "premises_visited", 40, "exact"),
            ("operation", "duration_days", 1, "exact"),
        },
        {("operation", "potential_victims", 31)},
    ),
    (
        "a pronoun after an operation sentence is still the operation's",
        "Police check 12 farms for forced labour",
        "Officers checked 12 farms during a day of action. They identified seven potential "
        "victims.",
        {("operation", "potential_victims", 7, "exact")},
        set(),
    ),
    (
        "weekdays with commas date a range",
        "Week of action against county lines",
        "The week of action ran from Tuesday, 6 June, until Tuesday, 13 June 2023, and officers "
        "made 21 arrests.",
        {("operation", "duration_days", 8, "exact"), ("operation", "arrests", 21, "exact")},
        {("operation", "duration_days", 7)},
    ),
    (
        "a month-first range with weekdays and commas beats the week",
        "County lines crackdown",
        "The arrests came during the week-long crackdown, between Wednesday, March 1 and "
        "Wednesday, March 8, 2023.",
        {("operation", "duration_days", 8, "exact")},
        {("operation", "duration_days", 7)},
    ),
    (
        "a weekday that is not its date's leaves no length",
        "County lines crackdown",
        "The crackdown ran from Monday, 6 June, until Tuesday, 13 June 2023.",
        set(),
        {("operation", "duration_days", 8), ("operation", "duration_days", 7)},
    ),
]

test_round15_rules = rule_cases_test(CASES, date(2023, 7, 3))

# Written after reading round 15's development pages (before round 16's existed).
CASES_AFTER: list[Case] = [
    (
        "criminals' operations broken up are no round-up of police operations",
        "Police smash nearly 20 county lines drug operations and safeguard 60 people",
        "Officers made 85 arrests and safeguarded 60 vulnerable people.",
        {
            ("operation", "arrests", 85, "exact"),
            ("operation", "potential_victims", 60, "exact"),
        },
        set(),
    ),
    (
        "police operations as the page's subject are still a round-up",
        "Police ran 12 operations against trafficking",
        "Across the operations officers made 40 arrests.",
        set(),
        {("operation", "arrests", 40)},
    ),
    (
        "a participle before visits is an adjective",
        "Crackdown on illegal working",
        "Immigration officers made 120 targeted visits and arrested 60 people.",
        {
            ("operation", "premises_visited", 120, "exact"),
            ("operation", "arrests", 60, "exact"),
        },
        set(),
    ),
    (
        "a participle before people is still their verb",
        "Raids on farms",
        "Most of the 40 rescued workers came from Romania.",
        {("operation", "potential_victims", 40, "exact")},
        set(),
    ),
    (
        "a caseload at present, named back with 'the'",
        "Agency investigating smuggling gangs",
        "The agency says it is running around 45 investigations at present into smuggling "
        "gangs. It would not say how many of the 45 investigations involve children.",
        set(),
        {("operation", "new_investigations", 45)},
    ),
    (
        "a count at the end of a year",
        "Police raid car washes",
        "Officers visited 12 car washes on Tuesday. At the end of 2020, 38 potential victims "
        "had been referred to the National Referral Mechanism.",
        {("operation", "premises_visited", 12, "exact")},
        {("operation", "nrm_referrals", 38), ("operation", "potential_victims", 38)},
    ),
    (
        "a UK nation's adjective in the title makes the nation home",
        "Welsh arrests in national county lines week",
        "Police made 900 arrests across the UK, 30 of them in Wales. In Wales officers executed "
        "14 warrants and arrested 30 people.",
        {("operation", "arrests", 30, "exact"), ("operation", "warrants_executed", 14, "exact")},
        {("operation", "arrests", 900)},
    ),
    (
        "drugs with an estimated worth are no cash",
        "County lines crackdown",
        "Heroin with an estimated worth of £2.1million was seized and 14 people were arrested.",
        {("operation", "arrests", 14, "exact")},
        {("operation", "cash_seized_gbp", 2100000)},
    ),
    (
        "a borough opening a sentence without a comma is a part",
        "Met week of action: 300 arrests",
        "Met officers made 300 arrests during the week of action. In Lambeth officers executed "
        "12 warrants.",
        {("operation", "arrests", 300, "exact")},
        {("operation", "warrants_executed", 12)},
    ),
]

test_round15_rules_after = rule_cases_test(CASES_AFTER, date(2023, 7, 3))

# Written after reading round 16's development pages.
CASES_ROUND16: list[Case] = [
    (
        "vulnerable people visited are safeguarding visits",
        "County lines week of action",
        "The week of action brought 31 arrests, £6,000 in cash seized and 55 vulnerable people "
        "visited.",
        {
            ("operation", "arrests", 31, "exact"),
            ("operation", "potential_victims", 55, "exact"),
        },
        set(),
    ),
    (
        "people visited with no word of vulnerability are nobody's victims",
        "Checks on farms",
        "Inspectors visited 40 people at their lodgings.",
        set(),
        {("operation", "potential_victims", 40)},
    ),
]

test_round16_rules = rule_cases_test(CASES_ROUND16, date(2024, 3, 12))


# A Slovenian paper's page: its own country's part of action days, and the whole's totals.
NATIONAL_TITLE = "Police are investigating nine trafficking cases"
NATIONAL_BODY = (
    "LJUBLJANA - Between 5 and 9 May, Europol co-ordinated joint action days against human "
    "trafficking across Europe. In Slovenia, officers inspected 37 farms and building sites. "
    "The action days ran in 28 countries. They led to 880 potential victims being identified "
    "and 104 suspects being arrested."
)


@pytest.mark.parametrize(
    ("url", "present", "absent"),
    [
        (
            "https://www.novice-example.si/crna-kronika/akcija",
            {
                ("operation", "premises_visited", 37, "exact"),
                ("international", "arrests", 104, "exact"),
                ("international", "potential_victims", 880, "exact"),
            },
            {("operation", "arrests", 104), ("operation", "potential_victims", 880)},
        ),
        # the same page on a site of no country: nothing says whose part it is
        (
            "https://www.news-example.com/crime/action",
            {("operation", "arrests", 104, "exact")},
            set(),
        ),
    ],
    ids=["on the country's own domain", "on a generic domain"],
)
def test_a_national_site_reports_its_country_part(
    url: str,
    present: set[tuple[str, str, int | float, str]],
    absent: set[tuple[str, str, int | float]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rules_only(monkeypatch)
    got = figure_set(
        extract_figures(NATIONAL_BODY, NATIONAL_TITLE, url=url, published=date(2025, 5, 20))
    )
    assert_figures(got, present, absent)


def test_a_title_on_the_wider_action_keeps_the_whole_as_the_operation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rules_only(monkeypatch)
    got = figure_set(
        extract_figures(
            NATIONAL_BODY,
            "Europol action days: 104 arrested across Europe",
            url="https://www.novice-example.si/crna-kronika/akcija",
            published=date(2025, 5, 20),
        )
    )
    assert_figures(got, {("operation", "arrests", 104, "exact")}, set())


def test_a_title_count_the_body_gives_only_as_the_whole_keeps_the_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Written after reading round 17's development pages: a national site's headline on the
    whole action's count ("Europol reports 11 arrests, six of them in Germany") is about the
    whole, so the country's own searches are a part."""
    rules_only(monkeypatch)
    got = figure_set(
        extract_figures(
            "Federal police officers searched homes and garages on Wednesday in a co-ordinated "
            "action against a smuggling gang. Europol reports 11 arrests, six of them in "
            "Germany. In Germany, 12 flats were searched.",
            "Smuggling gang hit by raids: 11 arrests",
            url="https://www.zeitung-example.de/region/razzia",
            published=date(2024, 12, 5),
        )
    )
    assert_figures(
        got, {("operation", "arrests", 11, "exact")}, {("operation", "premises_visited", 12)}
    )


@pytest.mark.parametrize(
    ("url", "country"),
    [
        ("https://www.topky-example.sk/a/1", "Slovakia"),
        ("https://news.example.com.au/story", "Australia"),
        ("http://WWW.EXAMPLE.PT./x", "Portugal"),
        ("https://www.example.co.uk/news", None),
        ("https://example.co/news", None),
        ("https://example.me/news", None),
        ("not a url", None),
        (None, None),
    ],
)
def test_publisher_country(url: str | None, country: str | None) -> None:
    assert publisher_country(url) == country
