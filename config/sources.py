"""The sources file: what to crawl, how, and how politely (docs/CONTRACTS.md, "The sources file").

``load_sources(path)`` reads ``config/sources.yaml`` (or any file of the same shape),
validates every entry and returns frozen ``Source`` models. Any problem raises
``SourcesError`` with a single line that names the file, the entry and the fault, so
``optally run --sources FILE`` can print it as is and exit non-zero.

docs/SOURCES.md documents every key; keep the two in step.
"""

from __future__ import annotations

import difflib
import functools
import re
import reprlib
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

import yaml
from publicsuffixlist import PublicSuffixList
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

import profiles
from config.settings import get_settings

Kind = Literal["listing", "feed", "sitemap", "urls", "govuk_search", "wayback"]
# The registry's names (profiles/__init__.py), so an unknown one is refused listing them.
Profile = Literal[profiles.NAMES]  # type: ignore[valid-type]
Schedule = Literal["daily", "backfill", "both"]
RobotsOnError = Literal["disallow", "allow"]


_HOST_RE = re.compile(r"^(?:\*\.)?[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?$")

# The shipped file is about 8 KB. The cap keeps a runaway or hostile file from being read
# and parsed (twice, before the fix) before anything starts.
MAX_SOURCES_BYTES = 1024 * 1024
# Nodes that aliases may stand for, all aliases together. The shipped file's keyword
# aliases stand for about 100; a billion-laughs file of 482 bytes stands for 9**9 strings.
ALIAS_NODE_BUDGET = 10_000
# The most characters of a value from the file that an error message repeats.
MAX_ECHO_CHARS = 80
_MERGE_TAG = "tag:yaml.org,2002:merge"


# A `wayback` source's archive (tasks/wayback.py): the public Wayback Machine's CDX index,
# and the prefix of its captures (``<prefix><timestamp>id_/<original>``).
DEFAULT_CDX_URL = "http://web.archive.org/cdx/search/cdx"
DEFAULT_CAPTURE_URL = "https://web.archive.org/web/"
# The archive's own limit: the Internet Archive throttles clients above about 15 requests
# a minute on the Wayback Machine's APIs, so a `wayback` source asks at most once every
# 4 s (its CDX listing and its captures alike) unless it sets a slower `rate_limit`; a
# faster one is refused. Only an archive on a loopback address (a local test server)
# may set a faster one.
WAYBACK_RATE_LIMIT = 15 / 60  # requests per second
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# The source of pages a user names by hand (`optally add`): only their own hosts allowed.
MANUAL_SOURCE = "manual"


class SourcesError(ValueError):
    """The sources file is missing, unreadable or invalid. The message is one line."""


# "scheme://authority" at the very start of a URL; the authority runs to the first "/",
# "?" or "#", as urllib.parse reads it (the widest reading: urllib3 also stops at "\").
_AUTHORITY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)")


def url_problem(url: str) -> str | None:
    """Why ``url`` must be refused before any parser reads its host, or None.

    The URL parsers disagree on exactly these characters: urllib.parse ends the authority
    at "/", "?" or "#" and deletes tabs and newlines anywhere, urllib3 (which requests
    connects with) also ends it at "\\". A host checked with one reading and dialled with
    the other is how ``http://127.0.0.2\\@allowed/`` reached 127.0.0.2. So: no control
    character anywhere, and no backslash, whitespace or other non-printing character in
    the authority.
    """
    if any(_is_control(c) for c in url):
        return "control character in url"
    m = _AUTHORITY_RE.match(url)
    if m is None:
        return "not an absolute url"
    authority = m.group(1)
    if "\\" in authority:
        return "backslash in host"
    # isspace: Unicode spaces too; category "C": controls, format characters (zero-width,
    # bidi overrides), unassigned and private-use code points.
    if any(c.isspace() or unicodedata.category(c)[0] == "C" for c in authority):
        return "whitespace or control character in host"
    return None


