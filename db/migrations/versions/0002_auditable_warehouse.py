"""An auditable warehouse: police forces and their aliases, the forces each article and
operation names, manual operation decisions (merge/split overrides, operations.merged_into),
official NRM referral statistics, and the views figure_conflicts and operation_history.
operation_summary and operation_metrics are recreated without merged-away operations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 10:00:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from config.settings import CONFIG_DIR
from db.views import operation_metrics_sql, operation_summary_sql
from domain.forces import normalise

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen here, as in 0001: a vocabulary change comes with its own migration.
FIGURE_METRICS = (
    "arrests",
    "potential_victims",
    "victims_children",
    "victims_adults",
    "forces_involved",
    "duration_days",
    "new_investigations",
    "nrm_referrals",
    "charged",
    "warrants_executed",
    "premises_visited",
    "countries_involved",
    "cash_seized_gbp",
    "weapons_seized",
)
DERIVED_METRICS = (
    "arrests_per_force",
    "arrests_per_force_day",
    "victims_per_force",
    "nrm_referral_rate",
    "unreferred_victims",
    "child_share",
    "arrests_per_victim",
    "investigations_per_force",
    "uk_share_of_international_arrests",
    "uk_share_of_international_victims",
    "arrests_outside_breakdown",
)
FORCES_FILE = CONFIG_DIR / "forces.json"

# Every claim ever made for an operation, with its validity interval: valid from the moment
# its page version was fetched until the moment a newer version of that page was
# (superseded_at; NULL while current), and whether it is the reconciled value now.
OPERATION_HISTORY = """CREATE VIEW operation_history AS
SELECT a.operation_id, f.id AS figure_id, a.id AS article_id, a.page_id, a.url,
  a.publisher, a.official, a.published, f.scope, f.metric, f.subject, f.value, f.qualifier,
  f.evidence, f.parser_version, a.fetched_at, a.superseded_at,
  CASE WHEN a.superseded_at IS NULL THEN 1 ELSE 0 END AS is_current,
  CASE WHEN r.id IS NULL THEN 0 ELSE 1 END AS is_reconciled
FROM figures f
JOIN articles a ON a.id = f.article_id
LEFT JOIN operation_figures r ON r.figure_id = f.id AND r.operation_id = a.operation_id
WHERE a.operation_id IS NOT NULL"""

# Each pair of current claims from two different pages of one operation that give the same
# metric, scope (and subject, for force-scope figures) different values. Context figures
# are background statistics, never one quantity, so they never conflict. Side a is the
# older claim row (lower figure id).
FIGURE_CONFLICTS = """CREATE VIEW figure_conflicts AS
SELECT a1.operation_id, o.name AS operation_name, f1.scope, f1.metric, f1.subject,
  r.value AS reconciled_value,
  f1.id AS figure_id_a, f1.value AS value_a, f1.qualifier AS qualifier_a,
  f1.evidence AS evidence_a, a1.url AS url_a, a1.publisher AS publisher_a,
  a1.official AS official_a, a1.published AS published_a,
  f2.id AS figure_id_b, f2.value AS value_b, f2.qualifier AS qualifier_b,
  f2.evidence AS evidence_b, a2.url AS url_b, a2.publisher AS publisher_b,
  a2.official AS official_b, a2.published AS published_b
FROM figures f1
JOIN articles a1 ON a1.id = f1.article_id
JOIN articles a2 ON a2.operation_id = a1.operation_id AND a2.page_id <> a1.page_id
JOIN figures f2 ON f2.article_id = a2.id AND f2.scope = f1.scope AND f2.metric = f1.metric
  AND f2.subject = f1.subject AND f2.id > f1.id
JOIN operations o ON o.id = a1.operation_id
LEFT JOIN operation_figures r ON r.operation_id = a1.operation_id AND r.scope = f1.scope
  AND r.metric = f1.metric
