"""Reading the numbers of one sentence: ``read_sentence``.

Each count goes through named steps (``_read_one``): money is read as cash or nothing; a count
that is no figure (an addition, a rate, a ratio) stops at the first rule of ``_NOT_A_COUNT``
that applies; a part of another count is read by ``subsets``; any other count takes the verb
before it, a list label or the verb after it, and ``metrics`` maps (noun class, verb class) to
its metric. The sentence then reads its coordinated counts together (``partitions``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from tasks.figures.metric_rules.clauses import aside_match, paren_depths, verb_after
from tasks.figures.metric_rules.labels import LABEL, SAFEGUARD_LABEL, label_class
from tasks.figures.metric_rules.metrics import metric_for, warrant_reading
from tasks.figures.metric_rules.money import read_money
from tasks.figures.metric_rules.nouns import (
    ADULT_N,
    BLADE_N,
    CHILD_N,
    COUNTRY_N,
    GENDER_N,
    GENDER_NOUNS,
    LABEL_DECIDES,
    NOUNS,
    OTHER_COUNTS,
    PERSON_N,
    PREMISES_N,
    STAFF_N,
    SUSPECT_N,
    THING_N,
    UNION,
    VICTIM_N,
    WEAPON_N,
    NounPhrase,
    age_class,
    head_class,
    noun_phrase,
)
from tasks.figures.metric_rules.partitions import (
    coordinated_partitions,
    gender_partitions,
    per_place_lists,
)
from tasks.figures.metric_rules.phrases import (
    ADDITIONAL_BEFORE,
    ANOTHER_BEFORE,
    APPOSITION_BEFORE,
    COPULA,
    COPULA_PART_GAP,
    COUNTRY_WITH_BEFORE,
    DEMONSTRATIVE_BEFORE,
    FURTHER_BEFORE,
    LEADING_PERSON,
    NUMBER_OF_BEFORE,
    ONE_IN_AFTER,
    OPENER,
    OPENER_CLAUSE_END,
    OTHERS_AFTER,
    RATE_AFTER,
    RATIO_AFTER,
    RATIO_BEFORE,
    TOTALLED_BEFORE,
    VICTIM_DESC_AFTER,
    VICTIM_TAIL_AFTER,
)
from tasks.figures.metric_rules.reading import BY_KIND, NONE, Reading, Situation
from tasks.figures.metric_rules.subsets import opener_metric, part_of, read_part
from tasks.figures.metric_rules.verbs import BARE_VERB_AFTER, NEUTRAL, VERB_BEFORE, verb_class
from tasks.figures.numbers import COUNT, MONEY, NumberMention
from tasks.figures.places import COUNTRY, country_runs, find_entities

# How many characters around a number the steps read: before it (up to its qualifier), after
# it, and after its noun phrase.
_BEFORE_CHARS = 60
_AFTER_CHARS = 80
_AFTER_NP_CHARS = 60
# How close the next number must follow for an aside about this one to hold it ("Five people,
# three men and two women, were arrested").
_ASIDE_WINDOW = 170
# What joins two numbers that share a verb ("identified 64 children and 19 adults").
_JOINING_GAPS = ("and", ",", ", and")
# Counts a dash or a colon after them splits into people ("26 potential victims were identified
# - 21 children and five adults").
_APPOSED_WHOLES = ("potential_victims", "arrests")
_PEOPLE_PARTS = (CHILD_N, ADULT_N, PERSON_N, GENDER_N)
# Noun classes whose metric may come from the verb after them, a total or a description.
_VERB_DECIDES = (PERSON_N, SUSPECT_N, CHILD_N, ADULT_N, GENDER_N, UNION, PREMISES_N, VICTIM_N)
_PEOPLE = (PERSON_N, CHILD_N, ADULT_N, UNION)
# Noun classes that are no figure whatever the verb (weapons by kind are read before).
_NO_FIGURE = (THING_N, STAFF_N, BLADE_N)


@dataclass(frozen=True, slots=True)
class _Opener:
    """ "Of the 99 victims, 72 were children and 27 adults": the whole a sentence opens on
    governs the numbers of its own clause only (not ", and 55 referrals followed")."""

    parent: str | None  # the metric of that whole
    start: int  # where the opener ends: the clause's numbers start here
    end: int  # where the clause ends

    def parent_at(self, pos: int) -> str | None:
        return self.parent if self.start <= pos <= self.end else None


def _opener(text: str) -> _Opener:
    opener = OPENER.match(text)
    if opener is None:
        return _Opener(None, 0, len(text))
    stop = OPENER_CLAUSE_END.search(text, opener.end())
    return _Opener(
        opener_metric(opener.group("np")), opener.end(), stop.start() if stop else len(text)
    )


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
    label_m = LABEL.match(text)
    label_cls, label_verb = label_class(label_m.group("label")) if label_m else (None, None)
    ctx = context or text
    last_metric: str | None = previous_metric
    first_count_seen = False
    aside_end = -1  # counts before this offset sit in an aside about an earlier count
    in_parens = paren_depths(text, [m.start for m in mentions])
    opener = _opener(text)
    for i, m in enumerate(mentions):
        fs = m.figure_start
        r = _read_one(
            Situation(
                text,
                mentions,
                nps,
                i,
                ctx,
                before=text[max(0, fs - _BEFORE_CHARS) : fs],
                after=text[m.end : m.end + _AFTER_CHARS],
                label_cls=label_cls if not first_count_seen else None,
                label_verb=label_verb if not first_count_seen else None,
                parent_metric=last_metric,
                in_parens=in_parens[i]
                or _joins_part(text, mentions, nps, readings, i)
                or _apposed(text, mentions, nps, readings, i, last_metric)
                or m.start < aside_end,
                opener_parent=opener.parent_at(m.start),
                # "identified 64 children and 19 adults": the second number shares the first
                # one's verb
                inherited_verb=readings[i - 1].verb_before
                if _joined(text, mentions, nps, i)
                else None,
            )
        )
        if (
            m.end <= opener.start
            and opener.parent not in (None, "subset")
            and r.metric != opener.parent
            and m.kind == COUNT
        ):
            # "Of the 99 potential victims, 55 were referred to the NRM": the opener's count is
            # its own whole, whatever verb its clause goes on with
            r = Reading(opener.parent, reason="opener whole")
        if m.kind == COUNT or m.kind == MONEY:
            first_count_seen = True
        readings.append(r)
        if r.metric and not r.subset:
            last_metric = r.metric
            aside_end = max(aside_end, _aside_end(text, mentions, nps, i, r))
    readings = _plus_named_countries(text, nps, readings)
    readings = _restated_money(text, mentions, readings)
    readings = gender_partitions(text, mentions, nps, readings)
    readings = per_place_lists(text, mentions, nps, readings)
    return coordinated_partitions(text, mentions, nps, readings, barrier=opener.start)


# "£1.2 million, or £1,187,430.55 to be exact", "almost £50,000 (£49,870)": the same sum again.
_RESTATED_GAP = re.compile(r"^\s*(?:,\s*)?(?:or|\(|that\sis|i\.e\.)\s*$", re.IGNORECASE)
# "... was seized, or £1,187,430.55 to be exact"
_OR_GAP = re.compile(r",\s*or\s*$")
_EXACTLY_AFTER = re.compile(r"\s*(?:to\sbe\s(?:exact|precise)|precisely|exactly)\b", re.IGNORECASE)


def _restated_money(
    text: str, mentions: list[NumberMention], readings: list[Reading]
) -> list[Reading]:
    """A sum restated right after cash is that cash, exactly (the choice keeps the exact one)."""
    out = list(readings)
    for i in range(1, len(mentions)):
        prev, cur = mentions[i - 1], mentions[i]
        if (
            cur.kind == MONEY
            and prev.kind == MONEY
            and out[i].metric is None
            and out[i - 1].metric == "cash_seized_gbp"
            and (
                _RESTATED_GAP.match(text[prev.end : cur.figure_start])
                or (
                    _OR_GAP.search(text, prev.end, cur.figure_start)
                    and _EXACTLY_AFTER.match(text, cur.end)
                )
            )
        ):
            out[i] = Reading("cash_seized_gbp", reason="restated")
    return out


def _joined(text: str, mentions: list[NumberMention], nps: list[NounPhrase], i: int) -> bool:
    return (
        i > 0 and text[nps[i - 1].end : mentions[i].figure_start].strip().lower() in _JOINING_GAPS
    )


def _joins_part(
    text: str, mentions: list[NumberMention], nps: list[NounPhrase], readings: list[Reading], i: int
) -> bool:
    """ "comprised 72 children and 27 adults": a number joined to a part is a part too, unless it
    counts something else ("including 100 minors, and 219 arrests")."""
    if i == 0 or not readings[i - 1].subset:
        return False
    gap = text[nps[i - 1].end : mentions[i].figure_start]
    return (gap.strip() in ("and", ",") or COPULA_PART_GAP.fullmatch(gap) is not None) and not (
        set(nps[i].classes) & OTHER_COUNTS
    )


def _apposed(
    text: str,
    mentions: list[NumberMention],
    nps: list[NounPhrase],
    readings: list[Reading],
    i: int,
    last_metric: str | None,
) -> bool:
    """ "26 potential victims were identified - 21 children and five adults": people listed after
    a dash or a colon split the count before them."""
    fs = mentions[i].figure_start
    return (
        i > 0
        and last_metric in _APPOSED_WHOLES
        and any(r.metric == last_metric and not r.subset for r in readings)
        and APPOSITION_BEFORE.search(text, max(0, fs - 4), fs) is not None
        and bool(nps[i].classes)
        and nps[i].classes[0] in _PEOPLE_PARTS
    )


def _aside_end(
    text: str, mentions: list[NumberMention], nps: list[NounPhrase], i: int, r: Reading
) -> int:
    """Where an aside about count ``i`` ends: "Five people, three men and two women, were
    arrested" (the counts inside it are its parts); -1 when there is none."""
    if (
        r.verb_before is None
        and i + 1 < len(mentions)
        and mentions[i + 1].start < nps[i].end + _ASIDE_WINDOW
    ):
        ap = aside_match(text, nps[i].end)
        if ap is not None:
            return ap.end()
    return -1