def _is_control(c: str) -> bool:
    return unicodedata.category(c) == "Cc"  # C0, DEL and C1


def url_target(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of ``url`` as requests and urllib3 will connect to it, or None
    when ``url`` is refused (``url_problem``) or has no host.

    The one reading of a URL's host for every check (allowed hosts, private addresses,
    pacing): urllib3's ``parse_url``, the parser the connection itself uses. The host is
    lower case, IDNA-encoded, percent-decoded, without IPv6 brackets; the port is explicit.
    """
    if url_problem(url) is not None:
        return None
    try:
        parts = parse_url(url)
    except LocationParseError:
        return None
    scheme = (parts.scheme or "").lower()
    host = (parts.host or "").lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not scheme or not host:
        return None
    return scheme, host, parts.port or _default_port(scheme)


def url_host(url: str) -> str | None:
    """The lower-case host of ``url`` (no port), or None when it has none or is refused."""
    target = url_target(url)
    return target[1] if target else None


def host_allowed(url: str, allowed_hosts: Sequence[str]) -> bool:
    """Whether the host of ``url`` is one of ``allowed_hosts``.

    Entries are bare host names, compared case-insensitively on any port
    ("www.bbc.co.uk"); ``host:port`` pins one port ("127.0.0.1:8000"); a leading
    ``*.`` allows every subdomain but not the domain itself ("*.bbci.co.uk"). A URL
    ``url_problem`` refuses is never allowed; the host is read as ``url_target`` reads it.
    """
    target = url_target(url)
    if target is None:
        return False
    _, host, port = target
    for entry in allowed_hosts:
        entry = entry.strip().lower()
        entry_host, _, entry_port = entry.partition(":")
        if entry_port and str(port) != entry_port:
            continue
        if entry_host.startswith("*."):
            if host.endswith(entry_host[1:]):
                return True
        elif host == entry_host:
            return True
    return False


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _keyword_regex(keywords: Sequence[str]) -> re.Pattern[str]:
    # Whole words, case-insensitive: "NCA" must not match "Duncan". A trailing "*" makes
    # a prefix ("traffick*" matches trafficking, traffickers); inner spaces match any
    # run of whitespace, so a title broken over two lines still matches.
    parts = []
    for kw in keywords:
        prefix = kw.endswith("*")
        words = kw.rstrip("*").split()
        body = r"\s+".join(re.escape(w) for w in words)
        parts.append(rf"(?<!\w){body}" + ("" if prefix else r"(?!\w)"))
    return re.compile("|".join(parts), re.IGNORECASE)


@functools.cache
def _public_suffixes() -> PublicSuffixList:
    # The Mozilla Public Suffix List shipped inside the package: no network access.
    return PublicSuffixList()


def _wildcard_problem(domain: str) -> str | None:
    """Why ``*.<domain>`` is too wide an allowed_hosts entry, or None.

    A wildcard must sit under a domain someone registered ("*.example.co.uk"), never over
    a public suffix ("*.com", "*.co.uk", "*.gov.uk", "*.github.io"), where it would let
    the crawler follow links to any site in that zone. The list's private section counts
    too: every "<user>.github.io" is a different owner.
    """
    labels = domain.split(".")
    if all(label.isdigit() for label in labels):
        return "an IP address: list the address itself"
    if _public_suffixes().is_public(domain):
        return f"the public suffix '{domain}': name a domain under it, e.g. '*.example.{domain}'"
    return None


def _wayback_pace_allowed(rate_limit: float, archive_urls: Sequence[str]) -> bool:
    """A `wayback` source's pace: at most WAYBACK_RATE_LIMIT (0 is no limit, so faster),
    unless every archive URL (cdx_url, capture_url) is on a loopback address."""
    if all(url_host(u) in LOOPBACK_HOSTS for u in archive_urls):
        return True
    return 0 < rate_limit <= WAYBACK_RATE_LIMIT


def _default_rate_limit() -> float:
    return get_settings().default_rate_limit


class Source(BaseModel):
    """One entry of the sources file. Frozen: the flow passes it around freely."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Stable keys (docs/CONTRACTS.md, "The sources file").
    name: str
    kind: Kind
    start_url: str | None = None  # required except for kind "urls"
    allowed_hosts: list[str]
    profile: Profile = "generic"
    # requests per second to one host; unset: OPTALLY_DEFAULT_RATE_LIMIT (config/settings.py)
    rate_limit: float = Field(default_factory=_default_rate_limit, ge=0)
    keywords: list[str] | None = None

    # Extensions.
    urls: list[str] = Field(default_factory=list)
    article_pattern: str | None = None
    max_pages: int | None = Field(default=None, ge=1)
    allow_private_hosts: bool = False
    official: bool = False  # when omitted: the profile's own (profiles/<name>.py)
    enabled: bool = True
    schedule: Schedule = "both"
    robots_on_error: RobotsOnError = "disallow"
    # kind "wayback" only: start_url is the URL prefix whose captures are read.
    cdx_url: str = DEFAULT_CDX_URL
    capture_url: str = DEFAULT_CAPTURE_URL
    from_date: date | None = None  # captures on or after this day
    to_date: date | None = None  # captures on or before this day

    _article_re: re.Pattern[str] | None = PrivateAttr(default=None)
    _keyword_re: re.Pattern[str] | None = PrivateAttr(default=None)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("name must not be empty")
        if len(v) > 100:  # sources.name is VARCHAR(100): PostgreSQL would fail the run
            raise ValueError(f"name must be at most 100 characters, not {len(v)}")
        return v

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("allowed_hosts must list at least one host")
        out = []
        for entry in v:
            e = entry.strip().lower()
            shown = _clip(entry)
            if "://" in e or "/" in e:
                raise ValueError(f"allowed_hosts entry '{shown}' must be a host name, not a URL")
            if e == "*":
                raise ValueError(
                    "allowed_hosts entry '*' allows every host: name a domain, e.g. '*.example.com'"
                )
            if not _HOST_RE.match(e):
                raise ValueError(f"allowed_hosts entry '{shown}' is not a host name")
            if e.startswith("*.") and (problem := _wildcard_problem(e[2:].partition(":")[0])):
                raise ValueError(f"allowed_hosts entry '{shown}' is a wildcard over {problem}")
            out.append(e)
        return out

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return None
        cleaned = [k.strip() for k in v]
        if not cleaned:
            raise ValueError("keywords must not be empty (omit the key to keep every article)")
        if any(not k.rstrip("*").strip() for k in cleaned):
            raise ValueError("keywords must not contain empty strings")
        return cleaned

    @field_validator("article_pattern")
    @classmethod
    def _pattern(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"article_pattern is not a valid regex: {exc}") from None
        return v

    @model_validator(mode="before")
    @classmethod
    def _default_official(cls, data: Any) -> Any:
        # Official (NCA, Europol, GOV.UK) versus news coverage decides which claim wins
        # when sources disagree, so it defaults from the profile rather than to a constant.
        if isinstance(data, dict) and data.get("official") is None:
            profile = data.get("profile", "generic")  # a list here is the literal check's
            official = (
                isinstance(profile, str)
                and profile in profiles.names()
                and profiles.get(profile).official
            )
            data = {**data, "official": official}
        if isinstance(data, dict) and data.get("kind") == "wayback" and "rate_limit" not in data:
            default = get_settings().default_rate_limit
            data = {**data, "rate_limit": min(WAYBACK_RATE_LIMIT, default or WAYBACK_RATE_LIMIT)}
        return data

    @model_validator(mode="after")
    def _check(self) -> Source:
        if self.kind == "urls":
            if not self.urls:
                raise ValueError("kind 'urls' needs a non-empty 'urls' list")
        elif not self.start_url:
            raise ValueError(f"kind '{self.kind}' needs a start_url")
        elif self.urls:
            raise ValueError(f"'urls' is only for kind 'urls', not '{self.kind}'")
        archive = [self.cdx_url, self.capture_url] if self.kind == "wayback" else []
        if self.kind != "wayback" and (self.from_date or self.to_date):
            raise ValueError(
                f"from_date and to_date are only for kind 'wayback', not '{self.kind}'"
            )
        if self.from_date and self.to_date and self.from_date > self.to_date:
            raise ValueError(f"from_date {self.from_date} is after to_date {self.to_date}")
        if archive and not _wayback_pace_allowed(self.rate_limit, archive):
            raise ValueError(
                f"rate_limit {self.rate_limit:g} is faster than a web archive allows: at most "
                f"{WAYBACK_RATE_LIMIT:g} requests per second (15 a minute) for kind 'wayback'; "
                "omit rate_limit for that, or set a smaller one"
            )
        checked = [("start_url", self.start_url)] if self.start_url else []
        checked += [("url", u) for u in self.urls]
        checked += list(zip(("cdx_url", "capture_url"), archive, strict=False))
        for what, url in checked:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"{what} '{_clip(url)}' is not an absolute http(s) URL")
            problem = url_problem(url)
            if problem:
                raise ValueError(f"{what} '{_clip(url)}' refused: {problem}")
            if not host_allowed(url, self.allowed_hosts):
                raise ValueError(
                    f"{what} host '{_clip(parts.hostname)}' is not in allowed_hosts "
                    f"({_clip(', '.join(self.allowed_hosts))})"
                )
        return self

    def model_post_init(self, __context: Any) -> None:
        pattern = self.effective_article_pattern
        self._article_re = re.compile(pattern) if pattern else None
        self._keyword_re = _keyword_regex(self.keywords) if self.keywords else None

    @property
    def effective_article_pattern(self) -> str | None:
        """``article_pattern``, or the profile's default (profiles/<name>.py) when omitted."""
        if self.article_pattern is not None:
            return self.article_pattern
        return profiles.get(self.profile).article_pattern

    def is_article(self, url: str) -> bool:
        """Whether ``url`` is on an allowed host and its path matches the article pattern."""
        if not host_allowed(url, self.allowed_hosts):
            return False
        if self._article_re is None:
            return True
        return bool(self._article_re.search(urlsplit(url).path or "/"))

    def keeps(self, title: str | None, tags: Iterable[str] = ()) -> bool:
        """The topic filter: True when a keyword occurs in the title or any tag.

        A source without ``keywords`` keeps everything. When neither a title nor a tag
        is known there is nothing to judge, so the item is kept; the flow can call this
        again with the extracted article's title and tags.
        """
        if self._keyword_re is None:
            return True
        texts = [t for t in (title, *tags) if t]
        if not texts:
            return True
        return any(self._keyword_re.search(t) for t in texts)

    def runs_on(self, schedule: Literal["daily", "backfill"]) -> bool:
        return self.enabled and self.schedule in (schedule, "both")


