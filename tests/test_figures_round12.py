"""Rules of round 12 (docs/EXTRACTION.md, "Round 12"). "States" count countries only as member,
EU, European or partner states ("inspections in 15 states" are a federation's states); a verb or
action noun in quotation marks reads as it would without them (had "safeguarded" 1,434 people, the
"safeguarding" of 431 children). A sentence's own opener ("Of those arrested, ...") names the
whole its part belongs to before the sentence before's metric does, and a part of the arrests
who "were suspected victims" counts victims. People for whom safeguarding measures or plans were
put in place are victims. Premises "swooped on", "descended on" or officers were "sent to" are
visited; "X was among 27 brothels raided" states the whole, not a part; "visited 904 of these
homes" counts the premises visited. "Of these, eight were children" is a part of the count before
it. "Yesterday's national day of action" is one day (tests/test_durations.py). Every sentence is
written for this test; the rules are tested alone (the confidence model is off)."""

from __future__ import annotations

from datetime import date

from tests.figure_rules import Case, rule_cases_test

# (id, title, body, figures that must be present, (scope, metric, value) that must be absent)
CASES: list[Case] = [
    (
        "a federation's states are no countries",
        "Task force rescues workers",
        "Labour inspectors made 90 inspections in 11 states and rescued 204 workers.",
        {("operation", "potential_victims", 204, "exact")},
        {("operation", "countries_involved", 11), ("international", "countries_involved", 11)},
    ),
    (
        "federal states are no countries",
        "Raids on smuggling ring",
        "Police searched premises in seven federal states and detained 14 people.",
        {("operation", "arrests", 14, "exact")},
        {("operation", "countries_involved", 7), ("international", "countries_involved", 7)},
    ),
    (
        "member states are countries",
        "Europol action days",
        "Officers from 19 member states took part in the action days, which led to 88 arrests.",
        {("operation", "countries_involved", 19, "exact"), ("operation", "arrests", 88, "exact")},
        set(),
    ),
    (
        "a quoted verb",
        "Week of action",
        'Police said they had "safeguarded" 212 people during the week.',
        {("operation", "potential_victims", 212, "exact")},
        set(),
    ),
    (
        "a quoted action noun",
        "Child abuse crackdown",
        "The operation led to the ‘safeguarding’ of 96 children.",
        {
            ("operation", "potential_victims", 96, "exact"),
            ("operation", "victims_children", 96, "exact"),
        },
        set(),
    ),
    (
        "arrested people who were suspected victims",
        "Cannabis farm crackdown",
        "Officers searched 140 properties and seized £90,000 in cash. Of those arrested, 23 were "
        "suspected victims of modern slavery.",
        {("operation", "potential_victims", 23, "exact")},
        set(),
    ),
    (
        "the opener before the sentence before",
        "Massage parlours visited",
        "Officers visited 14 premises and seized £3,000. Of those people they spoke to, 6 were "
        "identified as potential victims.",
        {("operation", "potential_victims", 6, "exact")},
        set(),
    ),
    (
        "safeguarding measures put in place for people",
        "County lines week",
        "The week saw safeguarding measures put in place for 48 vulnerable people and 91 arrests.",
        {("operation", "potential_victims", 48, "exact"), ("operation", "arrests", 91, "exact")},
        set(),
    ),
    (
        "premises swooped on",
        "Nail bars targeted",
        "Officers swooped on 14 nail bars across the city and arrested five people.",
        {("operation", "premises_visited", 14, "exact"), ("operation", "arrests", 5, "exact")},
        set(),
    ),
    (
        "officers sent to premises",
        "Day of action",
        "Some 40 officers were sent to 23 premises in the district.",
        {("operation", "premises_visited", 23, "exact")},
        set(),
    ),
    (
        "was among the whole",
        "Brothels raided",
        "A flat in the town centre was among 31 brothels raided across the region.",
        {("operation", "premises_visited", 31, "exact")},
        set(),
    ),
    (
        "premises visited out of a whole the page does not count",
        "County lines week",
        "During the week officers visited 312 of these cuckooed homes.",
        {("operation", "premises_visited", 312, "exact")},
        set(),
    ),
    (
        "of these with a comma",
        "Week of action",
        "Officers safeguarded 61 vulnerable people. Of these, nine were children.",
        {
            ("operation", "potential_victims", 61, "exact"),
            ("operation", "victims_children", 9, "exact"),
        },
        set(),
    ),
    (
        "among them still names a part",
        "Workers freed",
        "Police rescued 40 people, among them 12 children.",
        {
            ("operation", "potential_victims", 40, "exact"),
            ("operation", "victims_children", 12, "exact"),
        },
        set(),
    ),
]


test_round12_rules = rule_cases_test(CASES, date(2024, 5, 1))
