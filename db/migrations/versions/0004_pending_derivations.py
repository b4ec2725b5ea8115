"""Derive is a stage of its own: pending_derivations lists the operations whose claims
were loaded and whose derived rows are not rebuilt yet (db/models.py PendingDerivation).
Existing warehouses start with none pending: their derived rows were rebuilt with their
claims, in one transaction, by the code before this revision.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_derivations",
        sa.Column("operation_id", sa.Integer(), sa.ForeignKey("operations.id"), primary_key=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pending_derivations")
