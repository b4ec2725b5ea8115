"""tasks/article/: HTML -> Article on fixture pages shaped like the real sources.

The fixture pages under fixtures/article/ are written for these tests (own prose, invented
people and sites); their markup follows the shapes docs/SOURCES.md records for each source. Each
page hides numbers in its boilerplate ("most read" lists, cookie banners, share counts) so
that a leak into the body would be caught: the figure extractor reads every number there.
"""

from __future__ import annotations

import codecs
import gc
import json
import random
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import profiles
from domain.records import Article
from tasks.article import decode_html, parse_article, selectors, trim
from tasks.article.page import _cap_tags, _parse, _read_trimmed

FIXTURES = Path(__file__).parent / "fixtures" / "article"
NCA_URL = "https://www.nationalcrimeagency.gov.uk/news/county-lines-week-of-action-43-arrests"
NCA_OLD_URL = (
    "https://www.nationalcrimeagency.gov.uk/news/1357-dozens-of-potential-victims-found-as-"
    "modern-slavery-week-of-action-targets-labour-exploitation"
)
NCA_DATE_PARAGRAPH = "<p><strong>03 October 2025</strong></p>"
METHODS = {
    "nca", "europol", "govuk", "jsonld", "microdata", "text-block", "selector", "article",
    "main", "density", "wix", "empty",
}  # fmt: skip


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def assert_clean_layout(body: str) -> None:
    """Blocks separated by exactly one blank line, no stray whitespace at line ends."""
    assert body == body.strip()
    assert "\n\n\n" not in body
    for line in body.split("\n"):
        assert line == line.strip()


# ---------------------------------------------------------------------------------------
# One row per source shape
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    fixture: str
    url: str | None
    title: str
    published: date | None
    publisher: str | None
    method: str
    present: tuple[str, ...]
    absent: tuple[str, ...]
    tags: tuple[str, ...] | None = None


CASES: list[Case] = [
    Case(
        "nca_article.html",
        NCA_URL,
        "Forty-three arrested and 61 potential victims safeguarded in county lines week of action",
        date(2025, 10, 3),
        "National Crime Agency",
        "nca",
        present=(
            "Forty-three people were arrested and 61 potential victims of exploitation",
            "Officers from 22 police forces took part",  # &nbsp; became a plain space
            "During the week officers:\n\n• executed 57 warrants",
            "• seized £86,400 in cash and 14 weapons;",
            "as disposable.\nWeeks like this show",  # <br> is a newline inside the block
            "contact Crimestoppers anonymously.",
        ),
        absent=(
            "03 October 2025",  # the date paragraph is metadata, not text
            "24 fugitives",
            "part 7",
            "You are here",
            "NCA arrests 12",
            "9 years",
            "2,000 mile",
            "08:00",
            "3 kinds of cookies",
            "100%",
            "Accept and close",
            "Modern slavery",  # a tag, not text
        ),
        tags=("County Lines", "Modern slavery"),
    ),
    Case(
        "nca_old.html",
        NCA_OLD_URL,
        "Dozens of potential victims found as modern slavery week of action targets labour exploitation",
        date(2018, 5, 23),
        "National Crime Agency",
        "nca",
        present=("found 89 potential victims", "more than 300 premises"),
        absent=("23 May 2018", "National Crime Agency 2018"),
    ),
    Case(
        "bbc.html",
        "https://www.bbc.co.uk/news/articles/c0exampl3o",
        "Modern slavery: 25 held in week-long crackdown on labour exploitation",
        date(2024, 8, 14),
        "BBC News",
        "text-block",
        present=(
            "Twenty-five people have been arrested and 48 possible victims",
            "between 5 and 11 August",
            "\n\n'Hidden in plain sight'\n\n",  # the subheading is a block of its own
            "contact the Modern Slavery Helpline.",
        ),
        absent=(
            "80mph",
            "Man, 34",
            "4.99%",
            "11 workers",
            "6 held",
            "17 addresses",
            "Image caption",
            "Skip to content",
            "Alex Reporter",
            "Copyright 2024",
            "Most read",
        ),
    ),
    Case(
        "guardian.html",
        "https://www.theguardian.com/uk-news/2024/feb/20/police-arrest-31-week-of-action",
        "Police arrest 31 in national week of action on child exploitation",
        date(2024, 2, 20),
        "The Guardian",
        "selector",
        present=(
            "Police forces in England arrested 31 people",
            "The operation, which involved 19 forces",
            "“how quickly exploitation adapts”",  # curly quotes kept verbatim
            "National Police Chiefs’ Council",
        ),
        absent=("2,500 children", "Advertisement", "6am briefing", "35C", "Rail strike", "Share"),
        tags=("Crime", "Police", "Children"),
    ),
    Case(
        "graph.html",
        None,
        "Human trafficking gang smashed as 16 held in dawn raids",
        date(2024, 4, 5),  # JSON-LD 23:30+01:00: the publisher's local date
        "The Daily Example",  # resolved through the @graph's @id reference
        "selector",
        present=("Sixteen suspected members", "at least 40 women", "three forces"),
        absent=("7 hurt", "£1,000", "1.2k", "253 comments", "1234567", "BREAKING"),
        tags=("Human trafficking", "Police", "Crime"),
    ),
    Case(
        "reach.html",
        "https://www.mirror.example/news/uk-news/cuckooing-victims-freed",
        "Cuckooing victims freed as county lines crackdown nets 27 arrests",
        date(2026, 1, 15),
        "Example Mirror",
        "jsonld",
        present=(
            "Twenty-seven people were arrested",
            "\n\nThe practice, known as cuckooing,",
            "offered support & advice.",  # HTML entity in JSON-LD decoded
        ),
        absent=("READ MORE", "5 signs", "£4m", "10 best beaches", "Advertisement", "Most Read"),
    ),
    Case(
        "og_only.html",
        "https://www.gazette.example/news/nine-arrested-county-lines",
        "Nine arrested in county lines crackdown",
        date(2023, 11, 21),
        "Example Gazette",
        "article",
        present=(
            "Nine people were arrested and two children safeguarded",
            "after executing six warrants.",
            "protecting the young people they exploit.",
        ),
        absent=(
            "312",
            "Tweet (45)",
            "14 years",
            "3 stabbings",
            "6 weeks",
            "250-home",
            "4 comments",
            "0987654",
            "Related",
            "What's on",
        ),
        tags=("County lines", "Crime"),
    ),
    Case(
        "microdata.html",
        "https://www.somerset.example/news/man-charged-cuckooing-raids-taunton-123",
        "Man charged after cuckooing raids in Taunton",
        date(2021, 6, 18),
        None,
        "microdata",
        present=("A 28-year-old man has been charged", "due before magistrates next month."),
        absent=("6 arrests", "300x250", "3 days of rain", "14:03", "Updated 15:10", "Read More"),
    ),
    Case(
        "wix.html",
        "https://www.readingcommunityexpress.example/post/week-of-action-modern-slavery",
        "Week of action targets modern slavery across the Thames Valley",
        date(2021, 11, 5),
        "Reading Community Express",
        "article",
        present=(
            "Police in the Thames Valley joined a national week of action",
            "led to 38 arrests",
            "open 24 hours a day.",
        ),
        absent=(
            "top of page",
            "bottom of page",
            "Recent Posts",
            "See All",
            "£2,300",
            "23 views",
            "0 comments",
            "2 min read",
            "20212",
            "Nov 5, 2021",
            "Log In",
        ),
    ),
    Case(
        "seed.html",
        None,
        "Week of action targets modern slavery across the Thames Valley",
        date(2021, 11, 5),
        None,
        "wix",
        present=(
            "Police in the Thames Valley joined",
            "led to 38 arrests.\nLocally, officers spoke to more than 70 workers",
            "open 24 hours a day.",
        ),
        absent=(
            "top of page",
            "bottom of page",
            "Recent Posts",
            "See All",
            "£2,300",
            "23 views",
            "14 views",
            "2 min read",
            "Nov 5, 2021",
            "Log In",
            "Reading Community Express",
        ),
    ),
    Case(
        "europol.html",
        "https://www.europol.europa.eu/media-press/newsroom/news/212-arrests-and-1109-potential-victims-identified",
        "212 arrests and 1 109 potential victims identified in Europe-wide action against trafficking",
        date(2024, 6, 11),
        "Europol",
        "europol",
        present=(
            "Police and labour inspectors from 29 countries",  # the introduction comes first
            "Between 3 and 9 June,",
            'code-named {"GLOBAL CHAIN"} in internal messages.',
            "• 15 313 officers participated",
            "• 1 109 potential victims identified",  # non-breaking space became a space
            'a mobile office in "the field".',
        ),
        absent=("32 vacancies", "About Europol", "enable JavaScript", "Joint action days against"),
    ),
    Case(
        "govuk.html",
        "https://www.gov.uk/government/news/new-funding-to-help-police-tackle-modern-slavery",
        "New funding to help police tackle modern slavery",
        date(2024, 3, 18),
        "Home Office",
        "govuk",
        present=(
            "will share £2.5 million",
            "• 14 forces will recruit dedicated investigators",
            "\n\nBackground\n\n",
            "each of the last five years.",
        ),
        absent=(
            "quarter 4 2023",
            "statutory guidance 2023",
            "cookies",
            "Skip to main content",
            "v3.0",
            "Crime, justice and law",
        ),
    ),
    Case(
        "police.html",
        "https://www.swexample.police.uk/news/2025/july/twenty-one-arrests/",
        "Twenty-one arrests in regional modern slavery operation",
        date(2025, 7, 14),
        None,
        "density",
        present=(
            "Twenty-one people were arrested during a fortnight of action",
            "searched 33 properties and identified 17 potential victims",
        ),
        absent=(
            "We use some essential cookies to make our website work",
            "3 of them",
            "cookies",
            "beta",
            "999",
            "Published: 14 July 2025",
        ),
    ),
    Case(
        "cp1252.html",
        "https://www.valley.example/news/gangmaster-repay",
        "Gangmaster ordered to repay £1.2m to exploited workers",
        None,
        None,
        "density",
        present=(
            "ordered to repay £1.2m, the court heard",
            "“We will not stop until every penny is returned,” the prosecutor said.",
            "‘It’s a fair outcome,’ one worker added.",
            "labour abuse authority – the largest",
        ),
        absent=("since 1884",),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.fixture for c in CASES])
