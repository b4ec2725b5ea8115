"""Facts about the headline operation: its name, lead agency, theme, forces and countries named.

- **name**: "Operation X", "Op X" (normalised to "Operation X"), "Project X", "JAD Danube 5" and
  quoted code names ('GLOBAL CHAIN'). A name counts only when the page ties it to the reported
  activity: it is in the title, or its sentence says the activity was "called"/"named"/"carried out
  under" it, reports its "outcome", or the name is followed by what the operation did ("Operation
  Weka ... lasted from ..."). A programme merely mentioned ("the dedicated Op Orochi team") is not
  the operation's name.
- **lead agency**: each agency or force named on the page scores: "led by X", "X-led",
  "coordinated by X", "X led the ..." +5; named in the title +3; "arrested by X" / "officers from
  X" +2; first named +1; every mention +0.5; "with support from X", "backed by X", "X supported"
  -3. A UK-focused page takes its lead among UK agencies and forces, a page about an international
  action among international agencies (when any scores). The publisher is the fallback.
- **theme**: keyword evidence, title words weighted three times.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from domain.records import THEMES
from tasks.figures.places import (
    AGENCY,
    COUNTRY,
    FORCE,
    FORCE_AREA_NAMES,
    FORCE_NAMES,
    INTERNATIONAL_AGENCIES,
    Entity,
    canonical_agency,
    find_entities,
)
from tasks.figures.sentences import cue_starts, cue_text, finditer_at

# Operation names. The name words must be capitalised; headline verbs are not names.
_OP_NAME = re.compile(
    r"\b(?P<kw>Operation|OPERATION|Op\.?|Project)\s+['‘\"“]?"
    r"(?P<n>[A-Z][\w-]*(?:\s+(?!(?:Sees|Leads|Nets|Results|Targets|Saw|Led|Was|Is|Has|Will)\b)[A-Z][\w-]*){0,2}"
    r"(?:\s+(?:[IVX]{1,4}|\d{1,2})\b)?)['’\"”]?"
)
_JAD_NAME = re.compile(
    r"\b(?:(?:EMPACT\s+)?Joint\s+Action\s+Days?\s+\()?JAD\)?\s+(?P<n>[A-Z][\w-]*(?:\s+\d{1,2}\b)?)"
)
_QUOTED_NAME = re.compile(
    r"\b(?:codenamed|code-named|dubbed|called|named|known\sas)\s+['‘\"“](?P<n>[^'’\"”]{2,40})['’\"”]"
    r"|\b(?:codenamed|code-named|dubbed)\s+(?P<bare>[A-Z][\w-]*(?:\s[A-Z][\w-]*){0,2})"
    r"|['‘\"“](?P<caps>[A-Z][A-Z0-9]+(?:\s[A-Z0-9]+){0,3})['’\"”]"
)
# Every match of _OP_NAME, _JAD_NAME and _QUOTED_NAME starts with one of these
# (tests/test_fast_paths.py checks it): each pattern is tried there only, not at every character
# of the page.
_OP_NAME_STARTS = ("op", "project")
_JAD_NAME_STARTS = ("empact", "joint", "jad")
_QUOTED_NAME_STARTS = ("codenamed", "code-named", "dubbed", "called", "named", "known", *"'‘\"“")
_NOT_NAMES = frozenset(
    {"Sees", "Leads", "Nets", "Results", "Targets", "The", "A", "An", "In", "On", "At"}
)
# The page ties the name to its activity.
_NAME_CUE_BEFORE = re.compile(
    r"(?:\b(?:called|named|dubbed|codenamed|code-named|known\sas|under|outcome\sof|results\sof|"
    r"as\spart\sof|part\sof|intensification\sof|phase\sof|launch\sof)\s+(?:the\s+)?(?:[A-Z]\w*(?:['’]s)?\s+){0,3}['‘\"“]?$"
    r"|\b(?:the|this)\s+(?:operation|action|crackdown|intensification|initiative|activity|raids|searches)\s*,\s+$)",
    re.IGNORECASE,
)
_NAME_CUE_AFTER = re.compile(
    r"^['’\"”]?\s*(?:,\s*which\s+|[,–—-]\s*[^.;]{0,90}?[,–—-]\s*|\s)?"
    r"(?:lasted|took\splace|ran\s(?:from|between)|involved|produced|resulted|saw|was\slaunched|began|"
    r"targeted|was\saimed|was\scarried\sout|brought|led\sto|netted|identified|arrested|rescued)\b",
    re.IGNORECASE,
)
_PROGRAMME_AFTER = re.compile(
    r"^\s+(?:team|teams|unit|programme|officers|detectives|squad)\b", re.IGNORECASE
)

# Lead agency cues around a named agency or force.
_LEAD_BEFORE = re.compile(
    r"\b(?:led|co-ordinated|coordinated|headed(?:\sup)?|organised|organized|spearheaded|run|mounted|"
    r"initiated|directed)\sby\s(?:the\s)?$|\b(?:operation|action|crackdown|activity|intensification|raids?)\sby\s(?:the\s)?$|\bunder\sthe\s(?:leadership|lead|command)\sof\s(?:the\s)?$",
    re.IGNORECASE,
)
_LEAD_AFTER = re.compile(
    r"^(?:-led\b|\s(?:and\s[\w\s]{1,40}?\s)?led\s(?:the|an?|this|its)\b|(?:['’]s)?\s(?:[\w-]+\s){0,3}?"
    r"(?:coordinated|co-ordinated|spearheaded|mounted|ran|launched|led|organised)\s(?:the|this|an?)\s"
    r"(?:operation|action|crackdown|intensification|week)|\s(?:\([A-Z]+\)\s)?(?:led|coordinated)\s(?:the|an?)\b)",
    re.IGNORECASE,
)
_ACTOR_BEFORE = re.compile(
    r"\b(?:arrested|detained|carried\sout|conducted|made)\sby\s(?:the\s)?$|\b(?:officers|detectives|teams|staff)\sfrom\s(?:the\s)?$"
    r"|\baccording\sto\s(?:the\s)?$",
    re.IGNORECASE,
)
_SUPPORT_BEFORE = re.compile(
    r"\b(?:(?:the\s)?support(?:ed)?\s(?:from|of|by)|backing\sfrom|backed\sby|help\sfrom|helped\sby|assistance\s(?:from|of)|"
    r"alongside|together\swith|joined\sby|in\spartnership\swith|with\shelp\sfrom|supported\sby|"
    r"partners?\s(?:including|such\sas)|worked\swith|working\swith|joined\sforces\swith|with)\s(?:the\s)?"
    r"(?:[\w-]+\s)?(?:[A-Z][\w-]*(?:\s[A-Z][\w-]*)?(?:,\s|\sand\s|\s&\s)(?:the\s)?){0,3}$",
    re.IGNORECASE,
)
_IN_LIST_BEFORE = re.compile(
    r"(?:Police|Constabulary|Agency|Force),\s$|(?:Police|Constabulary),?\sand\s$"
)
_IN_LIST_AFTER = re.compile(r"^,\s(?:[A-Z][\w-]*\s){1,3}(?:Police|Constabulary)\b")
_SUPPORT_AFTER = re.compile(
    r"^(?:['’]s)?\s(?:support|backing|assistance|help)\b|^\s(?:\([A-Z]+\)\s)?(?:providing|provided|supplied|offered|"
    r"supported|assisted|helped)\b",
    re.IGNORECASE,
)

# Theme keywords: (regex, theme, weight, cue words). Every match of a regex starts with one of its
# cue words (tests/test_fast_paths.py checks it), so the regex is tried only where they occur:
# searching the whole page for each keyword is otherwise the costliest step of the extraction.
_THEME_KEYWORDS: tuple[tuple[re.Pattern[str], str, int, tuple[str, ...]], ...] = tuple(
    (re.compile(p, re.IGNORECASE), t, w, cues)
    for p, t, w, cues in (
        (r"\bcounty\slines?\b", "county_lines", 3, ("county",)),
        (r"\bcuckoo", "county_lines", 1, ("cuckoo",)),
        (
            r"\bline\sholders?\b|\bline-holders?\b|\bdrug\slines?\b",
            "county_lines",
            1,
            ("line", "drug"),
        ),
        (
            r"\bchild\s(?:trafficking|sexual\sabuse|sexual\sexploitation|exploitation|abuse)\b",
            "child_exploitation",
            3,
            ("child",),
        ),
        (r"\bpaedophil", "child_exploitation", 3, ("paedophil",)),
        (r"\bgrooming\b|\blive[- ]?stream", "child_exploitation", 2, ("grooming", "live")),
        (r"\bchildren\b|\bminors\b|\bchild\b", "child_exploitation", 1, ("child", "minors")),
        (
            r"\bcriminal\sexploitation\b|\bforced\scriminality\b",
            "criminal_exploitation",
            3,
            ("criminal", "forced"),
        ),
        (r"\bforced\sbegging\b|\bpick\s?pocket", "criminal_exploitation", 1, ("forced", "pick")),
        (
            r"\bcannabis\s(?:farms?|factor(?:y|ies)|cultivation|grows?)\b",
            "criminal_exploitation",
            2,
            ("cannabis",),
        ),
        (
            r"\blabour\s(?:exploitation|abuse)\b|\blabor\sexploitation\b",
            "labour_exploitation",
            3,
            ("labour", "labor"),
        ),
        (
            r"\bforced\slabour\b|\bminimum\swage\b|\bgangmaster",
            "labour_exploitation",
            2,
            ("forced", "minimum", "gangmaster"),
        ),
        (
            r"\bagricultur|\bfarms?\b|\bvineyards?\b|\bconstruction\b",
            "labour_exploitation",
            1,
            ("agricultur", "farm", "vineyard", "construction"),
        ),
        (r"\bsexual\sexploitation\b", "sexual_exploitation", 2, ("sexual",)),
        (r"\bprostitution\b", "sexual_exploitation", 2, ("prostitution",)),
        (r"\bbrothels?\b", "sexual_exploitation", 2, ("brothel",)),
        (r"\bsex\swork", "sexual_exploitation", 1, ("sex",)),
        (
            r"\bsex\strafficking\b|\btrafficking\sfor\ssexual\b",
            "sexual_exploitation",
            3,
            ("sex", "trafficking"),
        ),
        (
            r"\bpeople\ssmuggl|\borganised\simmigration\scrime\b|\billegal\sworking\b|\bworking\sillegally\b",
            "organised_immigration_crime",
            3,
            ("people", "organised", "illegal", "working"),
        ),
        (r"\bmigrant\ssmuggl", "organised_immigration_crime", 2, ("migrant",)),
        (r"\bcar\swash(?:es)?\b|\bnail\sbars?\b", "labour_exploitation", 1, ("car", "nail")),
        (
            r"\bimmigration\soffences\b|(?<!migrant\s)(?<!people\s)\bsmuggl|\birregular\smigra|\bimmigration\senforcement\b|\bdocument\sfraud\b",
            "organised_immigration_crime",
            1,
            ("immigration", "smuggl", "irregular", "document"),
        ),
        (
            r"\bhuman\strafficking\b|\btrafficking\sin\shuman\sbeings\b|\bmodern\sslavery\b|\bmodern-day\sslavery\b",
            "modern_slavery_general",
            2,
            ("human", "trafficking", "modern"),
        ),
        (
            r"(?<!human\s)(?<!child\s)\btrafficking\b(?!\sin\shuman)|(?<!modern\s)\bslavery\b",
            "modern_slavery_general",
            1,
            ("trafficking", "slavery"),
        ),
    )
)
_TITLE_WEIGHT = 3
_MAX_HITS_PER_KEYWORD = 3

# "France led the operation", "led by Austria", "France (leader)": countries that led.
_COUNTRY_LEADER_AFTER = re.compile(
    r"^\s(?:and\s[\w\s]{1,30}?\s)?(?:co-)?led\b|^\s\((?:leader|lead|co-leader)\)", re.IGNORECASE
)
_COUNTRY_LEADER_BEFORE = re.compile(
    r"\b(?:co-)?led\sby\s(?:the\s)?(?:[\w\s,]{0,60}\sand\s)?$|\bco-led\sby\s$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class NameFact:
    name: str
    start: int


def _normalise_name(kw: str, name: str) -> str:
    name = " ".join(name.split()).strip("'‘’\"“”")
    k = kw.rstrip(".").lower()
    if k in ("op", "operation"):
        return f"Operation {name}"
    if k == "project":
        return f"Project {name}"
    return name


def operation_name(body: str, title: str) -> str | None:
    """The headline operation's name, or None."""
    found: list[tuple[int, int, str]] = []  # (score, position, name)
    for text, in_title in ((title, True), (body, False)):
        if not text:
            continue
        cues = cue_text(text)
        for m in finditer_at(_OP_NAME, text, cue_starts(cues, _OP_NAME_STARTS)):
            n = m.group("n")
            if n.split()[0] in _NOT_NAMES:
                continue
            found.append(
                (
                    _name_score(text, m.start(), m.end(), in_title),
                    m.start(),
                    _normalise_name(m.group("kw"), n),
                )
            )
        for m in finditer_at(_JAD_NAME, text, cue_starts(cues, _JAD_NAME_STARTS)):
            found.append(
                (
                    _name_score(text, m.start(), m.end(), in_title),
                    m.start(),
                    "JAD " + " ".join(m.group("n").split()),
                )
            )
        for m in finditer_at(_QUOTED_NAME, text, cue_starts(cues, _QUOTED_NAME_STARTS)):
            if m.group("bare"):
                found.append(
                    (
                        max(1, _name_score(text, m.start(), m.end(), in_title)),
                        m.start(),
                        m.group("bare"),
                    )
                )
                continue
            n = m.group("n") or m.group("caps")
            if not n or len(n) < 3:
                continue
            score = _name_score(text, m.start(), m.end(), in_title)
            if m.group("caps") and score <= 0:
                continue
            if m.group("n") and n.lower().startswith(("operation ", "op ")):
                continue  # read by _OP_NAME already
            found.append((max(score, 1 if m.group("n") else score), m.start(), n.strip()))
    good = [f for f in found if f[0] > 0]
    if not good:
        return None
    good.sort(key=lambda f: (-f[0], f[1]))
    return good[0][2]


