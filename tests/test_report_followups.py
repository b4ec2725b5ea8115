"""What happened next, in the HTML report: each operation card's timeline (the operation,
then its linked follow-ups in date order with their outcomes and links), the overview chart
of charge-rate lower bounds, and the list of unlinked follow-up pages.

The warehouse is the follow-up test site of tests/test_followups.py (two weeks of action,
four follow-ups, an unrelated charge release), read by the real extractor and loaded,
resolved, linked and derived as a run does, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db import load as wh
from db.engine import get_engine
from db.followups import Outcome
from db.queries import metrics_rows
from db.report_queries import ReportData, load_report_data
from tasks.derive import rebuild
from tasks.extract import extract_page
from tasks.report import esc, render_report
from tasks.report_charts import charge_rates
from tasks.report_followups import (
    NO_COUNT,
    TimelineEntry,
    outcome_text,
    timeline,
    unlinked_pages,
)
from tasks.resolve import resolve_batch
from tests.test_report import JS_URL, SrcStub, _Collect, _Fetched

SITE = Path(__file__).parent / "fixtures" / "followups" / "site"
BASE = "https://followups.test"
LABOUR = "Sixteen arrested in national week of action against labour exploitation"
COUNTY = "More than 300 arrested in county lines intensification week"


def build_followup_warehouse(db_url: str) -> Engine:
    """The site's pages, the weeks' releases (official) first, each archived, extracted,
    resolved, loaded and derived in its own transactions, as a run's batches are."""
    engine = get_engine(db_url)
    with engine.begin() as conn:
        ids = wh.register_sources(conn, [SrcStub("official", True), SrcStub("news", False)])
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    pages = sorted(SITE.glob("*.html"), key=lambda p: ("week" not in p.name, p.name))
    for i, path in enumerate(pages):
        official = "week" in path.name
        url = f"{BASE}/{path.name}"
        fetched = _Fetched(url, path.read_bytes(), t0 + timedelta(minutes=i))
        with engine.begin() as conn:
            page_id, version_id = wh.archive(conn, ids["official" if official else "news"], fetched)
        assert version_id is not None
        item = wh.PageItem(page_id, version_id, url, fetched.fetched_at, official, "x")
        extracted = wh.Extracted(item, extract_page(path.read_bytes(), url=url), True)
        with engine.connect() as conn:
            matches = resolve_batch(conn, [extracted])
        with engine.begin() as conn:
            rebuild(conn, wh.load(conn, [extracted], matches))
    return engine


def _card(page: str, op_id: int) -> str:
    start = page.index(f'id="op-{op_id}"')
    return page[start : page.index("</article>", start)]


def _timeline_items(card: str) -> list[str]:
    m = re.search(r'<ol class="timeline">(.*?)</ol>', card)
    assert m is not None
    return re.findall(r"<li class=\"tl-[a-z]+\">.*?</li>", m.group(1))


def _link(path: str, text: str) -> str:
    return f'<a href="{BASE}/{path}" rel="noopener noreferrer nofollow">{text}</a>'


BY_WEEK = '<span class="tag">linked by the week of action it describes</span>'


