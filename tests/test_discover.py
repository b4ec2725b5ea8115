"""Discovery: the pure parsers on tiny inputs, then the driver against the fault server."""

from __future__ import annotations

import gzip
import random
from collections.abc import Iterator
from datetime import date

import pytest

from config.settings import Settings
from config.sources import Source
from profiles.europol import parse_europol_listing
from profiles.generic import parse_listing
from profiles.nca import parse_nca_listing
from tasks.discover import (
    Link,
    _maybe_gunzip,
    canonical_url,
    discover,
    parse_feed,
    parse_govuk_search,
    parse_sitemap,
    parse_sitemap_index,
)
from tasks.fetch import Fetcher
from tests.faultserver import FaultServer

NCA = "https://www.nationalcrimeagency.gov.uk"

# ---------------------------------------------------------------------------
# URLs (dates: tests/test_dates.py)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{NCA}/news/slug#top", f"{NCA}/news/slug"),
        (
            "https://www.bbc.co.uk/news/articles/c1m14n4llvvo?at_medium=RSS&at_campaign=rss",
            "https://www.bbc.co.uk/news/articles/c1m14n4llvvo",
        ),
        ("https://x.example/a?id=3&utm_source=feed", "https://x.example/a?id=3"),
        (
            "https://x.example/a?f%5B0%5D=crime_area:40",
            "https://x.example/a?f%5B0%5D=crime_area:40",
        ),
        ("HTTPS://WWW.GOV.UK/Government/News/X", "https://www.gov.uk/Government/News/X"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


# ---------------------------------------------------------------------------
# NCA listing


def _nca_item(href: str, title: str, when: str) -> str:
    return (
        '<div class="span4"><div class="item" itemprop="blogPost">'
        f'<div class="page-header"><h2 itemprop="name"><a href="{href}" itemprop="url">{title}</a>'
        f"</h2></div><p>{when}</p><p>Intro text.</p></div></div>"
    )


NCA_PAGE = (
    "<html><body><header><a href='/news/all-news'>All news</a></header><main>"
    '<div class="blog news-page">'
    '<div class="row-fluid"><div class="items-row row-fluid">'
    + _nca_item("/news/operation-x-arrests", "Forty arrested in county lines week", "09 June 2026")
    + _nca_item("/news/1357-old-style-slug", "Dozens of victims safeguarded", "23 May 2018")
    + _nca_item(f"{NCA}/news/absolute-link", "Release on 01 May 2026 results", "")
    + "</div></div>"
    '<div class="pagination"><ul>'
    '<li><a aria-label="Go to page 2" href="/news?start=16">2</a></li>'
    '<li><a aria-label="Go to next &gt; page" href="/news?start=16">Next &gt;</a></li>'
    "</ul></div></div></main></body></html>"
)


def test_nca_listing_links_dates_and_next() -> None:
    links, next_url = parse_nca_listing(NCA_PAGE, f"{NCA}/news")
    assert links == [
        Link(
            f"{NCA}/news/operation-x-arrests",
            "Forty arrested in county lines week",
            date(2026, 6, 9),
        ),
        Link(f"{NCA}/news/1357-old-style-slug", "Dozens of victims safeguarded", date(2018, 5, 23)),
        # A date in the headline is not the item's date.
        Link(f"{NCA}/news/absolute-link", "Release on 01 May 2026 results", None),
    ]
    assert next_url == f"{NCA}/news?start=16"


def test_nca_listing_last_page_has_no_next() -> None:
    html = NCA_PAGE.replace(
        'aria-label="Go to next &gt; page"', 'aria-label="Go to page 1"'
    ).replace("?start=16", "?start=0")
    assert parse_nca_listing(html, f"{NCA}/news?start=16")[1] is None


@pytest.mark.parametrize(
    ("pagination", "base", "expected"),
    [
        # No aria-label: the smallest ?start= above the current offset.
        (
            '<a href="/news?start=0">1</a><a href="/news?start=32">3</a><a href="/news?start=48">4</a>',
            f"{NCA}/news?start=16",
            f"{NCA}/news?start=32",
        ),
        ('<a href="/news?start=16">2</a>', f"{NCA}/news", f"{NCA}/news?start=16"),
        ('<a href="/other?start=16">2</a>', f"{NCA}/news", None),  # another path
        (
            '<li class="pagination-next"><a href="/news?page=2">Next</a></li>',
            f"{NCA}/news",
            f"{NCA}/news?page=2",
        ),
        ('<a rel="next" href="/news?start=16">Next</a>', f"{NCA}/news", f"{NCA}/news?start=16"),
        ('<a aria-label="Go to next > page" href="#">Next</a>', f"{NCA}/news", None),
    ],
)
def test_nca_listing_next_page_fallbacks(pagination: str, base: str, expected: str | None) -> None:
    html = (
        '<main><div class="blog news-page"><div class="row-fluid">'
        + _nca_item("/news/a-release", "A release", "09 June 2026")
        + f"</div>{pagination}</div></main>"
    )
    assert parse_nca_listing(html, base)[1] == expected


def test_nca_listing_fallback_selector() -> None:
    # Markup without the blog classes: main a[href*='/news/'] with >= 15 characters.
    html = (
        "<nav><a href='/news/menu-link-outside-main'>A link outside main</a></nav><main>"
        "<ul><li><a href='/news/short'>Short</a></li>"
        "<li><div><a href='/news/long-enough-title'>Modern slavery week of action</a>"
        "<span>12 March 2024</span></div></li>"
        "<li><div><a href='/news/second-release'>Second release headline here</a></div></li>"
        "</ul></main>"
    )
    links, next_url = parse_nca_listing(html, f"{NCA}/news/all-news")
    assert links == [
        Link(f"{NCA}/news/long-enough-title", "Modern slavery week of action", date(2024, 3, 12)),
        Link(f"{NCA}/news/second-release", "Second release headline here", None),
    ]
    assert next_url is None


def test_nca_listing_tolerates_junk() -> None:
    assert parse_nca_listing("", f"{NCA}/news") == ([], None)
    assert parse_nca_listing(b"\xff\xfe<not html", f"{NCA}/news") == ([], None)


def test_generic_listing() -> None:
    html = "<main><a href='/a'>A</a><a href='/a#x'>A again</a><a href='mailto:x@y'>m</a></main>"
    assert parse_listing(html, "https://x.example/list") == (
        [Link("https://x.example/a", "A")],
        None,
    )


def test_europol_listing_from_server_data() -> None:
    html = (
        '<html><body><script>window.SERVER_DATA={"NodeLoader":{"node":{"id":1,"lists":'
        '[{"items":[{"title":"51 persons arrested in crackdown on labour exploitation",'
        '"alias":"/media-press/newsroom/news/51-persons-arrested","published":1718000000},'
        '{"title":"Brace \\"};\\" inside","alias":"/media-press/newsroom/news/brace"}]}]}}};'
        "</script></body></html>"
    )
    links, _ = parse_europol_listing(html, "https://www.europol.europa.eu/media-press/newsroom")
    assert links == [
        Link(
            "https://www.europol.europa.eu/media-press/newsroom/news/51-persons-arrested",
            "51 persons arrested in crackdown on labour exploitation",
            date(2024, 6, 10),
        ),
        Link("https://www.europol.europa.eu/media-press/newsroom/news/brace", 'Brace "};" inside'),
    ]


# ---------------------------------------------------------------------------
# Feeds


RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>News</title>
<item><title>Forty arrested in county lines week</title>
  <link>https://www.nationalcrimeagency.gov.uk/news/operation-x</link>
  <pubDate>Tue, 09 Jun 2026 09:30:00 +0100</pubDate>
  <category>County Lines</category><category>Modern slavery</category></item>
<item><title>Guid only &amp; no link</title><guid>https://www.nationalcrimeagency.gov.uk/news/guid-only</guid>
  <dc:date>2026-06-01T08:00:00Z</dc:date></item>
<item><title>Not a permalink</title><guid isPermaLink="false">abc-123</guid></item>
<item><title>Duplicate</title><link>https://www.nationalcrimeagency.gov.uk/news/operation-x</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>National Crime Agency - GOV.UK</title>
<entry><id>tag:www.gov.uk,2005:/government/news/a</id><title type="html">NCA &lt;b&gt;annual&lt;/b&gt; report</title>
  <link rel="alternate" type="text/html" href="https://www.gov.uk/government/news/a"/>
  <link rel="self" href="https://www.gov.uk/api/content/government/news/a"/>
  <published>2026-06-09T10:00:00+01:00</published><updated>2026-06-10T10:00:00+01:00</updated>
  <category term="news_story" label="News story"/></entry>
<entry><title>Updated only</title><link href="/government/news/b"/><updated>2026-05-01T00:00:00Z</updated></entry>
</feed>"""

EUROPOL_RSS = """<rss version="2.0"><channel><title>Europol</title>
<item><title>910 potential victims of human trafficking identified across Europe</title>
<link>https://www.europol.europa.eu/media-press/newsroom/news/910-potential-victims</link>
<description>no date on purpose</description></item></channel></rss>"""

RDF = """<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
<item rdf:about="https://x.example/a"><title>RSS one</title><dc:date>2026-01-02</dc:date></item>
</rdf:RDF>"""


@pytest.mark.parametrize(
    ("xml", "base", "expected"),
    [
        (
            RSS,
            f"{NCA}/news?format=feed&type=rss",
            [
                Link(
                    f"{NCA}/news/operation-x",
                    "Forty arrested in county lines week",
                    date(2026, 6, 9),
                    ("County Lines", "Modern slavery"),
                ),
                Link(f"{NCA}/news/guid-only", "Guid only & no link", date(2026, 6, 1)),
            ],
        ),
        (
            ATOM,
            "https://www.gov.uk/government/organisations/national-crime-agency.atom",
            [
                Link(
                    "https://www.gov.uk/government/news/a",
                    "NCA annual report",
                    date(2026, 6, 9),
                    ("News story",),
                ),
                Link("https://www.gov.uk/government/news/b", "Updated only", date(2026, 5, 1)),
            ],
        ),
        (
            EUROPOL_RSS,
            "https://www.europol.europa.eu/cms/api/rss/news",
            [
                Link(
                    "https://www.europol.europa.eu/media-press/newsroom/news/910-potential-victims",
                    "910 potential victims of human trafficking identified across Europe",
                )
            ],
        ),
        (RDF, "https://x.example/rss", [Link("https://x.example/a", "RSS one", date(2026, 1, 2))]),
        ("<html><body><p>A WAF page, not a feed</p></body></html>", "https://x.example/", []),
        ("not xml at all", "https://x.example/", []),
        (b"", "https://x.example/", []),
    ],
    ids=["rss", "atom", "europol-undated", "rdf", "html", "garbage", "empty"],
)
def test_parse_feed(xml: str | bytes, base: str, expected: list[Link]) -> None:
    assert parse_feed(xml, base) == expected


def test_parse_feed_str_with_encoding_declaration() -> None:
    assert len(parse_feed(RSS.decode("utf-8"), NCA)) == 2


def test_parse_feed_does_not_expand_entities() -> None:
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<rss><channel><item><title>&x;</title><link>https://x.example/a</link></item></channel></rss>"
    )
    [link] = parse_feed(xxe, "https://x.example/")
    assert "root:" not in (link.title or "")


# ---------------------------------------------------------------------------
# Sitemaps and GOV.UK search


NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://www.mirror.co.uk/news/uk-news/gang-jailed-123</loc>
  <news:news><news:publication><news:name>Mirror</news:name><news:language>en</news:language></news:publication>
  <news:publication_date>2026-06-09T08:00:00+01:00</news:publication_date>
  <news:title>County lines gang jailed</news:title><news:keywords>County lines, Crime</news:keywords></news:news></url>
<url><loc>https://www.mirror.co.uk/news/uk-news/plain-456</loc><lastmod>2026-06-08</lastmod></url>
</urlset>"""

SITEMAP_INDEX = """<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://x.example/s1.xml</loc><lastmod>2026-06-09</lastmod></sitemap>
<sitemap><loc>/s2.xml.gz</loc></sitemap></sitemapindex>"""


def test_parse_news_sitemap() -> None:
    assert parse_sitemap(NEWS_SITEMAP, "https://www.mirror.co.uk/map_news.xml") == [
        Link(
            "https://www.mirror.co.uk/news/uk-news/gang-jailed-123",
            "County lines gang jailed",
            date(2026, 6, 9),
            ("County lines", "Crime"),
        ),
        Link("https://www.mirror.co.uk/news/uk-news/plain-456", modified=date(2026, 6, 8)),
    ]
    assert parse_sitemap_index(NEWS_SITEMAP, "https://www.mirror.co.uk/map_news.xml") == []


def test_parse_sitemap_index() -> None:
    assert parse_sitemap(SITEMAP_INDEX, "https://x.example/index.xml") == []
    assert parse_sitemap_index(SITEMAP_INDEX, "https://x.example/index.xml") == [
        Link("https://x.example/s1.xml", modified=date(2026, 6, 9)),
        Link("https://x.example/s2.xml.gz"),
    ]


GOVUK_JSON = """{"results": [
 {"title": "Modern slavery: new  statutory guidance", "link": "/government/news/modern-slavery-guidance",
  "public_timestamp": "2026-06-09T10:00:00.000+01:00", "format": "news_article",
  "organisations": [{"title": "Home Office", "slug": "home-office"}]},
 {"title": "External", "link": "https://www.nationalcrimeagency.gov.uk/news/x"},
 {"title": "No link"}],
 "total": 3, "start": 0}"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOVUK_JSON,
            [
                Link(
                    "https://www.gov.uk/government/news/modern-slavery-guidance",
                    "Modern slavery: new statutory guidance",
                    date(2026, 6, 9),
                    ("Home Office",),
                ),
                Link(f"{NCA}/news/x", "External"),
            ],
        ),
        ('{"results": []}', []),
        ("[]", []),
        ("not json", []),
    ],
)
def test_parse_govuk_search(text: str, expected: list[Link]) -> None:
    assert parse_govuk_search(text, "https://www.gov.uk/api/search.json?count=50") == expected


# ---------------------------------------------------------------------------
# The driver, over real HTTP to the fault server


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with FaultServer() as s:
        yield s


@pytest.fixture(autouse=True)
def _fresh(server: FaultServer) -> None:
    server.reset()


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    settings = Settings(connect_timeout=0.5, read_timeout=1.0, max_attempts=2, backoff_base=0.01)
    with Fetcher(settings, sleep=lambda _s: None, rng=random.Random(1)) as f:
        yield f


def source(server: FaultServer, kind: str, path: str, **extra: object) -> Source:
    """A source pointed at the fault server: only start_url and allowed_hosts change."""
    values: dict[str, object] = {
        "name": "test",
        "kind": kind,
        "profile": "nca",
        "start_url": server.url(path),
        "allowed_hosts": ["127.0.0.1"],
        "rate_limit": 0,
        "allow_private_hosts": True,
    }
    values.update(extra)
    return Source.model_validate(values)


def test_listing_follows_pagination_to_the_end(fetcher: Fetcher, server: FaultServer) -> None:
    d = discover(source(server, "listing", "/news"), fetcher)
    assert [x.url for x in d.links] == [server.url(a.path) for a in server.articles]
    assert [x.published for x in d.links] == [a.published for a in server.articles]
    assert [x.title for x in d.links] == [a.title for a in server.articles]
    assert (d.pages_fetched, d.stopped, d.failures, d.warnings) == (3, "end", [], [])
    assert server.paths() == ["/robots.txt", "/news", "/news?start=16", "/news?start=32"]


def test_listing_stops_at_max_pages(fetcher: Fetcher, server: FaultServer) -> None:
    d = discover(source(server, "listing", "/news", max_pages=5), fetcher, max_pages=2)
    assert (len(d.links), d.pages_fetched, d.stopped) == (32, 2, "max_pages")
    assert "/news?start=32" not in server.paths()


def test_listing_source_max_pages_is_the_default(fetcher: Fetcher, server: FaultServer) -> None:
    d = discover(source(server, "listing", "/news", max_pages=1), fetcher)
    assert (len(d.links), d.pages_fetched, d.stopped) == (16, 1, "max_pages")


def test_listing_stops_once_a_page_is_older_than_since(
    fetcher: Fetcher, server: FaultServer
) -> None:
    since = date(2026, 4, 15)
    d = discover(source(server, "listing", "/news"), fetcher, since=since)
    expected = [server.url(a.path) for a in server.articles if a.published >= since]
    assert [x.url for x in d.links] == expected and len(expected) == 12
    # Page 2 (items 17-32) is all older than `since`: no page 3.
    assert (d.pages_fetched, d.stopped, d.dropped) == (2, "since", {"before since": 20})
    assert "/news?start=32" not in server.paths()


def test_listing_until_and_keywords(fetcher: Fetcher, server: FaultServer) -> None:
    src = source(server, "listing", "/news", keywords=["modern slavery"])
    d = discover(src, fetcher, until=date(2026, 3, 1))
    expected = [
        server.url(a.path)
        for a in server.articles
        if a.published <= date(2026, 3, 1) and "modern slavery" in a.title.lower()
    ]
    assert [x.url for x in d.links] == expected and expected
    assert d.pages_fetched == 3


def test_listing_failure_is_reported(fetcher: Fetcher, server: FaultServer) -> None:
    d = discover(source(server, "listing", "/missing-listing"), fetcher)
    assert (d.links, d.pages_fetched, d.stopped) == ([], 0, "failure")
    [failure] = d.failures
    assert (failure.url, failure.status, failure.error) == (
        server.url("/missing-listing"),
        404,
        "http 404",
    )


def test_listing_robots_refusal_is_a_failure(fetcher: Fetcher, server: FaultServer) -> None:
    d = discover(source(server, "listing", "/private/news"), fetcher)
    assert [f.error for f in d.failures] == ["robots.txt disallows"]
    assert "/private/news" not in server.paths()


def test_listing_without_articles_warns(fetcher: Fetcher, server: FaultServer) -> None:
    d = discover(source(server, "listing", "/fault/no-content-type"), fetcher)
    assert (d.links, d.stopped) == ([], "empty")
    assert d.warnings == [f"no article links on {server.url('/fault/no-content-type')}"]


def test_feed(fetcher: Fetcher, server: FaultServer) -> None:
    d = discover(source(server, "feed", "/news?format=feed&type=rss"), fetcher)
    assert [x.url for x in d.links] == [server.url(a.path) for a in server.articles[:10]]
    assert d.links[0].tags == server.articles[0].tags
    assert d.links[0].published == server.articles[0].published
    assert (d.pages_fetched, d.stopped) == (1, "end")


def test_feed_keywords_use_tags(fetcher: Fetcher, server: FaultServer) -> None:
    src = source(server, "feed", "/news?format=feed&type=rss", keywords=["human trafficking"])
    d = discover(src, fetcher)
    assert [x.title for x in d.links] == [
        a.title for a in server.articles[:10] if "Human trafficking" in a.tags
    ]
    assert d.dropped == {"keywords": 8}


def test_sitemap_index_skips_children_older_than_since(
    fetcher: Fetcher, server: FaultServer
) -> None:
    d = discover(source(server, "sitemap", "/sitemap-index.xml"), fetcher, since=date(2026, 5, 20))
    assert [x.url for x in d.links] == [server.url(a.path) for a in server.articles[:5]]
    assert server.paths() == ["/robots.txt", "/sitemap-index.xml", "/news-sitemap.xml"]
    assert d.pages_fetched == 2


def test_sitemap_index_all_children(fetcher: Fetcher, server: FaultServer) -> None:
    d = discover(source(server, "sitemap", "/sitemap-index.xml"), fetcher)
    assert [x.url for x in d.links] == [server.url(a.path) for a in server.articles]
    assert d.links[0].title == server.articles[0].title  # from news:title
    assert d.links[5].modified == server.articles[5].published  # from lastmod
    assert d.pages_fetched == 3


def test_govuk_search_pages_through_results(fetcher: Fetcher, server: FaultServer) -> None:
    src = source(
        server, "govuk_search", "/api/search.json?order=-public_timestamp&count=16", profile="govuk"
    )
    d = discover(src, fetcher)
    assert [x.url for x in d.links] == [
        server.url(f"/government/news/{a.slug}") for a in server.articles
    ]
    assert d.links[0].tags == ("National Crime Agency",)
    assert server.paths()[1:] == [
        "/api/search.json?order=-public_timestamp&count=16",
        "/api/search.json?order=-public_timestamp&count=16&start=16",
        "/api/search.json?order=-public_timestamp&count=16&start=32",
    ]


def test_govuk_search_since_goes_to_the_api(fetcher: Fetcher, server: FaultServer) -> None:
    src = source(server, "govuk_search", "/api/search.json?count=16", profile="govuk")
    d = discover(src, fetcher, since=date(2026, 4, 15), until=date(2026, 6, 1))
    assert server.paths()[1] == (
        "/api/search.json?count=16&filter_public_timestamp=from%3A2026-04-15%2Cto%3A2026-06-01"
    )
    assert d.stopped == "since"
    assert all(date(2026, 4, 15) <= (x.published or date.min) <= date(2026, 6, 1) for x in d.links)


def test_urls_kind_fetches_nothing(fetcher: Fetcher, server: FaultServer) -> None:
    urls = [server.url("/news/a-release"), server.url("/news/a-release#dup"), server.url("/about")]
    src = source(server, "urls", "/", start_url=None, urls=urls)
    d = discover(src, fetcher)
    assert [x.url for x in d.links] == [server.url("/news/a-release")]
    assert d.dropped == {"duplicate": 1, "not an article": 1}
    assert (d.pages_fetched, server.paths()) == (0, [])


def test_gzipped_sitemap_bodies() -> None:
    data = NEWS_SITEMAP.encode()
    assert _maybe_gunzip(gzip.compress(data)) == data
    assert _maybe_gunzip(data) == data
    assert _maybe_gunzip(b"\x1f\x8bnot gzip") is None
