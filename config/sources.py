"""The sources file: what to crawl, how, and how politely (DESIGN.md contract 5).

``load_sources(path)`` reads ``config/sources.yaml`` (or any file of the same shape),
validates every entry and returns frozen ``Source`` models. Any problem raises
``SourcesError`` with a single line that names the file, the entry and the fault, so
``optally run --sources FILE`` can print it as is and exit non-zero.

docs/SOURCES.md documents every key; keep the two in step.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

Kind = Literal["listing", "feed", "sitemap", "urls", "govuk_search"]
Profile = Literal["nca", "europol", "govuk", "generic"]
Schedule = Literal["daily", "backfill", "both"]
RobotsOnError = Literal["disallow", "allow"]

DEFAULT_RATE_LIMIT = 1.0  # requests per second to one host

# Article URL patterns per profile, matched against the URL *path* (never the host), so
# a mirror or a test server on another host matches the same way as the live site.
# NCA: current /news/<slug> and old /news/<id>-<slug> (research/sources.md §1.4).
# Europol: /media-press/newsroom/news/<slug> and the legacy /newsroom/news/<slug> (§2.1).
# GOV.UK: the formats that carry news and statistics releases (§3.1, §3.3).
PROFILE_ARTICLE_PATTERNS: dict[str, str | None] = {
    "nca": r"^/news/(?:(\d+)-)?([a-z0-9-]+)/?$",
    "europol": r"^/(?:media-press/)?newsroom/news/[^/]+/?$",
    "govuk": r"^/government/(?:news|speeches|publications|statistics|case-studies)/[^/]+/?$",
    "generic": None,
}
OFFICIAL_PROFILES = frozenset({"nca", "europol", "govuk"})

_HOST_RE = re.compile(r"^(?:\*\.)?[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?$")


class SourcesError(ValueError):
    """The sources file is missing, unreadable or invalid. The message is one line."""


def url_host(url: str) -> str | None:
    """The lower-case host of ``url`` (no port), or None when it has none."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower() if host else None


def host_allowed(url: str, allowed_hosts: Sequence[str]) -> bool:
    """Whether the host of ``url`` is one of ``allowed_hosts``.

    Entries are bare host names, compared case-insensitively on any port
    ("www.bbc.co.uk"); ``host:port`` pins one port ("127.0.0.1:8000"); a leading
    ``*.`` allows every subdomain but not the domain itself ("*.bbci.co.uk").
    """
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return False
    if not host:
        return False
    for entry in allowed_hosts:
        entry = entry.strip().lower()
        entry_host, _, entry_port = entry.partition(":")
        if entry_port and str(port or _default_port(parts.scheme)) != entry_port:
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


class Source(BaseModel):
    """One entry of the sources file. Frozen: the flow passes it around freely."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Stable keys (DESIGN.md contract 5).
    name: str
    kind: Kind
    start_url: str | None = None  # required except for kind "urls"
    allowed_hosts: list[str]
    profile: Profile = "generic"
    rate_limit: float = Field(default=DEFAULT_RATE_LIMIT, ge=0)
    keywords: list[str] | None = None

    # Extensions.
    urls: list[str] = Field(default_factory=list)
    article_pattern: str | None = None
    max_pages: int | None = Field(default=None, ge=1)
    allow_private_hosts: bool = False
    official: bool = False  # when omitted: true for profiles nca, europol, govuk
    enabled: bool = True
    schedule: Schedule = "both"
    robots_on_error: RobotsOnError = "disallow"

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
            if "://" in e or "/" in e:
                raise ValueError(f"allowed_hosts entry '{entry}' must be a host name, not a URL")
            if not _HOST_RE.match(e):
                raise ValueError(f"allowed_hosts entry '{entry}' is not a host name")
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
            data = {**data, "official": data.get("profile", "generic") in OFFICIAL_PROFILES}
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
        for url in ([self.start_url] if self.start_url else []) + list(self.urls):
            what = "start_url" if url == self.start_url else "url"
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"{what} '{url}' is not an absolute http(s) URL")
            if not host_allowed(url, self.allowed_hosts):
                raise ValueError(
                    f"{what} host '{parts.hostname}' is not in allowed_hosts "
                    f"({', '.join(self.allowed_hosts)})"
                )
        return self

    def model_post_init(self, __context: Any) -> None:
        pattern = self.effective_article_pattern
        self._article_re = re.compile(pattern) if pattern else None
        self._keyword_re = _keyword_regex(self.keywords) if self.keywords else None

    @property
    def effective_article_pattern(self) -> str | None:
        """``article_pattern``, or the profile's default when omitted."""
        if self.article_pattern is not None:
            return self.article_pattern
        return PROFILE_ARTICLE_PATTERNS[self.profile]

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
    """Read and validate a sources file. Raises SourcesError (one line) on any problem."""
    label = str(path)
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourcesError(f"{label}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{label}: cannot read file: {_one_line(str(exc))}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SourcesError(f"{label}: invalid YAML: {_yaml_problem(exc)}") from None
    return parse_sources(data, label)


def parse_sources(data: Any, label: str = "<sources>") -> list[Source]:
    """Validate already-parsed YAML data (a mapping with a ``sources`` list)."""
    if not isinstance(data, dict) or "sources" not in data:
        raise SourcesError(f"{label}: expected a top-level 'sources:' list")
    extra = [k for k in data if k != "sources" and not str(k).startswith("x-")]
    if extra:
        # "x-..." keys are free for YAML anchors shared by several entries.
        raise SourcesError(f"{label}: unknown top-level key '{extra[0]}' (expected 'sources')")
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
            f" '{raw_name}'" if isinstance(raw_name, str) and raw_name.strip() else ""
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


def _describe(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors():
        loc = [str(x) for x in err["loc"]]
        field = loc[0] if loc else ""
        where = ".".join(loc)
        etype = err["type"]
        value = err.get("input")
        if etype == "literal_error" and field in _FIELD_CHOICES:
            choices = ", ".join(_FIELD_CHOICES[field])
            problems.append(f"unknown {field} '{value}' (expected one of {choices})")
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
            problems.append(f"{where}: {err['msg']} (got {value!r})")
    return _one_line("; ".join(problems))


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return _one_line(f"{problem} at line {mark.line + 1}, column {mark.column + 1}")
    return _one_line(problem)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )
