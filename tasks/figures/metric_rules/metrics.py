"""(noun class, verb class) -> metric, with the words of the sentence that a class needs
("referred" is an NRM referral only where the NRM is named; "countries" are the operation's only
where police or an action are)."""

from __future__ import annotations

import re
from collections.abc import Callable

from tasks.figures.metric_rules.nouns import (
    ADULT_N,
    ARREST_N,
    CHILD_N,
    COUNTRY_N,
    FORCE_N,
    GENDER_N,
    INVESTIGATION_N,
    PERSON_N,
    PREMISES_N,
    REFERRAL_N,
    SUSPECT_N,
    THING_N,
    UNION,
    VICTIM_N,
    VISIT_N,
    WARRANT_N,
    WEAPON_N,
    NounPhrase,
)
from tasks.figures.numbers import NUMBER_WORDS_PATTERN

NRM = re.compile(
    r"\b(?:NRM|National Referral Mechanism|[Rr]eferral [Mm]echanism|[Dd]uty to [Nn]otify)\b"
    # "referred as potential victims of slavery": the NRM is the referral of victims
    r"|\breferr(?:ed|als?)\s(?:\w+\s){0,3}?as\s(?:potential|possible|suspected)\svictims\sof\s"
    r"(?:modern\s)?(?:slavery|trafficking|human\strafficking)"
)
_VICTIM_CUE = re.compile(
    r"\b(?:victim|vulnerable|exploit|traffick|safeguard|rescu|harm|enslav|slavery|reception\scent|"
    r"freed|freeing|set\sfree|liberat|forced\s(?:labou?r|work|prostitution|begging|criminality)|"
    r"safety\b|safe\b)",
    re.IGNORECASE,
)
_COUNTRY_CUE = re.compile(
    r"\b(?:police|authorities|law enforcement|officers|investigators|detectives|prosecutors|"
    r"officials|specialists|experts|teams|operation|action|took part|taking part|"
    r"participat\w*|involved|involving|joined|teamed up|carried out|across|agencies|forces|"
    r"member states|worked|working|in\s+\d)",
    re.IGNORECASE,
)
_COUNTRY_NOT = re.compile(
    r"\b(?:participants|delegates|meeting|met in|conference|summit|workshop|training|drawn from|"
    r"nationalities|citizens of|nationals of|born in)\b",
    re.IGNORECASE,
)
_VISIT_CUE = re.compile(
    r"\b(?:visit\w*|search\w*|raid\w*|inspect\w*|warrants?|entered|checks?|checked|attended|"
    r"carried\sout\sat|conducted\sat)\b",
    re.IGNORECASE,
)
# People referred for safeguarding or support (not into the NRM): the victims the operation
# engaged. "48 vulnerable people ... were referred to safeguarding teams / partner agencies".
_SAFEGUARD_REFERRAL = re.compile(
    r"\b(?:referred|signposted)\s(?:[\w,]+\s){0,5}?(?:on\s)?(?:to|into|for)\s(?:(?:the|their|local|relevant|appropriate|specialist|"
    r"dedicated|statutory|council|multi-agency)\s){0,3}(?:[\w'’-]+\s)?"
    r"(?:safeguarding|support\b|partner\sagencies|partners\b|social\sservices|social\scare|"
    r"children'?s\sservices|victim\ssupport|charities)",
    re.IGNORECASE,
)

# Noun classes that state their metric whatever the verb.
_FIXED_METRIC: dict[str | None, str] = {
    ARREST_N: "arrests",
    FORCE_N: "forces_involved",
    INVESTIGATION_N: "new_investigations",
    WARRANT_N: "warrants_executed",
    WEAPON_N: "weapons_seized",
}
# People arrested or charged, whoever they are.
_PEOPLE_VERB_METRIC = {"arrest": "arrests", "charge": "charged"}
# Children or adults among the victims; any other people are victims as a whole.
_VICTIM_PART_METRIC: dict[str | None, str] = {
    CHILD_N: "victims_children",
    ADULT_N: "victims_adults",
}
_VISIT_WORDS = ("visits", "raids", "inspections")

# A rule: (head, verb, sentence, context, noun phrase) -> metric.
_Rule = Callable[[str | None, str | None, str, str, NounPhrase], str | None]


def _victims(
    head: str | None, verb: str | None, sentence: str, context: str, np: NounPhrase
) -> str | None:
    if verb == "refer" and NRM.search(context):
        return "nrm_referrals"
    return "potential_victims"


# Verbs that rescue people: the victim verbs, and "recovered" or "removed" said of people
# ("recovered five children and 52 adults", "removed 51 children from harm"), which of things
# means seized.
_RESCUE_VERBS = frozenset({"victim", "seize"})