def test_fixture_pages(case: Case, caplog: pytest.LogCaptureFixture) -> None:
    article = parse_article(fixture(case.fixture), url=case.url)
    assert not caplog.records  # parse_article logs the errors it swallows
    assert isinstance(article, Article)
    assert article.title == case.title
    assert article.published == case.published
    assert article.publisher == case.publisher
    assert article.method == case.method
    assert article.url == case.url
    if case.tags is not None:
        assert article.tags == case.tags
    for text in case.present:
        assert text in article.body, text
    for text in case.absent:
        assert text not in article.body, text
    assert_clean_layout(article.body)


def test_text_and_bytes_give_the_same_article() -> None:
    for name in ("nca_article.html", "bbc.html", "europol.html"):
        assert parse_article(fixture_text(name), url=NCA_URL) == parse_article(
            fixture(name), url=NCA_URL
        )


# ---------------------------------------------------------------------------------------
# NCA release dates: the last bold paragraph and its quirks
# ---------------------------------------------------------------------------------------
NCA_DATE_VARIANTS = [
    ("plain", NCA_DATE_PARAGRAPH, date(2025, 10, 3), "03 October 2025"),
    ("trailing_full_stop", "<p><strong>03 October 2025.</strong></p>", date(2025, 10, 3), "2025."),
    ("abbreviated_month", "<p><strong>3 Oct 2025</strong></p>", date(2025, 10, 3), "3 Oct 2025"),
    ("misspelt_month", "<p><strong>23 Janaury 2025.</strong></p>", date(2025, 1, 23), "Janaury"),
    ("misspelt_february", "<p><strong>4 Febuary 2025</strong></p>", date(2025, 2, 4), "Febuary"),
    (
        "two_strongs",
        "<p><strong>ENDS</strong><br /><strong>14 November 2025</strong></p>",
        date(2025, 11, 14),
        "14 November 2025",
    ),
    (
        "split_over_two_strongs",
        "<p><strong>03 October</strong> <strong>2025</strong></p>",
        date(2025, 10, 3),
        "03 October",
    ),
    (
        "weekday_and_nbsp",
        "<p><strong>Friday&nbsp;3&nbsp;October&nbsp;2025</strong></p>",
        date(2025, 10, 3),
        "Friday",
    ),
    ("no_date", "", None, None),
    ("impossible_date", "<p><strong>31 February 2025</strong></p>", None, None),
]