def _read_one(s: Situation) -> Reading:
    m = s.mention
    if m.kind == MONEY:
        return read_money(m, s.before, s.after, s.label_cls)
    if m.kind != COUNT:
        return NONE
    for rule in _NOT_A_COUNT:
        reading = rule(s)
        if reading is not None:
            return reading
    return _read_counted(s)


def _read_counted(s: Situation) -> Reading:
    """The reading of a count that is a figure (no rate, ratio or "other")."""
    head, np_end = _complement(s)
    part = part_of(s, head, np_end)
    if part.subset:
        return read_part(s, part)
    return _read_whole(s, head)


# Countries named after a count of countries as more of them: "from 31 countries in the
# Americas, with Cuba taking part for the first time, plus France and Spain" (33).
_PLUS_NAMED_AFTER = re.compile(
    r"[^.;]{0,90}?,?\s(?:plus|as\swell\sas|along\swith|together\swith)\s(?:the\s)?", re.IGNORECASE
)
_NAMED_LIST_CHARS = 80


def _plus_named_countries(
    text: str, nps: list[NounPhrase], readings: list[Reading]
) -> list[Reading]:
    out = list(readings)
    for i, r in enumerate(out):
        if r.metric != "countries_involved" or r.value_add:
            continue
        plus = _PLUS_NAMED_AFTER.match(text, nps[i].end)
        if plus is None:
            continue
        tail = text[plus.end() : plus.end() + _NAMED_LIST_CHARS]
        run = next(iter(country_runs(tail, find_entities(tail), min_len=1)), [])
        if run and run[0].start == 0:  # the names start the tail
            out[i] = replace(r, value_add=len({e.name for e in run}), reason="plus named countries")
    return out


