"""The noun tables: which class of thing a noun counts, and the noun phrase after a number.

A noun phrase is read token by token from right after the number ("38 people", "99 potential
victims", "24 source, transit and destination countries", "56 knives and weapons") and classified
by its head nouns (``head_class``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tasks.figures.metric_rules.verbs import strong_verb
from tasks.figures.numbers import NUMBER_WORDS_PATTERN

# Noun classes.
ARREST_N = "arrest"
VICTIM_N = "victim"
CHILD_N = "child"
ADULT_N = "adult"
PERSON_N = "person"
GENDER_N = "gender"  # "34 female and 215 male ...": a partition adjective
SUSPECT_N = "suspect"
STAFF_N = "staff"
FORCE_N = "force"
COUNTRY_N = "country"
INVESTIGATION_N = "investigation"
REFERRAL_N = "referral"
WARRANT_N = "warrant"
PREMISES_N = "premises"
VISIT_N = "visit"
WEAPON_N = "weapon"
BLADE_N = "blade"
CASH_N = "cash"
THING_N = "thing"
# The head of a union of people ("vulnerable children and adults"): all victims together.
UNION = "union"

NOUNS: dict[str, str] = {}
for _cls, _words in (
    (ARREST_N, "arrest arrests"),
    (VICTIM_N, "victim victims survivor survivors rescues"),
    (CHILD_N, "children child minors minor juveniles juvenile youngsters under-18s kids"),
    (ADULT_N, "adults adult"),
    (
        PERSON_N,
        "people persons person individuals individual man men woman women boys girls boy girl "
        "workers worker labourers labourer nationals citizens teenagers teenager youths residents "
        # people named by their nationality: "rescued 20 eastern Europeans"
        "europeans romanians albanians bulgarians lithuanians latvians estonians slovaks czechs "
        "hungarians poles ukrainians moldovans nigerians eritreans ethiopians somalis sudanese "
        "afghans iraqis iranians syrians kurds indians pakistanis bangladeshis filipinos thais "
        "cambodians brazilians mexicans guatemalans hondurans venezuelans colombians moroccans "
        "algerians egyptians ghanaians kenyans",
    ),
    (GENDER_N, "male female males females"),
    (
        SUSPECT_N,
        "suspects suspect offenders offender traffickers trafficker smugglers smuggler paedophiles "
        "paedophile members dealers dealer perpetrators criminals exploiters gangmasters holders "
        "line-holders associates abusers pimps facilitators organisers ringleaders fugitives accused "
        "predators runners",
    ),
    (
        STAFF_N,
        "officers officer staff agents investigators personnel participants specialists inspectors "
        "detectives guards police prosecutors partners agencies organisations organizations "
        "delegates volunteers experts analysts teams units representatives officials authorities "
        "bodies employees colleagues",
    ),
    (FORCE_N, "forces force constabularies"),
    (COUNTRY_N, "countries country nations states jurisdictions territories"),
    (INVESTIGATION_N, "investigations investigation inquiries enquiries probes proceedings"),
    (REFERRAL_N, "referrals referral"),
    (WARRANT_N, "warrants warrant"),
    (
        PREMISES_N,
        "premises addresses address properties property homes houses locations sites businesses "
        "brothels brothel washes bars salons shops stores restaurants farms factories venues "
        "hotels workplaces establishments parlours flats takeaways warehouses vineyards "
        "car-washes residences dwellings apartments",
    ),
    (VISIT_N, "visits raids inspections"),
    (WEAPON_N, "weapons weapon"),
    (BLADE_N, "knives knife firearms firearm guns gun machetes swords"),
    (CASH_N, "cash"),
    (
        THING_N,
        "vehicles vehicle cars car documents lines phones plants drugs wraps flights searches checks "
        "nationalities crimes charges offences operations hours days weeks months years migrants "
        "entities cases notices highlights kg grams tonnes pounds euros items packages parcels "
        "boats lorries vans devices accounts messages reports calls miles times per cent percent",
    ),
):
    for _w in _words.split():
        NOUNS[_w] = _cls


# Words that end a noun phrase: prepositions, auxiliaries, relatives, determiners.
_NP_STOP = frozenset({
    "of", "in", "at", "from", "for", "by", "on", "to", "with", "who", "whom", "which", "that",
    "were", "was", "are", "is", "have", "has", "had", "been", "being", "be", "will", "would",
    "could", "may", "might", "across", "during", "after", "before", "since", "including",
    "among", "amongst", "between", "as", "than", "while", "but", "per", "each", "there",
    "where", "when", "into", "over", "under", "through", "within", "without", "about", "said",
    "says", "the", "a", "an", "their", "its", "his", "her", "them", "those", "these", "this",
    "our", "your", "they", "it", "he", "she", "we", "not", "no", "also", "all", "both",
    "either", "neither", "so", "then", "thus", "up", "down", "out", "off", "against", "towards",
    "toward", "via", "around", "near", "like", "unlike",
})  # fmt: skip
GENDER_NOUNS = frozenset({
    "man", "men", "woman", "women", "boy", "boys", "girl", "girls", "male", "males", "female",
    "females",
})  # fmt: skip
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*|[^\sA-Za-z\d]")
# Number words that start the next count inside a noun phrase ("21 children and five adults").
_SMALL_NUMBER_WORDS = frozenset({
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
})  # fmt: skip


def _number_word(w: str) -> bool:
    """ "five", "twenty", "twenty-one" (every part of a hyphenated word a number word)."""
    return w in _SMALL_NUMBER_WORDS or (
        "-" in w and all(part in _SMALL_NUMBER_WORDS for part in w.split("-"))
    )


# A number right after a word: the word is a verb ("raid 12 brothels and arrest five").
_NUMBER_NEXT = re.compile(rf"\s+(?:\d|{NUMBER_WORDS_PATTERN})", re.IGNORECASE)
# A noun phrase ends after this many tokens, and within this many characters of its start.
_MAX_TOKENS = 14
_MAX_CHARS = 160
# Unknown words before the first noun after which a phrase has no head ("the ... in the city").
_MAX_WORDS_BEFORE_NOUN = 5
_ADJECTIVE_JOINERS = frozenset({"and", "or"})
# Adjectives read after "and" before the next noun ("knives and other bladed weapons").
_MAX_ADJECTIVES_AFTER_CONJ = 3
_CONJUNCTIONS = ("and", "or", "&")
_ARTICLES = ("a", "an", "one")

# Two-word names of police forces outside the UK ("53 police services", "40 police agencies",
# "392 law enforcement agencies"): the second word alone is staff or
# no noun. Bare "agencies" stays staff: on UK pages it is partner agencies, which are not forces.
_FORCE_COMPOUNDS = frozenset(
    {
        ("police", "services"),
        ("police", "agencies"),
        ("enforcement", "agencies"),
    }
)
# Singular nouns that are also bare verbs: after a plural noun they are the verb of the clause
# ("4 forces arrest 23 people"), not the head of a compound ("4 forces' arrest figures").
_BARE_VERB_NOUNS = frozenset({"arrest", "raid", "visit", "search", "rescue", "charge", "check"})
# Noun classes that never count the same things as people or victims.
OTHER_COUNTS = frozenset(
    {
        ARREST_N,
        COUNTRY_N,
        FORCE_N,
        INVESTIGATION_N,
        REFERRAL_N,
        WARRANT_N,
        WEAPON_N,
        VISIT_N,
        PREMISES_N,
    }
)
# List labels that decide the metric of a count of people after them ("Arrests: 1,468 people").
LABEL_DECIDES = frozenset({ARREST_N, VICTIM_N, CHILD_N, ADULT_N})


@dataclass(frozen=True, slots=True)
class NounPhrase:
    classes: tuple[str, ...]
    words: tuple[str, ...]
    end: int  # local end offset
    extra_people: int = 0  # "two men and a woman": the persons counted by "a"/"an"
    articles: int = 0  # items added with "and a ..." ("three farms and a packhouse")


def noun_class(word: str) -> str | None:
    """The class of a (lower-case) noun; a hyphenated compound takes its last part's
    ("line-holders" -> suspect)."""
    cls = NOUNS.get(word)
    if cls is None and "-" in word:
        cls = NOUNS.get(word.rsplit("-", 1)[-1])
    return cls


def _plain_word(token: str) -> str:
    w = token.lower().rstrip("'’")
    if w.endswith("'s") or w.endswith("’s"):
        w = w[:-2]
    return w


# Nouns of what officers did or where: the classes a participle before them describes.
_THINGS_DONE = frozenset({VISIT_N, PREMISES_N, WARRANT_N, ARREST_N, INVESTIGATION_N})
_NEXT_WORD = re.compile(r"\s{1,2}([A-Za-z][A-Za-z'’-]*)")


@dataclass(slots=True)
class _PhraseReader:
    """A noun phrase being read, one token at a time; each step says whether the phrase goes on."""

    text: str
    end: int
    classes: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    conj: bool = False  # a conjunction was read: the next noun is coordinated, not a compound
    extra: int = 0
    articles: int = 0
    adjectives_after_conj: int = 0
    pending_article: bool = False

    def punctuation(self, t: str) -> bool:
        if t == "," and not self.conj:
            if self.classes:
                self.conj = True  # "car washes, nail bars and ..."
            return True
        if t in "-–&":
            if t == "&" and self.classes:
                self.conj = True
            return True
        return False

    def word(self, w: str, tok: re.Match[str]) -> bool:
        if _number_word(w) and not (w == "one" and self.conj):
            return False  # the next number: "21 children and five adults", "twenty-one women"
        cls = noun_class(w)
        if self.words and (self.words[-1], w) in _FORCE_COMPOUNDS:
            cls = FORCE_N
        if self.classes:
            return self._after_head(w, cls, tok)
        if w in _NP_STOP or (strong_verb(w) and not self._participle_before_noun(w, tok)):
            return False
        if cls is not None:
            self.classes.append(cls)
            self.end = tok.end()
        self.words.append(w)
        # "and"/"or" join adjectives ("local, state and federal law enforcement agencies"):
        # they add no distance from the number
        return not (
            cls is None
            and sum(1 for x in self.words if x not in _ADJECTIVE_JOINERS) > _MAX_WORDS_BEFORE_NOUN
        )

    def _participle_before_noun(self, w: str, tok: re.Match[str]) -> bool:
        """ "235 targeted visits", "12 raided premises": a participle right before a noun of
        visits, premises, warrants or searches is an adjective, not the verb that ends the
        phrase. (Before people it stays the verb: "387 rescued migrants" were rescued.)"""
        if not w.endswith("ed"):
            return False
        nxt = _NEXT_WORD.match(self.text, tok.end())
        return nxt is not None and noun_class(_plain_word(nxt.group(1))) in _THINGS_DONE

    def _after_head(self, w: str, cls: str | None, tok: re.Match[str]) -> bool:
        if w in _CONJUNCTIONS:
            self.conj = True
            return True
        if self.conj and w in _ARTICLES and not self.pending_article:
            self.pending_article = True
            self.articles += 1
            return True
        if cls is None:
            if (
                self.conj
                and w not in _NP_STOP
                and self.adjectives_after_conj < _MAX_ADJECTIVES_AFTER_CONJ
                and not strong_verb(w)
            ):
                self.adjectives_after_conj += 1
                return True
            return False
        if self.conj and _NUMBER_NEXT.match(self.text, tok.end(), tok.end() + 40):
            return False
        if not self.conj and w in _BARE_VERB_NOUNS and self.words and self.words[-1].endswith("s"):
            return False  # "officers from 4 forces arrest 23 people": a verb, not a compound
        if self.conj:
            self.classes.append(cls)
            if self.pending_article and w in GENDER_NOUNS:
                self.extra += 1
            self.pending_article = False
            self.conj = False
            self.adjectives_after_conj = 0
        elif not (self.classes[-1] in (CHILD_N, ADULT_N) and cls == VICTIM_N):
            # a noun-noun compound: the last noun is the head ("people smugglers", "police
            # forces"); "child victims" stay children, "adult victims" adults
            self.classes[-1] = cls
        self.words.append(w)
        self.end = tok.end()
        return True

    def phrase(self) -> NounPhrase:
        return NounPhrase(
            tuple(self.classes), tuple(self.words), self.end, self.extra, self.articles
        )


def noun_phrase(text: str, pos: int) -> NounPhrase:
    """The noun phrase that starts at ``pos`` (right after a number)."""
    reader = _PhraseReader(text, pos)
    n = 0
    for tok in _TOKEN.finditer(text, pos, min(len(text), pos + _MAX_CHARS)):
        n += 1
        if n > _MAX_TOKENS:
            break
        t = tok.group(0)
        if t[0].isdigit():
            break
        if not t[0].isalpha():
            if reader.punctuation(t):
                continue
            break
        if not reader.word(_plain_word(t), tok):
            break
    return reader.phrase()


# Words that make people before them children: "26 child workers", "nine underage girls".
_CHILD_MODIFIERS = frozenset({"child", "underage", "under-age", "teenage", "juvenile"})


def head_class(np: NounPhrase) -> str | None:
    """The class that decides for a noun phrase, with the rules for unions."""
    cls = [c for c in np.classes]
    if not cls:
        return None
    first = cls[0]
    if cls == [PERSON_N] and _CHILD_MODIFIERS.intersection(np.words[:-1]):
        return CHILD_N  # "26 child workers were freed", "14 underage workers"
    if WEAPON_N in cls and first in (WEAPON_N, BLADE_N):
        # "106 firearms and other weapons"; but "14 arrests and drugs, weapons and cash" counts
        # arrests
        return WEAPON_N
    if first in (CHILD_N, ADULT_N, PERSON_N, GENDER_N) and len(cls) > 1:
        kinds = set(cls)
        if CHILD_N in kinds and (ADULT_N in kinds or PERSON_N in kinds):
            return UNION  # "vulnerable children and adults": all victims together
        if ADULT_N in kinds and PERSON_N in kinds:
            return UNION
    if first == PREMISES_N and (np.articles or any(c not in (PREMISES_N, VISIT_N) for c in cls)):
        # "60 houses and vehicles", "three farms and a packhouse": not a stated count of premises
        return THING_N
    if first == COUNTRY_N:
        return COUNTRY_N
    return first


# "under the age of 18", "aged under 18", "under 18": children; "aged 18 or over": adults.
_UNDER_18_AFTER = re.compile(
    r"(?:\s(?:were|are|was|is|being|all|of\sthem))*\s(?:aged\s)?(?:under|below|younger\sthan|less\sthan)\s"
    r"(?:the\sage\sof\s)?(?:18|eighteen)\b",
    re.IGNORECASE,
)
_OVER_18_AFTER = re.compile(
    r"(?:\s(?:were|are|was|is|being|all|of\sthem))*\s(?:aged\s)?(?:(?:18|eighteen)\s(?:or|and)\s(?:over|older|above)|"
    r"(?:over|above|older\sthan)\s(?:the\sage\sof\s)?(?:18|eighteen)\b)",
    re.IGNORECASE,
)


def age_class(text: str, pos: int) -> str | None:
    """CHILD_N or ADULT_N when the words at ``pos`` put an age bound on the people counted."""
    end = min(len(text), pos + 60)
    if _UNDER_18_AFTER.match(text, pos, end):
        return CHILD_N
    if _OVER_18_AFTER.match(text, pos, end):
        return ADULT_N
    return None