@pytest.mark.parametrize(
    ("replacement", "expected", "gone"),
    [v[1:] for v in NCA_DATE_VARIANTS],
    ids=[v[0] for v in NCA_DATE_VARIANTS],
)
def test_nca_release_date_variants(
    replacement: str, expected: date | None, gone: str | None
) -> None:
    html = fixture_text("nca_article.html").replace(NCA_DATE_PARAGRAPH, replacement)
    article = parse_article(html, url=NCA_URL)
    assert article.published == expected
    assert article.method == "nca"
    assert article.body.endswith("contact Crimestoppers anonymously.")
    assert "ENDS" not in article.body
    if gone:
        assert gone not in article.body


def test_nca_bold_quote_attribution_is_not_a_date_and_stays_in_the_body() -> None:
    attribution = "<p><strong>Sam Placeholder, NCA Director of Threat Leadership</strong></p>"
    html = fixture_text("nca_article.html").replace(NCA_DATE_PARAGRAPH, attribution)
    article = parse_article(html, url=NCA_URL)
    assert article.published is None
    assert article.body.endswith("\n\nSam Placeholder, NCA Director of Threat Leadership")


def test_nca_falls_back_to_joomla_published_time() -> None:
    stock = (
        '<dl class="article-info"><dd class="published">'
        '<time datetime="2025-10-04T09:00:00+01:00" itemprop="datePublished">'
        "Published: 04 October 2025</time></dd></dl>"
    )
    html = (
        fixture_text("nca_article.html")
        .replace(NCA_DATE_PARAGRAPH, "")
        .replace('<div itemprop="articleBody">', stock + '<div itemprop="articleBody">')
    )
    article = parse_article(html, url=NCA_URL)
    assert article.published == date(2025, 10, 4)
    assert "Published" not in article.body


def test_nca_markup_on_a_local_test_server() -> None:
    url = "http://127.0.0.1:8765/news/county-lines-week-of-action-43-arrests"
    html = fixture_text("nca_article.html")
    assert profiles.detect(url, html) == "nca"
    article = parse_article(html, url=url)
    assert article.method == "nca"
    assert article.publisher == "National Crime Agency"
    assert article.published == date(2025, 10, 3)
    assert parse_article(html, url=url) == parse_article(html, url=url, profile="nca")


# ---------------------------------------------------------------------------------------
# Profiles
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "page", "expected"),
    [
        (NCA_URL, None, "nca"),
        ("https://nationalcrimeagency.gov.uk/news/x", None, "nca"),
        ("https://www.europol.europa.eu/media-press/newsroom/news/x", None, "europol"),
        ("https://www.gov.uk/government/news/x", None, "govuk"),
        ("https://www.somecouncil.gov.uk/news/x", None, "generic"),
        ("https://www.bbc.co.uk/news/articles/x", "bbc.html", "generic"),
        ("http://127.0.0.1:8000/news/x", "nca_article.html", "nca"),
        (None, "nca_old.html", "nca"),
        (None, "europol.html", "europol"),
        (None, "govuk.html", "govuk"),
        # Reach microdata: itemprop="headline name" plus an articleBody div is not Joomla.
        (None, "microdata.html", "generic"),
        (None, "wix.html", "generic"),
        ("not a url", None, "generic"),
        (None, None, "generic"),
    ],
)
def test_detect_profile(url: str | None, page: str | None, expected: str) -> None:
    html = fixture_text(page) if page else None
    assert profiles.detect(url, html) == expected
    assert expected in profiles.names()


def test_europol_page_without_server_data_uses_metadata_and_generic_body() -> None:
    html = """<html><head><title>Europol</title>
    <meta property="og:title" content="Labour exploitation: 51 persons arrested">
    </head><body><nav>Newsroom | Careers (32 vacancies)</nav><main><h1>Labour exploitation</h1>
    <p>Authorities in 24 countries checked farms and construction sites during the joint action days.</p>
    <p>In total 51 persons were arrested, 30 of them for labour exploitation.</p></main></body></html>"""
    article = parse_article(html, url="https://www.europol.europa.eu/media-press/newsroom/news/x")
    assert article.title == "Labour exploitation: 51 persons arrested"
    assert article.publisher == "Europol"
    assert article.method == "main"
    assert "51 persons were arrested" in article.body
    assert "32 vacancies" not in article.body


def test_europol_server_data_that_is_not_strict_json() -> None:
    # undefined and a trailing comma: the raw JSON decoder fails, so the brace matcher
    # must find the object's end (the string holds "};" to trap a lazy regex).
    node = (
        '{"NodeLoader":{"node":{"title":"Crackdown on trafficking","published":1718092800000,'
        '"teaser":undefined,"body":[{"value":"<p>Officers said: \\"done};\\" and 40 were held.</p>"},'
        '{"value":"<p>Another 12 were charged.</p>"}],}}}'
    )
    html = f"<html><head><script>window.SERVER_DATA = {node};</script></head><body></body></html>"
    article = parse_article(html, url="https://www.europol.europa.eu/media-press/newsroom/news/y")
    assert article.title == "Crackdown on trafficking"
    assert article.published == date(2024, 6, 11)  # a millisecond timestamp
    assert article.method == "europol"
    assert article.body == 'Officers said: "done};" and 40 were held.\n\nAnother 12 were charged.'


# ---------------------------------------------------------------------------------------
# Metadata rules
# ---------------------------------------------------------------------------------------
def page_with_head(head: str, body: str = "") -> str:
    body = (
        body
        or "<article><p>" + "Officers arrested 12 people during the week. " * 4 + "</p></article>"
    )
    return f"<html><head>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        # ISO with an offset: the publisher's local calendar date, not the UTC one.
        (
            '<meta property="article:published_time" content="2024-04-05T23:30:00+01:00">',
            date(2024, 4, 5),
        ),
        (
            '<meta property="article:published_time" content="2024-04-06T00:30:00+01:00">',
            date(2024, 4, 6),
        ),
        (
            '<meta property="article:published_time" content="2024-04-05T22:30:00Z">',
            date(2024, 4, 5),
        ),
        ('<meta name="parsely-pub-date" content="2023-01-09T07:00:00Z">', date(2023, 1, 9)),
        ('<meta name="date" content="2022-12-01">', date(2022, 12, 1)),
        (
            '<meta name="govuk:first-published-at" content="2021-03-02T09:30:00+00:00">',
            date(2021, 3, 2),
        ),
        ('<meta itemprop="datePublished" content="2020-07-04">', date(2020, 7, 4)),
        ('<meta name="date" content="Fri, 05 Apr 2024 23:30:00 +0100">', date(2024, 4, 5)),
        ('<meta name="date" content="1712356200">', date(2024, 4, 5)),
        ('<meta name="date" content="5 April 2024">', date(2024, 4, 5)),
        ('<meta name="date" content="April 5, 2024">', date(2024, 4, 5)),
        ('<meta name="date" content="not a date">', None),
        ('<meta name="date" content="2024-13-45">', None),
        (
            '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2019-05-01T10:00:00+02:00"}</script>'
            '<meta property="article:published_time" content="2019-04-30T23:00:00Z">',
            date(2019, 5, 1),
        ),
    ],
)
def test_published_date_sources(head: str, expected: date | None) -> None:
    assert parse_article(page_with_head(head)).published == expected


