"""NRM statistics: ODS tables found by their header text, GOV.UK Content API discovery, and
the flow against a local fake of GOV.UK on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator, Sequence
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import text

from db.engine import get_engine
from db.nrm import quarter_totals
from domain.records import NrmRow
from tasks.nrm import (
    NrmTableNotFound,
    Release,
    parse_referrals_ods,
    referral_rows,
    releases,
    table_attachments,
)

Cell = Any
AGES = ("Adult (18 or over)", "Child (17 or under)", "Age not specified or unknown")
PLACES = ("Overseas", "UK", "UK and Overseas", "Not specified or unknown", "Total")


def workbook(sheets: dict[str, Sequence[Sequence[Cell]]]) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="odf") as writer:
        for name, rows in sheets.items():
            width = max(len(r) for r in rows)
            padded = [list(r) + [None] * (width - len(r)) for r in rows]
            pd.DataFrame(padded).to_excel(writer, sheet_name=name, header=False, index=False)
    return buf.getvalue()


def front_matter() -> dict[str, list[list[Cell]]]:
    return {
        "Cover_sheet": [
            ["Modern Slavery: National Referral Mechanism and Duty to Notify statistics"],
            ["Contact: statistics"],
        ],
        "Contents": [["Table", "Title"], ["Table_1", "..."], ["Table_2", "..."]],
        "Notes": [["Note number", "Note text"], ["Note 1", "Year is given on the first quarter"]],
    }


def variant_a() -> bytes:
    """One-row combined headers at row 6 of Table_2; a decoy decisions table as Table_1."""
    decoy = [
        ["Table 1: Reasonable grounds decisions by quarter and age"],
        ["Source: Home Office"],
        [],
        [
            "Year",
            "Quarter",
            "Adult (18 or over) - Negative reasonable grounds",
            "Adult (18 or over) - Total",
            "Child (17 or under) - Total",
        ],
        [2024, "Q1", 1, 999, 999],
    ]
    head = ["Year", "Quarter"] + [f"{a} - {p}" for a in AGES for p in PLACES] + ["Total"]

    def row(year: Cell, q: Cell, adult: Cell, child: Cell, unknown: Cell) -> list[Cell]:
        def block(total: Cell) -> list[Cell]:
            return [0, 0, 0, 0, total]

        return [year, q, *block(adult), *block(child), *block(unknown), 0]

    table = [
        ["Table 2: NRM referrals by quarter, age at exploitation and location of exploitation"],
        ["This table contains notes [note 1]"],
        ["Source: Home Office"],
        [],
        ["Figures are provisional"],
        head,
        row(2023, None, 9999, 9999, 9999),  # the year's total row: no quarter
        row(None, "Q3", 2100, 1950, 12),
        row(None, "Q4", 2300, 2012, "[x]"),
        row(2024, "Q1", 2400, 2100, 20),
        ["Source: NRM case data"],
    ]
    return workbook({**front_matter(), "Table_1": decoy, "Table_2": table})


def variant_b() -> bytes:
    """Two-row headers (age group over location) at row 3 of Table_3; months as quarters."""
    dtn = [
        ["Table 1: Duty to Notify reports by quarter"],
        [],
        ["Year", "Quarter", "DtN reports"],
        [2024, "Q2", 1234],
    ]
    by_gender = [
        ["Table 2: NRM referrals by quarter and gender"],
        [],
        ["Year", "Quarter", "Female", "Male"],
        [2024, "Q2", 1000, 3700],
    ]
    ages_row: list[Cell] = [None, None]
    for a in AGES:
        ages_row += [a, None, None, None, None]
    places_row: list[Cell] = ["Year [note 2]", "Quarter"] + list(PLACES) * 3

    def row(year: Cell, q: Cell, adult: int, child: int, unknown: int) -> list[Cell]:
        return [year, q, 1, 1, 1, 1, adult, 2, 2, 2, 2, child, 0, 0, 0, 0, unknown]

    table = [
        ["Table 3: NRM referrals by quarter"],
        ages_row,
        places_row,
        row(2023, "Oct to Dec", 2310, 2012, 5),
        row(2024, "Jan to Mar", 2400, 2105, 20),
        row(None, "Apr to Jun", 2500, 2200, 0),
    ]
    sheets = {**front_matter(), "Table_1": dtn, "Table_2": by_gender, "Table_3": table}
    # Three title rows above the headers in this release, not five.
    sheets["Table_3"] = [["Table 3: NRM referrals by quarter"], ["[note 3]"], *table[1:]]
    return workbook(sheets)


A_ROWS = [
    NrmRow(2023, 3, "adult", 2100),
    NrmRow(2023, 3, "child", 1950),
    NrmRow(2023, 3, "unknown", 12),
    NrmRow(2023, 4, "adult", 2300),
    NrmRow(2023, 4, "child", 2012),
    NrmRow(2024, 1, "adult", 2400),
    NrmRow(2024, 1, "child", 2100),
    NrmRow(2024, 1, "unknown", 20),
]
B_ROWS = [
    NrmRow(2023, 4, "adult", 2310),
    NrmRow(2023, 4, "child", 2012),
    NrmRow(2023, 4, "unknown", 5),
    NrmRow(2024, 1, "adult", 2400),
    NrmRow(2024, 1, "child", 2105),
    NrmRow(2024, 1, "unknown", 20),
    NrmRow(2024, 2, "adult", 2500),
    NrmRow(2024, 2, "child", 2200),
    NrmRow(2024, 2, "unknown", 0),
]


def test_referrals_table_is_found_by_header_text_in_either_layout() -> None:
    assert parse_referrals_ods(variant_a()) == A_ROWS
    assert parse_referrals_ods(variant_b()) == B_ROWS


def test_a_workbook_without_the_table_says_so() -> None:
    with pytest.raises(NrmTableNotFound):
        parse_referrals_ods(workbook(front_matter()))
    # Year/Quarter with age groups, but a decisions table: not referrals.
    with pytest.raises(NrmTableNotFound):
        referral_rows(
            {
                "Table_9": [
                    ["Table 9: Conclusive grounds decisions"],
                    ["Year", "Quarter", "Adult - Total", "Child - Total"],
                    [2024, "Q1", 1, 2],
                ]
            }
        )


COLLECTION_PATH = "/api/content/government/collections/national-referral-mechanism-statistics"


def collection_json(origin: str) -> dict[str, Any]:
    return {
        "base_path": "/government/collections/national-referral-mechanism-statistics",
        "title": "National Referral Mechanism statistics",
        "links": {
            "documents": [
                {
                    "title": "Modern Slavery: NRM and DtN statistics, January to March 2024",
                    "base_path": "/government/statistics/nrm-january-to-march-2024",
                    "api_path": "/api/content/government/statistics/nrm-january-to-march-2024",
                    "document_type": "official_statistics",
                    "public_updated_at": "2024-05-01T09:30:00.000+01:00",
                },
                {
                    "title": "National referral mechanism statistics: user guide",
                    "base_path": "/government/publications/nrm-user-guide",
                    "document_type": "guidance",
                    "public_updated_at": "2024-09-01T09:30:00+01:00",
                },
                {
                    "title": "National Referral Mechanism statistics, quarter 2 2019",
                    "base_path": "/government/statistics/nrm-quarter-2-2019",
                    "document_type": "national_statistics",
                    "public_updated_at": "2019-08-01T09:30:00+01:00",
                },
                {
                    "title": "Modern Slavery: NRM and DtN statistics, April to June 2024",
                    "base_path": "/government/statistics/nrm-april-to-june-2024",
                    "api_url": f"{origin}/api/content/government/statistics/nrm-april-to-june-2024",
                    "document_type": "official_statistics",
                    "public_updated_at": "2024-08-01T09:30:00.000+01:00",
                },
            ]
        },
    }


def release_json(origin: str, tables: str | None) -> dict[str, Any]:
    attachments = [
        {
            "title": "Statistical bulletin",
            "url": f"{origin}/media/b1/nrm-bulletin.html",
            "content_type": "text/html",
        },
        {
            "title": "User guide tables",
            "url": "/media/u1/nrm-user-guide.ods",
            "content_type": "application/vnd.oasis.opendocument.spreadsheet",
        },
    ]
    if tables:
        attachments.append(
            {
                "title": "Data tables",
                "url": f"/media/{tables}",
                "filename": tables.split("/")[-1],
                "content_type": "application/vnd.oasis.opendocument.spreadsheet",
            }
        )
    return {"title": "release", "details": {"attachments": attachments}}


def test_releases_and_their_table_attachments_from_content_api_json() -> None:
    origin = "https://www.gov.uk"
    got = releases(collection_json(origin), origin + COLLECTION_PATH)
    assert got == [
        Release(
            "Modern Slavery: NRM and DtN statistics, April to June 2024",
            f"{origin}/api/content/government/statistics/nrm-april-to-june-2024",
            date(2024, 8, 1),
        ),
        Release(
            "Modern Slavery: NRM and DtN statistics, January to March 2024",
            f"{origin}/api/content/government/statistics/nrm-january-to-march-2024",
            date(2024, 5, 1),
        ),
        Release(
            "National Referral Mechanism statistics, quarter 2 2019",
            f"{origin}/api/content/government/statistics/nrm-quarter-2-2019",
            date(2019, 8, 1),
        ),
    ]
    atts = table_attachments(release_json(origin, "a1/nrm-q1-2024-tables.ods"), got[1].api_url)
    assert [(a.url, a.filename) for a in atts] == [
        (f"{origin}/media/a1/nrm-q1-2024-tables.ods", "nrm-q1-2024-tables.ods")
    ]
    assert table_attachments(release_json(origin, None), got[2].api_url) == []


class FakeGovUk:
    """GOV.UK's Content API and asset host on 127.0.0.1: path -> (body, content type)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[bytes, str]] = {}
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append(self.path)
                route = site.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                body, ctype = route
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def json(self, path: str, data: dict[str, Any]) -> None:
        self.routes[path] = (json.dumps(data).encode(), "application/json; charset=utf-8")

    def __enter__(self) -> FakeGovUk:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def govuk() -> Iterator[FakeGovUk]:
    with FakeGovUk() as site:
        o = site.origin
        site.json(COLLECTION_PATH, collection_json(o))
        site.json(
            "/api/content/government/statistics/nrm-january-to-march-2024",
            release_json(o, "a1/nrm-statistics-uk-quarter-1-2024-jan-to-mar-tables.ods"),
        )
        site.json(
            "/api/content/government/statistics/nrm-april-to-june-2024",
            release_json(o, "b2/nrm-statistics-uk-quarter-2-2024-apr-to-jun-tables.ods"),
        )
        site.json("/api/content/government/statistics/nrm-quarter-2-2019", release_json(o, None))
        ods = "application/vnd.oasis.opendocument.spreadsheet"
        site.routes["/media/a1/nrm-statistics-uk-quarter-1-2024-jan-to-mar-tables.ods"] = (
            variant_a(),
            ods,
        )
        site.routes["/media/b2/nrm-statistics-uk-quarter-2-2024-apr-to-jun-tables.ods"] = (
            variant_b(),
            ods,
        )
        yield site


@pytest.mark.flow
def test_flow_loads_the_newest_releases_and_is_idempotent(
    prefect_harness: None, govuk: FakeGovUk, db_url: str
) -> None:
    from flows.nrm import nrm_stats

    url = govuk.origin + COLLECTION_PATH
    engine = get_engine(db_url)
    rows_sql = "SELECT id, loaded_at FROM nrm_statistics ORDER BY id"
    first = nrm_stats(db_url=db_url, collection_url=url, max_releases=1, rate_limit=0)
    assert {k: v for k, v in first.items() if k != "failures"} == {
        "releases": 1,
        "files": 1,
        "rows": 9,
        "failed": 0,
    }
    with engine.connect() as conn:
        loaded = conn.execute(text(rows_sql)).all()
    # The second run loads the newest release again (no new row, loaded_at kept) and one more.
    summary = nrm_stats(db_url=db_url, collection_url=url, max_releases=4, rate_limit=0)
    assert summary == {
        "releases": 2,
        "files": 2,
        "rows": 17,
        "failed": 1,
        "failures": [
            {
                "url": f"{govuk.origin}/api/content/government/statistics/nrm-quarter-2-2019",
                "reason": "no ODS data tables attached",
            }
        ],
    }
    with engine.connect() as conn:
        assert conn.execute(text(rows_sql)).all()[:9] == loaded
        stored = conn.execute(
            text(
                "SELECT year, quarter, age_group, referrals, release_title, release_published"
                " FROM nrm_statistics WHERE source_url LIKE '%quarter-1-2024%'"
                " ORDER BY year, quarter, age_group"
            )
        ).all()
    title = "Modern Slavery: NRM and DtN statistics, January to March 2024"
    assert [tuple(r[:4]) for r in stored] == [
        (r.year, r.quarter, r.age_group, r.referrals)
        for r in sorted(A_ROWS, key=lambda r: (r.year, r.quarter, r.age_group))
    ]
    assert {(r[4], str(r[5])) for r in stored} == {(title, "2024-05-01")}
    # The newest release that gives a quarter wins: 2023 Q4 and 2024 Q1 were revised.
    assert quarter_totals(engine) == {
        (2023, 3): 4062,
        (2023, 4): 4327,
        (2024, 1): 4525,
        (2024, 2): 4700,
    }
    # Nothing was read by sheet number: the decoy tables (DtN, gender, decisions) never count.
    assert "/robots.txt" in govuk.requests
