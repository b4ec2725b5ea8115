"""Split an article body into sentences with character spans.

The body is plain text whose blocks are separated by blank lines; a list item is its own block
starting with "• " (other bullet marks such as "- " and "* " are accepted too). A sentence never
crosses a block. Inside a block, a sentence ends at ".", "!" or "?" (with any closing quotes or
brackets) followed by white space and a capital letter, a digit, an opening quote or a bullet,
unless the word before the full stop is an abbreviation ("Det. Insp.", "St.", "No.", "U.K.") or
an initial.

Each sentence records whether it is a bullet item, a heading (a short block without a final full
stop, such as "22 Countries involved") or an image caption, and which parts of the body are inside
quotation marks, so that the figure rules can prefer a release's own statement to a quote that
repeats it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

# Blocks: one or more newlines separate them (a single newline inside a block is treated as a
# break too: pages flatten <br> to "\n").
_BLOCK = re.compile(r"[^\n]+")
# A bullet mark at the start of a block.
_BULLET = re.compile(r"[ \t]*(?:[•●▪◦‣∙·*]|[-–—](?=\s)|\d{1,2}[.)](?=\s))[ \t]*")
# Candidate sentence ends: terminal punctuation, closing quotes/brackets, then white space and
# something that can start a sentence.
# Possessive quantifiers and the look-behind make a run of "......" a single attempt (no
# backtracking into the run, no restart inside it).
_END = re.compile(r"(?<![.!?])[.!?]++[\"'”’)\]]*+(?=\s++[\"'“‘(\[]?[A-Z0-9•£€$])")
# The word right before a full stop.
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
# Abbreviations that end with a full stop inside a sentence (titles, ranks, "No.", months).
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "rev",
        "hon",
        "sir",
        "st",
        "mt",
        "no",
        "nos",
        "co",
        "ltd",
        "inc",
        "corp",
        "jr",
        "sr",
        "vs",
        "v",
        "etc",
        "eg",
        "e.g",
        "ie",
        "i.e",
        "approx",
        "est",
        "dept",
        "det",
        "insp",
        "supt",
        "ch",
        "sgt",
        "con",
        "pc",
        "dc",
        "ds",
        "di",
        "dci",
        "dsi",
        "cllr",
        "gov",
        "gen",
        "col",
        "capt",
        "lt",
        "maj",
        "cmdr",
        "cdr",
        "ass",
        "asst",
        "op",
        "ops",
        "fig",
        "figs",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "ave",
        "rd",
    ]
)
# An image caption line: unreliable numbers ("In all, eight properties were searched") that may
# contradict the body.
_CAPTION = re.compile(
    r"\s*(?:\[\s*)?(?:image|photo|picture|video|caption|pictured|credit|copyright)\b[^:\]]{0,30}[:\]]",
    re.IGNORECASE,
)


def _has_caption_word(tail: str) -> bool:
    """Does ``tail`` hold a word every match of _CAPTION_END holds?"""
    low = tail.lower()
    return "photo" in low or "pic" in low or "image" in low


# ... or one that ends by saying so: "Sheriff Robert Luna at a press conference (file photo).",
# "Officers at the scene. Photo: Kent Police"
_CAPTION_END = re.compile(
    r"(?:\((?:file\s|stock\s)?(?:photo|image|picture|pic)(?:[:\s][^)]{0,60})?\)|"
    r"\b(?:Photo|Image|Picture|Pic)(?:graph)?s?:\s[^.]{1,60})\s*\.?\s*$",
    re.IGNORECASE,
)
# Quotation marks: straight quotes toggle, curly quotes open or close.
_QUOTE = re.compile(r"[\"“”]")
_MAX_HEADING_WORDS = 12
# The only characters that an ignore-case pattern matches to an ASCII letter and that ``lower()``
# does not turn into that one letter: "ı" and "ſ" stay themselves, "İ" becomes "i" and a dot.
_CUE_FOLD = str.maketrans({"ı": "i", "ſ": "s", "İ": "i"})


def cue_text(text: str) -> str:
    """``text`` lowered for cue-word pre-checks (``"total" in cue_text(s)`` before a costly search).

    Wherever a pattern, with or without IGNORECASE, matches an ASCII word, the lowered word is in
    the result at the same position, so a pattern whose every match holds one of its cue words
    cannot match a text that holds none of them.
    """
    low = text.lower()
    if low.isascii() or not ("ı" in low or "ſ" in low or "i\u0307" in low):
        return low
    return text.translate(_CUE_FOLD).lower()


def cue_starts(cues: str, words: tuple[str, ...]) -> list[int]:
    """Every position of ``cues`` (a ``cue_text``) where one of ``words`` starts, in order."""
    out: list[int] = []
    for w in words:
        i = cues.find(w)
        while i >= 0:
            out.append(i)
            i = cues.find(w, i + 1)
    out.sort()
    return out


def finditer_from(
    rx: re.Pattern[str], first: re.Pattern[str], text: str, pos: int = 0, endpos: int | None = None
) -> Iterator[re.Match[str]]:
    """``rx.finditer(text, pos, endpos)`` for a pattern whose every match is non-empty and starts
    with a character that ``first`` (a character class) matches: the pattern is tried there only,
    and the regex engine finds a character class fast."""
    end = len(text) if endpos is None else endpos
    while (c := first.search(text, pos, end)) is not None:
        m = rx.match(text, c.start(), end)
        if m:
            yield m
            pos = m.end()
        else:
            pos = c.start() + 1


def finditer_at(rx: re.Pattern[str], text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """``rx.finditer(text)`` for a pattern whose every match is non-empty and starts at one of
    ``starts`` (in order): the pattern is tried there only. A pattern that opens on a word
    boundary or a look-behind is otherwise tried at every character of the text."""
    pos = 0
    for p in starts:
        if p < pos:
            continue
        m = rx.match(text, p)
        if m:
            yield m
            pos = m.end()


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: ``body[start:end] == text``."""

    start: int
    end: int
    text: str
    block: int  # index of its block
    index: int  # index of the sentence in the body
    bullet: bool = False
    heading: bool = False
    caption: bool = False
    first_in_block: bool = True
    # ends with ":" and introduces a list ("What the week achieved:")
    lead_in: bool = False