def select_sources(
    sources: Iterable[Source], schedule: Literal["daily", "backfill"]
) -> list[Source]:
    """The enabled sources a daily run (or a backfill) uses, in file order."""
    return [s for s in sources if s.runs_on(schedule)]


# ---------------------------------------------------------------------------
# Loading


_FIELD_CHOICES: dict[str, tuple[str, ...]] = {
    "kind": get_args(Kind),
    "profile": get_args(Profile),
    "schedule": get_args(Schedule),
    "robots_on_error": get_args(RobotsOnError),
}


def load_sources(path: str | Path) -> list[Source]:
    """Read and validate a sources file. Raises SourcesError (one line) on any problem.

    The file may be at most ``MAX_SOURCES_BYTES``. The same text is parsed once per
    process: `optally run` checks the file before the flow starts, and the flow loads it
    again.
    """
    label = str(path)
    return list(_parse_text(_read_text(Path(path), label), label))


def _read_text(p: Path, label: str) -> str:
    limit = f"a sources file may be at most {MAX_SOURCES_BYTES} bytes, 1 MiB"
    try:
        size = p.stat().st_size
        if size > MAX_SOURCES_BYTES:
            raise SourcesError(f"{label}: file is too large ({size} bytes; {limit})")
        with p.open("rb") as fh:  # read no more than the cap, whatever stat said
            data = fh.read(MAX_SOURCES_BYTES + 1)
        if len(data) > MAX_SOURCES_BYTES:
            raise SourcesError(
                f"{label}: file is too large (more than {MAX_SOURCES_BYTES} bytes; {limit})"
            )
        return data.decode("utf-8")
    except FileNotFoundError:
        raise SourcesError(f"{label}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{label}: cannot read file: {_clip(str(exc), 200)}") from None


