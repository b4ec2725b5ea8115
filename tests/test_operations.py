"""Operations across sources on SQLite and PostgreSQL: forces, parents, conflicts, history,
and manual merges and splits that later runs respect."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import Engine, text

from app.cli import main
from db.engine import get_engine
from db.operations import OperationsError, list_operations, merge_operations, split_operation
from tasks.derive import rebuild
from tests.auditable_data import (
    COUNTY,
    COUNTY_URL,
    EUROPOL,
    EUROPOL_URL,
    NCA_URL,
    NCA_V1,
    NCA_V2,
    NEWS,
    NEWS_URL,
    Doc,
    at,
    build,
    extraction,
    ingest,
    nca,
    op_id,
)


def rows(engine: Engine, sql: str, **params: object) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def forces_of(engine: Engine, url: str) -> list[str]:
    return [
        s
        for (s,) in rows(
            engine,
            "SELECT f.slug FROM operation_forces x JOIN forces f ON f.id = x.force_id "
            "WHERE x.operation_id = :o ORDER BY f.slug",
            o=op_id(engine, url),
        )
    ]


def live_summary(engine: Engine) -> list[tuple]:
    return rows(
        engine,
        "SELECT title, sources, arrests FROM operation_summary ORDER BY first_published, operation_id",
    )


def test_forces_a_page_names_are_linked_to_its_operation(db_url: str) -> None:
    engine = get_engine(db_url)
    build(engine)
    assert forces_of(engine, NCA_URL) == [
        "greater-manchester",
        "kent",
        "metropolitan",
        "police-scotland",
    ]
    assert forces_of(engine, COUNTY_URL) == ["merseyside", "metropolitan", "west-midlands"]
    # Names are kept as written; an unknown one is kept unmatched, for the alias list.
    assert rows(
        engine,
        "SELECT af.written, af.force_id IS NULL FROM article_forces af JOIN articles a "
        "ON a.id = af.article_id WHERE a.superseded_at IS NULL AND a.url = :u ORDER BY af.written",
        u=NCA_URL,
    ) == [
        ("GMP", False),
        ("Kent Police", False),
        ("Police Scotland", False),
        ("Ruritania Police", True),
        ("the Met", False),
    ]
    # A revision that no longer names GMP drops it from the operation.
    v3 = nca(41, at(date(2021, 11, 25)))
    facts = replace(v3.extraction.result.operation, forces=("Kent Police", "the Met"))
    ingest(
        engine,
        [
            replace(
                v3,
                extraction=replace(
                    v3.extraction, result=replace(v3.extraction.result, operation=facts)
                ),
            )
        ],
    )
    assert forces_of(engine, NCA_URL) == ["kent", "metropolitan", "police-scotland"]


@pytest.mark.parametrize("order", ["uk_first", "europol_first"])
def test_uk_operation_gets_the_international_action_as_parent(db_url: str, order: str) -> None:
    engine = get_engine(db_url)
    batches = [(NCA_V1, NEWS), (EUROPOL, COUNTY)]
    build(engine, batches if order == "uk_first" else batches[::-1])
    parents = dict(rows(engine, "SELECT id, parent_id FROM operations"))
    uk, eu, county = op_id(engine, NCA_URL), op_id(engine, EUROPOL_URL), op_id(engine, COUNTY_URL)
    assert len({uk, eu, county}) == 3
    assert parents == {uk: eu, eu: None, county: None}
    # The NCA revises its international totals: they no longer match, the link goes.
    v3 = nca(41, at(date(2021, 11, 25)))
    figs = tuple(
        replace(f, value=180) if (f.scope, f.metric) == ("international", "arrests") else f
        for f in v3.extraction.result.figures
    )
    figs = tuple(
        replace(f, value=190)
        if (f.scope, f.metric) == ("international", "potential_victims")
        else f
        for f in figs
    )
    ingest(
        engine,
        [
            replace(
                v3,
                extraction=replace(
                    v3.extraction, result=replace(v3.extraction.result, figures=figs)
                ),
            )
        ],
    )
    assert dict(rows(engine, "SELECT id, parent_id FROM operations"))[uk] is None


def test_figure_conflicts_pairs_disagreeing_current_claims(db_url: str) -> None:
    engine = get_engine(db_url)
    build(engine)
    got = rows(
        engine,
        "SELECT scope, metric, subject, reconciled_value, value_a, qualifier_a, url_a, publisher_a,"
        " value_b, qualifier_b, url_b, publisher_b, evidence_b FROM figure_conflicts",
    )
    assert got == [
        (
            "operation",
            "arrests",
            "",
            41.0,
            40.0,
            "more_than",
            NEWS_URL,
            "Example News",
            41.0,
            "exact",
            NCA_URL,
            "National Crime Agency",
            "operation arrests: 41.",
        ),
    ]


def test_operation_history_keeps_every_claim_with_its_validity(db_url: str) -> None:
    engine = get_engine(db_url)
    build(engine)
    uk = op_id(engine, NCA_URL)
    got = rows(
        engine,
        "SELECT url, value, qualifier, published, fetched_at, superseded_at, is_current,"
        " is_reconciled FROM operation_history WHERE operation_id = :o AND metric = 'arrests'"
        " AND scope = 'operation' ORDER BY fetched_at",
        o=uk,
    )

    def stamp(v: object) -> str:
        return str(v)[:16]  # drivers differ in datetime types; minutes are enough

    assert [
        (u, v, q, str(p), stamp(f), stamp(s) if s else None, c, r) for u, v, q, p, f, s, c, r in got
    ] == [
        (NCA_URL, 38.0, "exact", "2021-11-05", "2021-11-05 09:00", "2021-11-20 09:00", 0, 0),
        (NEWS_URL, 40.0, "more_than", "2021-11-07", "2021-11-07 09:00", None, 1, 0),
        (NCA_URL, 41.0, "exact", "2021-11-05", "2021-11-20 09:00", None, 1, 1),
    ]
    assert rows(engine, "SELECT COUNT(*) FROM operation_history WHERE operation_id = :o", o=uk) == [
        (18,)
    ]


LATE_URL = "https://news.example.org/2021/12/01/safeguarding-drive"


def late(arrests: int, published: date, fetched: date, title: str) -> Doc:
    return Doc(
        LATE_URL,
        at(fetched),
        extraction(
            LATE_URL,
            title,
            published,
            publisher="Example News",
            operation={"arrests": arrests},
            name="Operation Tiber",
            lead=None,
        ),
        source="news",
    )


def test_merge_moves_pages_and_later_runs_respect_it(db_url: str) -> None:
    engine = get_engine(db_url)
    build(engine)
    ingest(
        engine, [late(41, date(2021, 12, 1), date(2021, 12, 1), "Police praise safeguarding drive")]
    )
    uk, stray = op_id(engine, NCA_URL), op_id(engine, LATE_URL)
    assert uk != stray  # the scoring rule kept them apart: 26 days, another name
    with engine.begin() as conn:
        assert merge_operations(conn, [uk, stray]) == 1
        rebuild(conn)
    assert op_id(engine, LATE_URL) == uk
    assert rows(engine, "SELECT merged_into FROM operations WHERE id = :s", s=stray) == [(uk,)]
    assert rows(
        engine,
        "SELECT page_id IS NOT NULL, operation_id, previous_operation_id, action"
        " FROM operation_overrides ORDER BY id",
    ) == [(True, uk, uk, "merge"), (True, uk, uk, "merge"), (True, uk, stray, "merge")]
    # The merged-away operation leaves the views; the target has three sources now.
    assert live_summary(engine) == [
        ("Week of action against child trafficking sees arrests and safeguarding", 3, 41.0),
        ("175 arrests in European action days on child trafficking", 1, 175.0),
        ("County lines intensification week: 1,468 arrests", 1, 1468.0),
    ]
    assert rows(
        engine,
        "SELECT claims FROM operation_figures WHERE operation_id = :o AND "
        "scope = 'operation' AND metric = 'arrests'",
        o=uk,
    ) == [(3,)]
    # A revision of the moved page goes to the target although the rule would found a new one.
    ingest(engine, [late(43, date(2021, 12, 9), date(2021, 12, 9), "Another headline entirely")])
    assert op_id(engine, LATE_URL) == uk
    # A new page of "Operation Tiber" finds the merged-away operation by name and follows it.
    other = "https://news.example.org/2021/12/03/tiber"
    ingest(
        engine,
        [
            Doc(
                other,
                at(date(2021, 12, 3)),
                extraction(
                    other,
                    "Operation Tiber: what we know",
                    date(2021, 12, 3),
                    publisher="Example News",
                    operation={"arrests": 7},
                    name="Operation Tiber",
                    lead=None,
                ),
                source="news",
            )
        ],
    )
    assert op_id(engine, other) == uk
    assert rows(engine, "SELECT COUNT(*) FROM operations") == [(4,)]
    with engine.connect() as conn:
        ops = {r.id: r for r in list_operations(conn)}
    assert (ops[uk].pages, ops[uk].pinned, ops[stray].merged_into, ops[stray].pages) == (
        4,
        3,
        uk,
        0,
    )


def test_split_moves_pages_out_and_later_runs_respect_it(db_url: str) -> None:
    engine = get_engine(db_url)
    build(engine)
    uk = op_id(engine, NCA_URL)
    with engine.begin() as conn:
        new = split_operation(conn, uk, [NEWS_URL])
        rebuild(conn)
    assert op_id(engine, NEWS_URL) == new and op_id(engine, NCA_URL) == uk
    assert rows(engine, "SELECT COUNT(*) FROM figure_conflicts") == [(0,)]
    assert rows(
        engine,
        "SELECT operation_id, scope, metric, value, qualifier FROM operation_figures"
        " WHERE operation_id = :n ORDER BY metric",
        n=new,
    ) == [
        (new, "operation", "arrests", 40.0, "more_than"),
        (new, "operation", "potential_victims", 99.0, "exact"),
    ]
    assert rows(engine, "SELECT key, title, confidence FROM operations WHERE id = :n", n=new) == [
        (
            f"split:{uk}:{rows(engine, 'SELECT id FROM pages WHERE url = :u', u=NEWS_URL)[0][0]}",
            "Week-long child trafficking operation: arrests across the country",
            1.0,
        )
    ]
    # The news story is revised; the rule would put it with the NCA operation again. It stays.
    revised = replace(NEWS, fetched_at=at(date(2021, 11, 21)))
    ingest(engine, [revised])
    assert op_id(engine, NEWS_URL) == new
    assert [t for t, _, _ in live_summary(engine)].count(
        "Week-long child trafficking operation: arrests across the country"
    ) == 1


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda c, ids: merge_operations(c, [ids["uk"]]), "merge needs at least two operation ids"),
        (
            lambda c, ids: merge_operations(c, [ids["uk"], ids["uk"]]),
            "merge: an operation id is given twice",
        ),
        (lambda c, ids: merge_operations(c, [ids["uk"], 999]), "no operation 999"),
        (lambda c, ids: split_operation(c, 999, [NEWS_URL]), "no operation 999"),
        (lambda c, ids: split_operation(c, ids["uk"], []), "split needs at least one --page URL"),
        (
            lambda c, ids: split_operation(c, ids["uk"], ["https://nowhere.test/x"]),
            "page https://nowhere.test/x is not in the warehouse",
        ),
        (
            lambda c, ids: split_operation(c, ids["uk"], [EUROPOL_URL]),
            f"page {EUROPOL_URL} is not in operation {{uk}}",
        ),
        (
            lambda c, ids: split_operation(c, ids["uk"], [NCA_URL, NEWS_URL]),
            "split would leave operation {uk} without pages; merge or keep it instead",
        ),
    ],
)
def test_bad_merges_and_splits_say_why(sqlite_url: str, action, message: str) -> None:  # type: ignore[no-untyped-def]
    engine = get_engine(sqlite_url)
    build(engine, [(NCA_V1, NEWS), (EUROPOL, COUNTY)])
    ids = {"uk": op_id(engine, NCA_URL)}
    with engine.begin() as conn, pytest.raises(OperationsError) as err:
        action(conn, ids)
    assert str(err.value) == message.format(**ids)


def test_merged_operations_cannot_be_merged_again(sqlite_url: str) -> None:
    engine = get_engine(sqlite_url)
    build(engine, [(NCA_V1, NEWS), (EUROPOL, COUNTY)])
    uk, eu, county = (op_id(engine, u) for u in (NCA_URL, EUROPOL_URL, COUNTY_URL))
    with engine.begin() as conn:
        merge_operations(conn, [uk, county])
        rebuild(conn)
    with (
        engine.begin() as conn,
        pytest.raises(OperationsError, match=f"operation {county} was merged into operation {uk}"),
    ):
        merge_operations(conn, [eu, county])


def test_cli_lists_merges_and_splits(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    engine = get_engine(db_url)
    build(engine, [(NCA_V1, NEWS), (EUROPOL, COUNTY), (NCA_V2,)])
    uk, eu, county = (op_id(engine, u) for u in (NCA_URL, EUROPOL_URL, COUNTY_URL))
    assert main(["operations", "split", str(uk), "--page", NEWS_URL, "--db", db_url]) == 0
    assert capsys.readouterr().out == f"split 1 page(s) off operation {uk} into 4\n"
    assert main(["operations", "merge", str(uk), "4", "--db", db_url]) == 0
    assert capsys.readouterr().out == f"merged operation(s) 4 into {uk}: 1 page(s) moved\n"
    assert main(["operations", "list", "--db", db_url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "   id pages forces parent merged published   name",
        f"{uk:>5}     2      4 {eu:>6}        2021-11-05  Week of action against child trafficking sees arrests and safeguarding",
        f"      page {NEWS_URL}",
        f"      page {NCA_URL}",
        f"{eu:>5}     1      0               2021-11-19  175 arrests in European action days on child trafficking",
        f"      page {EUROPOL_URL}",
        f"{county:>5}     1      3               2022-10-10  County lines intensification week: 1,468 arrests",
        f"      page {COUNTY_URL}",
        f"    4     0      0        {uk:>6} 2021-11-07  Week-long child trafficking operation: arrests across the country",
    ]
    assert main(["operations", "merge", "4", str(eu), "--db", db_url]) == 2
    assert (
        capsys.readouterr().err == f"optally: error: operation 4 was merged into operation {uk}\n"
    )
    assert main(["operations", "split", "77", "--page", NEWS_URL, "--db", db_url]) == 2
    assert capsys.readouterr().err == "optally: error: no operation 77\n"
