"""Official NRM referral statistics in the warehouse: writes, and the figures metrics read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Connection, Engine, select

from db import models as m
from db.upsert import upsert
from domain.records import NrmRow

NRM = m.Base.metadata.tables["nrm_statistics"]


def store_release(
    conn: Connection,
    rows: Sequence[NrmRow],
    *,
    source_url: str,
    release_title: str | None,
    release_published: date | None,
    loaded_at: datetime,
) -> int:
    """Upsert one ODS file's rows. Each release keeps its own rows (the key includes the
    file URL), so a later release revising an old quarter never overwrites the earlier
    figure; re-loading the same file updates it in place and keeps its first loaded_at."""
    upsert(
        conn,
        NRM,
        [
            {
                "year": r.year,
                "quarter": r.quarter,
                "age_group": r.age_group,
                "referrals": r.referrals,
                "source_url": source_url,
                "release_title": release_title,
                "release_published": release_published,
                "loaded_at": loaded_at,
            }
            for r in rows
        ],
        ["year", "quarter", "age_group", "source_url"],
        ["referrals", "release_title", "release_published"],
    )
    return len(rows)


def quarter_totals(engine: Engine) -> dict[tuple[int, int], int]:
    """(year, quarter) -> NRM referrals of all age groups, as the newest release gives them.

    A quarter appears in every later release too, sometimes revised; the newest release
    (by publication date, then load time) that covers a quarter is the one used.
    """
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                NRM.c.year,
                NRM.c.quarter,
                NRM.c.referrals,
                NRM.c.source_url,
                NRM.c.release_published,
                NRM.c.loaded_at,
            )
        ).all()
    newest: dict[tuple[int, int], tuple[tuple[int, str, str], str]] = {}
    for r in rows:
        rank = (
            r.release_published.toordinal() if r.release_published else 0,
            str(r.loaded_at),
            r.source_url,
        )
        key = (r.year, r.quarter)
        if key not in newest or rank > newest[key][0]:
            newest[key] = (rank, r.source_url)
    out: dict[tuple[int, int], int] = {}
    for r in rows:
        key = (r.year, r.quarter)
        if newest[key][1] == r.source_url:
            out[key] = out.get(key, 0) + int(r.referrals)
    return dict(sorted(out.items()))