def _named_country_and_others(s: Situation) -> Reading | None:
    if (
        "other" in s.np.words
        and head_class(s.np) == COUNTRY_N
        and COUNTRY_WITH_BEFORE.search(s.before)
    ):
        # "the Austrian authorities together with 12 other EU countries": the named one too
        return Reading("countries_involved", value_add=1, reason="named country and others")
    return None


def _additional(s: Situation) -> Reading | None:
    another = ANOTHER_BEFORE.search(s.before)
    if another is not None and not OTHERS_AFTER.match(s.after):
        # "Of the 682 arrested, 147 were charged, and another 399 children were safeguarded":
        # another of a different count is a figure of its own (weak: it may follow a part);
        # another of the same count is more of it ("18 arrested ... another 4 arrested").
        whole = _read_counted(s)
        if whole.metric is not None and whole.metric != s.parent_metric:
            return replace(whole, weak=True)
        return Reading(None, reason="additional")
    if ADDITIONAL_BEFORE.search(s.before) or OTHERS_AFTER.match(s.after):
        return Reading(None, reason="additional")
    if "other" in s.np.words or "others" in s.np.words:
        return Reading(None, reason="additional")
    return None


def _after_np(s: Situation) -> str:
    return s.text[s.np.end : s.np.end + _AFTER_NP_CHARS]


