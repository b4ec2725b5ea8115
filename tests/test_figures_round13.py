"""Rules of round 13 (docs/EXTRACTION.md, "Round 13"). A sentence that opens on its whole ("Of the
99 potential victims, 55 were referred to the NRM") states that whole, whatever verb its part
goes on with, and the whole and its part are never two coordinated parts of an unstated total.
Offence groups of arrests one after another with no total ("18 arrests for drug supply and
four for modern slavery") give no arrests figure. Weapon kinds named together after one number
("four machetes and a knife") are not all counted, so no weapons figure. A suspect's alleged
history ("a gang believed to have exploited more than 100 victims") is no result; the countries
people came from are not the countries involved; a list whose items each open on a different
force gives parts, the first item's too. "A woman of 25" is an age; "child workers" are children. A list of nationalities before a law-enforcement noun ("Thai and
Cambodian authorities, in a joint raid") names the countries whose authorities took part, but
not as partners in an investigation. Several operations as a page's subject with no one week or
day holding them are a round-up; school visits are no premises; a continuing investigation's
"so far" and "currently includes" are background. "No one was detained" counts nobody; people's
own plans ("victims who had been planning to leave") are no prospect of the action; "275
officers from Austria checked 196 locations" is Austria's part; "NI arrests in UK paedophile
inquiry" makes Northern Ireland's part the operation; a sentence opening on an earlier month and
year ("In December 2022 the inquiry identified ...") is background, and so is "This year there
have been ...". A summit's or training course's length, and an awareness week's dates, are no
duration. The page's own country counts with the list of those it "worked with", and countries named after a count of them ("31 countries ..., plus France and
Spain") add to it. Every
sentence is written for this test; the rules are
tested alone (the confidence model is off)."""

from __future__ import annotations

from datetime import date

from tests.figure_rules import Case, rule_cases_test

