"""Web-archive captures (issue 17): page_versions.capture_archive, capture_offset and
capture_date, the exact copy a version was read from when it came from a web archive (a
WARC or ARC file and the record's byte offset, or a Wayback capture URL) and when the
archive captured it. NULL for versions fetched from the live site.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch table copy): page_versions is referenced by articles.
    op.add_column("page_versions", sa.Column("capture_archive", sa.Text(), nullable=True))
    op.add_column("page_versions", sa.Column("capture_offset", sa.BigInteger(), nullable=True))
    op.add_column(
        "page_versions", sa.Column("capture_date", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("page_versions", "capture_date")
    op.drop_column("page_versions", "capture_offset")
    op.drop_column("page_versions", "capture_archive")
