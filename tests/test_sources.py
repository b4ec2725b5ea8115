"""The sources file: loading, validation messages, filters and the shipped defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import profiles
from config.settings import DEFAULT_SOURCES_FILE
from config.sources import (
    Source,
    SourcesError,
    host_allowed,
    load_sources,
    select_sources,
)

NCA = "www.nationalcrimeagency.gov.uk"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _entry(**overrides: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "name": "nca",
        "kind": "listing",
        "profile": "nca",
        "start_url": f"https://{NCA}/news",
        "allowed_hosts": [NCA],
    }
    entry.update(overrides)
    return {k: v for k, v in entry.items() if v is not None}


# ---------------------------------------------------------------------------
# Loading


def test_minimal_entry_gets_documented_defaults(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "sources:\n"
        "  - name: mirror\n"
        "    kind: listing\n"
        "    start_url: http://mirror.example/news\n"
        "    allowed_hosts: [Mirror.Example]\n",
    )
    [s] = load_sources(path)
    assert s.model_dump() == {
        "name": "mirror",
        "kind": "listing",
        "start_url": "http://mirror.example/news",
        "allowed_hosts": ["mirror.example"],
        "profile": "generic",
        "rate_limit": 1.0,
        "keywords": None,
        "urls": [],
        "article_pattern": None,
        "max_pages": None,
        "allow_private_hosts": False,
        "official": False,
        "enabled": True,
        "schedule": "both",
        "robots_on_error": "disallow",
        "cdx_url": "http://web.archive.org/cdx/search/cdx",
        "capture_url": "https://web.archive.org/web/",
        "from_date": None,
        "to_date": None,
    }


@pytest.mark.parametrize(
    ("profile", "official", "explicit", "expected"),
    [
        ("nca", None, None, True),
        ("europol", None, None, True),
        ("govuk", None, None, True),
        ("generic", None, None, False),
        ("nca", False, False, False),
        ("generic", True, True, True),
    ],
)
def test_official_defaults_from_profile(
    profile: str, official: bool | None, explicit: bool | None, expected: bool
) -> None:
    s = Source.model_validate(_entry(profile=profile, official=explicit))
    assert s.official is expected


def test_profile_nca_pattern_is_the_documented_default() -> None:
    s = Source.model_validate(_entry())
    assert s.effective_article_pattern == r"^/news/(?:(\d+)-)?([a-z0-9-]+)/?$"
    assert profiles.get("generic").article_pattern is None


BAD_ENTRIES: list[tuple[str, dict[str, object] | str, str]] = [
    (
        "unknown kind",
        _entry(kind="lisitng"),
        "unknown kind 'lisitng' (expected one of listing, feed, sitemap, urls, govuk_search, wayback)",
    ),
    (
        "unknown profile",
        _entry(profile="joomla"),
        "unknown profile 'joomla' (expected one of nca, europol, govuk, generic)",
    ),
    (
        "unknown schedule",
        _entry(schedule="weekly"),
        "unknown schedule 'weekly' (expected one of daily, backfill, both)",
    ),
    (
        "start_url host not allowed",
        _entry(start_url="https://evil.example/news"),
        f"start_url host 'evil.example' is not in allowed_hosts ({NCA})",
    ),
    ("missing allowed_hosts", _entry(allowed_hosts=None), "missing required key 'allowed_hosts'"),
    ("empty allowed_hosts", _entry(allowed_hosts=[]), "allowed_hosts must list at least one host"),
    (
        "URL in allowed_hosts",
        _entry(allowed_hosts=[f"https://{NCA}/"]),
        f"allowed_hosts entry 'https://{NCA}/' must be a host name, not a URL",
    ),
    ("missing start_url", _entry(start_url=None), "kind 'listing' needs a start_url"),
    (
        "relative start_url",
        _entry(start_url="/news"),
        "start_url '/news' is not an absolute http(s) URL",
    ),
    ("typo key", _entry(keyword=["x"]), "unknown key 'keyword' (did you mean 'keywords'?)"),
    (
        "negative rate_limit",
        _entry(rate_limit=-1),
        "rate_limit: Input should be greater than or equal to 0 (got -1)",
    ),
    (
        "empty keywords",
        _entry(keywords=[]),
        "keywords must not be empty (omit the key to keep every article)",
    ),
    (
        "bad regex",
        _entry(article_pattern="^/news/("),
        "article_pattern is not a valid regex: missing ), unterminated subpattern at position 7",
    ),
    (
        "urls kind without urls",
        _entry(kind="urls", start_url=None),
        "kind 'urls' needs a non-empty 'urls' list",
    ),
    (
        "url on another host",
        _entry(kind="urls", start_url=None, urls=["https://other.example/news/x"]),
        f"url host 'other.example' is not in allowed_hosts ({NCA})",
    ),
    (
        "zero max_pages",
        _entry(max_pages=0),
        "max_pages: Input should be greater than or equal to 1 (got 0)",
    ),
]


@pytest.mark.parametrize(("case", "entry", "problem"), BAD_ENTRIES, ids=[c[0] for c in BAD_ENTRIES])
def test_invalid_entry_names_file_entry_and_problem(
    tmp_path: Path, case: str, entry: dict[str, object], problem: str
) -> None:
    good = [_entry(name="first"), _entry(name="second")]
    path = _write(tmp_path, yaml.safe_dump({"sources": [*good, entry]}))
    with pytest.raises(SourcesError) as info:
        load_sources(path)
    name = entry.get("name") if isinstance(entry, dict) else None
    assert str(info.value) == f"{path}: sources[2] '{name}': {problem}"
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("foo: 1\n", "expected a top-level 'sources:' list"),
        ("- name: a\n", "expected a top-level 'sources:' list"),
        ("", "expected a top-level 'sources:' list"),
        ("sources: {name: a}\n", "'sources' must be a list, got a mapping"),
        ("sources: []\n", "'sources' is empty"),
        ("sources:\n  - just a string\n", "sources[0]: expected a mapping, got a string"),
        (
            "sources:\n  - kind: feed\n    start_url: http://a.example/\n    allowed_hosts: [a.example]\n",
            "sources[0]: missing required key 'name'",
        ),
        (
            "source:\n  - name: a\n",
            "expected a top-level 'sources:' list",
        ),
        (
            "version: 2\nsources:\n  - name: a\n",
            "unknown top-level key 'version' (expected 'sources')",
        ),
    ],
)
def test_file_level_problems(tmp_path: Path, text: str, problem: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(SourcesError) as info:
        load_sources(path)
    assert str(info.value) == f"{path}: {problem}"


def test_duplicate_names(tmp_path: Path) -> None:
    path = _write(tmp_path, yaml.safe_dump({"sources": [_entry(name="a"), _entry(name="a")]}))
    with pytest.raises(SourcesError) as info:
        load_sources(path)
    assert str(info.value) == f"{path}: sources[1] 'a': duplicate name (already used by sources[0])"


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(SourcesError) as info:
        load_sources(missing)
    assert str(info.value) == f"{missing}: file not found"

    path = _write(tmp_path, "sources:\n  - name: [unclosed\n")
    with pytest.raises(SourcesError) as info:
        load_sources(path)
    message = str(info.value)
    assert message.startswith(f"{path}: invalid YAML: ")
    assert "line 3" in message
    assert "\n" not in message


def test_sources_error_is_a_value_error() -> None:
    assert issubclass(SourcesError, ValueError)


def test_x_keys_hold_shared_anchors(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "x-kw: &kw [trafficking]\n"
        "sources:\n"
        "  - {name: a, kind: feed, start_url: 'http://a.example/f', allowed_hosts: [a.example], keywords: *kw}\n",
    )
    [s] = load_sources(path)
    assert s.keywords == ["trafficking"]


# ---------------------------------------------------------------------------
# Filters


@pytest.mark.parametrize(
    ("keywords", "title", "tags", "kept"),
    [
        (None, "Cocaine importer jailed", (), True),
        (["trafficking"], "Human TRAFFICKING gang jailed", (), True),
        (["trafficking"], "Traffickers jailed", (), False),  # whole words only
        (["traffick*"], "Traffickers jailed", (), True),  # a trailing * is a prefix
        (["NCA"], "Duncan Smith speech", (), False),  # not inside other words
        (["NCA"], "NCA-led operation", (), True),
        (["week of action"], "A week\nof  action in Kent", (), True),  # any whitespace
        (["modern slavery"], "Police operation", ("Modern slavery",), True),  # tags count
        (["modern slavery"], "Police operation", ("Fraud",), False),
        (["modern slavery"], None, (), True),  # nothing known yet: kept
        (["county lines"], None, ("County Lines",), True),
    ],
)
def test_keeps(
    keywords: list[str] | None, title: str | None, tags: tuple[str, ...], kept: bool
) -> None:
    s = Source.model_validate(_entry(keywords=keywords))
    assert s.keeps(title, tags) is kept


@pytest.mark.parametrize(
    ("url", "allowed", "expected"),
    [
        (f"https://{NCA}/news", [NCA], True),
        ("https://WWW.NationalCrimeAgency.gov.uk/news", [NCA], True),
        ("https://nationalcrimeagency.gov.uk/news", [NCA], False),
        ("http://127.0.0.1:8123/news", ["127.0.0.1"], True),  # any port
        ("http://127.0.0.1:8123/news", ["127.0.0.1:8123"], True),
        ("http://127.0.0.1:9999/news", ["127.0.0.1:8123"], False),
        ("http://localhost:8123/news", ["127.0.0.1"], False),
        ("https://feeds.bbci.co.uk/news/uk/rss.xml", ["*.bbci.co.uk"], True),
        ("https://bbci.co.uk/", ["*.bbci.co.uk"], False),
        ("https://evilbbci.co.uk/", ["*.bbci.co.uk"], False),
        ("not a url", [NCA], False),
    ],
)
def test_host_allowed(url: str, allowed: list[str], expected: bool) -> None:
    assert host_allowed(url, allowed) is expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"https://{NCA}/news/six-arrested-in-people-smuggling-investigation", True),
        (f"https://{NCA}/news/1357-dozens-of-victims-safeguarded", True),  # old id-slug
        (f"https://{NCA}/news/slug/", True),
        (f"https://{NCA}/news/slug?utm_source=x", True),  # the pattern sees the path only
        (f"https://{NCA}/news", False),
        (f"https://{NCA}/news?start=16", False),
        (f"https://{NCA}/what-we-do/crime-threats/modern-slavery", False),
        (f"https://{NCA}/who-we-are/publications/123-report/file", False),
        ("https://mirror.example/news/slug", False),  # host not allowed
    ],
)
def test_nca_article_pattern(url: str, expected: bool) -> None:
    assert Source.model_validate(_entry()).is_article(url) is expected


def test_mirror_by_changing_start_url_and_allowed_hosts() -> None:
    s = Source.model_validate(
        _entry(start_url="http://127.0.0.1:8123/news", allowed_hosts=["127.0.0.1"])
    )
    assert s.is_article("http://127.0.0.1:8123/news/some-release")
    assert not s.is_article(f"https://{NCA}/news/some-release")


# ---------------------------------------------------------------------------
# The shipped config/sources.yaml


def test_default_sources_file() -> None:
    sources = load_sources(DEFAULT_SOURCES_FILE)
    by_name = {s.name: s for s in sources}
    assert len(by_name) == len(sources)

    feed = by_name["nca-news-feed"]
    assert (feed.kind, feed.profile, feed.schedule) == ("feed", "nca", "daily")
    assert feed.start_url == "https://www.nationalcrimeagency.gov.uk/news?format=feed&type=rss"

    listing = by_name["nca-news-listing"]
    assert (listing.kind, listing.profile, listing.schedule) == ("listing", "nca", "backfill")
    assert listing.start_url == "https://www.nationalcrimeagency.gov.uk/news"

    europol = by_name["europol-news-feed"]
    assert (europol.kind, europol.profile) == ("feed", "europol")
    assert europol.start_url == "https://www.europol.europa.eu/cms/api/rss/news"

    for name, org in (
        ("govuk-nca-news", "national-crime-agency"),
        ("govuk-home-office-news", "home-office"),
    ):
        g = by_name[name]
        assert g.kind == "govuk_search"
        assert g.start_url == (
            f"https://www.gov.uk/api/search.json?filter_organisations={org}"
            "&filter_format=news_article&order=-public_timestamp&count=50"
        )
    assert by_name["govuk-nca-atom"].start_url == (
        "https://www.gov.uk/government/organisations/national-crime-agency.atom"
    )
    assert by_name["bbc-uk-news"].start_url == "https://feeds.bbci.co.uk/news/uk/rss.xml"
    assert by_name["guardian-uk-news"].start_url == "https://www.theguardian.com/uk-news/rss"
    assert by_name["mirror-news-sitemap"].kind == "sitemap"

    # Every general or news source filters by topic; official NCA releases do not.
    for s in sources:
        assert (s.keywords is None) == s.name.startswith("nca-"), s.name
        assert s.official is (s.profile != "generic"), s.name
    news_keywords = set(by_name["bbc-uk-news"].keywords or [])
    assert {
        "modern slavery",
        "county lines",
        "exploitation",
        "NCA",
        "intensification",
    } <= news_keywords
    assert {"week of action", "National Crime Agency", "traffick*"} <= news_keywords

    daily = [s.name for s in select_sources(sources, "daily")]
    backfill = [s.name for s in select_sources(sources, "backfill")]
    assert "nca-news-feed" in daily and "nca-news-feed" not in backfill
    assert "nca-news-listing" in backfill and "nca-news-listing" not in daily
    assert "govuk-nca-news" in daily and "govuk-nca-news" in backfill


@pytest.mark.parametrize(
    ("source", "url", "expected"),
    [
        ("bbc-uk-news", "https://www.bbc.co.uk/news/articles/c1m14n4llvvo", True),
        ("bbc-uk-news", "https://www.bbc.co.uk/news/uk-england-london-61222470", True),
        ("bbc-uk-news", "https://www.bbc.co.uk/sport/football/123", False),
        (
            "guardian-uk-news",
            "https://www.theguardian.com/uk-news/2024/feb/12/county-lines-raid",
            True,
        ),
        ("guardian-uk-news", "https://www.theguardian.com/uk-news", False),
        ("mirror-news-sitemap", "https://www.mirror.co.uk/news/uk-news/gang-jailed-9902318", True),
        ("mirror-news-sitemap", "https://www.mirror.co.uk/3am/celebrity-news/x-123", False),
        (
            "europol-news-feed",
            "https://www.europol.europa.eu/media-press/newsroom/news/51-persons-arrested",
            True,
        ),
        (
            "europol-news-feed",
            "https://www.europol.europa.eu/newsroom/news/old-style-release",
            True,
        ),
        ("europol-news-feed", "https://www.europol.europa.eu/crime-areas/trafficking", False),
        ("govuk-nca-atom", "https://www.gov.uk/government/news/nca-annual-report", True),
        (
            "govuk-nca-atom",
            "https://www.gov.uk/government/organisations/national-crime-agency",
            False,
        ),
    ],
)
def test_default_article_patterns(source: str, url: str, expected: bool) -> None:
    by_name = {s.name: s for s in load_sources(DEFAULT_SOURCES_FILE)}
    assert by_name[source].is_article(url) is expected
