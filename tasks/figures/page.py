"""One page's text -> its figures: the steps of the package put together, and the choice of one
figure per (scope, metric).

``extract_figures`` never raises: a failure inside the rules returns an empty result rather than
stopping a pipeline run.
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass, replace
from datetime import date

from domain.records import (
    Abstention,
    BreakdownItem,
    Figure,
    FigureResult,
    OperationFacts,
)
from tasks.figures import breakdown as bd
from tasks.figures.candidates import BODY, HEADING, LISTED, TITLE, TITLE_REPEAT, Candidate, Unit
from tasks.figures.choose import choose, totals_hold_their_parts
from tasks.figures.confidence import (
    CandidateFacts,
    Model,
    PageSignals,
    load_model,
    page_signals,
    rate,
)
from tasks.figures.counts import (
    arrest_sought,
    arrested_and_charged,
    arrests_or_lesser,
    engaged_audience,
    helped_across,
    looks_ahead,
    one_group_of_arrests,
    prospect,
)
from tasks.figures.durations import Duration, find_durations
from tasks.figures.facts import (
    area_force_list,
    countries_named,
    forces_named,
    lead_agency,
    leading_countries,
    operation_name,
    theme,
)
from tasks.figures.metric_rules import read_sentence
from tasks.figures.numbers import (
    COUNT,
    MONEY,
    NumberMention,
    find_numbers,
)
from tasks.figures.places import (
    FORCE,
    FORCE_NAMES,
    INTERNATIONAL_AGENCIES,
    UK_AGENCIES,
    Entity,
    canonical_agency,
    country_runs,
    demonym_list,
    find_entities,
    publisher_country,
)
from tasks.figures.scopes import (
    CONTEXT,
    CONTINUED,
    ENDS_WIDER,
    FORCE_SCOPE,
    INTERNATIONAL,
    OPERATION,
    UK_PLACE,
    PageProfile,
    Scope,
    continues_wider,
    home_country,
    is_international_headline,
    is_joint_operation,
    make_profile,
    national_side,
    nearest_subject,
    place_splits,
    sentence_scope,
    several_forces,
    some_of_the_countries,
)
from tasks.figures.sentences import (
    QuoteMap,
    Sentence,
    cue_starts,
    cue_text,
    finditer_at,
    split_sentences,
)
from tasks.figures.wholes import (
    background_headline,
    national_wholes,
    part_page,
    period_totals_page,
    several_operations_page,
)

log = logging.getLogger(__name__)

_VICTIM_METRICS = frozenset({"potential_victims", "victims_children", "victims_adults"})

# Participation cues for a list of countries or forces. Every match starts with one of
# _TOOK_PART_STARTS (tests/test_fast_paths.py checks it), and the pattern is tried only there:
# it opens on a word boundary, which makes the regex engine try it at every character.
_TOOK_PART_STARTS = (
    "took", "taking", "participa", "involv", "joined", "teamed", "across", "acting", "carried",
    "police", "authorities", "forces", "officers", "law", "countries", "joint", "simultaneous",
    "same",
)  # fmt: skip
_TOOK_PART = re.compile(
    r"\b(?:took\spart|taking\spart|participat\w*|involved|involving|joined|teamed\sup|across|"
    r"acting|carried\sout|police\sin|authorities\s(?:in|from|of)|forces\sfrom|officers\sfrom|"
    r"law\senforcement\s(?:in|from)|countries:|participants:|"
    # "a joint operation by Côte d'Ivoire and Nigeria", "ran at the same time in Chad, Mali and
    # Niger"
    r"simultaneously\sin|same\stime\sin|"
    r"joint\s(?:[\w-]+\s)?(?:operation|investigation|action|raid)\s(?:by|between|of|involving))\b",
    re.IGNORECASE,
)
_INCOMPLETE_LIST = re.compile(
    r"\b(?:also|including|such\sas|among\sthem|among|other)\b", re.IGNORECASE
)
# "Law enforcement partners from Belgium and the Netherlands also took part": countries named
# beyond the list, so no list on the page counts them all.
_MORE_PARTICIPANTS = re.compile(
    r"\b(?:also|too)\s(?:took\spart|taking\spart|participated|joined|involved|supported|"
    r"assisted|helped)\b|\balso\s(?:\w+\s){0,3}(?:took|take|taking)\spart\b",
    re.IGNORECASE,
)
# A list names at least two countries (a joint action of two countries counts both).
MIN_LISTED_COUNTRIES = 2
# A list of the countries a page's own country acted with: "Working with law enforcement in",
# "together with police in", "Checks were also carried out in".
_WITH_OTHERS_REACH = 50
_WITH_OTHERS_BEFORE = re.compile(
    r"\b(?:working\swith|together\swith|alongside|in\spartnership\swith|also)\b[^.;,]{0,40}"
    r"\s(?:in|from)\s(?:the\s)?$",
    re.IGNORECASE,
)
# "..., in a joint raid, ...": the actors named before it acted together.
_IN_A_JOINT = re.compile(r"\bin\sa\sjoint\s(?:[\w-]+\s)?(?:operation|action|raid)\b", re.IGNORECASE)
_TITLE_NORM = re.compile(r"[^a-z0-9]+")
# Bodies are read up to this length. A press release or news story is a few thousand characters
# (the longest real pages with comment threads run to ~100 000); what lies beyond is not article
# text, and the cap bounds the time spent on a pathological page.
MAX_BODY_CHARS = 200_000
MAX_TITLE_CHARS = 1_000
# A sentence with more numbers than this is a table or noise, not prose; only its first ones are
# read (a real sentence has a handful).
MAX_COUNTS_PER_SENTENCE = 100


def extract_figures(
    body: str,
    title: str | None = None,
    *,
    publisher: str | None = None,
    url: str | None = None,
    published: date | None = None,
) -> FigureResult:
    """Figures, arrest breakdown and operation facts of one article. Never raises."""
    try:
        return _extract(
            body if isinstance(body, str) else "",
            title if isinstance(title, str) else "",
            publisher=publisher if isinstance(publisher, str) else None,
            published=published if isinstance(published, date) else None,
            url=url if isinstance(url, str) else None,
        )
    except Exception:  # a rule bug must not stop a pipeline run
        log.exception("figure extraction failed for %s", url)
        return FigureResult()


def _norm_title(text: str) -> str:
    return _TITLE_NORM.sub(" ", text.lower()).strip()


def _units(body: str, title: str, sentences: list[Sentence]) -> list[Unit]:
    units: list[Unit] = []
    tnorm = _norm_title(title) if title else ""
    if title:
        units.append(Unit(title, None, 0, TITLE, -1, None))
    for s in sentences:
        if tnorm and s.first_in_block and _norm_title(s.text) == tnorm:
            rank = TITLE_REPEAT
        elif s.heading:
            rank = HEADING
        else:
            rank = BODY
        units.append(Unit(s.text, (s.start, s.end), s.start, rank, s.index, s))
    return units


def _mentions_in(
    mentions: list[NumberMention], starts: list[int], unit: Unit
) -> list[NumberMention]:
    """The mentions inside a body sentence, with offsets made local to it."""
    assert unit.span is not None
    a, b = unit.span
    lo = bisect.bisect_left(starts, a)
    out: list[NumberMention] = []
    for m in mentions[lo:]:
        if m.start >= b:
            break
        if m.end > b:
            continue
        qs = max(m.figure_start, a)
        # every field, not dataclasses.replace, which costs more than the rest of this loop
        out.append(
            NumberMention(
                m.start - a,
                m.end - a,
                m.value,
                m.kind,
                m.qualifier,
                qs - a,
                m.text,
                m.unit,
                m.spelled,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class _Page:
    """Everything read once per page, shared by the per-sentence steps."""

    body: str
    title: str
    units: list[Unit]
    quotes: QuoteMap
    mentions: list[NumberMention]
    mention_starts: list[int]
    entities: list[Entity]
    entity_starts: list[int]
    leaders: tuple[str, ...]
    lead: str | None
    durations: dict[int, list[Duration]]
    profile: PageProfile
    lead_sentence: str  # the first body sentence that is no caption


def _lead_text(units: list[Unit]) -> str:
    """The page's first body sentence that is no image caption."""
    return next(
        (
            u.text
            for u in units
            if u.span is not None
            and u.rank == BODY
            and not (u.sentence is not None and u.sentence.caption)
        ),
        "",
    )