def test_time_element_outside_boilerplate() -> None:
    body = (
        '<div class="most-read"><time datetime="2001-01-01">old</time></div>'
        '<article><time datetime="2024-02-29T12:00:00Z">29 Feb</time>'
        "<p>" + "Text about a week of action with 9 arrests. " * 4 + "</p></article>"
    )
    assert parse_article(page_with_head("", body)).published == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        ("<title>County lines: 40 held | Example Police</title>", "", "County lines: 40 held"),
        (
            "<title>County lines week of action - BBC News</title>",
            "",
            "County lines week of action",
        ),
        (
            "<title>Arrests made - dozens safeguarded</title>",
            "",
            "Arrests made - dozens safeguarded",  # a dash inside a headline stays
        ),
        (
            '<meta property="og:site_name" content="Example Gazette">'
            "<title>Raids in town - Example Gazette</title>",
            "",
            "Raids in town",
        ),
        (
            "<title>Site title</title>",
            '<header><h1 class="logo">Example Site</h1></header><article><h1>The real headline</h1>'
            "<p>" + "Body text. " * 20 + "</p></article>",
            "The real headline",
        ),
        (
            '<meta property="og:title" content="OG wins">'
            '<script type="application/ld+json">{"@type":"WebPage","name":"LD page name"}</script>',
            "",
            "OG wins",  # a bare WebPage node is only a last resort
        ),
        (
            '<script type="application/ld+json">{"@type":"Article","headline":"Smith &amp; Jones jailed"}</script>',
            "",
            "Smith & Jones jailed",
        ),
    ],
)
def test_title_sources(head: str, body: str, expected: str) -> None:
    assert parse_article(page_with_head(head, body)).title == expected


@pytest.mark.parametrize(
    "ld",
    [
        '{"@type": ["NewsArticle", "WebPage"], "headline": "H", "publisher": {"name": "P"}}',
        '[{"@type": "WebPage", "name": "W"}, {"@type": "NewsArticle", "headline": "H", "publisher": {"name": "P"}}]',
        '{"@graph": [{"@type": "Organization", "@id": "#o", "name": "P"}, {"@type": "BlogPosting", "headline": "H", "publisher": {"@id": "#o"}}]}',
        '{"@type": "WebPage", "mainEntity": {"@type": "AnalysisNewsArticle", "headline": "H", "publisher": [{"name": "P"}]}}',
        '<!-- {"@type": "NewsArticle", "headline": "H", "publisher": "P",} -->',
        '{"@type": "http://schema.org/LiveBlogPosting", "headline": "H", "publisher": {"name": "P"}};',
    ],
)
def test_jsonld_shapes(ld: str) -> None:
    head = (
        '<script type="application/ld+json">{broken</script>'
        f'<script type="application/ld+json">{ld}</script>'
    )
    article = parse_article(page_with_head(head))
    assert (article.title, article.publisher) == ("H", "P")


def test_short_jsonld_article_body_loses_to_the_html_body() -> None:
    head = '<script type="application/ld+json">{"@type":"NewsArticle","headline":"H","articleBody":"Teaser only."}</script>'
    body = "<article><p>" + "The full text has 14 arrests in it. " * 5 + "</p></article>"
    article = parse_article(page_with_head(head, body))
    assert article.method == "article"
    assert "Teaser only." not in article.body


# ---------------------------------------------------------------------------------------
# Text normalisation and boilerplate rules
# ---------------------------------------------------------------------------------------
def test_text_normalisation() -> None:
    body = (
        "<article><h2>Results  of the\n week</h2>"
        "<p>Officers\u00a0checked 165\u202f896 entities\u200b and 15\u2009313 officers took part.</p>"
        "<p>Line one<br>line   two<br><br>new paragraph</p>"
        "<ul><li>first</li><li><p>nested paragraph</p></li><li>outer<ul><li>inner</li></ul></li></ul>"
        "<table><tr><td>Arrests</td><td>38</td></tr></table>"
        "<p>“Quoted” text – with a dash &amp; an ampersand.</p>"
        "<script>var x = 999;</script><style>p{}</style><!-- 777 comment -->"
        "</article>"
    )
    article = parse_article(page_with_head("<title>T</title>", body))
    assert article.body == (
        "Results of the week\n\n"
        "Officers checked 165 896 entities and 15 313 officers took part.\n\n"
        "Line one\nline two\n\nnew paragraph\n\n"
        "• first\n\n• nested paragraph\n\n• outer\n\n• inner\n\n"
        "Arrests 38\n\n"
        "“Quoted” text – with a dash & an ampersand."
    )
    assert article.method == "article"


@pytest.mark.parametrize(
    "widget",
    [
        '<div class="related-articles"><p>Gang jailed after 77 arrests</p></div>',
        '<div id="mostRead"><p>Gang jailed after 77 arrests</p></div>',
        '<div class="c-share-bar"><p>Shared 77 times</p></div>',
        '<div class="newsletter-signup"><p>Join 77,000 readers</p></div>',
        '<div class="ad-slot"><p>Advertisement 77</p></div>',
        '<div class="promo"><p>Win 77 prizes</p></div>',
        '<div class="ticker"><p>Breaking: 77 hurt</p></div>',
        '<ol class="breadcrumb"><li>Home</li><li>Page 77</li></ol>',
        '<div role="complementary"><p>Side 77</p></div>',
        '<div data-component="most-read"><p>Story 77</p></div>',
        '<div class="cookie-banner"><p>We set 77 cookies</p></div>',
        "<aside><p>Aside 77</p></aside>",
        "<div hidden><p>Hidden 77</p></div>",
        '<div style="display: none"><p>Hidden 77</p></div>',
        '<figure><img src="x.jpg"><figcaption>Photo of 77 officers</figcaption></figure>',
        '<span class="visually-hidden">Image caption 77,</span>',
        "<h2>Most read</h2><ol><li>Storm brings 77mph winds</li></ol>",
        "<div><h3>Related stories</h3><ul><li>Gang of 77 jailed</li></ul></div>",
    ],
)
def test_boilerplate_widgets_never_reach_the_body(widget: str) -> None:
    text = "<p>" + "A week of action led to 38 arrests across 19 forces. " * 3 + "</p>"
    body = f"<article>{text}{widget}<p>Officers safeguarded 99 people.</p></article>"
    article = parse_article(page_with_head("<title>T</title>", body))
    assert "77" not in article.body
    assert "38 arrests" in article.body
    assert "99 people" in article.body


