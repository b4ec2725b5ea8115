"""Rules of round 9 (docs/EXTRACTION.md, "Round 9"). Police forces outside the UK are counted
as police services, police agencies or law enforcement agencies; bare "agencies" on a UK page
are partner agencies, which are not forces. A page that announces its action (its title or lead
looks ahead) and states no result gives no duration: the length is the plan's. A page whose title
names one country (or, when it names none, whose lead places the action in one), about a
multi-country action, and which gives that country results of its own, reports that country's
part: the whole's totals are international. Every sentence is written for this test; the rules
are tested alone (the confidence model is off)."""

from __future__ import annotations

from datetime import date

from tests.figure_rules import Case, rule_cases_test

# (id, title, body, figures that must be present, (scope, metric, value) that must be absent)
CASES: list[Case] = [
    (
        "police services are forces",
        "Province-wide sting leads to 41 arrests",
        "Officers from 31 police services across the province took part in the operation, "
        "which led to 41 arrests.",
        {("operation", "forces_involved", 31, "exact"), ("operation", "arrests", 41, "exact")},
        set(),
    ),
    (
        "police agencies with an adjective before them are forces",
        "Human trafficking operation: 19 charged",
        "The week-long operation drew on 26 Canadian police agencies and 19 people were charged.",
        {("operation", "forces_involved", 26, "exact"), ("operation", "charged", 19, "exact")},
        set(),
    ),
    (
        "law enforcement agencies are forces",
        "Task force arrests 58 during sporting event",
        "In all, 44 law enforcement agencies worked on the operation, and 58 people were arrested.",
        {("operation", "forces_involved", 44, "exact"), ("operation", "arrests", 58, "exact")},
        set(),
    ),
    (
        "partner agencies on a UK page are not forces",
        "Week of action sees 14 arrests in the county",
        "Officers worked with 12 partner agencies during the week of action and made 14 arrests.",
        {("operation", "arrests", 14, "exact")},
        {("operation", "forces_involved", 12)},
    ),
    (
        "a page announcing its week gives no length",
        "Week of action on exploitation starts in the county",
        "Officers in the county are taking part in a national week of action on exploitation.\n\n"
        "Patrols will visit hotels and car washes throughout the week.",
        set(),
        {("operation", "duration_days", 7)},
    ),
    (
        "an action announced to begin on a date gives no length",
        "Month-long drive to trace missing children",
        "The drive will be carried out across the state from 1 to 31 July.",
        set(),
        {("operation", "duration_days", 31)},
    ),
    (
        "a page reporting its week gives its length even with no counts",
        "Week of action results",
        "Last week officers took part in a week of action on modern slavery.\n\n"
        "Nobody was found to be at risk, but the premises will still be watched.",
        {("operation", "duration_days", 7, "exact")},
        set(),
    ),
    (
        "a page announcing a week with results already in gives them and its length",
        "Police are taking part in a week of action",
        "Police are taking part in a week of action, and have already arrested 12 people.",
        {("operation", "duration_days", 7, "exact"), ("operation", "arrests", 12, "exact")},
        set(),
    ),
    (
        "a country's own operations inside a worldwide action: its part, the whole international",
        "These were Portugal's operations within the worldwide action on trafficking",
        "The worldwide action, co-ordinated by INTERPOL, was carried out in 88 countries and "
        "ended with 2,150 people detained.\n\n"
        "Portugal's judicial police carried out four operations in the north of the country. "
        "These actions led to the capture of 11 people.",
        {
            ("operation", "arrests", 11, "exact"),
            ("international", "arrests", 2150, "exact"),
            ("international", "countries_involved", 88, "exact"),
        },
        {("operation", "arrests", 2150), ("operation", "countries_involved", 88)},
    ),
    (
        "victims of one nationality in the title, rescued in their own country",
        "32 Kenyan victims rescued in INTERPOL operation across East Africa",
        "Security agencies in Kenya have rescued 32 victims of human trafficking during an "
        "INTERPOL operation.\n\n"
        "The wider regional effort produced 140 arrests.",
        {
            ("operation", "potential_victims", 32, "exact"),
            ("international", "arrests", 140, "exact"),
        },
        {("operation", "arrests", 140)},
    ),
    (
        "the passage on the whole goes on after a sentence that ends on it",
        "Kent Police make 12 arrests in Europe-wide week",
        "Kent Police arrested 12 people during the week.\n\n"
        "The work of Kent Police was part of a Europe-wide action which ended with 700 "
        "arrests.\n\n"
        "More than 1,100 possible victims were also identified.",
        {
            ("operation", "arrests", 12, "exact"),
            ("international", "arrests", 700, "exact"),
            ("international", "potential_victims", 1100, "more_than"),
        },
        {("operation", "potential_victims", 1100)},
    ),
    (
        "the first count of a per-place list has its clause before the place",
        "Regional week of action on county lines",
        "Officers visited 64 addresses during the week.\n\n"
        "A total of 30 people were taken into custody by officers in Leeds, 12 in Bradford and "
        "nine in Wakefield.",
        {("operation", "premises_visited", 64, "exact")},
        {("operation", "arrests", 30)},
    ),
    (
        "on another country's page, the UK named among the whole's parts is no local side",
        "Australian children removed from harm in AFP's global operation",
        "Police removed 40 children from harm across Australia during the operation.\n\n"
        "Worldwide, the operation saw more than 150 children removed from harm, among them 79 "
        "in the UK and 12 in Canada.",
        {
            ("operation", "victims_children", 40, "exact"),
            ("international", "victims_children", 150, "more_than"),
        },
        {("operation", "victims_children", 150)},
    ),
    (
        "a relative clause on the subject is not the clause's verb",
        "Sting nets dozens",
        "More than 45 pimps and people who helped them were arrested by the authorities.",
        {("operation", "arrests", 45, "more_than")},
        set(),
    ),
    (
        "the clause's own verb after a relative clause with an auxiliary",
        "Sites shut down",
        "Twelve men who ran the sites have been charged.",
        {("operation", "charged", 12, "exact")},
        set(),
    ),
    (
        "a national page of another country: its own country is no part",
        "Police rescue 40 victims in coastal region",
        "Chile's investigations police rescued 40 victims of trafficking in the Valparaiso "
        "region.\n\n"
        "In Chile, 12 suspects were arrested during the operation.",
        {("operation", "potential_victims", 40, "exact"), ("operation", "arrests", 12, "exact")},
        set(),
    ),
    (
        "a part that turned out to be children",
        "Raid frees 80",
        "Agents rescued 80 people from the compound. Of those rescued, 19 turned out to be minors.",
        {
            ("operation", "potential_victims", 80, "exact"),
            ("operation", "victims_children", 19, "exact"),
        },
        set(),
    ),
    (
        "a part later found to be children",
        "Raid frees 80",
        "Agents rescued 80 people from the compound. Of those rescued, 19 were later found to "
        "be children.",
        {("operation", "victims_children", 19, "exact")},
        set(),
    ),
    (
        "children listed with men and women are one group of several: no total",
        "Blitz on trafficking rings",
        "Among those rescued were 31 men, 12 women and 9 children from four countries.",
        {("operation", "victims_children", 9, "exact")},
        {("operation", "potential_victims", 9)},
    ),
    (
        "children beside a count of men charged are still every victim",
        "Abuse network dismantled",
        "Police charged 64 men with 900 offences and removed 27 children from harm.",
        {
            ("operation", "potential_victims", 27, "exact"),
            ("operation", "victims_children", 27, "exact"),
        },
        set(),
    ),
    (
        "counts in a clause that looks ahead are plans, not results",
        "Officers to visit hotels this week",
        "Around 120 hotels are due to be visited, and officers will check 40 more premises "
        "next month.",
        set(),
        {("operation", "premises_visited", 120), ("operation", "premises_visited", 40)},
    ),
    (
        "a result beside a clause that looks ahead is a result",
        "Patrols go on after arrests",
        "The operation, which will run until Sunday, has so far led to 17 arrests, and officers "
        "will continue their patrols.",
        {("operation", "arrests", 17, "exact")},
        set(),
    ),
    (
        "a national page whose police took part in a multi-country week: the count of "
        "countries is the whole's",
        "Dozens of sites checked in anti-trafficking week",
        "In May the police took part in a 38-country joint action week against trafficking.\n\n"
        "Altogether, inspections were made at 64 sites.",
        {
            ("operation", "premises_visited", 64, "exact"),
            ("international", "countries_involved", 38, "exact"),
        },
        {("operation", "countries_involved", 38)},
    ),
    (
        "premises closed across the country in a week run in many countries",
        "In one week, 20 venues shut down",
        "In the space of a week, more than 20 venues were closed across the country, police said."
        "\n\nNine people were arrested for trafficking.\n\n"
        "The action was run at the same time in 41 countries around the world.",
        {
            ("operation", "arrests", 9, "exact"),
            ("international", "countries_involved", 41, "exact"),
        },
        {("operation", "countries_involved", 41)},
    ),
    (
        "a lead naming two countries as the action's places gives no side",
        "INTERPOL operation frees hundreds",
        "In May an INTERPOL operation freed 210 people trafficked into forced labour in Togo "
        "and Ghana.\n\n"
        "Across both countries, the operation led to 37 arrests.",
        {("operation", "potential_victims", 210, "exact"), ("operation", "arrests", 37, "exact")},
        {("international", "arrests", 37)},
    ),
    (
        "a photo caption before the lead is not the lead",
        "California operation ends with more than 400 arrests",
        "The county sheriff at a press conference (file photo).\n\n"
        "Officials gave the results of a statewide crackdown, which ended with 433 arrests.\n\n"
        "Besides them, 52 suspected traffickers were arrested.",
        {("operation", "arrests", 433, "exact")},
        {("operation", "arrests", 52)},
    ),
    (
        "people recovered are rescued",
        "Sting recovers children",
        "The sweep also recovered four children and 37 adults, all of them victims of sex "
        "trafficking.",
        {
            ("operation", "victims_children", 4, "exact"),
            ("operation", "victims_adults", 37, "exact"),
        },
        set(),
    ),
    (
        "a seizure verb later in the clause rescues nobody",
        "Results",
        "Police interviewed 280 people and removed 9 people from exploitative situations.",
        {("operation", "potential_victims", 9, "exact")},
        {("operation", "potential_victims", 280)},
    ),
    (
        "arrests given in groups with no total give no arrests figure",
        "Day of action on exploitation",
        "The force detained one person for trafficking offences and arrested three others for "
        "immigration offences, while Border officers arrested a further 9.",
        set(),
        {("operation", "arrests", 1), ("operation", "arrests", 9)},
    ),
    (
        "a further group after a stated total leaves the total",
        "Day of action on exploitation",
        "In total 17 people were arrested. Police arrested 13 in Leeds and a further four were "
        "arrested in York.",
        {("operation", "arrests", 17, "exact")},
        set(),
    ),
    (
        "one of a group is no count",
        "Nail bar visits",
        "The worker was one of several victims identified during the visits.",
        set(),
        {("operation", "potential_victims", 1)},
    ),
    (
        "weapons of several kinds in different numbers give no weapons figure",
        "Week of action results",
        "Officers also seized a machete, three knives, a baton and six airsoft weapons.",
        set(),
        {("operation", "weapons_seized", 6)},
    ),
    (
        "people found to be living at the addresses are no victims",
        "Day of action at ten addresses",
        "Officers visited ten addresses, and 14 children were also found to be living there.",
        set(),
        {("operation", "victims_children", 14), ("operation", "potential_victims", 14)},
    ),
    (
        "people found to be in exploitative situations are",
        "Europe-wide action",
        "During the action 41 minors were found to be in exploitative situations.",
        {("operation", "victims_children", 41, "exact")},
        set(),
    ),
    (
        "people facing charges have been charged",
        "Investigation ends",
        "Police say 26 people face 81 charges after the investigation.",
        {("operation", "charged", 26, "exact")},
        {("operation", "charged", 81)},
    ),
    (
        "suspects facing named charges have been charged",
        "Raid on bars",
        "Four of the suspects face human trafficking charges, police said.",
        {("operation", "charged", 4, "exact")},
        set(),
    ),
    (
        "facing something other than charges is no charge",
        "Raid on a farm",
        "Twelve workers face deportation after the raid.",
        set(),
        {("operation", "charged", 12)},
    ),
    (
        "people arrested and charged in one predicate are both",
        "Project results",
        "As a result of the project, eight accused were arrested and charged with soliciting.",
        {("operation", "arrests", 8, "exact"), ("operation", "charged", 8, "exact")},
        set(),
    ),
    (
        "arrested, and some of them charged, are two counts",
        "Project results",
        "Eleven people were arrested and four were charged.",
        {("operation", "arrests", 11, "exact"), ("operation", "charged", 4, "exact")},
        {("operation", "charged", 11)},
    ),
    (
        "small states and territories in a list of participants are countries",
        "INTERPOL operation against trafficking in the Caribbean",
        "The operation was supported by the regional task force on trafficking in persons. "
        "Antigua and Barbuda, Aruba, Barbados, Belize, Curacao, Saint Lucia, Trinidad and "
        "Tobago and Turks and Caicos Islands took part in the police operation.",
        {("operation", "countries_involved", 8, "exact")},
        set(),
    ),
    (
        "arrests joined with citations state no number of arrests",
        "Sting at sporting event",
        "The sting led to at least 25 arrests or citations.",
        set(),
        {("operation", "arrests", 25)},
    ),
    (
        "people made safe, working against their will: 'will' is no plan",
        "Operation results",
        "Police also made sure of the safety of 23 people who had been working in the sex "
        "trade against their will.",
        {("operation", "potential_victims", 23, "exact")},
        set(),
    ),
    (
        "a count of member states and named countries after it are added",
        "Europol labour action days",
        "In April, 19 EU member states, Iceland and Norway took part in the action days.",
        {("operation", "countries_involved", 21, "exact")},
        {("operation", "countries_involved", 19)},
    ),
    (
        "countries named as examples of the counted ones are not added",
        "Europol labour action days",
        "Officers from 17 countries, Spain and Italy among them, took part in the action days.",
        {("operation", "countries_involved", 17, "exact")},
        {("operation", "countries_involved", 19)},
    ),
    (
        "people picked up are arrested; migrants picked up are not",
        "Police rescue children from lake",
        "Three people suspected of trafficking the children were also picked up. Officers "
        "said 28 migrants were picked up by the coastguard.",
        {("operation", "arrests", 3, "exact")},
        {("operation", "arrests", 28)},
    ),
    (
        "people freed are rescued",
        "Farm raid",
        "Officers freed 38 workers from a farm in the valley.",
        {("operation", "potential_victims", 38, "exact")},
        set(),
    ),
    (
        "countries named later in the clause, not right after the count, are not added",
        "INTERPOL operation",
        "INTERPOL identified 2,400 victims in 98 countries, with the cases of Chile and Peru "
        "singled out.",
        {("operation", "countries_involved", 98, "exact")},
        {("operation", "countries_involved", 100)},
    ),
    (
        "a country that only joined: the whole is the operation",
        "Latvia joins INTERPOL operation against trafficking",
        "Latvia and 30 other countries have joined an operation co-ordinated by INTERPOL.\n\n"
        "The operation led to 420 arrests.",
        {("operation", "arrests", 420, "exact")},
        {("international", "arrests", 420)},
    ),
    (
        "a country named among the whole's participants: the whole is the operation",
        "Europe-wide action against exploitation, Poland among the countries",
        "Around 90 suspects were detained in an action by 20 countries, Poland among them, "
        "Europol said.",
        {("operation", "arrests", 90, "approx")},
        {("international", "arrests", 90)},
    ),
    (
        "bare agencies are not forces",
        "Crackdown on labour exploitation",
        "Inspectors from 9 agencies visited 40 farms during the three-day operation.",
        {("operation", "premises_visited", 40, "exact")},
        {("operation", "forces_involved", 9)},
    ),
]


test_round9_rules = rule_cases_test(CASES, date(2023, 10, 1))
