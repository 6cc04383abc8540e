"""``INSERT ... ON CONFLICT``, in whichever dialect a session speaks.

Each statement is built once per dialect and table: they run on hot paths (every update
stored, every answer to a question), where building and keying a statement anew would cost
more than running it.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

_DIALECTS = ("postgresql", "sqlite")


def insert_ignoring_conflicts(
    session: AsyncSession, table: Table, *, returning: str | None = None
) -> Insert:
    """An insert into ``table`` that skips rows whose key is already there, returning the
    column ``returning`` of the rows it inserts, if named."""
    return _ignoring(_dialect(session), table, returning)


def upsert(session: AsyncSession, table: Table, *keys: str) -> Insert:
    """An insert into ``table`` that, where a row with the same ``keys`` is there already,
    sets that row's other columns (all but the primary key) to the inserted values."""
    return _upserting(_dialect(session), table, keys)


def _dialect(session: AsyncSession) -> str:
    dialect = session.get_bind().dialect.name
    if dialect not in _DIALECTS:
        raise NotImplementedError(f"no INSERT ... ON CONFLICT for {dialect}")
    return dialect


def _insert(dialect: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


@cache
def _ignoring(dialect: str, table: Table, returning: str | None) -> Insert:
    statement = _insert(dialect, table).on_conflict_do_nothing()
    return statement if returning is None else statement.returning(table.c[returning])


@cache
def _upserting(dialect: str, table: Table, keys: tuple[str, ...]) -> Insert:
    statement = _insert(dialect, table)
    others = [c.name for c in table.columns if c.name not in keys and not c.primary_key]
    return statement.on_conflict_do_update(
        index_elements=[table.c[key] for key in keys],
        set_={name: statement.excluded[name] for name in others},
    )
