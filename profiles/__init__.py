"""The source profiles, one module each, and the registry that names them.

A profile (profiles/base.py, ``Profile``) holds everything of one kind of source: how its
pages are recognised, its article URL pattern, its listing parser, its page rules and its
URL rule. Adding one is a new module here that defines ``PROFILE`` and a line in ``NAMES``.

Import direction: the profile modules import what they build on (tasks/article's modules
for page rules, tasks/discover.py for listing helpers); those, and config/sources.py, import
only this registry and profiles/base.py, which import no profile module. The profile
modules are imported on the first call that needs one (``get``, ``all_profiles``,
``detect``, ``listing_parser``), never at import time, so config/sources.py, imported
before anything else, can name the profiles without bs4 and without an import cycle.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING

from profiles.base import host_of

if TYPE_CHECKING:
    from profiles.base import ListingParser, Profile

# The registry, in detection order: a page is asked about each in turn (by host, then by
# markup), and one no profile claims is GENERIC's.
NAMES: tuple[str, ...] = (
    "nca",
    "europol",
    "govuk",
    "generic",
)
GENERIC = "generic"


def names() -> tuple[str, ...]:
    """Every profile name, in registry order."""
    return NAMES


@functools.cache
def all_profiles() -> tuple[Profile, ...]:
    """Every profile, in registry order."""
    return tuple(importlib.import_module(f"{__name__}.{name}").PROFILE for name in NAMES)


def get(name: str) -> Profile:
    """The profile called ``name``; KeyError, naming the valid ones, for any other name."""
    if name not in NAMES:
        raise KeyError(f"unknown profile {name!r} (expected one of {', '.join(NAMES)})")
    return all_profiles()[NAMES.index(name)]


def detect(url: str | None, html: str | bytes | None = None) -> str:
    """Which profile a page is: by host first, then by markup (mirrors, test servers)."""
    host = host_of(url)
    if host:
        for profile in all_profiles():
            if profile.owns_host(host):
                return profile.name
    if html:
        text = html if isinstance(html, str) else bytes(html).decode("latin-1")
        for profile in all_profiles():
            if profile.owns_markup(text):
                return profile.name
    return GENERIC


def listing_parser(name: str) -> ListingParser:
    """The listing parser of profile ``name``: its own, else the generic one."""
    parser = get(name).listing or get(GENERIC).listing
    assert parser is not None, "the generic profile parses listings"
    return parser


__all__ = ["GENERIC", "NAMES", "all_profiles", "detect", "get", "listing_parser", "names"]