def _body_sentences(
    units: list[Unit], mentions: list[NumberMention], entities: list[Entity]
) -> list[tuple[str, list[Entity], bool]]:
    """(text, entities, whether it states a count) of each body sentence, for national_side;
    the page's entities and counts, found once, are split by sentence."""
    counted = sorted(m.start for m in mentions if m.kind in (COUNT, MONEY))
    starts = [e.start for e in entities]
    out = []
    for u in units:
        if u.span is None or u.rank != BODY:
            continue
        a, b = u.span
        i = bisect.bisect_left(counted, a)
        lo, hi = bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)
        ents = [e for e in entities[lo:hi] if e.end <= b]
        out.append((u.text, ents, i < len(counted) and counted[i] < b))
    return out


def _read_page(
    body: str, title: str, publisher: str | None, published: date | None, url: str | None = None
) -> _Page:
    units = _units(body, title, split_sentences(body))
    mentions = find_numbers(body)
    entities = find_entities(body)
    lead_sentence = _lead_text(units)
    publisher_agency = canonical_agency(publisher)
    international = is_international_headline(title, lead_sentence, publisher_agency, body)
    side = None
    if international and publisher_agency not in INTERNATIONAL_AGENCIES:
        side = national_side(
            title,
            lead_sentence,
            _body_sentences(units, mentions, entities),
            publisher_country(url),
        )
        if side is not None:
            international = False  # a country's own part; the whole is international
    elif not international and publisher_agency not in UK_AGENCIES | FORCE_NAMES:
        side = home_country(title, lead_sentence, publisher_country(url))
    lead = lead_agency(
        body, title, publisher=publisher, international=international, entities=entities
    )
    leaders = leading_countries(body, entities)
    year = published.year if published else None
    durations = {u.order: find_durations(u.text, year) for u in units}
    range_year = next(
        (d.start_date.year for u in units for d in durations[u.order] if d.start_date), None
    )
    profile = make_profile(
        title=title,
        lead_sentence=lead_sentence,
        publisher_agency=publisher_agency,
        lead=lead,
        leaders=leaders,
        # the year the operation ran: its stated dates first, else the year of publication
        op_year=range_year or year,
        multi_force=several_forces(body, entities),
        joint_operation=is_joint_operation(title, body),
        international=international,
        side=side,
    )
    return _Page(
        body,
        title,
        units,
        QuoteMap(body),
        mentions,
        [m.start for m in mentions],
        entities,
        [e.start for e in entities],
        leaders,
        lead,
        durations,
        profile,
        lead_sentence,
    )


