"""Named things the figure rules need to recognise: countries, nationality adjectives, UK police
forces and law-enforcement agencies, each normalised to one canonical name.

Lookup is linear in the text: one regex finds runs of capitalised words (with the lowercase
joiners real names contain: "Bosnia and Herzegovina", "Police Service of Northern Ireland"),
then each run is matched against dictionaries, longest name first. No alternation of hundreds of
names is ever run over a long text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from tasks.figures.sentences import finditer_from

COUNTRY = "country"
DEMONYM = "demonym"
FORCE = "force"
AGENCY = "agency"

# Country names and aliases -> canonical short name.
_COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "Afghanistan": (),
    "Albania": (),
    "Algeria": (),
    "Andorra": (),
    "Angola": (),
    "Argentina": (),
    "Armenia": (),
    "Australia": (),
    "Austria": (),
    "Azerbaijan": (),
    "Bahrain": (),
    "Bangladesh": (),
    "Belarus": (),
    "Belgium": (),
    "Benin": (),
    "Bhutan": (),
    "Bolivia": (),
    "Bosnia and Herzegovina": ("Bosnia-Herzegovina", "Bosnia & Herzegovina", "Bosnia"),
    "Botswana": (),
    "Brazil": (),
    "Brunei": (),
    "Bulgaria": (),
    "Burkina Faso": (),
    "Burundi": (),
    "Cambodia": (),
    "Cameroon": (),
    "Canada": (),
    "Cape Verde": ("Cabo Verde",),
    "Central African Republic": (),
    "Chad": (),
    "Chile": (),
    "China": (),
    "Colombia": (),
    "Comoros": (),
    "Congo": ("Democratic Republic of the Congo", "DR Congo", "DRC", "Republic of the Congo"),
    "Costa Rica": (),
    "Côte d'Ivoire": ("Ivory Coast", "Cote d'Ivoire", "Côte d’Ivoire"),
    "Croatia": (),
    "Cuba": (),
    "Cyprus": (),
    "Czechia": ("Czech Republic",),
    "Denmark": (),
    "Djibouti": (),
    "Dominican Republic": (),
    "Ecuador": (),
    "Egypt": (),
    "El Salvador": (),
    "Equatorial Guinea": (),
    "Eritrea": (),
    "Estonia": (),
    "Eswatini": ("Swaziland",),
    "Ethiopia": (),
    "Fiji": (),
    "Finland": (),
    "France": (),
    "Gabon": (),
    "Gambia": ("The Gambia",),
    "Georgia": (),
    "Germany": (),
    "Ghana": (),
    "Greece": (),
    "Guatemala": (),
    "Guinea": (),
    "Guinea-Bissau": (),
    "Guyana": (),
    "Haiti": (),
    "Honduras": (),
    "Hungary": (),
    "Iceland": (),
    "India": (),
    "Indonesia": (),
    "Iran": (),
    "Iraq": (),
    "Ireland": ("Republic of Ireland", "Irish Republic"),
    "Israel": (),
    "Italy": (),
    "Jamaica": (),
    "Japan": (),
    "Jordan": (),
    "Kazakhstan": (),
    "Kenya": (),
    "Kosovo": (),
    "Kuwait": (),
    "Kyrgyzstan": (),
    "Laos": (),
    "Latvia": (),
    "Lebanon": (),
    "Lesotho": (),
    "Liberia": (),
    "Libya": (),
    "Liechtenstein": (),
    "Lithuania": (),
    "Luxembourg": (),
    "Madagascar": (),
    "Malawi": (),
    "Malaysia": (),
    "Maldives": (),
    "Mali": (),
    "Malta": (),
    "Mauritania": (),
    "Mauritius": (),
    "Mexico": (),
    "Moldova": (),
    "Monaco": (),
    "Mongolia": (),
    "Montenegro": (),
    "Morocco": (),
    "Mozambique": (),
    "Myanmar": ("Burma",),
    "Namibia": (),
    "Nepal": (),
    "Netherlands": ("The Netherlands", "Holland"),
    "New Zealand": (),
    "Nicaragua": (),
    "Niger": (),
    "Nigeria": (),
    "North Korea": (),
    "North Macedonia": ("Republic of North Macedonia", "Macedonia"),
    "Norway": (),
    "Oman": (),
    "Pakistan": (),
    "Panama": (),
    "Papua New Guinea": (),
    "Paraguay": (),
    "Peru": (),
    "Philippines": ("The Philippines",),
    "Poland": (),
    "Portugal": (),
    "Qatar": (),
    "Romania": (),
    "Russia": ("Russian Federation",),
    "Rwanda": (),
    "San Marino": (),
    "Saudi Arabia": (),
    "Senegal": (),
    "Serbia": (),
    "Sierra Leone": (),
    "Singapore": (),
    "Slovakia": ("Slovak Republic",),
    "Slovenia": (),
    "Somalia": (),
    "South Africa": (),
    "South Korea": ("Korea",),
    "South Sudan": (),
    "Spain": (),
    "Sri Lanka": (),
    "Sudan": (),
    "Suriname": (),
    "Sweden": (),
    "Switzerland": (),
    "Syria": (),
    "Taiwan": (),
    "Tajikistan": (),
    "Tanzania": (),
    "Thailand": (),
    "Togo": (),
    "Trinidad and Tobago": (),
    "Tunisia": (),
    "Turkey": ("Türkiye", "Turkiye"),
    "Turkmenistan": (),
    "Uganda": (),
    "UK": ("United Kingdom", "U.K.", "Great Britain", "Britain"),
    "Ukraine": (),
    "United Arab Emirates": ("UAE",),
    "Uruguay": (),
    "USA": ("United States", "United States of America", "US", "U.S."),
    "Uzbekistan": (),
    "Venezuela": (),
    "Vietnam": ("Viet Nam",),
    "Yemen": (),
    "Zambia": (),
    # small states and territories that take part in INTERPOL and regional operations
    "Antigua and Barbuda": (),
    "Bahamas": ("The Bahamas",),
    "Barbados": (),
    "Belize": (),
    "Dominica": (),
    "Grenada": (),
    "Kiribati": (),
    "Palau": (),
    "Saint Lucia": ("St Lucia", "St. Lucia"),
    "Saint Kitts and Nevis": ("St Kitts and Nevis",),
    "Saint Vincent and the Grenadines": ("St Vincent and the Grenadines",),
    "Samoa": (),
    "Seychelles": (),
    "Solomon Islands": (),
    "Timor-Leste": ("East Timor",),
    "Tonga": (),
    "Vanuatu": (),
    "Hong Kong": (),
    "Macau": ("Macao",),
    "Aruba": (),
    "Curacao": ("Curaçao",),
    "Puerto Rico": (),
    "Turks and Caicos Islands": ("Turks and Caicos",),
    "Zimbabwe": (),
}

# Nationality adjectives -> country. Used only before a law-enforcement noun ("Spanish police"),
# never for the nationality of a suspect or a victim.
_DEMONYMS: dict[str, str] = {
    "Albanian": "Albania",
    "Austrian": "Austria",
    "Belgian": "Belgium",
    "Bulgarian": "Bulgaria",
    "Croatian": "Croatia",
    "Cypriot": "Cyprus",
    "Czech": "Czechia",
    "Danish": "Denmark",
    "Dutch": "Netherlands",
    "Estonian": "Estonia",
    "Finnish": "Finland",
    "French": "France",
    "German": "Germany",
    "Greek": "Greece",
    "Hungarian": "Hungary",
    "Irish": "Ireland",
    "Italian": "Italy",
    "Latvian": "Latvia",
    "Lithuanian": "Lithuania",
    "Luxembourgish": "Luxembourg",
    "Maltese": "Malta",
    "Moroccan": "Morocco",
    "Nigerian": "Nigeria",
    "Norwegian": "Norway",
    "Polish": "Poland",
    "Portuguese": "Portugal",
    "Romanian": "Romania",
    "Serbian": "Serbia",
    "Slovak": "Slovakia",
    "Slovenian": "Slovenia",
    "Spanish": "Spain",
    "Swedish": "Sweden",
    "Swiss": "Switzerland",
    "Turkish": "Turkey",
    "Ukrainian": "Ukraine",
    "British": "UK",
    "Vietnamese": "Vietnam",
    "Chinese": "China",
    "Indian": "India",
    "Pakistani": "Pakistan",
    "Egyptian": "Egypt",
    "Tunisian": "Tunisia",
    "Libyan": "Libya",
    "Sudanese": "Sudan",
    "Ghanaian": "Ghana",
    "Kenyan": "Kenya",
    "Senegalese": "Senegal",
    "Malian": "Mali",
    "Nigerien": "Niger",
    "Brazilian": "Brazil",
    "American": "USA",
    "Canadian": "Canada",
    "Australian": "Australia",
    "Thai": "Thailand",
    "Filipino": "Philippines",
    "Icelandic": "Iceland",
    "Montenegrin": "Montenegro",
    "Bosnian": "Bosnia and Herzegovina",
    "Macedonian": "North Macedonia",
    "Moldovan": "Moldova",
    "Georgian": "Georgia",
    "Armenian": "Armenia",
}

# The 43 territorial forces of England and Wales and the other UK forces: canonical name ->
# the area name used in "<area> Police", "<area> force", "<area> Constabulary".
_FORCE_AREAS: dict[str, tuple[str, ...]] = {
    "Avon and Somerset Police": ("Avon and Somerset", "Avon & Somerset"),
    "Bedfordshire Police": ("Bedfordshire",),
    "Cambridgeshire Constabulary": ("Cambridgeshire",),
    "Cheshire Constabulary": ("Cheshire",),
    "City of London Police": ("City of London",),
    "Cleveland Police": ("Cleveland",),
    "Cumbria Constabulary": ("Cumbria",),
    "Derbyshire Constabulary": ("Derbyshire",),
    "Devon and Cornwall Police": ("Devon and Cornwall", "Devon & Cornwall"),
    "Dorset Police": ("Dorset",),
    "Durham Constabulary": ("Durham",),
    "Dyfed-Powys Police": ("Dyfed-Powys", "Dyfed Powys"),
    "Essex Police": ("Essex",),
    "Gloucestershire Constabulary": ("Gloucestershire",),
    "Greater Manchester Police": ("Greater Manchester", "GMP"),
    "Gwent Police": ("Gwent",),
    "Hampshire Constabulary": ("Hampshire", "Hampshire and Isle of Wight"),
    "Hertfordshire Constabulary": ("Hertfordshire",),
    "Humberside Police": ("Humberside",),
    "Kent Police": ("Kent",),
    "Lancashire Constabulary": ("Lancashire",),
    "Leicestershire Police": ("Leicestershire",),
    "Lincolnshire Police": ("Lincolnshire",),
    "Merseyside Police": ("Merseyside",),
    "Metropolitan Police": ("Metropolitan", "Met", "Metropolitan Police Service", "MPS"),
    "Norfolk Constabulary": ("Norfolk",),
    "North Wales Police": ("North Wales",),
    "North Yorkshire Police": ("North Yorkshire",),
    "Northamptonshire Police": ("Northamptonshire", "Northants"),
    "Northumbria Police": ("Northumbria",),
    "Nottinghamshire Police": ("Nottinghamshire",),
    "South Wales Police": ("South Wales",),
    "South Yorkshire Police": ("South Yorkshire",),
    "Staffordshire Police": ("Staffordshire",),
    "Suffolk Constabulary": ("Suffolk",),
    "Surrey Police": ("Surrey",),
    "Sussex Police": ("Sussex",),
    "Thames Valley Police": ("Thames Valley",),
    "Warwickshire Police": ("Warwickshire",),
    "West Mercia Police": ("West Mercia",),
    "West Midlands Police": ("West Midlands",),
    "West Yorkshire Police": ("West Yorkshire",),
    "Wiltshire Police": ("Wiltshire",),
}
# Forces whose name is not "<area> Police" and their aliases (these match on their own).
_NAMED_FORCES: dict[str, tuple[str, ...]] = {
    "Police Scotland": ("Police Scotland",),
    "PSNI": ("PSNI", "Police Service of Northern Ireland"),
    "British Transport Police": ("British Transport Police", "BTP"),
    "Metropolitan Police": (
        "Met Police",
        "Metropolitan Police Service",
        "Metropolitan Police",
        "MPS",
        "Met",
    ),
    "Greater Manchester Police": ("GMP",),
    "Ministry of Defence Police": ("Ministry of Defence Police", "MDP"),
    "Civil Nuclear Constabulary": ("Civil Nuclear Constabulary",),
}
FORCE_NAMES: frozenset[str] = frozenset([*_FORCE_AREAS, *_NAMED_FORCES])
# Areas that a force's name implies: a sentence "In Northern Ireland, ..." on a PSNI page is the
# headline operation's own area, not a sub-result.
FORCE_AREAS_IMPLIED: dict[str, tuple[str, ...]] = {
    "Police Scotland": ("Scotland",),
    "PSNI": ("Northern Ireland",),
    "Metropolitan Police": ("London",),
    "City of London Police": ("London",),
}

# UK place names that pin a sentence to the UK: the force areas ("Kent", "West Midlands") and
# the largest cities. Capitalised as written in running text.
UK_PLACE_NAMES: tuple[str, ...] = tuple(
    sorted(
        {
            a
            for areas in _FORCE_AREAS.values()
            for a in areas
            if len(a) > 3 and not a.isupper() and a not in ("Metropolitan",)
        }
        | {
            "London", "Birmingham", "Manchester", "Liverpool", "Leeds", "Sheffield", "Bristol",
            "Newcastle", "Nottingham", "Leicester", "Glasgow", "Edinburgh", "Cardiff", "Belfast",
            "Dover", "Folkestone", "Southampton", "Portsmouth", "Coventry", "Bradford", "Hull",
        },
        key=len,
        reverse=True,
    )
)  # fmt: skip

# Agencies -> aliases. Canonical names are the short names analysts use.
_AGENCIES: dict[str, tuple[str, ...]] = {
    "NCA": ("National Crime Agency", "NCA"),
    "Europol": ("Europol", "EUROPOL", "European Union Agency for Law Enforcement Cooperation"),
    "INTERPOL": ("INTERPOL", "Interpol"),
    "Frontex": ("Frontex", "FRONTEX", "European Border and Coast Guard Agency"),
    "NPCC": (
        "National Police Chiefs' Council",
        "National Police Chiefs’ Council",
        "National Police Chiefs Council",
        "NPCC",
    ),
    "GLAA": ("Gangmasters and Labour Abuse Authority", "GLAA", "Gangmasters Licensing Authority"),
    "Home Office Immigration Enforcement": (
        "Immigration Enforcement",
        "Home Office",
        "Home Office Immigration Enforcement",
    ),
    "Border Force": ("Border Force",),
    "UNODC": ("UNODC", "United Nations Office on Drugs and Crime", "UN Office on Drugs and Crime"),
    "Eurojust": ("Eurojust",),
    "IOM": (
        "IOM",
        "International Organization for Migration",
        "International Organisation for Migration",
    ),
    "HMRC": ("HMRC", "HM Revenue and Customs", "HM Revenue & Customs"),
    "An Garda Síochána": ("An Garda Síochána", "Garda Síochána", "Gardaí", "Garda"),
    "ELA": ("European Labour Authority",),
    "NCLCC": ("National County Lines Coordination Centre", "NCLCC"),
}
# International bodies (a page they publish is about a multi-country action).
INTERNATIONAL_AGENCIES = frozenset(
    {"Europol", "INTERPOL", "Frontex", "UNODC", "Eurojust", "IOM", "ELA"}
)
UK_AGENCIES = frozenset(
    {"NCA", "NPCC", "GLAA", "Home Office Immigration Enforcement", "Border Force", "HMRC", "NCLCC"}
)

# Runs of capitalised words with the lowercase joiners of real names; an optional trailing
# lowercase "police"/"force"/"constabulary" catches "Kent police". Bounded to 12 words (a
# list of country names runs on across a sentence's end: "... on Human Trafficking. Antigua and
# Barbuda, Aruba").
_CAP_RUN = re.compile(
    r"(?<![\w’'])[A-Z][\w’'.&-]*(?:[ \u00a0](?:of|and|on|the|for|de|da|du|[A-Z][\w’'.&-]*)){0,11}"
    r"(?:[ \u00a0](?:police|force|forces|constabulary))?"
)
_WORD = re.compile(r"[^ \u00a0]+")
_POSSESSIVE = re.compile(r"(?:['’]s?|[.,;:])$")
_LAW_NOUN = re.compile(
    r"\s(?:police|authorities|officers|officials|investigators|law enforcement|border guards|"
    r"gendarmerie|prosecutors|agencies|counterparts|forces)\b",
    # titles are title-cased: "Spanish Police Arrest 64"
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Entity:
    kind: str  # COUNTRY, DEMONYM, FORCE or AGENCY
    name: str  # canonical name
    start: int
    end: int
    text: str  # as written


# Acronym aliases ("NCA", "MPS", "US") match only in capitals: "MPs" is not the Met.
_ACRONYMS: set[str] = set()


def _build() -> tuple[dict[str, tuple[str, str]], int]:
    table: dict[str, tuple[str, str]] = {}

    def add(alias: str, kind: str, name: str) -> None:
        key = alias.lower().replace("’", "'")
        table.setdefault(key, (kind, name))
        if alias.replace(".", "").isupper() and len(alias) <= 6:
            _ACRONYMS.add(key)

    for canon, aliases in _NAMED_FORCES.items():
        for a in aliases:
            add(a, FORCE, canon)
    for canon, aliases in _AGENCIES.items():
        for a in aliases:
            add(a, AGENCY, canon)
    for canon, areas in _FORCE_AREAS.items():
        add(canon, FORCE, canon)
        for area in areas:
            for suffix in (" Police", " Constabulary", " police", " force", " Police Service"):
                add(area + suffix, FORCE, canon)
    for canon, aliases in _COUNTRY_NAMES.items():
        add(canon, COUNTRY, canon)
        if canon.startswith("The "):
            add(canon[4:], COUNTRY, canon)
        for a in aliases:
            add(a, COUNTRY, canon)
    for dem, country in _DEMONYMS.items():
        add(dem, DEMONYM, country)
    longest = max(len(k.split()) for k in table)
    return table, longest


_TABLE, _LONGEST = _build()
# The most words a name can have that starts with a given word: a run of capitalised words is
# looked up from each word with every length up to this, and most words start no longer name.
_LONGEST_FROM: dict[str, int] = {}
for _key in _TABLE:
    _first, *_rest = re.split("[ \u00a0]", _key)
    _LONGEST_FROM[_first] = max(_LONGEST_FROM.get(_first, 1), 1 + len(_rest))
# A name starts with a capital; _CAP_RUN is tried only at capitals (its look-behind makes the
# regex engine try it at every character otherwise).
_CAPITAL = re.compile(r"[A-Z]")
# Area names of forces (for "the Leicestershire, West Midlands and Northamptonshire forces").
FORCE_AREA_NAMES: dict[str, str] = {
    area.lower(): canon for canon, areas in _FORCE_AREAS.items() for area in areas
}
# Capitalised words that look like a country alias but are ordinary words at a sentence start.
_AMBIGUOUS = frozenset({"chad", "jordan", "georgia", "guinea", "niger", "korea", "turkey", "met"})


def find_entities(text: str, start: int = 0, end: int | None = None) -> list[Entity]:
    """Countries, nationality adjectives, UK forces and agencies named in ``text[start:end]``."""
    out: list[Entity] = []
    end = len(text) if end is None else end
    for run in finditer_from(_CAP_RUN, _CAPITAL, text, start, end):
        words = [
            (m.group(0), run.start() + m.start(), run.start() + m.end())
            for m in _WORD.finditer(run.group(0))
        ]
        i = 0
        while i < len(words):
            found = None
            longest = _LONGEST_FROM.get(words[i][0].lower().replace("’", "'"), 1)
            for n in range(min(longest, len(words) - i), 0, -1):
                ws, we = words[i][1], words[i + n - 1][2]
                cand = text[ws:we]
                variants = [cand]
                stripped = _POSSESSIVE.sub("", cand) if cand[-1] in "'’s.,;:" else cand
                if stripped != cand:
                    variants.append(stripped)
                if n == 1 and "-" in cand:  # "Interpol-led", "UK-wide", "Frontex-led"
                    variants.append(cand.split("-")[0])
                for v in variants:
                    key = v.lower().replace("’", "'")
                    hit = _TABLE.get(key)
                    if hit is None:
                        continue
                    if key in _ACRONYMS and not v.replace(".", "").isupper():
                        continue
                    kind, name = hit
                    if v.lower() in _AMBIGUOUS and not _ambiguous_ok(v, kind):
                        continue
                    found = (kind, name, ws, ws + len(v), n)
                    break
                if found:
                    break
            if found:
                kind, name, ws, we, n = found
                if kind == DEMONYM and not _LAW_NOUN.match(text, we, min(len(text), we + 30)):
                    i += n
                    continue
                if kind == FORCE and i > 0 and words[i - 1][0] == "New":
                    # "New South Wales Police", "New Hampshire police": places abroad named
                    # after a UK force's area
                    i += n
                    continue
                out.append(Entity(kind, name, ws, we, text[ws:we]))
                i += n
            else:
                i += 1
    return out


def _ambiguous_ok(word: str, kind: str) -> bool:
    """ "Chad", "Turkey", "Met": only in their usual capitalisation."""
    if word == "Met":
        return kind == FORCE
    return word[:1].isupper() and not word.isupper()


@lru_cache(maxsize=256)
def own_name_pattern(name: str) -> re.Pattern[str] | None:
    """Every written form of a force's or agency's name, in any case ("gardaí" is how Irish
    pages write the Garda's officers), as one pattern; None for a name with no forms."""
    forms = (*_NAMED_FORCES.get(name, ()), *_AGENCIES.get(name, ()))
    if not forms:
        return None
    alts = "|".join(re.escape(f) for f in sorted(set(forms), key=len, reverse=True))
    return re.compile(rf"(?<![\w’'])(?:{alts})(?![\w’'])", re.IGNORECASE)


def countries_in(text: str) -> list[Entity]:
    return [e for e in find_entities(text) if e.kind == COUNTRY]


def canonical_agency(name: str | None) -> str | None:
    """Canonical short name of an agency or force from a publisher string, or None."""
    if not name:
        return None
    for e in find_entities(name):
        if e.kind in (AGENCY, FORCE):
            return e.name
    return None


# More nationalities, read only in a list of them before a law-enforcement noun
# (``demonym_list``). Not in _DEMONYMS: as entities they would move the scope rules' reading of
# which side a page reports (measured on the development pages: two right figures lost).
_LIST_DEMONYMS: dict[str, str] = {
    **_DEMONYMS,
    "Cambodian": "Cambodia",
    "Laotian": "Laos",
    "Malaysian": "Malaysia",
    "Indonesian": "Indonesia",
    "Burmese": "Myanmar",
    "Bangladeshi": "Bangladesh",
    "Sri Lankan": "Sri Lanka",
    "Nepali": "Nepal",
    "Nepalese": "Nepal",
    "Afghan": "Afghanistan",
    "Iraqi": "Iraq",
    "Iranian": "Iran",
    "Syrian": "Syria",
    "Jordanian": "Jordan",
    "Lebanese": "Lebanon",
    "Israeli": "Israel",
    "Saudi": "Saudi Arabia",
    "Emirati": "United Arab Emirates",
    "Qatari": "Qatar",
    "Algerian": "Algeria",
    "Ethiopian": "Ethiopia",
    "Eritrean": "Eritrea",
    "Somali": "Somalia",
    "Ugandan": "Uganda",
    "Tanzanian": "Tanzania",
    "Rwandan": "Rwanda",
    "Cameroonian": "Cameroon",
    "Beninese": "Benin",
    "Togolese": "Togo",
    "Gambian": "Gambia",
    "Guinean": "Guinea",
    "Liberian": "Liberia",
    "Sierra Leonean": "Sierra Leone",
    "South African": "South Africa",
    "Zimbabwean": "Zimbabwe",
    "Zambian": "Zambia",
    "Mexican": "Mexico",
    "Colombian": "Colombia",
    "Venezuelan": "Venezuela",
    "Peruvian": "Peru",
    "Bolivian": "Bolivia",
    "Chilean": "Chile",
    "Argentine": "Argentina",
    "Argentinian": "Argentina",
    "Ecuadorian": "Ecuador",
    "Paraguayan": "Paraguay",
    "Uruguayan": "Uruguay",
    "Guatemalan": "Guatemala",
    "Honduran": "Honduras",
    "Salvadoran": "El Salvador",
    "Nicaraguan": "Nicaragua",
    "Costa Rican": "Costa Rica",
    "Panamanian": "Panama",
    "Dominican": "Dominican Republic",
    "Cuban": "Cuba",
    "Haitian": "Haiti",
    "Jamaican": "Jamaica",
    "Japanese": "Japan",
    "Taiwanese": "Taiwan",
    "Mongolian": "Mongolia",
    "Kazakh": "Kazakhstan",
    "Uzbek": "Uzbekistan",
    "Russian": "Russia",
    "Belarusian": "Belarus",
    "Kosovan": "Kosovo",
    "Kosovar": "Kosovo",
    "Chadian": "Chad",
    "Burkinabe": "Burkina Faso",
    "Angolan": "Angola",
    "Mozambican": "Mozambique",
    "Namibian": "Namibia",
    "Malawian": "Malawi",
    "Congolese": "Congo",
    "Singaporean": "Singapore",
    "Mauritanian": "Mauritania",
}


# "Australian children", "Ghanaian victims": a nationality adjective anywhere in a text, as its
# country (find_entities reads one only before a law-enforcement noun).
_DEMONYM_WORD = re.compile(r"\b(" + "|".join(sorted(_DEMONYMS, key=len, reverse=True)) + r")\b")


def demonym_countries(text: str) -> list[str]:
    """The countries of the nationality adjectives written in ``text``, in order."""
    return [_DEMONYMS[m.group(1)] for m in _DEMONYM_WORD.finditer(text)]


# What joins the names of a list ("Chad, Mali and Niger", "the Spanish and the French police"),
# matched whole between two names.
LIST_SEP = re.compile(r"(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)(?:the\s+)?")


def country_runs(text: str, ents: list[Entity], min_len: int = 2) -> list[list[Entity]]:
    """Runs of at least ``min_len`` country names joined only as a list ("Chad, Mali and
    Niger"); other entities between them do not break a run."""
    runs: list[list[Entity]] = []
    cur: list[Entity] = []
    for e in ents:
        if e.kind != COUNTRY:
            continue
        if cur and LIST_SEP.fullmatch(text, cur[-1].end, e.start):
            cur.append(e)
        else:
            if len(cur) >= min_len:
                runs.append(cur)
            cur = [e]
    if len(cur) >= min_len:
        runs.append(cur)
    return runs


# "a wider investigation by Belgian, French and German authorities", "an inquiry carried out
# with French and Dutch counterparts": partners in the investigation behind an action, not the
# countries that took part in it (the labelling conventions).
_INVESTIGATION_BEFORE = re.compile(r"\b(?:investigation|inquiry|enquiry|probe)\b", re.IGNORECASE)


_LIST_DEMONYM_WORD = re.compile(
    r"\b(" + "|".join(sorted(_LIST_DEMONYMS, key=len, reverse=True)) + r")\b"
)


def demonym_list(text: str) -> list[str]:
    """The countries of the first list of two or more nationality adjectives ("Thai and
    Cambodian authorities", "Romanian, Bulgarian and German police") that ends right
    before a law-enforcement noun (each country once), or []. One adjective alone is a
    country's own police, which ``find_entities`` reads."""
    if not _LAW_NOUN.search(text):
        return []
    words = list(_LIST_DEMONYM_WORD.finditer(text))
    i = 0
    while i < len(words):
        run = [words[i]]
        while i + 1 < len(words) and LIST_SEP.fullmatch(text, run[-1].end(), words[i + 1].start()):
            i += 1
            run.append(words[i])
        countries = list(dict.fromkeys(_LIST_DEMONYMS[m.group(1)] for m in run))
        if (
            len(countries) >= 2
            and _LAW_NOUN.match(text, run[-1].end(), run[-1].end() + 30)
            and not _INVESTIGATION_BEFORE.search(text, max(0, run[0].start() - 80), run[0].start())
        ):
            return countries
        i += 1
    return []


def is_country(name: str) -> bool:
    hit = _TABLE.get(name.lower())
    return bool(hit and hit[0] == COUNTRY)


# The country of a publisher's site, from its country-code top-level domain: a national paper
# or police site reports its own country's part ("topky.sk" on a Europe-wide action day is
# Slovakia's page). Not the UK's (the rules' default reading), and not the codes sold as generic
# names (.co, .me, .tv, .io, .fm, .ai, .ly, .am, .to, .cc, .ws, .la).
PUBLISHER_COUNTRY_TLDS: dict[str, str] = {
    "ie": "Ireland", "fr": "France", "de": "Germany", "at": "Austria", "ch": "Switzerland",
    "it": "Italy", "es": "Spain", "pt": "Portugal", "nl": "Netherlands", "be": "Belgium",
    "lu": "Luxembourg", "dk": "Denmark", "se": "Sweden", "no": "Norway", "fi": "Finland",
    "is": "Iceland", "ee": "Estonia", "lv": "Latvia", "lt": "Lithuania", "pl": "Poland",
    "cz": "Czechia", "sk": "Slovakia", "hu": "Hungary", "si": "Slovenia", "hr": "Croatia",
    "ba": "Bosnia and Herzegovina", "rs": "Serbia", "mk": "North Macedonia", "al": "Albania",
    "ro": "Romania", "bg": "Bulgaria", "md": "Moldova", "ua": "Ukraine", "gr": "Greece",
    "cy": "Cyprus", "mt": "Malta", "tr": "Turkey", "ge": "Georgia",
    "ca": "Canada", "mx": "Mexico", "br": "Brazil", "ar": "Argentina", "pe": "Peru",
    "cl": "Chile", "ec": "Ecuador", "bo": "Bolivia", "py": "Paraguay", "uy": "Uruguay",
    "gt": "Guatemala", "do": "Dominican Republic", "tt": "Trinidad and Tobago", "jm": "Jamaica",
    "au": "Australia", "nz": "New Zealand", "ph": "Philippines", "th": "Thailand",
    "vn": "Vietnam", "my": "Malaysia", "id": "Indonesia", "sg": "Singapore", "kh": "Cambodia",
    "in": "India", "pk": "Pakistan", "bd": "Bangladesh", "lk": "Sri Lanka", "np": "Nepal",
    "cn": "China", "jp": "Japan", "kr": "South Korea", "tw": "Taiwan", "hk": "Hong Kong",
    "ng": "Nigeria", "gh": "Ghana", "ke": "Kenya", "ug": "Uganda", "tz": "Tanzania",
    "za": "South Africa", "zm": "Zambia", "sn": "Senegal", "cm": "Cameroon", "eg": "Egypt",
    "ma": "Morocco", "tn": "Tunisia", "il": "Israel", "ae": "United Arab Emirates",
    "qa": "Qatar", "sa": "Saudi Arabia",
}  # fmt: skip


def publisher_country(url: str | None) -> str | None:
    """The country whose country-code domain a page's address is on, or None."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").rstrip(".")
    return PUBLISHER_COUNTRY_TLDS.get(host.rsplit(".", 1)[-1].lower()) if "." in host else None