def _rate(s: Situation) -> Reading | None:
    if RATE_AFTER.match(_after_np(s)) or RATE_AFTER.match(s.after):
        return Reading(None, reason="rate")
    return None


def _ratio(s: Situation) -> Reading | None:
    if (
        RATIO_AFTER.match(_after_np(s))
        or RATIO_BEFORE.search(s.before)
        or (s.mention.value == 1 and ONE_IN_AFTER.match(s.after))
    ):
        # "one arrest for every 1,600 people checked", "one in five": arithmetic, not a count
        return Reading(None, reason="ratio")
    return None


# A suspect's alleged history, not what the operation found: "a gang believed to have
# exploited more than 100 victims", "the pair alleged to have exploited nine workers".
_ALLEGED_HISTORY_BEFORE = re.compile(
    r"\b(?:thought|believed|alleged|suspected|estimated|said)\sto\shave\s(?:been\s)?[a-z]+ed\s"
    r"(?:(?:more\sthan|over|around|about|some|up\sto|at\sleast|nearly|almost|as\smany\sas)\s)?$",
    re.IGNORECASE,
)


def _alleged_history(s: Situation) -> Reading | None:
    if "to have" in s.before and _ALLEGED_HISTORY_BEFORE.search(s.before):
        return Reading(None, reason="alleged history")
    return None


# Where people come from, not who took part: "45 victims, who came from 12 countries", "suspects
# from nine countries" (officers, forces or agencies from N countries do take part).
_PEOPLE_FROM_BEFORE = re.compile(
    r"\b(?:victims?|people|persons|women|men|girls|boys|children|minors|workers|labourers|"
    r"migrants|nationals|individuals|survivors|suspects|offenders|traffickers|smugglers)"
    r"(?:,?\s(?:who|that)\s(?:had\s)?(?:came|come|were|are|hail(?:ed)?|originated))?\s"
    r"from\s(?:(?:more\sthan|over|some|around|about|at\sleast|as\smany\sas|up\sto)\s)?$",
    re.IGNORECASE,
)


def _origin(s: Situation) -> Reading | None:
    if head_class(s.np) == COUNTRY_N and _PEOPLE_FROM_BEFORE.search(s.before):
        return Reading(None, reason="origin")
    return None


# Counts that are no figure of their own, tried in this order; the first reading wins.
_NOT_A_COUNT: tuple[Callable[[Situation], Reading | None], ...] = (
    _alleged_history,
    _origin,
    _named_country_and_others,
    _additional,
    _rate,
    _ratio,
)


def _complement(s: Situation) -> tuple[str | None, int]:
    """The noun class of the count and where its words end; for a bare number, the complement
    of its copula names what was counted ("14 were children")."""
    np, text = s.np, s.text
    head, np_end = head_class(np), np.end
    if not np.classes:
        cop = COPULA.match(text, np.end, min(len(text), np.end + 30))
        if cop:
            inner = noun_phrase(text, cop.end())
            if inner.classes:
                head, np_end = head_class(inner), inner.end
    return head, np_end


