"""Which metric a number in a sentence counts: the noun after it, the verb around it.

For each count (or money) mention of a sentence, ``read_sentence`` looks at

1. the noun phrase right after the number ("38 people", "99 potential victims", "24 source,
   transit and destination countries", "56 knives and weapons"), classified by its head nouns;
2. the verb right before it ("arrested 105 foreign nationals", "detaining 21", "raided 27
   brothels", "the arrest of 219 persons") or, failing that, the first verb after the noun phrase
   in the same clause ("38 people suspected of ... have been arrested", "16 were arrested",
   "245 children kept from harm"), skipping over coordinated numbers ("72 children and 27 adults
   identified");
3. a list label ("Arrests: 1,468 people", "Cash: £1,254,384 taken") or a noun before a verb of
   totalling ("Arrests totalled 12");

and maps (noun class, verb class) to a metric. Numbers that only restate part of another
("21 of them children", "including 49 firearms", "the other 14", "a further 10") are subsets:
they are dropped, except children or adults within a victim count, which are the
``victims_children``/``victims_adults`` figures.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from tasks.numbers import COUNT, MONEY, NUMBER_WORDS_PATTERN, NumberMention

# Noun classes.
ARREST_N = "arrest"
VICTIM_N = "victim"
CHILD_N = "child"
ADULT_N = "adult"
PERSON_N = "person"
GENDER_N = "gender"  # "34 female and 215 male ...": a partition adjective
SUSPECT_N = "suspect"
STAFF_N = "staff"
FORCE_N = "force"
COUNTRY_N = "country"
INVESTIGATION_N = "investigation"
REFERRAL_N = "referral"
WARRANT_N = "warrant"
PREMISES_N = "premises"
VISIT_N = "visit"
WEAPON_N = "weapon"
BLADE_N = "blade"
CASH_N = "cash"
THING_N = "thing"

_NOUNS: dict[str, str] = {}
for _cls, _words in (
    (ARREST_N, "arrest arrests"),
    (VICTIM_N, "victim victims survivor survivors rescues"),
    (CHILD_N, "children child minors minor juveniles juvenile youngsters under-18s kids"),
    (ADULT_N, "adults adult"),
    (
        PERSON_N,
        "people persons person individuals individual man men woman women boys girls boy girl "
        "workers worker nationals citizens teenagers teenager youths residents",
    ),
    (GENDER_N, "male female males females"),
    (
        SUSPECT_N,
        "suspects suspect offenders offender traffickers trafficker smugglers smuggler paedophiles "
        "paedophile members dealers dealer perpetrators criminals exploiters gangmasters holders "
        "line-holders associates abusers pimps facilitators organisers ringleaders fugitives "
        "predators runners",
    ),
    (
        STAFF_N,
        "officers officer staff agents investigators personnel participants specialists inspectors "
        "detectives guards police prosecutors partners agencies organisations organizations "
        "delegates volunteers experts analysts teams units representatives officials authorities "
        "bodies employees colleagues",
    ),
    (FORCE_N, "forces force constabularies"),
    (COUNTRY_N, "countries country nations states jurisdictions territories"),
    (INVESTIGATION_N, "investigations investigation inquiries enquiries probes"),
    (REFERRAL_N, "referrals referral"),
    (WARRANT_N, "warrants warrant"),
    (
        PREMISES_N,
        "premises addresses address properties property homes houses locations sites businesses "
        "brothels brothel washes bars salons shops stores restaurants farms factories venues "
        "hotels workplaces establishments parlours flats takeaways warehouses vineyards "
        "car-washes",
    ),
    (VISIT_N, "visits raids inspections"),
    (WEAPON_N, "weapons weapon"),
    (BLADE_N, "knives knife firearms firearm guns gun machetes swords"),
    (CASH_N, "cash"),
    (
        THING_N,
        "vehicles vehicle cars car documents lines phones plants drugs wraps flights searches checks "
        "nationalities crimes charges offences operations hours days weeks months years migrants "
        "entities cases notices highlights kg grams tonnes pounds euros items packages parcels "
        "boats lorries vans devices accounts messages reports calls miles times per cent percent",
    ),
):
    for _w in _words.split():
        _NOUNS[_w] = _cls

# Words that end a noun phrase: prepositions, auxiliaries, relatives, determiners.
_NP_STOP = frozenset(
    [
        "of",
        "in",
        "at",
        "from",
        "for",
        "by",
        "on",
        "to",
        "with",
        "who",
        "whom",
        "which",
        "that",
        "were",
        "was",
        "are",
        "is",
        "have",
        "has",
        "had",
        "been",
        "being",
        "be",
        "will",
        "would",
        "could",
        "may",
        "might",
        "across",
        "during",
        "after",
        "before",
        "since",
        "including",
        "among",
        "amongst",
        "between",
        "as",
        "than",
        "while",
        "but",
        "per",
        "each",
        "there",
        "where",
        "when",
        "into",
        "over",
        "under",
        "through",
        "within",
        "without",
        "about",
        "said",
        "says",
        "the",
        "a",
        "an",
        "their",
        "its",
        "his",
        "her",
        "them",
        "those",
        "these",
        "this",
        "our",
        "your",
        "they",
        "it",
        "he",
        "she",
        "we",
        "not",
        "no",
        "also",
        "all",
        "both",
        "either",
        "neither",
        "so",
        "then",
        "thus",
        "up",
        "down",
        "out",
        "off",
        "against",
        "towards",
        "toward",
        "via",
        "around",
        "near",
        "like",
        "unlike",
    ]
)
_GENDER_NOUNS = frozenset(
    [
        "man",
        "men",
        "woman",
        "women",
        "boy",
        "boys",
        "girl",
        "girls",
        "male",
        "males",
        "female",
        "females",
    ]
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*|[^\sA-Za-z\d]")
# Number words that start the next count inside a noun phrase ("21 children and five adults").
_SMALL_NUMBER_WORDS = frozenset(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
    ]
)
# A number right after a word: the word is a verb ("raid 12 brothels and arrest five").
_NUMBER_NEXT = re.compile(rf"\s+(?:\d|{NUMBER_WORDS_PATTERN})", re.IGNORECASE)

# Verb classes after the noun phrase (the first one in the clause decides).
_VERB_AFTER = re.compile(
    r"\b(?:"
    r"(?P<arrest>arrested|detained|apprehended|held|taken into custody|in custody|into custody|under arrest|"
    r"remanded|rounded up|locked up|nabbed)"
    r"|(?P<charge>charged)"
    r"|(?P<refer>referred)"
    r"|(?P<victim>safeguarded|rescued|freed|identified|located|found|protected|kept from harm|"
    r"kept safe|prevented from (?:being )?harm(?:ed)?|from (?:being )?harm(?:ed)?|came to light|"
    r"(?:moved|taken|brought|led) to (?:a place of )?safety|placed (?:in|into) (?:care|safe\w*)|"
    r"engaged|supported|recovered|removed from harm|helped|saved|liberated|discovered|made safe|"
    r"(?:taken|moved|brought) to (?:an? |the )?(?:specialist |safe )?(?:victim )?reception cent(?:re|er)s?)"
    r"|(?P<visit>visited|searched|raided|inspected|entered|checked|targeted|covered|examined)"
    r"|(?P<execute>executed|served)"
    r"|(?P<seize>seized|confiscated|taken|removed)"
    r"|(?P<neutral>walked|stopped|sought|wanted|face|faces|facing|worked|work|working|came|went|"
    r"travelled|traveled|brought|sent|deployed|met|attended|took part|participated|detected|"
    r"intercepted|interviewed|questioned|reported|accused|convicted|sentenced|jailed|screened|"
    r"registered|killed|died|escaped|shut|closed|dismantled|disrupted)"
    r")\b",
    re.IGNORECASE,
)
# Where a clause ends for the verb search.
_CLAUSE_END = re.compile(
    r"[;:()]|\.(?:\s|$)|\s[-–—]\s|\s(?:while|whilst|whereas|but|although|though|because|when|where|"
    r"whom|and (?:the|a|an|officers|police|they|it)\b)\s",
    re.IGNORECASE,
)
# The verb (or action noun) right before a number.
_VERB_BEFORE = re.compile(
    r"\b(?:"
    r"(?P<arrest>arrested|arresting|arrest|arrests of|detained|detaining|detain|apprehended|"
    r"apprehending|held|holding|(?:the\s)?(?:arrest|arrests|detention)\sof)"
    r"|(?P<charge>charged|charging|charges\s(?:(?:were|have\sbeen|had\sbeen|was)\s)?(?:brought|laid|filed)\sagainst|"
    r"(?:brought|laid|filed)\scharges\sagainst)"
    r"|(?P<victim>safeguarded|safeguarding|rescued|rescuing|rescue|freed|freeing|free|frees|"
    r"identified|identifying|identify|located|locating|protected|protecting|found|finding|find|"
    r"finds|supported|helped|saved|engaged with|engaged|discovered|(?:the\s)?(?:identification|rescue|"
    r"safeguarding|protection)\sof)"
    r"|(?P<refer>referred|referring|refer)"
    r"|(?P<visit>visited|visiting|searched|searching|raided|raiding|raid|raids|inspected|inspecting|"
    r"inspections\sat|inspections\sof|visits\sto|raids\son|searches\s(?:of|at)|entered|checked|"
    r"checking|targeted|targeting|covered|covering)"
    r"|(?P<execute>executed|executing|execute)"
    r"|(?P<seize>seized|seizing|seize|recovered|recovering|confiscated)"
    r")\s(?:(?:a\stotal\sof|in\stotal|a\sfurther|some|all|just|only)\s)?(?P<the>the\s)?$",
    re.IGNORECASE,
)
# "Arrests totalled 12", "the number of arrests rose to 40".
_TOTALLED_BEFORE = re.compile(
    r"\b(?P<noun>[A-Za-z-]+)\s(?:(?:have|has|had)\s)?(?:totalled|totaled|totalling|totaling|total|"
    r"reached|numbered|stood\sat|rose\sto|came\sto|amounted\sto|hit|topped|was|were)\s$",
    re.IGNORECASE,
)
_NUMBER_OF_BEFORE = re.compile(
    r"\bnumber\sof\s(?P<noun>[a-z-]+)\s(?:[a-z]+\s){0,2}(?:was|were|is|reached|stood\sat|rose\sto|totalled)\s$"
    # "bringing the total number of arrests during the operation to 14"
    r"|\b(?:total|number|tally)\s(?:number\s)?of\s(?P<noun2>[a-z-]+)\b[^.;\d]{0,50}?\sto\s$",
    re.IGNORECASE,
)
# A list label at the start of a sentence: "Arrests: 1,468 people".
# Also a dash ("Arrests – 1,088") and a table row flattened to "People charged 537" (a label
# and a number that ends the line).
_LABEL = re.compile(
    r"^(?P<label>[A-Za-z][\w '’&/-]{0,60}?)(?::\s|\s[-–—|]\s(?=[£€$]?\d)"
    r"|\s(?=[£€$]?\d[\d,.\u00a0\u202f ]{0,20}(?:m|k|bn|million)?\s?$))"
)
# Subsets and additions: never the figure itself.
_ADDITIONAL_BEFORE = re.compile(
    r"\b(?:another|the\sother|other|the\sremaining|remaining|the\srest\sof)\s$",
    re.IGNORECASE,
)
# "a further 35 people were safeguarded": often a new result, sometimes a part of one: weak.
_FURTHER_BEFORE = re.compile(
    r"\b(?:a\sfurther|further|an\sadditional|additional|extra)\s$", re.IGNORECASE
)
_OTHERS_AFTER = re.compile(r"\s(?:others?|more)\b", re.IGNORECASE)
_DEMONSTRATIVE_BEFORE = re.compile(r"\b(?:those|these)\s$", re.IGNORECASE)
# Noun classes that never count the same things as people or victims.
_OTHER_COUNTS = frozenset(
    {
        ARREST_N,
        COUNTRY_N,
        FORCE_N,
        INVESTIGATION_N,
        REFERRAL_N,
        WARRANT_N,
        WEAPON_N,
        VISIT_N,
        PREMISES_N,
    }
)
# Metrics that a number inside a split can still state on their own ("55 NRM referrals").
_OWN_METRIC_IN_SUBSET = frozenset(
    {"nrm_referrals", "new_investigations", "charged", "warrants_executed"}
)
# "14 were children": a copula before the noun that says what a bare number counted.
_COPULA = re.compile(r"\s(?:were|are|was|is)\s(?:all\s|also\s)?", re.IGNORECASE)
# "of those arrested", "of the arrests": the whole is the arrests.
_REFERENT = re.compile(
    r"\sof\s(?:those|the|these)\s(?:[\w,]+\s){0,3}?(?:(?P<arrests>arrested|arrests|detained|held)|"
    r"(?P<victims>identified|found|rescued|safeguarded|victims|potential\svictims))\b",
    re.IGNORECASE,
)
# The rest of the whole's description, then the part's copula: "... identified as potential
# victims were children".
_REFERENT_TAIL_COPULA = re.compile(
    r"\sas\s(?:potential\s|possible\s|suspected\s)?victims(?:\sof\s[a-z ]{1,40}?)?"
    r"\s(?:were|are|was|is)\s(?:all\s|also\s)?",
    re.IGNORECASE,
)
# "Of the potential victims, 14 were children": a sentence that opens on the whole it splits.
_OPENER_CLAUSE_END = re.compile(r",\sand\s|;|\.\s")
_OPENER = re.compile(
    r"^(?:Of|Among|Amongst)\s(?:the|those|these|all)\s(?:[\d,. ]+\s)?(?P<np>[^,;:]{2,60}?),\s"
)
_SUBSET_AFTER = re.compile(
    r"\sof\s(?:them|those|these|whom|which|the|its|their|his|her|all|our)\b(?:\s(?:are|were|being|was)\b)?",
    re.IGNORECASE,
)
# A part named after its whole: "visits were made to many businesses, eight car washes among
# them", "raided properties, six nail bars among them".
_AMONG_THEM_AFTER = re.compile(r"\s(?:among|amongst)\s(?:them|those|these)\b", re.IGNORECASE)
_SUBSET_BEFORE = re.compile(
    r"\b(?:including|includes|included|among\sthem|amongst\sthem|among\swhom|of\swhom|of\swhich|"
    r"of\sthese|of\sthose|such\sas|comprising|comprised|consisted\sof|consisting\sof|made\sup\sof|"
    r"incl\.|among|amongst)\s(?:(?:at|in|from|on)\s)?$",
    re.IGNORECASE,
)
_RATE_AFTER = re.compile(
    r"\s(?:per|a|an|each|every)\s(?:police\s)?(?:force|day|week|month|year|hour|officer|person|head|"
    r"region|area|county)\b",
    re.IGNORECASE,
)
_CASH_AFTER = re.compile(
    r"\s?(?:(?:in|of)\s)?(?:suspected\s|criminal\s|illicit\s|hard\s)?(?:cash|banknotes|bank\snotes)\b",
    re.IGNORECASE,
)
_CASH_BEFORE = re.compile(
    r"\bcash\s(?:(?:seizures?|seized|totalling|totaling|worth|amounting\sto|of|valued\sat)\s){1,2}$"
    r"|\bcash\s(?:seizures?|seized|recovered|taken)?(?:\s[\w-]+){0,4}?\s(?:totalled|totaled|totalling|"
    r"amounted\sto|came\sto|reached|stood\sat|was|were)\s$"
    r"|\bcash\s$",  # "seized cash in excess of £50,000" (the qualifier is not in the window)
    re.IGNORECASE,
)
# A sum of money that is a value, not cash: "£2m worth", "£1,400 of counterfeit goods".
_NOT_CASH_AFTER = re.compile(
    r"\s?(?:worth|of\s(?:drugs|cannabis|cocaine|heroin|goods|counterfeit|assets|property|"
    r"criminal\sassets|class\s[ab])|in\s(?:drugs|assets|property))",
    re.IGNORECASE,
)
_NOT_CASH_BEFORE = re.compile(
    r"\b(?:worth|valued\sat|value\sof|street\svalue\sof|estimated\sat|fines?\sof|fined|"
    r"penalt(?:y|ies)\sof|assets\sof)\s(?:an\sestimated\s|around\s|about\s|up\sto\s)?$",
    re.IGNORECASE,
)
# Money seized with no other noun is cash: "seized almost £4,500", "£5,000 was also seized",
# "400,000 pounds (about 478,000 euros) being seized". Drugs and goods are valued with "worth" or
# "of ...", which _NOT_CASH_* refuse first.
_SEIZED_MONEY_BEFORE = re.compile(
    r"\b(?:seized|seizing|recovered|recovering|confiscated|seizures?\sof)\s(?:a\stotal\sof\s)?$",
    re.IGNORECASE,
)
_SEIZED_MONEY_AFTER = re.compile(
    r"\s?(?:\([^()]{0,40}\)\s)?(?:was|were|has\sbeen|have\sbeen|had\sbeen|being)\s(?:also\s)?"
    r"(?:seized|recovered|confiscated)\b",
    re.IGNORECASE,
)
_NRM = re.compile(
    r"\b(?:NRM|National Referral Mechanism|[Rr]eferral [Mm]echanism|[Dd]uty to [Nn]otify)\b"
)
_VICTIM_CUE = re.compile(
    r"\b(?:victim|vulnerable|exploit|traffick|safeguard|rescu|harm|enslav|slavery|reception\scent)",
    re.IGNORECASE,
)
_COUNTRY_CUE = re.compile(
    r"\b(?:police|authorities|law enforcement|officers|investigators|detectives|prosecutors|"
    r"officials|specialists|experts|teams|operation|action|took part|taking part|"
    r"participat\w*|involved|involving|joined|teamed up|carried out|across|agencies|forces|"
    r"member states|worked|working|in\s+\d)",
    re.IGNORECASE,
)
_COUNTRY_NOT = re.compile(
    r"\b(?:participants|delegates|meeting|met in|conference|summit|workshop|training|drawn from|"
    r"nationalities|citizens of|nationals of|born in)\b",
    re.IGNORECASE,
)
_VISIT_CUE = re.compile(
    r"\b(?:visit\w*|search\w*|raid\w*|inspect\w*|warrants?|entered|checks?|checked|attended|"
    r"carried\sout\sat|conducted\sat)\b",
    re.IGNORECASE,
)
# The whole a part belongs to, named just before it: "The potential victims, 23 of whom ...".
_VICTIM_WHOLE_BEFORE = re.compile(
    r"\b(?:victims|survivors|(?:people|persons|individuals)\s(?:safeguarded|rescued|identified))"
    r"[^.;:\d]{0,30},\s$",
    re.IGNORECASE,
)
# People described as victims by a relative clause or a participle: "who showed signs of being
# exploited", "showing indicators of modern slavery", "believed to be victims of trafficking".
_VICTIM_DESC_AFTER = re.compile(
    r",?\s(?:(?:who|that)\s(?:(?:were|was|had|have|are|all)\s){0,2})?"
    r"(?:(?:showed|showing|show|shown|displayed|displaying|exhibited|exhibiting|presented|presenting|"
    r"bore|bearing|had|having|with|gave|giving)\s(?:\w+\s){0,2}(?:signs|indicators|indications|"
    r"hallmarks)\sof"
    r"|(?:believed|thought|suspected|feared|assessed|considered|found)\sto\s(?:be|have\sbeen)\s"
    r"(?:\w+\s){0,2}(?:victims|exploited|trafficked|enslaved))\b",
    re.IGNORECASE,
)
# A dash or colon before a split: "26 victims were identified - 21 children and five adults".
_APPOSITION_BEFORE = re.compile(r"(?:\s[-–—]|:)\s$")
# Children or adults named as a part of the victims: "Among those rescued were 14 children",
# "nearly 1,000 children were among the 2,300 victims identified".
_AMONG_VICTIMS_BEFORE = re.compile(
    r"\b(?:among|amongst)\s(?:the|those)\b[^,.;:]{0,40}?\b(?:victims|safeguarded|rescued|identified|"
    r"found|freed)\b[^,.;:]{0,20}?\s(?:were|are|was|is)\s(?:also\s)?$",
    re.IGNORECASE,
)
_AMONG_VICTIMS_AFTER = re.compile(
    r"\s(?:were|are)\s(?:also\s)?(?:among|amongst)\s(?:the|those)\b[^.;:]{0,40}?"
    r"\b(?:victims|safeguarded|rescued|identified|found|freed)\b",
    re.IGNORECASE,
)
# "of whom 30 were children and 40 adults": the gap after a part stated with a copula.
_COPULA_PART_GAP = re.compile(
    r"\s(?:were|are|was|is)\s(?:[a-z-]{1,20}\s){0,2}?(?:children|minors|adults|juveniles|"
    r"under-18s|women|men|girls|boys)\s(?:and|,|,\sand)\s",
    re.IGNORECASE,
)
# Where an aside about a part opens: "32 people, including 19 children, were safeguarded".
_ASIDE_OPEN = re.compile(
    r",\s(?:including|among\sthem|amongst\sthem|of\swhom|some\sof\swhom|many\sof\swhom|"
    r"most\sof\sthem|all\sof\sthem)\s$",
    re.IGNORECASE,
)
# A bare number's verb right after it, past auxiliaries only: "16 were arrested", "six charged".
_BARE_VERB_AFTER = re.compile(
    r"(?:\s+(?:have|has|had|were|was|are|is|been|being|be|now|also|all|quickly|later|since|then|"
    r"subsequently|reportedly|so\sfar|already))*\s+(?:arrested|detained|held|charged|apprehended|"
    r"taken\sinto\scustody|under\sarrest|in\scustody|remanded)\b",
    re.IGNORECASE,
)
_SAFEGUARD_LABEL = re.compile(r"safeguard|victim|rescued|vulnerable", re.IGNORECASE)
# A subject, a comma-delimited aside about it and then its predicate: "Sixteen men, all of them
# seasonal workers aged from 20 to 51, were identified as potential victims", "Two of them, a man
# aged 44 and a woman aged 39, were later charged". The predicate must open on an auxiliary, so
# coordinated predicates ("spoke to 200 people, searched 30 addresses, arrested 12") never match.
_APPOSED_PREDICATE = re.compile(
    r"(?:\s?,\s(?!(?:and|or|but|while|whilst|then|before|after|with)\b)"
    r"(?P<comma>[^.;:!?()\[\]\n]{2,160}?),"
    r"|\s[-–—]\s(?P<dash>[^.;:!?()\[\]\n–—]{2,160}?)\s[-–—]"
    r"|\s?\((?P<paren>[^.;:!?()\[\]\n]{2,160})\))"
    r"\s(?:have|has|had|were|was|are|is)\s"
    r"(?:(?:been|being|all|also|later|since|subsequently|then|now|reportedly|already|each|both|"
    r"quickly|so\sfar)\s)*"
    r"(?P<verb>arrested|detained|apprehended|held|remanded|taken\sinto\scustody|charged|referred|"
    r"identified|safeguarded|rescued|freed|found|located|recovered|protected|supported|helped|"
    r"engaged|discovered|(?:moved|taken|brought|led)\sto\s(?:a\splace\sof\s)?safety)\b",
    re.IGNORECASE,
)
# A number inside an aside that is itself a part ("19 of whom were children", "including 3 boys").
_ASIDE_PART = re.compile(
    r"\s(?:of\s(?:whom|them|those|which)|(?:were|are)\s(?:children|minors|adults))\b",
    re.IGNORECASE,
)
# People referred for safeguarding or support (not into the NRM): the victims the operation
# engaged. "48 vulnerable people ... were referred to safeguarding teams / partner agencies".
_SAFEGUARD_REFERRAL = re.compile(
    r"\b(?:referred|signposted)\s(?:[\w,]+\s){0,5}?(?:on\s)?(?:to|into|for)\s(?:(?:the|their|local|relevant|appropriate|specialist|"
    r"dedicated|statutory|council|multi-agency)\s){0,3}(?:[\w'’-]+\s)?"
    r"(?:safeguarding|support\b|partner\sagencies|partners\b|social\sservices|social\scare|"
    r"children'?s\sservices|victim\ssupport|charities)",
    re.IGNORECASE,
)
# "identified as potential victims", "were potential victims": what a part was found to be.
_AS_VICTIMS_AFTER = re.compile(
    r"(?:\s\w+){0,4}?\s(?:as\s(?:potential|possible|suspected|likely|probable)\svictims|"
    r"(?:were|are)\s(?:all\s)?(?:potential|possible|suspected)\svictims)\b",
    re.IGNORECASE,
)
# A ratio, commentator arithmetic: "one arrest for every 1,600 people checked", "one in every five".
_RATIO_AFTER = re.compile(r"\s(?:for|in|out\sof)\severy\b", re.IGNORECASE)
_ONE_IN_AFTER = re.compile(
    r"\s(?:in|out\sof)\s(?:every\s)?(?:\d|two|three|four|five|six|seven|eight|nine|ten)",
    re.IGNORECASE,
)
_RATIO_BEFORE = re.compile(
    r"\b(?:for|in|out\sof)\severy\s$|\b(?:one|1)\s(?:in|out\sof)\s$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class NounPhrase:
    classes: tuple[str, ...]
    words: tuple[str, ...]
    end: int  # local end offset
    extra_people: int = 0  # "two men and a woman": the persons counted by "a"/"an"
    articles: int = 0  # items added with "and a ..." ("three farms and a packhouse")


@dataclass(frozen=True, slots=True)
class Reading:
    """What one number of a sentence counts."""

    metric: str | None
    weak: bool = False  # a back-reference ("arrested the three")
    subset: bool = False
    value_add: int = 0  # persons to add ("two men and a woman" -> +1)
    reason: str = ""
    verb_before: str | None = None  # the verb class read before the number, if any
    part: bool = False  # a part of an unstated or other whole: any plain statement beats it


_NONE = Reading(None)
# List labels that decide the metric of a count of people after them ("Arrests: 1,468 people").
_LABEL_DECIDES = frozenset({ARREST_N, VICTIM_N, CHILD_N, ADULT_N})


# Singular nouns that are also bare verbs: after a plural noun they are the verb of the clause
# ("4 forces arrest 23 people"), not the head of a compound ("4 forces' arrest figures").
_BARE_VERB_NOUNS = frozenset({"arrest", "raid", "visit", "search", "rescue", "charge", "check"})


def noun_phrase(text: str, pos: int) -> NounPhrase:
    """The noun phrase that starts at ``pos`` (right after a number)."""
    classes: list[str] = []
    words: list[str] = []
    end = pos
    conj = False
    extra = 0
    articles = 0
    adjectives_after_conj = 0
    pending_article = False
    n = 0
    for tok in _TOKEN.finditer(text, pos, min(len(text), pos + 160)):
        n += 1
        if n > 14:
            break
        t = tok.group(0)
        if t[0].isdigit():
            break
        if not t[0].isalpha():
            if t == "," and not conj:
                if classes:
                    conj = True  # "car washes, nail bars and ..."
                continue
            if t in "-–&":
                if t == "&" and classes:
                    conj = True
                continue
            break
        w = t.lower().rstrip("'’")
        if w.endswith("'s") or w.endswith("’s"):
            w = w[:-2]
        if w in _SMALL_NUMBER_WORDS and not (w == "one" and conj):
            break  # the next number: "21 children and five adults"
        cls = _NOUNS.get(w)
        if cls is None and "-" in w:
            cls = _NOUNS.get(w.rsplit("-", 1)[-1])
        if classes:
            if w in ("and", "or", "&"):
                conj = True
                continue
            if conj and w in ("a", "an", "one") and not pending_article:
                pending_article = True
                articles += 1
                continue
            if cls is not None and conj and _NUMBER_NEXT.match(text, tok.end(), tok.end() + 40):
                break
            if (
                cls is not None
                and not conj
                and w in _BARE_VERB_NOUNS
                and words
                and words[-1].endswith("s")
            ):
                break  # "officers from 4 forces arrest 23 people": a verb, not a compound
            if cls is not None:
                if conj:
                    classes.append(cls)
                    if pending_article and w in _GENDER_NOUNS:
                        extra += 1
                    pending_article = False
                    conj = False
                    adjectives_after_conj = 0
                else:
                    # a noun-noun compound: the last noun is the head ("people smugglers",
                    # "police forces"); "child victims" stay children
                    if not (classes[-1] == CHILD_N and cls == VICTIM_N):
                        classes[-1] = cls
                words.append(w)
                end = tok.end()
                continue
            if conj and w not in _NP_STOP and adjectives_after_conj < 3 and not _strong_verb(w):
                adjectives_after_conj += 1
                continue
            break
        if w in _NP_STOP or _strong_verb(w):
            break
        if cls is not None:
            classes.append(cls)
            end = tok.end()
        words.append(w)
        if cls is None and len(words) > 5:
            break
    return NounPhrase(tuple(classes), tuple(words), end, extra, articles)


@functools.lru_cache(maxsize=4096)
def _strong_verb(word: str) -> bool:
    """A verb that ends a noun phrase ("arrested", "identified"); neutral verbs such as
    "working" may be adjectives ("illegal working visits")."""
    v = _VERB_AFTER.fullmatch(word)
    return v is not None and _verb_class(v) != "neutral"


def _verb_class(m: re.Match[str]) -> str:
    for name in ("arrest", "charge", "refer", "victim", "visit", "execute", "seize", "neutral"):
        if m.group(name):
            return name
    return "neutral"


def _verb_after(
    text: str, start: int, mentions: list[NumberMention], idx: int, nps: list[NounPhrase]
) -> str | None:
    """Class of the first verb after the noun phrase of mention ``idx``, in the same clause.

    A coordinated number ("72 children and 27 adults identified") is skipped over, together with
    its noun phrase; any other number ends the search. When that finds nothing, a comma-delimited
    aside followed by an auxiliary and a verb is skipped ("Sixteen men, all of them seasonal
    workers aged 20 to 51, were identified ...").
    """
    found = _verb_in_clause(text, start, mentions, idx, nps)
    if found is None:
        found = _verb_after_aside(text, start, mentions, idx)
    return found


def _verb_after_aside(text: str, start: int, mentions: list[NumberMention], idx: int) -> str | None:
    """The predicate after a comma-delimited aside about the subject that ends at ``start``. A
    number inside the aside must be a part ("19 of whom were children"): any other count there
    means the commas join a list, not an aside."""
    ap = _aside_match(text, start)
    if ap is None:
        return None
    g = "comma" if ap.group("comma") else "dash" if ap.group("dash") else "paren"
    a, b = ap.span(g)
    for k in range(idx + 1, len(mentions)):
        mk = mentions[k]
        if mk.start >= b:
            break
        if mk.start < a:
            continue
        if _ASIDE_PART.match(text, mk.end, min(len(text), mk.end + 30)):
            continue
        inner = noun_phrase(text, mk.end)
        if not inner.classes or inner.classes[0] not in (PERSON_N, GENDER_N, CHILD_N, ADULT_N):
            return None  # "searched 30 addresses": a list of actions, not an aside
    v = _VERB_AFTER.search(ap.group("verb"))
    return _verb_class(v) if v else None


def _aside_match(text: str, start: int) -> re.Match[str] | None:
    return _APPOSED_PREDICATE.match(text, start, min(len(text), start + 260))


def _verb_in_clause(
    text: str, start: int, mentions: list[NumberMention], idx: int, nps: list[NounPhrase]
) -> str | None:
    limit = min(len(text), start + 220)
    pos = start
    j = idx + 1
    while j < len(mentions) and mentions[j].figure_start < pos:
        j += 1  # numbers inside the whole already read ("Five of the 13 people identified ...")
    while True:
        next_start = mentions[j].figure_start if j < len(mentions) else limit
        stop = min(limit, next_start)
        clause = _CLAUSE_END.search(text, pos, stop)
        seg_end = clause.start() if clause else stop
        v = _VERB_AFTER.search(text, pos, seg_end)
        if v:
            return _verb_class(v)
        if clause or j >= len(mentions) or next_start >= limit:
            return None
        if _ASIDE_OPEN.search(text, pos, next_start):
            # "32 people, including 19 children, were safeguarded": skip the aside to its comma
            close = text.find(",", mentions[j].end, limit)
            if close < 0:
                return None
            pos = close + 1
            while j < len(mentions) and mentions[j].start < pos:
                j += 1
            continue
        gap = text[pos:next_start].strip().lower()
        if gap not in ("and", ",", ", and", "or", "as well as", "plus", "&"):
            return None
        pos = nps[j].end
        j += 1


def _paren_depths(text: str, positions: list[int]) -> list[bool]:
    """For each (sorted) position: is it inside parentheses? One pass over the text."""
    out: list[bool] = []
    depth = 0
    cur = 0
    for pos in positions:
        chunk = text[cur:pos]
        depth += chunk.count("(") - chunk.count(")")
        cur = pos
        out.append(depth > 0)
    return out


def _head(np: NounPhrase) -> str | None:
    """The class that decides for a noun phrase, with the rules for unions."""
    cls = [c for c in np.classes]
    if not cls:
        return None
    if WEAPON_N in cls:
        return WEAPON_N
    first = cls[0]
    if first in (CHILD_N, ADULT_N, PERSON_N, GENDER_N) and len(cls) > 1:
        kinds = set(cls)
        if CHILD_N in kinds and (ADULT_N in kinds or PERSON_N in kinds):
            return "union"  # "vulnerable children and adults": all victims together
        if ADULT_N in kinds and PERSON_N in kinds:
            return "union"
    if first == PREMISES_N and (np.articles or any(c not in (PREMISES_N, VISIT_N) for c in cls)):
        # "60 houses and vehicles", "three farms and a packhouse": not a stated count of premises
        return THING_N
    if first == COUNTRY_N:
        return COUNTRY_N
    return first


def _label_class(label: str) -> tuple[str | None, str | None]:
    """(noun class, verb class) of a list label: "Arrests" -> (arrest, None), "People charged" ->
    (person, charge), "Children safeguarded" -> (child, victim), "Addresses visited over
    suspected cuckooing" -> (premises, visit). The head is the last noun of the first run of
    known nouns ("Potential victims identified", "Cash seized from suspects" -> cash). A label of
    unknown words only ("London", "Total") decides nothing."""
    words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]*", label)]
    cls: str | None = None
    for w in words:
        c = _NOUNS.get(w)
        if c is None and "-" in w:
            c = _NOUNS.get(w.rsplit("-", 1)[-1])
        if c is not None:
            if not (cls == CHILD_N and c == VICTIM_N):
                cls = c
        elif cls is not None:
            break
    v = _VERB_AFTER.search(label)
    verb = _verb_class(v) if v else None
    if verb == "neutral":
        verb = None
    if cls in (None, PERSON_N, GENDER_N) and _SAFEGUARD_LABEL.search(label):
        cls = VICTIM_N  # "Safeguarding", "Vulnerable people safeguarded"
    return cls, verb


def is_metric_label(label: str) -> bool:
    """Does a list label name what is counted ("Addresses Visited", "Knives seized"), rather than
    a place ("West Midlands")?"""
    if any(w.lower() in _NOUNS for w in re.findall(r"[A-Za-z][A-Za-z-]*", label)):
        return True
    cls, verb = _label_class(label)
    return cls is not None or verb is not None


def _metric_for(
    head: str | None, verb: str | None, *, sentence: str, context: str, np: NounPhrase
) -> str | None:
    """Map (noun class, verb class) to a metric."""
    if head == ARREST_N:
        return "arrests"
    if head == VICTIM_N:
        if verb == "refer" and _NRM.search(context):
            return "nrm_referrals"
        return "potential_victims"
    if (
        verb == "refer"
        and head in (PERSON_N, CHILD_N, ADULT_N, "union")
        and not _NRM.search(sentence)
    ):
        referral = _SAFEGUARD_REFERRAL.search(sentence)
        if referral and ("vulnerable" in np.words or "safeguarding" in referral.group(0).lower()):
            # "48 vulnerable people were referred to partner agencies for support"
            return {CHILD_N: "victims_children", ADULT_N: "victims_adults"}.get(
                head, "potential_victims"
            )
    if head in (CHILD_N, ADULT_N, "union"):
        if verb == "arrest":
            return "arrests"
        if verb == "charge":
            return "charged"
        if verb == "refer" and _NRM.search(context):
            return "nrm_referrals"
        if verb == "victim":
            return {CHILD_N: "victims_children", ADULT_N: "victims_adults"}.get(
                head, "potential_victims"
            )
        return None
    if head in (PERSON_N, GENDER_N, SUSPECT_N, None):
        if verb == "arrest":
            return "arrests"
        if verb == "charge":
            return "charged"
        if head == SUSPECT_N:
            return None
        if verb == "refer" and _NRM.search(context):
            return "nrm_referrals"
        if verb == "victim" and head != GENDER_N and _VICTIM_CUE.search(sentence):
            return "potential_victims"
        return None
    if head == FORCE_N:
        return "forces_involved"
    if head == COUNTRY_N:
        if _COUNTRY_CUE.search(sentence) and not _COUNTRY_NOT.search(sentence):
            return "countries_involved"
        return None
    if head == INVESTIGATION_N:
        return "new_investigations"
    if head == REFERRAL_N:
        return "nrm_referrals" if _NRM.search(context) else None
    if head == WARRANT_N:
        return "warrants_executed"
    if head == VISIT_N:
        if any(w in ("visits", "raids", "inspections") for w in np.words):
            return "premises_visited"
        return None
    if head == PREMISES_N:
        if verb == "visit" or _VISIT_CUE.search(sentence):
            return "premises_visited"
        return None
    if head == WEAPON_N:
        return "weapons_seized"
    return None


def read_sentence(
    text: str,
    mentions: list[NumberMention],
    *,
    context: str = "",
    previous_metric: str | None = None,
) -> list[Reading]:
    """Read every mention of one sentence. ``mentions`` carry offsets local to ``text``;
    ``context`` is the sentence with its neighbours (for "referrals were made to this");
    ``previous_metric`` is the last metric the sentence before stated, the whole that a part at
    the start of this one refers to ("48 victims were identified. Nineteen of them were
    children.")."""
    readings: list[Reading] = []
    nps = [noun_phrase(text, m.end) for m in mentions]
    label_m = _LABEL.match(text)
    label_cls, label_verb = _label_class(label_m.group("label")) if label_m else (None, None)
    ctx = context or text
    last_metric: str | None = previous_metric
    first_count_seen = False
    aside_end = -1  # counts before this offset sit in an aside about an earlier count
    in_parens = _paren_depths(text, [m.start for m in mentions])
    opener = _OPENER.match(text)
    opener_parent = _opener_metric(opener.group("np")) if opener else None
    # the opener governs its own clause only: "Of the 99 victims, 72 were children and 27
    # adults, and 55 referrals followed"
    opener_end = len(text)
    if opener:
        stop = _OPENER_CLAUSE_END.search(text, opener.end())
        opener_end = stop.start() if stop else len(text)
    for i, m in enumerate(mentions):
        in_opener = opener is not None and (m.start < opener.end() or m.start > opener_end)
        joined = i > 0 and text[nps[i - 1].end : m.figure_start].strip().lower() in (
            "and",
            ",",
            ", and",
        )
        # "comprised 72 children and 27 adults": a number joined to a part is a part too, unless
        # it counts something else ("including 100 minors, and 219 arrests")
        gap = text[nps[i - 1].end : m.figure_start] if i > 0 else ""
        coordinated = (
            i > 0
            and readings[i - 1].subset
            and (gap.strip() in ("and", ",") or _COPULA_PART_GAP.fullmatch(gap) is not None)
            and not (set(nps[i].classes) & _OTHER_COUNTS)
        )
        # "26 potential victims were identified - 21 children and five adults": people listed
        # after a dash or a colon split the count before them
        apposed = (
            i > 0
            and last_metric in ("potential_victims", "arrests")
            and any(r.metric == last_metric and not r.subset for r in readings)
            and _APPOSITION_BEFORE.search(text, max(0, m.figure_start - 4), m.figure_start)
            is not None
            and bool(nps[i].classes)
            and nps[i].classes[0] in (CHILD_N, ADULT_N, PERSON_N, GENDER_N)
        )
        # "identified 64 children and 19 adults": the second number shares the first one's verb
        inherited = readings[i - 1].verb_before if joined else None
        r = _read_one(
            text,
            mentions,
            i,
            nps,
            ctx,
            label_cls if not first_count_seen else None,
            last_metric,
            in_parens[i] or coordinated or apposed or m.start < aside_end,
            None if in_opener else opener_parent,
            inherited,
            label_verb if not first_count_seen else None,
        )
        if m.kind == COUNT or m.kind == MONEY:
            first_count_seen = True
        readings.append(r)
        if r.metric and not r.subset:
            last_metric = r.metric
            if (
                r.verb_before is None
                and i + 1 < len(mentions)
                and mentions[i + 1].start < nps[i].end + 170
            ):
                # "Five people, three men and two women, were arrested": the counts inside the
                # aside about this one are its parts
                ap = _aside_match(text, nps[i].end)
                if ap is not None:
                    aside_end = max(aside_end, ap.end())
    readings = _gender_partitions(text, mentions, nps, readings)
    return _coordinated_partitions(text, mentions, nps, readings)


def _read_one(
    text: str,
    mentions: list[NumberMention],
    i: int,
    nps: list[NounPhrase],
    ctx: str,
    label_cls: str | None,
    parent_metric: str | None,
    in_parens: bool = False,
    opener_parent: str | None = None,
    inherited_verb: str | None = None,
    label_verb: str | None = None,
) -> Reading:
    m = mentions[i]
    np = nps[i]
    fs = m.figure_start
    before = text[max(0, fs - 60) : fs]
    after = text[m.end : m.end + 80]
    if m.kind == MONEY:
        if m.unit != "GBP":
            return _NONE
        cash = _CASH_AFTER.match(after) or _CASH_BEFORE.search(before) or label_cls == CASH_N
        seized = _SEIZED_MONEY_BEFORE.search(before) or _SEIZED_MONEY_AFTER.match(after)
        if (cash or seized) and not (
            _NOT_CASH_AFTER.match(after) or _NOT_CASH_BEFORE.search(before)
        ):
            return Reading("cash_seized_gbp", reason="cash" if cash else "money seized")
        return _NONE
    if m.kind != COUNT:
        return _NONE
    if "other" in np.words and _head(np) == COUNTRY_N and _COUNTRY_WITH_BEFORE.search(before):
        # "the Austrian authorities together with 12 other EU countries": the named one too
        return Reading("countries_involved", value_add=1, reason="named country and others")
    if _ADDITIONAL_BEFORE.search(before) or _OTHERS_AFTER.match(after):
        return Reading(None, reason="additional")
    if "other" in np.words or "others" in np.words:
        return Reading(None, reason="additional")
    after_np = text[np.end : np.end + 60]
    if _RATE_AFTER.match(after_np) or _RATE_AFTER.match(after):
        return Reading(None, reason="rate")
    if (
        _RATIO_AFTER.match(after_np)
        or _RATIO_BEFORE.search(before)
        or (m.value == 1 and _ONE_IN_AFTER.match(after))
    ):
        # "one arrest for every 1,600 people checked", "one in five": arithmetic, not a count
        return Reading(None, reason="ratio")
    head = _head(np)
    np_end = np.end
    if not np.classes:
        cop = _COPULA.match(text, np.end, min(len(text), np.end + 20))
        if cop:
            # "14 were children": the complement names what was counted
            inner = noun_phrase(text, cop.end())
            if inner.classes:
                head, np_end = _head(inner), inner.end
    subset_after = _SUBSET_AFTER.match(after) or _AMONG_THEM_AFTER.match(text, np.end)
    subset = bool(subset_after or _SUBSET_BEFORE.search(before) or in_parens or opener_parent)
    referent = parent_metric or opener_parent
    if subset and referent is None and _VICTIM_WHOLE_BEFORE.search(before):
        referent = "potential_victims"  # "The victims, 23 of whom were under 18, ..."
    if head in (CHILD_N, ADULT_N) and (
        _AMONG_VICTIMS_BEFORE.search(before)
        or _AMONG_VICTIMS_AFTER.match(text, np.end, min(len(text), np.end + 80))
    ):
        # "Among the victims were 14 children", "1,000 children were among the victims"
        subset, referent = True, "potential_victims"
    if subset_after:
        # "236 of them are minors": the noun phrase after "of them (are)"
        inner = noun_phrase(text, m.end + subset_after.end())
        head = _head(inner) or head
        np_end = max(np_end, inner.end if inner.classes else m.end + subset_after.end())
        ref = _REFERENT.match(after)
        if ref:
            # "of those arrested", "of those identified": the whole this number is part of
            referent = "arrests" if ref.group("arrests") else "potential_victims"
            np_end = max(np_end, m.end + ref.end())
            cop = _COPULA.match(text, np_end, min(len(text), np_end + 20))
            if cop is None:
                # "Twenty-two of the 40 people identified as potential victims were children"
                cop = _REFERENT_TAIL_COPULA.match(text, np_end, min(len(text), np_end + 70))
            if cop and not inner.classes:
                inner = noun_phrase(text, cop.end())
                head = _head(inner) or head
    if subset:
        if head in (None, PERSON_N) and referent == "potential_victims":
            # "38 of them under the age of 18", "nine of whom were aged under 18"
            age_head = _age_class(text, np_end if np_end > m.end else m.end)
            head = age_head or head
        if head in (CHILD_N, ADULT_N) and referent == "potential_victims":
            return Reading(
                "victims_children" if head == CHILD_N else "victims_adults",
                subset=True,
                reason="subset",
            )
        # "Nine of those arrested have been charged", "22 of them were referred into the NRM",
        # "... and 55 NRM referrals followed": a part of one count that counts another metric
        va = _verb_after(text, np_end, mentions, i, nps)
        vbs = _VERB_BEFORE.search(before)
        vb_cls = _verb_class(vbs) if vbs else None
        # "charged 96 of them", "referred 22 of them to the NRM": the verb before the part
        if (va == "charge" or vb_cls == "charge") and referent != "charged":
            return Reading("charged", subset=True, reason="subset charged")
        if (
            (va == "refer" or vb_cls == "refer")
            and _NRM.search(ctx)
            and referent != "nrm_referrals"
        ):
            return Reading("nrm_referrals", subset=True, reason="subset referred")
        if head in (None, PERSON_N, SUSPECT_N) and referent in (None, "subset"):
            # a part of a whole that is not itself a count of the same thing ("Officers spoke
            # to 80 workers. Twenty-two of them were identified as potential victims", "Of
            # those suspects, 27 were arrested"): the part is the count, unless the page states
            # the count itself (``part``)
            if va == "victim" and _AS_VICTIMS_AFTER.match(
                text, np_end, min(len(text), np_end + 90)
            ):
                return Reading("potential_victims", subset=True, part=True, reason="part victims")
            if va == "arrest" and (
                _BARE_VERB_AFTER.match(text, np_end) or _APPOSED_PREDICATE.match(text, np_end)
            ):
                return Reading("arrests", subset=True, part=True, reason="part arrested")
        own = _metric_for(head, va, sentence=text, context=ctx, np=np) if head else None
        if own in _OWN_METRIC_IN_SUBSET and own != referent and not (subset_after or in_parens):
            return Reading(own, subset=True, reason="subset other metric")
        return Reading(None, subset=True, reason="subset")
    # "a further 35", and a count pointed back at ("those three countries"): read, rank last
    weak = bool(_FURTHER_BEFORE.search(before) or _DEMONSTRATIVE_BEFORE.search(before))
    verb: str | None = None
    vb = _VERB_BEFORE.search(before)
    if vb is None and np.words and np.words[0] in _GENDER_NOUNS:
        lp = _LEADING_PERSON.search(before)
        if lp is not None:
            # "arrested a man and two women": the verb before the first person
            vb = _VERB_BEFORE.search(before, 0, lp.start() + 1)
            if vb is not None and _verb_class(vb) != "arrest":
                vb = None  # only arrests are added up
    verb_before: str | None = None
    if vb:
        verb = verb_before = _verb_class(vb) if vb.group(0) else None
        weak = weak or (bool(vb.group("the")) and not np.classes)
    if label_cls is not None and (
        head is None or (head in (PERSON_N, SUSPECT_N, "union") and label_cls in _LABEL_DECIDES)
    ):
        head = label_cls
    if verb is None and label_verb is not None:
        verb = label_verb  # "People charged: 537", "Addresses visited: 1,102"
    if head is None or head in (
        PERSON_N,
        SUSPECT_N,
        CHILD_N,
        ADULT_N,
        GENDER_N,
        "union",
        PREMISES_N,
        VICTIM_N,
    ):
        tot = _TOTALLED_BEFORE.search(before) or _NUMBER_OF_BEFORE.search(before)
        if tot and head is None:
            noun = tot.group("noun") or tot.groupdict().get("noun2") or ""
            head = _NOUNS.get(noun.lower()) or (VICTIM_N if _SAFEGUARD_LABEL.search(noun) else None)
        verb_after_used = False
        if (
            (verb is None or verb == "neutral")
            and head in (PERSON_N, CHILD_N, ADULT_N, "union")
            and _VICTIM_DESC_AFTER.match(text, np.end, min(len(text), np.end + 120))
        ):
            verb = "victim"  # "nine men who showed signs of being exploited"
        if verb is None or verb in ("neutral",):
            va = _verb_after(text, np.end, mentions, i, nps)
            if va is not None:
                verb = va
                verb_after_used = True
        if head is None and verb == "victim":
            # "99 were identified as potential victims", "114 safeguarded"
            tail = text[np.end : np.end + 80]
            if not re.match(
                r"(?:\s\w+){0,4}\s(?:as\s(?:potential\s|possible\s)?victims|safeguarded|rescued|freed)",
                tail,
                re.IGNORECASE,
            ):
                verb = None
        bare = head is None and label_cls is None and verb in ("arrest", "charge")
        if bare and verb_after_used and not _BARE_VERB_AFTER.match(text, np.end):
            # a bare number must sit right before its verb: "16 were arrested", "six charged"
            verb = None
    if verb is None and inherited_verb:
        verb = verb_before = inherited_verb
    searched = _warrant_reading(head, np, before, text)
    if searched is not None:
        return Reading(searched, weak=weak, verb_before=verb_before) if searched else _NONE
    if head == BLADE_N and verb is None:
        verb = _verb_after(text, np.end, mentions, i, nps)  # "106 firearms were seized"
    if head == BLADE_N and (verb == "seize" or label_cls == WEAPON_N):
        # weapons counted by kind ("106 firearms were seized", "seized six knives"): the
        # weapons figure when the page states no total of weapons, which otherwise wins
        return Reading("weapons_seized", weak=weak, part=True, reason=_BY_KIND)
    if head in (THING_N, STAFF_N, BLADE_N):
        return _NONE
    if head == PERSON_N and verb == "victim":
        head = _age_class(text, np.end) or head  # "40 people under the age of 18 were found"
    metric = _metric_for(head, verb, sentence=text, context=ctx, np=np)
    if metric is None:
        return Reading(None, verb_before=verb_before)
    return Reading(
        metric,
        weak=weak,
        value_add=(np.extra_people + _leading_person(before, np)) if metric == "arrests" else 0,
        verb_before=verb_before,
    )


_BY_KIND = "weapons by kind"
# A named country and N others: "Spain, together with 12 other countries", "French police and
# nine other countries". The name must stand right before the joining words.
_COUNTRY_WITH_BEFORE = re.compile(
    r"\b[A-Z][\w'’-]+(?:\s(?:authorities|police|officers|investigators|law\senforcement))?,?\s"
    r"(?:together\swith|along\swith|alongside|and|with)\s$"
)
# Searches of premises are how a search warrant is executed: "carried out 457 house searches",
# "warrants were executed at seven addresses". Not stop-and-search, vehicle or online searches.
_SEARCH_WARRANT_WORDS = frozenset({"searches", "search"})
_NOT_PREMISES_SEARCH = frozenset(
    {"stop", "vehicle", "vehicles", "online", "database", "person", "body", "strip", "computer"}
)
_STOP_AND_SEARCH = re.compile(r"\bstop(?:\s(?:and|&)\s|-)search", re.IGNORECASE)
_WARRANTS_AT_BEFORE = re.compile(
    r"\bwarrants?\s(?:(?:were|was|have\sbeen|had\sbeen)\s)?(?:(?:executed|carried\sout|served|"
    r"conducted)\s)?(?:at|on|across)\s(?:a\stotal\sof\s)?$",
    re.IGNORECASE,
)


def _warrant_reading(head: str | None, np: NounPhrase, before: str, text: str) -> str | None:
    """``warrants_executed`` for searches of premises, ``""`` for arrest warrants (never a
    figure: a warrant to arrest is not a search), None when the rule does not apply."""
    if head == WARRANT_N and "arrest" in np.words:
        return ""  # "served 367 arrest warrants", "European arrest warrants"
    if head == PREMISES_N and _WARRANTS_AT_BEFORE.search(before):
        return "warrants_executed"  # "carried out warrants at seven addresses"
    if (
        head == THING_N
        and np.words
        and np.words[-1] in _SEARCH_WARRANT_WORDS
        and not _NOT_PREMISES_SEARCH.intersection(np.words)
        and not _STOP_AND_SEARCH.search(text)
    ):
        return "warrants_executed"
    return None


# "under the age of 18", "aged under 18", "under 18": children; "aged 18 or over": adults.
_UNDER_18_AFTER = re.compile(
    r"(?:\s(?:were|are|was|is|being|all|of\sthem))*\s(?:aged\s)?(?:under|below|younger\sthan|less\sthan)\s"
    r"(?:the\sage\sof\s)?(?:18|eighteen)\b",
    re.IGNORECASE,
)
_OVER_18_AFTER = re.compile(
    r"(?:\s(?:were|are|was|is|being|all|of\sthem))*\s(?:aged\s)?(?:(?:18|eighteen)\s(?:or|and)\s(?:over|older|above)|"
    r"(?:over|above|older\sthan)\s(?:the\sage\sof\s)?(?:18|eighteen)\b)",
    re.IGNORECASE,
)


# "a man and two women were arrested": one more person named before the number.
_LEADING_PERSON = re.compile(
    r"(?:^|[^\w-])(?:a|an)\s(?:[\w-]+\s)?(?:man|woman|boy|girl|teenager|youth)\s(?:and|&)\s$",
    re.IGNORECASE,
)


def _leading_person(before: str, np: NounPhrase) -> int:
    if np.words and np.words[0] in _GENDER_NOUNS and _LEADING_PERSON.search(before):
        return 1
    return 0


def _age_class(text: str, pos: int) -> str | None:
    """CHILD_N or ADULT_N when the words at ``pos`` put an age bound on the people counted."""
    end = min(len(text), pos + 60)
    if _UNDER_18_AFTER.match(text, pos, end):
        return CHILD_N
    if _OVER_18_AFTER.match(text, pos, end):
        return ADULT_N
    return None


def _opener_metric(np_text: str) -> str | None:
    """The metric of the whole a sentence opens on: "Of those arrested," -> arrests."""
    if re.search(r"\b(?:arrested|arrests|detained)\b", np_text, re.IGNORECASE):
        return "arrests"
    np = noun_phrase(" " + np_text, 0)
    head = _head(np)
    if head == VICTIM_N or (
        head in (PERSON_N, "union")
        and re.search(r"\b(?:safeguarded|identified|rescued|found)\b", np_text)
    ):
        return "potential_victims"
    if head == "union":
        return "potential_victims"
    if head is None and re.search(
        r"\b(?:safeguarded|identified|rescued|found|freed|supported)\b", np_text
    ):
        return "potential_victims"  # "Of those safeguarded, 12 were under 18"
    return "subset" if head else None


def _coordinated_partitions(
    text: str, mentions: list[NumberMention], nps: list[NounPhrase], readings: list[Reading]
) -> list[Reading]:
    """ "89 nail bars and 112 car washes": coordinated counts of one metric with no stated total
    are parts of an unstated whole, and adding them up would be our own arithmetic."""
    out = list(readings)
    i = 0
    while i < len(mentions) - 1:
        group = [i]
        j = i
        while j + 1 < len(mentions):
            gap = text[nps[j].end : mentions[j + 1].figure_start].strip().lower()
            same = out[j + 1].metric == out[i].metric and (out[j + 1].reason == _BY_KIND) == (
                out[i].reason == _BY_KIND
            )  # "five firearms and 51 weapons": the weapons are the stated total, not a part
            if gap in ("and", ",", ", and", "&") and same:
                group.append(j + 1)
                j += 1
            else:
                break
        if len(group) > 1 and out[i].metric is not None and out[i].reason != "summed":
            for k in group:
                out[k] = Reading(None, reason="partition")
        i = group[-1] + 1
    return out


def _gender_partitions(
    text: str, mentions: list[NumberMention], nps: list[NounPhrase], readings: list[Reading]
) -> list[Reading]:
    """ "12 men and 3 women were arrested" is 15 arrests; "34 female and 215 male ... safeguarded"
    is a split without a stated total, which is not a figure."""
    out = list(readings)
    i = 0
    while i < len(mentions) - 1:
        a = nps[i]
        if not (a.words and a.words[0] in _GENDER_NOUNS):
            i += 1
            continue
        group = [i]
        j = i
        while j + 1 < len(mentions):
            gap = text[nps[j].end : mentions[j + 1].figure_start].strip().lower()
            nb = nps[j + 1]
            if gap in ("and", ",", ", and") and nb.words and nb.words[0] in _GENDER_NOUNS:
                group.append(j + 1)
                j += 1
            else:
                break
        if len(group) > 1:
            last = out[group[-1]]
            if last.metric in ("arrests", "charged"):
                total = sum(int(mentions[k].value) for k in group) + sum(
                    out[k].value_add for k in group
                )
                out[group[0]] = Reading(
                    last.metric, value_add=total - int(mentions[group[0]].value), reason="summed"
                )
                for k in group[1:]:
                    out[k] = Reading(None, reason="summed")
            else:
                for k in group:
                    out[k] = Reading(None, reason="partition")
        i = group[-1] + 1
    return out
