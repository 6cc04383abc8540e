"""aiosqlite, with a statement run in one trip to the connection's thread instead of four.

SQLAlchemy's aiosqlite adapter opens a cursor, executes, fetches and closes it: each step is
a trip to the connection's thread (queue, wake-up, a turn of the GIL, a wake-up of the event
loop back), so a button press's seven statements took 25 trips. Here the cursor does all four
in the thread in one go, keeping the rows for ``fetchall``. Everything else is aiosqlite's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from types import SimpleNamespace, TracebackType
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_dbapi

Description = tuple[tuple[Any, ...], ...] | None


class OneTripCursor:
    """The cursor SQLAlchemy's adapter drives: ``execute`` runs, fetches and closes at once."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self.description: Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> OneTripCursor:
        result = await self._connection.in_thread(_execute, sql, parameters or ())
        self.description, self.rowcount, self.lastrowid, self._rows = result
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> OneTripCursor:
        result = await self._connection.in_thread(_execute_many, sql, list(parameters))
        self.description, self.rowcount, self.lastrowid, self._rows = result
        return self

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = size or self.arraysize
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def close(self) -> None:
        self._rows = []


Result = tuple[Description, int, int | None, list[Any]]


def _outcome(cursor: sqlite3.Cursor) -> Result:
    try:
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _execute(connection: sqlite3.Connection, sql: str, parameters: Sequence[Any]) -> Result:
    return _outcome(connection.execute(sql, parameters))


def _execute_many(
    connection: sqlite3.Connection, sql: str, parameters: list[Sequence[Any]]
) -> Result:
    return _outcome(connection.executemany(sql, parameters))


class OneTripConnection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors take one trip a statement."""

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    async def in_thread(self, function: Any, *args: Any) -> Any:
        """Run ``function(sqlite3_connection, *args)`` on the connection's thread."""
        return await self._execute(lambda: function(self._conn, *args))  # type: ignore[no-untyped-call]


def connect(database: str, *, iter_chunk_size: int = 64, **options: Any) -> OneTripConnection:
    """Like ``aiosqlite.connect``: the connection opens when awaited."""
    return OneTripConnection(lambda: sqlite3.connect(database, **options), iter_chunk_size)


DBAPI = AsyncAdapt_aiosqlite_dbapi(
    SimpleNamespace(**{**vars(aiosqlite), "connect": connect}),  # type: ignore[arg-type]
    sqlite3,
)
"""The DBAPI module to give SQLAlchemy (``create_async_engine(..., module=DBAPI)``)."""
