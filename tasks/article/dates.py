"""Dates in page text and metadata: ISO 8601, unix time, RFC 2822 and prose dates.

Moved unchanged out of the page parser; the shared tasks/dates.py is to replace it.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
MONTH_ABBREVIATIONS: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
# "Janaury" scores 0.86 against "january"; "June" vs "July" only 0.5.
MONTH_FUZZY_CUTOFF = 0.75
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
ISO_DATE_RE = re.compile(r"\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:$|[T\s])")
UNIX_TS_RE = re.compile(r"\s*(\d{9,13})(?:\.\d+)?\s*")
MIN_YEAR, MAX_YEAR = 1990, 2100
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


def _parse_date_value(value: Any) -> date | None:
    """ISO 8601 (the publisher's local date as written), unix time (UTC), RFC 2822, prose."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _from_timestamp(float(value))
    if not isinstance(value, str):
        return None
    s = value.strip()[:200]
    if not s:
        return None
    m = ISO_DATE_RE.match(s)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = UNIX_TS_RE.fullmatch(s)
    if m:
        return _from_timestamp(float(m.group(1)))
    if "," in s and ":" in s:
        with contextlib.suppress(TypeError, ValueError, IndexError, OverflowError):
            dt = parsedate_to_datetime(s)
            return _make_date(dt.year, dt.month, dt.day)
    return _search_date_text(s)


def _from_timestamp(ts: float) -> date | None:
    if ts > 1e11:  # milliseconds
        ts /= 1000
    try:
        d = datetime.fromtimestamp(ts, tz=UTC).date()
    except (OverflowError, OSError, ValueError):
        return None
    return d if MIN_YEAR <= d.year <= MAX_YEAR else None


def _make_date(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_number(token: str, fuzzy: bool = False) -> int | None:
    t = token.lower().rstrip(".")
    found = MONTHS.get(t) or MONTH_ABBREVIATIONS.get(t)
    if found or not fuzzy or len(t) < 4:
        return found
    close = difflib.get_close_matches(t, list(MONTHS), n=1, cutoff=MONTH_FUZZY_CUTOFF)
    # Typos keep the first letter; this stops "Juen" turning into anything but June.
    if close and close[0][0] == t[0]:
        return MONTHS[close[0]]
    return None


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
    month = _month_number(m.group(2), fuzzy=True)
    if month is None:
        return False, None
    return True, _make_date(int(m.group(3)), month, int(m.group(1)))


def _search_date_text(text: str) -> date | None:
    m = DATE_DMY_RE.search(text)
    if m:
        month = _month_number(m.group(2))
        if month:
            return _make_date(int(m.group(3)), month, int(m.group(1)))
    m = DATE_MDY_RE.search(text)
    if m:
        month = _month_number(m.group(1))
        if month:
            return _make_date(int(m.group(3)), month, int(m.group(2)))
    return None


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
            month = _month_number(m.group(mo), fuzzy=True)
            if month:
                return _make_date(int(m.group(y)), month, int(m.group(d)))
    return _parse_nca_date(rest)


def _search_date(blocks: list[list[str]], limit: int) -> date | None:
    head = "\n".join(line for lines in blocks for line in lines)[:limit]
    return _search_date_text(head)