def test_class_tokens_not_substrings() -> None:
    # "article-body", "shadow", "header-free", "adjacent" must not be mistaken for
    # "ad"/"header" widgets; and a layout wrapper saying "sidebar" is still the page.
    body = (
        '<div class="layout has-sidebar"><div class="shadow adjacent">'
        '<div class="article-body-text"><p>'
        + "Police arrested 38 people in the operation. "
        * 5
        + "</p></div>"
        "</div></div>"
    )
    article = parse_article(page_with_head("<title>T</title>", body))
    assert "Police arrested 38 people" in article.body


def test_police_uk_cookie_banner_inside_the_content_column() -> None:
    body = (
        '<div class="c1"><p>We use some essential cookies to make our website work.</p>'
        "<p>We'd also like to use analytics cookies so we can understand how you use the service.</p>"
        "<h1>Ten held in county lines raids</h1>"
        "<p>" + "Ten people were arrested in raids on 4 addresses by the force. " * 3 + "</p></div>"
    )
    article = parse_article(page_with_head("", body), url="https://www.example.police.uk/news/x/")
    assert "cookies" not in article.body
    assert article.title == "Ten held in county lines raids"
    assert article.body.startswith("Ten people were arrested")


def test_plain_text_page_with_br_lines() -> None:
    html = (
        "<html><body>top of page<br>Example News<br>Week of action nets nine arrests in the county<br>"
        "Nine people were arrested during the week.<br><br>Six children were safeguarded.<br>"
        "Recent Posts<br>See All<br>Another story with 5 views<br>bottom of page</body></html>"
    )
    article = parse_article(html)
    assert article.method == "wix"
    assert article.title == "Week of action nets nine arrests in the county"
    assert (
        article.body
        == "Nine people were arrested during the week.\n\nSix children were safeguarded."
    )


def test_garbage_collector_state_is_restored() -> None:
    assert gc.isenabled()
    parse_article(fixture("bbc.html"))
    parse_article("<p>" * 100)
    assert gc.isenabled()
    gc.disable()
    try:
        parse_article(fixture("bbc.html"))
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_empty_and_useless_pages() -> None:
    for page in (
        "",
        "   ",
        b"",
        "<html></html>",
        "<script>var a=1</script>",
        b"\xff\xfe",
        "<!-- x -->",
    ):
        article = parse_article(page, url="https://example.org/a")
        assert article.body == ""
        assert article.method == "empty"
        assert article.url == "https://example.org/a"


# ---------------------------------------------------------------------------------------
# Encodings
# ---------------------------------------------------------------------------------------
CP1252_TEXT = "“Curly quotes” cost £5 – ‘really’ é"


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        (codecs.BOM_UTF8 + "£5 “x”".encode(), None, "£5 “x”"),
        (codecs.BOM_UTF16_LE + "£5 “x”".encode("utf-16-le"), None, "£5 “x”"),
        (codecs.BOM_UTF16_BE + "£5".encode("utf-16-be"), "text/html; charset=iso-8859-1", "£5"),
        (CP1252_TEXT.encode("cp1252"), "text/html; charset=ISO-8859-1", CP1252_TEXT),
        (CP1252_TEXT.encode("cp1252"), 'text/html; charset="latin1"', CP1252_TEXT),
        (CP1252_TEXT.encode("cp1252"), "text/html; charset=us-ascii", CP1252_TEXT),
        (
            b'<meta charset="iso-8859-1"><p>' + CP1252_TEXT.encode("cp1252"),
            None,
            '<meta charset="iso-8859-1"><p>' + CP1252_TEXT,
        ),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
            + CP1252_TEXT.encode("cp1252"),
            None,
            '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
            + CP1252_TEXT,
        ),
        # The HTTP header wins over <meta>.
        (
            b'<meta charset="iso-8859-1">' + "£".encode(),
            "text/html; charset=utf-8",
            '<meta charset="iso-8859-1">£',
        ),
        # A <meta> cannot honestly declare UTF-16; browsers read it as UTF-8.
        (b'<meta charset="utf-16">' + "é".encode(), None, '<meta charset="utf-16">é'),
        # Nonsense and non-text codecs are ignored.
        ("é".encode(), "text/html; charset=base64", "é"),
        ("é".encode(), "text/html; charset=no-such-thing", "é"),
        (b"", None, ""),
    ],
)
def test_decode_html(data: bytes, content_type: str | None, expected: str) -> None:
    assert decode_html(data, content_type) == expected


def test_decode_undeclared_cp1252_page() -> None:
    text = (
        "<html><body><p>The court heard the gangmaster owed his workers “wages worth £12,000” – "
        "money he said was ‘on its way’. Officers from the labour abuse authority found eleven "
        "men sleeping in a caravan behind the farm’s packing shed.</p></body></html>"
    )
    assert decode_html(text.encode("cp1252")) == text


def test_cp1252_page_as_bytes_reads_correctly() -> None:
    data = fixture("cp1252.html")
    assert b"\x93" in data and b"\xa3" in data  # really windows-1252 on disk
    article = parse_article(data)
    assert "“We will not stop until every penny is returned,”" in article.body
    assert "£1.2m" in article.title


# ---------------------------------------------------------------------------------------
# Never raises, stays fast
# ---------------------------------------------------------------------------------------
SEED_PAGES = [fixture(p.name) for p in sorted(FIXTURES.glob("*.html"))]


def nested(depth: int, tag: str = "div") -> str:
    return f"<{tag}>" * depth + "deep text 42" + f"</{tag}>" * depth


def mangle(data: bytes, cut: int, drop_start: int, drop_len: int, insert: bytes) -> bytes:
    cut = cut % (len(data) + 1)
    data = data[:cut]
    start = drop_start % (len(data) + 1)
    return data[:start] + insert + data[start + drop_len :]


