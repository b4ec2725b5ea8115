"""Source health remembered (tasks/alerts.py health_changes): source_alerts holds each
unhealthy source's reason, since when, and when a message last named it, so a source that
stays broken is named again only after OPTALLY_ALERT_REPEAT_HOURS, and a recovery is told
once. A warehouse upgraded to it holds no state: the first run after the upgrade names every
source that is unhealthy then.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_alerts",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("source_alerts")
