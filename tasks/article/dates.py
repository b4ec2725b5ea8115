"""The page parser's own date rules: a line that is nothing but a date (an NCA release's
bold date paragraph, a news page's date line, with typos tolerated). Values and prose
dates are read by the shared tasks/dates.py (``parse_common_date``, ``find_date``)."""

from __future__ import annotations

import re
from datetime import date

from tasks.dates import (
    MONTH_ABBREVIATIONS,
    MONTHS,
    find_date,
    make_date,
    month_number,
    parse_common_date,
)

_MONTH_ALT = "|".join(sorted([*MONTHS, *MONTH_ABBREVIATIONS], key=len, reverse=True))
DATE_DMY_RE = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_ALT})\.?,?\s+(\d{{4}})(?!\d)", re.I
)
DATE_MDY_RE = re.compile(
    rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.I
)
# A line that is only a date (with an optional weekday / "Published" / "Updated" label).
DATE_LINE_PREFIX_RE = re.compile(
    r"\s*(?:(?:published|posted|updated|date)\s*:?\s*)?"
    r"(?:(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?,?\s+)?",
    re.I,
)
# NCA's bold date line (profiles/nca.py), also the last resort of _date_only_line on any
# page. The release date is the last bold paragraph: "03 October 2025", "3 Oct 2025.",
# "23 Janaury 2025." (typo) and occasionally with a weekday. The whole bold text must be
# a date, so a bold quote attribution is never read as one.
NCA_DATE_TEXT_RE = re.compile(
    r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,12})\.?,?\s+(\d{4})",
    re.I,
)
# Wix renders "Nov 5, 2021" and "2 min read" as adjacent spans: the text reads
# "Nov 5, 20212 min read". The year is four digits, so the glued suffix can be split off.
READ_TIME_SUFFIX_RE = re.compile(r"(.*?\d{4})\s*[·|•-]?\s*\d{1,3}\s*min(?:ute)?s?\s*read", re.I)


def _parse_nca_date(text: str) -> date | None:
    """A bold NCA date line: the whole text must be the date (typos tolerated)."""
    return _nca_date_match(text)[1]


def _nca_date_match(text: str) -> tuple[bool, date | None]:
    """(whether the text is shaped like a date line, the date if it is a real one)."""
    s = text.strip().strip(".,;:()[]").strip()
    if not s or len(s) > 60:
        return False, None
    m = NCA_DATE_TEXT_RE.fullmatch(s)
    if not m:
        return False, None
    month = month_number(m.group(2), fuzzy=True)
    if month is None:
        return False, None
    return True, make_date(int(m.group(3)), month, int(m.group(1)))


def _date_only_line(line: str) -> date | None:
    """A line that holds nothing but a date, such as a Wix post's "Nov 5, 2021"."""
    if len(line) > 60:
        return None
    prefix = DATE_LINE_PREFIX_RE.match(line)
    rest = line[prefix.end() if prefix else 0 :].strip().rstrip(".")
    glued = READ_TIME_SUFFIX_RE.fullmatch(rest)
    if glued:
        rest = glued.group(1)
    for regex, d, mo, y in ((DATE_DMY_RE, 1, 2, 3), (DATE_MDY_RE, 2, 1, 3)):
        m = regex.fullmatch(rest)
        if m:
            month = month_number(m.group(mo), fuzzy=True)
            if month:
                return make_date(int(m.group(y)), month, int(m.group(d)))
    return _parse_nca_date(rest)


def _search_date(blocks: list[list[str]], limit: int) -> date | None:
    head = "\n".join(line for lines in blocks for line in lines)[:limit]
    return find_date(head, fuzzy=False)


def _parse_date_value(value: object) -> date | None:
    """A date in metadata: ISO 8601, unix time, RFC 2822 or prose (tasks/dates.py), months
    spelt right: a misspelt month in metadata is not read as one."""
    return parse_common_date(value, fuzzy=False)
