"""Which operation a sentence's numbers belong to: the scope rules.

Scopes (docs/CONTRACTS.md, "Vocabulary"):

- ``operation``: the headline operation the page is about.
- ``international``: a wider multi-country action that a UK-focused page also reports ("part of a
  wider intensification ... across Europe", INTERPOL's worldwide totals). On a page whose headline
  operation *is* the multi-country action (a Europol, INTERPOL or Frontex release, or news about
  one) those totals are ``operation``.
- ``force``: one force's, one country's or one place's part ("Police Scotland safeguarded five
  minors", "In Sudan, police rescued ...", "eight in France and four in Spain").
- ``context``: background statistics (a year's NRM statistics, lifetime totals "since its launch
  in November 2019", period comparisons).

A sentence can also report nothing (scope None): a rhetorical question, a commentator's own
arithmetic ("this equates to just two arrests per police force"), an image caption, or a
separate operation described on the same page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from tasks.figures.metric_rules import is_metric_label
from tasks.figures.places import (
    AGENCY,
    COUNTRY,
    DEMONYM,
    FORCE,
    FORCE_AREA_NAMES,
    FORCE_AREAS_IMPLIED,
    INTERNATIONAL_AGENCIES,
    UK_AGENCIES,
    UK_PLACE_NAMES,
    Entity,
    demonym_countries,
    find_entities,
    own_name_pattern,
)
from tasks.figures.places import (
    FORCE_NAMES as _FORCE_NAMES,
)
from tasks.figures.sentences import cue_starts, cue_text, finditer_at

OPERATION = "operation"
INTERNATIONAL = "international"
FORCE_SCOPE = "force"
CONTEXT = "context"

# A commentator's own arithmetic or opinion: never a reported figure.
# Cue words of the costly sentence patterns below: every match holds one of them
# (tests/test_regex_cues.py checks it), so a sentence without any skips the search. Every
# sentence of every page is searched for these, and most hold none.
_COMMENTARY_CUES = (
    "equat", "work", "divid", "you get", "do the", "that", "averag", "other words", "which means",
    "so what of",
)  # fmt: skip
_OTHER_OPERATION_CUES = (
    "separate", "parallel", "case", "example", "instance", "incident", "in one", "related",
    "similar", "previous", "earlier", "last", "prior", "recently", "previously",
)  # fmt: skip
_SPLIT_CUES = (
    "total", "tally", "number", "count", "up from", "down from", "compared", "increase",
    "decrease", "rise", "fall", "drop", "versus", "as against",
)  # fmt: skip
_CONTEXT_CUES = (
    *_SPLIT_CUES, "year", "month", "decade", "since", "launch", "inception", "start",
    "annual", "at any", "currently", "there", "between", "over the same", "figures", "statistics",
    "period", "quarter", "half", "election", "present", "moment", "end of", "close of", "estimat", "under", "ongoing", "running",
    "believed", "thought", "so far", "to date", "from ", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december",
)  # fmt: skip
_WIDER_CUES = (
    "wider", "world", "across the", "around the", "global", "europe", "eu-wide", "international",
    "in total across", "interpol", "europol", "frontex", "empact", "part of a", "countries", "level",
    "member states", "nations",
)  # fmt: skip
_COMMENTARY = re.compile(
    r"\b(?:equates? to|works? out (?:at|to|as)|divid(?:e|ed|ing)\b[^.;]{0,80}\bby\b|you get|do the (?:sums|maths|math)|"
    r"that'?s (?:just |only |roughly |about )?(?:\w+ )?per\b|"
    r"that is (?:just |only )?(?:\w+ )?per\b|on average|averag(?:e|es|ed|ing)|in other words|"
    r"which means|so what of)\b",
    re.IGNORECASE,
)
# Another operation on the same page, or one illustrative case: its numbers are not the headline's.
_OTHER_OPERATION = re.compile(
    r"\b(?:in a separate (?:operation|action|investigation|case)|a separate (?:operation|action)|"
    r"separate operation|parallel operation|in (?:another|one) (?:case|example|instance|incident)|"
    r"one case involved|in one [A-Z]?\w+ (?:success|case|operation|investigation)|"
    r"in a related (?:case|operation)|"
    r"(?:an?|the) (?:similar|previous|earlier|unrelated|last|prior) (?:operation|action|crackdown|week of action|"
    r"intensification|investigation|raid)|last year's (?:operation|week|action|intensification)|"
    # an earlier event told as background: "Most recently, on 24 July, 62 people were arrested"
    r"^(?:most\srecently|earlier\sthis\s(?:year|month)|previously|in\san\searlier\s\w+)\b)\b",
    re.IGNORECASE,
)
# Background statistics: a year, a lifetime, a comparison between periods.
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
# A running total that the sentence's own result adds to: "taking the total to 2,071".
# Not a running total of the operation itself ("bringing the total for the week to 64").
_CUMULATIVE = (
    r"\b(?:taking|bringing|takes|brings|took|brought|pushing|pushes|raising|raises)\s(?:the|its|their|our|this)\s"
    r"(?:[\w'’-]{1,30}\s){0,2}(?:total|tally|number|count)\b"
    r"(?![^.;\d]{0,40}?\b(?:for|during|over|in|of|across|from)\s(?:the|this)\s(?:[\w-]{1,20}\s)?"
    r"(?:week|operation|intensification|action|fortnight|day|crackdown|campaign|blitz|raids)\b)"
)
# A comparison with another period: "up from 158 a year earlier", "compared with 48 last year".
_COMPARISON = (
    r"\b(?:up from|down from|compared (?:with|to)|(?:an? )?(?:\d{1,6}(?:\.\d{1,3})?%? |[a-z-]{1,20} (?:per ?cent )?)?"
    r"(?:increase|rise|decrease|fall|drop) (?:on|from)|versus|as against)"
)
_CONTEXT = re.compile(
    r"\b(?:in the (?:year|12 months|twelve months|financial year) (?:ending|to|up to)|year ending|"
    r"financial year|calendar year|since (?:its |the (?:\w+'?s? )?)?(?:launch|inception|creation|start)\b|"
    r"(?:from|since) the (?:operation|programme|unit|scheme|campaign|initiative)'?s? (?:launch|inception|start)|"
    rf"since (?:{_MONTH}|(?:19|20)\d\d)\b|since records began|so far this year|last year|"
    # the year's running totals: "This year there have been more than 150 arrests"
    r"this year,? (?:there (?:have|has) been|(?:we|they|it|officers|police) (?:have|has))|"
    r"each year|every year|per year|a year\b(?!-)|annually|at any (?:one )?time|"
    r"currently (?:has|have|holds|hold|runs|run|manages|manage|estimates|contains|contain|"
    r"includes|include|comprises|comprise)\b|"
    # a continuing investigation's running total: "So far it has prioritised contacting 83
    # victims", "to date the inquiry has identified ..."
    r"(?:so far|to date),? (?:it|they|the (?:investigation|inquiry|operation|team)) (?:has|have)\b|"
    r"there (?:are|is) (?:an estimated |estimated |about |around |some |more than |over )?\d+|"
    r"annual (?:figures|statistics|report)|"
    r"year[- ]on[- ]year|compared (?:with|to)|up from|down from|"
    r"in the (?:past|last) (?:\w+ )?(?:years|months|decade)|over the (?:past|last) (?:\w+ )?(?:years|months|decade)|"
    # a period of months or more, which no week of action lasts: "in the 18 months to November
    # 2018", "over the past year", "since the election", "in this period"
    r"in the (?:first )?(?:[\w-]+ )?(?:months|years) (?:to|up to|ending|since)|"
    # "in the first three months of 2022", "in the second quarter of 2023": a reporting period
    r"in the (?:first|second|third|fourth|final|last) (?:[\w-]+ )?(?:months|quarter) of (?:19|20)\d\d|"
    # a standing caseload or a running count at a point in time: "it is running around 60
    # investigations at present", "At the end of 2018, 47 victims had been referred"
    r"at present|at the moment|"
    r"(?:at|by) the end of (?:(?:19|20)\d\d|the (?:financial )?year)|"
    r"(?:at|by) the close of (?:(?:19|20)\d\d|the (?:financial )?year)|"
    # "over the first half of the year": a reporting period, not a week of action
    r"(?:in|over|during) the (?:first|second) half of (?:the year|(?:19|20)\d\d)|"
    r"(?:in|over|during) the (?:past|last|previous) (?:month|year|quarter|financial year)|"
    r"since the (?:general )?election|since then|(?:in|during|over) (?:this|that|the same) period|"
    rf"in {_MONTH} and {_MONTH}|from (?:{_MONTH} )?(?:19|20)\d\d (?:up )?(?:to|until)\b|"
    # an estimate of prevalence, a standing caseload, a lifetime count of victims
    r"estimate[sd]? (?:of|that|suggests?)|"
    r"(?:investigations?|cases|inquiries|enquiries) (?:(?:are|is|were|remain) (?:still |currently )?)?"
    r"(?:running|under ?way|ongoing)\b|"
    r"there (?:are|is|were|was) (?:believed|thought|estimated|said|reported) to (?:be|have been)|"
    # an unverified estimate of a count: "a crime that is thought to have 13,000 victims"
    r"(?:thought|believed|estimated) to (?:have|number) (?:more than |over |around |"
    r"about |some |up to |an estimated )?\d[\d,]*|"
    rf"between {_MONTH} and {_MONTH}|over the same (?:period|months)|"
    r"(?:official|government|national) (?:figures|statistics) (?:show|published)|figures published|"
    # lifetime totals: "since it began in November 2019", "since the programme was launched"
    r"since (?:it|they|the [\w'’ -]{1,40}?|its [\w -]{1,30}?|[A-Z][\w'’ -]{1,40}?) "
    r"(?:began|started|launched|was (?:launched|set up|established|formed|created|introduced)|"
    r"came into (?:force|being)|commenced)|"
    # a standing caseload: "is currently leading around 70 investigations"
    r"currently (?:leading|running|managing|conducting|handling|pursuing|investigating|overseeing|"
    r"working on|dealing with)|"
    rf"(?:{_CUMULATIVE})|(?:{_COMPARISON}))\b",
    re.IGNORECASE,
)
_SPLIT_CUE = re.compile(rf"(?:{_CUMULATIVE}|{_COMPARISON})\b", re.IGNORECASE)
# Where the clause that holds a comparison starts: "identified 211 victims, up from 158".
_CLAUSE_BREAK = re.compile(r",\s|\s[-–—]\s|;\s|\s\(|\s(?:and|while|whilst|whereas|which)\s")
# A standalone year with a preposition: "In 2020, 4,946 children ...". Context when the year is
# not the operation's own year.
_YEAR_PHRASE = re.compile(
    r"\b(?:in|during|throughout|for|of|by)\s+(?:the\s+)?(?P<y>(?:19|20)\d\d)\b(?!\s*[/-])"
    # "In December 2021 the GLAA identified nine ...", on a page of a later year: an earlier
    # action, at the start of its sentence
    rf"|^(?:In|During|Back\sin)\s+(?:{_MONTH})\s+(?P<my>(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
# A sentence about an operation itself, which an earlier year does not make background.
_OPERATION_WORDS = re.compile(
    r"\b(?:operation|week of action|intensification|crackdown|raids|action days?)\b", re.IGNORECASE
)
# Words that make a sentence on a UK-focused page report the wider multi-country action.
_WIDER = re.compile(
    r"\b(?:wider|worldwide|world-wide|across the (?:world|globe|continent|EU|European Union)|"
    r"around the (?:world|globe)|globally|across Europe|Europe-wide|EU-wide|pan-European|"
    r"throughout Europe|internationally|international (?:totals?|results?|figures)|"
    r"in total across|from across Europe|"
    # "the international police team arrested 14 people in Romania, Spain and the Czech Republic"
    r"the\s(?:whole\s|wider\s)?international\s(?:police\s|investigation\s|joint\s)?(?:team|operation|action|investigation)|"
    r"(?:other )?European (?:police|law enforcement|partner) (?:agencies|forces|authorities|services)|partners (?:from|across|in) (?:\w+ )?(?:countries|Europe)|"
    r"(?:INTERPOL|Interpol|Europol|EUROPOL|Frontex|EMPACT)(?:['’]s)? (?:also |further |later )?(?:said|says|published|reported|announced|released|figures|results|totals?|data)|"
    r"according to (?:INTERPOL|Interpol|Europol|EUROPOL|Frontex)|"
    r"part of an? (?:wider|larger|broader|bigger|European|international|global|Europe-wide|EU-wide|worldwide|pan-European) "
    r"(?:\w+ )?(?:operation|action|intensification|effort|crackdown|campaign|week)|"
    r"across (?:the |all )?(?:\d[\d,]*|[a-z]+)? ?(?:participating |partner |other )?countries|"
    r"(?:participating|partner|other) countries|"
    # "At European level the operation was led by the Netherlands": the whole, after the part
    r"at (?:the )?(?:European|EU|international|global|Europe-wide) level)\b",
    re.IGNORECASE,
)
_UK_PLACES = "|".join(re.escape(p) for p in UK_PLACE_NAMES)
# A UK force area, county or city named anywhere in a text.
UK_PLACE = re.compile(rf"\b(?:{_UK_PLACES})\b")
# Words that pin a sentence's numbers to the UK (so they are not the wider action's).
_UK_LOCAL = re.compile(
    r"\b(?:in|across|throughout) the UK\b|\bUK-wide\b|\bin (?:England|Scotland|Wales|Northern Ireland|Britain)\b|"
    rf"\b(?:in|across|throughout) (?:{_UK_PLACES})\b|"
    # "arrested by the NCA"; not "an operation co-ordinated by the NCA", which says who led
    r"\b(?<!ordinated )(?<!led )(?<!organised )(?<!supported )by the (?:NCA|National Crime Agency)\b|\bNCA (?:officers|officials|investigators|teams)\b|"
    r"\bBritish police\b|\bUK police\b|\bUK (?:activity|strand|part|leg|operation|week|arm|element|teams?|officers|forces)\b"
)
_SEAT_BEFORE = re.compile(
    r"\b(?:based|headquartered|located|situated|seated)\s+in\s+(?:[\w'’-]+\s+){0,4}$",
    re.IGNORECASE,
)
# A sentence that opens on a place: "In Sudan, ...", "At Corby, ...".
_PLACE_OPENER = re.compile(
    r"^(?:In|At|Across|Over in|Meanwhile,? in)\s+(?:the\s+)?(?P<place>[A-Z][\w'’-]+(?:\s+(?:of\s+)?[A-Z][\w'’-]+){0,3})"
    # "In Sudan, ...", or with no comma before who acted there: "In Tower Hamlets officers ..."
    r"(?:\s*,|(?=\s(?:officers|police|detectives|teams|the\sforce)\b))"
)
_NOT_PLACES = frozenset(
    f"""Operation Operations Project Op Phase Week
    Europe Africa Asia America Americas EU World Britain Addition Contrast Summary Response Light
    All Total Addition Particular Response Short Fact One Each Every Another Its Their His Her
    This That These Those Summary Conclusion Practice Court Custody Turn Return General Brief
    Spring Summer Autumn Winter Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    {_MONTH.strip("(?:)").replace("|", " ")}""".split()
)
# A dateline before the lead: "LYON, France -", "YAOUNDÉ, Cameroon –", "LONDON (Reuters) -".
_DATELINE = re.compile(
    r"^[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’.-]+(?:\s[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’.-]+){0,3}"
    r"(?:,\s[A-Z][\w'’.-]+(?:\s[A-Z][\w'’.-]+){0,3})?(?:\s\([\w .]{1,30}\))?,?\s[-–—]\s"
)
# A results line labelled with a place: "London: 128 arrests from 151 visits".
_LABEL_LINE = re.compile(
    r"^(?P<label>[A-Z][\w'’.&-]*(?:\s[\w'’.&-]+){0,4}?)(?::\s|\s[-–—]\s(?=\d)|\s(?=\d[\d,.\s]{0,20}$))"
)
# Capitalised label words that are not places (metric words are ruled out separately).
_NOT_PLACE_LABELS = frozenset(
    [
        "total",
        "totals",
        "overall",
        "result",
        "results",
        "summary",
        "outcome",
        "outcomes",
        "key",
        "headline",
        "headlines",
        "national",
        "nationally",
        "nationwide",
        "week",
        "weeks",
        "day",
        "days",
        "update",
        "note",
        "notes",
        "figures",
        "statistics",
        "stats",
        "highlights",
        "operation",
        "op",
        "project",
        "breakdown",
        "source",
        "sources",
        "date",
        "dates",
        "uk-wide",
        "countrywide",
        "arrests",
        "arrested",
        "charged",
        "victims",
        "safeguarding",
        "safeguarded",
        "cash",
        "warrants",
        "premises",
        "weapons",
        "referrals",
        "people",
        "children",
        "adults",
        "investigations",
        "seizures",
        "seized",
        "visits",
        "forces",
        "countries",
        "drugs",
        "vehicles",
        "lines",
        "officers",
        "police",
        "partners",
        "agencies",
        "in",
        "including",
        "where",
        "when",
        "what",
        "who",
        "why",
        "how",
        "update",
    ]
)
# "eight in France": a number followed by "in <Place>" (a per-place split when it occurs twice).
_IN_PLACE_AFTER = re.compile(
    r"(?:\s+[a-z][\w-]*){0,3}?\s+(?:in|from|at)\s+(?:the\s+)?(?P<place>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2})"
)
# The first count of a per-place list may have its whole clause before the place ("23 children
# were removed from harm in Queensland, 10 in South Australia, eight in Victoria").
_IN_PLACE_AFTER_FIRST = re.compile(
    r"(?:\s+[a-z][\w-]*){0,7}?\s+(?:in|at)\s+(?:the\s+)?(?P<place>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2})"
    r"(?=\s*,)"
)
# Markers in a title or lead that the headline operation is multi-country.
_INTL_MARKERS: tuple[tuple[re.Pattern[str], int], ...] = (
    (
        re.compile(
            r"\b(?:Europol|EUROPOL|Interpol|INTERPOL|Frontex|FRONTEX|EMPACT|Eurojust|UNODC)\b"
        ),
        2,
    ),
    (
        re.compile(
            r"\b(?:EU-wide|Europe-wide|pan-European|global|Global|worldwide|Worldwide|multi-country|Multi-country|cross-border)\b"
        ),
        2,
    ),
    (re.compile(r"\b(?:European|Europe(?!-)|international|International|countries)\b"), 1),
)
# The page reports its own part of a wider action: "Kent arrests as part of Europe-wide
# crackdown", "BTP joins European rail action".
_PART_OF_WIDER = re.compile(
    r"\b(?:(?:as|is|was|formed|forms)\s)?part\sof\s(?:an?\s|the\s)?(?:[\w-]+\s){0,2}?"
    r"(?:Europe-wide|EU-wide|European|international|International|global|worldwide|"
    r"pan-European|multi-country|wider|Interpol|INTERPOL|Europol)\s(?:[\w-]+\s){0,2}?"
    r"(?:operation|action|crackdown|intensification|day|week|campaign|effort|sweep|push)\b"
    r"|\bjoin(?:s|ed)?\s(?:an?\s|the\s)?(?:[\w-]+\s){0,2}?(?:Europe-wide|EU-wide|European|"
    r"international|International|global|worldwide|pan-European|Interpol|INTERPOL|Europol)\b"
)
_UK_MARKERS: tuple[tuple[re.Pattern[str], int], ...] = (
    (
        re.compile(
            r"\b(?:UK|U\.K\.|United Kingdom|Britain|British|England|English|Wales|Welsh|Scotland|Scottish|Northern Ireland|UK-wide)\b"
        ),
        2,
    ),
    (
        re.compile(
            r"\b(?:NCA|National Crime Agency|NPCC|GLAA|Home Office|county lines|County Lines|police force|police forces)\b"
        ),
        2,
    ),
    (UK_PLACE, 2),
    # a national page's own frame, in any country: "the police took part in a 46-country action
    # week", "30 premises were closed across the country"
    (
        # (case spelt out: these are tried on the opening of every page, and an ignore-case
        # pattern is slower there)
        re.compile(
            r"\b(?:[Pp]olice|[Aa]uthorities|[Oo]fficers|[Gg]endarmerie)\s(?:[\w-]+\s)?"
            r"(?:took|take|takes|taking|has\staken|have\staken)\spart\sin\b"
        ),
        3,
    ),
    (
        re.compile(
            r"\b(?:[Aa]cross|[Tt]hroughout|[Aa]ll\sover|[Aa]round)\sthe\scountry\b|\b[Nn]ationwide\b|"
            r"\bin\s(?:different|all)\sparts\sof\sthe\scountry\b"
        ),
        2,
    ),
    # the page reports its own part of a wider action: "Kent arrests as part of Europe-wide
    # crackdown", "BTP joins European rail action"
    (_PART_OF_WIDER, 3),
)


@dataclass(frozen=True, slots=True)
class PageProfile:
    """What the whole page is about, for the sentence scope rules."""

    international_headline: bool
    lead: str | None
    # canonical names of entities that are the headline operation's own (its lead, what the title
    # names, the countries that led it, the UK on a UK-focused page)
    home: frozenset[str] = frozenset()
    # lowercase place words of the title and of the lead's area ("london" on a Met page)
    home_places: frozenset[str] = frozenset()
    op_year: int | None = None
    # several UK forces took part: a named force's results are its part of the operation (on a
    # page about one force working with an agency, that force's results are the operation's)
    multi_force: bool = True
    # the headline operation is a joint operation of a few named countries and no wider action
    # is reported ("a joint operation between the UK, France and Belgium"): its countries are
    # its own, not a wider action's
    joint_operation: bool = False
    # a country other than the UK whose own part of a multi-country action the page reports
    # (national_side): its mentions are the page's own side, as the UK's are on a UK page
    side: str | None = None


@dataclass(frozen=True, slots=True)
class Scope:
    scope: str | None  # None: the sentence reports no figure
    subject: str | None = None
    reason: str = ""
    # numbers from this offset on belong to the wider action ("The UK operation was part of a
    # wider European push which saw 170 arrests")
    international_from: int | None = None
    # the subject is the force or country that does the reporting sentence's action; each number
    # takes the one named last before it
    per_number_subject: bool = False
    # numbers from this offset on are background ("identified 211 victims, up from 158 a year
    # earlier", "made 30 arrests, taking the total to 1,250")
    context_from: int | None = None


def _marker_score(text: str, markers: tuple[tuple[re.Pattern[str], int], ...]) -> int:
    return sum(w for rx, w in markers if rx.search(text))


# A country's own police as the title's actor: its part of a wider action, as a UK force's is.
_NATIONAL_POLICE = re.compile(
    r"\b[A-Z][a-z]+(?:ian|ish|ese|ch|ic|an|i)\s(?:police|Police|authorities|officers|detectives|"
    r"prosecutors|border\sguards)\b"
)
# How much of the body decides when the title and the lead name neither side: the opening
# paragraphs of a release, where its subject is introduced.
OPENING_CHARS = 1_500


def is_international_headline(
    title: str, lead_sentence: str, publisher_agency: str | None, body: str = ""
) -> bool:
    """Is the page's headline operation itself the multi-country action?

    True for pages published by an international agency, and for pages whose title and lead say
    more about an international action than about a UK one (the title counts double). When
    neither names a side ("Largest-ever operation rescues 4,400", a lead that sets the scene),
    the opening of the body decides: a news story about an INTERPOL action that never mentions
    the UK is about the multi-country action.
    """
    if publisher_agency in INTERNATIONAL_AGENCIES:
        return True
    intl = 2 * _marker_score(title, _INTL_MARKERS) + _marker_score(lead_sentence, _INTL_MARKERS)
    uk = 2 * _marker_score(title, _UK_MARKERS) + _marker_score(lead_sentence, _UK_MARKERS)
    if intl == 0 and uk == 0 and body and publisher_agency is None:
        opening = body[:OPENING_CHARS]
        intl = _marker_score(opening, _INTL_MARKERS)
        uk = _marker_score(opening, _UK_MARKERS)
        for e in find_entities(opening):
            if e.kind == FORCE:
                uk += 2
    title_ents = find_entities(title)
    for e in title_ents:
        # a demonym is an entity only before a law-enforcement noun: "Slovak police"
        national = e.kind in (FORCE, DEMONYM) or (
            e.kind == AGENCY and e.name not in INTERNATIONAL_AGENCIES
        )
        if national:
            # a UK force or a national agency in the title: the page is about its part; more so
            # as the title's subject ("Gardaí identify ... during Interpol crackdown")
            uk += 6 if e.start == 0 else 4
    for e in find_entities(lead_sentence):
        if e.kind == FORCE:
            uk += 3  # "As part of the Europe-wide week, Kent Police arrested six": its part
    police = _NATIONAL_POLICE.search(title)
    if police and not any(e.kind == DEMONYM for e in title_ents):
        # "Spanish police arrest 12 in Europe-wide sweep": that country's part
        uk += 6 if police.start() == 0 else 3
    if publisher_agency in UK_AGENCIES or publisher_agency in _FORCE_NAMES:
        uk += 4
    if _UK_LOCAL.search(lead_sentence):
        uk += 3  # "arrested in the UK": the lead's own figures are the UK's
    return intl > uk


def make_profile(
    *,
    title: str,
    lead_sentence: str,
    publisher_agency: str | None,
    lead: str | None,
    leaders: tuple[str, ...] = (),
    op_year: int | None = None,
    multi_force: bool = True,
    joint_operation: bool = False,
    international: bool | None = None,
    side: str | None = None,
) -> PageProfile:
    """``international``: ``is_international_headline`` of the same title, lead and publisher,
    when the caller has it already."""
    intl = (
        is_international_headline(title, lead_sentence, publisher_agency)
        if international is None
        else international
    )
    home: set[str] = set(leaders)
    if lead:
        home.add(lead)
    for e in find_entities(title):
        home.add(e.name)
    if side is not None:
        home.add(side)
    elif not intl:
        home.add("UK")
    places = {w.lower() for w in re.findall(r"[A-Z][\w'’-]+", title)}
    if lead:
        for area in FORCE_AREAS_IMPLIED.get(lead, ()):
            places.add(area.lower())
            places.update(a.lower() for a in area.split())
    return PageProfile(
        intl,
        lead,
        frozenset(home),
        frozenset(places),
        op_year,
        multi_force,
        joint_operation,
        side,
    )


# "security agencies in Ghana rescued 21": a country named as where the lead's action happened
_IN_BEFORE = re.compile(r"\b(?:in|across|throughout)\s(?:the\s)?$", re.IGNORECASE)
# How many body sentences are searched for the side's own results.
_SIDE_SENTENCES = 40
# A sentence naming the country as one participant of the whole ("Bangladesh and 24 other
# countries joined", "22 countries, Poland among them", "Ireland has taken part in an operation
# which identified 1,426 victims worldwide"): its counts are the whole's, not the country's own.
_PARTICIPANT = re.compile(
    r"\b(?:took\spart|taking\spart|takes?\spart|participat\w*|joined|joins|join|"
    r"among\s(?:them|others)|and\s(?:\d+|[a-z-]+)\sother)\b",
    re.IGNORECASE,
)


def _sides_named(text: str, ents: list[Entity]) -> set[str]:
    names = {e.name for e in ents if e.kind in (COUNTRY, DEMONYM)}
    names.update(demonym_countries(text))
    return names


def home_country(title: str, lead_sentence: str, publisher: str | None = None) -> str | None:
    """The country, other than the UK, of a national page that names no UK force, agency or
    place in its title and lead and names exactly one country there as its side ("Peru's
    National Police rescued 75 victims in the Madre de Dios region"), or None. Its mentions are
    then the page's own, as the UK's are on a UK page; without it a national page of another
    country read its own country as a part of the operation."""
    head = f"{title}\n{lead_sentence}"
    if UK_PLACE.search(head) or _UK_LOCAL.search(head):
        return None
    ents = find_entities(head)
    if any(e.kind == FORCE or (e.kind == AGENCY and e.name in UK_AGENCIES) for e in ents):
        return None
    sides = {e.name for e in ents if e.kind in (COUNTRY, DEMONYM)}
    if not sides and publisher is not None:
        # a national site's page that names no country in its title and lead: its own country's
        return publisher
    if len(sides) > 1:
        # "Thai police rescued 29 men from Myanmar": the country whose police act is the page's
        # side; the others are where victims or suspects came from
        sides = {
            e.name
            for e in ents
            if e.kind in (COUNTRY, DEMONYM)
            and (_ACTOR_AFTER.match(head, e.end) or _ACTOR_BEFORE.search(head, 0, e.start))
        }
    if len(sides) != 1:
        return None
    (side,) = sides
    return None if side == "UK" else side


# A country named as the one whose police act: "Thai police", "Peru's National Police",
# "Ghanaian authorities", "police in Kenya", "the authorities of Benin"
_ACTOR_AFTER = re.compile(
    r"(?:'s|’s)?\s(?:(?:national|federal|state|civil|military|judicial|border|immigration|"
    r"security)\s)?(?:police|authorities|law\senforcement|officers|gendarmerie|guard|"
    r"security\sforces|investigators|detectives|coast\sguard|navy|army)\b",
    re.IGNORECASE,
)
_ACTOR_BEFORE = re.compile(
    r"\b(?:police|authorities|law\senforcement|officers|investigators|detectives)\s"
    r"(?:in|of|from)\s(?:the\s)?$",
    re.IGNORECASE,
)


def national_side(
    title: str,
    lead_sentence: str,
    sentences: list[tuple[str, list[Entity], bool]],
    publisher: str | None = None,
) -> str | None:
    """The country, other than the UK, whose own part of a multi-country action a page reports,
    or None (docs/EXTRACTION.md, "Labelling conventions": a headline whose subject is a country's
    part is about that part when the page gives the part its own results).

    The side is the one country the title names ("Colombia's operations within the worldwide
    Liberterra III", "21 Ghanaian victims rescued in INTERPOL operation"), or, when the title
    names none, the one country the lead places its action in ("591 inspections carried out in
    France"); and the page must give that country results of its own: a body sentence that names
    it states a count, and is no sentence about the whole that names the country as one of
    its participants. ``sentences``: (text, entities, whether it states a count) of the body's
    sentences in order.
    """
    sides = _sides_named(title, find_entities(title))
    if not sides:
        # the lead names one country, as the place of its action ("in Benin and Nigeria" names
        # two: the action's places, no side)
        named = [e for e in find_entities(lead_sentence) if e.kind in (COUNTRY, DEMONYM)]
        if len({e.name for e in named}) == 1 and _IN_BEFORE.search(
            lead_sentence, 0, named[0].start
        ):
            sides = {named[0].name}
    if (
        not sides
        and publisher is not None
        and not _marker_score(title, _INTL_MARKERS)
        and not _title_counts_the_whole(title, sentences)
    ):
        # a national site's page whose title names neither a country nor the wider action: its
        # own country's part, when the body gives that country results of its own
        sides = {publisher}
    if len(sides) != 1:
        return None
    (side,) = sides
    if side == "UK":
        return None  # the UK's own part is the rules' default reading
    for text, ents, counted in sentences[:_SIDE_SENTENCES]:
        if not counted or side not in _sides_named(text, ents):
            continue
        if _PARTICIPANT.search(text) or _WIDER.search(text) or _many_countries(text):
            continue  # the whole's results, with the country as one of its participants
        return side
    return None


_TITLE_COUNT = re.compile(r"\b\d[\d,]*\b")
# "Europol reports 13 arrests": the international agency's count is the whole's.
_AGENCY_REPORTS = re.compile(r"\b(?:Europol|EUROPOL|INTERPOL|Interpol|Frontex)\sreports?\b")


def _title_counts_the_whole(title: str, sentences: list[tuple[str, list[Entity], bool]]) -> bool:
    """Does the title state a count that the body gives only as the whole's ("13 arrests" in
    the title, "Europol reports 13 arrests, eight of them in Germany" in the body)? Then the
    title's subject is the whole, whatever site publishes it."""
    counts = {m.group(0).replace(",", "") for m in _TITLE_COUNT.finditer(title)}
    if not counts:
        return False
    stated = [
        text
        for text, _, counted in sentences
        if counted and counts & {m.group(0).replace(",", "") for m in _TITLE_COUNT.finditer(text)}
    ]
    return bool(stated) and all(
        _PARTICIPANT.search(t)
        or _WIDER.search(t)
        or _AGENCY_REPORTS.search(t)
        or _many_countries(t)
        for t in stated
    )


# "a joint operation between the UK, France and Belgium", "a joint investigation with Dutch
# police": an operation of a few countries in its own right.
_JOINT_OPERATION = re.compile(
    r"\b(?:joint|bilateral|trilateral|cross-Channel|cross-border)\s(?:[\w-]+\s){0,2}?"
    r"(?:operation|investigation|action|effort|team|probe|crackdown)\b",
    re.IGNORECASE,
)


# Every match of _JOINT_OPERATION starts with one of these (tests/test_fast_paths.py checks it).
_JOINT_OPERATION_STARTS = ("joint", "bilateral", "trilateral", "cross-")

# "officers from 43 countries", "involving 27 member states": an action of that many countries is
# a wider multi-country action that a page calls "a joint operation" only loosely.
MIN_WIDER_COUNTRIES = 5
# How many countries a count names: "43", "five", "dozens of" (the count is group 1).
_COUNTRY_COUNT = r"(\d{1,3}|five|six|seven|eight|nine|ten|eleven|twelve|dozens of|scores of)\s"
_MANY_COUNTRIES = re.compile(
    rf"\b{_COUNTRY_COUNT}"
    r"(?:other\s|participating\s|partner\s|European\s|EU\s|member\s)?(?:countries|nations|states)\b",
    re.IGNORECASE,
)


# "a 46-country action week"
_N_COUNTRY = re.compile(r"\b(\d{1,3})-(?:country|nation)\b", re.IGNORECASE)


def _first_many(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first match of ``pattern`` whose count of countries (group 1) is a wider action's."""
    for m in pattern.finditer(text):
        n = m.group(1)
        if not n.isdigit() or int(n) >= MIN_WIDER_COUNTRIES:
            return m
    return None


def _many_countries(text: str) -> bool:
    if any(int(m.group(1)) >= MIN_WIDER_COUNTRIES for m in _N_COUNTRY.finditer(text)):
        return True
    return _first_many(_MANY_COUNTRIES, text) is not None


def is_joint_operation(title: str, body: str) -> bool:
    """Is the headline operation a joint operation of a few countries that the page reports as
    a whole (not a leg of a wider multi-country action)?"""
    text = f"{title}\n{body}"
    starts = cue_starts(cue_text(text), _JOINT_OPERATION_STARTS)
    return (
        next(finditer_at(_JOINT_OPERATION, text, starts), None) is not None
        and _WIDER.search(text) is None
        and _PART_OF_WIDER.search(text) is None
        and not _many_countries(text)
    )


# A UK nation's adjective in a title names the nation: "Scottish arrests in national
# crackdown" makes "In Scotland officers ..." the page's own.
_UK_NATION_ADJECTIVES = {"scottish": "scotland", "welsh": "wales", "english": "england"}


def _is_home(name: str, profile: PageProfile) -> bool:
    low = name.lower()
    return (
        name in profile.home
        or low in profile.home_places
        or any(_UK_NATION_ADJECTIVES.get(p) == low for p in profile.home_places)
    )


# "19 police forces", "all 43 forces", "every force", "several other forces": more than one force.
_SEVERAL_FORCES = re.compile(
    r"\b(?:\d+|all|every|several|many|other|multiple|regional|partner|neighbouring|"
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[a-z]+ty(?:[ -][a-z]+)?)\s"
    r"(?:\w+\s)?(?:police\s)?forces?\b",
    re.IGNORECASE,
)


# "police forces across England and Wales", "a national week of action": every force took part.
# Every match starts with one of _NATIONAL_ACTION_STARTS.
_NATIONAL_ACTION_STARTS = ("forces", "nation")
_NATIONAL_ACTION = re.compile(
    r"\bforces\s(?:across|throughout|around|from\sacross|nationwide)\b"
    r"|\bnational\s(?:[\w-]+\s)?(?:week|day|fortnight)\sof\saction\b"
    r"|\bnationwide\s(?:[\w-]+\s)?(?:operation|crackdown|week|intensification)\b",
    re.IGNORECASE,
)


def several_forces(body: str, entities: list[Entity]) -> bool:
    """Does the page describe more than one UK force taking part?"""
    return (
        len({e.name for e in entities if e.kind == FORCE}) >= 2
        or bool(_SEVERAL_FORCES.search(body))
        or any(
            finditer_at(_NATIONAL_ACTION, body, cue_starts(cue_text(body), _NATIONAL_ACTION_STARTS))
        )
    )


# "Hungarian authorities also took part in the week-long operation; 1,426 people were
# identified": a country that only took part owns none of the whole's numbers after it.
_TOOK_PART = re.compile(
    r"(?:\s(?:police|authorities|officers|officials|law\senforcement|forces?|agencies))?"
    r"\s(?:also\s|likewise\s)?(?:took\spart|participated|was\sinvolved|were\sinvolved|"
    r"joined\sthe|joined\sin|was\spart\sof|were\spart\sof)\b",
    re.IGNORECASE,
)


def _entity_subject(
    entities: list[Entity], first_count: int, profile: PageProfile, text: str
) -> str | None:
    """The one force or country a sentence attributes its numbers to, if any.

    The entity must come before the sentence's first count (it is the subject, not a place in
    the list of results), must not be the headline's own, and must be the only one of its kind
    before that count (a list of countries is the whole operation, not a part).
    """
    # "275 officers from Austria checked 196 locations": the country named after a count of its
    # own officers is the subject too
    before = [
        e
        for e in entities
        if e.start < first_count
        or (e.kind == COUNTRY and _ACTOR_BEFORE.search(text, max(0, e.start - 40), e.start))
    ]
    places = [
        e
        for e in before
        if e.kind in (COUNTRY, DEMONYM, FORCE) and not _TOOK_PART.match(text, e.end, e.end + 60)
    ]
    if not places:
        return None
    names = {e.name for e in places}
    if len(names) != 1:
        return None
    e = places[0]
    if _is_home(e.name, profile):
        return None
    if e.kind == FORCE and not profile.multi_force:
        return None
    if e.kind == FORCE or not profile.international_headline:
        # UK page: a force other than the lead, or a foreign country, is a part
        return e.name
    return e.name


def nearest_subject(entities: list[Entity], pos: int, profile: PageProfile) -> str | None:
    """The force or country named last before ``pos`` that is not the headline's own."""
    best: str | None = None
    for e in entities:
        if e.start >= pos:
            break
        if e.kind in (COUNTRY, DEMONYM, FORCE) and not _is_home(e.name, profile):
            best = e.name
    return best


def _any_in(words: tuple[str, ...], text: str) -> bool:
    return any(map(text.__contains__, words))


def sentence_scope(
    text: str,
    profile: PageProfile,
    *,
    first_count: int,
    entities: list[Entity] | None = None,
    caption: bool = False,
) -> Scope:
    """Scope of the numbers of one sentence (before per-number overrides): first from its words
    (a question, commentary, another operation, background), then from the places it names."""
    if caption:
        return Scope(None, reason="caption")
    cues = cue_text(text)
    by_words = _scope_from_words(text, cues, profile, first_count, entities)
    if by_words is not None:
        return by_words
    return _scope_from_places(text, cues, profile, first_count, entities)


def _scope_from_words(
    text: str,
    cues: str,
    profile: PageProfile,
    first_count: int,
    entities: list[Entity] | None,
) -> Scope | None:
    stripped = text.rstrip("\"'”’) ")
    if stripped.endswith("?"):
        return Scope(None, reason="question")
    if _any_in(_COMMENTARY_CUES, cues) and _COMMENTARY.search(text):
        return Scope(None, reason="commentary")
    cue = _SPLIT_CUE.search(text) if _any_in(_SPLIT_CUES, cues) else None
    split = _context_split(text, cue, first_count) if cue else None
    if split is not None:
        # the sentence's own result, then a comparison or a running total
        ents_head = None if entities is None else [e for e in entities if e.end <= split]
        head = sentence_scope(
            text[:split], profile, first_count=first_count, entities=ents_head, caption=False
        )
        if head.scope in (None, CONTEXT):
            return head
        return replace(head, context_from=split, reason=head.reason or "then background")
    if _any_in(_OTHER_OPERATION_CUES, cues) and _OTHER_OPERATION.search(text):
        return Scope(None, reason="other operation")
    if _any_in(_CONTEXT_CUES, cues) and _CONTEXT.search(text):
        return Scope(CONTEXT, reason="background")
    for m in _YEAR_PHRASE.finditer(text) if "19" in cues or "20" in cues else ():
        year = int(m.group("y") or m.group("my"))
        if (
            profile.op_year is not None
            and year < profile.op_year
            and not _OPERATION_WORDS.search(text)
        ):
            return Scope(CONTEXT, reason="earlier year")
    return None


def _scope_from_places(
    text: str,
    cues: str,
    profile: PageProfile,
    first_count: int,
    entities: list[Entity] | None,
) -> Scope:
    ents = find_entities(text) if entities is None else entities
    dateline = _DATELINE.match(text)
    if dateline:
        # "YAOUNDÉ, Cameroon - An INTERPOL operation ...": where the release was issued
        ents = [e for e in ents if e.start >= dateline.end()]
    wider = _wider_scope(text, cues, profile, ents)
    if wider is not None:
        return wider
    labelled = _place_label(text, first_count, ents, profile)
    if labelled is not None:
        return labelled
    # where an organisation sits is not where the action happened: "INTERPOL, based in Lyon in
    # south-eastern France, said the operation found 1,374 victims"
    ents = [e for e in ents if not _SEAT_BEFORE.search(text, max(0, e.start - 50), e.start)]
    opened = _place_opener_scope(text, ents, profile)
    if opened is not None:
        return opened
    shared = _forces_in_turn(ents, first_count)
    if shared is not None:
        return shared
    if not profile.international_headline and profile.multi_force:
        # "Officers in the West Midlands arrested 63 people" on a national page
        ents = sorted([*ents, *_uk_area_mentions(text, first_count)], key=lambda e: e.start)
    subject = _entity_subject(ents, first_count, profile, text)
    if subject:
        return Scope(
            FORCE_SCOPE, subject=subject, reason="part of the operation", per_number_subject=True
        )
    return Scope(OPERATION)


# "checked at the same time in 32 EU countries", "officers from 26 member states": where the
# action happened or who took part, in more countries than any page's own side.
# (Not "in 12 states": the states of one federal country.)
_IN_MANY_COUNTRIES = re.compile(
    rf"\b(?:in|from|involving|across)\s(?:some\s|more\sthan\s|over\s)?{_COUNTRY_COUNT}"
    r"(?:other\s|participating\s|partner\s|European\s|EU\s)?(?:countries|nations|member states)\b",
    re.IGNORECASE,
)


def _wider_match(text: str) -> re.Match[str] | None:
    """The first words of a sentence that name the wider multi-country action."""
    wider = _WIDER.search(text)
    return wider if wider is not None else _in_many_countries(text)


def _in_many_countries(text: str) -> re.Match[str] | None:
    return _first_many(_IN_MANY_COUNTRIES, text)


def _wider_scope(text: str, cues: str, profile: PageProfile, ents: list[Entity]) -> Scope | None:
    """A UK page's sentence about a wider (European, global) action it was part of."""
    wider = _wider_match(text) if _any_in(_WIDER_CUES, cues) else None
    if profile.international_headline or not wider:
        return None
    # the UK's mentions are the page's own side unless the page reports another country's part
    local = [m.end() for m in _UK_LOCAL.finditer(text)] if profile.side is None else []
    # the page's own force or agency as the subject: "Kent Police arrested five people as
    # part of a Europe-wide crackdown"
    part_of = _PART_OF_WIDER.search(text)
    if part_of is not None and part_of.start() <= wider.start() < part_of.end():
        # "As part of the Europe-wide week, Kent Police arrested six": the wider action is
        # named as what the subject's own result belongs to
        local += [e.end for e in ents if e.kind in (FORCE, AGENCY) and e.name == profile.lead]
    local += [
        e.end
        for e in ents
        if e.kind in (FORCE, AGENCY) and e.name == profile.lead and e.end <= wider.start()
    ]
    if profile.side is not None:
        # "In France, 591 inspections were carried out": the page's own country
        # unless the sentence names it among other countries ("The international team arrested
        # 11 people in Slovakia, Austria and Hungary" lists the whole's places)
        named = {e.name for e in ents if e.kind in (COUNTRY, DEMONYM)}
        local += [
            e.end
            for e in ents
            if e.kind in (COUNTRY, DEMONYM)
            and e.name == profile.side
            and (e.end <= wider.start() or named == {profile.side})
        ]
    if not local:
        return Scope(INTERNATIONAL, reason="wider action")
    if all(end <= wider.start() for end in local):
        # "The UK operation was part of a wider European push which saw 170 arrests": the
        # numbers after the wider action's mention are its own
        return Scope(OPERATION, reason="uk then wider", international_from=wider.start())
    return None


def _forces_in_turn(ents: list[Entity], first_count: int) -> Scope | None:
    """ "Kent Police arrested 20 people and Essex Police 18": two forces, each with its own
    count, are two parts, even when one of them is the page's own force."""
    forces = [e for e in ents if e.kind == FORCE]
    if len({e.name for e in forces}) < 2:
        return None
    if forces[0].start >= first_count or not any(e.start > first_count for e in forces):
        return None
    return Scope(
        FORCE_SCOPE, subject=forces[0].name, reason="forces in turn", per_number_subject=True
    )


def _place_opener_scope(text: str, ents: list[Entity], profile: PageProfile) -> Scope | None:
    """ "In Sudan, ...", "At Corby, ...": a sentence that opens on a place other than the
    headline's own."""
    opener = _PLACE_OPENER.match(text)
    if not opener:
        return None
    place = opener.group("place")
    first = place.split()[0]
    if first in _NOT_PLACES:
        return None
    named = [e for e in ents if e.start >= opener.start("place") and e.end <= opener.end("place")]
    name = named[0].name if named else place
    if not _is_home(name, profile) and not _is_home(place, profile):
        return Scope(FORCE_SCOPE, subject=name, reason="place opener")
    return None


# A UK force area or city named as where a sentence's action happened: "in the West Midlands",
# "across Merseyside", "West Yorkshire officers", "Bristol police".
_UK_AREA_MENTION = re.compile(
    rf"\b(?:in|across|throughout|within)\s(?:the\s)?(?P<a>{_UK_PLACES})\b(?!\s(?:Police|Constabulary))"
    rf"|\b(?P<b>{_UK_PLACES})\s(?:officers|detectives|police)\b"
)


def _uk_area_mentions(text: str, end: int) -> list[Entity]:
    """UK force areas and cities named before ``end`` as the place of the action, as force
    entities (the area's force when it has one)."""
    out: list[Entity] = []
    for m in _UK_AREA_MENTION.finditer(text, 0, end):
        g = "a" if m.group("a") else "b"
        place = m.group(g)
        name = FORCE_AREA_NAMES.get(place.lower(), place)
        out.append(Entity(FORCE, name, m.start(g), m.end(g), place))
    return out


def _place_label(
    text: str, first_count: int, ents: list[Entity], profile: PageProfile
) -> Scope | None:
    """ "London: 128 arrests", "• Spain: 45 arrests": a per-place results line. The label must be
    a place (a named force or country, or a capitalised name that is no metric word) and the
    count must follow it directly."""
    m = _LABEL_LINE.match(text)
    if not m or first_count > m.end() + 2:
        return None
    label = m.group("label").strip()
    named = [e for e in ents if e.end <= m.end("label") and e.kind in (COUNTRY, DEMONYM, FORCE)]
    if named:
        name = named[0].name
    else:
        words = label.split()
        if not words or words[0] in _NOT_PLACES or words[0].lower() in _NOT_PLACE_LABELS:
            return None
        if any(w.lower() in _NOT_PLACE_LABELS for w in words) or is_metric_label(label):
            return None
        if not all(w[:1].isupper() or w in ("and", "of", "the", "&") for w in words):
            return None
        name = label
    if _is_home(name, profile) or _is_home(label, profile):
        return None
    return Scope(FORCE_SCOPE, subject=name, reason="place label")


def _context_split(text: str, cue: re.Match[str], first_count: int) -> int | None:
    """Where the background part of a sentence starts when it follows the sentence's own result:
    a comparison ("211 victims, up from 158 a year earlier") or a running total ("30 arrests,
    taking the total to 1,250") after the first count. None: no such split."""
    if first_count >= cue.start():
        return None
    split = cue.start()
    for b in _CLAUSE_BREAK.finditer(text, first_count, cue.start()):
        split = b.start()  # the last clause break between the first count and the cue
    if split <= first_count:
        return None
    return split


def place_splits(
    text: str, positions: list[tuple[int, int]], profile: PageProfile
) -> dict[int, str]:
    """Numbers in a per-place split ("eight in France and four in Spain", "(27 in France, 21 in
    Italy)"): {index in ``positions``: place}. Only when at least two numbers of the sentence are
    each followed by "in <Place>", so a single "arrested 105 people in London" stays whole."""
    hits: dict[int, str] = {}
    for i, (_, end) in enumerate(positions):
        m = _IN_PLACE_AFTER.match(text, end, min(len(text), end + 60))
        if not m:
            continue
        place = m.group("place")
        if place.split()[0] in _NOT_PLACES:
            continue
        hits[i] = place
    if len(hits) < 2:
        return {}
    if 0 not in hits and 1 in hits and positions:
        m = _IN_PLACE_AFTER_FIRST.match(text, positions[0][1], min(len(text), positions[0][1] + 90))
        if m and m.group("place").split()[0] not in _NOT_PLACES:
            hits[0] = m.group("place")
    return {i: p for i, p in hits.items() if not _is_home(p, profile)}


CONTINUED = "wider action continued"
# A sentence on the page's own side whose every count comes after its mention of the wider
# action: it ends on the whole, which a passage may go on with.
ENDS_WIDER = "ends on the wider action"


def continues_wider(
    sc: Scope,
    before: Scope | None,
    before_text: str,
    before_ents: list[Entity],
    text: str,
    ents: list[Entity],
    profile: PageProfile,
) -> bool:
    """Does a sentence go on with the wider action the sentence before was about?

    On a page about its own part of a multi-country action, a passage on the whole ("According
    to Europol, the action covered hundreds of sites. More than 1,000 people were arrested.")
    runs on until the text comes back to the page's own side: a sentence that names no place,
    force or agency of its own and is not pinned to the home country continues the whole.
    """
    if profile.international_headline or before is None:
        return False
    if before.scope != INTERNATIONAL or sc.scope != OPERATION or sc.reason:
        return False
    if (
        before.reason not in (CONTINUED, ENDS_WIDER)
        and not _marker_score(before_text, _INTL_MARKERS)
        and _in_many_countries(before_text) is None
    ):
        return False  # "in the wider community" names no multi-country action
    if (profile.side is None and _UK_LOCAL.search(text)) or _names_a_side(ents):
        return False
    own = own_name_pattern(profile.lead) if profile.lead else None
    if own is not None and own.search(text):
        return False  # "In all, gardaí made 106 arrests": the page's own force again
    # "Finnish authorities joined the international action days": a sentence about the page's
    # own side joining the whole opens no passage on the whole
    return before.reason in (CONTINUED, ENDS_WIDER) or not _names_a_side(before_ents)


# "Across those three countries more than 100 victims were found", after "action was also
# carried out in 21 European countries, including Spain, Portugal and the Netherlands": a few of
# the whole's countries, named back, are a part of the whole.
_SOME_OF_THE_COUNTRIES = re.compile(
    r"\b(?:those|these|the|both)\s(?:two|three|four|[234])\s(?:countries|nations|states)\b",
    re.IGNORECASE,
)


def some_of_the_countries(sc: Scope, before: Scope | None, text: str) -> Scope | None:
    """The part scope of a sentence, after one on the wider action, about a few of its
    countries named back."""
    if sc.scope != OPERATION or sc.reason or before is None or before.scope != INTERNATIONAL:
        return None
    m = _SOME_OF_THE_COUNTRIES.search(text)
    if m is None:
        return None
    return Scope(FORCE_SCOPE, subject=m.group(0), reason="some of the whole's countries")


# A sentence naming this many countries, forces or national agencies lists the whole's
# participants ("led by the Netherlands together with France, Italy, Romania and the UK").
_PARTICIPANT_LIST = 3


def _names_a_side(ents: list[Entity]) -> bool:
    """Does a sentence name one or two countries, forces or national agencies (a side of the
    action, not a list of its participants)?"""
    names = {
        e.name
        for e in ents
        if e.kind in (COUNTRY, DEMONYM, FORCE)
        or (e.kind == AGENCY and e.name not in INTERNATIONAL_AGENCIES)
    }
    return 0 < len(names) < _PARTICIPANT_LIST
