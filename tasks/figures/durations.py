"""How long an operation lasted, and its dates.

Precedence (first that applies wins for one text):

1. an explicit range of days, counted inclusively: "between 14 and 20 May" -> 7, "from 20 to 27
   April 2024" -> 8, "11-17 October" -> 7, "from 29 September to 4 October" -> 6,
   "June 10 to 17" -> 8;
2. a stated length: "two-day operation" -> 2, "three-week" -> 21, "a fortnight" -> 14, "over
   three days" -> 3;
3. a week: "week-long", "week of action", "intensification week", "over a single week" -> 7;
4. a single day: "in one day", "a single day", "day of action" -> 1.

A range with no year takes the year of publication (or of any year in the same sentence); a range
longer than 92 days is a period, not an operation, and is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tasks.dates import month_number
from tasks.figures.numbers import parse_number
from tasks.figures.sentences import cue_starts, cue_text, finditer_at

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
# "Monday 3 October", "Monday, October 3"
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s{1,2})"
_ORD = r"(?:st|nd|rd|th)?"
# "from 3 to 13 September"; "started on September 29 and finished on October 4"
_TO = (
    # "from Monday, 3 October, until Monday, 10 October"
    r"(?:,(?=\s(?:until|till|to|through)\b))?"
    r"\s{0,2}(?:-|–|—|to|and|until|till|through|"
    r",?\s?(?:and\s)?(?:ended|finished|concluded|closed|ran\suntil|continued\suntil)\s(?:on\s)?)"
    r"\s{0,2}"
)
# "between Monday 11th and Sunday 17th October 2021", "from 3 to 13 September",
# "from 29 September to 4 October 2024", "11-17 October".
_RANGE_DAY_FIRST = re.compile(
    rf"(?<![\w/])(?P<w1>{_WEEKDAY})?(?P<d1>\d{{1,2}}){_ORD}(?:\s{{1,2}}(?:of\s)?(?P<m1>{_MONTH})(?:,?\s{{1,2}}(?P<y1>(?:19|20)\d\d))?)?"
    rf"{_TO}(?P<w2>{_WEEKDAY})?(?P<d2>\d{{1,2}}){_ORD}\s{{1,2}}(?:of\s)?(?P<m2>{_MONTH})(?:,?\s{{1,2}}(?P<y2>(?:19|20)\d\d))?"
)
# "June 10 to 17", "September 29 to October 4, 2024".
_RANGE_MONTH_FIRST = re.compile(
    rf"\b(?P<m1>{_MONTH})\s{{1,2}}(?P<d1>\d{{1,2}}){_ORD}(?:,?\s{{1,2}}(?P<y1>(?:19|20)\d\d))?"
    # a time is no second day: "Jul 12, 2024 - 19:07"
    rf"{_TO}(?P<w2>{_WEEKDAY})?(?:(?P<m2>{_MONTH})\s{{1,2}})?(?P<d2>\d{{1,2}}){_ORD}(?![:.]\d)"
    rf"(?!\s*(?:-|–)?\s*(?:year|years)\b)"
    rf"(?:,?\s{{1,2}}(?P<y2>(?:19|20)\d\d))?"
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# "two-day operation", "three-week", "over three days", "a 10-day operation", "five days of action".
_N_UNITS = re.compile(
    r"(?P<n>\b[A-Za-z]+(?:-[a-z]+)?|\d{1,3})[ -](?P<unit>day|days|week|weeks)(?:[ -]long)?\b"
    r"(?P<tail>\s+(?:of\s+)?(?:operation|operations|action|intensification|activity|crackdown|"
    r"blitz|enforcement|campaign|exercise|sweep|push|period|event|initiative|effort|surge)\b)?",
    re.IGNORECASE,
)
# What a length of days or weeks can measure besides an operation: "a six-week trial".
_NOT_OPERATION_AFTER = re.compile(
    r"\s+(?:trial|trials|sentence|prison|jail|term|stint|course|hearing|inquest|adjournment|"
    r"suspension|holiday|break|visit|stay|summit|conference|seminar|workshop|training|meeting|"
    r"festival|symposium|forum)\b",
    re.IGNORECASE,
)
# "the first week of the operation": part of a longer operation, not its length.
_ORDINAL_BEFORE = re.compile(
    r"\b(?:first|second|third|fourth|last|final|opening|closing)\s+$", re.IGNORECASE
)
_N_UNITS_LEAD = re.compile(
    r"\b(?:over|for|during|across|in|within|lasting|lasted|spanning|spanned|spent)\s+(?:the\s+)?(?:just\s+)?$",
    re.IGNORECASE,
)
# "a 48-hour operation", "over 72 hours": whole days only.
_N_HOURS = re.compile(
    r"\b(?P<n>24|48|72|96|twenty-four|forty-eight|seventy-two)[ -]hours?\b", re.IGNORECASE
)
_HOURS_LEAD = re.compile(r"\b(?:over|during|in|lasting)\s+(?:just\s+)?$", re.IGNORECASE)
_HOURS_TAIL = re.compile(
    r"\s*(?:long\s+)?(?:operation|action|blitz|crackdown|intensification|sweep|push|period|"
    r"of\s+action)\b",
    re.IGNORECASE,
)
# "from Monday to Friday", "between Monday and Sunday": a range of weekdays without dates.
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_RANGE = re.compile(
    r"\b(?:from|between)\s+(?P<a>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\s+"
    r"(?:to|until|till|through|and)\s+(?P<b>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"(?!\s+\d)",
)
_RAN_BEFORE = re.compile(
    r"\b(?:ran|run|running|took\splace|lasted|lasting|operated|was\sheld|were\sheld|carried\sout|"
    r"conducted|continued|operation|action|intensification|crackdown|activity|"
    # the action's own results over the days: "25 people were arrested in Austria from Monday
    # to Wednesday"
    r"arrested|detained|raided|searched|inspected|visited|checked|rescued|safeguarded)\b"
    r"(?:\s[\w,'’-]+){0,5}\s$",
    re.IGNORECASE,
)
_FORTNIGHT = re.compile(
    r"\b(?:a|one|the)\s+fortnight\b|\bfortnight-long\b|\bfortnight of action\b", re.IGNORECASE
)
_WEEK = re.compile(
    r"\bweek[- ]?long\b|\b(?:one|single|whole|entire|full)\s+week\b(?!s)|"
    r"\b(?:over|in|during)\s+the\s+course\s+of\s+(?:a|one)\s+week\b|"
    # "a week of co-ordinated law enforcement action"
    r"\bweek\s+of\s+(?:[a-z-]+\s+){0,3}?(?:action|intensification|activity|enforcement|operations?)\b|"
    r"\b(?:ran|lasted|running|lasting|spanned|spanning|spent|operated|continued)\s+(?:for\s+|over\s+)?(?:a|one|a\s+single|a\s+full|a\s+whole)\s+week\b|"
    r"\b(?:intensification|action|enforcement)\s+week\b|"
    r"\b(?:during|in|over|throughout)\s+the\s+week\s+(?:commencing|beginning|starting)\b",
    re.IGNORECASE,
)
_ONE_DAY = re.compile(
    r"\b(?:in|on|over|during)\s+(?:just\s+)?(?:one|a\s+single|a)\s+day\b|\ba\s+single\s+day\b|"
    r"\bsingle[- ]day\b|\bone[- ]day\s+(?:operation|action|blitz|crackdown|event)\b|"
    # "yesterday's national day of action", "its day of action"
    r"\b(?:a|one|the|single|this|its|their|[a-z]*day['’]s)\s+(?:(?!(?:first|second|third|fourth|"
    r"fifth|last|final|next|previous|"
    r"other)\b)[\w-]+\s+){0,2}day\s+of\s+(?:action|activity|enforcement)\b|"
    # "a coordinated action day", "the Europe-wide action day" (not "Joint Action Days")
    r"\b(?:a|an|one|the|single|in|during|on)\s+(?:(?!(?:first|second|third|last|final|next|"
    r"previous|other)\b)"
    r"[\w-]+\s+){0,2}action\s+day\b(?!s)",
    re.IGNORECASE,
)
# "Joint Action Days", "the Joint Action Day": EMPACT's multi-day actions by their name; "a joint
# action day" (lower case, one day) is one day.
_JOINT_ACTION_DAYS = re.compile(
    r"\b(?:[Jj]oint|JOINT)\s+(?:[Aa]ction|ACTION)\s+(?:[Dd]ays|DAYS)\b|\bJoint\s+Action\s+Day\b"
)
_MAX_RANGE_DAYS = 92
_DIGIT = re.compile(r"\d")
# Every month name starts with one of these: a range of dates names a month.
_MONTH_STARTS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True, slots=True)
class Duration:
    days: int
    start: int  # local span of the phrase in the text it was found in
    end: int
    rank: int  # 0 = explicit range, 1 = stated length, 2 = a week, 3 = one day
    start_date: date | None = None
    end_date: date | None = None
    # Dates whose stated weekdays are not theirs ("Monday 27 February to Sunday 3 March 2023",
    # when 3 March was a Friday): the page's dates cannot be trusted, so it states no length.
    contradicted: bool = False


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _range(m: re.Match[str], text: str, year: int | None) -> Duration | None:
    d1, d2 = int(m.group("d1")), int(m.group("d2"))
    m2 = month_number(m.group("m2"))
    m1 = month_number(m.group("m1")) or m2
    if m1 is None:
        return None
    if m2 is None:
        m2 = m1
    y2 = int(m.group("y2")) if m.group("y2") else None
    y1 = int(m.group("y1")) if m.group("y1") else None
    if y2 is None and y1 is None:
        ys = _YEAR.findall(text[m.end() : m.end() + 12])
        y2 = int(ys[0]) if ys else year
    yy2 = y2 or y1 or 2001  # 2001: not a leap year, used only to count days when no year is known
    yy1 = y1 or (yy2 - 1 if m1 > m2 else yy2)
    start = _safe_date(yy1, m1, d1)
    end = _safe_date(yy2, m2, d2)
    if start is None or end is None or end < start:
        return None
    days = (end - start).days + 1
    if days < 1 or days > _MAX_RANGE_DAYS:
        return None
    known = (y2 or y1) is not None
    contradicted = known and (
        _wrong_weekday(m.groupdict().get("w1"), start)
        or _wrong_weekday(m.groupdict().get("w2"), end)
    )
    return Duration(
        days,
        m.start(),
        m.end(),
        0,
        start if known else None,
        end if known else None,
        contradicted,
    )


def _wrong_weekday(written: str | None, day: date) -> bool:
    if not written:
        return False
    return written.strip().rstrip(",").lower() != _WEEKDAYS[day.weekday()]


# "from Monday (11 October) to Friday (15 October)", "between Monday (February 27) and Friday
# (March 3)": a weekday with its date in brackets.
_BRACKETED_DATE = re.compile(
    rf"(?P<w>(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\s)\((?P<d>(?:\d{{1,2}}{_ORD}\s{{1,2}}{_MONTH}|"
    rf"{_MONTH}\s{{1,2}}\d{{1,2}}{_ORD})(?:,?\s{{1,2}}(?:19|20)\d\d)?)\)"
)


def _unbracket_dates(text: str) -> str:
    """The brackets of "Monday (11 October)" as spaces: the same length, so every offset into
    the text still holds."""
    return _BRACKETED_DATE.sub(lambda m: f"{m.group('w')} {m.group('d')} ", text)


# An awareness week's own dates: "The activity also falls in Anti-Slavery Week, which runs from
# October 16 to 22" (when the week is held, not how long the action lasted).
_AWARENESS_PERIOD = re.compile(
    r"\b(?:awareness|anti-slavery|prevention)\s(?:week|day|month)\b,?\s(?:which\s)?"
    r"(?:runs|ran|takes\splace|took\splace|is\sheld|was\sheld)\b",
    re.IGNORECASE,
)


def find_durations(text: str, year: int | None = None) -> list[Duration]:
    """Every duration phrase in ``text`` (one sentence), best first."""
    out: list[Duration] = []
    # Most sentences state no length. A pattern runs only when its text holds one of its cue
    # words (every match holds one; tests/test_regex_cues.py checks it): the searches, run on
    # every sentence of every page, cost more than the rest of this function.
    cues = cue_text(text)
    has_day, has_week = "day" in cues, "week" in cues
    month_starts = cue_starts(cues, _MONTH_STARTS)
    if (
        month_starts
        and _DIGIT.search(text)
        and not ((has_day or has_week or "month" in cues) and _AWARENESS_PERIOD.search(text))
    ):
        dated = _unbracket_dates(text) if "(" in text else text
        for m in _RANGE_DAY_FIRST.finditer(dated):
            d = _range(m, text, year)
            if d:
                out.append(d)
        for m in finditer_at(_RANGE_MONTH_FIRST, dated, month_starts):
            d = _range(m, text, year)
            if d:
                out.append(d)
    for m in _N_UNITS.finditer(text) if has_day or has_week else ():
        n = parse_number(m.group("n"))
        if n is None:
            continue
        if not isinstance(n, int) or n < 1 or n > 90:
            continue
        unit = m.group("unit").lower()
        adjectival = "-" in text[m.start() : m.end()] or bool(m.group("tail"))
        lead = _N_UNITS_LEAD.search(text, max(0, m.start() - 30), m.start())
        if not (adjectival or lead):
            continue
        if re.search(
            r"\b(?:past|last|next|coming|previous|first)\s+$",
            text[max(0, m.start() - 12) : m.start()],
            re.IGNORECASE,
        ):
            continue
        if _NOT_OPERATION_AFTER.match(text, m.end()):
            continue  # "a six-week trial", "a two-week jail term"
        days = n * 7 if unit.startswith("week") else n
        out.append(Duration(days, m.start(), m.end(), 1))
    for m in _N_HOURS.finditer(text) if "hour" in cues else ():
        lead = _HOURS_LEAD.search(text, max(0, m.start() - 12), m.start())
        if lead or _HOURS_TAIL.match(text, m.end(), min(len(text), m.end() + 30)):
            n = parse_number(m.group("n").replace("-", " "))
            if isinstance(n, int):
                out.append(Duration(n // 24, m.start(), m.end(), 1))
    for m in _WEEKDAY_RANGE.finditer(text) if has_day else ():
        if not _RAN_BEFORE.search(text, max(0, m.start() - 60), m.start()):
            continue  # "the helpline is open from Monday to Friday"
        a = _WEEKDAYS.index(m.group("a").lower())
        b = _WEEKDAYS.index(m.group("b").lower())
        out.append(Duration((b - a) % 7 + 1, m.start(), m.end(), 1))
    for m in _FORTNIGHT.finditer(text) if "fortnight" in cues else ():
        out.append(Duration(14, m.start(), m.end(), 1))
    for m in _WEEK.finditer(text) if has_week else ():
        if _ORDINAL_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            continue  # "in the first week of Operation Kestrel": a reporting period
        out.append(Duration(7, m.start(), m.end(), 2))
    for m in _ONE_DAY.finditer(text) if has_day else ():
        if _JOINT_ACTION_DAYS.search(text[max(0, m.start() - 15) : m.end() + 1]):
            continue  # EMPACT's Joint Action Days: a name, and they last days
        out.append(Duration(1, m.start(), m.end(), 3))
    out.sort(key=lambda d: (d.rank, d.start))
    return out
