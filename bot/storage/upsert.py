"""``INSERT ... ON CONFLICT DO NOTHING``, in whichever dialect a session speaks."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert


def insert_ignoring_conflicts(session: AsyncSession, table: Table) -> Insert:
    """An insert into ``table`` that skips rows whose key is already there."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    raise NotImplementedError(f"no conflict-ignoring insert for {dialect}")
