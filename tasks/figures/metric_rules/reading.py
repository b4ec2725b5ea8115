"""What the rules say of one number (``Reading``), and what they know of it in its sentence
(``Situation``)."""

from __future__ import annotations

from dataclasses import dataclass

from tasks.figures.metric_rules.nouns import NounPhrase
from tasks.figures.numbers import NumberMention


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


NONE = Reading(None)
# The reason of a weapons count by kind ("106 firearms were seized"): a part of the weapons.
BY_KIND = "weapons by kind"


@dataclass(frozen=True, slots=True)
class Situation:
    """One number of a sentence, with what the sentence around it decides for it."""

    text: str  # the sentence
    mentions: list[NumberMention]  # every number of the sentence, offsets local to ``text``
    nps: list[NounPhrase]  # the noun phrase after each number
    i: int  # which number this is
    ctx: str  # the sentence with its neighbours
    before: str  # the words before the number (its qualifier excluded)
    after: str  # the words after the number
    label_cls: str | None = None  # the noun class of the sentence's list label, if it governs
    label_verb: str | None = None  # the verb class of that label
    parent_metric: str | None = None  # the metric of the whole a part would belong to
    in_parens: bool = False  # inside parentheses, an aside or a split: a part
    opener_parent: str | None = None  # "Of those arrested, ...": the whole the sentence splits
    inherited_verb: str | None = None  # the verb of the number this one is joined to

    @property
    def mention(self) -> NumberMention:
        return self.mentions[self.i]

    @property
    def np(self) -> NounPhrase:
        return self.nps[self.i]