def _unit_parts(page: _Page, u: Unit) -> tuple[list[NumberMention], list[Entity]]:
    """The counts and the named entities of one sentence, with offsets local to it."""
    if u.span is None:
        mentions = find_numbers(u.text)
        ents = find_entities(u.text)
    else:
        mentions = _mentions_in(page.mentions, page.mention_starts, u)
        a, b = u.span
        lo = bisect.bisect_left(page.entity_starts, a)
        hi = bisect.bisect_left(page.entity_starts, b)
        ents = [
            Entity(e.kind, e.name, e.start - a, e.end - a, e.text)
            for e in page.entities[lo:hi]
            if e.end <= b
        ]
    counts = [m for m in mentions if m.kind in (COUNT, MONEY)][:MAX_COUNTS_PER_SENTENCE]
    return counts, ents


# "In the West Midlands, for instance, 40 warrants were carried out. That led to 64 arrests":
# a sentence that opens by pointing back at the one before continues its subject.
_CONTINUES_BEFORE = re.compile(
    r"^(?:That|This|These|Those|It|They)\s+(?:in\sturn\s)?(?:led|resulted|saw|brought|"
    r"produced|included|yielded|meant)\b"
)
# "They are recording 23 victims", after a sentence on the half year's prosecutions: the same
# background goes on.
_CONTINUES_CONTEXT = re.compile(
    r"^(?:That|This|These|Those|It|They)\s+(?:are|were|have|has|had)\s(?:now\s|so\sfar\s)?"
    r"(?:recording|recorded|counting|counted|identified|found|seen|registered)\b"
)