hostile_pages = st.one_of(
    st.text(max_size=2000),
    st.binary(max_size=2000),
    st.builds(
        mangle,
        st.sampled_from(SEED_PAGES),
        st.integers(min_value=0),
        st.integers(min_value=0),
        st.integers(min_value=0, max_value=500),
        st.binary(max_size=50) | st.sampled_from([b"<", b"</div>", b"<p", b'"', b"<script>", b"\x00", b"\xff"]),
    ),
    st.builds(nested, st.integers(min_value=1, max_value=5000), st.sampled_from(["div", "p", "li", "b", "table"])),
    st.integers(min_value=0, max_value=1_000_000).map(lambda n: "7" * n),
    st.integers(min_value=0, max_value=1_000_000).map(lambda n: f"<div class='{'x' * n}' id='{'y' * n}'>z</div>"),
    st.lists(
        st.sampled_from(["<p>", "</p>", "<li>", "<h1 itemprop=headline>", "<div itemprop=articleBody>",
                         "<strong>3 Janaury 2025</strong>", "<br>", "top of page", "Recent Posts",
                         "<script type='application/ld+json'>", "</script>", "{", "[", "window.SERVER_DATA = {",
                         "\u00a0", "\ud800", "&#0;", "&nbsp", "<table><tr><td>", "<pre>\r\n", "£"]),
        max_size=300,
    ).map("".join),
)  # fmt: skip


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    page=hostile_pages,
    url=st.sampled_from([None, NCA_URL, "https://www.europol.europa.eu/x", "::bad"]),
)
def test_parse_article_never_raises(page: str | bytes, url: str | None) -> None:
    article = parse_article(page, url=url)
    assert isinstance(article, Article)
    assert isinstance(article.body, str)
    assert article.method in METHODS
    assert article.title is None or (isinstance(article.title, str) and len(article.title) <= 1000)
    assert article.published is None or isinstance(article.published, date)
    assert_clean_layout(article.body)


@pytest.mark.parametrize(
    "page",
    [
        nested(5000),
        nested(5000, "li"),
        nested(20000, "span"),
        "1" * 1_000_000,
        "<p>" + "9" * 1_000_000 + "</p>",
        "<div title='" + "a" * 5_000_000 + "'>x</div>",
        "<div class='" + "share " * 200_000 + "'>x</div>",
        "<" * 1_000_000,
        "<h1 itemprop=headline" * 100_000,
        "<script type='application/ld+json'>" + "[" * 100_000 + "</script>",
        "<script>window.SERVER_DATA = " + '{"a":' * 100_000 + "</script>",
        "<script>window.SERVER_DATA = {" + "'x'" * 100_000 + "</script>",
        bytes(range(256)) * 4000,
        "<p>lone \ud800 surrogate</p>",
    ],
    ids=[
        "div_5000", "li_5000", "span_20000", "digits", "digits_in_p", "huge_attribute",
        "huge_class", "angle_brackets", "unclosed_h1s", "deep_jsonld", "deep_server_data",
        "unterminated_server_data", "all_bytes", "surrogate",
    ],
)  # fmt: skip
def test_pathological_pages(page: str | bytes, caplog: pytest.LogCaptureFixture) -> None:
    started = time.perf_counter()
    article = parse_article(page, url=NCA_URL)
    assert isinstance(article, Article)
    assert not caplog.records  # handled, not swallowed
    assert time.perf_counter() - started < 5