def _read_whole(s: Situation, head: str | None) -> Reading:
    """A count that is no part of another: its verb (before it, from a list label, after it or
    shared with the number it is joined to), then its metric."""
    verb, verb_before, weak = _verb_before(s)
    if s.label_cls is not None and (
        head is None or (head in (PERSON_N, SUSPECT_N, UNION) and s.label_cls in LABEL_DECIDES)
    ):
        head = s.label_cls
    if verb is None and s.label_verb is not None:
        verb = s.label_verb  # "People charged: 537", "Addresses visited: 1,102"
    if head is None or head in _VERB_DECIDES:
        head, verb = _verb_after_noun(s, head, verb)
    if verb is None and s.inherited_verb:
        verb = verb_before = s.inherited_verb
    return _metric_reading(s, head, verb, verb_before, weak)


# "identified or arrested": the word before "or" ending the text before a verb.
_OR_BEFORE = re.compile(r"\b(\w+)\s+or\s+$")


def _either_verb(text: str, cls: str) -> bool:
    """Does ``text`` end in "<verb of another class> or"?"""
    m = _OR_BEFORE.search(text)
    if m is None:
        return False
    other = VERB_BEFORE.search(m.group(1) + " ")
    return other is not None and verb_class(other) != cls


def _verb_before(s: Situation) -> tuple[str | None, str | None, bool]:
    """(verb class, the same if read before the number, weak): "a further 35", and a count
    pointed back at ("those three countries", "arrested the three"), are read but rank last."""
    before, np = s.before, s.np
    weak = bool(FURTHER_BEFORE.search(before) or DEMONSTRATIVE_BEFORE.search(before))
    verb: str | None = None
    vb = VERB_BEFORE.search(before)
    if vb is None and np.words and np.words[0] in GENDER_NOUNS:
        lp = LEADING_PERSON.search(before)
        if lp is not None:
            # "arrested a man and two women": the verb before the first person
            vb = VERB_BEFORE.search(before, 0, lp.start() + 1)
            if vb is not None and verb_class(vb) != "arrest":
                vb = None  # only arrests are added up
    verb_before: str | None = None
    if vb and _either_verb(before[: vb.start()], verb_class(vb)):
        # "identified or arrested 85 individuals": a count of two different things
        return None, None, weak
    if vb:
        verb = verb_before = verb_class(vb) if vb.group(0) else None
        weak = weak or (bool(vb.group("the")) and not np.classes)
    return verb, verb_before, weak


def _verb_after_noun(
    s: Situation, head: str | None, verb: str | None
) -> tuple[str | None, str | None]:
    """(head, verb) of people, premises or a bare number from the words after it: a total
    ("Arrests totalled 12"), a description of victims, the verb of its clause."""
    text, np = s.text, s.np
    if head is None:
        tot = TOTALLED_BEFORE.search(s.before) or NUMBER_OF_BEFORE.search(s.before)
        if tot:
            noun = tot.group("noun") or tot.groupdict().get("noun2") or ""
            head = NOUNS.get(noun.lower()) or (VICTIM_N if SAFEGUARD_LABEL.search(noun) else None)
    verb_after_used = False
    if (
        (verb is None or verb == NEUTRAL)
        and head in _PEOPLE
        and VICTIM_DESC_AFTER.match(text, np.end, min(len(text), np.end + 120))
    ):
        verb = "victim"  # "nine men who showed signs of being exploited"
    if verb is None or verb == NEUTRAL:
        va = verb_after(text, np.end, s.mentions, s.i, s.nps)
        if va is not None:
            verb = va
            verb_after_used = True
        if va == "seize" and head in _PEOPLE:
            # "interviewed 351 people and removed 10 people": a seizure verb later in the
            # clause rescues nobody; only right before the number does it ("recovered five
            # children")
            verb = None
    if (
        head is None
        and verb == "victim"
        and not VICTIM_TAIL_AFTER.match(text[np.end : np.end + 80])
    ):
        verb = None  # "99 were identified as potential victims", "114 safeguarded" only
    bare = head is None and s.label_cls is None and verb in ("arrest", "charge")
    if bare and verb_after_used and not BARE_VERB_AFTER.match(text, np.end):
        # a bare number must sit right before its verb: "16 were arrested", "six charged";
        # or name, in a few words the tables do not know, whom the verb arrested: "some 60
        # delivery drivers have been arrested"
        unknown_people = _UNKNOWN_PLURAL_THEN_VERB.match(text, np.end) is not None
        # not a back-reference: "of the four foreigners detained" points at people counted before
        verb = verb if unknown_people and not _THE_BEFORE.search(s.before) else None
    return head, verb