@functools.lru_cache(maxsize=8)
def _parse_text(text: str, label: str) -> tuple[Source, ...]:
    # Cached on the text itself, so a changed file is parsed anew. Sources are frozen,
    # so callers can share them.
    return tuple(parse_sources(_parse_yaml(text, label), label))


def _parse_yaml(text: str, label: str) -> Any:
    loader = _SourcesLoader(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise SourcesError(f"{label}: invalid YAML: {_yaml_problem(exc)}") from None
    except RecursionError:
        raise SourcesError(f"{label}: invalid YAML: nested too deeply") from None
    except ValueError as exc:  # a constructor's, e.g. the date 2024-13-01
        raise SourcesError(f"{label}: invalid YAML: {_clip(str(exc), 200)}") from None
    finally:
        loader.dispose()


class _SourcesLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that also refuses what a sources file never needs: aliases that
    stand for more than ``ALIAS_NODE_BUDGET`` nodes (a "billion laughs" alias bomb), an
    alias inside the node it names, and a key given twice in one mapping.

    The checks run while the file is composed into nodes, before any value is built, so
    an alias bomb costs the few hundred nodes read before the budget runs out.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._nodes = 0  # nodes so far, an alias counted as the nodes it stands for
        self._alias_nodes = 0  # of which aliases stood for
        self._sizes: dict[yaml.Node, int] = {}  # anchored node -> the nodes it holds

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            self._count_alias(self.peek_event())
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        anchor = self.peek_event().anchor
        before = self._nodes
        self._nodes += 1
        node: yaml.Node = super().compose_node(parent, index)
        if anchor is not None:
            self._sizes[node] = self._nodes - before
        return node

    def _count_alias(self, event: yaml.AliasEvent) -> None:
        node = self.anchors.get(event.anchor)
        if node is None:
            return  # the composer reports the undefined alias
        size = self._sizes.get(node)
        if size is None:  # anchored but not finished: the alias is inside it
            raise yaml.composer.ComposerError(
                None,
                None,
                f"alias *{_clip(event.anchor)} is used inside the node it names "
                "(a recursive alias)",
                event.start_mark,
            )
        self._alias_nodes += size
        if self._alias_nodes > ALIAS_NODE_BUDGET:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"aliases expand to more than {ALIAS_NODE_BUDGET} nodes (an alias bomb?)",
                event.start_mark,
            )
        self._nodes += size

    def compose_mapping_node(self, anchor: str | None) -> yaml.MappingNode:
        node: yaml.MappingNode = super().compose_mapping_node(anchor)
        # YAML says keys are unique; PyYAML keeps the last, so "allow_private_hosts: false"
        # then "true" silently loaded true. A merge ("<<: *base") may still be overridden.
        first: dict[tuple[str, str], tuple[int, yaml.Node]] = {}
        for i, (key, _) in enumerate(node.value):
            if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE_TAG:
                continue
            index, earlier = first.setdefault((key.tag, key.value), (i, key))
            if index != i:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"duplicate key '{_clip(key.value)}' "
                    f"(first at line {earlier.start_mark.line + 1})",
                    key.start_mark,
                )
        return node