def test_report_shows_timelines_chart_and_unlinked_follow_ups(db_url: str) -> None:
    engine = build_followup_warehouse(db_url)
    ids = {r["title"]: r["id"] for r in metrics_rows(engine)}
    assert sorted(ids) == [COUNTY, LABOUR]  # follow-ups are no operation's source
    labour, county = ids[LABOUR], ids[COUNTY]

    data = load_report_data(engine)
    assert {op: [o.url.rsplit("/", 1)[1] for o in items] for op, items in data.followups.items()} == {
        labour: ["labour-charged-2021.html", "aidant-jailed-2022.html"],
        county: ["county-lines-charged-2022.html", "county-lines-jailed-2023.html"],
    }  # fmt: skip
    assert data.unlinked_followups == [
        {
            "url": f"{BASE}/hull-man-charged-2022.html",
            "title": "Man charged with modern slavery offences in Hull",
            "published": date(2022, 3, 1),
        }
    ]
    # The report of some operations reads their follow-ups, not the unlinked pages.
    only = load_report_data(engine, [labour])
    assert list(only.followups) == [labour] and only.unlinked_followups == []

    page = render_report(data, generated_at="2024-01-01 12:00 UTC")
    assert render_report(data, generated_at="2024-01-01 12:00 UTC") == page  # deterministic

    # The labour week: 16 arrests, 3 charged 22 days after it ended (7 February to
    # 1 March 2021), 2 jailed for 10.5 years in all 457 days after.
    assert _timeline_items(_card(page, labour)) == [
        '<li class="tl-operation"><span class="tl-date">2021-02-01</span> <strong>the '
        "operation</strong>: 2021-02-01 to 2021-02-07 · 16 arrests</li>",
        '<li class="tl-followup"><span class="tl-date">2021-03-01</span> <strong>3 charged'
        '</strong> <span class="muted">(22 days after it ended)</span> · '
        + _link("labour-charged-2021.html", "Three charged after labour exploitation week of action")
        + f" {BY_WEEK}"
        '<blockquote class="evidence">Three people have been charged with modern slavery '
        "offences after being arrested during the national week of action against labour "
        "exploitation in February.</blockquote></li>",
        '<li class="tl-followup"><span class="tl-date">2022-05-10</span> <strong>2 convicted, '
        '10.5 years in all</strong> <span class="muted">(457 days after it ended)</span> · '
        + _link("aidant-jailed-2022.html", "Two men jailed after Operation Aidant week of action")
        + f" {BY_WEEK}"
        '<blockquote class="evidence">Two men arrested during Operation Aidant, the national '
        "week of action against labour exploitation in February 2021, have been jailed at "
        'Leicester Crown Court.</blockquote><blockquote class="evidence">One was sentenced to '
        "six years, the other to four years and six months, after they pleaded guilty to "
        "modern slavery offences.</blockquote></li>",
    ]  # fmt: skip
    # County lines: more than 300 arrests and 8 charged in the week, 5 charged 30 days after
    # it ended, 2 of those 5 jailed (5.5 years) 247 days after.
    county_items = _timeline_items(_card(page, county))
    assert [re.sub(r"<blockquote.*", "", i) for i in county_items] == [
        '<li class="tl-operation"><span class="tl-date">2022-10-10</span> <strong>the '
        "operation</strong>: 2022-10-10 to 2022-10-16 · &gt;300 arrests · 8 charged during "
        "the operation</li>",
        '<li class="tl-followup"><span class="tl-date">2022-11-15</span> <strong>5 charged'
        '</strong> <span class="muted">(30 days after it ended)</span> · '
        + _link("county-lines-charged-2022.html", "Five charged following county lines intensification week")
        + f" {BY_WEEK}",
        '<li class="tl-followup"><span class="tl-date">2023-06-20</span> <strong>2 convicted, '
        '5.5 years in all</strong> <span class="muted">(247 days after it ended)</span> · '
        + _link("county-lines-jailed-2023.html", "Two county lines dealers jailed")
        + f" {BY_WEEK}",
    ]  # fmt: skip

    # The follow-up metrics, under the timeline: bounds marked, reasons given.
    card = _card(page, labour)
    for needle in (
        '<td class="num">≥3</td><td class="formula"><code>max(sum(followup charged), '
        "sum(followup convicted))</code></td>",
        '<td class="num">≥18.8 %</td><td class="formula"><code>(charged + charged_later) / '
        'arrests</code></td><td class="note">lower bound: published outcomes only; charged '
        "not reported, taken as 0</td>",
        '<td class="num">≤22</td>',
    ):
        assert needle in card, needle
    assert '<td class="num">~4.3 %</td>' in _card(page, county)  # 13 / more than 300

    # The overview chart: both operations have a known charge rate.
    chart = re.search(r'<figure class="chart" id="chart-charge-rates"><img src="([^"]+)" '
                      r'alt="([^"]*)"', page)  # fmt: skip
    assert chart is not None and chart.group(1).startswith("data:image/svg+xml;base64,")
    assert chart.group(2) == (
        "2021-02-01 · Sixteen arrested in national week of action a… charge rate (lower "
        "bound): ≥18.8 %; 2022-10-10 · More than 300 arrested in county lines intens… charge "
        "rate (lower bound): ~4.3 %"
    )
    assert "<figcaption>Arrests known to have led to a charge (lower bound)." in page

    # The unrelated Hull release: listed as unlinked, on no card.
    section = page[page.index('<section id="unlinked-followups">') :]
    section = section[: section.index("</section>")]
    assert "<p>1 follow-up page: each reports charges, convictions or sentences" in section
    assert re.findall(r"<li>.*?</li>", section) == [
        '<li><span class="tl-date">2022-03-01</span> '
        + _link("hull-man-charged-2022.html", "Man charged with modern slavery offences in Hull")
        + "</li>"
    ]
    assert page.count("hull-man-charged-2022.html") == 1
    assert '<a href="#unlinked-followups">Unlinked follow-ups</a>' in page


