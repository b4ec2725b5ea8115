"""A small warehouse for the auditable-warehouse tests and the docs/SCHEMA.md queries.

Three operations from five page readings, loaded batch by batch as the ETL flow does
(archive per page, then resolve, load and refresh per batch):

1. "child trafficking week" (NCA, official, 2021-11-05) + a news story two days later that
   says 40 arrests, not 38. The NCA page is revised on 2021-11-20: 41 arrests. The page
   names Kent Police, the Met, GMP, Police Scotland (a force-scope figure) and an unknown
   "Ruritania Police".
2. The Europol release of the wider action (175 arrests, 187 victims, 26 countries), the
   parent of operation 1 by the rule in db/lineage.py.
3. A county lines week (NPCC, 2022-10-10) naming West Midlands, Merseyside and the Met.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Engine, text

from db import load as wh
from domain.records import Article, BreakdownItem, Extraction, Figure, FigureResult, OperationFacts
from tasks.derive import rebuild
from tasks.resolve import resolve_batch

NCA_URL = "https://www.nationalcrimeagency.gov.uk/news/child-trafficking-week-of-action"
NEWS_URL = "https://news.example.org/2021/11/07/child-trafficking-arrests"
EUROPOL_URL = "https://www.europol.europa.eu/media-press/newsroom/news/175-arrests"
COUNTY_URL = "https://www.npcc.police.uk/news/county-lines-week-1468-arrests"


@dataclass
class Fetched:
    """The fields of tasks.fetch.FetchResult that the archive reads."""

    url: str
    body: bytes | None
    fetched_at: datetime
    status: int | None = 200
    not_modified: bool = False
    final_url: str = ""
    content_type: str | None = "text/html"
    encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "text/html"})
    error: str | None = None
    attempts: int = 1

    @property
    def content_hash(self) -> str | None:
        return hashlib.sha256(self.body).hexdigest() if self.body is not None else None


@dataclass(frozen=True)
class Doc:
    """One page reading: what was fetched, what the extractor read, whose source it is."""

    url: str
    fetched_at: datetime
    extraction: Extraction
    source: str = "nca"
    relevant: bool = True

    @property
    def body(self) -> bytes:
        # Distinct bodies per reading, so every reading is a new page version.
        return f"{self.url}@{self.fetched_at.isoformat()}".encode()


@dataclass(frozen=True)
class SourceRow:
    """What wh.register_sources reads of a config.sources.Source."""

    name: str
    kind: str
    profile: str
    start_url: str
    official: bool


SOURCES = {
    "nca": SourceRow("nca", "listing", "nca", "https://www.nationalcrimeagency.gov.uk/news", True),
    "news": SourceRow("news", "urls", "generic", "https://news.example.org/", False),
}


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def extraction(
    url: str,
    title: str,
    published: date,
    *,
    publisher: str,
    operation: dict[str, float] | None = None,
    international: dict[str, float] | None = None,
    force_figures: Sequence[tuple[str, str, float]] = (),
    forces: Sequence[str] = (),
    name: str | None = None,
    lead: str | None = "NCA",
    theme: str | None = "child_exploitation",
    qualifiers: dict[str, str] | None = None,
    breakdown: Sequence[tuple[str, int]] = (),
) -> Extraction:
    quals = qualifiers or {}
    figs: list[Figure] = []
    pos = 0
    for scope, values in (("operation", operation or {}), ("international", international or {})):
        for metric, value in values.items():
            evidence = f"{scope} {metric}: {value:g}."
            figs.append(
                Figure(scope, metric, value, quals.get(metric, "exact"), evidence, (pos, pos + 20))
            )
            pos += 21
    for subject, metric, value in force_figures:
        figs.append(
            Figure(
                "force",
                metric,
                value,
                "exact",
                f"{subject}: {metric} {value:g}.",
                (pos, pos + 20),
                subject=subject,
            )
        )
        pos += 21
    return Extraction(
        Article(url, title, published, publisher, "body text"),
        FigureResult(
            tuple(figs),
            tuple(BreakdownItem(o, n, f"{n} for {o}") for o, n in breakdown),
            OperationFacts(name=name, lead_agency=lead, theme=theme, forces=tuple(forces)),
        ),
    )


def nca(arrests: int, fetched: datetime) -> Doc:
    return Doc(
        NCA_URL,
        fetched,
        extraction(
            NCA_URL,
            "Week of action against child trafficking sees arrests and safeguarding",
            date(2021, 11, 5),
            publisher="National Crime Agency",
            operation={
                "arrests": arrests,
                "potential_victims": 99,
                "victims_children": 72,
                "forces_involved": 19,
                "nrm_referrals": 55,
            },
            international={"arrests": 175, "potential_victims": 187},
            force_figures=[("Police Scotland", "potential_victims", 5)],
            forces=["Kent Police", "the Met", "GMP", "Ruritania Police"],
            breakdown=[("child sexual exploitation", 11), ("criminal exploitation", 18)],
        ),
    )


NCA_V1 = nca(38, at(date(2021, 11, 5)))
NCA_V2 = nca(41, at(date(2021, 11, 20)))
NEWS = Doc(
    NEWS_URL,
    at(date(2021, 11, 7)),
    extraction(
        NEWS_URL,
        "Week-long child trafficking operation: arrests across the country",
        date(2021, 11, 7),
        publisher="Example News",
        operation={"arrests": 40, "potential_victims": 99},
        qualifiers={"arrests": "more_than"},
    ),
    source="news",
)
EUROPOL = Doc(
    EUROPOL_URL,
    at(date(2021, 11, 19)),
    extraction(
        EUROPOL_URL,
        "175 arrests in European action days on child trafficking",
        date(2021, 11, 19),
        publisher="Europol",
        operation={"arrests": 175, "potential_victims": 187, "countries_involved": 26},
        lead="Europol",
    ),
)
COUNTY = Doc(
    COUNTY_URL,
    at(date(2022, 10, 10)),
    extraction(
        COUNTY_URL,
        "County lines intensification week: 1,468 arrests",
        date(2022, 10, 10),
        publisher="NPCC",
        # More referrals than victims: the quality check referrals_le_victims fails.
        operation={
            "arrests": 1468,
            "weapons_seized": 226,
            "potential_victims": 240,
            "nrm_referrals": 300,
        },
        forces=["West Midlands Police", "Merseyside Police", "Metropolitan Police"],
        lead="NPCC",
        theme="county_lines",
    ),
)
BATCHES: tuple[tuple[Doc, ...], ...] = ((NCA_V1, NEWS), (EUROPOL, COUNTY), (NCA_V2,))


def archive(engine: Engine, docs: Sequence[Doc]) -> list[wh.Extracted]:
    """Archive each page in its own transaction, as fetch_task does; return the batch to load."""
    out = []
    for d in docs:
        with engine.begin() as conn:
            ids = wh.register_sources(conn, [SOURCES[d.source]])
            page_id, version_id = wh.archive(
                conn, ids[d.source], Fetched(d.url, d.body, d.fetched_at)
            )
        if version_id is None:
            raise RuntimeError(f"{d.url}: the archive already holds this body")
        item = wh.PageItem(
            page_id, version_id, d.url, d.fetched_at, SOURCES[d.source].official, d.source
        )
        out.append(wh.Extracted(item, d.extraction, d.relevant))
    return out


def load_batch(engine: Engine, pages: Sequence[wh.Extracted]) -> set[int]:
    """resolve_task, load_task and derive_task of the ETL flow, in their transactions."""
    with engine.connect() as conn:
        matches = resolve_batch(conn, pages)
    with engine.begin() as conn:
        touched = wh.load(conn, pages, matches)
    with engine.begin() as conn:
        rebuild(conn, touched)
    return touched


def ingest(engine: Engine, docs: Sequence[Doc]) -> set[int]:
    return load_batch(engine, archive(engine, docs))


def build(engine: Engine, batches: Sequence[Sequence[Doc]] = BATCHES) -> None:
    for batch in batches:
        ingest(engine, batch)


def op_id(engine: Engine, url: str) -> int:
    """The operation the current reading of ``url`` belongs to."""
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT operation_id FROM articles WHERE url = :u AND superseded_at IS NULL"),
            {"u": url},
        ).scalar_one()


TABLES = (
    "sources",
    "pages",
    "page_versions",
    "fetch_failures",
    "operations",
    "articles",
    "figures",
    "arrest_breakdowns",
    "operation_figures",
    "metric_values",
    "quality_checks",
    "forces",
    "force_aliases",
    "article_forces",
    "operation_forces",
    "operation_overrides",
    "nrm_statistics",
)


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, ids included, in a driver-neutral form."""

    def norm(v: object) -> object:
        if isinstance(v, bool):
            return int(v)
        if isinstance(v, datetime):
            return (
                v.replace(tzinfo=None)
                if v.tzinfo is None
                else v.astimezone(UTC).replace(tzinfo=None)
            )
        if isinstance(v, memoryview):
            return bytes(v)
        return v

    out: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for t in TABLES:
            rows = conn.execute(text(f"SELECT * FROM {t} ORDER BY id")).all()
            out[t] = [tuple(norm(v) for v in r) for r in rows]
    return out
