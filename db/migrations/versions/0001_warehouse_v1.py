"""Warehouse v1: sources, pages and their raw archive, articles, operations,
claims (figures), arrest breakdowns, reconciled figures, metric values, and the
views operation_summary and operation_metrics.

Revision ID: 0001
Revises: none
Create Date: 2026-11-28 01:44:03.949619
"""

import sqlalchemy as sa
from alembic import op

from db.views import operation_metrics_sql, operation_summary_sql

# Frozen here so that later vocabulary changes come with their own migration.
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


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "operations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("lead_agency", sa.Text(), nullable=True),
        sa.Column("theme", sa.String(length=40), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("first_published", sa.Date(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["operations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("profile", sa.String(length=20), nullable=False),
        sa.Column("start_url", sa.Text(), nullable=True),
        sa.Column("official", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "fetch_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url"),
    )
    op.create_table(
        "metric_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("qualifier", sa.String(length=20), nullable=True),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("formula", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("operation_id", "metric"),
    )
    with op.batch_alter_table("metric_values", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_metric_values_operation_id"), ["operation_id"], unique=False
        )

    op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("listed_title", sa.Text(), nullable=True),
        sa.Column("listed_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url"),
    )
    op.create_table(
        "page_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=True),
        sa.Column("encoding", sa.String(length=40), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("headers_json", sa.Text(), nullable=False),
        sa.Column("body_gz", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["pages.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("page_id", "content_hash"),
    )
    with op.batch_alter_table("page_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_page_versions_page_id"), ["page_id"], unique=False)

    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("parser_version", sa.String(length=20), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("publisher", sa.Text(), nullable=True),
        sa.Column("official", sa.Boolean(), nullable=False),
        sa.Column("relevant", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("op_name", sa.Text(), nullable=True),
        sa.Column("lead_agency", sa.Text(), nullable=True),
        sa.Column("theme", sa.String(length=40), nullable=True),
        sa.Column("op_start", sa.Date(), nullable=True),
        sa.Column("op_end", sa.Date(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["pages.id"],
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["page_versions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "parser_version"),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_articles_operation_id"), ["operation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_articles_page_id"), ["page_id"], unique=False)

    op.create_table(
        "arrest_breakdowns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("offence", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("article_id", "offence"),
    )
    with op.batch_alter_table("arrest_breakdowns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_arrest_breakdowns_article_id"), ["article_id"], unique=False
        )

    op.create_table(
        "figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("qualifier", sa.String(length=20), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.Column("parser_version", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("article_id", "scope", "metric", "subject"),
    )
    with op.batch_alter_table("figures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_figures_article_id"), ["article_id"], unique=False)

    op.create_table(
        "operation_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("qualifier", sa.String(length=20), nullable=False),
        sa.Column("figure_id", sa.Integer(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("conflict", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["figure_id"],
            ["figures.id"],
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("operation_id", "scope", "metric"),
    )
    with op.batch_alter_table("operation_figures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_operation_figures_operation_id"), ["operation_id"], unique=False
        )
    op.create_table(
        "quality_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["operation_id"], ["operations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("operation_id", "name"),
    )
    with op.batch_alter_table("quality_checks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quality_checks_operation_id"), ["operation_id"], unique=False
        )

    op.execute(operation_summary_sql(FIGURE_METRICS))
    op.execute(operation_metrics_sql(DERIVED_METRICS))


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS operation_metrics")
    op.execute("DROP VIEW IF EXISTS operation_summary")
    op.drop_table("quality_checks")
    with op.batch_alter_table("operation_figures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operation_figures_operation_id"))

    op.drop_table("operation_figures")
    with op.batch_alter_table("figures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_figures_article_id"))

    op.drop_table("figures")
    with op.batch_alter_table("arrest_breakdowns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_arrest_breakdowns_article_id"))

    op.drop_table("arrest_breakdowns")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_articles_page_id"))
        batch_op.drop_index(batch_op.f("ix_articles_operation_id"))

    op.drop_table("articles")
    with op.batch_alter_table("page_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_page_versions_page_id"))

    op.drop_table("page_versions")
    op.drop_table("pages")
    with op.batch_alter_table("metric_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_metric_values_operation_id"))

    op.drop_table("metric_values")
    op.drop_table("fetch_failures")
    op.drop_table("sources")
    op.drop_table("operations")
