"""Numbers in running text: digits, number words, money, and the qualifier in front of them.

``find_numbers`` is a tokenizer: it yields every number mention in a text with its character
span, its value, the qualifier phrase before it ("more than", "nearly", ...) and a *kind* that says
what the number is. Only ``count`` and ``money`` mentions can become figures; a year, a date, an
age, a time, a phone number, a percentage, an ordinal, a measured quantity ("44kg", "15-hour"), a
price ("£20 per hour") or a number that is part of a name ("Danube 5", "COVID-19", "Section 60")
is never a count of people.

Everything here runs in time linear in the text: every pattern is anchored on a literal or a
bounded repetition, context checks look at fixed-size windows, and a run of more than
``MAX_DIGITS`` digits is never converted to an int (CPython refuses to convert very long strings
and a 1 MB run of digits is not a figure anyway).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from tasks.figures.sentences import cue_starts, cue_text, finditer_at, finditer_from

# Kinds of number mention. Only COUNT and MONEY can become figures.
COUNT = "count"
MONEY = "money"
PRICE = "price"  # money per unit of time or per item: "£20 per hour", "£40 a day"
YEAR = "year"
DATE = "date"  # a day of the month: "15 June", "June 10", "11-17 October"
AGE = "age"
TIME = "time"
PHONE = "phone"
PERCENT = "percent"
ORDINAL = "ordinal"
NAME = "name"  # part of a name: "Danube 5", "COVID-19", "Section 60"
MEASURE = "measure"  # a quantity with a unit: "44kg", "15-hour", "three days", "12 months"
OTHER = "other"  # too long to be a figure (a run of digits, a reference number)

KINDS: tuple[str, ...] = (
    COUNT,
    MONEY,
    PRICE,
    YEAR,
    DATE,
    AGE,
    TIME,
    PHONE,
    PERCENT,
    ORDINAL,
    NAME,
    MEASURE,
    OTHER,
)

# More digits than this is a reference number or garbage, never a figure (and int() of a very
# long string raises in CPython >= 3.11).
MAX_DIGITS = 15

# Number words. Ordinal words ("first", "second") are not cardinal numbers and are left out;
# "dozens", "hundreds" and "thousands" are not numbers either: the \b after each word keeps the
# plural from matching.
_UNITS: dict[str, int] = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS: dict[str, int] = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,  # a common misspelling in press releases
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES: dict[str, int] = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_NUMBER_WORDS = "|".join(
    sorted([*_UNITS, *_TENS, "hundred", *_SCALES, "dozen"], key=len, reverse=True)
)
# A number written in words, for other modules' patterns: "forty-four", "one hundred and twelve".
NUMBER_WORDS_PATTERN = (
    rf"(?:\b(?:{_NUMBER_WORDS})\b(?:(?:[ -]|\sand\s)(?:{_NUMBER_WORDS})\b){{0,4}})"
)

# A run of number words: "THIRTY eight", "one hundred and twelve", "forty-four", "a hundred",
# "two dozen". Separators are bounded (1-3 spaces, a hyphen, or " and ") so a failed match never
# rescans a long stretch of whitespace; "and" only joins words when a number word follows it and
# the run parser below splits runs that are not one number ("eight and four").
_WORD_RUN = re.compile(
    rf"\b(?:an?[ \u00a0]{{1,3}}(?=(?:hundred|thousand|million|billion|dozen)\b))?"
    rf"(?:{_NUMBER_WORDS})\b"
    rf"(?:(?:[ \u00a0]{{1,3}}and[ \u00a0]{{1,3}}|[ \u00a0]{{1,3}}|-)(?:{_NUMBER_WORDS})\b)*",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z]+")
# The start words of the number words ("seven" for "seventeen" and "seventy"): every number
# written in words starts with one of them.
_ALL_NUMBER_WORDS = _NUMBER_WORDS.split("|")
NUMBER_WORD_STARTS: tuple[str, ...] = tuple(
    w for w in _ALL_NUMBER_WORDS if not any(v != w and w.startswith(v) for v in _ALL_NUMBER_WORDS)
)
_ARTICLE_SCALES = ("hundred", "thousand", "million", "billion", "dozen")

# Digit tokens, most specific first. Thousands separators: comma, dot, space, no-break space,
# thin space and narrow no-break space ("1,041", "50.000", "15 313"); the group repetition is
# bounded ({1,5}) so a long run of groups that fails at its end is not rescanned from each start.
_SEP_CLASS = "[,.\u00a0\u2009\u202f ]"
_GROUPED = rf"\d{{1,3}}(?:{_SEP_CLASS}\d{{3}}){{1,5}}(?![\d])"
_PLAIN = r"\d+(?:\.\d+)?"
# Comma thousands with pence or a decimal part: "£30,240.89", "1,234.5".
_GROUPED_DECIMAL = r"\d{1,3}(?:,\d{3}){1,5}\.\d{1,2}(?![\d])"
_NUM = rf"(?:{_GROUPED_DECIMAL}|{_GROUPED}|{_PLAIN})"
# A web address: its digits and number words ("/news/six-arrested-in-...") are not numbers.
_URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"'()]+", re.IGNORECASE)
_NUM_TOKEN = re.compile(
    # international or UK phone numbers: "+44 20 7946 0000", "0800 555 111", "01234567890"
    rf"(?P<phone>\+\d{{1,3}}(?:[ -]?\(?\d{{1,5}}\)?){{2,5}}(?!\d)"
    rf"|(?<![\w.,/])0\d{{2,4}}(?:[ -]\d{{3,4}}){{1,2}}(?![\d])"
    rf"|(?<![\w.,/])0\d{{9,10}}(?!\d))"
    # clock times: "10.30am", "9pm", "06:45"
    rf"|(?P<time>(?<![\w.,/])\d{{1,2}}(?:[:.]\d{{2}})?[ ]?(?:am|pm|a\.m\.|p\.m\.)(?!\w)"
    rf"|(?<![\w.,/:])\d{{1,2}}:\d{{2}}(?![\d:]))"
    # numeric dates: "15/06/2023"
    rf"|(?P<slashdate>(?<![\w.,/])\d{{1,2}}/\d{{1,2}}/\d{{2,4}}(?![\w/]))"
    # year spans: "2019/20", "2019-2020" (never counts)
    rf"|(?P<yearspan>(?<![\w.,/])(?:19|20)\d\d[/-](?:(?:19|20)\d\d|\d\d)(?![\w/]))"
    # money: a currency sign, the amount, an optional scale ("£1.98 million", "£1.2m", "£40k")
    rf"|(?P<money>[£€$][ ]?(?P<mnum>{_NUM})"
    rf"(?:[ ]?(?P<mscale>million|billion|thousand|bn|mn|m|k)\b)?)"
    # ordinals: "11th", "92nd"
    rf"|(?P<ordinal>(?<![\w.,/])\d{{1,4}}(?:st|nd|rd|th)\b)"
    # plain numbers; a scale word may follow ("2 million", "1.2m")
    rf"|(?P<num>(?<![\w.,/])(?P<nnum>{_NUM})"
    rf"(?:(?P<nscale>[ ](?:million|billion|thousand)\b|(?:m|bn|mn|k)\b))?)",
)

# Every token of _NUM_TOKEN starts with a digit, "+" or a currency sign. The pattern's
# look-behinds make the regex engine try every alternative at every character of a text; a body
# has few digits, so it is tried only there (``finditer_from``).
_NUM_TOKEN_START = re.compile(r"[+£€$\d]")

# A minus sign right before a number, not joining it to a word or number before it: "-45",
# "(−45)", but not "SARS-2", "aged 16-18" or "2-9 April". A signed number is a change or a
# difference, never a count: read as the count 45, "arrested -45 people and safeguarded 99
# potential victims" lost its verb ("arrested" no longer came right before the number) and
# the next verb claimed it, storing 45 potential victims.
_MINUS_SIGNS = frozenset("-\u2212")

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)
_WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
# A month name right after a day number ("15 June", "11th of October"). Case-sensitive on purpose:
# "14 may" is more likely the modal verb than the month.
_MONTH_AFTER = re.compile(rf"(?:st|nd|rd|th)?\.?\s{{0,2}}(?:of\s)?(?:{_MONTHS})\b")
# The dot only after an abbreviation ("Sept. 13"): after a full month name it ends a sentence
# ("ran until 23 May. 13 people were arrested").
_MONTH_BEFORE = re.compile(
    r"\b(?:(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)\s{1,2}$"
)
_WEEKDAY_BEFORE = re.compile(rf"\b(?:{_WEEKDAYS})\s{{1,2}}(?:the\s)?$")
# The first day of a range whose month comes after the second day: "14 and 20 May", "3-13
# September", "Monday 11th and Sunday 17th October".
_RANGE_TO_MONTH = re.compile(
    rf"(?:st|nd|rd|th)?\s{{0,2}}(?:-|–|—|to|and|until|till)\s{{0,2}}(?:(?:{_WEEKDAYS})\s{{1,2}})?"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s{{1,2}}(?:of\s)?(?:{_MONTHS})\b"
)
# The second day of a range whose month comes first: "June 10 to 17".
_RANGE_FROM_MONTH = re.compile(
    rf"\b(?:{_MONTHS})\s{{1,2}}\d{{1,2}}(?:st|nd|rd|th)?\s{{0,2}}(?:-|–|—|to|and|until|till)\s{{0,2}}$"
)
_PERCENT_AFTER = re.compile(r"\s?(?:%|per\s?cent\b|percent\b|pc\b)", re.IGNORECASE)
_AGE_AFTER = re.compile(r"(?:-|\s)(?:years?|yrs?)(?:-|\s)olds?\b|-year\b|-yr\b", re.IGNORECASE)
_AGE_BEFORE = re.compile(
    r"\b(?:aged|age|ages|as young as|as old as|under-|over-)\s?"
    r"(?:between\s|of\s|from\s|(?:ranging|ranged)\s(?:from|between)\s)?$"
    r"|\baged\s\d{1,2}\s?(?:-|–|to|and)\s?$"
    # "a woman of 25", "a man of 41": a person's age
    r"|\b(?:an?|the)\s(?:[\w-]+\s)?(?:man|woman|boy|girl|teenager|youth|male|female|mother|"
    r"father|son|daughter)\sof\s$",
    re.IGNORECASE,
)
# An age bound: "aged under 18", "under the age of 16", "were under 18" (not "over 18 arrests").
_AGE_BOUND_BEFORE = re.compile(
    r"\baged\s(?:under|over|below|above)\s$|\b(?:under|over|below|above)\sthe\sage\sof\s$"
    r"|\b(?:under|below|younger\sthan)\s$",
    re.IGNORECASE,
)
_AGE_BOUND_VALUES = frozenset({13, 14, 15, 16, 17, 18, 21, 25})
# Quantities with a unit. "day"/"week" quantities are durations (read by tasks.figures.durations).
_UNIT_AFTER = re.compile(
    r"(?:-|\s)?(?P<unit>kg|kgs|kilos?|kilograms?|grams?|g|tonnes?|tons?|km|kilometres?|miles?|"
    r"metres?|litres?|ml|lbs?|oz|ft|feet|hours?|hrs?|minutes?|mins?|seconds?|days?|weeks?|"
    r"fortnights?|months?|years?|decades?|nights?|mph)\b(?!-old)",
    re.IGNORECASE,
)
_STRONG_AFTER = re.compile(r"-(?:strong|man|person|officer|page|point|minute)\b", re.IGNORECASE)
_PRICE_AFTER = re.compile(
    r"\s(?:per|a|an|each|every)\s(?:hour|day|week|month|year|night|shift|person|head|item|"
    r"kilo|kg|gram|g|visit|client|customer)\b",
    re.IGNORECASE,
)
_PHONE_BEFORE = re.compile(
    r"\b(?:call|ring|dial|phone|telephone|tel:?|contact|on)\s(?:police\s|us\s)?(?:on\s)?$",
    re.IGNORECASE,
)
_PHONE_SHORT = frozenset({101, 999, 111, 112, 105, 116})
_NAME_HYPHEN_BEFORE = re.compile(r"[A-Za-z]-$")
# Words after which a number is a label, not a count: "Section 60", "Article 4", "Tier 2".
_NAME_PREFIX_BEFORE = re.compile(
    r"\b(?:Section|Sections|Article|Articles|Part|Chapter|Rule|Schedule|Clause|Phase|Stage|Level|"
    r"Tier|Category|Channel|Junction|Platform|Terminal|Route|Unit|Flat|Room|Gate|Bus|Flight|"
    r"No\.?|Nos\.?|Number|Act|Regulation|Paragraph|Annex|Box|Lot|Op)\s$"
)
# A capitalised word right before a number that is not followed by a noun: "Danube 5 was ...".
_CAP_WORD_BEFORE = re.compile(r"(?:^|(?<=[^\w.!?:;\n]))(?P<w>[A-Z][A-Za-z]+)\s$")
_NEXT_WORD = re.compile(r"\s{0,2}(?P<w>[A-Za-z][A-Za-z'’-]*)")
# Capitalised words that are not names when a number follows them.
_NOT_NAME_WORDS = frozenset(
    (
        _MONTHS
        + "|"
        + _WEEKDAYS
        + "|In|On|At|The|A|An|And|Of|For|To|By|With|From|Over|Under|About|"
        "Around|Nearly|Almost|Some|More|Than|Just|All|Only|Total|Arrests|Arrested|Victims|Police|"
        "Officers|Approximately|Roughly|Up|Least|Excess|Upwards|Of|Across|Between|Since|During|"
        "After|Before|Saw|Sees|See|Leads|Led|Made|Make|Makes|Rescue|Rescues|Rescued|Free|Frees|"
        "Freed|Arrest|Raid|Raids|Raided|Find|Finds|Found|Identify|Identifies|Identified|Charged|"
        "Charge|Charges|Held|Hold|Holds|Detained|Detain|Detains|Seize|Seizes|Seized|Results|"
        "Result|Resulted|Recorded|Record|Records|Another|Further|Additional|Other|Nearly|Than"
    ).split("|")
)
# Words that may follow a number that is part of a name ("Danube 5 was aimed at ...").
_NAME_FOLLOWERS = frozenset(
    [
        "was",
        "is",
        "were",
        "are",
        "and",
        "the",
        "which",
        "has",
        "had",
        "have",
        "operation",
        "in",
        "on",
        "at",
        "to",
        "of",
        "for",
        "with",
        "by",
        "from",
        "led",
        "took",
        "saw",
        "targeted",
        "focused",
        "aimed",
        "involved",
        "ran",
    ]
)
# Nouns counted by figures; a capitalised word before a number followed by one of these is not
# a name ("Spain 2 arrests", title-case "Police Scotland Sees 24 Arrests").
COUNT_NOUNS = frozenset(
    [
        "arrest",
        "arrests",
        "people",
        "persons",
        "person",
        "suspects",
        "suspect",
        "victims",
        "victim",
        "children",
        "child",
        "minors",
        "adults",
        "adult",
        "men",
        "women",
        "man",
        "woman",
        "boys",
        "girls",
        "individuals",
        "offenders",
        "nationals",
        "forces",
        "force",
        "countries",
        "country",
        "investigations",
        "referrals",
        "warrants",
        "premises",
        "addresses",
        "properties",
        "visits",
        "raids",
        "weapons",
        "knives",
        "firearms",
        "brothels",
        "businesses",
        "locations",
        "officers",
        "members",
        "traffickers",
        "smugglers",
        "migrants",
        "workers",
        "paedophiles",
        "more",
        "new",
        "potential",
        "suspected",
        "vulnerable",
    ]
)
_SCALE_VALUES: dict[str, int] = {
    "thousand": 1_000,
    "k": 1_000,
    "million": 1_000_000,
    "m": 1_000_000,
    "mn": 1_000_000,
    "billion": 1_000_000_000,
    "bn": 1_000_000_000,
}
_CURRENCY: dict[str, str] = {"£": "GBP", "€": "EUR", "$": "USD"}
_CURRENCY_WORD_AFTER = re.compile(
    r"\s(?P<cur>pounds|pound|sterling|euros?|dollars?)\b", re.IGNORECASE
)
_CURRENCY_WORDS: dict[str, str] = {
    "pound": "GBP",
    "pounds": "GBP",
    "sterling": "GBP",
    "euro": "EUR",
    "euros": "EUR",
    "dollar": "USD",
    "dollars": "USD",
}
# Units that make a single ".ddd" group a decimal point rather than a thousands separator.
_DECIMAL_UNIT_AFTER = re.compile(
    r"\s?(?:kg|g|km|m|bn|mn|k|million|billion|tonnes?|litres?|%|per\s?cent)\b", re.IGNORECASE
)

# Qualifier phrases right before a number (or its currency sign). The regex is searched in a
# fixed 40-character window that ends at the number, and the leftmost match wins, so "just over"
# beats "over" and "well in excess of" beats "in excess of".
QUALIFIER_PHRASES: dict[str, str] = {
    "just over": "more_than",
    "well over": "more_than",
    "well in excess of": "more_than",
    "more than": "more_than",
    "greater than": "more_than",
    "in excess of": "more_than",
    "upwards of": "more_than",
    "north of": "more_than",
    "over": "more_than",
    "at least": "at_least",
    "a minimum of": "at_least",
    "no fewer than": "at_least",
    "no less than": "at_least",
    "not less than": "at_least",
    "almost": "approx",
    "nearly": "approx",
    "around": "approx",
    "about": "approx",
    "approximately": "approx",
    "approx.": "approx",
    "approx": "approx",
    "roughly": "approx",
    "some": "approx",
    "close to": "approx",
    "circa": "approx",
    "an estimated": "approx",
    "estimated": "approx",
    "just under": "approx",
    "just shy of": "approx",
    "the best part of": "approx",
    "in the region of": "approx",
    "of the order of": "approx",
    "on the order of": "approx",
    "up to": "up_to",
    "as many as": "up_to",
    "fewer than": "up_to",
    "less than": "up_to",
    "under": "up_to",
    "a maximum of": "up_to",
    "no more than": "up_to",
}
_QUALIFIER_BEFORE = re.compile(
    r"\b(?P<q>"
    + "|".join(re.escape(p) for p in sorted(QUALIFIER_PHRASES, key=len, reverse=True))
    + r")\s{1,3}$",
    re.IGNORECASE,
)
# Qualifiers after a number: "100+", "100 or more", "100-plus", "100 or so".
_QUALIFIER_AFTER = re.compile(
    r"(?P<plus>\+|-plus\b|\splus\b)|\sor\s(?:(?P<more>more|over)|(?P<so>so))\b", re.IGNORECASE
)
_WINDOW = 40
# A sign written right before a number for "about": "~500", "≈1,200".
_APPROX_SIGNS = frozenset("~\u2248")


@dataclass(frozen=True, slots=True)
class NumberMention:
    """One number in a text. ``start``/``end`` cover the number itself (currency sign included);
    ``qual_start`` is where its qualifier phrase starts (``start`` when it has none)."""

    start: int
    end: int
    value: int | float
    kind: str
    qualifier: str = "exact"
    qual_start: int = -1
    text: str = ""
    unit: str | None = None  # currency code for money; the unit of a measure ("day", "kg")
    spelled: bool = False  # written in words

    @property
    def figure_start(self) -> int:
        return self.qual_start if self.qual_start >= 0 else self.start


def parse_qualifier(phrase: str) -> str:
    """Map a qualifier phrase ("more than", "Nearly", "just under") to the vocabulary."""
    return QUALIFIER_PHRASES.get(" ".join(phrase.lower().split()), "exact")


def _to_number(value: float) -> int | float:
    if value == int(value):
        return int(value)
    return round(value, 6)


def parse_digits(token: str, *, decimal_hint: bool = False) -> int | float | None:
    """Value of a digit token with optional thousands separators.

    "1,041" -> 1041, "15 313" -> 15313, "50.000" -> 50000 (a dot followed by exactly three digits
    is a separator in a count), "28.8" -> 28.8. ``decimal_hint`` makes a single ".ddd" group a
    decimal point ("1.250 kg", "£1.250m").
    """
    token = token.strip()
    if not token or len(token) > MAX_DIGITS + 6:
        return None
    seps = {c for c in token if not c.isdigit()}
    if not seps:
        return int(token) if len(token) <= MAX_DIGITS else None
    if seps == {"."} and token.count(".") == 1:
        whole, frac = token.split(".")
        if len(frac) == 3 and not decimal_hint and whole and len(whole) <= 3 and whole[0] != "0":
            return int(whole + frac)
        try:
            return _to_number(float(token))
        except ValueError:
            return None
    if len(seps) == 1:
        groups = re.split(_SEP_CLASS, token)
        if 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
            digits = "".join(groups)
            return int(digits) if len(digits) <= MAX_DIGITS else None
    # "1,234.5": comma thousands with a decimal point.
    m = re.fullmatch(r"(\d{1,3}(?:,\d{3})+)\.(\d+)", token)
    if m:
        return _to_number(float(m.group(1).replace(",", "") + "." + m.group(2)))
    return None


# Kinds of the previous word of a number being read in words.
_ARTICLE, _UNIT, _TEN, _HUNDRED, _SCALE = "a", "unit", "tens", "hundred", "scale"


@dataclass(slots=True)
class _WordNumber:
    """The number a run of number words is building, and the numbers it has finished. Each
    ``add_*`` step says whether the word continues the number."""

    out: list[tuple[int, int, int]] = field(default_factory=list)
    total: int = 0  # the part already scaled ("thirty thousand")
    current: int = 0  # the part under a scale still being read
    last: str | None = None  # kind of the previous word
    start: int = -1
    end: int = -1
    pending_and: bool = False  # "one hundred and ...": an "and" inside the number

    def flush(self) -> None:
        if self.last is not None and self.last != _ARTICLE:
            self.out.append((self.total + self.current, self.start, self.end))
        self.total = self.current = 0
        self.last = None
        self.start = -1
        self.pending_and = False

    def conjunction(self) -> None:
        if self.last in (_HUNDRED, _SCALE):
            self.pending_and = True
        else:
            self.flush()

    def article(self, ws: int, we: int) -> None:
        self.flush()
        self.start, self.last = ws, _ARTICLE
        self.current = 1
        self.end = we

    def add_word(self, w: str, ws: int) -> bool:
        if w in _UNITS:
            return self.add_unit(_UNITS[w], ws)
        if w in _TENS:
            return self.add_tens(_TENS[w], ws)
        if w == "hundred":
            return self.add_hundred()
        if w == "dozen":
            return self.add_dozen()
        if w in _SCALES:
            return self.add_scale(_SCALES[w])
        return False

    def add_unit(self, v: int, ws: int) -> bool:
        ok = self.last in (None, _HUNDRED, _SCALE) or (
            self.last == _TEN and 1 <= v <= 9 and not self.pending_and
        )
        if self.last == _HUNDRED or self.last == _SCALE or self.pending_and:
            ok = ok and (self.current % 100 == 0)
        if not ok:
            self.flush()  # "eight four": the unit starts a new number
        if self.start < 0:
            self.start = ws
        self.current += v
        self.last = _UNIT
        return True

    def add_tens(self, v: int, ws: int) -> bool:
        if not (self.last in (None, _HUNDRED, _SCALE) and self.current % 100 == 0):
            self.flush()
        if self.start < 0:
            self.start = ws
        self.current += v
        self.last = _TEN
        return True

    def add_hundred(self) -> bool:
        if (
            self.last in (_UNIT, _TEN, _ARTICLE)
            and 1 <= self.current <= 99
            and not self.pending_and
        ):
            self.current *= 100
            self.last = _HUNDRED
            return True
        return False

    def add_dozen(self) -> bool:
        if self.last in (_UNIT, _ARTICLE) and 1 <= self.current <= 12:
            self.current *= 12
            self.last = _UNIT
            return True
        return False

    def add_scale(self, scale: int) -> bool:
        if (
            self.last in (_UNIT, _TEN, _HUNDRED, _ARTICLE)
            and self.current > 0
            and (self.total == 0 or self.total % (scale * 1000) == 0)
        ):
            self.total += self.current * scale
            self.current = 0
            self.last = _SCALE
            return True
        return False


def _parse_word_tokens(words: list[tuple[str, int, int]]) -> list[tuple[int, int, int]]:
    """Split a run of number words into numbers: [(value, start, end), ...].

    "thirty eight" -> 38, "one hundred and twelve" -> 112, "two dozen" -> 24, "a hundred" -> 100,
    "eight and four" -> 8, 4. An invalid continuation starts a new number.
    """
    number = _WordNumber()
    for word, ws, we in words:
        w = word.lower()
        if w == "and":
            number.conjunction()
        elif w in ("a", "an"):
            number.article(ws, we)
        elif number.add_word(w, ws):
            number.pending_and = False
            number.end = we
        else:
            number.flush()
    number.flush()
    return number.out


def parse_number_words(text: str) -> int | None:
    """Value of a phrase of number words ("Fifty five" -> 55), or None when it is not exactly one."""
    words = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]
    if not words:
        return None
    if any(
        w.lower() not in _UNITS
        and w.lower() not in _TENS
        and w.lower() not in _SCALES
        and w.lower() not in ("hundred", "dozen", "and", "a", "an")
        for w, _, _ in words
    ):
        return None
    parsed = _parse_word_tokens(words)
    if len(parsed) != 1:
        return None
    value, s, e = parsed[0]
    return value if (s == words[0][1] and e == words[-1][2]) else None


def parse_number(text: str) -> int | float | None:
    """Value of a number written in digits or words: "1,041", "15 313", "THIRTY eight", "2 million".

    Returns None for anything that is not a single number ("dozens", "a number of").
    """
    t = " ".join(text.split())
    if not t:
        return None
    m = re.fullmatch(rf"({_NUM})(?:\s?(million|billion|thousand|bn|mn|m|k))?", t, re.IGNORECASE)
    if m:
        scale = m.group(2)
        v = parse_digits(m.group(1), decimal_hint=bool(scale))
        if v is None:
            return None
        return _to_number(v * _SCALE_VALUES[scale.lower()]) if scale else v
    return parse_number_words(t)


def parse_money(text: str) -> tuple[int | float, str] | None:
    """("£1.98 million" -> (1980000, "GBP")); "£40k" -> 40000; "£40,000" -> 40000; "2 million pounds"."""
    for mention in find_numbers(text):
        if mention.kind in (MONEY, PRICE) and mention.unit:
            return mention.value, mention.unit
    return None


def _qualifier(text: str, start: int, end: int) -> tuple[str, int]:
    window_start = max(0, start - _WINDOW)
    m = _QUALIFIER_BEFORE.search(text, window_start, start)
    qual, qstart = "exact", start
    if m:
        qual, qstart = parse_qualifier(m.group("q")), m.start()
    elif start > 0 and text[start - 1] in _APPROX_SIGNS:
        qual, qstart = "approx", start - 1  # "~500 arrests"
    a = _QUALIFIER_AFTER.match(text, end, min(len(text), end + 12))
    if a and qual == "exact":
        if a.group("plus") or a.group("more") == "over":
            qual = "more_than"
        elif a.group("more"):
            qual = "at_least"
        elif a.group("so"):
            qual = "approx"
    return qual, qstart


def _is_date_day(text: str, start: int, end: int, value: float) -> bool:
    if not (1 <= value <= 31) or value != int(value):
        return False
    after_end = min(len(text), end + 40)
    if _MONTH_AFTER.match(text, end, after_end) or _RANGE_TO_MONTH.match(text, end, after_end):
        return True
    before = text[max(0, start - 40) : start]
    return bool(
        _MONTH_BEFORE.search(before)
        or _WEEKDAY_BEFORE.search(before)
        or _RANGE_FROM_MONTH.search(before)
    )


def _is_name_part(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 30) : start]
    if _NAME_HYPHEN_BEFORE.search(before) or _NAME_PREFIX_BEFORE.search(before):
        return True
    m = _CAP_WORD_BEFORE.search(before)
    if not m or m.group("w") in _NOT_NAME_WORDS:
        return False
    # the capitalised word must not start the text or a sentence
    word_start = start - len(before) + m.start("w")
    if word_start == 0:
        return False
    after = text[end : end + 30]
    if after[:1].isalnum() or after[:1] in "%-":
        return False
    nxt = _NEXT_WORD.match(after)
    if nxt is None:
        return True  # punctuation or end follows: "Danube 5."
    w = nxt.group("w").lower()
    if w in COUNT_NOUNS:
        return False
    if nxt.group("w")[0].isupper():
        return w in _NAME_FOLLOWERS
    return w in _NAME_FOLLOWERS


def _next_word(text: str, end: int) -> str:
    m = _NEXT_WORD.match(text, end, min(len(text), end + 40))
    return m.group("w").lower() if m else ""


def _classify_plain(
    text: str, start: int, end: int, value: float, token: str
) -> tuple[str, str | None]:
    """Kind (and unit) of a plain number from the words around it."""
    after_end = min(len(text), end + _WINDOW)
    before = text[max(0, start - _WINDOW) : start]
    if _PERCENT_AFTER.match(text, end, after_end):
        return PERCENT, None
    if _AGE_AFTER.match(text, end, after_end) or _AGE_BEFORE.search(before):
        return AGE, None
    if value in _AGE_BOUND_VALUES and _AGE_BOUND_BEFORE.search(before):
        nxt = _next_word(text, end)
        if nxt not in COUNT_NOUNS and not _UNIT_AFTER.match(text, end, after_end):
            return AGE, None
    if value in _PHONE_SHORT and _PHONE_BEFORE.search(before):
        return PHONE, None
    if _is_date_day(text, start, end, value):
        return DATE, None
    digits_only = token.isdigit()
    if digits_only and len(token) == 4 and 1900 <= value <= 2100:
        nxt = _next_word(text, end)
        if nxt not in COUNT_NOUNS or _MONTH_BEFORE.search(before):
            return YEAR, None
    # "Section 60", "Danube 5", "COVID-19": a label, not a count
    if digits_only and len(token) <= 4 and _is_name_part(text, start, end):
        return NAME, None
    if _STRONG_AFTER.match(text, end, after_end):
        return MEASURE, "strong"
    u = _UNIT_AFTER.match(text, end, after_end)
    if u:
        unit = u.group("unit").lower().rstrip("s") or u.group("unit").lower()
        return MEASURE, _norm_unit(unit)
    if _PRICE_AFTER.match(text, end, after_end):
        return PRICE, None
    return COUNT, None


def _norm_unit(unit: str) -> str:
    if unit in ("day", "days", "night", "nights"):
        return "day"
    if unit in ("week", "weeks"):
        return "week"
    if unit in ("fortnight", "fortnights"):
        return "fortnight"
    if unit in ("month", "months"):
        return "month"
    if unit in ("year", "years", "yr"):
        return "year"
    if unit in ("hour", "hours", "hr", "hrs"):
        return "hour"
    return unit


def _word_run_starts(text: str) -> list[int]:
    """Where a run of number words can start: at a number word, or at the "a"/"an" one to three
    spaces before a scale word ("a hundred"). Trying _WORD_RUN there only finds what
    ``finditer`` finds; a pattern that opens on a word boundary is otherwise tried at every
    character of the text."""
    cues = cue_text(text)
    starts = cue_starts(cues, NUMBER_WORD_STARTS)
    starts += [p - k for p in cue_starts(cues, _ARTICLE_SCALES) for k in range(2, 6) if p >= k]
    return sorted(set(starts))


_ONE_OF = re.compile(r"\s+of\b", re.IGNORECASE)


_NO_BEFORE = re.compile(r"\bno[ \u00a0-]$", re.IGNORECASE)


def _word_mentions(text: str) -> Iterator[NumberMention]:
    for run in finditer_at(_WORD_RUN, text, _word_run_starts(text)):
        words = [
            (m.group(0), run.start() + m.start(), run.start() + m.end())
            for m in _WORD.finditer(run.group(0))
        ]
        for value, s, e in _parse_word_tokens(words):
            kind, unit = _classify_plain(text, s, e, value, "")
            if kind in (YEAR, NAME):  # words are never years or name parts
                kind, unit = COUNT, None
            if value == 1 and _ONE_OF.match(text, e):
                kind = OTHER  # "one of several victims": a member of a group, not a count
            if value == 1 and _NO_BEFORE.search(text, max(0, s - 4), s):
                kind = OTHER  # "No one was detained": nobody, not a count of one
            qual, qstart = _qualifier(text, s, e)
            yield NumberMention(s, e, value, kind, qual, qstart, text[s:e], unit, True)


def _signed(text: str, start: int) -> bool:
    """Whether a minus sign stands right before the number at ``start`` (see _MINUS_SIGNS)."""
    if start == 0 or text[start - 1] not in _MINUS_SIGNS:
        return False
    return start == 1 or not text[start - 2].isalnum()


def _digit_mentions(text: str) -> Iterator[NumberMention]:
    for m in finditer_from(_NUM_TOKEN, _NUM_TOKEN_START, text):
        s, e = m.start(), m.end()
        tok = m.group(0)
        if (m.group("num") or m.group("money")) and _signed(text, s):
            # Not a figure of any kind; its span takes the sign, so nothing reads it as 45.
            yield NumberMention(s - 1, e, 0, OTHER, "exact", s - 1, text[s - 1 : e][:20])
            continue
        if m.group("phone"):
            yield NumberMention(s, e, 0, PHONE, "exact", s, tok)
            continue
        if m.group("time"):
            yield NumberMention(s, e, 0, TIME, "exact", s, tok)
            continue
        if m.group("slashdate"):
            yield NumberMention(s, e, 0, DATE, "exact", s, tok)
            continue
        if m.group("yearspan"):
            yield NumberMention(s, e, int(tok[:4]), YEAR, "exact", s, tok)
            continue
        if m.group("money"):
            yield from _money_mention(text, m)
            continue
        if m.group("ordinal"):
            digits = tok[:-2]
            value = int(digits)
            kind = DATE if _is_date_day(text, s, e, value) else ORDINAL
            yield NumberMention(s, e, value, kind, "exact", s, tok)
            continue
        num = m.group("nnum")
        if len(num) > MAX_DIGITS:
            yield NumberMention(s, e, 0, OTHER, "exact", s, tok[:20])
            continue
        scale = m.group("nscale")
        decimal_hint = bool(scale) or bool(
            _DECIMAL_UNIT_AFTER.match(text, m.end("nnum"), m.end("nnum") + 12)
        )
        value = parse_digits(num, decimal_hint=decimal_hint)
        if value is None:
            yield NumberMention(s, e, 0, OTHER, "exact", s, tok)
            continue
        if scale:
            value = _to_number(value * _SCALE_VALUES[scale.strip().lower()])
        cur = _CURRENCY_WORD_AFTER.match(text, e, min(len(text), e + 12))
        qual, qstart = _qualifier(text, s, e)
        if cur:
            kind = PRICE if _PRICE_AFTER.match(text, cur.end(), cur.end() + 30) else MONEY
            yield NumberMention(
                s,
                cur.end(),
                value,
                kind,
                qual,
                qstart,
                text[s : cur.end()],
                _CURRENCY_WORDS[cur.group("cur").lower()],
            )
            continue
        # "1,041" / "15 313" with a separator is a count, never a year or a date
        plain_tok = num if not scale else num + "x"
        kind, unit = _classify_plain(text, s, e, value, plain_tok)
        # a grouped number ("5 000") whose first group would alone be a date day: keep it a count
        yield NumberMention(s, e, value, kind, qual, qstart, tok, unit)


def _money_mention(text: str, m: re.Match[str]) -> Iterator[NumberMention]:
    s, e = m.start(), m.end()
    scale = m.group("mscale")
    value = parse_digits(m.group("mnum"), decimal_hint=bool(scale))
    if value is None:
        yield NumberMention(s, e, 0, OTHER, "exact", s, m.group(0)[:20])
        return
    if scale:
        value = _to_number(value * _SCALE_VALUES[scale.lower()])
    qual, qstart = _qualifier(text, s, e)
    kind = PRICE if _PRICE_AFTER.match(text, e, min(len(text), e + _WINDOW)) else MONEY
    yield NumberMention(s, e, value, kind, qual, qstart, m.group(0), _CURRENCY[m.group(0)[0]])


def find_numbers(text: str) -> list[NumberMention]:
    """Every number mention in ``text``, in order of position. Never raises."""
    if not text:
        return []
    mentions = list(_digit_mentions(text))
    taken = [(x.start, x.end) for x in mentions]
    words = [w for w in _word_mentions(text) if not _overlaps(w, taken)]
    # a digit number followed by a scale word was already read as one mention; a word-number
    # directly followed by a scale is handled by the run parser
    out = mentions + words
    if "www" in text or "http" in text:
        urls = [(u.start(), u.end()) for u in _URL.finditer(text)]
        if urls:
            out = [x for x in out if not _overlaps(x, urls)]
    out.sort(key=lambda x: x.start)
    return _fix_ranges(text, out)


def _overlaps(m: NumberMention, spans: list[tuple[int, int]]) -> bool:
    # spans are few per word mention's neighbourhood; a linear scan would be quadratic on huge
    # texts, so use bisection over the (sorted) digit spans
    import bisect

    i = bisect.bisect_left(spans, (m.start, -1))
    for j in (i - 1, i):
        if 0 <= j < len(spans):
            a, b = spans[j]
            if a < m.end and m.start < b:
                return True
    return False


_RANGE_JOIN = re.compile(r"\s{0,2}(?:-|–|—|to|and)\s{0,2}")
# A list of ages: "aged 31, 35, 42 and 51".
_AGE_LIST_JOIN = re.compile(r",\s|,?\sand\s|\sor\s")
_AGE_LIST_END = re.compile(r"(?:,|\.|;|\)|\sand\b|\sor\b|\s(?:were|was|are|is|have|had|has)\b|$)")


def _fix_ranges(text: str, mentions: list[NumberMention]) -> list[NumberMention]:
    """The partner of a date or age range takes the range's kind: "11-17 October", "aged 16-18"."""
    out = list(mentions)
    for i in range(1, len(out)):
        prev, cur = out[i - 1], out[i]
        if cur.kind != COUNT or prev.kind not in (DATE, AGE):
            continue
        gap = text[prev.end : cur.start]
        if (
            prev.kind == AGE
            and cur.value < 100
            and _AGE_LIST_JOIN.fullmatch(gap)
            and _AGE_LIST_END.match(text, cur.end)
        ):
            # "aged 31, 35, 42 and 51": every item of a list of ages is an age
            out[i] = NumberMention(cur.start, cur.end, cur.value, AGE, "exact", cur.start, cur.text)
            continue
        if len(gap) <= 8 and _RANGE_JOIN.fullmatch(gap):
            out[i] = NumberMention(
                cur.start, cur.end, cur.value, prev.kind, "exact", cur.start, cur.text
            )
    return out


def counts(text: str) -> list[NumberMention]:
    """Only the mentions that may be counts of something (``count`` and ``money``)."""
    return [m for m in find_numbers(text) if m.kind in (COUNT, MONEY)]