def _is_abbreviation(block: str, dot: int) -> bool:
    """Is the full stop at ``block[dot]`` part of an abbreviation or an initial?"""
    m = _WORD_BEFORE.search(block, max(0, dot - 20), dot)
    if not m:
        return False
    word = m.group(1)
    lw = word.lower().rstrip(".")
    if lw in _ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isupper():  # an initial: "J. Smith"
        return True
    # "U.K.", "U.S.": dotted capitals
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word))


def split_sentences(body: str) -> list[Sentence]:
    """Sentences of ``body`` in order, each with its span. Never raises."""
    out: list[Sentence] = []
    if not body:
        return out
    for block_no, bm in enumerate(_BLOCK.finditer(body)):
        bstart, bend = bm.start(), bm.end()
        block = bm.group(0)
        if not block.strip():
            continue
        bullet = False
        offset = 0
        b = _BULLET.match(block)
        if b and b.end() < len(block):
            bullet = True
            offset = b.end()
        tail = block[-120:]
        caption = bool(_CAPTION.match(block)) or (
            # the words are looked for first: the pattern is tried on few blocks
            _has_caption_word(tail) and bool(_CAPTION_END.search(tail))
        )
        pieces: list[tuple[int, int]] = []
        cur = offset
        for e in _END.finditer(block, offset):
            dot = e.start()
            if block[dot] == "." and _is_abbreviation(block, dot):
                continue
            pieces.append((cur, e.end()))
            cur = e.end()
        pieces.append((cur, len(block)))
        first = True
        for ps, pe in pieces:
            # trim white space so that body[start:end] == text exactly
            while ps < pe and block[ps].isspace():
                ps += 1
            while pe > ps and block[pe - 1].isspace():
                pe -= 1
            if ps >= pe:
                continue
            text = block[ps:pe]
            heading = (
                not bullet
                and first
                and pe == len(block.rstrip())
                and text[-1] not in ".!?:;\"'”’)"
                and len(text.split()) <= _MAX_HEADING_WORDS
            )
            out.append(
                Sentence(
                    start=bstart + ps,
                    end=bstart + pe,
                    text=text,
                    block=block_no,
                    index=len(out),
                    bullet=bullet,
                    heading=heading,
                    caption=caption,
                    first_in_block=first,
                    lead_in=text.endswith(":"),
                )
            )
            first = False
        del bend
    return out


class QuoteMap:
    """Which character positions of a body are inside quotation marks.

    Quotes are tracked per block: a straight double quote toggles, "“" opens and "”" closes; a
    quote left open runs to the end of its block (a paragraph that continues a quotation starts
    with a quote mark and does not close it).
    """

    def __init__(self, body: str) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        for bm in _BLOCK.finditer(body):
            open_at: int | None = None
            for q in _QUOTE.finditer(body, bm.start(), bm.end()):
                ch = q.group(0)
                if open_at is None and ch in '"“':
                    open_at = q.start()
                elif open_at is not None and ch in '"”':
                    self._add(open_at, q.end())
                    open_at = None
                elif open_at is not None and ch == "“":
                    # a new quote opens before the old one closed: close the old one here
                    self._add(open_at, q.start())
                    open_at = q.start()
            if open_at is not None:
                self._add(open_at, bm.end())

    def _add(self, start: int, end: int) -> None:
        self._starts.append(start)
        self._ends.append(end)

    def quoted(self, pos: int) -> bool:
        i = bisect.bisect_right(self._starts, pos) - 1
        return i >= 0 and self._starts[i] <= pos < self._ends[i]