def _name_score(text: str, start: int, end: int, in_title: bool) -> int:
    score = 3 if in_title else 0
    if _NAME_CUE_BEFORE.search(text[max(0, start - 90) : start]):
        score += 2
    if _NAME_CUE_AFTER.match(text[end : end + 130]):
        score += 2
    if _PROGRAMME_AFTER.match(text[end : end + 20]):
        score -= 2
    return score


def lead_agency(
    body: str,
    title: str,
    *,
    publisher: str | None = None,
    international: bool | None = None,
    entities: list[Entity] | None = None,
) -> str | None:
    """The agency or force that led the headline operation (canonical short name), or None."""
    ents = entities if entities is not None else find_entities(body)
    scores: dict[str, float] = defaultdict(float)
    listed: set[str] = set()
    kinds: dict[str, str] = {}
    first_seen: dict[str, int] = {}
    for e in ents:
        if e.kind not in (AGENCY, FORCE):
            continue
        kinds[e.name] = e.kind
        first_seen.setdefault(e.name, e.start)
        before = body[max(0, e.start - 60) : e.start]
        after = body[e.end : e.end + 80]
        s = 0.5
        if _IN_LIST_BEFORE.search(before) or _IN_LIST_AFTER.match(after):
            s -= 0.5  # one of a list of partners ("Kent Police, Essex Police and ...")
            listed.add(e.name)
        if _LEAD_BEFORE.search(before) or _LEAD_AFTER.match(after):
            s += 5
        elif _ACTOR_BEFORE.search(before):
            s += 2
        if _SUPPORT_BEFORE.search(before) or _SUPPORT_AFTER.match(after):
            s -= 3
        scores[e.name] += s
    unlisted = {n: p for n, p in first_seen.items() if n not in listed}
    if unlisted:
        scores[min(unlisted, key=lambda n: unlisted[n])] += 1
    for e in find_entities(title or ""):
        if e.kind in (AGENCY, FORCE):
            kinds[e.name] = e.kind
            scores[e.name] += 3
            after = title[e.end : e.end + 40]
            before = title[max(0, e.start - 40) : e.start]
            if _LEAD_BEFORE.search(before) or _LEAD_AFTER.match(after):
                scores[e.name] += 5
    pub = canonical_agency(publisher)
    if pub is not None:
        kinds.setdefault(pub, AGENCY)
        # the publisher usually led what it reports; a force reports its own part of a
        # national week even where the page names the week's national co-ordinator or the
        # forces it worked with; only an agency named as leader more than once outweighs it
        scores[pub] += 7.0 if pub in FORCE_NAMES else 1.5
    if not scores:
        return pub
    if international is not None:
        pool = [
            n for n in scores if scores[n] > 0 and ((n in INTERNATIONAL_AGENCIES) == international)
        ]
        if pool:
            return max(pool, key=lambda n: (scores[n], -first_seen.get(n, 10**9)))
        if pub is not None and (pub in INTERNATIONAL_AGENCIES) == international:
            return pub
    best = max(scores, key=lambda n: (scores[n], -first_seen.get(n, 10**9)))
    if scores[best] <= 0:
        return pub
    return best


