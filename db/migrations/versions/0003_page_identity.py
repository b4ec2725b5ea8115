"""One page, one row: pages.fetched_url, the URL a page was last asked for, beside pages.url,
now the page's identity (domain/urls.py). Existing pages keep their url and get a NULL
fetched_url, which marks them as keyed by the old rule: the next run of their source
re-keys them and merges those that are one page under the new rule (db/identity.py).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEX = "ix_pages_fetched_url"


def upgrade() -> None:
    # A plain ADD COLUMN (no batch table copy): pages is referenced by other tables.
    op.add_column("pages", sa.Column("fetched_url", sa.Text(), nullable=True))
    op.create_index(INDEX, "pages", ["fetched_url"])


def downgrade() -> None:
    # Pages merged since stay merged; their url (the identity) stays as it is.
    op.drop_index(INDEX, table_name="pages")
    op.drop_column("pages", "fetched_url")
