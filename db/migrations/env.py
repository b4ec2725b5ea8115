"""Alembic environment: runs on the connection db.engine.upgrade() hands over."""

from __future__ import annotations

from alembic import context

from db.models import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via `alembic` CLI with a URL
    from db.engine import get_engine

    connection = get_engine(migrate=False).connect()

context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
