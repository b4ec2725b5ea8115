"""Follow-up pages: later criminal-justice outcomes of people arrested in an earlier operation.

Pure functions, no I/O. ``classify_followup`` takes a page's article and the figures the
headline rules read from it, and when the page is a follow-up ("Two men jailed after
Operation X", "Man charged following county lines week of action") returns:

- its figures with the headline scopes (operation, international) moved to ``context``:
  a follow-up's "2 arrests" or "7 victims" restate part of the earlier operation and must
  never enter the reconciliation of that operation's headline figures;
- its outcome figures, scope ``followup``: ``charged`` and ``convicted`` (people) and
  ``sentence_years_total`` (custodial years, summed over the people sentenced), each with
  its evidence sentence and span;
- a ``FollowUp`` record (the outcomes named, the sentence that says so, the sentence that
  points back to the operation), which the linking rule (tasks/followup.py) reads.

A page is a follow-up when its title or one of its first LEAD_SENTENCES sentences reports an
outcome (OUTCOMES) as having happened, and it is not an operation's own results page: a
week-of-action release that says "38 arrested and 12 charged" reports a larger arrest count
than its outcome count in the same headline sentence. docs/EXTRACTION.md ("Follow-up pages")
measures the rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from domain.records import HEADLINE_SCOPES, Article, Figure, FigureResult, FollowUp
from tasks.figures.numbers import NUMBER_WORDS_PATTERN, parse_number
from tasks.figures.sentences import Sentence, split_sentences

FOLLOWUP_SCOPE = "followup"
# The title and this many body sentences are the page's lead: where its subject is stated.
LEAD_SENTENCES = 2

_NUM = rf"(?:\d{{1,4}}|{NUMBER_WORDS_PATTERN})"
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"

# Each outcome and the words that state it. "charged" is not "charged £50 a night".
OUTCOMES: dict[str, re.Pattern[str]] = {
    "charged": re.compile(
        r"\b(?:charged|charges? (?:were|have been|has been) (?:brought|authorised))\b"
        r"(?!\s+(?:£|\$|€|them|victims|workers|rent|a fee|for (?:rent|food)))",
        re.IGNORECASE,
    ),
    "remanded": re.compile(r"\bremanded\b", re.IGNORECASE),
    "convicted": re.compile(
        r"\b(?:convicted|found guilty|pleaded guilty|pled guilty|admitted (?:\w+ ){0,4}"
        r"(?:offences?|charges?|counts?))\b",
        re.IGNORECASE,
    ),
    "sentenced": re.compile(
        r"\b(?:sentenced|jailed|imprisoned|locked up|handed (?:[\w-]+ ){0,4}(?:sentences?|terms?)"
        r"|given (?:[\w-]+ ){0,4}(?:sentences?|terms?|custody|detention))\b",
        re.IGNORECASE,
    ),
    "acquitted": re.compile(r"\b(?:acquitted|cleared of|found not guilty)\b", re.IGNORECASE),
    "no_further_action": re.compile(
        r"\b(?:no further action|released without charge)\b", re.IGNORECASE
    ),
}
# Words just before an outcome that make it a prospect, not an event: "could be jailed",
# "can be jailed for at least thirty years", "face up to 14 years", "will be sentenced", "is due
# to be sentenced".
_PROSPECT = re.compile(
    r"\b(?:could|can|cannot|may|might|would|will|should|must|to|face|faces|facing)\s+"
    r"(?:\w+\s+)?(?:be\s+)?$",
    re.IGNORECASE,
)
# An outcome the page restates from an earlier report: "who were charged in March",
# "had already been charged", "previously convicted". Kept out of the page's own counts, so
# that one person's charge is not counted again by every later update.
_RESTATED_BEFORE = re.compile(
    r"(?:\b(?:who|which|that)\s+(?:had\s+|have\s+)?(?:was\s+|were\s+|been\s+)*"
    r"(?:previously\s+|already\s+|earlier\s+|originally\s+)?"
    r"|\bhad\s+(?:previously\s+|already\s+)?been\s+|\b(?:previously|already|earlier)\s+"
    r"(?:been\s+)?)$",
    re.IGNORECASE,
)
_RESTATED_AFTER = re.compile(
    rf"^\s*(?:back\s+)?(?:in\s+(?:{_MONTHS})|in\s+(?:19|20)\d\d|last\s+(?:year|month|week)"
    r"|earlier\s+this\s+(?:year|month)|at\s+an\s+earlier|at\s+a\s+previous)\b",
    re.IGNORECASE,
)
# A week of action's own arrest count in its headline sentence: "38 arrested", "1,468 arrests".
_ARREST_COUNT = re.compile(
    rf"\b({_NUM}|\d{{1,3}}(?:,\d{{3}})+)\s+(?:[\w-]+\s+){{0,3}}?(?:arrests|(?:were\s+|have\s+been\s+)?"
    r"arrested)\b(?!\s+(?:during|as part of|following|after|in connection|on suspicion|over|for))",
    re.IGNORECASE,
)
# "Arrested 31 people": the count after the verb.
_ARRESTED_COUNT = re.compile(
    rf"\barrested\s+(?:more than\s+|over\s+|some\s+)?({_NUM}|\d{{1,3}}(?:,\d{{3}})+)\s+"
    rf"(?:[\w-]+\s+){{0,2}}?(?:people|suspects|men|women|individuals|persons)\b",
    re.IGNORECASE,
)
# An outcome that happened within the action itself ("108 smugglers jailed in a week-long
# effort", "charged during the week"): the operation's own results, not a follow-up.
_WITHIN_ACTION = re.compile(
    r"^\s*(?:[\w-]+\s+){0,4}?(?:in|during)\s+(?:a|an|the)?\s*(?:[\w-]+\s+){0,3}?"
    r"(?:week|operation|action|effort|intensification|crackdown|days?)\b",
    re.IGNORECASE,
)
# An outcome given as the action ends ("47 people have been charged with 135 counts now that
# police have finished part four of the investigation", "... charged at the end of the
# week-long operation"): the lead reports the action's own results, so the page is no follow-up
# even under a title that reads like one ("Dozens charged after nationwide probe").
_AS_ACTION_ENDS = re.compile(
    r"^[^.;]{0,120}?\bnow\sthat\b[^.;]{0,160}?\b(?:finished|completed|concluded|ended|"
    r"wrapped\sup|closed)\b"
    r"|^[^.;]{0,60}?\bat\sthe\s(?:end|close|conclusion)\sof\s(?:a|an|the)\s(?:[\w-]+\s+){0,3}?"
    r"(?:week|operation|action|intensification|crackdown|investigation|phase|sting)\b",
    re.IGNORECASE,
)
_OF_THE = re.compile(r"\b(?:of|among)\s+(?:the|those)\s+$", re.IGNORECASE)

# Who the outcome happened to, as a count of people.
_PEOPLE_NOUNS = (
    r"(?:men|women|people|persons|suspects|defendants|members|individuals|offenders|"
    r"traffickers|brothers|sisters|sons|teenagers|boys|girls|adults|youths|others|relatives|"
    r"gangmasters|drivers|dealers|associates|landlords|couples?|family members)"
)
_ONE_NOUNS = (
    r"(?:man|woman|person|suspect|defendant|teenager|boy|girl|father|mother|son|daughter|"
    r"driver|dealer|trafficker|gangmaster|leader|member|youth|landlord|husband|wife|"
    r"businessman|businesswoman|owner|boss|ringleader|brother|sister|co-defendant|accomplice|director|manager)"
)
_PEOPLE = re.compile(
    rf"\b(?P<n>{_NUM})\s+(?:[\w-]+\s+){{0,3}}?{_PEOPLE_NOUNS}\b"
    rf"|\b(?P<one>an?|one|the)\s+(?:[\w-]+\s+){{0,3}}?{_ONE_NOUNS}\b"
    r"|\b(?P<pair>a couple|a pair|both)\b"
    r"|\b(?P<pron>he|she)\s+(?:was|has|had|is|pleaded|admitted)\b"
    r"|(?P<named>(?-i:\b[A-Z][a-z]+(?:\s+[A-Z][A-Za-z'-]+){1,3}),\s+(?:aged\s+)?\d{2},)",
    re.IGNORECASE,
)
_JOIN = re.compile(r"^\s*(?:,|and|, and|&)\s*$")
# A bare count before the verb, as headlines write it: "Two jailed", "Three charged after".
_BARE = re.compile(
    rf"\b({_NUM})\s+(?:more\s+|others?\s+|further\s+)?(?:have\s+been\s+|were\s+|are\s+)?$",
    re.IGNORECASE,
)

# Custodial terms: "six years", "four years and six months", "18 months", "seven-and-a-half
# years", "a 12-year sentence". Only in a sentence that sentences someone, and not a
# suspended term, a maximum, an age or a span of time the crimes lasted.
_TERM = re.compile(
    rf"\b(?P<y>{_NUM}|\d+(?:\.\d)?)(?P<half>\s*(?:-|\s)and(?:-|\s)a(?:-|\s)half)?[\s-]+years?"
    rf"(?:\s+and\s+(?P<m>{_NUM})\s+months?)?\b(?![\s-]+(?:old|ago))"
    rf"|\b(?P<mo>{_NUM}|\d+)[\s-]+months?\b(?![\s-]+(?:old|ago))",
    re.IGNORECASE,
)
_SENTENCING = re.compile(
    r"\b(?:sentenced|jailed|imprisoned|locked up|sentences?|terms?|handed|given|received|"
    r"the other to|custody|prison|detention)\b",
    re.IGNORECASE,
)
_NOT_A_TERM = re.compile(
    r"(?:suspended|maximum|up to|face|faces|facing|over|past|period of|spanning|since|"
    r"for more than|exploited|worked|working|lasted|lasting|aged)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
_SUSPENDED_AFTER = re.compile(r"^[\s-]*(?:\w+\s+){0,1}suspended\b", re.IGNORECASE)
_TOTAL = re.compile(
    rf"\b(?:total|combined|totalling|between them)\s+(?:of\s+)?(?:more than\s+|over\s+)?"
    rf"(?P<y>{_NUM}|\d+(?:\.\d)?)(?P<half>\s*(?:-|\s)and(?:-|\s)a(?:-|\s)half)?[\s-]+years?"
    rf"(?:\s+and\s+(?P<m>{_NUM})\s+months?)?",
    re.IGNORECASE,
)
_EACH = re.compile(r"^\s*(?:in prison\s+|behind bars\s+)?each\b", re.IGNORECASE)
# How far back a sentencing word can be from the term it gives.
TERM_WINDOW = 70


@dataclass(frozen=True, slots=True)
class _Mention:
    outcome: str
    people: int | None
    restated: bool
    new_person: bool  # "a man", "Jan Kowalski, 41,": one person the page introduces here
    evidence: str
    span: tuple[int, int] | None


def _outcomes_in(text: str) -> list[tuple[str, re.Match[str]]]:
    """The outcomes ``text`` states as events, in order (prospects left out)."""
    found = []
    for name, rx in OUTCOMES.items():
        for m in rx.finditer(text):
            if _PROSPECT.search(text[max(0, m.start() - 30) : m.start()]):
                continue
            found.append((name, m))
    found.sort(key=lambda x: x[1].start())
    return found


def _value(token: str) -> int | None:
    v = parse_number(token)
    return int(v) if isinstance(v, int | float) and v == int(v) and v > 0 else None


def people_before(prefix: str) -> int | None:
    """How many people the subject of a verb at the end of ``prefix`` counts: the people
    phrase nearest the verb, with the phrases joined to it by "and" ("two men and a woman":
    3); "two of the 38 people" counts two. None when no count is said ("they")."""
    matches = list(_PEOPLE.finditer(prefix))
    if not matches:
        bare = _BARE.search(prefix)
        return _value(bare.group(1)) if bare else None
    i = len(matches) - 1
    # "Two of the 38 people arrested ...": the count before "of the".
    of = _OF_THE.search(prefix[: matches[i].start()])
    if of is not None:
        before = re.search(rf"\b({_NUM})\s+$", prefix[: of.start()], re.IGNORECASE)
        if before:
            return _value(before.group(1))
    total = _count(matches[i])
    while i > 0 and _JOIN.match(prefix[matches[i - 1].end() : matches[i].start()]):
        i -= 1
        total += _count(matches[i])
    return total or None


def _introduces(prefix: str) -> bool:
    """Whether the subject nearest the verb is one person the sentence introduces ("A
    co-defendant, aged 31, was jailed", "Jan Kowalski, 41, was jailed"), not one it refers
    back to ("The man", "He")."""
    matches = list(_PEOPLE.finditer(prefix))
    if not matches:
        return False
    last = matches[-1]
    one = last.group("one")
    return bool(last.group("named") or (one and one.lower() in ("a", "an")))


def _count(m: re.Match[str]) -> int:
    if m.group("n"):
        return _value(m.group("n")) or 0
    if m.group("pair"):
        return 2
    return 1


def _restated(text: str, m: re.Match[str]) -> bool:
    before = text[max(0, m.start() - 60) : m.start()]
    return bool(_RESTATED_BEFORE.search(before) or _RESTATED_AFTER.match(text[m.end() :]))


def _mentions(title: str | None, sentences: Sequence[Sentence]) -> list[_Mention]:
    out = []
    texts: list[tuple[str, tuple[int, int] | None]] = []
    if title:
        texts.append((title, None))
    texts.extend((s.text, (s.start, s.end)) for s in sentences)
    for text, span in texts:
        for outcome, m in _outcomes_in(text):
            prefix = text[: m.start()]
            out.append(
                _Mention(
                    outcome,
                    people_before(prefix),
                    _restated(text, m),
                    span is not None and people_before(prefix) == 1 and _introduces(prefix),
                    text,
                    span,
                )
            )
    return out


def _years(m: re.Match[str]) -> float | None:
    y = m.group("y")
    if y is None:
        months = _value(m.group("mo")) if m.groupdict().get("mo") else None
        return months / 12 if months else None
    years = parse_number(y)
    if not isinstance(years, int | float):
        return None
    total = float(years) + (0.5 if m.group("half") else 0.0)
    if m.group("m"):
        total += (_value(m.group("m")) or 0) / 12
    return total


def sentence_years(text: str, people: int | None = None) -> float | None:
    """Custodial years one sentence gives: a stated total ("a combined 20 years"), else the
    sum of its terms, each near a sentencing word; a term given to ``people`` "each" counts
    once per person. None when it gives none."""
    if not _SENTENCING.search(text):
        return None
    totals = [y for m in _TOTAL.finditer(text) if (y := _years(m))]
    if totals:
        return max(totals)
    years = 0.0
    for m in _TERM.finditer(text):
        before = text[max(0, m.start() - TERM_WINDOW) : m.start()]
        if not _SENTENCING.search(before) or _NOT_A_TERM.search(before):
            continue
        if _SUSPENDED_AFTER.match(text[m.end() :]):
            continue
        y = _years(m)
        if y:
            years += y * (people if people and _EACH.match(text[m.end() :]) else 1)
    return round(years, 2) or None


def _lead(
    title: str | None, sentences: Sequence[Sentence]
) -> list[tuple[str, tuple[int, int] | None]]:
    body = [s for s in sentences if not s.caption][:LEAD_SENTENCES]
    return ([(title, None)] if title else []) + [(s.text, (s.start, s.end)) for s in body]


# "14 men charged and 46 children identified": the operation's own victims beside its
# charges, a result of the action, not an outcome reported after it.
_VICTIMS_FOUND = re.compile(
    rf"\b({_NUM}|\d{{1,3}}(?:,\d{{3}})+|\d+)\s+(?:[\w-]+\s+){{0,2}}?(?:children|victims|"
    r"minors|women|girls|boys|people|workers)\s+(?:were\s+|have\s+been\s+)?"
    r"(?:identified|safeguarded|rescued|freed|removed\s+from\s+harm)\b",
    re.IGNORECASE,
)


# The action's own people made safe, anywhere on the page: "64 exploited workers were
# rescued", "made sure of the safety of 16 people", "three victims were taken to a safe place".
_OWN_VICTIMS = re.compile(
    rf"\b({_NUM}|\d{{1,3}}(?:,\d{{3}})+|\d+)\s+(?:[\w-]+\s+){{0,3}}?(?:children|victims|minors|"
    r"women|girls|boys|people|workers|labourers|persons)\s+(?:were\s+|have\s+been\s+|had\s+been\s+)?"
    r"(?:rescued|freed|safeguarded|removed\s+from\s+harm|taken\s+to\s+(?:a\s+)?(?:safe|safety))\b"
    rf"|\b(?:safety|rescue)\s+of\s+({_NUM}|\d+)\s+(?:[\w-]+\s+){{0,2}}?(?:children|victims|"
    r"minors|women|girls|boys|people|workers)\b",
    re.IGNORECASE,
)


# A lead that dates the action before the charges: "in October", "last month", "in 2022".
_EARLIER = re.compile(
    rf"\b(?:in|on|during|since|from)\s+(?:\d{{1,2}}\s+)?(?:{_MONTHS})\b|\b(?:last|earlier\sthis)\s"
    r"(?:week|month|year|summer|spring|autumn|winter)\b|\bearlier\s+this\s+year\b|"
    r"\bin\s+(?:19|20)\d\d\b|\b(?:months|years|weeks)\s+(?:ago|after|later)\b",
    re.IGNORECASE,
)


# "Several people have been arrested and charged in connection with an investigation": the
# arrests are the page's own, made with the charges in one predicate.
_ARRESTED_AND_CHARGED = re.compile(
    r"\b(?:arrested|detained)\s+and\s+(?:subsequently\s+|later\s+)?charged\b", re.IGNORECASE
)


def _week_report(text: str, outcome_people: int | None) -> bool:
    """Whether a lead sentence reports an operation's own arrests, more of them than the
    people the lead gives an outcome for ("38 arrested and 12 charged", "NCA reveals 745
    suspects arrested"), arrests made with the charges ("six people have been arrested and
    charged"), or its own victims ("14 men charged and 46 children identified")."""
    if _VICTIMS_FOUND.search(text) or _ARRESTED_AND_CHARGED.search(text):
        return True
    for m in [*_ARREST_COUNT.finditer(text), *_ARRESTED_COUNT.finditer(text)]:
        if _OF_THE.search(text[: m.start()]):
            continue
        arrests = _value(m.group(1).replace(",", ""))
        if arrests is not None and (outcome_people is None or arrests > outcome_people):
            return True
    return False


# A sentence that points back to the earlier operation.
_REFERS = re.compile(
    r"\b(?:arrested|detained|identified|raided|rescued|safeguarded|found)\b.{0,80}?"
    r"\b(?:during|as part of|in|following|after|at the time of)\b"
    r"|\b(?:following|after|as part of|during)\s+(?:a|an|the)?\s*(?:[\w-]+\s+){0,6}?"
    r"(?:operation|week|weeks|intensification|crackdown|raids?|investigation|day of action|"
    r"action days?|warrants?)\b"
    r"|\b(?:Operation|Project|Op)\s+[A-Z][a-z]+",
    re.IGNORECASE,
)


def recognise(title: str | None, sentences: Sequence[Sentence]) -> FollowUp | None:
    """The page's FollowUp when its lead states an outcome as its subject, else None."""
    lead = _lead(title, sentences)
    outcomes: list[str] = []
    evidence: tuple[str, tuple[int, int] | None] | None = None
    people: list[int] = []
    for text, span in lead:
        every = _outcomes_in(text)
        if any(_AS_ACTION_ENDS.match(text[m.end() :]) for _, m in every):
            return None
        found = [(name, m) for name, m in every if not _WITHIN_ACTION.match(text[m.end() :])]
        if not found:
            continue
        people.append(people_before(text[: found[0][1].start()]) or 0)
        for name, _ in found:
            if name not in outcomes:
                outcomes.append(name)
        if evidence is None or (evidence[1] is None and span is not None):
            evidence = (text, span)
    if evidence is None or any(_week_report(text, max(people)) for text, _ in lead):
        return None
    if (
        outcomes == ["charged"]
        and not any(_EARLIER.search(text) for text, _ in lead)
        and any(_OWN_VICTIMS.search(s.text) for s in sentences)
    ):
        # "Seven charged in connection to alleged labour trafficking ring ... 64 exploited
        # workers were rescued": charges laid as the action ends, beside the people it made
        # safe, are the action's own results; a lead that dates the action earlier ("charged
        # after the week of action in October") is a follow-up that restates them
        return None
    refers = next(
        (s.text for s in sentences if _REFERS.search(s.text)),
        title if title and _REFERS.search(title) else None,
    )
    return FollowUp(tuple(outcomes), evidence[0], evidence[1], refers)


def _best(mentions: list[_Mention]) -> _Mention | None:
    """The mention with the most people; of equal ones a body sentence before the title.
    When the sentences that each introduce one person ("A man ... was jailed", "A
    co-defendant ... was jailed") add up to more, their number, with the first as evidence."""
    counted = [m for m in mentions if m.people]
    if not counted:
        return None
    best = max(counted, key=lambda m: (m.people or 0, m.span is not None))
    introduced = [m for m in counted if m.new_person]
    if len(introduced) > (best.people or 0):
        return replace(introduced[0], people=len(introduced))
    return best


def outcome_figures(title: str | None, sentences: Sequence[Sentence]) -> tuple[Figure, ...]:
    """The page's ``followup`` figures. People: the largest count one sentence gives (an
    update restates its people in several sentences; summing them would count them twice),
    leaving out outcomes the page says were reported before. A conviction is read from
    "convicted", "found guilty", "pleaded guilty"; a page that only sentences people counts
    them as convicted unless it says their conviction came earlier."""
    mentions = _mentions(title, sentences)
    figures: list[Figure] = []
    charged = _best(
        [m for m in mentions if m.outcome in ("charged", "remanded") and not m.restated]
    )
    if charged is not None:
        figures.append(_figure("charged", charged.people or 0, charged.evidence, charged.span))
    convictions = [m for m in mentions if m.outcome == "convicted"]
    if not convictions or not all(m.restated for m in convictions):
        # Sentencing implies a conviction, unless the page says the conviction came earlier.
        convictions += [m for m in mentions if m.outcome == "sentenced"]
    convicted = _best([m for m in convictions if not m.restated])
    if convicted is not None:
        figures.append(
            _figure("convicted", convicted.people or 0, convicted.evidence, convicted.span)
        )
    sentenced = _sentence_years_total(sentences)
    if sentenced is not None:
        figures.append(_figure("sentence_years_total", *sentenced))
    return tuple(figures)


def _sentence_years_total(
    sentences: Sequence[Sentence],
) -> tuple[float, str, tuple[int, int] | None] | None:
    """The page's custodial years: a total it states ("jailed for a total of 26 years"; the
    largest, as a page repeats its total), else the sum of the terms of its sentences."""
    totals = [(y, s) for s in sentences if _TOTAL.search(s.text) and (y := sentence_years(s.text))]
    if totals:
        y, s = max(totals, key=lambda t: t[0])
        return round(y, 2), s.text, (s.start, s.end)
    years = 0.0
    first: Sentence | None = None
    for s in sentences:
        found = _outcomes_in(s.text)
        people = people_before(s.text[: found[0][1].start()]) if found else None
        y = sentence_years(s.text, people)
        if y:
            years += y
            first = first or s
    if first is None:
        return None
    return round(years, 2), first.text, (first.start, first.end)


def _figure(metric: str, value: float, evidence: str, span: tuple[int, int] | None) -> Figure:
    v: int | float = int(value) if float(value).is_integer() else value
    return Figure(FOLLOWUP_SCOPE, metric, v, "exact", evidence, span)


def classify_followup(
    article: Article, result: FigureResult
) -> tuple[FigureResult, FollowUp | None]:
    """``result`` unchanged and None for a page that is not a follow-up; else its figures
    with the headline ones moved to ``context``, its outcome figures added, and its
    FollowUp."""
    sentences = split_sentences(article.body)
    followup = recognise(article.title, sentences)
    if followup is None:
        return result, None
    kept = tuple(
        replace(f, scope="context", subject=None) if f.scope in HEADLINE_SCOPES else f
        for f in result.figures
    )
    outcomes = outcome_figures(article.title, sentences)
    return replace(result, figures=outcomes + kept), followup
