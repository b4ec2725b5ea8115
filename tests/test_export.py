"""`optally export`: one CSV or Parquet file per stable view and for the claims, read back exactly."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from app.cli import main
from db.engine import get_engine
from db.queries import FIGURE_COLUMNS
from tests.test_report import (
    HOSTILE_EVIDENCE,
    HOSTILE_TITLE,
    NCA,
    build_warehouse,
    ids_by_name,
    seed_page,
    standard_pages,
)

FILES = ("operation_summary", "operation_metrics", "figure_claims")


def revised_seed():  # type: ignore[no-untyped-def]
    """The NCA page, revised to 41 arrests: the first reading stays, closed, in the claims."""
    page = seed_page()
    page.figures = [f if f[1] != "arrests" or f[0] != "operation" else
                    ("operation", "arrests", 41, "exact", "41 people have now been arrested.")
                    for f in page.figures]  # fmt: skip
    return page


def _export(db_url: str, out: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> dict[str, int]:
    engine = build_warehouse(db_url, [*standard_pages(), revised_seed()])
    assert main(["export", "--db", db_url, "--format", fmt, "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines() == [str(out / f"{n}.{fmt}") for n in FILES]
    return ids_by_name(engine)


def _csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def test_csv_export_reads_back_exactly(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = _export(db_url, tmp_path / "csv", "csv", capsys)
    aidant, orochi, x = (
        str(ids[k]) for k in ("Operation Aidant", "Operation Orochi", HOSTILE_TITLE)
    )

    cols, rows = _csv(tmp_path / "csv" / "operation_summary.csv")
    assert cols[:9] == ["operation_id", "name", "lead_agency", "theme", "start_date", "end_date",
                        "first_published", "title", "sources"]  # fmt: skip
    assert set(FIGURE_COLUMNS) <= set(cols)
    by_id = {r["operation_id"]: r for r in rows}
    assert [r["operation_id"] for r in rows] == sorted(by_id, key=int)
    a = by_id[aidant]
    assert (a["name"], a["first_published"], a["sources"], a["start_date"]) == (
        "Operation Aidant",
        "2021-11-05",
        "2",
        "",
    )
    assert (a["arrests"], a["forces_involved"], a["international_arrests"], a["charged"]) == (
        "41",
        "19",
        "175",
        "",
    )
    assert by_id[x]["title"] == HOSTILE_TITLE

    _, rows = _csv(tmp_path / "csv" / "operation_metrics.csv")
    by_id = {r["operation_id"]: r for r in rows}
    assert {k: by_id[aidant][k] for k in ("arrests_per_force", "arrests_per_force_day",
            "nrm_referral_rate", "unreferred_victims", "uk_share_of_international_arrests",
            "arrests_outside_breakdown")} == {
        "arrests_per_force": "2.16", "arrests_per_force_day": "0.31", "nrm_referral_rate": "0.556",
        "unreferred_victims": "44", "uk_share_of_international_arrests": "0.234",
        "arrests_outside_breakdown": "12",
    }  # fmt: skip
    assert (by_id[orochi]["arrests_per_force"], by_id[orochi]["nrm_referral_rate"]) == ("1.32", "")

    cols, rows = _csv(tmp_path / "csv" / "figure_claims.csv")
    assert cols == ["figure_id", "operation_id", "article_id", "url", "article_title", "publisher",
                    "published", "official", "current", "reconciled", "scope", "metric", "subject",
                    "value", "qualifier", "evidence", "span_start", "span_end", "parser_version"]  # fmt: skip
    assert len(rows) == 11 + 2 + 6 + 5 + 1 + 11
    arrests = [
        (r["url"], r["value"], r["official"], r["current"], r["reconciled"], r["evidence"])
        for r in rows
        if r["operation_id"] == aidant and r["metric"] == "arrests" and r["scope"] == "operation"
    ]
    assert arrests == [
        (f"{NCA}/aidant-2021", "38", "true", "false", "false", "THIRTY eight people have been arrested."),
        ("https://news.example/aidant-story", "40", "false", "true", "false",
         "Forty people were arrested, police said."),
        (f"{NCA}/aidant-2021", "41", "true", "true", "true", "41 people have now been arrested."),
    ]  # fmt: skip
    hostile = next(r for r in rows if r["evidence"] == HOSTILE_EVIDENCE)
    assert (
        hostile["url"],
        hostile["article_title"],
        hostile["span_start"],
        hostile["span_end"],
    ) == ('https://news.example/x?a=1&b="2"', HOSTILE_TITLE, "0", str(len(HOSTILE_EVIDENCE)))
    force = next(r for r in rows if r["scope"] == "force")
    assert (force["subject"], force["value"], force["published"]) == (
        "Police Scotland",
        "5",
        "2021-11-05",
    )


def test_parquet_export_has_fixed_types_and_exact_values(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = _export(db_url, tmp_path / "pq", "parquet", capsys)
    aidant, orochi = ids["Operation Aidant"], ids["Operation Orochi"]

    summary = pq.read_table(tmp_path / "pq" / "operation_summary.parquet")
    types = dict(zip(summary.schema.names, summary.schema.types, strict=True))
    assert (types["operation_id"], types["name"], types["first_published"], types["start_date"],
            types["sources"], types["arrests"]) == (pa.int64(), pa.string(), pa.date32(),
                                                    pa.date32(), pa.int64(), pa.float64())  # fmt: skip
    rows = {r["operation_id"]: r for r in summary.to_pylist()}
    assert (rows[aidant]["first_published"], rows[aidant]["arrests"], rows[aidant]["charged"],
            rows[aidant]["sources"]) == (date(2021, 11, 5), 41.0, None, 2)  # fmt: skip

    metrics = {
        r["operation_id"]: r
        for r in pq.read_table(tmp_path / "pq" / "operation_metrics.parquet").to_pylist()
    }
    assert (metrics[aidant]["arrests_per_force"], metrics[aidant]["unreferred_victims"],
            metrics[orochi]["nrm_referral_rate"]) == (2.16, 44.0, None)  # fmt: skip

    claims = pq.read_table(tmp_path / "pq" / "figure_claims.parquet")
    types = dict(zip(claims.schema.names, claims.schema.types, strict=True))
    assert (types["official"], types["current"], types["value"], types["published"],
            types["span_start"]) == (pa.bool_(), pa.bool_(), pa.float64(), pa.date32(), pa.int64())  # fmt: skip
    reconciled = [(r["value"], r["url"]) for r in claims.to_pylist()
                  if r["operation_id"] == aidant and r["metric"] == "arrests" and r["reconciled"]
                  and r["scope"] == "operation"]  # fmt: skip
    assert reconciled == [(41.0, f"{NCA}/aidant-2021")]
    assert claims.num_rows == 36


def test_export_of_an_empty_warehouse_writes_headers(sqlite_url: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    get_engine(sqlite_url)  # an empty warehouse: read-only commands create none
    assert main(["export", "--db", sqlite_url, "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    cols, rows = _csv(tmp_path / "operation_metrics.csv")
    assert rows == [] and cols[:4] == ["operation_id", "name", "lead_agency", "theme"]
    assert main(["export", "--db", sqlite_url, "--format", "parquet", "--out", str(tmp_path)]) == 0
    assert pq.read_table(tmp_path / "figure_claims.parquet").num_rows == 0


def test_export_refuses_a_file_as_directory(sqlite_url: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    get_engine(sqlite_url)
    target = tmp_path / "taken"
    target.write_text("x")
    assert main(["export", "--db", sqlite_url, "--out", str(target)]) == 2
    assert (
        capsys.readouterr().err
        == f"optally: error: --out must be a directory, not the file {target}\n"
    )
