"""Dates as publishers write them: one parser for feeds, sitemaps, search APIs and listings.

- ``parse_common_date``: the forms feeds, sitemaps and APIs use (ISO 8601, RFC 2822, unix
  time) and "9 June 2026" / "June 9, 2026" prose, on a fast path of regexes and the standard
  library, never dateparser.
- ``parse_date``: those, then dateparser for anything else a person may write ("05/11/2021",
  "5th of November 2021", "5.11.2021 10:00 GMT").
- ``find_date``: the first day-month-year date in running text (a listing item's block).
- ``month_number``: "June", "Jun.", "Sept" (and with ``fuzzy``, "Janaury") as 1..12.

Every caller shares these conventions:

- A date is the publisher's local date as written: "2026-06-09T23:30:00-05:00" is 9 June,
  not its UTC day. Unix times (seconds, or milliseconds) are UTC.
- Ambiguous numeric dates are day-first, as UK publishers write them: "05/11/2021" is
  5 November 2021.
- An impossible date ("31 February 2024") or a year outside 1990..2100 is no publication
  date: None.
"""

from __future__ import annotations

import difflib
import functools
import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

MIN_YEAR, MAX_YEAR = 1990, 2100

MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
MONTH_ABBREVIATIONS: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
# "Janaury" (seen on NCA pages) scores 0.86 against "january"; "June" vs "July" only 0.5.
MONTH_FUZZY_CUTOFF = 0.75
MONTH_FUZZY_MIN_CHARS = 4  # "Jum" is too short to be read as a misspelt month

