"""The wider whole that a part's page reports beside its own results.

A force's, a region's or a county's page about its own part of a national week often ends with
the week's national totals: "Nationally, the week saw 1,100 arrests", "the operation produced
some 600 arrests across the state". By the labelling conventions the part is the page's
operation, and the national whole is no figure of it (a wider action spanning countries is
``international``, which the scope rules already read from words such as "across Europe").

What makes a sentence the whole rather than the operation is twofold, and both are needed: it
says so ("nationally", "across the country", "statewide", "all 43 forces"), and it states a
count larger than the page's own statement of the same metric elsewhere. On a national page
both the lead and the body speak of the whole, so no smaller own count is there to set it apart;
on a part's page the whole is the larger count said to be national. The sentence right after
it continues the whole when it names nobody ("More than 220 weapons were seized").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tasks.figures.candidates import BODY, Candidate, Unit
from tasks.figures.scopes import CONTEXT, OPERATION

# Cue words of the wider whole within one country (a multi-country one is ``_WIDER``'s).
NATIONAL_WHOLE = re.compile(
    r"\b(?:nationally|nationwide|country-?wide|state-?wide|UK-wide|"
    r"across\s(?:the\s)?(?:whole\s|entire\s)?(?:country|nation|state|UK|United\sKingdom|"
    r"England\sand\sWales|Britain|province)|"
    r"in\sthe\s(?:wider\s)?national\s(?:investigation|operation|action|crackdown|week|day)|"
    r"(?:in|of)\sthe\s(?:state|country)\b(?=[^.;]{0,40}$)|"
    r"(?:all|every)\s(?:\d+\s)?(?:of\sthe\s)?(?:UK\s|participating\s)?(?:police\s)?forces|"
    r"national\s(?:totals?|results?|figures|picture|tally))\b",
    re.IGNORECASE,
)
# A page whose title or lead is about the national action itself is no part's page:
# "73 arrested as national modern slavery crackdown targets ...", "A UK-wide operation ...".
_NATIONAL_HEAD = re.compile(
    r"\bnational\s(?:[\w-]+\s){0,3}?(?:week|crackdown|operation|intensification|day|fortnight|"
    r"campaign|action|effort|sweep|blitz)s?\b|\bforces\s(?:across|throughout|from\sacross)\b"
    r"|^(?:UK\s)?(?:police\s)?forces\s(?:have|had|made|arrested|seized|safeguarded)\b",
    re.IGNORECASE,
)
# A title or lead about a place smaller than the nation: a county, a region, a force's area.
_LOCAL_HEAD = re.compile(
    r"\b(?:county|counties|region|regional|regions|division|district|borough|city|town|local|"
    r"locally|constabulary|(?:East|West|North|South)\s(?:Midlands|of\sEngland|Anglia|East|West))\b",
    re.IGNORECASE,
)
# A sentence that points at its own page's part is not the whole's continuation.
_OWN_VOICE = re.compile(r"^(?:[“\"‘']|We\b|Our\b|In\s|Here\b|Locally\b|Of\s(?:these|those)\b)")


def _is_whole(u: Unit) -> bool:
    return u.span is not None and u.rank == BODY and NATIONAL_WHOLE.search(u.text) is not None


# A title whose subject is one nation of the UK, inside a UK-wide action: "NI arrests in UK
# paedophile inquiry", "Scottish arrests in national county lines week".
_NATION_PART_TITLE = re.compile(
    r"^(?:NI|Northern\sIreland|Scotland|Scottish|Wales|Welsh)\b[^\n]{0,60}?\sin\s(?:a\s|an\s|the\s)?"
    r"(?:UK|UK-wide|British|national|nationwide|Britain-wide)\b"
)


def part_page(title: str, lead: str, local_names: bool) -> bool:
    """Is the page about a part smaller than the nation (a force, a county, a region), and not
    about the national action itself? ``local_names``: its title or lead names a UK force or
    place (the caller has the entities)."""
    head = f"{title}\n{lead}"
    if _NATION_PART_TITLE.search(title):
        return True  # "NI arrests in UK paedophile inquiry": the title's subject is the part
    if NATIONAL_WHOLE.search(head) or _NATIONAL_HEAD.search(title) or _NATIONAL_HEAD.search(lead):
        return False
    return local_names or _LOCAL_HEAD.search(head) is not None


def national_wholes(candidates: Sequence[Candidate], units: Sequence[Unit]) -> list[Candidate]:
    """``candidates`` without the operation counts of sentences that state the national whole
    of the page's own part (module docstring); everything else unchanged. The caller decides
    that the page is a part's page (``part_page``)."""
    by_order = {u.order: u for u in units}
    own: dict[str, list[float]] = {}
    for c in candidates:
        if c.scope == OPERATION and not c.part and not c.weak and not _is_whole(c.unit):
            own.setdefault(c.metric, []).append(float(c.value))
    wholes: set[int] = set()
    for c in candidates:
        if (
            c.scope == OPERATION
            and _is_whole(c.unit)
            and any(v < float(c.value) for v in own.get(c.metric, ()))
        ):
            wholes.add(c.unit.order)
    if not wholes:
        return list(candidates)
    for order in sorted(wholes):
        nxt = by_order.get(order + 1)
        if (
            nxt is not None
            and nxt.span is not None
            and nxt.rank == BODY
            and not _OWN_VOICE.match(nxt.text)
            and nxt.sentence is not None
            and not nxt.sentence.bullet
        ):
            wholes.add(order + 1)
    return [c for c in candidates if not (c.scope == OPERATION and c.unit.order in wholes)]


