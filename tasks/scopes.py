"""Which operation a sentence's numbers belong to: the scope rules.

Scopes (../DESIGN.md "Vocabulary"):

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
from dataclasses import dataclass

from tasks.places import (
    COUNTRY,
    DEMONYM,
    FORCE,
    FORCE_AREAS_IMPLIED,
    INTERNATIONAL_AGENCIES,
    UK_AGENCIES,
    Entity,
    find_entities,
)
from tasks.places import (
    FORCE_NAMES as _FORCE_NAMES,
)

OPERATION = "operation"
INTERNATIONAL = "international"
FORCE_SCOPE = "force"
CONTEXT = "context"

# A commentator's own arithmetic or opinion: never a reported figure.
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
    r"intensification|investigation|raid)|last year's (?:operation|week|action|intensification))\b",
    re.IGNORECASE,
)
# Background statistics: a year, a lifetime, a comparison between periods.
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
_CONTEXT = re.compile(
    r"\b(?:in the (?:year|12 months|twelve months|financial year) (?:ending|to|up to)|year ending|"
    r"financial year|calendar year|since (?:its |the (?:\w+'?s? )?)?(?:launch|inception|creation|start)\b|"
    r"(?:from|since) the (?:operation|programme|unit|scheme|campaign|initiative)'?s? (?:launch|inception|start)|"
    rf"since (?:{_MONTH}|(?:19|20)\d\d)\b|since records began|to date\b|so far this year|last year|"
    r"each year|every year|per year|a year\b(?!-)|annually|at any (?:one )?time|"
    r"currently (?:has|have|holds|hold|runs|run|manages|manage|estimates)\b|"
    r"there (?:are|is) (?:an estimated |estimated |about |around |some |more than |over )?\d+|"
    r"annual (?:figures|statistics|report)|"
    r"year[- ]on[- ]year|compared (?:with|to)|up from|down from|"
    r"in the (?:past|last) (?:\w+ )?(?:years|months|decade)|over the (?:past|last) (?:\w+ )?(?:years|months|decade)|"
    rf"between {_MONTH} and {_MONTH}|over the same (?:period|months)|"
    r"(?:official|government|national) (?:figures|statistics) (?:show|published)|figures published)\b",
    re.IGNORECASE,
)
# A standalone year with a preposition: "In 2020, 4,946 children ...". Context when the year is
# not the operation's own year.
_YEAR_PHRASE = re.compile(
    r"\b(?:in|during|throughout|for|of|by)\s+(?:the\s+)?(?P<y>(?:19|20)\d\d)\b(?!\s*[/-])",
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
    r"in total across|from across Europe|partners (?:from|across|in) (?:\w+ )?(?:countries|Europe)|"
    r"(?:INTERPOL|Interpol|Europol|EUROPOL|Frontex|EMPACT)(?:['’]s)? (?:said|says|published|reported|announced|released|figures|results|totals?|data)|"
    r"according to (?:INTERPOL|Interpol|Europol|EUROPOL|Frontex)|"
    r"part of an? (?:wider|larger|broader|bigger|European|international|global|Europe-wide|EU-wide|worldwide|pan-European) "
    r"(?:\w+ )?(?:operation|action|intensification|effort|crackdown|campaign|week)|"
    r"across (?:the |all )?(?:\d[\d,]*|[a-z]+)? ?(?:participating |partner |other )?countries|"
    r"(?:participating|partner|other) countries)\b",
    re.IGNORECASE,
)
# Words that pin a sentence's numbers to the UK (so they are not the wider action's).
_UK_LOCAL = re.compile(
    r"\b(?:in|across|throughout) the UK\b|\bUK-wide\b|\bin (?:England|Scotland|Wales|Northern Ireland|Britain)\b|"
    r"\bby the (?:NCA|National Crime Agency)\b|\bNCA (?:officers|officials|investigators|teams)\b|"
    r"\bBritish police\b|\bUK police\b|\bUK (?:activity|strand|part|leg|operation|week|arm|element|teams?|officers|forces)\b"
)
# A sentence that opens on a place: "In Sudan, ...", "At Corby, ...".
_PLACE_OPENER = re.compile(
    r"^(?:In|At|Across|Over in|Meanwhile,? in)\s+(?:the\s+)?(?P<place>[A-Z][\w'’-]+(?:\s+(?:of\s+)?[A-Z][\w'’-]+){0,3})\s*,"
)
_NOT_PLACES = frozenset(
    f"""Europe Africa Asia America Americas EU World Britain Addition Contrast Summary Response Light
    All Total Addition Particular Response Short Fact One Each Every Another Its Their His Her
    This That These Those Summary Conclusion Practice Court Custody Turn Return General Brief
    Spring Summer Autumn Winter Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    {_MONTH.strip("(?:)").replace("|", " ")}""".split()
)
# "eight in France": a number followed by "in <Place>" (a per-place split when it occurs twice).
_IN_PLACE_AFTER = re.compile(
    r"(?:\s+[a-z][\w-]*){0,3}?\s+(?:in|from|at)\s+(?:the\s+)?(?P<place>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2})"
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
    (re.compile(r"\b(?:European|Europe|international|International|countries)\b"), 1),
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


def _marker_score(text: str, markers: tuple[tuple[re.Pattern[str], int], ...]) -> int:
    return sum(w for rx, w in markers if rx.search(text))


def is_international_headline(title: str, lead_sentence: str, publisher_agency: str | None) -> bool:
    """Is the page's headline operation itself the multi-country action?

    True for pages published by an international agency, and for pages whose title and lead say
    more about an international action than about a UK one (the title counts double).
    """
    if publisher_agency in INTERNATIONAL_AGENCIES:
        return True
    intl = 2 * _marker_score(title, _INTL_MARKERS) + _marker_score(lead_sentence, _INTL_MARKERS)
    uk = 2 * _marker_score(title, _UK_MARKERS) + _marker_score(lead_sentence, _UK_MARKERS)
    for e in find_entities(title):
        if e.kind == FORCE:
            uk += 4  # a UK force in the title: the page is about its part
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
) -> PageProfile:
    intl = is_international_headline(title, lead_sentence, publisher_agency)
    home: set[str] = set(leaders)
    if lead:
        home.add(lead)
    for e in find_entities(title):
        home.add(e.name)
    if not intl:
        home.add("UK")
    places = {w.lower() for w in re.findall(r"[A-Z][\w'’-]+", title)}
    if lead:
        for area in FORCE_AREAS_IMPLIED.get(lead, ()):
            places.add(area.lower())
            places.update(a.lower() for a in area.split())
    return PageProfile(intl, lead, frozenset(home), frozenset(places), op_year, multi_force)


def _is_home(name: str, profile: PageProfile) -> bool:
    return name in profile.home or name.lower() in profile.home_places


# "19 police forces", "all 43 forces", "every force", "several other forces": more than one force.
_SEVERAL_FORCES = re.compile(
    r"\b(?:\d+|all|every|several|many|other|multiple|regional|partner|neighbouring|"
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[a-z]+ty(?:[ -][a-z]+)?)\s"
    r"(?:\w+\s)?(?:police\s)?forces?\b",
    re.IGNORECASE,
)


def several_forces(body: str, entities: list[Entity]) -> bool:
    """Does the page describe more than one UK force taking part?"""
    return len({e.name for e in entities if e.kind == FORCE}) >= 2 or bool(
        _SEVERAL_FORCES.search(body)
    )


def _entity_subject(entities: list[Entity], first_count: int, profile: PageProfile) -> str | None:
    """The one force or country a sentence attributes its numbers to, if any.

    The entity must come before the sentence's first count (it is the subject, not a place in
    the list of results), must not be the headline's own, and must be the only one of its kind
    before that count (a list of countries is the whole operation, not a part).
    """
    before = [e for e in entities if e.start < first_count]
    places = [e for e in before if e.kind in (COUNTRY, DEMONYM, FORCE)]
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


def sentence_scope(
    text: str,
    profile: PageProfile,
    *,
    first_count: int,
    entities: list[Entity] | None = None,
    caption: bool = False,
) -> Scope:
    """Scope of the numbers of one sentence (before per-number overrides)."""
    if caption:
        return Scope(None, reason="caption")
    stripped = text.rstrip("\"'”’) ")
    if stripped.endswith("?"):
        return Scope(None, reason="question")
    if _COMMENTARY.search(text):
        return Scope(None, reason="commentary")
    if _OTHER_OPERATION.search(text):
        return Scope(None, reason="other operation")
    if _CONTEXT.search(text):
        return Scope(CONTEXT, reason="background")
    for m in _YEAR_PHRASE.finditer(text):
        year = int(m.group("y"))
        if (
            profile.op_year is not None
            and year < profile.op_year
            and not _OPERATION_WORDS.search(text)
        ):
            return Scope(CONTEXT, reason="earlier year")
    ents = find_entities(text) if entities is None else entities
    wider = _WIDER.search(text)
    if not profile.international_headline and wider:
        local = [m for m in _UK_LOCAL.finditer(text)]
        if not local:
            return Scope(INTERNATIONAL, reason="wider action")
        if all(m.end() <= wider.start() for m in local):
            # "The UK operation was part of a wider European push which saw 170 arrests": the
            # numbers after the wider action's mention are its own
            return Scope(OPERATION, reason="uk then wider", international_from=wider.start())
    opener = _PLACE_OPENER.match(text)
    if opener:
        place = opener.group("place")
        first = place.split()[0]
        if first not in _NOT_PLACES:
            named = [
                e for e in ents if e.start >= opener.start("place") and e.end <= opener.end("place")
            ]
            name = named[0].name if named else place
            if not _is_home(name, profile) and not _is_home(place, profile):
                return Scope(FORCE_SCOPE, subject=name, reason="place opener")
    subject = _entity_subject(ents, first_count, profile)
    if subject:
        return Scope(
            FORCE_SCOPE, subject=subject, reason="part of the operation", per_number_subject=True
        )
    return Scope(OPERATION)


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
    return {i: p for i, p in hits.items() if not _is_home(p, profile)}