def test_ten_megabyte_page_is_fast() -> None:
    """10 MB shaped like a heavy real page: inline app state, CSS, a long article, furniture.

    Tree building in bs4 costs about 20 µs per element, so the element count, not the byte
    count, sets the time; this page holds about 60,000 elements.
    """
    base = fixture_text("nca_article.html")
    para = (
        "<p>Officers from 19 forces arrested <strong>38</strong> people and visited "
        "<a href='/x'>1,204 premises</a> during the week of action. "
        + "Teams checked car washes, nail bars, farms and takeaways for signs of exploitation. " * 7
        + "</p>\n"
    )
    state = json.dumps(
        {"items": [{"id": i, "title": f"Story {i}", "views": i * 7} for i in range(90_000)]}
    )
    related = "<li><a href='/news/item'>Related story number 12345</a></li>\n"
    page = (
        base.replace(NCA_DATE_PARAGRAPH, para * (4_000_000 // len(para)) + NCA_DATE_PARAGRAPH)
        .replace("</head>", f"<script>window.__STATE__ = {state};</script></head>")
        .replace(
            "<footer",
            '<div class="related-items"><ul>'
            + related * (1_000_000 // len(related))
            + "</ul></div><footer",
        )
    )
    page = page.replace(
        "</head>", "<style>" + "p{margin:0}" * ((10_000_000 - len(page)) // 11) + "</style></head>"
    )
    assert len(page) >= 9_900_000
    started = time.perf_counter()
    article = parse_article(page.encode(), url=NCA_URL)
    elapsed = time.perf_counter() - started
    assert article.method == "nca"
    assert article.published == date(2025, 10, 3)
    assert "Related story number" not in article.body
    assert article.body.count("1,204 premises") == 4_000_000 // len(para)
    assert elapsed < 10, f"{elapsed:.1f} s"


# ---------------------------------------------------------------------------------------
# Trimming before bs4 (tasks/article/trim.py: _trim). The trim is an optimisation only: every
# page must give exactly the article it gives when parsed whole, trimmed or not.
# ---------------------------------------------------------------------------------------
CORPUS = Path(__file__).parent / "fixtures" / "corpus"


def trimmed_markup(page: str | bytes) -> str | None:
    text = page if isinstance(page, str) else decode_html(page)
    trimmed = trim._trim(_cap_tags(text))
    return None if trimmed is None else trimmed.markup


def assert_same_as_whole(
    page: str | bytes, url: str | None = None, profile: str | None = None
) -> Article:
    article = parse_article(page, url=url, profile=profile)
    assert article == _parse(page, url, profile, trim=False)
    return article


def corpus_cases() -> list[tuple[str, bytes, str | None, str | None]]:
    cases = [(p.name, p.read_bytes(), None, None) for p in sorted(FIXTURES.glob("*.html"))]
    for gold in sorted(CORPUS.glob("*.gold.json")):
        meta = json.loads(gold.read_text(encoding="utf-8"))
        page = gold.with_name(gold.name.removesuffix(".gold.json") + ".html")
        cases.append((page.name, page.read_bytes(), meta.get("url"), meta.get("profile")))
    return cases


@pytest.mark.parametrize(
    ("name", "page", "url", "profile"),
    corpus_cases(),
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_every_fixture_page_reads_the_same_trimmed_or_whole(
    name: str, page: bytes, url: str | None, profile: str | None
) -> None:
    for p in (None, "nca", "generic"):
        assert_same_as_whole(page, url, profile or p)


def test_nca_pages_are_trimmed_and_keep_only_what_rules_read() -> None:
    nca_pages = [*CORPUS.glob("*-nca-*.html"), FIXTURES / "nca_article.html"]
    assert all(trimmed_markup(p.read_bytes()) is not None for p in nca_pages)
    markup = trimmed_markup(fixture("nca_article.html"))
    assert markup is not None
    for gone in ("Most wanted (24 fugitives)", "Press office open 08:00", "NCA arrests 12",
                 "jquery", "tooltip", "template.css", 'name="generator"', "You are here"):  # fmt: skip
        assert gone not in markup, gone
    for kept in ('itemprop="headline"', 'itemprop="articleBody"', 'itemprop="keywords"',
                 "<title>", "03 October 2025", "Crimestoppers anonymously"):  # fmt: skip
        assert kept in markup, kept


NCA_SHELL = (
    "<!DOCTYPE html><html><head><title>T | NCA</title>{head}</head><body>"
    "<div class='cookie-banner'><p>We use 3 cookies.</p></div>"
    "<header><nav><ul><li><a>Most wanted (24)</a></li></ul></nav></header>"
    "<div class='body'><main role='main'><div class='item-page'>"
    "<h1 itemprop='headline'>Nine held in raids</h1>"
    "<ul class='tags'><li itemprop='keywords'><a>County lines</a></li></ul>"
    "<div itemprop='articleBody'><p>Officers arrested 9 people in 4 towns.</p>{body}"
    "<p><strong>3 October 2025</strong></p></div></div></main>"
    "<div class='span3'><div class='related-news'><h3>Related news</h3><p>77 jailed</p>"
    "</div></div></div><footer><p>Switchboard 0370 496 7622</p></footer>{tail}</body></html>"
)
PROSE = "<p>" + "Police arrested 38 people in a week of action. " * 6 + "</p>"
JSONLD_HEAD = (
    "<meta property='og:title' content='OG title'><meta property='og:site_name' content='Site'>"
    "<script type='application/ld+json'>"
    '{"@type":"NewsArticle","headline":"LD title","datePublished":"2022-05-06","keywords":"A, B"}'
    "</script><link rel='canonical' href='https://example.org/canonical'>"
)
SERVER_DATA = (
    '<script>window.SERVER_DATA = {"NodeLoader":{"node":{"title":"EU",'
    '"body":"<p>Europol held 12.</p>"}}};</script>'
)


def nca_page(head: str = "", body: str = "", tail: str = "") -> str:
    return NCA_SHELL.format(head=head, body=body, tail=tail)


def page_of(body: str, head: str = "<title>T</title>") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


# (case, page, url, whether it is trimmed): every one must read as it does whole.
TRIM_CASES: list[tuple[str, str, str | None, bool]] = [
    ("nca_shell", nca_page(), NCA_URL, True),
    ("jsonld_and_og", nca_page(head=JSONLD_HEAD), None, True),
    ("body_scripts_and_styles", nca_page(body="<p>a<script>5</script>b</p><style>p{}</style>"),
     NCA_URL, True),
    ("date_after_a_script",
     nca_page(body="<p><strong>ENDS</strong><script>x</script><br><strong>1 May 2020</strong></p>"),
     NCA_URL, True),
    ("related_block_in_body",
     nca_page(body="<h2>Most read</h2><ol><li>Storm: 77mph winds</li></ol><p>Then 5 more.</p>"),
     NCA_URL, True),
    ("no_container_density", page_of(f"<div>{PROSE}</div><footer>Call 999</footer>"), None, False),
    ("outer_main_used",
     page_of(f"<nav>Menu 7</nav><main><h1>H</h1><div itemprop='articleBody'></div>{PROSE}</main>"
             "<aside>Side 9</aside>"),
     None, True),
    ("big_soft_wrapper",
     page_of(f"<div class='layout has-sidebar'><article>{PROSE}</article><p>Share 5</p></div>"
             "<div class='x'>Junk 3</div>"),
     None, True),
    ("cookie_text_in_column",
     page_of(f"<div class='c1'><p>We use some essential cookies.</p><main><h1>Ten held</h1>{PROSE}"
             "</main></div><div class='c2'>Other 4</div>", head=""),
     "https://www.example.police.uk/news/x/", True),
    ("europol_state", page_of("<nav>Menu 3</nav><main><p>Loading</p></main>", head=SERVER_DATA),
     "https://www.europol.europa.eu/media-press/newsroom/news/x", True),
    ("wix_markers",
     page_of(f"top of page<article>{PROSE}</article><div class='f'>Recent Posts</div>bottom of page"),
     None, True),
    ("ruby_and_template",
     nca_page(body="<p>Kanji<ruby>漢<rt>kan 5</rt></ruby></p><template><p>7</p></template>"),
     NCA_URL, True),
    ("empty_li_kept", nca_page(body="<ul><li></li>after</ul>"), NCA_URL, True),
    # Shapes on which lxml's tree differs from bs4's reading, or which libxml2 does not read
    # back as it writes them: never trimmed.
    ("doctype_mid_page", nca_page(tail="x<!DOCTYPE html>y"), NCA_URL, False),
    ("content_after_html", nca_page() + "<p>after 8</p>", NCA_URL, False),
    ("text_after_body", nca_page().replace("</body>", "</body>stray 3"), NCA_URL, False),
    ("carriage_return_ref", nca_page(body="<p>line&#13;break</p>"), NCA_URL, False),
    ("iframe_text", nca_page(body="<iframe>a &amp; b</iframe>"), NCA_URL, False),
    ("plaintext", nca_page(body="<plaintext>rest"), NCA_URL, False),
    ("non_ascii_canonical", nca_page(head="<link rel='canonical' href='https://exämple.org/a b'>"),
     None, False),
    ("page_uses_the_mark", nca_page(body="<p data-optally-trimmed='99'>x</p>"), NCA_URL, False),
    ("page_uses_the_cut_tag", nca_page(tail="<optally-cut>7</optally-cut>"), NCA_URL, False),
    ("too_many_headings", nca_page(tail="<h3>Related</h3>" * 51), NCA_URL, False),
    ("deep_nesting", nca_page(body="<div>" * 300 + "deep 4" + "</div>" * 300), NCA_URL, False),
    ("lone_surrogate", nca_page(body="<p>odd \ud800 char</p>"), NCA_URL, False),
]  # fmt: skip
TRIM_PAGES = {name: page for name, page, _, _ in TRIM_CASES}


@pytest.mark.parametrize(
    ("page", "url", "trims"), [c[1:] for c in TRIM_CASES], ids=[c[0] for c in TRIM_CASES]
)
def test_trimmed_pages_read_as_whole_ones(page: str, url: str | None, trims: bool) -> None:
    assert (trimmed_markup(page) is not None) is trims
    article = assert_same_as_whole(page, url)
    assert_same_as_whole(page.encode("utf-8", "surrogatepass"), url)
    if trims:  # the other shapes are broken pages: whatever they give, it must not change
        for boilerplate in ("24)", "77 jailed", "0370", "Menu 7", "Side 9", "Junk 3", "Other 4"):
            assert boilerplate not in article.body


def read_trimmed(page: str, url: str | None, profile: str | None = None) -> Article | None:
    """The article from the trimmed tree alone; None if it had to ask for the whole page."""
    trimmed = trim._trim(_cap_tags(page))
    assert trimmed is not None
    return _read_trimmed(trimmed, page, url, profile)


def test_trimmed_nca_page_keeps_title_date_tags_and_body() -> None:
    markup = trimmed_markup(nca_page())
    assert markup is not None and "Most wanted" not in markup and "77 jailed" not in markup
    article = parse_article(nca_page(), url=NCA_URL)
    assert read_trimmed(nca_page(), NCA_URL) == article
    assert article.title == "Nine held in raids"
    assert article.published == date(2025, 10, 3)
    assert article.tags == ("County lines",)
    assert article.body == "Officers arrested 9 people in 4 towns."
    assert article.method == "nca"


def test_trimmed_page_keeps_jsonld_and_opengraph() -> None:
    page = TRIM_PAGES["jsonld_and_og"]
    article = parse_article(page, profile="generic")
    assert article == _parse(page, None, "generic", trim=False)
    assert read_trimmed(page, None, "generic") == article
    assert (article.title, article.published, article.publisher) == (
        "LD title",
        date(2022, 5, 6),
        "Site",
    )
    assert article.url == "https://example.org/canonical"
    assert article.tags == ("A", "B")


def test_a_rule_that_needs_a_cut_subtree_sends_the_page_whole() -> None:
    # The inner articleBody is empty, so the <main> rule comes next, and the trim cut a
    # paragraph out of that <main>: only the whole page can answer.
    page = TRIM_PAGES["outer_main_used"]
    assert read_trimmed(page, None) is None
    assert parse_article(page).method == "main"


def test_trim_needs_the_libxml2_it_was_checked_against(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trim, "TRIM_MIN_LIBXML", (99, 0))
    assert trimmed_markup(nca_page()) is None
    assert parse_article(nca_page(), url=NCA_URL).title == "Nine held in raids"


def test_every_meta_key_a_rule_reads_is_kept() -> None:
    for keys in (selectors.META_TITLE_KEYS, selectors.META_DATE_KEYS,
                 selectors.META_PUBLISHER_KEYS, selectors.META_TAG_KEYS,
                 selectors.META_URL_KEYS):  # fmt: skip
        assert set(keys) <= selectors.META_READ_KEYS


def mutate(page: bytes, rng: random.Random) -> bytes:
    inserts = [
        b"<", b"</div>", b"<div>", b"<p", b'"', b"<script>", b"</script>", b"\x00", b"<!--",
        b"-->", b"</body>", b"</html>", b"<html>", b"<nav>", b"<article>", b"</main>", b"<li>",
        b"<table>", b"<div itemprop=articleBody>", b"<h1 itemprop=headline>X</h1>", b"&#13;",
        b"<p><strong>1 May 2020</strong></p>", b"<h2>Most read</h2>", b"<rt>",
        b"<div class='cookie-banner'><p>We use cookies 7</p></div>",
        b"<time datetime='2020-02-02'>t</time>", b"<meta property='og:title' content='OG'>",
    ]  # fmt: skip
    for _ in range(rng.randint(1, 4)):
        pos = rng.randint(0, len(page))
        roll = rng.random()
        if roll < 0.2:
            page = page[:pos]
        elif roll < 0.5:
            page = page[:pos] + page[pos + rng.randint(1, 2000) :]
        else:
            page = page[:pos] + rng.choice(inserts) + page[pos:]
    return page


def test_mangled_pages_read_the_same_trimmed_or_whole() -> None:
    rng = random.Random(20250607)
    seeds = [page for _, page, _, _ in corpus_cases()]
    trimmed = 0
    for _ in range(250):
        page = mutate(rng.choice(seeds), rng)
        trimmed += trimmed_markup(page) is not None
        assert_same_as_whole(
            page, rng.choice([None, NCA_URL]), rng.choice([None, "nca", "generic"])
        )
    assert trimmed > 100  # the comparison is not vacuous


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(
        st.sampled_from([
            "<p>Officers arrested 38 people.</p>", "<nav>Menu 5</nav>", "<main>", "</main>",
            "<div class='related-news'><p>77 jailed</p></div>", "<article>", "</article>",
            "<div>", "</div>", "<div itemprop='articleBody'>", "<h2>Related stories</h2>",
            "<h1 itemprop='headline'>Head</h1>", "<script>var a = 1;</script>", "<style>p{}</style>",
            "<p><strong>3 October 2025</strong></p>", "<footer>Call 999</footer>", "  ", "text ",
            "<div class='cookie-banner'>We use cookies.</div>", "<ul><li></li></ul>", "<rt>r</rt>",
            "<li itemprop='keywords'><a>Tag</a></li>", "<span hidden>9</span>",
            "<time datetime='2021-06-18'>x</time>", "<meta name='date' content='2020-01-02'>",
        ]),
        max_size=40,
    ),
    url=st.sampled_from([None, NCA_URL]),
)  # fmt: skip
def test_composed_pages_read_the_same_trimmed_or_whole(parts: list[str], url: str | None) -> None:
    assert_same_as_whole(
        "<html><head><title>T</title></head><body>" + "".join(parts) + "</body></html>", url
    )


def test_a_most_read_list_opened_by_a_paragraph_is_not_body() -> None:
    """News sites set "Most Read" as a plain paragraph above a numbered list of other
    stories; neither the line nor the list is the article's text."""
    html = (
        "<html><head><title>Police visit nail bars</title></head><body><article>"
        "<h1>Police visit nail bars</h1>"
        "<p>Officers visited nail bars in six towns as part of a national operation against "
        "labour exploitation, checking on the welfare of the people working there.</p>"
        "<p>Most Read</p><ul><li>1 Man jailed after crash on the A414</li>"
        "<li>3 Teen bullying victim given royal honour</li></ul>"
        "<p>Anyone with concerns can call the Modern Slavery Helpline.</p>"
        "</article></body></html>"
    )
    body = parse_article(html, url="https://www.example-news.co.uk/news/a").body
    assert "Officers visited nail bars" in body and "Modern Slavery Helpline" in body
    assert "Most Read" not in body and "bullying" not in body and "A414" not in body