# "2026-06-09", "2026-06-09T10:00:00Z", "2024/5/1 10:00": the date as written, whatever follows.
ISO_DATE_RE = re.compile(r"\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:$|[T\s])")
UNIX_TS_RE = re.compile(r"\s*(\d{9,13})(?:\.\d+)?\s*")
UNIX_MS_ABOVE = 1e11  # a unix time above this is in milliseconds (1e11 s is the year 5138)
# "09 June 2026", "3rd March 2021", "23 Janaury 2025.", "1 Sept, 2024"
DMY_RE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,10})\.?,?\s+(\d{4})\b")
# "Nov 5, 2021", "June 9th 2026"
MDY_RE = re.compile(r"\b([A-Za-z]{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
MAX_VALUE_CHARS = 200  # a date value longer than this is text: only its start is read

# dateparser is the fallback, not the first try. Measured on this machine (10,000 calls each,
# one DateDataParser reused): "09 June 2026" 5.0 s, "2026-06-09T10:00:00Z" 9.0 s,
# "Tue, 09 Jun 2026 09:30:00 +0100" 9.6 s, i.e. 0.5-1 ms a call, and 0.1-1.7 ms to refuse junk;
# the fast path below takes 1.5-5 us a call for the same values. A million-entry sitemap index
# whose lastmods were junk would cost 2-28 minutes in dateparser against the 30 s its reading
# takes, so the per-entry fields of feeds, sitemaps and APIs use ``parse_common_date`` only.
DATEPARSER_SETTINGS = {
    "DATE_ORDER": "DMY",
    # Absolute dates only: "yesterday" or "2 hours ago" is no publication date.
    "PARSERS": ["absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
}
DATEPARSER_MAX_CHARS = 100  # junk costs dateparser up to 1.7 ms a call at 40 characters


def month_number(token: str | None, fuzzy: bool = False) -> int | None:
    """1..12 for a month name or abbreviation ("June", "Jun.", "Sept"), any case; with
    ``fuzzy``, also a misspelt full name that keeps its first letter ("Janaury")."""
    if not token:
        return None
    t = token.lower().rstrip(".")
    found = MONTHS.get(t) or MONTH_ABBREVIATIONS.get(t)
    if found or not fuzzy or len(t) < MONTH_FUZZY_MIN_CHARS:
        return found
    close = difflib.get_close_matches(t, list(MONTHS), n=1, cutoff=MONTH_FUZZY_CUTOFF)
    # Typos keep the first letter; this stops "Juen" turning into anything but June.
    if close and close[0][0] == t[0]:
        return MONTHS[close[0]]
    return None


def make_date(year: int, month: int, day: int) -> date | None:
    """The date, or None when it does not exist or its year is outside MIN_YEAR..MAX_YEAR."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def from_timestamp(ts: float) -> date | None:
    """The UTC date of a unix time in seconds, or in milliseconds."""
    if ts > UNIX_MS_ABOVE:
        ts /= 1000
    try:
        day = datetime.fromtimestamp(ts, tz=UTC).date()
    except (OverflowError, OSError, ValueError):
        return None
    return make_date(day.year, day.month, day.day)


def find_date(text: str, fuzzy: bool = True) -> date | None:
    """The first "09 June 2026"-style date in ``text``, else the first "June 9, 2026" one.

    Tolerates ordinals, a trailing full stop, abbreviations ("9 Jun 2026", "Sept") and, with
    ``fuzzy``, small misspellings ("23 Janaury 2025."), all seen on NCA pages
    (docs/SOURCES.md, NCA). A match that is no real date ("31 February 2024") is passed over.
    A regex, not dateparser's search_dates: that took 4.8 ms a call on one NCA listing item
    and found no date in it, nor does it read "Janaury".
    """
    for regex, d, m, y in ((DMY_RE, 1, 2, 3), (MDY_RE, 2, 1, 3)):
        for found in regex.finditer(text):
            month = month_number(found.group(m), fuzzy=fuzzy)
            day = month and make_date(int(found.group(y)), month, int(found.group(d)))
            if day:
                return day
    return None


def parse_common_date(value: object, *, fuzzy: bool = True) -> date | None:
    """A date from a unix time (number or digits), ISO 8601, RFC 2822 (RSS) or a
    "9 June 2026" / "June 9, 2026" string: the forms of feeds, sitemaps, search APIs and
    listings, read without dateparser (cost above). ``fuzzy`` as in ``find_date``."""
    return _fast(value, fuzzy)[1]


def parse_date(value: object, *, fuzzy: bool = True) -> date | None:
    """``parse_common_date``, then dateparser for what else a person may write: numeric
    dates day-first ("05/11/2021"), "5th of November 2021", "5.11.2021 10:00 GMT"."""
    shaped, found = _fast(value, fuzzy)
    if shaped or not isinstance(value, str):
        return found
    text = value.strip()
    if len(text) > DATEPARSER_MAX_CHARS:
        return None
    parsed = _dateparser().get_date_data(text).date_obj
    return make_date(parsed.year, parsed.month, parsed.day) if parsed else None


@functools.cache
def _dateparser() -> DateDataParser:
    # Imported on first use: importing dateparser takes 44 ms (python -X importtime), which
    # every process that extracts or discovers would pay for a parser only parse_date uses.
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["en"], settings=DATEPARSER_SETTINGS)


def _fast(value: object, fuzzy: bool) -> tuple[bool, date | None]:
    """(whether ``value`` has the shape of a date form read here, the date if real).

    A shaped value that is no real date ("2026-13-01") is not passed on to dateparser,
    which would read it year-day-month.
    """
    if value is None or isinstance(value, bool):
        return False, None
    if isinstance(value, int | float):
        return True, from_timestamp(float(value))
    if not isinstance(value, str):
        return False, None
    s = value.strip()[:MAX_VALUE_CHARS]
    if not s:
        return False, None
    if m := UNIX_TS_RE.fullmatch(s):
        return True, from_timestamp(float(m.group(1)))
    if m := ISO_DATE_RE.match(s):
        return True, make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    try:  # the other ISO 8601 forms: "20260609", "2026-W24-2"
        day = datetime.fromisoformat(s).date()
        return True, make_date(day.year, day.month, day.day)
    except ValueError:
        pass
    if ":" in s:  # RFC 2822 always has a time: without one parsing it can only fail
        try:
            when = parsedate_to_datetime(s)
            return True, make_date(when.year, when.month, when.day)
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
    found = find_date(s, fuzzy=fuzzy)
    return found is not None, found


__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "find_date",
    "from_timestamp",
    "make_date",
    "month_number",
    "parse_common_date",
    "parse_date",
]