# (id, title, body, figures that must be present, (scope, metric, value) that must be absent)
CASES: list[Case] = [
    (
        "an opening whole, then its part referred to the NRM",
        "Week of action against trafficking",
        "Officers visited 31 addresses. Of the 99 potential victims, 55 were referred to the "
        "National Referral Mechanism.",
        {
            ("operation", "potential_victims", 99, "exact"),
            ("operation", "nrm_referrals", 55, "exact"),
        },
        set(),
    ),
    (
        "an opening whole of victims, its part referred for support",
        "Labour exploitation raids",
        "Of the 40 victims, 12 were referred to support services.",
        {("operation", "potential_victims", 40, "exact")},
        {("operation", "potential_victims", 12)},
    ),
    (
        "an opening whole of arrests, its part charged",
        "Slavery crackdown",
        "Of the 26 arrests, nine were charged the same day.",
        {("operation", "arrests", 26, "exact")},
        set(),
    ),
    (
        "two offence groups of arrests with no total",
        "County lines week",
        "Officers made 18 arrests for drug supply and four for modern slavery offences.",
        set(),
        {("operation", "arrests", 18), ("operation", "arrests", 22), ("operation", "arrests", 4)},
    ),
    (
        "people arrested for one offence and others for another",
        "Car wash raids",
        "Three men were arrested on suspicion of forced labour offences and two others for "
        "immigration offences.",
        set(),
        {("operation", "arrests", 3), ("operation", "arrests", 5)},
    ),
    (
        "one offence group with a stated total stands",
        "County lines week",
        "Police made 40 arrests for drug offences, and officers seized 12 knives.",
        {("operation", "arrests", 40, "exact"), ("operation", "weapons_seized", 12, "exact")},
        set(),
    ),
    (
        "two weapon kinds after one number",
        "Raids across the city",
        "Officers seized four machetes and a knife during the searches.",
        set(),
        {("operation", "weapons_seized", 4), ("operation", "weapons_seized", 5)},
    ),
    (
        "weapon kinds in one noun phrase without a number for the second",
        "Week of action",
        "Teams recovered seven swords and axes from the flat.",
        set(),
        {("operation", "weapons_seized", 7)},
    ),
    (
        "one weapon kind alone is the weapons figure",
        "Week of action",
        "Teams recovered seven swords from the flat and arrested two men.",
        {("operation", "weapons_seized", 7, "exact"), ("operation", "arrests", 2, "exact")},
        set(),
    ),
    (
        "a woman of 25 is an age",
        "Trafficking raids",
        "The three men, aged 41, 24 and 23, and a woman of 25 were arrested after detectives "
        "raided premises in two towns.",
        set(),
        {("operation", "arrests", 25)},
    ),
    (
        "a man of 41 is an age",
        "Slavery inquiry",
        "Officers arrested 12 people; a man of 41 was later released.",
        {("operation", "arrests", 12, "exact")},
        {("operation", "arrests", 41)},
    ),
    (
        "two nationalities' authorities in a joint raid are the countries involved",
        "Joint raid frees 120",
        "Laotian and Cambodian authorities, in a joint raid, freed 120 people held at a compound.",
        {
            ("operation", "countries_involved", 2, "exact"),
            ("operation", "potential_victims", 120, "exact"),
        },
        set(),
    ),
    (
        "a list of nationalities whose police took part",
        "Smuggling ring taken apart",
        "Mexican, Guatemalan and Honduran police took part in the action, which led to 41 arrests.",
        {("operation", "arrests", 41, "exact")},
        {("operation", "countries_involved", 2)},
    ),
    (
        "partners in the investigation behind the raids are not countries involved",
        "Raids on smuggling network",
        "The raids form part of a wider investigation by Belgian, French and German "
        "authorities; officers took part in searches of 12 homes.",
        set(),
        {("operation", "countries_involved", 3), ("international", "countries_involved", 3)},
    ),
    (
        "nationalities of people arrested are not countries involved",
        "Brothel raids",
        "Officers took part in raids on six brothels and arrested Romanian and Bulgarian "
        "nationals.",
        set(),
        {("operation", "countries_involved", 2), ("international", "countries_involved", 2)},
    ),
    (
        "child workers freed are children, and the only victims",
        "Factory raid",
        "Labour officials freed 31 child workers from a garment unit and arrested its owner.",
        {
            ("operation", "potential_victims", 31, "exact"),
            ("operation", "victims_children", 31, "exact"),
        },
        set(),
    ),
    (
        "underage girls rescued are children",
        "Brothel raid",
        "Police rescued 40 women, among them 9 underage girls.",
        {
            ("operation", "potential_victims", 40, "exact"),
            ("operation", "victims_children", 9, "exact"),
        },
        set(),
    ),
    (
        "a month's twelve separate operations are a round-up",
        "State police release results of trafficking operations",
        "In January alone, agents ran 12 operations against human trafficking. Those "
        "operations ended with 40 victims rescued, seven of them children.",
        set(),
        {("operation", "potential_victims", 40), ("operation", "victims_children", 7)},
    ),
    (
        "suspects arrested in two operations are no one operation's",
        "Europol: 31 suspects arrested in two operations against trafficking networks",
        "In two joint operations this month, police in four countries arrested 31 people.",
        set(),
        {("operation", "arrests", 31)},
    ),
    (
        "two days of operations are one action",
        "Gardaí take part in nationwide action on the sex trade",
        "Gardaí joined two days of operations around the country. Officers executed five "
        "warrants and 52 people were engaged with as potential victims.",
        {("operation", "warrants_executed", 5, "exact")},
        set(),
    ),
    (
        "attempts stopped in operations are not several operations",
        "Police stop 11 smuggling attempts",
        "The task force stopped 11 attempts to smuggle people in operations over ten days, "
        "and 18 people were arrested.",
        {("operation", "arrests", 18, "exact")},
        set(),
    ),
    (
        "school visits are no premises",
        "Week of action",
        "Officers made 81 arrests and 103 school visits to talk to pupils.",
        {("operation", "arrests", 81, "exact")},
        {("operation", "premises_visited", 103)},
    ),
    (
        "a continuing investigation's running totals are background",
        "Officers arrest two men",
        "This morning officers arrested two men. So far the investigation has contacted 70 "
        "victims, and it currently includes six separate inquiries.",
        {("operation", "arrests", 2, "exact")},
        {("operation", "potential_victims", 70), ("operation", "new_investigations", 6)},
    ),
    (
        "no one detained is no arrest of one",
        "Searches across the region",
        "Officers searched 120 premises during the action. No one was detained.",
        {("operation", "premises_visited", 120, "exact")},
        {("operation", "arrests", 1)},
    ),
    (
        "the victims' own plans do not make the rescue a plan",
        "Task force rescues migrant workers",
        "Police rescued 48 victims who had been planning to travel abroad for work.",
        {("operation", "potential_victims", 48, "exact")},
        set(),
    ),
    (
        "officers' plans are still plans",
        "Week of action announced",
        "Officers who will visit 50 premises next week are being briefed.",
        set(),
        {("operation", "premises_visited", 50)},
    ),
    (
        "officers from one country checking places is that country's part",
        "910 victims found in Europe-wide action against trafficking",
        "The action days were co-ordinated by Europol, and 34 countries took part. 275 "
        "officers from Austria were sent out to check 196 locations.",
        {("operation", "countries_involved", 34, "exact")},
        {("operation", "premises_visited", 196)},
    ),
    (
        "a title about one nation's arrests in a UK-wide action makes that nation the operation",
        "Scottish arrests in national crackdown on online abuse",
        "Police have arrested 500 people in a crackdown across the UK, 21 of them in Scotland. "
        "In Scotland officers carried out 30 searches and arrested 21 people.",
        {("operation", "arrests", 21, "exact")},
        {("operation", "arrests", 500)},
    ),
    (
        "an earlier month and year opening a sentence is background",
        "Two more arrested in care agency inquiry",
        "Officers arrested two men on Tuesday. In December 2022 the inquiry identified "
        "nine workers as potential victims of exploitation.",
        {("operation", "arrests", 2, "exact")},
        {("operation", "potential_victims", 9)},
    ),
    (
        "the year's running totals are background",
        "A year of tackling county lines",
        "This year there have been more than 150 arrests, and 135 people have been brought to "
        "safety, 32 of them children.",
        set(),
        {("operation", "arrests", 150), ("operation", "potential_victims", 135)},
    ),
    (
        "a summit's length is no duration",
        "Police raid homes",
        "Officers arrested four people on Tuesday. This week the prosecutors host a three-day "
        "summit on modern slavery.",
        {("operation", "arrests", 4, "exact")},
        {("operation", "duration_days", 3)},
    ),
    (
        "an awareness week's dates are no duration",
        "Police visit hotels",
        "Officers visited 30 hotels. The activity falls in Anti-Slavery Week, which runs from "
        "October 16 to 22.",
        {("operation", "premises_visited", 30, "exact")},
        {("operation", "duration_days", 7)},
    ),
    (
        "the page's own country counts with the countries it worked with",
        "NCA arrests smugglers in UK raids",
        "Working with law enforcement in France, Spain and Italy, the NCA arrested 12 people "
        "in London.",
        {
            ("operation", "arrests", 12, "exact"),
            ("international", "countries_involved", 4, "exact"),
        },
        {("international", "countries_involved", 3)},
    ),
    (
        "countries named after a count of countries, with plus, are more of them",
        "Operation across the Americas",
        "Agencies from 24 countries in the region, with Belize taking part for the first time, "
        "plus Portugal and Italy, made 140 arrests.",
        {("operation", "countries_involved", 26, "exact")},
        {("operation", "countries_involved", 24)},
    ),
    (
        "agencies after a count of countries add no country",
        "Operation across Europe",
        "Officers from 27 countries as well as Europol and Eurojust took part.",
        {("operation", "countries_involved", 27, "exact")},
        set(),
    ),
    (
        "a gang's alleged history is no result",
        "Slavery gang: eight held",
        "Eight people were held during raids on five addresses. The gang is believed to have "
        "exploited more than 100 victims over ten years.",
        {("operation", "arrests", 8, "exact"), ("operation", "premises_visited", 5, "exact")},
        {("operation", "potential_victims", 100)},
    ),
    (
        "a pair alleged to have exploited workers, in number words",
        "Agency raided",
        "Officers searched two addresses linked to the agency; the pair are alleged to have exploited "
        "nine carers.",
        {("operation", "premises_visited", 2, "exact")},
        {("operation", "potential_victims", 9)},
    ),
    (
        "arrests beside an alleged history in the same sentence stand",
        "Smuggling network",
        "Officers arrested five members of a network thought to have smuggled 3,000 people.",
        {("operation", "arrests", 5, "exact")},
        {("operation", "potential_victims", 3000)},
    ),
    (
        "the countries victims came from are not countries involved",
        "Victims freed in raids",
        "Police freed 45 victims, who came from 12 countries, in raids across the city.",
        {("operation", "potential_victims", 45, "exact")},
        {("operation", "countries_involved", 12)},
    ),
    (
        "migrants from many countries are not countries involved",
        "Regional crackdown",
        "Officers from 20 countries took part and detected 900 migrants from 41 countries.",
        {("operation", "countries_involved", 20, "exact")},
        {("operation", "countries_involved", 41)},
    ),
    (
        "a list of per-force results has no total, the first item included",
        "Dozens arrested in national week of action against county lines",
        "Forces across England and Wales took part.\n- Kent Police: 12 arrests\n"
        "- Essex Police: 9 arrests\n- Surrey Police: 4 arrests",
        set(),
        {("operation", "arrests", 12), ("operation", "arrests", 9), ("operation", "arrests", 4)},
    ),
    (
        "a stated total beside per-force items stands",
        "National week of action results",
        "In all, 25 people were arrested.\n- Kent Police: 12 arrests\n- Essex Police made 9 "
        "arrests\n- Surrey Police arrested four people",
        {("operation", "arrests", 25, "exact")},
        {("operation", "arrests", 12)},
    ),
]

test_round13_rules = rule_cases_test(CASES, date(2024, 6, 1))