def parse_sources(data: Any, label: str = "<sources>") -> list[Source]:
    """Validate already-parsed YAML data (a mapping with a ``sources`` list)."""
    if not isinstance(data, dict) or "sources" not in data:
        raise SourcesError(f"{label}: expected a top-level 'sources:' list")
    extra = [k for k in data if k != "sources" and not str(k).startswith("x-")]
    if extra:
        # "x-..." keys are free for YAML anchors shared by several entries.
        raise SourcesError(
            f"{label}: unknown top-level key '{_clip(str(extra[0]))}' (expected 'sources')"
        )
    entries = data["sources"]
    if not isinstance(entries, list):
        raise SourcesError(f"{label}: 'sources' must be a list, got {_type_name(entries)}")
    if not entries:
        raise SourcesError(f"{label}: 'sources' is empty")

    out: list[Source] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise SourcesError(
                f"{label}: sources[{i}]: expected a mapping, got {_type_name(entry)}"
            )
        raw_name = entry.get("name")
        where = f"{label}: sources[{i}]" + (
            f" '{_clip(raw_name)}'" if isinstance(raw_name, str) and raw_name.strip() else ""
        )
        try:
            source = Source.model_validate(entry)
        except ValidationError as exc:
            raise SourcesError(f"{where}: {_describe(exc)}") from None
        if source.name in seen:
            raise SourcesError(
                f"{where}: duplicate name (already used by sources[{seen[source.name]}])"
            )
        seen[source.name] = i
        out.append(source)
    return out


