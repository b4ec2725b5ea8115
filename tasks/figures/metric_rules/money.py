"""Sums of money: cash seized ("£5,000 in cash", "Cash: £1,254,384", "seized almost £4,500"),
never the value of drugs or goods ("£2m worth of cannabis")."""

from __future__ import annotations

import re

from tasks.figures.metric_rules.nouns import CASH_N
from tasks.figures.metric_rules.reading import NONE, Reading
from tasks.figures.numbers import NumberMention

# Only sterling is a figure: the warehouse's cash metric is in pounds.
_CURRENCY = "GBP"

_CASH_AFTER = re.compile(
    r"\s?(?:(?:in|of)\s)?(?:(?:suspected|criminal|illicit|hard|dirty|undeclared)\s){0,2}"
    r"(?:cash|banknotes|bank\snotes)\b",
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
    r"criminal\sassets|class\s[ab])|in\s(?:drugs|assets|property)|"
    # "£2,000 in cash and assets": cash together with other things states no cash seized
    r"(?:in\s)?cash\s(?:and|&|plus)\s(?:other\s)?(?:assets|property|goods|valuables|jewellery|"
    r"other\sitems))",
    re.IGNORECASE,
)
_NOT_CASH_BEFORE = re.compile(
    # "drugs with an estimated worth of £4.3million"
    r"\b(?:worth(?:\sof)?|valued\sat|value\sof|street\svalue\sof|estimated\sat|fines?\sof|fined|"
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
    r"\s?(?:\([^()]{0,40}\)\s)?(?:in\s(?:all|total)\s)?"
    r"(?:was|were|has\sbeen|have\sbeen|had\sbeen|being)\s(?:also\s)?"
    r"(?:seized|recovered|confiscated)\b",
    re.IGNORECASE,
)


def read_money(m: NumberMention, before: str, after: str, label_cls: str | None) -> Reading:
    """``cash_seized_gbp`` for cash, or money said to be seized and not valued as goods."""
    if m.unit != _CURRENCY:
        return NONE
    cash = _CASH_AFTER.match(after) or _CASH_BEFORE.search(before) or label_cls == CASH_N
    seized = _SEIZED_MONEY_BEFORE.search(before) or _SEIZED_MONEY_AFTER.match(after)
    if (cash or seized) and not (_NOT_CASH_AFTER.match(after) or _NOT_CASH_BEFORE.search(before)):
        return Reading("cash_seized_gbp", reason="cash" if cash else "money seized")
    return NONE
