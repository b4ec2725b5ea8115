"""A synthetic, NCA-shaped news archive for the benchmarks: deterministic from a seed.

``build_archive(n, seed)`` returns every document of a Joomla 3 site like the
National Crime Agency's: ``n`` article pages under ``/news/<slug>`` (some old-style
``/news/<id>-<slug>``), the ``/news?start=N`` listing (16 items a page, newest first,
``div.blog.news-page > div.row-fluid div.page-header a[href]`` and a
``a[aria-label='Go to next > page']`` link), the RSS feed and robots.txt.

Every page carries the boilerplate a real one does (head with styles and scripts,
cookie banner, header, mega-menu, breadcrumbs, related news, "most read", footer,
trailing scripts), about 60 KB a page, and the menus and side modules are full of
numbers that must never reach the extractor. The article bodies state the facts of an
operation in varied phrasings: number words ("Thirty eight"), "more than", "nearly",
breakdowns by offence, children/adults splits, per-force bullet lists, an international
total, background statistics, quotes and filler. About one page in seven reports no
operation at all (sentencing, annual reports). The text is written for this project.

``ArchivePage.truth`` keeps the operation-scope figures each page states, so a run can
be checked against what was written.

Command line: ``python -m benchmarks.generate --pages 2000 --out DIR`` writes the
archive to disk (one file per document, plus ``routes.json`` and ``truth.json``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

PER_PAGE = 16
FEED_ITEMS = 20
NEWEST = date(2026, 6, 30)
GENERATOR_VERSION = "1"

HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"

# ---------------------------------------------------------------------------
# Numbers in words


_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_words(n: int, hyphen: bool = True) -> str:
    """0..999 in words: 38 -> "thirty-eight" (or "thirty eight"), 140 -> "one hundred and forty"."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (("-" if hyphen else " ") + _ONES[ones] if ones else "")
    hundreds, rest = divmod(n, 100)
    head = f"{_ONES[hundreds]} hundred"
    return head + (f" and {number_words(rest, hyphen)}" if rest else "")


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


# ---------------------------------------------------------------------------
# Vocabulary of the archive

THEMES = {
    "child_exploitation": {
        "phrase": "child trafficking",
        "offences": (
            "child criminal and drug related exploitation",
            "child sexual exploitation",
            "trafficking children for labour",
        ),
        "suspects": "trafficking and exploiting children",
        "tags": ("Modern slavery", "Human trafficking", "Child exploitation"),
    },
    "county_lines": {
        "phrase": "county lines",
        "offences": ("drug supply offences", "possession of weapons", "money laundering"),
        "suspects": "running county lines drug networks",
        "tags": ("County lines", "Drugs", "Child exploitation"),
    },
    "labour_exploitation": {
        "phrase": "labour exploitation",
        "offences": ("forced labour", "document fraud", "immigration offences"),
        "suspects": "forcing people to work for little or no pay",
        "tags": ("Modern slavery", "Labour exploitation"),
    },
    "sexual_exploitation": {
        "phrase": "sexual exploitation",
        "offences": (
            "controlling prostitution",
            "trafficking for sexual exploitation",
            "brothel keeping",
        ),
        "suspects": "exploiting women and girls for sex",
        "tags": ("Modern slavery", "Human trafficking", "Sexual exploitation"),
    },
    "organised_immigration_crime": {
        "phrase": "people smuggling",
        "offences": ("facilitating illegal entry", "document fraud", "money laundering"),
        "suspects": "smuggling people into the UK",
        "tags": ("Organised immigration crime", "People smuggling"),
    },
    "modern_slavery_general": {
        "phrase": "modern slavery",
        "offences": (
            "modern slavery offences",
            "human trafficking",
            "exploitation of vulnerable adults",
        ),
        "suspects": "holding people in modern slavery",
        "tags": ("Modern slavery", "Human trafficking"),
    },
}
THEME_KEYS = tuple(THEMES)