# "Brazil's 27 states", "the 50 US states", "11 of the country's states": one country's parts.
_STATES_OF_ONE_COUNTRY = re.compile(
    r"(?:\b[A-Z][\w.]+(?:'s|’s)|\bthe\scountry(?:'s|’s)|\b(?:US|U\.S\.|American|Australian|"
    r"Brazilian|Indian|Mexican|Nigerian|German|Austrian|Malaysian)|\bof\sthe)\s(?:\w+\s)?$"
)


# "50 US states": a country of states named after the number
_FEDERAL_ADJECTIVES = frozenset(
    {"us", "u.s.", "american", "australian", "brazilian", "indian", "mexican", "nigerian"}
)


# Words that make "states" countries: "27 EU member states", "six partner states".
_STATES_OF_COUNTRIES = frozenset(
    {"member", "eu", "european", "schengen", "partner", "participating", "african", "arab",
     "balkan", "sovereign", "neighbouring", "neighboring"}
)  # fmt: skip


_THE_BEFORE = re.compile(r"\b(?:the|these|those|their)\s$", re.IGNORECASE)


# Up to four lower-case words ending in a plural noun, then an arrest or charge verb.
_UNKNOWN_PLURAL_THEN_VERB = re.compile(
    r"(?:\s+[a-z][a-z-]*){0,3}\s+[a-z][a-z-]*[a-rt-z]s\b" + BARE_VERB_AFTER.pattern,
    re.IGNORECASE,
)


def _metric_reading(
    s: Situation, head: str | None, verb: str | None, verb_before: str | None, weak: bool
) -> Reading:
    text, np = s.text, s.np
    searched = warrant_reading(head, np, s.before, text)
    if searched is not None:
        return Reading(searched, weak=weak, verb_before=verb_before) if searched else NONE
    if head == WEAPON_N and np.words and np.words[0] in _WEAPON_KIND_WORDS:
        head = BLADE_N  # "377 bladed weapons": a kind of weapon, not weapons in all
    if head == BLADE_N and verb is None:
        verb = verb_after(text, np.end, s.mentions, s.i, s.nps)  # "106 firearms were seized"
    if head == BLADE_N and verb is None and SEIZURE_BEFORE.search(s.before):
        verb = "seize"  # "Officers seized £2,500 in cash, as well as two knives"
    if head == BLADE_N and verb == "victim":
        verb = "seize"  # "Two firearms were recovered", "one firearm found": weapons rescue no one
    if head == BLADE_N and (
        _UNCOUNTED_WEAPONS.search(text, np.end) or np.classes.count(BLADE_N) > 1
    ):
        # "13 knives were seized, as well as knuckle dusters, baseball bats and a baton": the
        # weapons seized are more than the one kind counted, and their number is not given;
        # so in "four machetes and a knife", where the kinds share one noun phrase
        return Reading(None, reason="weapons not all counted")
    if head == BLADE_N and (verb == "seize" or s.label_cls == WEAPON_N):
        # weapons counted by kind ("106 firearms were seized", "seized six knives"): the
        # weapons figure when the page states no total of weapons, which otherwise wins
        return Reading("weapons_seized", weak=weak, part=True, reason=BY_KIND)
    if head in _NO_FIGURE:
        return NONE
    if (
        head == COUNTRY_N
        and "states" in np.words
        and (_STATES_OF_ONE_COUNTRY.search(s.before) or _FEDERAL_ADJECTIVES.intersection(np.words))
    ):
        return NONE  # "11 of Brazil's 27 states": parts of one country, not countries
    if (
        head == COUNTRY_N
        and np.words
        and np.words[-1] == "states"
        and not _STATES_OF_COUNTRIES.intersection(np.words)
    ):
        # "inspections in 15 states", "across twelve states", "nine federal states": a
        # federation's states; countries are "member states", "EU states", "partner states"
        return NONE
    if head == PERSON_N and verb == "victim":
        head = age_class(text, np.end) or head  # "40 people under the age of 18 were found"
    metric = metric_for(head, verb, sentence=text, context=s.ctx, np=np)
    if metric is None:
        return Reading(None, verb_before=verb_before)
    extra = np.extra_people + _leading_person(s.before, np)
    if metric == "countries_involved":
        extra = _countries_named_after(text, np.end)
    return Reading(
        metric,
        weak=weak,
        value_add=extra if metric in ("arrests", "countries_involved") else 0,
        verb_before=verb_before,
        # "three men and a girl were found": the men are a part of the people found
        part=bool(extra) and metric in ("victims_adults", "victims_children"),
    )


