"""Rules of round 11 (docs/EXTRACTION.md, "Round 11"). People "held in slavery", "held
captive" or "held against their will" are kept as victims, not detained; "set free" frees
victims; a relative clause on the subject may run to a dozen words before the clause's own verb;
the lead sentence reports the whole, with or without a summary word. A national page's side is
the country whose police act ("Ghanaian police freed 12 women from Togo"), the others named being
where people came from. A title count given only as background leaves the page an operation
when its lead reports an action with counts of its own. An arrest sought ("warrants were issued
for the arrest of two") is no arrest. "A joint operation by A and B" lists the countries that took part; "and" in a list of
adjectives before the noun ("local, state and federal law enforcement agencies") adds no distance
from the number. Countries an action ran in "at the same time" or "simultaneously" took part; of
two lists of participants the longer counts them. A page whose title or lead reports a period's
totals ("in March alone", "last year", "its first year", "on record") and which names no bounded
action (a week or day of action, "this week", "on Tuesday") has no operation. People engaged to
raise awareness are an audience, people helped to enter or cross are smuggled, and a count a
crime "is thought to have" is an estimate: none of them are victims of the operation. Weapons
"recovered" or "found" are seized. A sum the page never writes ("412 men and 57 women were
arrested") does not refine a stated rounded total ("more than 450 people were arrested"). Women
or men with minors among them ("Nine women, four of them minors") are not all adults. Cash written
in round units ("£1.4m") gives way to a finer sum within one unit of its last digit ("£1.36m",
"£1,362,410"), and "£N in all being seized" is cash seized. "Freed 232 of their victims" counts
the victims the operation freed; headline verbs in the present ("arrests 18", "rescues 40") are
the past tense's. "Rounded up 15" arrests 15; people moved to a safe house or shelter are made
safe. People found in forced labour, forced prostitution or forced begging are victims. "The freeing of"
or "the liberation of" N people rescues them; "some of them minors" makes a group of women not
all adults. Every sentence is written for this test; the rules are tested alone (the confidence model is
off)."""

from __future__ import annotations

from datetime import date

from tests.figure_rules import Case, rule_cases_test

