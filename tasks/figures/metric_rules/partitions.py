"""Coordinated counts of one sentence read together: "12 men and 3 women were arrested" is 15
arrests; "89 nail bars and 112 car washes" or "34 female and 215 male ..." is a split without a
stated total, which is no figure (adding it up would be our own arithmetic)."""

from __future__ import annotations

import re

from tasks.figures.metric_rules.nouns import GENDER_NOUNS, NounPhrase
from tasks.figures.metric_rules.reading import BY_KIND, Reading
from tasks.figures.numbers import NumberMention

# What may join the counts of a partition.
_PARTITION_GAPS = ("and", ",", ", and", "&", "plus", ", plus")
# Metrics whose coordinated parts make up the whole by definition: "24 member states plus two
# partner countries" is 26 countries, as a country is a country whichever group it is in.
_ADDED_METRICS = ("countries_involved",)
_GENDER_GAPS = ("and", ",", ", and")
# Metrics whose gendered parts are added up: people are arrested or charged one by one.
_SUMMED_METRICS = ("arrests", "charged")


def coordinated_partitions(
    text: str,
    mentions: list[NumberMention],
    nps: list[NounPhrase],
    readings: list[Reading],
    barrier: int = 0,
) -> list[Reading]:
    """ "89 nail bars and 112 car washes": coordinated counts of one metric with no stated total
    are parts of an unstated whole, and adding them up would be our own arithmetic. No group
    reaches across ``barrier``, where a sentence's opening whole ends ("Of the 99 victims, 55
    were referred": the whole and its part are not two coordinated parts)."""
    out = list(readings)
    i = 0
    while i < len(mentions) - 1:
        group = [i]
        j = i
        while j + 1 < len(mentions):
            gap = text[nps[j].end : mentions[j + 1].figure_start].strip().lower()
            same = out[j + 1].metric == out[i].metric and (out[j + 1].reason == BY_KIND) == (
                out[i].reason == BY_KIND
            )  # "five firearms and 51 weapons": the weapons are the stated total, not a part
            crosses = mentions[j].start < barrier <= mentions[j + 1].start
            if gap in _PARTITION_GAPS and same and not crosses:
                group.append(j + 1)
                j += 1
            else:
                break
        if len(group) > 1 and out[i].metric in _ADDED_METRICS:
            total = sum(int(mentions[k].value) + out[k].value_add for k in group)
            out[i] = Reading(
                out[i].metric, value_add=total - int(mentions[i].value), reason="summed"
            )
            for k in group[1:]:
                out[k] = Reading(None, reason="summed")
        elif len(group) > 1 and out[i].metric is not None and out[i].reason != "summed":
            for k in group:
                out[k] = Reading(None, reason="partition")
        i = group[-1] + 1
    return out


def gender_partitions(
    text: str, mentions: list[NumberMention], nps: list[NounPhrase], readings: list[Reading]
) -> list[Reading]:
    """ "12 men and 3 women were arrested" is 15 arrests; "34 female and 215 male ... safeguarded"
    is a split without a stated total, which is not a figure."""
    out = list(readings)
    i = 0
    while i < len(mentions) - 1:
        a = nps[i]
        if not (a.words and a.words[0] in GENDER_NOUNS):
            i += 1
            continue
        group = [i]
        j = i
        while j + 1 < len(mentions):
            gap = text[nps[j].end : mentions[j + 1].figure_start].strip().lower()
            nb = nps[j + 1]
            if gap in _GENDER_GAPS and nb.words and nb.words[0] in GENDER_NOUNS:
                group.append(j + 1)
                j += 1
            else:
                break
        if len(group) > 1:
            last = out[group[-1]]
            if last.metric in _SUMMED_METRICS:
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


# ", the North East 80 and Yorkshire 95": places, each with a number and no noun of its own.
_PLACE = (
    r"(?:the\s+)?[A-Z][\w'’-]*(?:\s+(?:of\s+)?[A-Z][\w'’-]*){0,3}"
    r"(?:\s+(?:region|area|force|division|county))?"
)
_MORE_PLACES = re.compile(
    rf"(?:\s*,\s+{_PLACE}\s+[\d,]*\d\b)*\s*(?:,\s+|,?\s+and\s+){_PLACE}\s+[\d,]*\d\b(?!\s*[%\w])"
)


def per_place_lists(
    text: str, mentions: list[NumberMention], nps: list[NounPhrase], readings: list[Reading]
) -> list[Reading]:
    """ "The North West reported 120 arrests, the North East 80 and Yorkshire 95": one count
    per place, with no total; each is a part, and none is the operation's figure."""
    out = list(readings)
    for i, r in enumerate(readings):
        if r.metric is not None and _MORE_PLACES.match(text, nps[i].end):
            out[i] = Reading(None, reason="per place")
    return out