# --------------------------------------------------------------------------- pure parts


def _outcome(page_id: int, published: date | None, url: str = "", **figures: float) -> Outcome:
    return Outcome(page_id, url or f"https://x.test/{page_id}", f"page {page_id}", published,
                   "name", None, {k: (v, f"{k} sentence", "exact") for k, v in figures.items()})  # fmt: skip


@pytest.mark.parametrize(
    ("figures", "text"),
    [
        ({"charged": 3}, "3 charged"),
        ({"convicted": 2, "sentence_years_total": 10.5}, "2 convicted, 10.5 years in all"),
        ({"charged": 4, "convicted": 1, "sentence_years_total": 1}, "4 charged, 1 convicted, 1 year in all"),
        # People convicted earlier, sentenced now (the page states no new conviction).
        ({"sentence_years_total": 16}, "sentenced to 16 years in all"),
        ({"convicted": 3, "sentence_years_total": 2.3333}, "3 convicted, 2.33 years in all"),
        ({"charged": 1200}, "1,200 charged"),
        ({}, NO_COUNT),  # an acquittal: a follow-up with nothing to count
    ],
)  # fmt: skip
def test_outcome_text(figures: dict[str, float], text: str) -> None:
    assert outcome_text({k: (v, "e", "exact") for k, v in figures.items()}) == text


def test_timeline_is_in_date_order_with_undated_last() -> None:
    row = {"id": 1, "start_date": "2021-02-01", "end_date": None, "published": "2021-02-12",
           "arrests": 25, "charged": None}  # fmt: skip
    followups = [
        _outcome(3, date(2021, 1, 20), charged=1),  # linked by hand, before the operation
        _outcome(4, date(2021, 2, 2), convicted=1),
        _outcome(5, None),
    ]
    got = [
        (e.day, e.kind, e.what, e.after) for e in timeline(row, followups, {"arrests": "at_least"})
    ]
    assert got == [
        ("2021-01-20", "followup", "1 charged", "12 days before it began"),
        ("2021-02-01", "operation", "2021-02-01 · ≥25 arrests", ""),
        ("2021-02-02", "followup", "1 convicted", "1 day after it began"),
        (None, "followup", NO_COUNT, ""),
    ]  # fmt: skip
    assert timeline(row, []) == []  # no follow-up: no timeline
    # An undated operation: from its first publication, else nothing to count from.
    entry = timeline({"id": 2, "published": "2022-03-01"}, [_outcome(6, date(2022, 3, 11))])
    assert [(e.day, e.what, e.after) for e in entry] == [
        ("2022-03-01", "first published 2022-03-01", ""),
        ("2022-03-11", NO_COUNT, "10 days after it was first published"),
    ]
    assert timeline({"id": 3}, [_outcome(7, None)])[0] == TimelineEntry(
        None, "operation", "undated"
    )