# (id, title, body, figures that must be present, (scope, metric, value) that must be absent)
CASES: list[Case] = [
    (
        "held in slavery is no arrest",
        "Farm raided and 14 labourers held in forced servitude are rescued",
        "Inspectors and police visited the farm on Tuesday.",
        {("operation", "potential_victims", 14, "exact")},
        {("operation", "arrests", 14)},
    ),
    (
        "held captive is no arrest",
        "Police free captives",
        "Nine men held captive in a locked barn were rescued by officers.",
        {("operation", "potential_victims", 9, "exact")},
        {("operation", "arrests", 9)},
    ),
    (
        "held by police is still an arrest",
        "Raids on car washes",
        "Six men were held by police after the raids on four car washes.",
        {("operation", "arrests", 6, "exact")},
        set(),
    ),
    (
        "set free frees victims",
        "Brothel closed",
        "Eleven women were set free when detectives entered the flat.",
        {
            ("operation", "potential_victims", 11, "exact"),
            ("operation", "victims_adults", 11, "exact"),
        },
        set(),
    ),
    (
        "set free after an aside",
        "Brothel closed",
        "Thirty women, most of them from abroad, were set free during the raid.",
        {("operation", "potential_victims", 30, "exact")},
        set(),
    ),
    (
        "a long relative clause before the verb",
        "Workers found on building site",
        "Sixteen men who had been made to work on the site for no pay were rescued by the "
        "task force.",
        {
            ("operation", "potential_victims", 16, "exact"),
            ("operation", "victims_adults", 16, "exact"),
        },
        set(),
    ),
    (
        "the lead's count beats a later sentence's",
        "Two trafficking rings broken up",
        "Detectives have broken up two rings working across the region, freeing several victims "
        "and arresting 14 suspects. The first raid, in the north of the region, led to the "
        "arrest of nine people, among them the ring's leader.",
        {("operation", "arrests", 14, "exact")},
        {("operation", "arrests", 9)},
    ),
    (
        "the country whose police act is the page's own",
        "Women freed from brothel",
        "On Friday Ghanaian police freed 12 women from Togo and arrested two suspects.",
        {
            ("operation", "potential_victims", 12, "exact"),
            ("operation", "arrests", 2, "exact"),
        },
        set(),
    ),
    (
        "a lead with its own counts under a title of background totals",
        "Raid frees workers, more than 200 arrested this year",
        "Last week border police freed 17 men held on a fishing boat and arrested four crew. "
        "Since January more than 200 people have been arrested for trafficking in the province.",
        {("operation", "potential_victims", 17, "exact"), ("operation", "arrests", 4, "exact")},
        {("operation", "arrests", 200)},
    ),
    (
        "an arrest sought is no arrest",
        "Labour ring broken up",
        "Officers searched six homes; 40 workers were rescued, seven people were arrested, and "
        "warrants were issued for the arrest of three suspects still at large.",
        {("operation", "arrests", 7, "exact"), ("operation", "potential_victims", 40, "exact")},
        {("operation", "arrests", 3)},
    ),
    (
        "arrest warrants against people are no arrests",
        "Smuggling network targeted",
        "Arrest warrants were issued against nine members of the network.",
        set(),
        {("operation", "arrests", 9)},
    ),
    (
        "a joint operation by two countries counts both",
        "Police back joint operation by Ghana and Togo against child trafficking ring",
        "Eleven children were rescued.",
        {("operation", "countries_involved", 2, "exact")},
        set(),
    ),
    (
        "joined adjectives before law enforcement agencies",
        "Sting ends with 70 arrests",
        "Some 35 city, county and federal law enforcement agencies worked on the sting.",
        {("operation", "forces_involved", 35, "approx")},
        set(),
    ),
    (
        "countries an action ran in at the same time",
        "INTERPOL operation frees 210 victims",
        "The operation ran simultaneously in Ghana, Togo, Benin and Burkina Faso.",
        {("operation", "countries_involved", 4, "exact")},
        set(),
    ),
    (
        "the longer of two lists of participants",
        "NCA officers arrest six in London",
        "Raids took place at the same time in Spain, Italy and Portugal. Officers from the UK, "
        "Spain, Italy, Portugal, Greece and Malta worked on the case.",
        {("international", "countries_involved", 6, "exact")},
        {("international", "countries_involved", 3)},
    ),
    (
        "a month's totals are no operation",
        "Immigration teams step up checks on illegal working",
        "Enforcement teams in the region made 64 visits and 52 arrests in March alone.",
        set(),
        {("operation", "arrests", 52), ("operation", "premises_visited", 64)},
    ),
    (
        "a year's totals are no operation",
        "Trafficking arrests rose sharply last year",
        "Police arrested 212 people for trafficking offences last year, the annual figures show.",
        set(),
        {("operation", "arrests", 212)},
    ),
    (
        "a period beside a bounded action keeps the operation",
        "Record week of action against county lines",
        "The week of action, the largest on record, ended with 140 arrests.",
        {("operation", "arrests", 140, "exact")},
        set(),
    ),
    (
        "a comparison with last year is no period",
        "Raids on car washes",
        "Officers found 31 potential victims, up from 12 at the same point last year.",
        {("operation", "potential_victims", 31, "exact")},
        set(),
    ),
    (
        "an audience engaged to raise awareness is no victims",
        "County lines week ends with 22 arrests",
        "Officers arrested 22 people and engaged with 900 pupils and parents at school events to "
        "raise awareness of exploitation.",
        {("operation", "arrests", 22, "exact")},
        {("operation", "potential_victims", 900)},
    ),
    (
        "people helped across a border are no victims",
        "Four held in raids on smuggling ring",
        "The ring is suspected of helping around 150 migrants cross the Channel in lorries. Four "
        "men were arrested.",
        {("operation", "arrests", 4, "exact")},
        {("operation", "potential_victims", 150)},
    ),
    (
        "a count a crime is thought to have is an estimate",
        "Car washes visited in crackdown",
        "The crime is thought to have more than 10,000 victims nationally. Officers visited 45 car "
        "washes.",
        {("operation", "premises_visited", 45, "exact")},
        {("operation", "potential_victims", 10000)},
    ),
    (
        "weapons recovered are seized",
        "Raids on county lines network",
        "Nine men were arrested and three firearms were recovered.",
        {("operation", "arrests", 9, "exact"), ("operation", "weapons_seized", 3, "exact")},
        set(),
    ),
    (
        "an unwritten sum does not refine a stated rounded total",
        "County lines week: more than 450 arrested",
        "More than 450 people were arrested during the week. Officers arrested 412 men and 57 "
        "women in all.",
        {("operation", "arrests", 450, "more_than")},
        {("operation", "arrests", 469)},
    ),
    (
        "a stated exact count still refines a rounded one",
        "County lines week: more than 450 arrested",
        "More than 450 people were arrested during the week. In total 469 people were arrested.",
        {("operation", "arrests", 469, "exact")},
        set(),
    ),
    (
        "women with minors among them are not all adults",
        "Brothel raid",
        "Eleven women, three of them minors, were rescued from the flat.",
        {
            ("operation", "potential_victims", 11, "exact"),
            ("operation", "victims_children", 3, "exact"),
        },
        {("operation", "victims_adults", 11)},
    ),
    (
        "a round sum of cash gives way to the finer one",
        "Week of action",
        "Officers found £1.4m in cash during the week. In all, £1.36m in cash was seized.",
        {("operation", "cash_seized_gbp", 1360000, "exact")},
        {("operation", "cash_seized_gbp", 1400000)},
    ),
    (
        "cash in all being seized",
        "Week of action",
        "Officers recovered £1.3 million in cash. The raids led to £1,262,410 in all being seized.",
        {("operation", "cash_seized_gbp", 1262410, "exact")},
        {("operation", "cash_seized_gbp", 1300000)},
    ),
    (
        "a round sum with nothing finer stands",
        "Week of action",
        "Officers seized £2m in cash.",
        {("operation", "cash_seized_gbp", 2000000, "exact")},
        set(),
    ),
    (
        "the victims of the suspects freed",
        "Ring broken up",
        "Police have detained 11 people and freed 87 of their victims.",
        {("operation", "arrests", 11, "exact"), ("operation", "potential_victims", 87, "exact")},
        set(),
    ),
    (
        "headline verbs in the present",
        "Police arrests 14 suspects, rescues 31 victims in raids",
        "The raids took place in three towns.",
        {("operation", "arrests", 14, "exact"), ("operation", "potential_victims", 31, "exact")},
        set(),
    ),
    (
        "rounded up before the number",
        "Late-night sweep",
        "Officers searched four flats and rounded up 23 foreign nationals.",
        {("operation", "arrests", 23, "exact")},
        set(),
    ),
    (
        "moved to a safe house",
        "Raid on brothel",
        "Seven women were moved to a safe house after the raid.",
        {("operation", "potential_victims", 7, "exact")},
        set(),
    ),
    (
        "people found in forced labour",
        "Farm inspected",
        "Inspectors found 17 people working in conditions of forced labour on the farm.",
        {("operation", "potential_victims", 17, "exact")},
        set(),
    ),
    (
        "the freeing of people, some of them minors",
        "International operation frees hundreds",
        "The operation led to the freeing of 412 women, some of them minors, and to the arrest "
        "of 61 people.",
        {("operation", "potential_victims", 412, "exact"), ("operation", "arrests", 61, "exact")},
        {("operation", "victims_adults", 412)},
    ),
]


test_round11_rules = rule_cases_test(CASES, date(2024, 5, 1))
