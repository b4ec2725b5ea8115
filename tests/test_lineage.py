"""Parent links (tasks/lineage.py, db/lineage.py): ``link_parents`` reads only the operations a change can
concern, and must link exactly as the rule applied over every operation does."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import Connection, Engine, and_, delete, select, update

from db import load as wh
from db.engine import get_engine
from db.lineage import OP_FIGURES, OPERATIONS, lineages
from tasks.lineage import choose_parent, link_parents
from tests.test_warehouse import Fetched, extraction, load_one, source


def _link_parents_over_everything(conn: Connection, op_ids: set[int]) -> None:
    """The rule as it was first written: every live operation read, every one a candidate."""
    ids = set(op_ids)
    if not ids:
        return
    ops = lineages(conn)
    touched_totals = set().union(*(ops[i].operation for i in ids if i in ops))
    affected = {
        o.id
        for o in ops.values()
        if o.id in ids or o.parent_id in ids or (o.international & touched_totals)
    }
    merged = select(OPERATIONS.c.id).where(OPERATIONS.c.merged_into.is_not(None))
    stale = set(
        conn.execute(
            select(OPERATIONS.c.id).where(
                and_(
                    OPERATIONS.c.parent_id.is_not(None),
                    OPERATIONS.c.parent_id.in_(merged.scalar_subquery())
                    | OPERATIONS.c.merged_into.is_not(None),
                )
            )
        ).scalars()
    )
    parents = {o.id: o.parent_id for o in ops.values()}
    others = list(ops.values())
    for op_id in sorted(affected | stale):
        child = ops.get(op_id)
        wanted = choose_parent(child, others, parents) if child else None
        if child is None or wanted != child.parent_id:
            conn.execute(
                update(OPERATIONS).where(OPERATIONS.c.id == op_id).values(parent_id=wanted)
            )
            parents[op_id] = wanted


def _parents(conn: Connection) -> dict[int, int | None]:
    return dict(conn.execute(select(OPERATIONS.c.id, OPERATIONS.c.parent_id)).all())


def _a_figure(engine: Engine) -> int:
    """One claim for every reconciled row to point at (figure_id is a foreign key)."""
    with engine.begin() as conn:
        src = wh.register_sources(conn, [source()])["nca"]
    url = "https://www.nationalcrimeagency.gov.uk/news/1"
    load_one(engine, src, Fetched(url, b"page"), extraction(url, 38))
    with engine.begin() as conn:
        # Only the synthetic operations below take part.
        conn.execute(delete(OP_FIGURES))
        conn.execute(update(wh.ARTICLES).values(operation_id=None))
        for table in (wh.METRICS, wh.CHECKS, wh.T["operation_forces"]):
            conn.execute(delete(table))
        conn.execute(delete(OPERATIONS))
        return conn.execute(select(wh.FIGURES.c.id)).scalars().first()


VALUES = (10.0, 20.0, 30.0, 40.0, 175.0)
METRICS = ("arrests", "potential_victims")


def _set_totals(conn: Connection, rng: random.Random, op_id: int, figure_id: int) -> None:
    conn.execute(delete(OP_FIGURES).where(OP_FIGURES.c.operation_id == op_id))
    rows = [
        {"operation_id": op_id, "scope": scope, "metric": metric, "value": rng.choice(VALUES),
         "qualifier": "exact", "figure_id": figure_id, "claims": 1, "conflict": False}
        for scope in ("operation", "international")
        for metric in METRICS
        if rng.random() < (0.7 if scope == "operation" else 0.35)
    ]  # fmt: skip
    if rows:
        conn.execute(OP_FIGURES.insert(), rows)


@pytest.mark.parametrize("seed", range(4))
def test_link_parents_links_as_the_rule_over_every_operation(sqlite_url: str, seed: int) -> None:
    rng = random.Random(seed)
    engine = get_engine(sqlite_url)
    figure_id = _a_figure(engine)
    start = date(2021, 1, 1)
    with engine.begin() as conn:
        ids = []
        for i in range(80):
            published = None if rng.random() < 0.1 else start + timedelta(rng.randrange(120))
            ids.append(
                conn.execute(
                    OPERATIONS.insert().values(key=f"op{i}", first_published=published)
                ).inserted_primary_key[0]
            )
        for op_id in ids:
            _set_totals(conn, rng, op_id, figure_id)
        _link_parents_over_everything(conn, set(ids))
    linked = 0
    for _round in range(25):
        with engine.begin() as conn:
            # A change: new totals for a few operations, sometimes a merge.
            touched = set(rng.sample(ids, rng.randrange(1, 8)))
            for op_id in touched:
                _set_totals(conn, rng, op_id, figure_id)
            if rng.random() < 0.3:
                gone, into = rng.sample(ids, 2)
                conn.execute(update(OPERATIONS).where(OPERATIONS.c.id == gone)
                             .values(merged_into=into))  # fmt: skip
                touched |= {gone, into}
            before = _parents(conn)
            nested = conn.begin_nested()
            _link_parents_over_everything(conn, touched)
            expected = _parents(conn)
            nested.rollback()
            assert _parents(conn) == before
            link_parents(conn, touched)
            assert _parents(conn) == expected, f"round {_round}, touched {sorted(touched)}"
            linked += sum(1 for p in expected.values() if p is not None)
    assert linked > 25  # the rounds did link operations


def test_a_parent_is_never_a_descendant_even_through_operations_not_read(
    sqlite_url: str,
) -> None:
    """C's international totals are P's totals, but P descends from C through Q, which
    shares no total with either: the rule refuses P (a cycle), so the parents that Q's
    link passes through are read too."""
    engine = get_engine(sqlite_url)
    figure_id = _a_figure(engine)
    day = date(2021, 11, 5)
    with engine.begin() as conn:
        c, q, p = (
            conn.execute(
                OPERATIONS.insert().values(key=k, first_published=day)
            ).inserted_primary_key[0]
            for k in ("c", "q", "p")
        )
        totals = [("arrests", 175.0), ("potential_victims", 40.0)]
        conn.execute(
            OP_FIGURES.insert(),
            [
                {"operation_id": op, "scope": scope, "metric": m, "value": v, "qualifier": "exact",
                 "figure_id": figure_id, "claims": 1, "conflict": False}
                for op, scope in ((c, "international"), (p, "operation"))
                for m, v in totals
            ] + [{"operation_id": q, "scope": "operation", "metric": "arrests", "value": 3.0,
                  "qualifier": "exact", "figure_id": figure_id, "claims": 1, "conflict": False}],
        )  # fmt: skip
        conn.execute(update(OPERATIONS).where(OPERATIONS.c.id == q).values(parent_id=c))
        conn.execute(update(OPERATIONS).where(OPERATIONS.c.id == p).values(parent_id=q))
        nested = conn.begin_nested()
        _link_parents_over_everything(conn, {p})
        expected = _parents(conn)
        nested.rollback()
        link_parents(conn, {p})
        assert _parents(conn) == expected == {c: None, q: c, p: None}