# The most validation problems one message lists; the rest are counted.
MAX_PROBLEMS = 3


def _describe(exc: ValidationError) -> str:
    # Every value from the file is clipped (``_clip``, ``_echo``): an error message must
    # never format an unbounded value, such as a huge string or an expanded alias.
    errors = exc.errors()
    problems = []
    for err in errors[:MAX_PROBLEMS]:
        loc = [_clip(str(x)) for x in err["loc"]]
        field = loc[0] if loc else ""
        where = ".".join(loc)
        etype = err["type"]
        value = err.get("input")
        if etype == "literal_error" and field in _FIELD_CHOICES:
            choices = ", ".join(_FIELD_CHOICES[field])
            problems.append(f"unknown {field} '{_clip(str(value))}' (expected one of {choices})")
        elif etype == "missing":
            problems.append(f"missing required key '{where}'")
        elif etype == "extra_forbidden":
            close = difflib.get_close_matches(field, Source.model_fields, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(f"unknown key '{field}'{hint}")
        elif etype == "value_error":
            msg = str(err["msg"]).removeprefix("Value error, ")
            # Our own messages already name the key; pydantic's do not.
            problems.append(msg if not where or msg.startswith(where) else f"{where}: {msg}")
        else:
            problems.append(f"{where}: {err['msg']} (got {_echo(value)})")
    if len(errors) > MAX_PROBLEMS:
        problems.append(f"and {len(errors) - MAX_PROBLEMS} more")
    return _one_line("; ".join(problems))


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    # PyYAML's own problems may quote the file ("found undefined alias 'x…'"): clipped.
    problem = _clip(getattr(exc, "problem", None) or str(exc), 3 * MAX_ECHO_CHARS)
    if mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return problem


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _clip(text: str, limit: int = MAX_ECHO_CHARS) -> str:
    """``text`` on one line and at most ``limit`` characters, "…" marking a cut."""
    text = _one_line(text[: 2 * limit])  # never more than a little of a huge value
    return text if len(text) <= limit else text[: limit - 1] + "…"


_ECHO_REPR = reprlib.Repr()
_ECHO_REPR.maxstring = _ECHO_REPR.maxother = MAX_ECHO_CHARS
_ECHO_REPR.maxlevel = 2  # a nested list shows as [[...], ...], never its whole expansion


def _echo(value: Any) -> str:
    """``repr(value)``, bounded in time and length: a value from the file in a message."""
    return _clip(_ECHO_REPR.repr(value))


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )
