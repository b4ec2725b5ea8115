"""Police force names -> stable slugs. Pure: reads the vendored config/forces.json only.

Two entry points:

- ``match_forces(names)``: names a page gives as forces ("the Met", "Kent Police",
  "Devon & Cornwall") -> slugs. A name matches when its normalised form equals the
  normalised form of a force's name, slug or one of its aliases.
- ``find_forces(text)``: force names in running text. Only unambiguous mentions count:
  a distinctive name ("Greater Manchester Police", "PSNI", "the Met", "Police Scotland"),
  or a bare place name that a force word qualifies ("Kent Police", "Kent, Essex and
  Surrey Police", "forces including Kent, Essex and Surrey"). A bare "Kent" or "Durham"
  alone is a place, not a force, and "the Met Office" is the weather service.

Normalisation (``normalise``): lower case; "&" read as "and"; punctuation and hyphens as
spaces; a leading "the" dropped; trailing "Police Service", "Police Force",
"Constabulary", "Police", "Force" dropped (repeatedly), because sources use them
inconsistently ("Avon and Somerset Police" vs "... Constabulary", docs/SOURCES.md, "Police
forces").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FORCES_FILE = Path(__file__).resolve().parent.parent / "config" / "forces.json"
KINDS: tuple[str, ...] = ("territorial", "national", "special")

_NON_WORD = re.compile(r"[^a-z0-9]+")
_SUFFIXES: tuple[tuple[str, ...], ...] = (
    ("police", "service"),
    ("police", "force"),
    ("constabulary",),
    ("police",),
    ("force",),
)
# Words that make a name an institution rather than a place, so it may stand alone in text.
_INSTITUTION = re.compile(
    r"\b(?:Police|Constabulary|Service|Unit|Agency|ROCU|Yard)\b|^the\s", re.IGNORECASE
)
_ACRONYM = re.compile(r"^[A-Z][A-Za-z]*[A-Z]$")  # GMP, PSNI, CoLP, SEROCU
# What turns a run of bare place names into forces: "... Police", "... Constabulary", "... forces".
_AFTER = re.compile(
    r"\s+(?:(?i:police\s+service|police\s+forces?|police|constabulary|constabularies|forces))\b"
)
# ... or a lead-in such as "forces including", "19 forces took part, including".
_BEFORE = re.compile(
    r"\b(?i:forces|constabularies)\b[^.;!?]{0,40}?(?i:including|such\s+as|from|namely|in|:)\s*$"
)
_LOOKBACK = 80  # characters before a run searched for a lead-in
_JOIN = re.compile(r"^(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)$")
_NOT_AFTER = re.compile(r"\s+Office\b")  # "the Met Office"


@dataclass(frozen=True, slots=True)
class Force:
    slug: str
    name: str
    kind: str
    country: str
    aliases: tuple[str, ...]

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every way the force is written: name, aliases, and the slug as words."""
        return (self.name, *self.aliases, self.slug.replace("-", " "))


def normalise(name: str | None) -> str:
    """The matching key of a force name ("" when nothing is left)."""
    words = _NON_WORD.sub(" ", (name or "").lower().replace("&", " and ")).split()
    if words[:1] == ["the"]:
        words = words[1:]
    stripped = True
    while stripped and words:
        stripped = False
        for suffix in _SUFFIXES:
            n = len(suffix)
            if len(words) > n and tuple(words[-n:]) == suffix:
                words = words[:-n]
                stripped = True
                break
    return " ".join(words)


@lru_cache(maxsize=4)
def load_forces(path: Path = FORCES_FILE) -> tuple[Force, ...]:
    data = json.loads(path.read_text(encoding="utf-8"))
    forces = tuple(
        Force(f["slug"], f["name"], f["kind"], f["country"], tuple(f.get("aliases", ())))
        for f in data["forces"]
    )
    for f in forces:
        if f.kind not in KINDS:
            raise ValueError(f"forces.json: {f.slug} has unknown kind {f.kind!r}")
    return forces


def alias_index(forces: Iterable[Force] | None = None) -> dict[str, str]:
    """Normalised spelling -> slug. Raises when one spelling would name two forces."""
    index: dict[str, str] = {}
    for f in load_forces() if forces is None else forces:
        for spelling in f.spellings:
            key = normalise(spelling)
            if not key:
                continue
            if index.setdefault(key, f.slug) != f.slug:
                raise ValueError(f"forces.json: {spelling!r} names {index[key]} and {f.slug}")
    return index


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    return alias_index()


def match_force(name: str | None) -> str | None:
    """The slug of one force name, or None when it names no known force."""
    return _index().get(normalise(name)) if name else None


def match_forces(names: Iterable[str | None]) -> list[str]:
    """Slugs of the names that name a known force, unique, in order of first mention."""
    out: list[str] = []
    for name in names:
        slug = match_force(name)
        if slug and slug not in out:
            out.append(slug)
    return out


@dataclass(frozen=True, slots=True)
class _TextPatterns:
    distinctive: re.Pattern[str]  # may stand alone; group name -> slug via lookup
    distinctive_slugs: dict[str, str]
    places: re.Pattern[str]
    place_slugs: dict[str, str]


def _variants(spelling: str) -> set[str]:
    """ "Devon & Cornwall" and "Devon and Cornwall"; "Dyfed-Powys" and "Dyfed Powys";
    "the Met" and, at the start of a sentence, "The Met"."""
    out = {spelling, spelling.replace(" & ", " and "), spelling.replace(" and ", " & ")}
    out |= {s.replace("-", " ") for s in out}
    out |= {"The" + s[3:] for s in out if s.startswith("the ")}
    return out


def _alternation(spellings: Iterable[str]) -> str:
    # Longest first, so "Hampshire and Isle of Wight" wins over "Hampshire".
    ordered = sorted(set(spellings), key=lambda s: (-len(s), s))
    body = "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in ordered)
    return rf"(?<!\w)(?:{body})(?!\w)"


@lru_cache(maxsize=1)
def _text_patterns() -> _TextPatterns:
    distinctive: dict[str, str] = {}
    places: dict[str, str] = {}
    for f in load_forces():
        for spelling in (f.name, *f.aliases):
            for v in _variants(spelling):
                if _ACRONYM.match(v) or _INSTITUTION.search(v):
                    distinctive[v] = f.slug
                elif f.kind == "territorial":
                    # "Avon & Somerset"; a unit's bare nickname ("Titan") is too ambiguous.
                    places[v] = f.slug
        # The place part of "Kent Police" is a place name that a force word may qualify.
        base = _place_part(f.name)
        if base and f.kind == "territorial" and not _INSTITUTION.search(base):
            for v in _variants(base):
                places.setdefault(v, f.slug)
    return _TextPatterns(
        re.compile(_alternation(distinctive)),
        distinctive,
        re.compile(_alternation(places)),
        places,
    )


def _place_part(name: str) -> str | None:
    words = name.split()
    while words and words[-1].lower() in ("police", "constabulary", "service", "force"):
        words = words[:-1]
        if words and words[-1].lower() == "police":
            words = words[:-1]
    return " ".join(words) if words and words != name.split() else None


def _squash(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def find_forces(text: str | None) -> list[str]:
    """Slugs of the forces running text names, unique, in order of first mention."""
    if not text:
        return []
    pats = _text_patterns()
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int, str]] = []  # spans of distinctive mentions, with their slug
    for m in pats.distinctive.finditer(text):
        if _NOT_AFTER.match(text, m.end()):
            continue
        slug = pats.distinctive_slugs[_squash(m.group(0))]
        found.append((m.start(), slug))
        taken.append((m.start(), m.end(), slug))

    def owner(m: re.Match[str]) -> str | None:
        return next((slug for s, e, slug in taken if s <= m.start() < e), None)

    def close(run: list[re.Match[str]]) -> None:
        if run and (
            _AFTER.match(text, run[-1].end())
            or _BEFORE.search(text, max(0, run[0].start() - _LOOKBACK), run[0].start())
        ):
            found.extend((m.start(), pats.place_slugs[_squash(m.group(0))]) for m in run)

    # Runs of bare place names joined by ", " / " and ", qualified before or after.
    run: list[re.Match[str]] = []
    for m in pats.places.finditer(text):
        slug = pats.place_slugs[_squash(m.group(0))]
        inside = owner(m)
        if inside is not None and inside != slug:
            # Part of another body's name ("West Midlands" in "West Midlands ROCU").
            close(run)
            run = []
            continue
        if run and not _JOIN.match(text[run[-1].end() : m.start()]):
            close(run)
            run = []
        run.append(m)
    close(run)
    out: list[str] = []
    for _, slug in sorted(found):
        if slug not in out:
            out.append(slug)
    return out