def _referred_for_support(
    head: str | None, verb: str | None, sentence: str, np: NounPhrase
) -> str | None:
    """People referred for safeguarding or support rather than into the NRM: the victims the
    operation engaged ("48 vulnerable people were referred to partner agencies for support")."""
    if verb != "refer" or NRM.search(sentence):
        return None
    referral = _SAFEGUARD_REFERRAL.search(sentence)
    if referral and ("vulnerable" in np.words or "safeguarding" in referral.group(0).lower()):
        return _VICTIM_PART_METRIC.get(head, "potential_victims")
    return None


def _children_or_adults(
    head: str | None, verb: str | None, sentence: str, context: str, np: NounPhrase
) -> str | None:
    """Children, adults or both together ("vulnerable children and adults")."""
    referred = _referred_for_support(head, verb, sentence, np)
    if referred:
        return referred
    if verb in _PEOPLE_VERB_METRIC:
        return _PEOPLE_VERB_METRIC[verb]
    if verb == "refer" and NRM.search(context):
        return "nrm_referrals"
    if verb in _RESCUE_VERBS:
        return _VICTIM_PART_METRIC.get(head, "potential_victims")
    return None


def _people(
    head: str | None, verb: str | None, sentence: str, context: str, np: NounPhrase
) -> str | None:
    """People, men or women, suspects, or a bare number ("16 were arrested")."""
    if head == PERSON_N:
        referred = _referred_for_support(head, verb, sentence, np)
        if referred:
            return referred
    if verb in _PEOPLE_VERB_METRIC:
        return _PEOPLE_VERB_METRIC[verb]
    if verb == "visit" and head in (PERSON_N, None) and "vulnerable" in np.words:
        # "42 vulnerable people visited": a safeguarding visit (the labelling convention)
        return "potential_victims"
    if head == SUSPECT_N:
        return None
    if verb == "refer" and NRM.search(context):
        return "nrm_referrals"
    if verb in _RESCUE_VERBS and head != GENDER_N and _VICTIM_CUE.search(sentence):
        if _LABOUR_VIOLATION_AFTER.match(sentence, np.end):
            return None  # workers affected by labour-law breaches are not trafficking victims
        if _only_identified_vulnerable(np, sentence):
            return None
        if head == PERSON_N and np.words:
            # "eight women ... taken to a reception centre": men and women are adults, boys
            # and girls children (the corpus convention)
            group = _GENDERED_GROUP.get(np.words[0])
            if group == "victims_adults" and _MINORS_AMONG.match(sentence, np.end):
                group = None  # "Nine women, four of them minors, were rescued": not all adults
            if group is not None:
                return group
        return "potential_victims"
    return None


# What the operation did for people beyond finding them: safeguarding, engaging, referring,
# rescuing, supporting, or the page calling them victims.
_MORE_THAN_IDENTIFIED = re.compile(
    r"\b(?:safeguard\w*|engag\w*|referr\w*|rescu\w*|protect\w*|support\w*|safety|victims?|"
    r"exploit\w*|traffick\w*|enslav\w*|slavery)\b",
    re.IGNORECASE,
)
_IDENTIFIED = re.compile(r"\bidentif(?:y|ied|ying|ication)\b", re.IGNORECASE)


def _only_identified_vulnerable(np: NounPhrase, sentence: str) -> bool:
    """ "more than 50 vulnerable people identified", with nothing done for them and no one
    called a victim: not potential victims (the labelling convention, round 4)."""
    return (
        "vulnerable" in np.words
        and _IDENTIFIED.search(sentence) is not None
        and _MORE_THAN_IDENTIFIED.search(sentence) is None
    )


# "312 workers affected by labour law violations", "3,000 workers experiencing some form of
# labour abuse": people a labour inspection found wronged, a look-alike of victims.
_LABOUR_VIOLATION_AFTER = re.compile(
    r"\s+(?:who\s+were\s+|who\s+are\s+)?(?:affected\s+by|subject(?:ed)?\s+to|facing|experiencing|"
    r"suffering)\s+(?:\w+\s+){0,4}?(?:violations?|breaches|irregularities|abuses?|infringements|"
    r"non-compliance)\b",
    re.IGNORECASE,
)
# Minors among a group of men or women: ", four of them minors", ", some of them minors",
# ", including two girls".
_MINORS_AMONG = re.compile(
    rf"\s*,\s*(?:(?:\d+|{NUMBER_WORDS_PATTERN}|some|many|most|several|a\s+few)\s+of\s+"
    rf"(?:them|whom)|among\s+them|including)\s+"
    rf"(?:(?:\d+|{NUMBER_WORDS_PATTERN})\s+)?(?:[\w-]+\s+)?(?:minors?|children|child|girls?|boys?|"
    r"juveniles?|teenagers?|under-?18s?|underage)\b",
    re.IGNORECASE,
)
_GENDERED_GROUP = {
    **dict.fromkeys(("man", "men", "woman", "women"), "victims_adults"),
    **dict.fromkeys(("boy", "boys", "girl", "girls"), "victims_children"),
}