WHERE a1.superseded_at IS NULL AND a2.superseded_at IS NULL
  AND f1.scope <> 'context' AND f1.value <> f2.value"""

_SUMMARY_FROM = "\nFROM operations o LEFT JOIN operation_figures f ON f.operation_id = o.id\n"
_METRICS_FROM = "\nFROM operations o LEFT JOIN metric_values m ON m.operation_id = o.id\n"
_LIVE = "WHERE o.merged_into IS NULL\n"


def _without_merged(sql: str, from_clause: str) -> str:
    """The 0001 view with merged-away operations left out (they have no pages any more)."""
    if from_clause not in sql:
        raise RuntimeError("0002: the 0001 view SQL changed shape; freeze it in this migration")
    return sql.replace(from_clause, from_clause + _LIVE)


def _forces_rows() -> tuple[list[dict], list[tuple[str, str]]]:
    data = json.loads(FORCES_FILE.read_text(encoding="utf-8"))["forces"]
    forces = [
        {"slug": f["slug"], "name": f["name"], "kind": f["kind"], "country": f["country"]}
        for f in data
    ]
    aliases: dict[str, str] = {}
    for f in data:
        for spelling in (f["name"], *f.get("aliases", ()), f["slug"].replace("-", " ")):
            key = normalise(spelling)
            if key and aliases.setdefault(key, f["slug"]) != f["slug"]:
                raise RuntimeError(f"forces.json: {spelling!r} names two forces")
    return forces, sorted(aliases.items())


def _seed_forces(conn: sa.Connection, forces_t: sa.Table, aliases_t: sa.Table) -> None:
    forces, aliases = _forces_rows()
    conn.execute(forces_t.insert(), forces)
    ids = dict(conn.execute(sa.select(forces_t.c.slug, forces_t.c.id)).all())
    conn.execute(
        aliases_t.insert(), [{"alias": alias, "force_id": ids[slug]} for alias, slug in aliases]
    )


def _backfill_forces(conn: sa.Connection) -> None:
    """Existing force-scope claims name their force in ``subject``: link those now."""
    alias_ids = dict(conn.execute(sa.text("SELECT alias, force_id FROM force_aliases")).all())
    rows = conn.execute(
        sa.text(
            "SELECT DISTINCT article_id, subject FROM figures "
            "WHERE scope = 'force' AND subject <> '' ORDER BY article_id, subject"
        )
    ).all()
    links = [
        {"article_id": aid, "written": subject[:200], "force_id": alias_ids.get(normalise(subject))}
        for aid, subject in rows
    ]
    if links:
        conn.execute(
            sa.text(
                "INSERT INTO article_forces (article_id, written, force_id) "
                "VALUES (:article_id, :written, :force_id)"
            ),
            links,
        )
    conn.execute(
        sa.text(
            "INSERT INTO operation_forces (operation_id, force_id) "
            "SELECT DISTINCT a.operation_id, af.force_id FROM article_forces af "
            "JOIN articles a ON a.id = af.article_id "
            "WHERE a.operation_id IS NOT NULL AND a.superseded_at IS NULL "
            "AND af.force_id IS NOT NULL"
        )
    )


def upgrade() -> None:
    # The views read operations; SQLite refuses to alter a table a view depends on.
    op.execute("DROP VIEW IF EXISTS operation_metrics")
    op.execute("DROP VIEW IF EXISTS operation_summary")
    # A plain ADD COLUMN, never a batch table copy: SQLite cannot drop a referenced table
    # inside the migration transaction while foreign keys are on, and Alembic will not add
    # the constraint separately there, so SQLite gets it inline.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE operations ADD COLUMN merged_into INTEGER REFERENCES operations (id)"
        )
    else:
        op.add_column(
            "operations",
            sa.Column(
                "merged_into",
                sa.Integer(),
                sa.ForeignKey("operations.id", name="fk_operations_merged_into"),
                nullable=True,
            ),
        )

    forces_t = op.create_table(
        "forces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    aliases_t = op.create_table(
        "force_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.Column("force_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["force_id"], ["forces.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alias"),
    )
    op.create_index("ix_force_aliases_force_id", "force_aliases", ["force_id"])
    op.create_table(
        "article_forces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("written", sa.String(length=200), nullable=False),
        sa.Column("force_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"]),
        sa.ForeignKeyConstraint(["force_id"], ["forces.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("article_id", "written"),
    )
    op.create_index("ix_article_forces_article_id", "article_forces", ["article_id"])
    op.create_table(
        "operation_forces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("force_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["operation_id"], ["operations.id"]),
        sa.ForeignKeyConstraint(["force_id"], ["forces.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("operation_id", "force_id"),
    )
    op.create_index("ix_operation_forces_operation_id", "operation_forces", ["operation_id"])
    op.create_table(
        "operation_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("previous_operation_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["pages.id"]),
        sa.ForeignKeyConstraint(["operation_id"], ["operations.id"]),
        sa.ForeignKeyConstraint(["previous_operation_id"], ["operations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_operation_overrides_page_id", "operation_overrides", ["page_id"])
    op.create_table(
        "nrm_statistics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("age_group", sa.String(length=20), nullable=False),
        sa.Column("referrals", sa.Integer(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("release_title", sa.Text(), nullable=True),
        sa.Column("release_published", sa.Date(), nullable=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year", "quarter", "age_group", "source_url"),
    )

    conn = op.get_bind()
    _seed_forces(conn, forces_t, aliases_t)
    _backfill_forces(conn)

    op.execute(_without_merged(operation_summary_sql(FIGURE_METRICS), _SUMMARY_FROM))
    op.execute(_without_merged(operation_metrics_sql(DERIVED_METRICS), _METRICS_FROM))
    op.execute(OPERATION_HISTORY)
    op.execute(FIGURE_CONFLICTS)


def _drop_views(names: Sequence[str]) -> None:
    for name in names:
        op.execute(f"DROP VIEW IF EXISTS {name}")


def downgrade() -> None:
    _drop_views(("figure_conflicts", "operation_history", "operation_metrics", "operation_summary"))
    op.drop_table("nrm_statistics")
    op.drop_index("ix_operation_overrides_page_id", table_name="operation_overrides")
    op.drop_table("operation_overrides")
    op.drop_index("ix_operation_forces_operation_id", table_name="operation_forces")
    op.drop_table("operation_forces")
    op.drop_index("ix_article_forces_article_id", table_name="article_forces")
    op.drop_table("article_forces")
    op.drop_index("ix_force_aliases_force_id", table_name="force_aliases")
    op.drop_table("force_aliases")
    op.drop_table("forces")
    # Pages of merged-away operations already belong to the operation they were merged into.
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_operations_merged_into", "operations", type_="foreignkey")
    op.drop_column("operations", "merged_into")
    op.execute(operation_summary_sql(FIGURE_METRICS))
    op.execute(operation_metrics_sql(DERIVED_METRICS))
