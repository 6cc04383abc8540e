"""aiosqlite, with each statement, commit and rollback run in one step on the event loop's
thread, and the process's writers queued for SQLite's one write lock.

SQLAlchemy's aiosqlite adapter opens a cursor, executes, fetches and closes it: each step is
a trip to the connection's thread (queue, wake-up, a turn of the GIL, a wake-up of the event
loop back). A trip costs about 0.1 ms of CPU, and more in the GIL's hand-overs under load; a
button press's statement on SQLite in WAL mode costs microseconds, and so does its commit,
which appends the changed pages to the WAL (``synchronous=NORMAL``: no sync). So they run in
one step on the event loop's thread, a statement keeping its rows for ``fetchall``. What may
take long goes to the connection's thread, where it cannot stall the event loop: every
statement inside ``off_the_loop()`` (the reminder tick's batches span every runner, and the
WAL is copied into the database file on a schedule of its own: ``Database.checkpoint``, since
commits never do it themselves, ``wal_autocheckpoint=0``).

SQLite lets one connection of a database write at a time. A connection about to open a
write transaction (the statements that make Python's ``sqlite3`` begin one) first waits its
turn in a queue that the process's connections to that file share (``WriteQueue``), and
leaves it at its commit or rollback; the next writer starts at once. SQLite's own lock stays
as the guard against other processes; SQLite does not wait for it (its busy timeout is 0:
it would sleep, and the event loop with it): a statement or commit that finds it taken is
tried again after a pause, for up to ``BUSY_TIMEOUT`` seconds. A commit or rollback with no
transaction open does nothing (a unit of work that only read commits, and the pool rolls
back every connection it is given back).

Why not SQLAlchemy's stock aiosqlite adapter (issue 26, measured 2026-12-07 with
``--driver custom|stock`` on ``bench.updates`` and ``bench.reminders``, alternating, six and
three runs of each on the shared 2-vCPU VM; docs/benchmarks.md): a button press's p99 was
23.1 ms here against 30.0 ms there (medians; target 25 ms), and higher there in five
pairs of six; its p50 2.4 against 2.9 ms; the presses run cost 28.4 against 36.2 s of CPU,
three times the system time (the thread's trips). The reminder tick was no slower on the
stock adapter (throughput ratio 0.78 against 0.70, target 0.7), but its longest stall was
62 against 45 ms (target 50). Measure again before a change of either.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from types import SimpleNamespace, TracebackType
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_dbapi

from bot.storage import sqlite

Description = tuple[tuple[Any, ...], ...] | None


class OneStepCursor:
    """The cursor SQLAlchemy's adapter drives: ``execute`` runs, fetches and closes at once."""

    arraysize = 1

    def __init__(self, connection: OneStepConnection) -> None:
        self._connection = connection
        self.description: Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []

    async def __aenter__(self) -> OneStepCursor:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> OneStepCursor:
        result = await self._connection.statement(_execute, sql, parameters or ())
        self.description, self.rowcount, self.lastrowid, self._rows = result
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> OneStepCursor:
        result = await self._connection.statement(_execute_many, sql, list(parameters))
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


_BUSY = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_BUSY_RECOVERY})
"""Another connection holds a lock: trying again later may succeed (unlike
``SQLITE_BUSY_SNAPSHOT``, a transaction whose snapshot another writer made stale)."""
_FIRST_PAUSE = 0.001  # seconds before trying a busy statement again; doubled up to
_LONGEST_PAUSE = 0.05

clock: Callable[[], float] = time.monotonic  # the patience's time; tests put virtual time here
sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

_off_the_loop: ContextVar[bool] = ContextVar("sqlite_off_the_loop", default=False)


@contextmanager
def off_the_loop() -> Iterator[None]:
    """Run the block's statements on their connections' threads, so that statements which may
    each take long (a batch over every runner) leave the event loop free meanwhile."""
    token = _off_the_loop.set(True)
    try:
        yield
    finally:
        _off_the_loop.reset(token)


_BEGINS = re.compile(r"\s*(insert|update|delete|replace)\b", re.IGNORECASE)
"""The statements before which Python's ``sqlite3`` opens a transaction (its legacy mode,
which SQLAlchemy uses): a transaction is open from the first of them to the commit."""


class WriteQueue:
    """The turns of one database file's writers in this process, first come first served.

    A turn not given within ``timeout`` seconds fails as SQLite's own lock would
    ("database is locked")."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._lock = asyncio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def wait_turn(self) -> asyncio.Lock:
        """Wait until no other connection of this process is writing to the file; returns
        the lock now held, to release when the turn ends."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # an asyncio lock serves one event loop
            self._lock, self._loop = asyncio.Lock(), loop
        lock = self._lock
        try:
            async with asyncio.timeout(self.timeout):
                await lock.acquire()
        except TimeoutError:
            locked = sqlite3.OperationalError("database is locked")
            locked.sqlite_errorcode = sqlite3.SQLITE_BUSY
            raise locked from None
        return lock


