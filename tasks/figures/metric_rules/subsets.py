"""Numbers that only restate part of another: "21 of them children", "including 49 firearms",
"Of those arrested, 12 were charged". They are dropped, except children or adults within a
victim count (the ``victims_children``/``victims_adults`` figures), a part that counts another
metric ("Nine of those arrested have been charged"), and a part of a whole that is no count of
its own ("Twenty-two of them were identified as potential victims")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasks.figures.metric_rules.clauses import APPOSED_PREDICATE, verb_after
from tasks.figures.metric_rules.metrics import NRM, metric_for
from tasks.figures.metric_rules.nouns import (
    ADULT_N,
    CHILD_N,
    PERSON_N,
    SUSPECT_N,
    UNION,
    VICTIM_N,
    age_class,
    head_class,
    noun_phrase,
)
from tasks.figures.metric_rules.phrases import (
    AMONG_THEM_AFTER,
    AMONG_VICTIMS_AFTER,
    AMONG_VICTIMS_BEFORE,
    AS_VICTIMS_AFTER,
    COPULA,
    OPENER_ARRESTS,
    OPENER_VICTIMS,
    OPENER_VICTIMS_BARE,
    REFERENT,
    REFERENT_TAIL_COPULA,
    SUBSET_AFTER,
    SUBSET_BEFORE,
    VICTIM_WHOLE_BEFORE,
)
from tasks.figures.metric_rules.reading import Reading, Situation
from tasks.figures.metric_rules.verbs import BARE_VERB_AFTER, VERB_BEFORE, verb_class

# Metrics that a number inside a split can still state on their own ("55 NRM referrals").
OWN_METRIC_IN_SUBSET = frozenset(
    {"nrm_referrals", "new_investigations", "charged", "warrants_executed"}
)


@dataclass(frozen=True, slots=True)
class Part:
    """Whether a number is a part of another count, and of what."""

    subset: bool
    referent: str | None  # the metric of the whole ("arrests", "potential_victims"), if known
    head: str | None  # the noun class of the part ("21 of them children" -> child)
    np_end: int  # where the part's own words end
    named_after: bool  # the whole is named after the number ("of them", "among them")


def part_of(s: Situation, head: str | None, np_end: int) -> Part:
    """Is the number of ``s`` a part, and of which whole? ``head``/``np_end``: its noun class and
    the end of its noun phrase as read so far."""
    m, np, text, before = s.mention, s.np, s.text, s.before
    subset_after = SUBSET_AFTER.match(s.after) or AMONG_THEM_AFTER.match(text, np.end)
    subset = bool(subset_after or SUBSET_BEFORE.search(before) or s.in_parens or s.opener_parent)
    # the sentence's own opener ("Of those arrested, ...") before the sentence before's metric
    referent = s.opener_parent or s.parent_metric
    if subset and referent is None and VICTIM_WHOLE_BEFORE.search(before):
        referent = "potential_victims"  # "The victims, 23 of whom were under 18, ..."
    if head in (CHILD_N, ADULT_N) and (
        AMONG_VICTIMS_BEFORE.search(before)
        or AMONG_VICTIMS_AFTER.match(text, np.end, min(len(text), np.end + 80))
    ):
        # "Among the victims were 14 children", "1,000 children were among the victims"
        subset, referent = True, "potential_victims"
    if subset_after:
        # "236 of them are minors": the noun phrase after "of them (are)"
        inner = noun_phrase(text, m.end + subset_after.end())
        head = head_class(inner) or head
        np_end = max(np_end, inner.end if inner.classes else m.end + subset_after.end())
        ref = REFERENT.match(s.after)
        if ref:
            # "of those arrested", "of those identified": the whole this number is part of
            referent = "arrests" if ref.group("arrests") else "potential_victims"
            np_end = max(np_end, m.end + ref.end())
            cop = COPULA.match(text, np_end, min(len(text), np_end + 30))
            if cop is None:
                # "Twenty-two of the 40 people identified as potential victims were children"
                cop = REFERENT_TAIL_COPULA.match(text, np_end, min(len(text), np_end + 70))
            if cop and not inner.classes:
                inner = noun_phrase(text, cop.end())
                head = head_class(inner) or head
    return Part(subset, referent, head, np_end, subset_after is not None)


# "freed 232 of their victims": the suspects' victims, a whole the page does not count, so the
# part is the count of victims the operation freed.
_OF_THEIR_VICTIMS = re.compile(
    r"\s+of\s+(?:their|his|her|its)\s+(?:[\w-]+\s+)?victims\b", re.IGNORECASE
)


_WERE_VICTIMS = re.compile(
    r"\s(?:were|are|have\sbeen)\s(?:all\s|also\s)?(?:potential|possible|suspected|likely)\s"
    r"victims\b",
    re.IGNORECASE,
)


# "visited 904 of these 'cuckooed' homes": the premises the action visited
_OF_THESE_PREMISES = re.compile(
    r"\s+of\s+(?:these|those|the)\s+(?:[\w'‘’-]+\s+){0,2}?(?:homes|houses|addresses|properties|"
    r"premises|businesses|brothels|flats|sites|venues|car\swashes|nail\sbars)\b",
    re.IGNORECASE,
)


# Parts of a whole the page does not count, read as the count itself when the verb before the
# number is of the right class: "freed 232 of their victims", "visited 904 of these homes".
_PARTS_OF_UNCOUNTED = (
    (_OF_THEIR_VICTIMS, "victim", "potential_victims", "of their victims"),
    (_OF_THESE_PREMISES, "visit", "premises_visited", "of these premises"),
)


def read_part(s: Situation, part: Part) -> Reading:
    """The reading of a number that ``part_of`` found to be a part."""
    m, text, referent, np_end = s.mention, s.text, part.referent, part.np_end
    for pattern, verb, metric, reason in _PARTS_OF_UNCOUNTED:
        if pattern.match(s.after):
            vb = VERB_BEFORE.search(s.before)
            if vb is not None and verb_class(vb) == verb:
                return Reading(metric, subset=True, part=True, reason=reason)
    head = part.head
    if head in (None, PERSON_N) and referent == "potential_victims":
        # "38 of them under the age of 18", "nine of whom were aged under 18"
        age_head = age_class(text, np_end if np_end > m.end else m.end)
        head = age_head or head
    if head in (CHILD_N, ADULT_N) and referent == "potential_victims":
        return Reading(
            "victims_children" if head == CHILD_N else "victims_adults",
            subset=True,
            reason="subset",
        )
    if (
        referent in ("arrests", "charged")
        and head in (None, PERSON_N, VICTIM_N)
        and _WERE_VICTIMS.match(text, m.end)
    ):
        # "Of those arrested, 19 were suspected victims of modern slavery": a part of the
        # arrests that counts victims
        return Reading("potential_victims", subset=True, part=True, reason="subset victims")
    # "Nine of those arrested have been charged", "22 of them were referred into the NRM",
    # "... and 55 NRM referrals followed": a part of one count that counts another metric
    va = verb_after(text, np_end, s.mentions, s.i, s.nps)
    vbs = VERB_BEFORE.search(s.before)
    vb_cls = verb_class(vbs) if vbs else None
    # "charged 96 of them", "referred 22 of them to the NRM": the verb before the part
    if (va == "charge" or vb_cls == "charge") and referent != "charged":
        return Reading("charged", subset=True, reason="subset charged")
    if (
        (va == "arrest" or vb_cls == "arrest")
        and referent == "charged"
        and head
        in (
            None,
            PERSON_N,
            SUSPECT_N,
        )
    ):
        # "12 suspects were charged; five of them were detained": the detained are arrests,
        # a part of a count of something else
        return Reading("arrests", subset=True, part=True, reason="subset arrested")
    if (va == "refer" or vb_cls == "refer") and NRM.search(s.ctx) and referent != "nrm_referrals":
        return Reading("nrm_referrals", subset=True, reason="subset referred")
    if head in (None, PERSON_N, SUSPECT_N) and referent in (None, "subset"):
        counted = _part_counted(s, va, np_end)
        if counted is not None:
            return counted
    own = metric_for(head, va, sentence=text, context=s.ctx, np=s.np) if head else None
    if own in OWN_METRIC_IN_SUBSET and own != referent and not (part.named_after or s.in_parens):
        return Reading(own, subset=True, reason="subset other metric")
    return Reading(None, subset=True, reason="subset")


def _part_counted(s: Situation, va: str | None, np_end: int) -> Reading | None:
    """A part of a whole that is not itself a count of the same thing ("Officers spoke to 80
    workers. Twenty-two of them were identified as potential victims", "Of those suspects, 27
    were arrested"): the part is the count, unless the page states the count itself (``part``)."""
    text = s.text
    if va == "victim" and AS_VICTIMS_AFTER.match(text, np_end, min(len(text), np_end + 90)):
        return Reading("potential_victims", subset=True, part=True, reason="part victims")
    if va == "arrest" and (
        BARE_VERB_AFTER.match(text, np_end) or APPOSED_PREDICATE.match(text, np_end)
    ):
        return Reading("arrests", subset=True, part=True, reason="part arrested")
    vb = VERB_BEFORE.search(s.before)
    if vb is not None and verb_class(vb) == "arrest" and s.parent_metric is None:
        # "identified 45 suspects and arrested 12 of them": the arrests are counted
        return Reading("arrests", subset=True, part=True, reason="part arrested")
    return None


def opener_metric(np_text: str) -> str | None:
    """The metric of the whole a sentence opens on: "Of those arrested," -> arrests."""
    if OPENER_ARRESTS.search(np_text):
        return "arrests"
    np = noun_phrase(" " + np_text, 0)
    head = head_class(np)
    if head == VICTIM_N or (head in (PERSON_N, UNION) and OPENER_VICTIMS.search(np_text)):
        return "potential_victims"
    if head == UNION:
        return "potential_victims"
    if head is None and OPENER_VICTIMS_BARE.search(np_text):
        return "potential_victims"  # "Of those safeguarded, 12 were under 18"
    return "subset" if head else None