FORCES = (
    "Avon and Somerset Police",
    "Bedfordshire Police",
    "Cambridgeshire Constabulary",
    "Cheshire Constabulary",
    "City of London Police",
    "Cleveland Police",
    "Cumbria Constabulary",
    "Derbyshire Constabulary",
    "Devon and Cornwall Police",
    "Dorset Police",
    "Durham Constabulary",
    "Dyfed-Powys Police",
    "Essex Police",
    "Gloucestershire Constabulary",
    "Greater Manchester Police",
    "Gwent Police",
    "Hampshire and Isle of Wight Constabulary",
    "Hertfordshire Constabulary",
    "Humberside Police",
    "Kent Police",
    "Lancashire Constabulary",
    "Leicestershire Police",
    "Lincolnshire Police",
    "Merseyside Police",
    "Metropolitan Police Service",
    "Norfolk Constabulary",
    "North Wales Police",
    "North Yorkshire Police",
    "Northamptonshire Police",
    "Northumbria Police",
    "Nottinghamshire Police",
    "South Wales Police",
    "South Yorkshire Police",
    "Staffordshire Police",
    "Suffolk Constabulary",
    "Surrey Police",
    "Sussex Police",
    "Thames Valley Police",
    "Warwickshire Police",
    "West Mercia Police",
    "West Midlands Police",
    "West Yorkshire Police",
    "Wiltshire Police",
    "Police Scotland",
    "Police Service of Northern Ireland",
    "British Transport Police",
)
OPERATION_WORDS = (
    "Aidant",
    "Tidewater",
    "Kestrel",
    "Larkspur",
    "Halyard",
    "Bramble",
    "Cobalt",
    "Fennel",
    "Granite",
    "Heron",
    "Juniper",
    "Lantern",
    "Marram",
    "Nettle",
    "Orrery",
    "Pennant",
    "Quarry",
    "Rowan",
    "Sextant",
    "Thistle",
    "Umber",
    "Vellum",
    "Wayfarer",
    "Yarrow",
)
PARTNERS = (
    "Border Force",
    "Immigration Enforcement",
    "the Gangmasters and Labour Abuse Authority",
    "HM Revenue and Customs",
    "local authority safeguarding teams",
    "the Salvation Army",
    "British Transport Police",
    "Europol",
    "the Crown Prosecution Service",
)
PLACES = (
    "car washes",
    "nail bars",
    "farms",
    "food factories",
    "hotels",
    "takeaways",
    "residential addresses",
    "construction sites",
    "cannabis farms",
    "massage parlours",
)
COUNTRIES = (
    "Austria",
    "Belgium",
    "Bulgaria",
    "Croatia",
    "Cyprus",
    "Czechia",
    "Denmark",
    "Estonia",
    "Finland",
    "France",
    "Germany",
    "Greece",
    "Hungary",
    "Iceland",
    "Ireland",
    "Italy",
    "Latvia",
    "Lithuania",
    "Netherlands",
    "Norway",
    "Poland",
    "Portugal",
    "Romania",
    "Slovakia",
    "Slovenia",
    "Spain",
    "Sweden",
    "Switzerland",
)
SPOKESPEOPLE = (
    ("Helen Marsh", "Director of Threat Leadership"),
    ("David Okafor", "Head of Modern Slavery and Human Trafficking"),
    ("Priya Raman", "Deputy Director of Vulnerabilities"),
    ("Tom Castell", "Senior Investigating Officer"),
    ("Aileen Brodie", "Head of the Joint Slavery and Trafficking Analysis Centre"),
)
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
MISSPELT = {
    "January": "Janaury",
    "February": "Febuary",
    "September": "Septmber",
    "October": "Octobre",
    "December": "Decmber",
    "August": "Agust",
}

FILLER = (
    "Investigators spent months building an intelligence picture before the week began, "
    "working with partners to identify the people and places most at risk.",
    "Officers were trained to spot the signs of exploitation, including people who appear "
    "withdrawn, who are not in control of their own documents or who are collected and "
    "dropped off at work by someone else.",
    "Safeguarding was the first priority throughout: anyone identified as a potential victim "
    "was offered support, accommodation and access to specialist services.",
    "The activity also raised awareness among businesses, landlords and transport operators, "
    "who were given guidance on what to look for and how to report concerns.",
    "Many of those exploited had been recruited with promises of well-paid work, only to find "
    "that their wages were taken to pay off debts they could never clear.",
    "Criminal networks often move victims between towns and cities to keep them isolated and "
    "dependent, which is why a coordinated national response matters.",
    "Further arrests are expected as evidence seized during the week is examined and new lines "
    "of enquiry are followed up.",
    "Partners shared intelligence in real time through a national coordination cell staffed "
    "around the clock for the duration of the operation.",
)
QUOTES = (
    "Exploitation of this kind is hidden in plain sight, and weeks like this show what can be "
    "achieved when agencies work together.",
    "Behind every figure is a person who has been controlled, threatened or abused, and our "
    "focus is on making sure they are safe.",
    "We will keep targeting the networks that profit from human misery, wherever they operate.",
    "I would urge anyone who suspects that someone is being exploited to come forward.",
)


# ---------------------------------------------------------------------------
# Records


@dataclass(slots=True)
class ArchivePage:
    index: int
    path: str
    title: str
    published: date
    summary: str
    tags: tuple[str, ...]
    body_html: str
    truth: dict[str, float] = field(default_factory=dict)
    operation: bool = True


@dataclass(slots=True)
class Document:
    body: bytes
    content_type: str
    etag: str
    last_modified: str


@dataclass(slots=True)
class Archive:
    """Every document of the site, keyed by (path, query)."""

    pages: list[ArchivePage]
    documents: dict[tuple[str, str], Document]
    seed: int

    @property
    def article_paths(self) -> list[str]:
        return [p.path for p in self.pages]

    def article_bytes(self) -> list[bytes]:
        return [self.documents[(p.path, "")].body for p in self.pages]

    @property
    def listing_pages(self) -> int:
        return sum(1 for (path, q) in self.documents if path == "/news" and q.startswith("start="))


# ---------------------------------------------------------------------------
# Article text


def _fmt(n: int) -> str:
    return f"{n:,}"


