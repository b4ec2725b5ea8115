"""Follow-up charges and convictions (issue 15): the followup_links table (each follow-up
page and the operation it reports on, with the evidence sentence and whether a person set
it), and operation_metrics recreated with the follow-up metrics (followups, charged_later,
convicted_later, charge_rate_lower_bound, days_to_first_charge) after its columns.
Follow-up pages already in a warehouse are recognised when `optally reparse` reads them
again.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 20:00:00
"""

import sqlalchemy as sa
from alembic import op

from db.views import operation_metrics_sql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Frozen here, as in 0002: the view's columns before and after this revision.
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
FOLLOWUP_METRICS = (
    "followups",
    "charged_later",
    "convicted_later",
    "charge_rate_lower_bound",
    "days_to_first_charge",
)
_METRICS_FROM = "\nFROM operations o LEFT JOIN metric_values m ON m.operation_id = o.id\n"
_LIVE = "WHERE o.merged_into IS NULL\n"


ALL_METRICS = DERIVED_METRICS + FOLLOWUP_METRICS


def _without_merged(sql: str, from_clause: str) -> str:
    """operation_metrics as 0002 made it: live operations only (as in 0002, which this
    migration cannot import: a revision's module is loaded by alembic, not imported)."""
    if from_clause not in sql:
        raise RuntimeError("0008: the view SQL changed shape; freeze it in this migration")
    return sql.replace(from_clause, from_clause + _LIVE)


def upgrade() -> None:
    op.create_table(
        "followup_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("page_id", sa.Integer(), sa.ForeignKey("pages.id"), nullable=False),
        sa.Column("operation_id", sa.Integer(), sa.ForeignKey("operations.id"), nullable=True),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("page_id"),
    )
    op.create_index("ix_followup_links_operation_id", "followup_links", ["operation_id"])
    op.execute("DROP VIEW IF EXISTS operation_metrics")
    op.execute(_without_merged(operation_metrics_sql(ALL_METRICS), _METRICS_FROM))


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS operation_metrics")
    op.execute(_without_merged(operation_metrics_sql(DERIVED_METRICS), _METRICS_FROM))
    op.drop_index("ix_followup_links_operation_id", table_name="followup_links")
    op.drop_table("followup_links")