def _unit_scope(
    page: _Page,
    u: Unit,
    counts: list[NumberMention],
    ents: list[Entity],
    intro: Scope | None,
    before: Scope | None = None,
    before_text: str = "",
    before_ents: list[Entity] | None = None,
) -> Scope:
    first_count = counts[0].figure_start if counts else len(u.text)
    caption = bool(u.sentence and u.sentence.caption)
    sc = sentence_scope(
        u.text, page.profile, first_count=first_count, entities=ents, caption=caption
    )
    if u.span is None and sc.scope in (FORCE_SCOPE, INTERNATIONAL):
        return Scope(OPERATION)  # the title is about the headline operation
    in_list = u.sentence is not None and u.sentence.bullet and intro is not None
    if in_list and sc.scope == OPERATION and intro is not None and intro.scope != OPERATION:
        return intro  # a list item takes the scope of the line that introduces the list
    if (
        sc.scope == OPERATION
        and not sc.reason
        and before is not None
        and before.scope in (FORCE_SCOPE, INTERNATIONAL)
        and _CONTINUES_BEFORE.match(u.text)
    ):
        return before  # "That led to 64 arrests": the part the sentence before was about
    if (
        sc.scope == OPERATION
        and not sc.reason
        and before is not None
        and before.scope == CONTEXT
        and _CONTINUES_CONTEXT.match(u.text)
    ):
        return before
    some = some_of_the_countries(sc, before, u.text)
    if some is not None:
        return some
    if u.span is not None and continues_wider(
        sc, before, before_text, before_ents or [], u.text, ents, page.profile
    ):
        return Scope(INTERNATIONAL, reason=CONTINUED)
    return sc


def _unit_candidates(
    page: _Page,
    idx: int,
    sc: Scope,
    counts: list[NumberMention],
    ents: list[Entity],
    intro_text: str | None,
    previous_metric: str | None = None,
) -> tuple[list[Candidate], str | None]:
    """The figures one sentence states, before any choice between sentences, and the last metric
    it stated (the whole that a part in the next sentence may refer to)."""
    u = page.units[idx]
    profile = page.profile
    readings = read_sentence(
        u.text, counts, context=_neighbourhood(page.units, idx), previous_metric=previous_metric
    )
    last = next((r.metric for r in reversed(readings) if r.metric and not r.subset), None)
    splits = place_splits(u.text, [(m.figure_start, m.end) for m in counts], profile)
    # the lead reports the whole, as news writing puts it first ("The force has identified two
    # syndicates, rescuing victims and arresting 11 suspects"), with or without a summary word
    headline = _headline(u, intro_text) or (u.rank == BODY and u.text == page.lead_sentence)
    out: list[Candidate] = []
    ahead = looks_ahead(u.text)  # most sentences look back
    audience = engaged_audience(u.text)
    for i, (m, r) in enumerate(zip(counts, readings, strict=True)):
        if r.metric is None or (ahead and prospect(u.text, m.start, m.end)):
            continue
        if r.metric in _VICTIM_METRICS and (audience or helped_across(u.text, m.start, m.end)):
            continue  # an audience engaged for awareness, or people smuggled across a border
        if r.metric == "arrests" and (
            one_group_of_arrests(u.text, m.start, m.end)
            or arrests_or_lesser(u.text, m.end)
            or arrest_sought(u.text, m.start)
        ):
            continue  # one group of several, joined with citations, or sought: no arrests made
        scope, subject = sc.scope or OPERATION, sc.subject
        if sc.per_number_subject:
            # "Police Scotland arrested three and Kent Police arrested four": each number
            # belongs to the force named last before it
            subject = nearest_subject(ents, m.start, profile) or subject
        if i in splits:
            scope, subject = FORCE_SCOPE, splits[i]
        if (
            sc.international_from is not None
            and scope == OPERATION
            and m.start > sc.international_from
        ):
            scope = INTERNATIONAL
        if sc.context_from is not None and m.start >= sc.context_from:
            scope, subject = CONTEXT, None  # "..., up from 158 a year earlier"
        if r.metric == "countries_involved" and scope == FORCE_SCOPE:
            # "The NCA worked with Belgian police in an operation involving three countries": a
            # count of countries is never one country's or force's part
            scope, subject = OPERATION, None
        if (
            r.metric == "countries_involved"
            and scope == OPERATION
            and not profile.international_headline
            and not profile.joint_operation
        ):
            scope = INTERNATIONAL  # a UK operation is one country's part of a wider action
        value = m.value + r.value_add if r.value_add else m.value
        quoted = u.span is not None and page.quotes.quoted(u.offset + m.start)
        out.append(
            Candidate(
                scope,
                r.metric,
                value,
                m.qualifier,
                u,
                subject,
                u.rank,
                r.weak,
                quoted,
                u.order,
                headline,
                r.part,
                summed=bool(r.value_add),
            )
        )
        if r.metric == "arrests" and arrested_and_charged(u.text, m.end):
            # "six accused were arrested and charged": the same people, charged too
            out.append(replace(out[-1], metric="charged"))
    return out, last