def _amount(rng: random.Random, n: int, *, words_ok: bool = True) -> tuple[str, str, int]:
    """A way of writing the count ``n``: (text, qualifier, stated value), e.g. ("38", "exact", 38),
    ("thirty-eight", "exact", 38), ("more than 1,400", "more_than", 1400), ("nearly 900", "approx", 900)."""
    r = rng.random()
    if words_ok and n <= 99 and r < 0.3:
        return number_words(n, hyphen=rng.random() < 0.6), "exact", n
    if n >= 50 and r < 0.45:
        base = n - n % (10 if n < 500 else 100)
        if base < n:
            return f"more than {_fmt(base)}", "more_than", base
    if n >= 50 and r < 0.55:
        up = n + (10 - n % 10) if n % 10 else n + 10
        return f"nearly {_fmt(up)}", "approx", up
    return _fmt(n), "exact", n


def _date_text(rng: random.Random, d: date) -> str | None:
    r = rng.random()
    month = MONTHS[d.month - 1]
    if r < 0.05:
        return None  # no date in the body
    if r < 0.08 and month in MISSPELT:
        month = MISSPELT[month]
    text = f"{d.day:02d} {month} {d.year}" if rng.random() < 0.8 else f"{d.day} {month} {d.year}"
    if 0.08 <= r < 0.13:
        text += "."
    return text