def theme(body: str, title: str) -> str | None:
    """One of THEMES from keyword evidence (title words count three times), or None."""
    totals: dict[str, int] = defaultdict(int)
    title_cues, body_cues = cue_text(title or ""), cue_text(body or "")
    for rx, t, w, cues in _THEME_KEYWORDS:
        if title:
            totals[t] += _TITLE_WEIGHT * w * _hits(rx, title, title_cues, cues)
        if body:
            totals[t] += w * _hits(rx, body, body_cues, cues)
    if not totals or max(totals.values()) <= 0:
        return None
    best = max(THEMES, key=lambda t: (totals.get(t, 0), -THEMES.index(t)))
    return best if totals.get(best, 0) > 0 else None


def _hits(rx: re.Pattern[str], text: str, text_cues: str, cues: tuple[str, ...]) -> int:
    """How many times ``rx`` matches ``text``, up to the cap."""
    n = 0
    for _ in finditer_at(rx, text, cue_starts(text_cues, cues)):
        n += 1
        if n == _MAX_HITS_PER_KEYWORD:
            break
    return n


def leading_countries(body: str, entities: list[Entity]) -> tuple[str, ...]:
    """Countries the page says led the operation ("France led the operation", "led by Austria")."""
    out: list[str] = []
    for e in entities:
        if e.kind != COUNTRY:
            continue
        after = body[e.end : e.end + 50]
        before = body[max(0, e.start - 80) : e.start]
        led = _COUNTRY_LEADER_AFTER.match(after) or _COUNTRY_LEADER_BEFORE.search(before)
        if led and e.name not in out:
            out.append(e.name)
    return tuple(out)


