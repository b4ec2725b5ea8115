"""Alembic migrations on SQLite and PostgreSQL: a 0001 warehouse with data upgrades to head
intact, the new tables and views work, and 0002 downgrades to 0001 and back."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from db.engine import MIGRATIONS_DIR, current_revision, get_engine

NEW_TABLES = {
    "forces",
    "force_aliases",
    "article_forces",
    "operation_forces",
    "operation_overrides",
    "nrm_statistics",
}
NEW_VIEWS = {"figure_conflicts", "operation_history"}
# The newest revision, read from the scripts so a new migration needs no edit here.
HEAD = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def migrate(engine: Engine, fn, revision: str) -> None:  # type: ignore[no-untyped-def]
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        fn(cfg, revision)


# A 0001 warehouse, written with 0001's columns only: one operation, an NCA page and a news
# page that disagree on arrests, a force-scope claim naming "Police Scotland".
SEED_0001 = [
    "INSERT INTO sources (id, name, kind, profile, start_url, official) VALUES"
    " (1, 'nca', 'listing', 'nca', 'https://www.nationalcrimeagency.gov.uk/news', TRUE),"
    " (2, 'news', 'urls', 'generic', NULL, FALSE)",
    "INSERT INTO pages (id, url, source_id, first_seen_at) VALUES"
    " (1, 'https://nca.test/a', 1, '2021-11-05 09:00:00'),"
    " (2, 'https://news.test/b', 2, '2021-11-06 09:00:00')",
    "INSERT INTO page_versions (id, page_id, content_hash, fetched_at, final_url, http_status,"
    " headers_json, body_gz, size) VALUES"
    " (1, 1, 'h1', '2021-11-05 09:00:00', 'https://nca.test/a', 200, '{}', :body, 1),"
    " (2, 2, 'h2', '2021-11-06 09:00:00', 'https://news.test/b', 200, '{}', :body, 1)",
    "INSERT INTO operations (id, key, title, first_published, confidence) VALUES"
    " (1, 'page:nca:2021-11-05:week', 'Week of action', '2021-11-05', 1.0)",
    "INSERT INTO articles (id, page_id, version_id, parser_version, operation_id, url, title,"
    " published, publisher, official, relevant, body, tags, method, fetched_at) VALUES"
    " (1, 1, 1, '1', 1, 'https://nca.test/a', 'Week of action', '2021-11-05', 'NCA', TRUE, TRUE,"
    "  'b', '', '', '2021-11-05 09:00:00'),"
    " (2, 2, 2, '1', 1, 'https://news.test/b', 'Arrests', '2021-11-06', 'News', FALSE, TRUE,"
    "  'b', '', '', '2021-11-06 09:00:00')",
    "INSERT INTO figures (id, article_id, scope, metric, subject, value, qualifier, evidence,"
    " parser_version) VALUES"
    " (1, 1, 'operation', 'arrests', '', 38, 'exact', '38 arrests', '1'),"
    " (2, 2, 'operation', 'arrests', '', 40, 'exact', '40 arrests', '1'),"
    " (3, 1, 'force', 'potential_victims', 'Police Scotland', 5, 'exact', 'five', '1')",
    "INSERT INTO operation_figures (id, operation_id, scope, metric, value, qualifier, figure_id,"
    " claims, conflict) VALUES (1, 1, 'operation', 'arrests', 38, 'exact', 1, 2, TRUE)",
]


def relations(engine: Engine) -> tuple[set[str], set[str]]:
    with engine.connect() as conn:
        insp = inspect(conn)
        return set(insp.get_table_names()), set(insp.get_view_names())


def test_upgrade_keeps_data_and_downgrade_returns_to_0001(db_url: str) -> None:
    engine = get_engine(db_url, migrate=False)
    migrate(engine, command.upgrade, "0001")
    assert current_revision(engine) == "0001"
    with engine.begin() as conn:
        for sql in SEED_0001:
            conn.execute(text(sql), {"body": b"x"} if ":body" in sql else {})
    with engine.connect() as conn:
        before = conn.execute(text("SELECT * FROM operation_summary")).all()

    migrate(engine, command.upgrade, "head")
    assert current_revision(engine) == HEAD
    tables, views = relations(engine)
    assert tables >= NEW_TABLES and NEW_VIEWS | {"operation_summary", "operation_metrics"} <= views
    with engine.connect() as conn:
        q = conn.execute
        assert q(text("SELECT * FROM operation_summary")).all() == before
        assert q(text("SELECT COUNT(*) FROM forces")).scalar_one() == 59
        assert q(text("SELECT COUNT(*) FROM force_aliases")).scalar_one() == 111
        assert q(text("SELECT merged_into FROM operations")).all() == [(None,)]
        # Force-scope claims made before 0002 are linked to their force by the migration.
        assert q(
            text(
                "SELECT af.article_id, af.written, f.slug FROM article_forces af"
                " JOIN forces f ON f.id = af.force_id"
            )
        ).all() == [(1, "Police Scotland", "police-scotland")]
        assert q(
            text(
                "SELECT x.operation_id, f.slug FROM operation_forces x JOIN forces f ON f.id = x.force_id"
            )
        ).all() == [(1, "police-scotland")]
        assert [
            tuple(r)
            for r in q(
                text(
                    "SELECT operation_id, metric, value_a, url_a, value_b, url_b FROM figure_conflicts"
                )
            )
        ] == [(1, "arrests", 38.0, "https://nca.test/a", 40.0, "https://news.test/b")]
        assert q(
            text(
                "SELECT figure_id, is_current, is_reconciled FROM operation_history ORDER BY figure_id"
            )
        ).all() == [(1, 1, 1), (2, 1, 0), (3, 1, 0)]
    # The new tables take rows as the models describe them.
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO nrm_statistics (year, quarter, age_group, referrals, source_url, loaded_at)"
                " VALUES (2024, 1, 'child', 2100, 'https://assets.test/t.ods', '2024-05-01 10:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO operation_overrides (page_id, operation_id, action, created_at)"
                " VALUES (2, 1, 'merge', '2024-05-01 10:00:00')"
            )
        )

    migrate(engine, command.downgrade, "0001")
    assert current_revision(engine) == "0001"
    tables, views = relations(engine)
    assert not (NEW_TABLES & tables) and not (NEW_VIEWS & views)
    with engine.connect() as conn:
        cols = {c["name"] for c in inspect(conn).get_columns("operations")}
        assert "merged_into" not in cols
        assert conn.execute(text("SELECT * FROM operation_summary")).all() == before
        assert conn.execute(text("SELECT COUNT(*) FROM figures")).scalar_one() == 3

    # And up again, as the engine factory does on first use.
    migrate(engine, command.upgrade, "head")
    assert current_revision(engine) == HEAD
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM operation_forces")).scalar_one() == 1


def test_head_is_the_highest_numbered_revision() -> None:
    # Revisions are numbered NNNN_<what>.py and chained in order: a branch would leave two heads.
    numbered = sorted(p.name[:4] for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py"))
    assert numbered[-1] == HEAD