def _analyse(
    body: str, title: str, *, publisher: str | None, published: date | None, url: str | None = None
) -> tuple[_Page, list[Candidate], dict[int, Scope], tuple[Candidate, Duration] | None]:
    """Every candidate figure of a page, with the page and the scope of each sentence."""
    # spans stay valid: a prefix of the body has the same offsets
    page = _read_page(body[:MAX_BODY_CHARS], title[:MAX_TITLE_CHARS], publisher, published, url)
    candidates: list[Candidate] = []
    scopes: dict[int, Scope] = {}
    intro: Scope | None = None  # the scope of the line that introduces a list
    intro_text: str | None = None
    previous: str | None = None  # the last metric of the sentence before
    countries_listed = _MORE_PARTICIPANTS.search(page.body) is None
    before: Scope | None = None  # the scope of the body sentence before
    before_text = ""
    before_ents: list[Entity] = []
    item_force: dict[int, str] = {}  # a bullet item's opening force (_per_force_items)
    for idx, u in enumerate(page.units):
        counts, ents = _unit_parts(page, u)
        if u.sentence is not None and u.sentence.bullet:
            first = next((e for e in ents if e.kind == FORCE), None)
            if first is not None and first.start <= _ITEM_OPENING:
                item_force[u.order] = first.name
        sc = _unit_scope(page, u, counts, ents, intro, before, before_text, before_ents)
        if u.span is not None:
            before, before_text, before_ents = _as_before(sc, counts), u.text, ents
        if u.sentence is not None and not u.sentence.bullet:
            intro = sc if u.sentence.lead_in else None
            intro_text = u.text if u.sentence.lead_in else None
        scopes[u.order] = sc
        candidates.extend(
            _listed_counts(
                u,
                ents,
                page.leaders,
                sc,
                page.profile.international_headline or page.profile.joint_operation,
                countries_listed,
                page.profile.side or ("UK" if "UK" in page.profile.home else None),
            )
        )
        last: str | None = None
        if sc.scope is not None and counts:
            found, last = _unit_candidates(page, idx, sc, counts, ents, intro_text, previous)
            candidates.extend(found)
        previous = last if u.span is not None else None

    candidates = _per_force_items(candidates, item_force)
    candidates = _back_references(candidates)
    if not page.profile.international_headline and _part_page(page):
        candidates = national_wholes(candidates, page.units)
    if (
        background_headline(candidates, page.lead_sentence)
        or period_totals_page(page.title, page.lead_sentence, page.body)
        or several_operations_page(page.title, page.lead_sentence)
    ):
        # a programme's or a period's totals: no operation, so no operation figures
        candidates = [c for c in candidates if c.scope not in (OPERATION, INTERNATIONAL)]
    dur = _best_duration(page.units, page.durations, scopes)
    if dur is not None and not _preview(page, candidates):
        candidates.append(dur[0])
    return page, candidates, scopes, dur


def _back_references(candidates: list[Candidate]) -> list[Candidate]:
    """ "how many of the 60 investigations were live", after "it is running around 60
    investigations at present": a count named back with "the" is the count stated before, and
    keeps its scope when every earlier statement of it was background."""
    background: set[int] = set()
    earlier: dict[tuple[str, float], set[str | None]] = {}
    for i in sorted(range(len(candidates)), key=lambda i: candidates[i].order):
        c = candidates[i]
        scopes = earlier.setdefault((c.metric, float(c.value)), set())
        if (
            c.scope == OPERATION
            and c.unit.span is not None
            and scopes == {CONTEXT}
            and isinstance(c.value, int)
            and re.search(rf"\b(?:the|these|those)\s{c.value}\b", c.unit.text, re.IGNORECASE)
        ):
            background.add(i)
        elif c.unit.span is not None:
            scopes.add(c.scope)
    return [replace(c, scope=CONTEXT) if i in background else c for i, c in enumerate(candidates)]


# A list item that opens on its force: "- Kent Police: 12 arrests", "• Essex Police made nine".
_ITEM_OPENING = 12


def _per_force_items(candidates: list[Candidate], item_force: dict[int, str]) -> list[Candidate]:
    """A list whose items each open on a different UK force gives each force's results, the
    first item's too: none of them is the operation's total (docs/EXTRACTION.md, "Labelling
    conventions": per-force results are parts, and with no stated total there is no figure).
    Without this the first force named, taken for the page's own, lent its part to the
    operation. ``item_force``: each bullet item's opening force, by unit order."""
    if len(set(item_force.values())) < 2:
        return candidates
    return [
        replace(c, scope=FORCE_SCOPE, subject=item_force[c.unit.order])
        if c.scope == OPERATION and c.unit.order in item_force
        else c
        for c in candidates
    ]


