"""The words around a number that the reading steps test, as named patterns: what makes it a
subset or a part, an addition, a rate or a ratio, a total, a victim.

``before`` patterns are searched in the words before a number and end with ``$``; ``after``
patterns are matched right after the number or its noun phrase.
"""

from __future__ import annotations

import re

# Subsets and additions: never the figure itself.
ADDITIONAL_BEFORE = re.compile(
    r"\b(?:another|the\sother|other|the\sremaining|remaining|the\srest\sof)\s$",
    re.IGNORECASE,
)
# "another 399 children": more of the same count, or a count of something else.
ANOTHER_BEFORE = re.compile(r"\banother\s$", re.IGNORECASE)
# "a further 35 people were safeguarded": often a new result, sometimes a part of one: weak.
FURTHER_BEFORE = re.compile(
    r"\b(?:a\sfurther|further|an\sadditional|additional|extra)\s$", re.IGNORECASE
)
OTHERS_AFTER = re.compile(r"\s(?:others?|more)\b", re.IGNORECASE)
DEMONSTRATIVE_BEFORE = re.compile(r"\b(?:those|these)\s$", re.IGNORECASE)
RATE_AFTER = re.compile(
    r"\s(?:per|a|an|each|every)\s(?:police\s)?(?:force|day|week|month|year|hour|officer|person|head|"
    r"region|area|county)\b",
    re.IGNORECASE,
)
# A ratio, commentator arithmetic: "one arrest for every 1,600 people checked", "one in every five".
RATIO_AFTER = re.compile(r"\s(?:for|in|out\sof)\severy\b", re.IGNORECASE)
ONE_IN_AFTER = re.compile(
    r"\s(?:in|out\sof)\s(?:every\s)?(?:\d|two|three|four|five|six|seven|eight|nine|ten)",
    re.IGNORECASE,
)
RATIO_BEFORE = re.compile(
    r"\b(?:for|in|out\sof)\severy\s$|\b(?:one|1)\s(?:in|out\sof)\s$", re.IGNORECASE
)
# A named country and N others: "Spain, together with 12 other countries", "French police and
# nine other countries". The name must stand right before the joining words.
COUNTRY_WITH_BEFORE = re.compile(
    r"\b[A-Z][\w'’-]+(?:\s(?:authorities|police|officers|investigators|law\senforcement))?,?\s"
    r"(?:together\swith|along\swith|alongside|and|with)\s$"
)

# "Arrests totalled 12", "the number of arrests rose to 40".
TOTALLED_BEFORE = re.compile(
    r"\b(?P<noun>[A-Za-z-]+)\s(?:(?:have|has|had)\s)?(?:totalled|totaled|totalling|totaling|total|"
    r"reached|numbered|stood\sat|rose\sto|came\sto|amounted\sto|hit|topped|was|were)\s$",
    re.IGNORECASE,
)
NUMBER_OF_BEFORE = re.compile(
    r"\bnumber\sof\s(?P<noun>[a-z-]+)\s(?:[a-z]+\s){0,2}(?:was|were|is|reached|stood\sat|rose\sto|totalled)\s$"
    # "bringing the total number of arrests during the operation to 14"
    r"|\b(?:total|number|tally)\s(?:number\s)?of\s(?P<noun2>[a-z-]+)\b[^.;\d]{0,50}?\sto\s$",
    re.IGNORECASE,
)