def _article(rng: random.Random, index: int, published: date, op_names: list[str]) -> ArchivePage:
    if rng.random() < 0.14:
        return _other_article(rng, index, published)
    theme_key = rng.choice(THEME_KEYS)
    theme = THEMES[theme_key]
    truth: dict[str, float] = {}

    arrests = rng.choice((rng.randint(3, 99), rng.randint(20, 400), rng.randint(100, 2000)))
    victims = rng.randint(5, max(6, arrests * 2)) if rng.random() < 0.85 else 0
    forces = rng.choice((rng.randint(2, 20), rng.randint(10, 45), 45))
    days = rng.choice((7, 7, 7, 5, 14, 10))
    name = None
    if rng.random() < 0.4:
        if op_names and rng.random() < 0.15:
            name = rng.choice(op_names[-20:])  # a later release about a recent operation
        else:
            name = f"Operation {rng.choice(OPERATION_WORDS)}"
            op_names.append(name)
    scope_word = rng.choice(("UK-wide", "national", "nationwide", "week-long", "coordinated"))

    arrests_text, _, arrests_stated = _amount(rng, arrests)
    truth["arrests"] = arrests_stated
    # Headline
    h = rng.random()
    if h < 0.35:
        title = f"{_cap(arrests_text)} arrested in {scope_word} {theme['phrase']} week of action"
    elif h < 0.6 and victims:
        title = f"{_fmt(victims)} potential victims identified in {theme['phrase']} crackdown"
    elif h < 0.8:
        title = f"{_cap(theme['phrase'])} intensification week leads to {_fmt(arrests)} arrests"
    else:
        title = f"Week of action against {theme['phrase']}: partners target exploiters in {forces} force areas"
    if name and rng.random() < 0.5:
        title = f"{name}: {title[0].lower()}{title[1:]}"
    title = title[:1].upper() + title[1:]

    paras: list[str] = []
    lead_victims = ""
    if victims and rng.random() < 0.6:
        lead_victims = f", and {_fmt(victims)} potential victims have been identified"
        truth["potential_victims"] = victims
    op_ref = f" as part of {name}" if name else ""
    lead = rng.choice(
        (
            f"{_cap(arrests_text)} people suspected of {theme['suspects']} have been arrested "
            f"during a {scope_word} week of action coordinated by the National Crime Agency{op_ref}"
            f"{lead_victims}.",
            f"Officers arrested {arrests_text} people during a {scope_word} week of action "
            f"targeting {theme['phrase']}{op_ref}, the National Crime Agency said today"
            f"{lead_victims}.",
            f"A {scope_word} intensification against {theme['phrase']}{op_ref} led to "
            f"{arrests_text} arrests{lead_victims}.",
        )
    )
    paras.append(lead)

    partners = rng.sample(PARTNERS, 2)
    if forces == 45:
        paras.append(
            "All 43 police forces in England and Wales took part, together with Police Scotland "
            f"and the Police Service of Northern Ireland, supported by {partners[0]} and {partners[1]}."
        )
    else:
        fw, _, _ = _amount(rng, forces)
        paras.append(
            f"{_cap(fw)} police forces took part in the operation, working alongside {partners[0]} "
            f"and {partners[1]} to target those who profit from {theme['phrase']}."
        )
    truth["forces_involved"] = forces
    if rng.random() < 0.4:
        start = published - timedelta(days=days + rng.randint(1, 20))
        end = start + timedelta(days=days - 1)
        paras.append(
            f"The activity ran for {number_words(days)} days, from {_dmy(start)} to {_dmy(end)}."
        )
        truth["duration_days"] = days
    paras.append(rng.choice(FILLER))

    if rng.random() < 0.55 and arrests >= 10:
        offs = theme["offences"]
        a = rng.randint(1, max(1, arrests // 2))
        b = rng.randint(1, max(1, (arrests - a) // 2))
        paras.append(
            f"Of those arrested, {a} were for {offs[0]}, {b} were for {offs[1]}, while the rest "
            f"were held for other offences, among them {offs[2]}."
        )
    if victims and "potential_victims" not in truth:
        v_text, _, v_stated = _amount(rng, victims)
        paras.append(
            rng.choice(
                (
                    f"Officers identified {v_text} potential victims of exploitation during the week.",
                    f"In total, {v_text} potential victims were safeguarded.",
                )
            )
        )
        truth["potential_victims"] = v_stated
    if victims and rng.random() < 0.5:
        children = rng.randint(0, victims)
        paras.append(
            f"The {_fmt(victims)} potential victims comprised {_fmt(children)} children and "
            f"{_fmt(victims - children)} adults."
        )
        truth["victims_children"] = children
        truth["victims_adults"] = victims - children

    # Warrants, premises, investigations, NRM referrals, cash, weapons
    facts = []
    if rng.random() < 0.6:
        w = rng.randint(5, 300)
        facts.append(f"Officers executed {w} warrants")
        truth["warrants_executed"] = w
    if rng.random() < 0.6:
        p = rng.randint(10, 900)
        facts.append(
            f"{'visited' if facts else 'Officers visited'} {_fmt(p)} premises, including "
            f"{' and '.join(rng.sample(PLACES, 2))}"
        )
        truth["premises_visited"] = p
    if facts:
        paras.append(" and ".join(facts) + ".")
    if rng.random() < 0.6:
        inv = rng.randint(2, 120)
        paras.append(f"Across the week, {inv} new investigations were opened.")
        truth["new_investigations"] = inv
    if victims and rng.random() < 0.5:
        nrm = rng.randint(1, victims)
        paras.append(
            f"The week led to {nrm} referrals into the National Referral Mechanism (NRM), the UK "
            "framework for identifying and supporting victims of modern slavery."
        )
        truth["nrm_referrals"] = nrm
    if rng.random() < 0.35:
        cash = rng.randint(2, 900) * 1000
        weapons = rng.randint(2, 80)
        paras.append(
            f"More than £{_fmt(cash)} in cash was seized, along with {weapons} weapons including "
            "knives and a firearm."
        )
    paras.append(rng.choice(FILLER))

    per_force = ""
    if rng.random() < 0.3:
        chosen = rng.sample(FORCES, rng.randint(3, 6))
        items = "".join(
            f"<li>{escape(f)}: {rng.randint(1, max(2, arrests // 4))} arrests and "
            f"{rng.randint(0, 12)} potential victims safeguarded</li>"
            for f in chosen
        )
        per_force = f"<p>Results in some of the forces that took part included:</p><ul>{items}</ul>"

    if rng.random() < 0.3:
        ia = arrests + rng.randint(20, 3000)
        iv = (victims or 10) + rng.randint(10, 900)
        ic = rng.randint(8, 28)
        countries = ", ".join(sorted(rng.sample(COUNTRIES, ic - 1))) + " and the UK"
        paras.append(
            f"The UK activity formed part of a wider European action, which produced {_fmt(ia)} "
            f"arrests and {_fmt(iv)} potential victims across {ic} countries: {countries}."
        )
    who, role = rng.choice(SPOKESPEOPLE)
    paras.append(f"{who}, the NCA's {role}, said: \u201c{' '.join(rng.sample(QUOTES, 2))}\u201d")
    if rng.random() < 0.6:
        year = published.year - rng.randint(1, 3)
        stat = rng.randint(3000, 17000)
        paras.append(
            rng.choice(
                (
                    f"In {year}, {_fmt(stat)} potential victims of modern slavery were referred "
                    "into the NRM, the highest number since it began.",
                    f"In the year ending {year}, {_fmt(stat // 3)} children were referred into the "
                    "NRM as potential victims of trafficking or exploitation in the UK.",
                )
            )
        )
    paras.append(rng.choice(FILLER))
    paras.append(
        "Anyone with concerns about a child or adult who may be a victim of exploitation can call "
        "the police on 101, or Crimestoppers anonymously on 0800 555 111."
    )
    return _finish(rng, index, published, title, paras, per_force, theme["tags"], truth, True)


def _other_article(rng: random.Random, index: int, published: date) -> ArchivePage:
    kind = rng.random()
    years = rng.randint(2, 18)
    if kind < 0.5:
        title = f"Trafficker jailed for {number_words(years, hyphen=True)} years after NCA investigation"
        paras = [
            f"A man who trafficked {rng.randint(2, 12)} people into the UK and forced them to work "
            f"in {rng.choice(PLACES)} has been jailed for {years} years.",
            rng.choice(FILLER),
            f"He was arrested in {rng.randint(2015, 2024)} after a {rng.randint(6, 30)}-month "
            "investigation and was found guilty after a trial lasting three weeks.",
            rng.choice(FILLER),
        ]
        tags = ("Modern slavery", "Court")
    elif kind < 0.8:
        title = f"Phishing service used by {_fmt(rng.randint(1000, 90000))} criminals taken down"
        paras = [
            "A website that sold ready-made phishing kits has been taken offline by the NCA and "
            "international partners.",
            f"The service had {_fmt(rng.randint(1000, 90000))} registered users and was linked to "
            f"losses of more than £{rng.randint(2, 90)} million.",
            rng.choice(FILLER),
        ]
        tags = ("Cyber crime",)
    else:
        y = published.year - 1
        title = f"Annual report and accounts {y}-{str(y + 1)[2:]} published"
        paras = [
            "The National Crime Agency has published its annual report and accounts, setting out "
            "its performance over the year.",
            f"The agency's officers made {_fmt(rng.randint(1500, 4000))} arrests in the year and "
            f"secured {_fmt(rng.randint(800, 3000))} convictions.",
            rng.choice(FILLER),
        ]
        tags = ("Corporate",)
    return _finish(rng, index, published, title, paras, "", tags, {}, False)


def _finish(
    rng: random.Random,
    index: int,
    published: date,
    title: str,
    paras: list[str],
    per_force: str,
    tags: tuple[str, ...],
    truth: dict[str, float],
    operation: bool,
) -> ArchivePage:
    slug_words = "".join(c if c.isalnum() else " " for c in title.lower()).split()
    slug = "-".join(slug_words)[:90].strip("-") + f"-{index}"
    path = f"/news/{1000 + index}-{slug}" if rng.random() < 0.2 else f"/news/{slug}"
    parts = [f"<p>{escape(p)}</p>" for p in paras]
    if per_force:
        parts.insert(min(len(parts), 4), per_force)
    date_text = _date_text(rng, published)
    if date_text:
        parts.append(f"<p><strong>{date_text}</strong></p>")
    body_html = "\n".join(parts)
    summary = paras[0][:160]
    return ArchivePage(index, path, title, published, summary, tags, body_html, truth, operation)


# ---------------------------------------------------------------------------
# Boilerplate: written once per archive, shared by every page


def _css(rng: random.Random, rules: int) -> str:
    props = (
        "margin:0 auto",
        "padding:12px 16px",
        "color:#1d1d1b",
        "background:#f3f2f1",
        "font-size:1.125rem",
        "line-height:1.5",
        "display:flex",
        "border-bottom:4px solid #00703c",
        "font-weight:700",
        "text-decoration:underline",
        "max-width:1140px",
        "position:relative",
    )
    out = []
    for i in range(rules):
        sel = rng.choice(("#nca-", ".nca-", ".moduletable .", ".navigation .", "body.site ."))
        out.append(f"{sel}c{i:04d}{{{';'.join(rng.sample(props, 4))}}}")
    return "\n".join(out)


def _js(rng: random.Random, functions: int) -> str:
    out = ["(function(w,d){'use strict';var cfg={consent:false,version:'3.10.12'};"]
    for i in range(functions):
        out.append(
            f"function h{i:03d}(e){{var t=d.querySelectorAll('.mod-{i}');for(var k=0;k<t.length;"
            f"k++){{t[k].classList.toggle('is-open',k==={rng.randint(0, 9)});}}"
            f"return w.setTimeout(function(){{cfg.n{i}=({rng.randint(100, 9999)}*k)%7;}},{rng.randint(10, 900)});}}"
        )
    out.append("w.NCA=cfg;})(window,document);")
    return "\n".join(out)


def _mega_menu(rng: random.Random) -> str:
    sections = (
        (
            "Who we are",
            ("Our leadership", "Our mission", "Publications", "Transparency", "Governance"),
        ),
        (
            "What we do",
            (
                "Crime threats",
                "Modern slavery and human trafficking",
                "Organised immigration crime",
                "Child sexual abuse",
                "Cyber crime",
                "Drug trafficking",
                "Firearms",
                "Fraud",
                "Money laundering",
                "Kidnap and extortion",
                "Border vulnerabilities",
            ),
        ),
        ("News", ("All news", "Press releases", "Statements", "Media enquiries")),
        ("Most wanted", ("Most wanted list", "Captured fugitives", "Appeals")),
        (
            "Careers",
            (
                "Current vacancies",
                "Graduate scheme",
                "Apprenticeships",
                "Benefits",
                "Diversity and inclusion",
                "Vetting",
            ),
        ),
        (
            "Contact us",
            ("Report a crime", "Make a complaint", "Freedom of information", "Press office"),
        ),
    )
    items = []
    n = 101
    for head, subs in sections:
        sub_items = []
        for s in subs:
            n += 1
            slug = "-".join(s.lower().split())
            blurb = (
                f"Find out about {s.lower()}, including guidance, statistics for "
                f"{rng.randint(2015, 2025)} and {rng.randint(3, 40)} related publications."
            )
            sub_items.append(
                f'<li class="item-{n}"><a href="/{slug}" class="mega-link">{escape(s)}</a>'
                f'<p class="mega-desc">{escape(blurb)}</p></li>'
            )
        slug = "-".join(head.lower().split())
        items.append(
            f'<li class="item-{n} deeper parent"><a href="/{slug}">{escape(head)}</a>'
            f'<div class="mega-panel"><ul class="nav-child unstyled small">{"".join(sub_items)}</ul>'
            f'<div class="mega-promo"><h4>{escape(head)}</h4><p>Over {rng.randint(4000, 6000):,} '
            f"officers work to protect the public from serious and organised crime.</p></div></div></li>"
        )
    return (
        '<nav class="navigation" role="navigation" aria-label="Main menu">'
        f'<ul class="nav menu nav-pills mod-list mega-menu">{"".join(items)}</ul></nav>'
    )


@dataclass(slots=True)
class _Chrome:
    head: str
    top: str  # cookie banner, header, mega-menu
    aside_static: str
    footer: str


def _chrome(rng: random.Random) -> _Chrome:
    head = (
        '<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        '<meta name="generator" content="Joomla! - Open Source Content Management">\n'
        '<link href="/news?format=feed&amp;type=rss" rel="alternate" type="application/rss+xml" title="RSS 2.0">\n'
        + "".join(
            f'<link href="/templates/nca/css/{name}.css?{rng.getrandbits(32):08x}" rel="stylesheet">\n'
            for name in ("bootstrap", "template", "mega-menu", "cookie", "print", "icons")
        )
        + "".join(
            f'<script src="/media/{name}.js?{rng.getrandbits(32):08x}"></script>\n'
            for name in (
                "jui/js/jquery.min",
                "jui/js/jquery-noconflict",
                "system/js/caption",
                "jui/js/bootstrap.min",
                "templates/nca/js/template",
            )
        )
        + f"<style>\n{_css(rng, 300)}\n</style>\n"
        + '<script type="application/json" class="joomla-script-options new">'
        + json.dumps(
            {
                "csrf.token": f"{rng.getrandbits(128):032x}",
                "system.paths": {"root": "", "base": ""},
                "system.keepalive": {"interval": 840000, "uri": "/index.php?option=com_ajax"},
            }
        )
        + "</script>\n"
        + f"<script>\n{_js(rng, 40)}\n</script>\n"
    )
    top = (
        '<div id="cookie-notice" class="cookie-banner" role="region" aria-label="Cookie banner">'
        "<p>We use cookies to make this site work and to collect anonymous information about how you "
        'use it. <a href="/cookies">Read about the cookies we use</a>.</p>'
        '<button type="button" class="btn btn-primary" data-cookie="accept">Accept all cookies</button>'
        '<button type="button" class="btn" data-cookie="reject">Reject analytics cookies</button></div>\n'
        '<a class="skip-link element-invisible" href="#content">Skip to main content</a>\n'
        '<header class="header" role="banner"><div class="header-inner clearfix container-fluid">'
        '<a class="brand pull-left" href="/"><img src="/images/logos/nca-logo.svg" alt="National Crime Agency"></a>'
        '<div class="header-search pull-right"><form action="/search" method="get" class="form-inline" role="search">'
        '<label for="mod-search-searchword" class="element-invisible">Search</label>'
        '<input name="searchword" id="mod-search-searchword" maxlength="200" class="inputbox search-query" '
        'type="search" placeholder="Search..."></form></div></div>\n'
        + _mega_menu(rng)
        + "</header>\n"
    )
    most_read = "".join(
        f'<li><a href="/news/most-read-{i}">{rng.randint(2, 400)} arrested as '
        f"{rng.choice(('county lines', 'smuggling', 'fraud', 'firearms'))} network dismantled</a>"
        f'<span class="views">{rng.randint(1000, 90000):,} views</span></li>'
        for i in range(8)
    )
    aside_static = (
        '<div class="moduletable most-read"><h3>Most read</h3>'
        f'<ol class="mostread mod-list">{most_read}</ol></div>'
        '<div class="moduletable report-crime"><h3>Report a crime</h3><p>If you have information '
        "about a crime, contact your local police force on 101. In an emergency, always dial 999. "
        "You can also call Crimestoppers anonymously on 0800 555 111.</p></div>"
        '<div class="moduletable modern-slavery-helpline"><h3>Modern Slavery Helpline</h3><p>Open '
        "24 hours a day, 365 days a year: 08000 121 700. Over 9,000 calls were answered last year.</p></div>"
    )
    footer_links = "".join(
        f'<li class="item-{170 + i}"><a href="/{"-".join(t.lower().split())}">{t}</a></li>'
        for i, t in enumerate(
            (
                "Accessibility",
                "Privacy and cookies",
                "Freedom of information",
                "Terms and conditions",
                "Modern slavery statement",
                "Welsh language scheme",
                "Sitemap",
                "Contact us",
                "Careers",
                "Press office",
                "Publications",
                "Jobs at the NCA",
            )
        )
    )
    social = "".join(
        f'<li><a href="https://{s}.example/nca" class="social-{s}" aria-label="NCA on {s}">'
        f'<svg viewBox="0 0 24 24" width="24" height="24"><path d="M{rng.randint(1, 9)} '
        f'{rng.randint(1, 9)}h{rng.randint(2, 12)}v{rng.randint(2, 12)}z"/></svg></a></li>'
        for s in ("x", "facebook", "linkedin", "youtube", "instagram")
    )
    footer = (
        '<footer class="footer" role="contentinfo"><div class="container-fluid"><hr>'
        f'<ul class="nav menu footer-menu mod-list">{footer_links}</ul>'
        f'<ul class="social">{social}</ul>'
        "<p>National Crime Agency, Units 1-6 Citadel Place, Tinworth Street, London SE11 5EF. "
        "Switchboard: 0370 496 7622.</p><p>&copy; 2026 National Crime Agency. All content is "
        "available under the Open Government Licence v3.0, except where otherwise stated.</p>"
        '<p class="pull-right"><a href="#top" id="back-top">Back to Top</a></p></div></footer>\n'
        f"<script>\n{_js(rng, 36)}\n</script>\n"
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
        "gtag('js',new Date());gtag('config','G-XXXXXXX',{anonymize_ip:true});</script>\n"
    )
    return _Chrome(head, top, aside_static, footer)


def _breadcrumbs(current: str | None) -> str:
    crumbs = '<li><a href="/" class="pathway">Home</a></li><li><a href="/news" class="pathway">News</a></li>'
    if current:
        crumbs += f'<li class="active"><span>{escape(current)}</span></li>'
    return (
        '<div aria-label="Breadcrumbs" role="navigation"><ul itemscope itemtype="https://schema.org/BreadcrumbList" '
        f'class="breadcrumb">{crumbs}</ul></div>'
    )


def _page(chrome: _Chrome, title: str, main: str, related: str, body_class: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en-gb" dir="ltr">\n<head>\n'
        f"<title>{escape(title)}</title>\n{chrome.head}</head>\n"
        f'<body class="site com_content {body_class} fluid">\n{chrome.top}'
        '<div class="body"><div class="container-fluid"><div class="row-fluid">'
        f'<main id="content" role="main" class="span9">{main}</main>\n'
        f'<div id="aside" class="span3">{related}{chrome.aside_static}</div>'
        "</div></div></div>\n"
        f"{chrome.footer}</body>\n</html>\n"
    )


def _dmy(d: date) -> str:
    return f"{d.day:02d} {MONTHS[d.month - 1]} {d.year}"


def _article_html(chrome: _Chrome, page: ArchivePage, related: list[ArchivePage]) -> str:
    tags = "".join(
        f'<li class="tag-{i + 10} tag-list{i}" itemprop="keywords"><a class="label label-info" '
        f'href="/component/tags/tag/{"-".join(t.lower().split())}">{escape(t)}</a></li>'
        for i, t in enumerate(page.tags)
    )
    main = (
        _breadcrumbs(page.title)
        + '<div class="item-page" itemscope itemtype="https://schema.org/Article">'
        f'<div class="page-header"><h1 itemprop="headline">{escape(page.title)}</h1></div>'
        f'<div itemprop="articleBody">\n{page.body_html}\n</div>'
        f'<ul class="tags inline">{tags}</ul></div>'
    )
    rel = "".join(
        f'<li itemscope itemtype="https://schema.org/Article"><a href="{r.path}" itemprop="url">'
        f'<span itemprop="name">{escape(r.title)}</span></a></li>'
        for r in related
    )
    aside = f'<div class="moduletable related-news"><h3>Related news</h3><ul class="relateditems mod-list">{rel}</ul></div>'
    return _page(chrome, page.title, main, aside, "view-article itemid-135")


def _listing_html(chrome: _Chrome, items: list[ArchivePage], start: int, total: int) -> str:
    rows = []
    for i in range(0, len(items), 3):
        cells = "".join(
            '<div class="span4"><div class="page-header"><h2 itemprop="name">'
            f'<a href="{p.path}" itemprop="url">{escape(p.title)}</a></h2></div>'
            f'<p>{_dmy(p.published)}</p><p class="intro">{escape(p.summary)}</p>'
            f'<p class="readmore"><a class="btn" href="{p.path}" aria-label="Read more: {escape(p.title)}">'
            "Read more</a></p></div>"
            for p in items[i : i + 3]
        )
        rows.append(f'<div class="row-fluid">{cells}</div>')
    pages = max(1, -(-total // PER_PAGE))
    current = start // PER_PAGE + 1
    nav = [f'<p class="counter pull-right">Page {current} of {pages}</p>']
    links = []
    if current > 1:
        links.append(
            '<li><a aria-label="Go to start page" href="/news" class="pagenav">Start</a></li>'
        )
        links.append(
            f'<li><a aria-label="Go to previous page" href="/news?start={start - PER_PAGE}" class="pagenav">Prev</a></li>'
        )
    for n in range(max(1, current - 4), min(pages, current + 5) + 1):
        if n == current:
            links.append(
                f'<li class="active hidden-phone"><a aria-current="true" aria-label="Page {n}">{n}</a></li>'
            )
        else:
            links.append(
                f'<li class="hidden-phone"><a aria-label="Go to page {n}" href="/news?start={(n - 1) * PER_PAGE}" class="pagenav">{n}</a></li>'
            )
    if current < pages:
        links.append(
            f'<li><a aria-label="Go to next &gt; page" href="/news?start={start + PER_PAGE}" class="pagenav">Next</a></li>'
        )
        links.append(
            f'<li><a aria-label="Go to end page" href="/news?start={(pages - 1) * PER_PAGE}" class="pagenav">End</a></li>'
        )
    nav.append(
        f'<nav role="navigation" aria-label="Pagination"><ul class="pagination-list">{"".join(links)}</ul></nav>'
    )
    main = (
        _breadcrumbs(None)
        + '<div class="blog news-page" itemscope itemtype="https://schema.org/Blog">'
        '<div class="page-header"><h1>News</h1></div>'
        + "\n".join(rows)
        + f'<div class="pagination">{"".join(nav)}</div></div>'
    )
    return _page(chrome, "News", main, "", "view-category layout-blog itemid-135")


def _feed(items: list[ArchivePage]) -> str:
    entries = []
    for p in items:
        when = format_datetime(
            datetime(p.published.year, p.published.month, p.published.day, 9, tzinfo=UTC)
        )
        cats = "".join(f"<category>{escape(t)}</category>" for t in p.tags)
        entries.append(
            f"<item><title>{escape(p.title)}</title><link>{p.path}</link>"
            f'<guid isPermaLink="true">{p.path}</guid>'
            f"<description><![CDATA[<p>{p.summary}</p>]]></description>"
            f"<author>press.office@nca.gov.uk (NCA Press Office)</author>{cats}<pubDate>{when}</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
        "<channel><title>News</title><description>Latest news from the National Crime Agency</description>"
        f"<link>/news</link><language>en-gb</language>{''.join(entries)}</channel></rss>\n"
    )


ROBOTS = (
    "User-agent: *\nAllow: /news\nDisallow: /administrator/\nDisallow: /cache/\n"
    "Disallow: /components/\nDisallow: /tmp/\nDisallow: /__bench/\n"
)


def _doc(body: str, ctype: str, published: date | None = None) -> Document:
    data = body.encode("utf-8")
    etag = f'"{hashlib.sha1(data).hexdigest()[:20]}"'
    when = datetime.combine(published or NEWEST, datetime.min.time(), tzinfo=UTC)
    return Document(data, ctype, etag, format_datetime(when, usegmt=True))


# ---------------------------------------------------------------------------
# The archive


def recheck_days(window: int = 30, today: date | None = None) -> int:
    """OPTALLY_RECHECK_DAYS for runs over this archive. A live site always has recent
    articles; so that this one has too, whatever day it is, the re-check window is made to
    hold its newest ``window`` days (the default window seen from the day after NEWEST)."""
    return ((today or date.today()) - (NEWEST - timedelta(days=window))).days


def generate_pages(n: int, seed: int = 1) -> list[ArchivePage]:
    """The ``n`` article records, newest first. Page ``i`` depends on (seed, i) and the
    operation names of earlier pages only."""
    pages = []
    op_names: list[str] = []
    day = NEWEST
    for i in range(n):
        rng = random.Random(f"optally-bench:{seed}:{i}")
        pages.append(_article(rng, i, day, op_names))
        day -= timedelta(days=rng.choice((0, 1, 1, 2, 3)))
    return pages


def build_archive(n: int = 2000, seed: int = 1) -> Archive:
    pages = generate_pages(n, seed)
    chrome = _chrome(random.Random(f"optally-bench-chrome:{seed}"))
    docs: dict[tuple[str, str], Document] = {("/robots.txt", ""): _doc(ROBOTS, TEXT)}
    for i, page in enumerate(pages):
        rng = random.Random(f"optally-bench-related:{seed}:{i}")
        related = [pages[j] for j in sorted(rng.sample(range(n), min(n, 5))) if j != i][:4]
        docs[(page.path, "")] = _doc(_article_html(chrome, page, related), HTML, page.published)
    starts = range(0, max(n, 1), PER_PAGE)
    for start in starts:
        html = _listing_html(chrome, pages[start : start + PER_PAGE], start, n)
        doc = _doc(html, HTML, pages[start].published if pages else None)
        docs[("/news", f"start={start}")] = doc
        if start == 0:
            docs[("/news", "")] = doc
    docs[("/news", "format=feed&type=rss")] = _doc(_feed(pages[:FEED_ITEMS]), RSS)
    return Archive(pages, docs, seed)


def write_archive(archive: Archive, out: Path) -> None:
    """One file per document, ``routes.json`` (path, query -> file) and ``truth.json``."""
    out.mkdir(parents=True, exist_ok=True)
    routes = []
    for k, ((path, query), doc) in enumerate(sorted(archive.documents.items())):
        name = f"doc-{k:05d}" + (".xml" if "rss" in doc.content_type else ".html")
        (out / name).write_bytes(doc.body)
        routes.append(
            {"path": path, "query": query, "file": name, "content_type": doc.content_type}
        )
    (out / "routes.json").write_text(json.dumps({"routes": routes}, indent=1), encoding="utf-8")
    truth = [{"path": p.path, "operation": p.operation, "truth": p.truth} for p in archive.pages]
    (out / "truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    archive = build_archive(args.pages, args.seed)
    write_archive(archive, args.out)
    sizes = [len(b) for b in archive.article_bytes()]
    print(
        f"{len(archive.pages)} articles, {archive.listing_pages} listing pages, "
        f"{sum(sizes) / max(1, len(sizes)) / 1024:.1f} KB per article, written to {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