# An operation's own running total is its result, not background ("745 suspects have been
# arrested under Operation Notarise, which started a little over a year ago").
_AN_OPERATION = re.compile(r"\b(?:[Oo]peration|[Oo]p|[Pp]roject)\s[A-Z]")


# A period's totals named in the title or lead: "101 arrests in January alone", "rose sharply
# last year", "over its first twelve months", "the annual report", "highest level on record".
_PERIOD = re.compile(
    r"\b(?:(?:last|past|previous)\s(?:year|twelve\smonths|12\smonths)|"
    r"in\s(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)(?:\s\d{4})?\salone|first\s(?:year|twelve\smonths|12\smonths)|"
    r"one\syear\sof|annual\s(?:report|figures|statistics|review)|on\srecord|year\sin\sreview|"
    r"since\s(?:its|the)\s(?:launch|creation|formation|start)|so\sfar\sthis\syear)\b",
    re.IGNORECASE,
)
# One bounded action named anywhere on the page: its figures are an operation's even beside a
# period ("the week of action, the largest on record", "This week 75 people were arrested").
_BOUNDED_ACTION = re.compile(
    r"\b(?:weeks?\sof\s(?:action|intensification)|days?\sof\saction|action\sdays?|"
    r"intensification|week-long|(?:this|last)\sweek|yesterday|dawn\sraids?|"
    r"on\s(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))\b",
    re.IGNORECASE,
)
# A period named as what a figure is compared with: "up from 95 at the same point last year".
_COMPARED = re.compile(
    r"\b(?:same\s(?:point|time|period)|compared|up\sfrom|down\sfrom|than|against)\b[^.;]{0,30}$",
    re.IGNORECASE,
)


def period_totals_page(title: str, lead: str, body: str) -> bool:
    """Does the title or lead report a period's totals ("101 arrests in January alone", "rose
    sharply last year") on a page that names no bounded action (a week or day of action, "this
    week", "on Tuesday")? Then the page has no operation (the labelling conventions: a year in
    review or period statistics)."""
    head = f"{title}\n{lead}"
    return (
        any(not _COMPARED.search(head, 0, m.start()) for m in _PERIOD.finditer(head))
        and _BOUNDED_ACTION.search(title) is None
        and _BOUNDED_ACTION.search(body) is None
    )


# Several operations named as the page's subject: "ran 12 operations", "results of several
# human trafficking operations", "29 suspects arrested in two operations".
_SEVERAL_OPERATIONS = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d+|several|multiple|"
    r"numerous|a\sseries\sof|a\snumber\sof)\s"
    # not "two days of operations" (one action's length) nor "two coordinated operations"
    # (reported as one action with its own totals)
    r"(?:(?!(?:days?|weeks?|nights?|months?|co-?ordinated|in|of|to|at|on|by|for|from|with|"
    r"during|into|after|across)\b)[\w-]+\s){0,5}?operations\b",
    re.IGNORECASE,
)


# "Police smash nearly 30 London-based drug operations": what the police broke up are the
# criminals' operations, the objects of the action, not several actions of their own.
_DISRUPTED_BEFORE = re.compile(
    r"\b(?:smash(?:es|ed|ing)?|broke(?:n)?\sup|break(?:s|ing)?\sup|dismantl(?:e|es|ed|ing)|"
    r"disrupt(?:s|ed|ing)?|shut(?:s|ting)?\sdown|clos(?:e|es|ed|ing)\sdown|t(?:ook|aken|ake|akes)\sdown|"
    r"bust(?:s|ed|ing)?|crippl(?:e|es|ed|ing))\s(?:[\w£$€,-]+\s){0,5}$",
    re.IGNORECASE,
)
_DISRUPTED_REACH = 80


def several_operations_page(title: str, lead: str) -> bool:
    """Does the title or lead make several operations the page's subject, with no one bounded
    action (a week or day of action) that holds them? Then the page's totals are a round-up
    of separate operations, and no operation's figures (the labelling conventions: results
    of separate actions are never one operation's)."""
    head = f"{title}\n{lead}"
    several = any(
        not _DISRUPTED_BEFORE.search(head, max(0, m.start() - _DISRUPTED_REACH), m.start())
        for m in _SEVERAL_OPERATIONS.finditer(head)
    )
    return several and _BOUNDED_ACTION.search(head) is None


def background_headline(candidates: Sequence[Candidate], lead_sentence: str = "") -> bool:
    """Does the title state a count that the body gives only as background ("says it has
    helped 61 victims", the body: "61 victims since the force was set up in December 2021")?
    Then the page is about a programme's or a period's totals, not about one action — unless
    its lead reports an action of its own with counts ("Last week police rescued 29 men ...",
    the period's totals further down): the title then only mixes in the background."""
    titled = [c for c in candidates if c.unit.span is None and c.scope == OPERATION]
    if not titled:
        return False
    body = [c for c in candidates if c.unit.span is not None]
    if any(c.scope == OPERATION and c.unit.text == lead_sentence for c in body):
        return False
    for t in titled:
        same = [c for c in body if c.metric == t.metric and c.value == t.value]
        if same and all(c.scope == CONTEXT and not _AN_OPERATION.search(c.unit.text) for c in same):
            return True
    return False


__all__ = [
    "NATIONAL_WHOLE",
    "background_headline",
    "national_wholes",
    "part_page",
    "period_totals_page",
    "several_operations_page",
]