# A page that announces an action rather than reporting one: "is to begin on July 1", "police
# are taking part in a national week of action" (and what looks_ahead reads: "will include
# visits").
_PREVIEW_WORDS = re.compile(
    r"\b(?:(?:is|are)\sto\s(?:begin|start|run|take)|to\s(?:begin|start)\s|begins|"
    r"starts|(?:is|are)\staking\spart|(?:is|are)\s(?:launching|starting|holding|running))\b",
    re.IGNORECASE,
)


def _preview(page: _Page, candidates: list[Candidate]) -> bool:
    """Does the page announce its action, stating no result of it? Then the length it gives is
    the plan's, not a figure. Only the title and the first body sentence are read: later ones may
    look ahead on a page of results ("key premises will still be watched") (docs/EXTRACTION.md,
    "Labelling conventions": the announced length of an action on a launch, preview or comment
    page gives no duration)."""
    if any(c.scope in (OPERATION, INTERNATIONAL) for c in candidates):
        return False
    head = f"{page.title}\n{page.lead_sentence}"
    # "will" as looks_ahead reads it ("against their will" looks nowhere)
    return _PREVIEW_WORDS.search(head) is not None or looks_ahead(head)


def _as_before(sc: Scope, counts: list[NumberMention]) -> Scope:
    """A sentence's scope as the next sentence reads it: one whose every count comes after its
    mention of the wider action ("The UK operation was part of a worldwide action carried out in
    119 countries, which ended with 3,744 people detained") ends on the whole, and a passage on
    the whole may go on from it (continues_wider)."""
    if (
        sc.scope == OPERATION
        and sc.international_from is not None
        and counts
        and all(m.start > sc.international_from for m in counts)
    ):
        return Scope(INTERNATIONAL, reason=ENDS_WIDER)
    return sc


def _part_page(page: _Page) -> bool:
    """Is the page a force's, county's or region's page about its own part of a national
    action (``tasks.figures.wholes``)?"""
    lead = page.lead_sentence
    head = f"{page.title}\n{lead}"
    local = any(e.kind == FORCE for e in find_entities(head)) or UK_PLACE.search(head) is not None
    return part_page(page.title, lead, local)


def _extract(
    body: str, title: str, *, publisher: str | None, published: date | None, url: str | None = None
) -> FigureResult:
    page, candidates, scopes, dur = _analyse(
        body, title, publisher=publisher, published=published, url=url
    )
    kept, withheld = totals_hold_their_parts(choose(candidates))
    figures, abstentions = _rated(kept, page, load_model())
    abstentions.extend(_withheld(c, reason) for c, reason in withheld)
    op_arrests = next(
        (f.value for f in figures if f.scope == OPERATION and f.metric == "arrests"), None
    )
    facts = OperationFacts(
        name=operation_name(page.body, page.title),
        lead_agency=page.lead,
        theme=theme(page.body, page.title),
        start_date=dur[1].start_date if dur else None,
        end_date=dur[1].end_date if dur else None,
        forces=forces_named(page.entities),
        countries=countries_named(page.entities),
    )
    return FigureResult(
        figures=tuple(figures),
        arrest_breakdown=tuple(_breakdown(page.units, scopes, op_arrests)),
        operation=facts,
        abstentions=tuple(abstentions),
    )


def _signals(page: _Page, chosen: list[tuple[Candidate, list[Candidate]]]) -> PageSignals:
    lead = page.lead_sentence
    return page_signals(
        page.title,
        lead,
        force_parts=sum(1 for c, _ in chosen if c.scope == FORCE_SCOPE),
        context_parts=sum(1 for c, _ in chosen if c.scope == CONTEXT),
        units=len(page.units),
    )


def candidate_facts(c: Candidate, group: list[Candidate]) -> CandidateFacts:
    """What ``tasks.figures.confidence`` needs to know of a chosen candidate and its rivals."""
    rivals = {float(o.value) for o in group} - {float(c.value)}
    return CandidateFacts(
        metric=c.metric,
        scope=c.scope,
        value=float(c.value),
        qualifier=c.qualifier,
        title_only=c.rank == TITLE,
        heading=c.rank in (HEADING, TITLE_REPEAT),
        listed=c.rank >= LISTED,
        weak=c.weak,
        quoted=c.quoted,
        part=c.part,
        headline=c.headline,
        bullet=bool(c.unit.sentence and c.unit.sentence.bullet),
        order=max(c.order, 0),
        rival_values=len(rivals),
    )


