"""Dialect-aware INSERT ... ON CONFLICT, the one way rows are written idempotently.

Every row is made fit for its columns first (db/sanitize.py): what a page says reaches the
warehouse through here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

from db.engine import DatabaseError
from db.sanitize import clean_rows


def _insert(conn: Connection, table: Table):  # type: ignore[no-untyped-def]
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise DatabaseError(f"optally supports SQLite and PostgreSQL, not {conn.dialect.name}")


def insert_ignore(
    conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> None:
    """Insert rows; a row whose unique ``keys`` already exist is left as it is."""
    if rows:
        conn.execute(
            _insert(conn, table).on_conflict_do_nothing(index_elements=list(keys)),
            clean_rows(table, rows),
        )


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert rows, or update the ``update`` columns of rows whose ``keys`` exist."""
    if not rows:
        return
    stmt = _insert(conn, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_={c: stmt.excluded[c] for c in update}
    )
    conn.execute(stmt, clean_rows(table, rows))