def test_unlinked_pages_are_oldest_first_on_every_database() -> None:
    rows = [
        {"url": "https://b.test/2", "title": None, "published": None},
        {"url": "https://b.test/1", "title": "B", "published": date(2022, 1, 2)},
        {"url": "https://a.test/1", "title": "A", "published": date(2022, 1, 2)},
        {"url": "https://c.test/1", "title": "C", "published": date(2021, 5, 1)},
    ]
    assert [(p.day, p.url) for p in unlinked_pages(rows)] == [
        ("2021-05-01", "https://c.test/1"),
        ("2022-01-02", "https://a.test/1"),
        ("2022-01-02", "https://b.test/1"),
        (None, "https://b.test/2"),
    ]


def test_charge_rate_chart_only_known_rates_and_says_when_none() -> None:
    rows = [
        {"id": 1, "name": "Op A", "published": "2021-01-01", "charge_rate_lower_bound": 0.188},
        {"id": 2, "name": "Op B", "published": "2022-01-01", "charge_rate_lower_bound": None},
        # Charged during the week only: known without any follow-up.
        {"id": 3, "name": "Op C", "published": "2023-01-01", "charge_rate_lower_bound": 0.5},
        {"id": 4, "name": "Op D", "published": "2023-06-01", "charge_rate_lower_bound": 1.25},
    ]
    details = {i: {"charge_rate_lower_bound": {"qualifier": "at_least"}} for i in (1, 3, 4)}
    chart = charge_rates(rows, details)
    assert chart.key == "charge-rates"
    assert chart.alt == (
        "2021-01-01 · Op A charge rate (lower bound): ≥18.8 %; "
        "2023-01-01 · Op C charge rate (lower bound): ≥50.0 %; "
        "2023-06-01 · Op D charge rate (lower bound): ≥125.0 % (more charged than arrested: "
        "read the follow-ups)"
    )
    assert charge_rates(rows[1:2], {}).alt == "No operation has a known charge rate yet"
    assert charge_rates(rows, details).data_uri == chart.data_uri  # reproducible


def test_cards_without_follow_ups_and_hostile_follow_ups() -> None:
    """No follow-up: one line, no timeline. A follow-up's scraped title and sentences stay
    text, and a link that is not http(s) is no link."""
    rows = [
        {"id": 1, "name": "Operation Quiet", "published": "2021-05-01", "sources": 1},
        {"id": 2, "name": "Operation Loud", "published": "2021-06-01", "sources": 1},
    ]
    hostile = Outcome(9, JS_URL, "<script>x()</script>jailed", date(2021, 9, 1), "manual",
                      None, {"convicted": (1.0, '"><img src=x onerror=alert(1)>', "exact")})  # fmt: skip
    page = render_report(ReportData(rows, {}, followups={2: [hostile]}))
    quiet, loud = _card(page, 1), _card(page, 2)
    assert '<ol class="timeline">' not in quiet
    assert (
        '<p class="muted">No follow-up page (charges, convictions, sentences) is linked to '
        "this operation yet.</p>"
    ) in quiet
    assert _timeline_items(loud)[1] == (
        '<li class="tl-followup"><span class="tl-date">2021-09-01</span> <strong>1 convicted'
        '</strong> <span class="muted">(92 days after it was first published)</span> · '
        '<span class="nolink">&lt;script&gt;x()&lt;/script&gt;jailed</span> '
        '<span class="tag">linked by hand</span><blockquote class="evidence">'
        f"{esc(chr(34) + '><img src=x onerror=alert(1)>')}</blockquote></li>"
    )
    parsed = _Collect()
    parsed.feed(page)
    assert "script" not in parsed.tags and JS_URL not in parsed.hrefs
    assert len(parsed.imgs) == 5
    assert '<p class="muted">Every follow-up page found (1) is linked to an operation.</p>' in page
    empty = render_report(ReportData([], {}))
    assert '<p class="muted">No follow-up page has been found yet.</p>' in empty