def _countries(
    head: str | None, verb: str | None, sentence: str, context: str, np: NounPhrase
) -> str | None:
    if _COUNTRY_CUE.search(sentence) and not _COUNTRY_NOT.search(sentence):
        return "countries_involved"
    return None


# "27 safeguarding referrals", "social care referrals": referrals that are not into the NRM.
_NOT_NRM_REFERRAL = frozenset({"safeguarding", "social", "care", "welfare", "housing", "health"})
# "18 safeguarding referrals were made", "12 new CSE referrals": one referral per person at risk,
# so the operation's potential victims (the labelling convention, round 4).
_SAFEGUARDING_REFERRAL = frozenset({"safeguarding", "cse", "welfare"})


def _referrals(
    head: str | None, verb: str | None, sentence: str, context: str, np: NounPhrase
) -> str | None:
    if _SAFEGUARDING_REFERRAL.intersection(np.words):
        return "potential_victims"
    if _NOT_NRM_REFERRAL.intersection(np.words):
        return None
    return "nrm_referrals" if NRM.search(context) else None


# "30 visits to schools": awareness visits, not visits of premises where people may be exploited.
_AWARENESS_VISIT_AFTER = re.compile(
    r"\s+(?:to|at|in)\s+(?:local\s+)?(?:schools|colleges|universities|youth\s+clubs|community)\b",
    re.IGNORECASE,
)


_AWARENESS_PLACES = frozenset({"school", "schools", "college", "colleges", "university"})


def _visits(
    head: str | None, verb: str | None, sentence: str, context: str, np: NounPhrase
) -> str | None:
    if _AWARENESS_VISIT_AFTER.match(sentence, np.end) or _AWARENESS_PLACES.intersection(np.words):
        return None  # "103 school visits", "visits to schools"
    if "safeguarding" in np.words:
        # "65 safeguarding visits took place": one visit per person at risk, so the operation's
        # potential victims (the labelling convention, round 4)
        return "potential_victims"
    if any(w in _VISIT_WORDS for w in np.words):
        return "premises_visited"
    return None


def _premises(
    head: str | None, verb: str | None, sentence: str, context: str, np: NounPhrase
) -> str | None:
    if verb == "visit" or _VISIT_CUE.search(sentence):
        return "premises_visited"
    return None


# The rule of each noun class whose metric depends on the verb or the sentence; a class with
# neither a fixed metric nor a rule (things, staff, blades, cash) is no figure here.
_RULES: dict[str | None, _Rule] = {
    VICTIM_N: _victims,
    CHILD_N: _children_or_adults,
    ADULT_N: _children_or_adults,
    UNION: _children_or_adults,
    PERSON_N: _people,
    GENDER_N: _people,
    SUSPECT_N: _people,
    None: _people,
    COUNTRY_N: _countries,
    REFERRAL_N: _referrals,
    VISIT_N: _visits,
    PREMISES_N: _premises,
}


def metric_for(
    head: str | None, verb: str | None, *, sentence: str, context: str, np: NounPhrase
) -> str | None:
    """Map (noun class, verb class) to a metric."""
    fixed = _FIXED_METRIC.get(head)
    if fixed is not None:
        return fixed
    rule = _RULES.get(head)
    return rule(head, verb, sentence, context, np) if rule is not None else None


# Searches of premises are how a search warrant is executed: "carried out 457 house searches",
# "warrants were executed at seven addresses". Not stop-and-search, vehicle or online searches.
_SEARCH_WARRANT_WORDS = frozenset({"searches", "search"})
_NOT_PREMISES_SEARCH = frozenset(
    {"stop", "vehicle", "vehicles", "online", "database", "person", "body", "strip", "computer"}
)
_STOP_AND_SEARCH = re.compile(r"\bstop(?:\s(?:and|&)\s|-)search", re.IGNORECASE)
_WARRANTS_AT_BEFORE = re.compile(
    r"\bwarrants?\s(?:(?:were|was|have\sbeen|had\sbeen)\s)?(?:(?:executed|carried\sout|served|"
    r"conducted)\s)?(?:at|on|across)\s(?:a\stotal\sof\s)?$",
    re.IGNORECASE,
)


def warrant_reading(head: str | None, np: NounPhrase, before: str, text: str) -> str | None:
    """``warrants_executed`` for searches of premises, ``""`` for arrest warrants (never a
    figure: a warrant to arrest is not a search), None when the rule does not apply."""
    if head == WARRANT_N and "arrest" in np.words:
        return ""  # "served 367 arrest warrants", "European arrest warrants"
    if head == PREMISES_N and _WARRANTS_AT_BEFORE.search(before):
        return "warrants_executed"  # "carried out warrants at seven addresses"
    if (
        head == THING_N
        and np.words
        and np.words[-1] in _SEARCH_WARRANT_WORDS
        and not _NOT_PREMISES_SEARCH.intersection(np.words)
        and not _STOP_AND_SEARCH.search(text)
    ):
        return "warrants_executed"
    return None