_queues: weakref.WeakValueDictionary[str, WriteQueue] = weakref.WeakValueDictionary()


def write_queue(database: str, timeout: float) -> WriteQueue | None:
    """The queue of the file ``database`` (None for a database in memory, private to its
    connection)."""
    if database in ("", ":memory:") or "mode=memory" in database:
        return None
    key = database if database.startswith("file:") else os.path.realpath(database)
    queue = _queues.get(key)
    if queue is None:
        queue = _queues[key] = WriteQueue(timeout)
    return queue


@asynccontextmanager
async def writing_alone(database: str) -> AsyncIterator[None]:
    """Hold the turn of the file ``database``'s writers of this process while the block runs
    (a checkpoint that truncates the WAL needs the write lock)."""
    queue = write_queue(database, sqlite.BUSY_TIMEOUT)
    turn = await queue.wait_turn() if queue is not None else None
    try:
        yield
    finally:
        if turn is not None:
            turn.release()


class OneStepConnection(aiosqlite.Connection):
    """An aiosqlite connection whose statements run in one step on the event loop's thread
    (see ``off_the_loop``), which writes in its turn of ``writes`` (if given), and which
    waits out another process's lock for up to ``patience`` seconds."""

    def __init__(
        self,
        connector: Any,
        iter_chunk_size: int,
        writes: WriteQueue | None,
        patience: float,
    ) -> None:
        super().__init__(connector, iter_chunk_size)
        self._writes = writes
        self._patience = patience
        self._turn: asyncio.Lock | None = None  # held from a write's start to its transaction's end

    def cursor(self) -> OneStepCursor:  # type: ignore[override]
        return OneStepCursor(self)

    async def statement(self, function: Any, sql: str, parameters: Any) -> Any:
        """Run ``function(sqlite3_connection, sql, parameters)``, in this connection's turn to
        write if the statement opens a write transaction. The turn ends with the transaction:
        at once when none is left open (autocommit, or a statement that failed before it
        began one), else at the commit or rollback."""
        if self._writes and self._turn is None and _BEGINS.match(sql) and not self.in_transaction:
            self._turn = await self._writes.wait_turn()
        try:
            return await self._patiently(lambda: self._run(function, sql, parameters))
        finally:
            if self._turn is not None and not self.in_transaction:
                self._end_turn()

    async def _run(self, function: Any, *args: Any) -> Any:
        if _off_the_loop.get():
            return await self._execute(lambda: function(self._conn, *args))  # type: ignore[no-untyped-call]
        return function(self._conn, *args)

    async def _patiently(self, attempt: Callable[[], Awaitable[Any]]) -> Any:
        """``attempt()``, tried again while another connection holds a lock SQLite needs, for
        up to ``patience`` seconds; then its "database is locked" is raised."""
        deadline = clock() + self._patience
        pause = _FIRST_PAUSE
        while True:
            try:
                return await attempt()
            except sqlite3.OperationalError as error:
                left = deadline - clock()
                if error.sqlite_errorcode not in _BUSY or left <= 0:
                    raise
            await sleep(min(pause, left))
            pause = min(2 * pause, _LONGEST_PAUSE)

    async def commit(self) -> None:
        await self._end_transaction(sqlite3.Connection.commit)

    async def rollback(self) -> None:
        await self._end_transaction(sqlite3.Connection.rollback)

    async def _end_transaction(self, end: Callable[[sqlite3.Connection], None]) -> None:
        """Commit or roll back (nothing to do when no transaction is open), then end the
        turn."""
        try:
            if self.in_transaction:
                await self._patiently(lambda: self._run(end))
        finally:
            self._end_turn()

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            self._end_turn()

    def _end_turn(self) -> None:
        if self._turn is not None:
            turn, self._turn = self._turn, None
            turn.release()


def connect(database: str, *, iter_chunk_size: int = 64, **options: Any) -> OneStepConnection:
    """Like ``aiosqlite.connect``: the connection opens when awaited. It is used from two
    threads, never at once: each step is awaited before the next."""
    patience = sqlite.BUSY_TIMEOUT
    writes = write_queue(database, patience)
    options["check_same_thread"] = False
    options["timeout"] = 0  # SQLite never sleeps on a lock: ``_patiently`` waits instead
    return OneStepConnection(
        lambda: sqlite3.connect(database, **options), iter_chunk_size, writes, patience
    )


DBAPI = AsyncAdapt_aiosqlite_dbapi(
    SimpleNamespace(**{**vars(aiosqlite), "connect": connect}),  # type: ignore[arg-type]
    sqlite3,
)
"""The DBAPI module to give SQLAlchemy (``create_async_engine(..., module=DBAPI)``)."""
