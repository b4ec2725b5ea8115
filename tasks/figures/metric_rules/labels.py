"""List labels: "Arrests: 1,468 people", "Cash: £1,254,384 taken", "People charged 537"."""

from __future__ import annotations

import re

from tasks.figures.metric_rules.nouns import (
    CHILD_N,
    GENDER_N,
    NOUNS,
    PERSON_N,
    VICTIM_N,
    noun_class,
)
from tasks.figures.metric_rules.verbs import NEUTRAL, VERB_AFTER, verb_class

# A list label at the start of a sentence: "Arrests: 1,468 people".
# Also a dash ("Arrests – 1,088") and a table row flattened to "People charged 537" (a label
# and a number that ends the line).
LABEL = re.compile(
    r"^(?P<label>[A-Za-z][\w '’&/-]{0,60}?)(?::\s|\s[-–—|]\s(?=[£€$]?\d)"
    r"|\s(?=[£€$]?\d[\d,.\u00a0\u202f ]{0,20}(?:m|k|bn|million)?\s?$))"
)
SAFEGUARD_LABEL = re.compile(r"safeguard|victim|rescued|vulnerable", re.IGNORECASE)
_LABEL_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")


def label_class(label: str) -> tuple[str | None, str | None]:
    """(noun class, verb class) of a list label: "Arrests" -> (arrest, None), "People charged" ->
    (person, charge), "Children safeguarded" -> (child, victim), "Addresses visited over
    suspected cuckooing" -> (premises, visit). The head is the last noun of the first run of
    known nouns ("Potential victims identified", "Cash seized from suspects" -> cash). A label of
    unknown words only ("London", "Total") decides nothing."""
    words = [w.lower() for w in _LABEL_WORD.findall(label)]
    cls: str | None = None
    for w in words:
        c = noun_class(w)
        if c is not None:
            if not (cls == CHILD_N and c == VICTIM_N):
                cls = c
        elif cls is not None:
            break
    v = VERB_AFTER.search(label)
    verb = verb_class(v) if v else None
    if verb == NEUTRAL:
        verb = None
    if cls in (None, PERSON_N, GENDER_N) and SAFEGUARD_LABEL.search(label):
        cls = VICTIM_N  # "Safeguarding", "Vulnerable people safeguarded"
    return cls, verb


def is_metric_label(label: str) -> bool:
    """Does a list label name what is counted ("Addresses Visited", "Knives seized"), rather than
    a place ("West Midlands")?"""
    if any(w.lower() in NOUNS for w in _LABEL_WORD.findall(label)):
        return True
    cls, verb = label_class(label)
    return cls is not None or verb is not None