# "14 were children": a copula before the noun that says what a bare number counted.
# "25 were minors", "25 turned out to be minors", "25 were found to be children"
COPULA = re.compile(
    r"\s(?:(?:were|are|was|is)(?:\s(?:later\s)?(?:found|confirmed)\sto\sbe)?|"
    r"turned\sout\sto\sbe|proved\sto\sbe)\s(?:all\s|also\s)?",
    re.IGNORECASE,
)
# "of those arrested", "of the arrests": the whole is the arrests.
REFERENT = re.compile(
    r"\sof\s(?:those|the|these)\s(?:[\w,]+\s){0,3}?(?:(?P<arrests>arrested|arrests|detained|held)|"
    r"(?P<victims>identified|found|rescued|safeguarded|victims|potential\svictims))\b",
    re.IGNORECASE,
)
# The rest of the whole's description, then the part's copula: "... identified as potential
# victims were children".
REFERENT_TAIL_COPULA = re.compile(
    r"\sas\s(?:potential\s|possible\s|suspected\s)?victims(?:\sof\s[a-z ]{1,40}?)?"
    r"\s(?:were|are|was|is)\s(?:all\s|also\s)?",
    re.IGNORECASE,
)
# "Of the potential victims, 14 were children": a sentence that opens on the whole it splits.
OPENER_CLAUSE_END = re.compile(r",\sand\s|;|\.\s")
OPENER = re.compile(
    r"^(?:Of|Among|Amongst)\s(?:the|those|these|all)\s(?:[\d,. ]+\s)?(?P<np>[^,;:]{2,60}?),\s"
)
# The metric of the whole a sentence opens on ("Of those arrested, ...", "Of those safeguarded,
# ...").
OPENER_ARRESTS = re.compile(r"\b(?:arrested|arrests|detained)\b", re.IGNORECASE)
OPENER_VICTIMS = re.compile(r"\b(?:safeguarded|identified|rescued|found)\b")
OPENER_VICTIMS_BARE = re.compile(r"\b(?:safeguarded|identified|rescued|found|freed|supported)\b")
SUBSET_AFTER = re.compile(
    r"\sof\s(?:them|those|these|whom|which|the|its|their|his|her|all|our)\b(?:\s(?:are|were|being|was)\b)?",
    re.IGNORECASE,
)
# A part named after its whole: "visits were made to many businesses, eight car washes among
# them", "raided properties, six nail bars among them".
AMONG_THEM_AFTER = re.compile(r"\s(?:among|amongst)\s(?:them|those|these)\b", re.IGNORECASE)
SUBSET_BEFORE = re.compile(
    r"\b(?:including|includes|included|among\sthem|amongst\sthem|among\swhom|of\swhom|of\swhich|"
    r"of\sthese|of\sthose|such\sas|comprising|comprised|consisted\sof|consisting\sof|made\sup\sof|"
    # "A property in Derry was among 27 brothels raided": the number is the whole, the thing
    # before it the part
    r"incl\.|(?<!\bwas\s)(?<!\bwere\s)(?<!\bis\s)(?<!\bare\s)(?:among|amongst))"
    # "Of these, eight were children": the comma after the whole's pointer
    r",?\s(?:(?:at|in|from|on)\s)?$",
    re.IGNORECASE,
)
# The whole a part belongs to, named just before it: "The potential victims, 23 of whom ...".
VICTIM_WHOLE_BEFORE = re.compile(
    r"\b(?:victims|survivors|(?:people|persons|individuals)\s(?:safeguarded|rescued|identified))"
    r"[^.;:\d]{0,30},\s$",
    re.IGNORECASE,
)
# People described as victims by a relative clause or a participle: "who showed signs of being
# exploited", "showing indicators of modern slavery", "believed to be victims of trafficking".
VICTIM_DESC_AFTER = re.compile(
    r",?\s(?:(?:who|that)\s(?:(?:were|was|had|have|are|all)\s){0,2})?"
    r"(?:(?:showed|showing|show|shown|displayed|displaying|exhibited|exhibiting|presented|presenting|"
    r"bore|bearing|had|having|with|gave|giving)\s(?:\w+\s){0,2}(?:signs|indicators|indications|"
    r"hallmarks)\sof"
    r"|(?:believed|thought|suspected|feared|assessed|considered|found)\sto\s(?:be|have\sbeen)\s"
    r"(?:\w+\s){0,2}(?:victims|exploited|trafficked|enslaved))\b",
    re.IGNORECASE,
)
# What a bare number found as victims must say after it: "99 were identified as potential
# victims", "114 safeguarded".
VICTIM_TAIL_AFTER = re.compile(
    r"(?:\s\w+){0,4}\s(?:as\s(?:potential\s|possible\s)?victims|safeguarded|rescued|freed)",
    re.IGNORECASE,
)
# A dash or colon before a split: "26 victims were identified - 21 children and five adults".
APPOSITION_BEFORE = re.compile(r"(?:\s[-–—]|:)\s$")
# Children or adults named as a part of the victims: "Among those rescued were 14 children",
# "nearly 1,000 children were among the 2,300 victims identified".
AMONG_VICTIMS_BEFORE = re.compile(
    r"\b(?:among|amongst)\s(?:the|those)\b[^,.;:]{0,40}?\b(?:victims|safeguarded|rescued|identified|"
    r"found|freed)\b[^,.;:]{0,20}?\s(?:were|are|was|is)\s(?:also\s)?$",
    re.IGNORECASE,
)
AMONG_VICTIMS_AFTER = re.compile(
    r"\s(?:were|are)\s(?:also\s)?(?:among|amongst)\s(?:the|those)\b[^.;:]{0,40}?"
    r"\b(?:victims|safeguarded|rescued|identified|found|freed)\b",
    re.IGNORECASE,
)
# "of whom 30 were children and 40 adults": the gap after a part stated with a copula.
COPULA_PART_GAP = re.compile(
    r"\s(?:were|are|was|is)\s(?:[a-z-]{1,20}\s){0,2}?(?:children|minors|adults|juveniles|"
    r"under-18s|women|men|girls|boys)\s(?:and|,|,\sand)\s",
    re.IGNORECASE,
)
# "identified as potential victims", "were potential victims": what a part was found to be.
AS_VICTIMS_AFTER = re.compile(
    r"(?:\s\w+){0,4}?\s(?:as\s(?:potential|possible|suspected|likely|probable)\svictims|"
    r"(?:were|are)\s(?:all\s)?(?:potential|possible|suspected)\svictims)\b",
    re.IGNORECASE,
)
# "a man and two women were arrested": one more person named before the number.
LEADING_PERSON = re.compile(
    r"(?:^|[^\w-])(?:a|an)\s(?:[\w-]+\s)?(?:man|woman|boy|girl|teenager|youth)\s(?:and|&)\s$",
    re.IGNORECASE,
)
