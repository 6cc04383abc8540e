"""PostgreSQL's ``NOTIFY``/``LISTEN``: a word from one instance to the others, at its commit.

A notice is sent inside a transaction (``notify``) and delivered to every listener when that
transaction commits, never if it rolls back; its lines are split over several notices where
they would pass PostgreSQL's 8,000-byte limit. A ``Listener`` holds one connection of its own
out of the pool, listening on a channel, and hands each notice's lines to its callback. The
channel is named after the database schema too, so instances on different schemas of one
database (the test suite's) never hear each other. On SQLite, one process's database, there
is nobody to tell: ``notify`` does nothing and a listener never opens.

Notices are a hint, never the only way: a listener that lost its connection hears nothing
until ``keep_listening`` opens another, so whoever listens also looks on a schedule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

logger = logging.getLogger(__name__)

MAX_BYTES = 7_900  # of one notice's payload (PostgreSQL refuses 8,000 and more)
_CHANNEL = "'notices_' || :topic || '_' || current_schema()"
_NOTIFY = text(f"SELECT pg_notify({_CHANNEL}, :payload)")
_NAME = text(f"SELECT {_CHANNEL}")


def payloads(lines: Iterable[str]) -> list[str]:
    """``lines`` joined by newlines, in as few notices as fit."""
    chunks: list[str] = []
    size = 0
    current: list[str] = []
    for line in lines:
        length = len(line.encode()) + 1
        if current and size + length > MAX_BYTES:
            chunks.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += length
    if current:
        chunks.append("\n".join(current))
    return chunks


async def notify(session: AsyncSession, topic: str, lines: Iterable[str]) -> None:
    """Tell the listeners on ``topic`` the ``lines``, once ``session``'s transaction commits
    (on PostgreSQL; nothing elsewhere)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for payload in payloads(lines):
        await session.execute(_NOTIFY, {"topic": topic, "payload": payload})


class Listener:
    """Listens on ``topic`` with a connection of its own, handing each notice's lines to
    ``heard`` (called on the event loop)."""

    def __init__(self, engine: AsyncEngine, topic: str, heard: Callable[[list[str]], None]) -> None:
        self.engine = engine
        self.topic = topic
        self.heard = heard
        self._connection: Any = None  # the driver's own (asyncpg) connection, while open
        self._failing = False  # the last try to listen failed

    @property
    def listening(self) -> bool:
        """Whether notices are heard now."""
        return self._connection is not None and not self._connection.is_closed()

    async def keep_listening(self) -> None:
        """Listen, unless listening already (or on SQLite); a failure is logged and tried
        again at the next call."""
        if self.engine.dialect.name != "postgresql" or self.listening:
            return
        await self.close()
        connection: Any = None
        try:
            async with self.engine.connect() as named:
                channel = await named.scalar(_NAME, {"topic": self.topic})
            pooled = await self.engine.raw_connection()
            connection = pooled.driver_connection
            pooled.detach()  # it keeps its LISTEN: never back to the pool
            await connection.add_listener(channel, self._notice)
        except BaseException as error:  # cancelled too: the connection is this one's to close
            if connection is not None:
                connection.terminate()
            if not isinstance(error, Exception):
                raise
            if not self._failing:  # once, until it listens again (the outage logs the rest)
                logger.warning("could not listen for notices (%s)", type(error).__name__)
            self._failing = True
            return
        self._connection, self._failing = connection, False

    async def close(self) -> None:
        """Stop listening and close the connection."""
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            try:
                await connection.close(timeout=5)
            except Exception:  # it goes with the process
                connection.terminate()

    def _notice(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        self.heard(payload.split("\n"))
