"""Confidence in the warehouse: figures.confidence (the extractor's confidence in each
claim) and the abstentions table (figures a reading found and did not report, with their
reason). Claims read before this revision keep a NULL confidence and no abstentions until
`optally reparse` reads their pages again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch table copy): figures is referenced by other tables.
    op.add_column("figures", sa.Column("confidence", sa.Float(), nullable=True))
    op.create_table(
        "abstentions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("metric", sa.String(40), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("qualifier", sa.String(20), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.UniqueConstraint("article_id", "ordinal"),
    )
    op.create_index("ix_abstentions_article_id", "abstentions", ["article_id"])


def downgrade() -> None:
    op.drop_index("ix_abstentions_article_id", table_name="abstentions")
    op.drop_table("abstentions")
    # A plain DROP COLUMN: a batch copy of figures would break the foreign keys to it.
    op.drop_column("figures", "confidence")
