"""Alerts (issue 16): alert_deliveries (the webhook messages, pending until delivered) and
alert_announcements (the operations a digest announced, never announced again). The
operations a warehouse already holds count as announced: the first run after the upgrade
tells of the operations it adds, not of the warehouse's whole history.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("ix_alert_deliveries_status", "alert_deliveries", ["status"])
    op.create_table(
        "alert_announcements",
        sa.Column("operation_id", sa.Integer(), sa.ForeignKey("operations.id"), primary_key=True),
        sa.Column("delivery_id", sa.Integer(), sa.ForeignKey("alert_deliveries.id"), nullable=True),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO alert_announcements (operation_id, delivery_id, announced_at)"
        " SELECT id, NULL, CURRENT_TIMESTAMP FROM operations"
    )


def downgrade() -> None:
    op.drop_table("alert_announcements")
    op.drop_index("ix_alert_deliveries_status", table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
