"""The verb tables: the verb before a number ("arrested 105 foreign nationals", "the arrest of
219 persons") and the verb after its noun phrase ("38 people ... have been arrested"), each
sorted into a class by its named group."""

from __future__ import annotations

import functools
import re

# The verb classes, in the order ``verb_class`` tries the groups of a match.
VERB_CLASSES = ("arrest", "charge", "refer", "victim", "visit", "execute", "seize", "neutral")
# The class of verbs that say nothing of what was counted ("walked", "worked").
NEUTRAL = "neutral"

# Verb classes after the noun phrase (the first one in the clause decides).
VERB_AFTER = re.compile(
    r"\b(?:"
    # "20 women held in sexual slavery", "held captive", "held against their will": kept as
    # victims, not detained by police
    r"(?P<arrest>arrested|detained|apprehended|held(?!\s(?:in\s(?:[a-z]+\s)?(?:slavery|servitude|"
    r"captivity|bondage|conditions)|captive|hostage|against|as\s(?:slaves?|prisoners?|captives?)))|"
    r"taken into custody|in custody|into custody|under arrest|"
    r"remanded|rounded up|locked up|nabbed|captured|picked up)"
    r"|(?P<charge>charged)"
    r"|(?P<refer>referred)"
    # "12 children were found to be living at the addresses" says where people were, not that
    # they were found as victims
    r"|(?P<victim>safeguarded|rescued|freed|set free|identified|located|"
    r"found(?!\s+to\s+be\s+(?:living|staying|residing|present|resident)\b)|"
    r"protected|kept from harm|"
    r"kept safe|prevented from (?:being )?harm(?:ed)?|from (?:being )?harm(?:ed)?|came to light|"
    r"(?:moved|taken|brought|led) to (?:a place of )?safety|(?:placed|taken) (?:in|into) (?:care|safe\w*)|"
    r"engaged|supported|recovered|removed from harm|helped|saved|liberated|discovered|made safe|safe|"
    r"(?:taken|moved|brought) to (?:an? |the )?(?:specialist |safe )?(?:victim )?reception cent(?:re|er)s?|"
    r"(?:taken|moved|brought|placed) (?:to|in|into) (?:an? |the )?(?:safe house|shelter|refuge)s?)"
    r"|(?P<visit>visited|searched|raided|inspected|entered|checked|targeted|covered|examined)"
    r"|(?P<execute>executed|served)"
    r"|(?P<seize>seized|confiscated|taken|removed)"
    r"|(?P<neutral>walked|stopped|sought|wanted|face|faces|facing|worked|work|working|came|went|"
    r"travelled|traveled|brought|sent|deployed|met|attended|took part|participated|detected|"
    r"intercepted|interviewed|questioned|reported|accused|convicted|sentenced|jailed|screened|"
    r"registered|killed|died|escaped|shut|closed|dismantled|disrupted)"
    r")\b",
    re.IGNORECASE,
)
# The verb (or action noun) right before a number.
VERB_BEFORE = re.compile(
    r"\b(?:"
    # headline verbs in the present ("Niger Arrests 18, Rescues 232", "Police Nab 12 Suspects")
    r"(?P<arrest>arrested|arresting|arrest|arrests of|arrests|detains|nabs|nab|detained|detaining|"
    r"detain|apprehended|rounded\sup|rounding\sup|round\sup|"
    # "captured 19", "the capture of 19 people": Latin American pages' word for an arrest
    r"apprehending|held|holding|captured|capturing|(?:the\s)?(?:arrest|arrests|detention|capture)\sof)"
    r"|(?P<charge>charged|charging|charges\s(?:(?:were|have\sbeen|had\sbeen|was)\s)?(?:brought|laid|filed)\sagainst|"
    r"(?:brought|laid|filed)\scharges\sagainst)"
    r"|(?P<victim>safeguarded|safeguarding|safeguard|safeguards|rescued|rescuing|rescue|rescues|"
    r"freed|freeing|free|frees|saves|"
    r"identified|identifying|identify|located|locating|protected|protecting|protect|found|finding|find|"
    r"finds|supported|helped|saved|engaged with|engaged|discovered|removed|removing|"
    r"(?:the\s)?[“\"‘']?(?:identification|rescue|"
    r"safeguarding|protection|freeing|liberation)[”\"’']?\sof|"
    # "safeguarding measures being put in place for over 70 vulnerable people"
    r"safeguarding\s(?:measures|plans|arrangements)\s(?:(?:were|was|have\sbeen|had\sbeen|being)\s)?"
    r"(?:put\sin\splace|arranged|made|agreed)\sfor|"
    # "police made sure of the safety of 16 people", "ensured the safety of 12 women"
    r"(?:made|make|making|ensured|ensure|ensuring)\s(?:sure\sof\s)?the\ssafety\sof)"
    r"|(?P<refer>referred|referring|refer)"
    r"|(?P<visit>visited|visiting|searched|searching|raided|raiding|raid|raids|inspected|inspecting|"
    r"inspections\sat|inspections\sof|visits\sto|raids\son|searches\s(?:of|at)|entered|checked|"
    r"checking|targeted|targeting|covered|covering|went\sto|going\sto|called\sat|calling\sat|"
    r"attended|attending|swooped\son|swooping\son|descended\son|sent\sto|deployed\sto)"
    r"|(?P<execute>executed|executing|execute)"
    r"|(?P<seize>seized|seizing|seize|recovered|recovering|confiscated)"
    # a verb in quotation marks: had "safeguarded" 1,434 people
    r")[”\"’']?\s(?:(?:a\stotal\sof|in\stotal|a\sfurther|some|all|just|only)\s)?(?P<the>the\s)?$",
    re.IGNORECASE,
)
# A bare number's verb right after it, past auxiliaries only: "16 were arrested", "six charged".
BARE_VERB_AFTER = re.compile(
    r"(?:\s+(?:have|has|had|were|was|are|is|been|being|be|now|also|all|quickly|later|since|then|"
    r"subsequently|reportedly|so\sfar|already))*\s+(?:arrested|detained|held|charged|apprehended|captured|"
    r"taken\sinto\scustody|under\sarrest|in\scustody|remanded)\b",
    re.IGNORECASE,
)


def verb_class(m: re.Match[str]) -> str:
    for name in VERB_CLASSES:
        if m.group(name):
            return name
    return NEUTRAL


@functools.lru_cache(maxsize=4096)
def strong_verb(word: str) -> bool:
    """A verb that ends a noun phrase ("arrested", "identified"); neutral verbs such as
    "working" may be adjectives ("illegal working visits")."""
    v = VERB_AFTER.fullmatch(word)
    return v is not None and verb_class(v) != NEUTRAL
