"""The dispatcher's journal: one attempt begins as the previous one's outcome is recorded.

Sending reminders one at a time, the dispatcher writes twice per row: ``sending`` before the
message goes out, the outcome after. The journal folds the previous row's outcome and the
next row's ``sending`` into one ``UPDATE`` on a connection of its own in autocommit mode, so
each row costs one statement and one round trip, without an ORM session. Once the statement
returns, both writes are durable together, and at most one row (the one now ``sending``) is
ever in doubt.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, closing
from datetime import datetime
from functools import partial
from typing import Any, NamedTuple, cast

from sqlalchemy import URL, Dialect, Table, and_, bindparam, case, literal, or_, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.types import TypeEngine

from bot.storage.models import Dispatch, DispatchStatus
from bot.storage.repositories.dispatches import Claimed
from bot.storage.sqlite import apply_pragmas


class Outcome(NamedTuple):
    """How one attempted row ended."""

    dispatch_id: int
    status: DispatchStatus
    at: datetime
    message_id: str | None = None
    error: str | None = None


_table = cast(Table, Dispatch.__table__)
_row = _table.c
_done = bindparam("done_id", type_=_row.id.type)


def _if_done(column: str) -> object:
    """The outcome's value for the finished row; any other row keeps its own."""
    value = bindparam(f"new_{column}", type_=_row[column].type)
    return case((_row.id == _done, value), else_=_row[column])


_RECORD = (
    update(_table)
    .where(
        or_(
            _row.id == _done,
            and_(
                _row.id == bindparam("start_id", type_=_row.id.type),
                _row.status == DispatchStatus.CLAIMED,
                _row.claimed_at == bindparam("start_claimed_at", type_=_row.claimed_at.type),
            ),
        )
    )
    .values(
        status=case(
            (_row.id == _done, bindparam("new_status", type_=_row.status.type)),
            else_=literal(DispatchStatus.SENDING, _row.status.type),
        ),
        sent_at=_if_done("sent_at"),
        message_id=_if_done("message_id"),
        error=_if_done("error"),
    )
    .returning(_row.id)
)


class DispatchJournal:
    """Records attempts on one autocommitting connection; see the module's docstring."""

    def __init__(self, write: Callable[[dict[str, Any]], Awaitable[Sequence[int]]]) -> None:
        self._write = write

    @classmethod
    @asynccontextmanager
    async def open(cls, engine: AsyncEngine) -> AsyncIterator[DispatchJournal]:
        """A journal on a connection of its own, returned to the pool when the block ends."""
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            path = _sqlite_file(engine.url)
            if path is None:
                yield cls(partial(_execute, connection))
                return
            driver = (await connection.get_raw_connection()).driver_connection
            with closing(_SqliteWrites(engine.dialect, path, driver)) as writes:
                yield cls(writes.run)

    async def record(self, *, outcome: Outcome | None, start: Claimed | None) -> bool:
        """Store ``outcome`` and mark ``start`` as sending, atomically, in one statement.

        Returns whether ``start`` is now sending: False if its claim was lost meanwhile (or
        if there is no ``start``).
        """
        if outcome is None and start is None:
            return False
        sent = outcome is not None and outcome.status is DispatchStatus.SENT
        sent_at = outcome.at if outcome is not None and sent else None
        values = {
            "done_id": outcome.dispatch_id if outcome else None,
            "new_status": outcome.status if outcome else None,
            "new_sent_at": sent_at,
            "new_message_id": outcome.message_id if outcome else None,
            "new_error": outcome.error if outcome else None,
            "start_id": start.id if start else None,
            "start_claimed_at": start.claimed_at if start else None,
        }
        changed = await self._write(values)
        return start is not None and start.id in changed


async def _execute(connection: AsyncConnection, values: dict[str, Any]) -> Sequence[int]:
    changed: Sequence[int] = (await connection.execute(_RECORD, values)).scalars().all()
    return changed


class _SqliteWrites:
    """The journal's statement on SQLite: on the event loop, or waiting in aiosqlite's thread.

    The statement is one short write, quicker than a trip to the thread where aiosqlite runs
    SQLite, and the journal writes it once per reminder, right before each send. So it runs
    on the event loop, on a plain ``sqlite3`` connection whose busy wait is off: it never
    waits for a lock there. While another connection holds the write lock, the same
    statement goes to aiosqlite's thread on the pooled connection, and waits its turn
    there. The loop's connection never checkpoints the WAL either; the pooled connections
    do that in their own threads. Both use SQLAlchemy's compiled statement and its type
    processing.
    """

    def __init__(self, dialect: Dialect, path: str, driver: Any) -> None:
        compiled = _RECORD.compile(dialect=dialect)
        self._compiled = compiled
        self._sql = str(compiled)
        self._names = list(compiled.positiontup or ())
        self._processors = {
            name: processor
            for name in self._names
            if (processor := _processor(compiled.binds[name].type, dialect)) is not None
        }
        self._driver = driver
        self._on_loop = sqlite3.connect(path, timeout=0, isolation_level=None)
        apply_pragmas(self._on_loop, busy_timeout="0", wal_autocheckpoint="0")

    async def run(self, values: dict[str, Any]) -> list[int]:
        """Execute with ``values``; returns the ids of the rows it changed."""
        bound = self._compiled.construct_params(values)
        parameters = [
            self._processors[name](bound[name]) if name in self._processors else bound[name]
            for name in self._names
        ]
        try:
            return [row[0] for row in self._on_loop.execute(self._sql, parameters)]
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise
        return [row[0] for row in await self._driver.execute_fetchall(self._sql, parameters)]

    def close(self) -> None:
        self._on_loop.close()


def _sqlite_file(url: URL) -> str | None:
    """The file of a SQLite database, as SQLAlchemy opens it; None for any other database."""
    if url.get_backend_name() != "sqlite" or url.query or url.database in (None, "", ":memory:"):
        return None
    return os.path.abspath(url.database)


def _processor(kind: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """How SQLAlchemy turns a value of ``kind`` into what ``dialect``'s driver takes."""
    return kind.dialect_impl(dialect).bind_processor(dialect)