def forces_named(entities: list[Entity]) -> tuple[str, ...]:
    """UK police forces named on the page, as written (first spelling of each force)."""
    seen: dict[str, str] = {}
    for e in entities:
        if e.kind == FORCE and e.name not in seen:
            seen[e.name] = e.text
    return tuple(seen.values())


def countries_named(entities: list[Entity]) -> tuple[str, ...]:
    seen: list[str] = []
    for e in entities:
        if e.kind == COUNTRY and e.name not in seen:
            seen.append(e.name)
    return tuple(seen)


# "the Leicestershire, West Midlands and Northamptonshire forces": area names before "forces".
_AREA_LIST_FORCES = re.compile(
    r"\b(?:the\s)?(?P<list>[A-Z][\w-]*(?:\s[A-Z][\w-]*){0,3}(?:,\s[A-Z][\w-]*(?:\s[A-Z][\w-]*){0,3}){0,12},?\s"
    r"(?:and|&)\s[A-Z][\w-]*(?:\s[A-Z][\w-]*){0,3})\s(?:police\s)?forces\b"
)


# "involved officers from Hertfordshire, Bedfordshire, the Metropolitan Police, ... and
# Warwickshire", "Officers from Gwent, South Wales and Dyfed-Powys police": forces named by area
# or by name after "officers from".
_LIST_ITEM = r"(?:the\s)?[A-Z][\w-]*(?:\s(?:and\s)?[A-Z][\w-]*){0,3}"
_OFFICERS_FROM_LIST = re.compile(
    rf"\b(?i:officers|officials|detectives|teams|colleagues|staff)\sfrom\s(?P<list>{_LIST_ITEM}"
    rf"(?:,\s{_LIST_ITEM}){{0,15}},?\s(?:and|&)\s{_LIST_ITEM})(?:\s(?:police|forces))?\b"
)


def _force_of(item: str) -> str | None:
    """The canonical force an item of a list names, by area ("Thames Valley") or by name ("the
    Metropolitan Police", "BTP")."""
    item = re.sub(r"^the\s", "", item.strip())
    area = FORCE_AREA_NAMES.get(item.lower())
    if area:
        return area
    named = canonical_agency(item)
    return named if named in FORCE_NAMES else None


def area_force_list(text: str) -> list[str]:
    """Forces named by area in a list before "forces", or after "officers from" (canonical
    names). Every item of a list must name a force, or the list is not one of forces."""
    out: list[str] = []
    for m in _AREA_LIST_FORCES.finditer(text):
        parts = re.split(r",\s|\s(?:and|&)\s", m.group("list"))
        names = [FORCE_AREA_NAMES.get(p.strip().lower()) for p in parts]
        if all(names):
            out.extend(n for n in names if n)
    if "from" in text:
        for m in _OFFICERS_FROM_LIST.finditer(text):
            parts = re.split(r",\s(?:and\s)?|\s(?:and|&)\s(?=(?:the\s)?[A-Z])", m.group("list"))
            names = [_force_of(p) for p in parts]
            if len(names) >= 2 and all(names):
                out.extend(n for n in names if n)
    return out