def headline_choices(
    body: str,
    title: str | None = None,
    *,
    publisher: str | None = None,
    published: date | None = None,
    url: str | None = None,
) -> list[tuple[Figure, CandidateFacts, PageSignals]]:
    """The operation and international figures the rules choose, before any is withheld, with
    what ``tasks.figures.confidence`` reads of each: the training data of its model."""
    page, candidates, _, _ = _analyse(
        body or "", title or "", publisher=publisher, published=published, url=url
    )
    chosen = choose(candidates)
    signals = _signals(page, chosen)
    return [
        (c.figure(), candidate_facts(c, group), signals)
        for c, group in chosen
        if c.scope in (OPERATION, INTERNATIONAL)
    ]


def _rated(
    chosen: list[tuple[Candidate, list[Candidate]]], page: _Page, model: Model | None
) -> tuple[list[Figure], list[Abstention]]:
    """Each chosen figure with its confidence; the operation and international figures the
    model does not trust become abstentions. Force and background figures are not rated: they
    are never headline figures."""
    signals = _signals(page, chosen)
    figures: list[Figure] = []
    abstentions: list[Abstention] = []
    for c, group in chosen:
        if c.scope not in (OPERATION, INTERNATIONAL):
            figures.append(c.figure())
            continue
        confidence = rate(candidate_facts(c, group), signals, model)
        if model is not None and confidence < model.threshold:
            u = c.unit
            abstentions.append(
                Abstention(
                    c.scope,
                    c.metric,
                    c.value,
                    c.qualifier,
                    u.text,
                    u.span,
                    confidence,
                    f"confidence {confidence:.2f} under the threshold {model.threshold:.2f}",
                )
            )
            continue
        figures.append(c.figure(confidence))
    return figures, abstentions


def _withheld(c: Candidate, reason: str) -> Abstention:
    """A figure a page-level constraint left out: its confidence is 0, as it contradicts the
    page's other figures."""
    return Abstention(
        c.scope, c.metric, c.value, c.qualifier, c.unit.text, c.unit.span, 0.0, reason
    )


def _neighbourhood(units: list[Unit], idx: int) -> str:
    """The sentence with its neighbours in the body ("referrals were made to this")."""
    parts = []
    for j in (idx - 1, idx, idx + 1):
        if 0 <= j < len(units) and (j == idx or units[j].span is not None):
            parts.append(units[j].text)
    return " ".join(parts)


def _listed(u: Unit, metric: str, value: int, sc: Scope, own: bool) -> Candidate:
    """A count of the names a sentence lists. ``own``: the list is the page's own action's
    (an international or joint one); otherwise countries listed on a national page are the
    wider action's (international)."""
    scope = INTERNATIONAL if sc.scope == OPERATION and not own else sc.scope
    return Candidate(scope, metric, value, "exact", u, None, u.rank + LISTED, order=u.order)


def _listed_counts(
    u: Unit,
    ents: list[Entity],
    leaders: tuple[str, ...],
    sc: Scope,
    international_page: bool,
    countries_listed: bool = True,
    home_country: str | None = None,
) -> list[Candidate]:
    """countries_involved / forces_involved from a list of names that took part.
    ``home_country``: the country whose own action the page reports, counted with a list of
    the others it acted with ("Working with law enforcement in France, Germany, Belgium and the
    Netherlands, the NCA ...")."""
    out: list[Candidate] = []
    if sc.scope not in (OPERATION, INTERNATIONAL):
        return out
    cues = cue_text(u.text)
    took_part = finditer_at(_TOOK_PART, u.text, cue_starts(cues, _TOOK_PART_STARTS))
    took = next(took_part, None) is not None
    joint = _IN_A_JOINT.search(u.text) if "joint" in cues else None
    if not took and joint is None:
        return out
    # "Romanian, Bulgarian and German police took part", "Thai and Cambodian authorities, in a
    # joint raid, ...": a list of nationality adjectives before a law-enforcement noun names the
    # countries whose authorities took part; acting jointly, they are the operation's own
    demonyms = demonym_list(u.text)
    if demonyms and countries_listed:
        names = set(demonyms) | set(leaders)
        out.append(
            _listed(u, "countries_involved", len(names), sc, international_page or bool(joint))
        )
    if not took:
        return out  # "in a joint raid" says only a list of nationalities took part
    for run in country_runs(u.text, ents) if countries_listed and not demonyms else ():
        names = {e.name for e in run} | set(leaders)
        if home_country and _WITH_OTHERS_BEFORE.search(
            u.text, max(0, run[0].start - _WITH_OTHERS_REACH), run[0].start
        ):
            names.add(home_country)
        if len(names) >= MIN_LISTED_COUNTRIES:
            out.append(_listed(u, "countries_involved", len(names), sc, international_page))
            break
    if not _INCOMPLETE_LIST.search(u.text):
        forces = [e for e in ents if e.kind == FORCE]
        named = {e.name for e in forces} | set(area_force_list(u.text))
        if len(named) >= 2:
            out.append(_listed(u, "forces_involved", len(named), sc, True))
    return out