# Countries named after a count of countries, added to it: "21 EU member states, Switzerland and
# Norway took part", "23 member states, together with Iceland, Norway and Switzerland" (the
# corpus's "N member states plus M partner countries" convention). Not when the names are
# examples of the counted ones ("12 countries, Spain and Italy among them", "including").
_NAMED_AFTER_START = re.compile(
    r"\s*,\s*(?:together\s+with|along\s+with|as\s+well\s+as|plus)?\s*"
    r"|\s+(?:together\s+with|along\s+with|as\s+well\s+as|plus|and)\s+",
    re.IGNORECASE,
)
_NAMED_AFTER_END = re.compile(
    r"\b(?:took|take|takes|taking|participated|participating|joined|were|are|was|is|have|has|"
    r"had|which|who|that|in|on|at|during|from)\b|[.;:(\d]"
)
_NAMED_AS_EXAMPLES = re.compile(
    r"\b(?:among|amongst|including|included|such\s+as|notably|like|of\s+which|mainly|mostly|"
    r"especially|chiefly|led\s+by|e\.g)\b",
    re.IGNORECASE,
)


def _countries_named_after(text: str, end: int) -> int:
    start = _NAMED_AFTER_START.match(text, end)
    if start is None:
        return 0
    stop = _NAMED_AFTER_END.search(text, start.end(), min(len(text), start.end() + 160))
    window = text[start.end() : stop.start() if stop else min(len(text), start.end() + 160)]
    if _NAMED_AS_EXAMPLES.search(window):
        return 0
    countries = [e for e in find_entities(window) if e.kind == COUNTRY]
    if not countries or window[: countries[0].start].strip().lower() not in ("", "the"):
        return 0  # the names must follow the count directly ("116 countries, with the cases of")
    return len({e.name for e in countries})


# Other kinds of weapon named without a number after a counted kind ("as well as knuckle
# dusters, baseball bats and a baton").
_UNCOUNTED_WEAPONS = re.compile(
    r"\b(?:as\swell\sas|along\swith|together\swith|plus|and)\s+(?:(?:a|an|some|several)\s+)?"
    r"(?:knuckle[\s-]dusters?|baseball\sbats?|batons?|machetes?|swords?|axes|crossbows?|"
    r"firearms?|guns?|knives|knife|hammers?|other\sweapons)\b",
    re.IGNORECASE,
)
# The words that make "weapons" one kind of weapon.
_WEAPON_KIND_WORDS = frozenset(
    {"bladed", "offensive", "edged", "imitation", "air", "stun", "airsoft", "replica", "sharp"}
)
# A list of things seized that a count of one kind of weapon stands in.
SEIZURE_BEFORE = re.compile(
    r"\b(?:seized|seizing|seizures?\s(?:of|included|including)|recovered|confiscated|"
    r"were\sfound|found\sin\sthe\s(?:search|raids?))\b[^.;]*$",
    re.IGNORECASE,
)


def _leading_person(before: str, np: NounPhrase) -> int:
    """ "a man and two women were arrested": one more person named before the number."""
    if np.words and np.words[0] in GENDER_NOUNS and LEADING_PERSON.search(before):
        return 1
    return 0