def _best_duration(
    units: list[Unit], durations: dict[int, list[Duration]], scopes: dict[int, Scope]
) -> tuple[Candidate, Duration] | None:
    best: tuple[tuple[int, int, int], Candidate, Duration] | None = None
    for u in units:
        sc = scopes.get(u.order)
        if sc is None or sc.scope in (None, CONTEXT):
            continue
        # the operation's length: a UK page that gives the wider action's dates gives its own
        scope = OPERATION
        for d in durations.get(u.order, []):
            if sc.context_from is not None and d.start >= sc.context_from:
                continue  # "..., up from 30 during last year's week of action"
            key = (d.rank, 0 if sc.scope == OPERATION else 1, u.rank, u.order)
            if best is None or key < best[0]:
                cand = Candidate(
                    scope, "duration_days", d.days, "exact", u, None, u.rank, order=u.order
                )
                best = (key, cand, d)
    if best is not None and best[2].contradicted:
        return None  # the page's own dates disagree with its weekdays: no length is stated
    return (best[1], best[2]) if best else None


# A sentence about the operation as a whole ("the week-long operation resulted in", "in total")
# beats a narrative one ("two men and a woman were arrested after police raided ..."). Every
# match starts with one of _HEADLINE_STARTS, and the pattern is tried only there.
_HEADLINE_STARTS = (
    "operation", "crackdown", "week", "campaign", "in", "a", "overall", "together", "combined",
    "collectively", "between", "result", "tally", "totalled",
)  # fmt: skip
_HEADLINE_WORDS = re.compile(
    r"\b(?:operation|operations|intensification|crackdown|week\sof\saction|action\sdays?|campaign|"
    r"in\stotal|a\stotal\sof|overall|in\sall|altogether|together|combined|collectively|between\sthem|"
    r"results?|tally|totalled|achieved)\b",
    re.IGNORECASE,
)
# The line before a list of results ("Overall, the results of the action include:").
_RESULTS_INTRO = re.compile(
    r"\b(?:results?|achieved|recorded|tally|total|overall|in\sall|outcomes?|during\sthe\s(?:week|operation|fortnight)|"
    r"the\s(?:week|operation|fortnight|action)\s(?:saw|led|resulted|produced))\b",
    re.IGNORECASE,
)


def _headline(u: Unit, intro: str | None) -> bool:
    """Does the sentence report the operation as a whole? A list item does when the line that
    introduces its list does ("Results from the week include:")."""
    if u.span is None or u.sentence is None:
        return True
    if u.sentence.bullet:
        return bool(intro and _RESULTS_INTRO.search(intro))
    starts = cue_starts(cue_text(u.text), _HEADLINE_STARTS)
    return next(finditer_at(_HEADLINE_WORDS, u.text, starts), None) is not None


def _breakdown(
    units: list[Unit], scopes: dict[int, Scope], arrests: int | float | None
) -> list[BreakdownItem]:
    """Explicit splits of the operation's arrests first; else attributed single counts."""
    eligible = [
        u
        for u in units
        if u.span is not None and (scopes.get(u.order) or Scope(None)).scope == OPERATION
    ]
    for u in eligible:
        items = bd.explicit_items(u.text)
        items = [i for i in items if arrests is None or i.count <= arrests]
        if items:
            return [BreakdownItem(i.offence, i.count, u.text, u.span) for i in items]
    out: list[BreakdownItem] = []
    total = 0
    for u in eligible:
        for i in bd.attributed_items(u.text):
            if arrests is not None and total + i.count > arrests:
                continue
            if any(o.offence == i.offence for o in out):
                continue
            out.append(BreakdownItem(i.offence, i.count, u.text, u.span))
            total += i.count
    return out
