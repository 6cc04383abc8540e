"""The dispatcher's journal: attempts begin, and outcomes are recorded, in group commits.

Each sender of the reminder tick writes twice per row: ``sending`` once the row's rate-limit
slot is at hand, just before the message goes out, and the outcome after; it hands the journal
its last row's outcome together with its next row's start. Senders work side by side, so
while one write is on its way to the database the others' records queue up, and the next
write takes them all: their outcomes in one ``executemany``, then their starts in one
``UPDATE``. A row starts only while its claim is still its dispatcher's (``claimed_by``). A
start is answered only once it is committed, so no message goes out before its row is
``sending``; an outcome is committed no later than the same sender's next start (or the
batch's end), so a sender has at most one row in doubt: the one it sends, or its last one
until that outcome is written.

The journal keeps a connection of its own in autocommit mode, without an ORM session. Its
statements go through SQLAlchemy's async connection like every other write, so they never
block the event loop: waiting for a lock or a slow disk happens in the driver (aiosqlite's
thread, or asyncpg's socket).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple, cast

from sqlalchemy import Table, bindparam, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.models import Dispatch, DispatchStatus
from bot.storage.repositories.dispatches import Claimed


class Outcome(NamedTuple):
    """How one attempted row ended."""

    dispatch_id: int
    status: DispatchStatus
    at: datetime
    message_id: str | None = None
    error: str | None = None


_table = cast(Table, Dispatch.__table__)
_row = _table.c

_SETTLE = (
    update(_table)
    .where(_row.id == bindparam("done_id", type_=_row.id.type))
    .values(
        status=bindparam("new_status", type_=_row.status.type),
        sent_at=bindparam("new_sent_at", type_=_row.sent_at.type),
        message_id=bindparam("new_message_id", type_=_row.message_id.type),
        error=bindparam("new_error", type_=_row.error.type),
    )
)

_START = (
    update(_table)
    .where(
        _row.id.in_(bindparam("start_ids", expanding=True)),
        _row.status == DispatchStatus.CLAIMED,
        _row.claimed_by == bindparam("start_owner", type_=_row.claimed_by.type),
    )
    .values(status=DispatchStatus.SENDING)
    .returning(_row.id)
)


@dataclass
class _Record:
    outcome: Outcome | None
    start: Claimed | None
    begun: asyncio.Future[bool] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class DispatchJournal:
    """Records attempts on one autocommitting connection; see the module's docstring."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self._queued: list[_Record] = []
        self._writing = False

    @classmethod
    @asynccontextmanager
    async def open(cls, engine: AsyncEngine) -> AsyncIterator[DispatchJournal]:
        """A journal on a connection of its own, returned to the pool when the block ends."""
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            yield cls(connection)

    async def record(self, *, outcome: Outcome | None, start: Claimed | None) -> bool:
        """Store ``outcome`` and mark ``start`` as sending, in the next group commit.

        Returns once both are committed: whether ``start`` is now sending (False if its
        claim was lost meanwhile, or if there is no ``start``).
        """
        if outcome is None and start is None:
            return False
        record = _Record(outcome, start)
        self._queued.append(record)
        if not self._writing:
            await self._write_queued(record)
        return await record.begun

    async def _write_queued(self, mine: _Record) -> None:
        """Write group after group until nothing is queued. A failed write fails the records
        of its group and of every group waiting; if this writer is cancelled, so is its own."""
        self._writing = True
        try:
            while self._queued:
                group, self._queued = self._queued, []
                try:
                    begun = await self._write(group)
                except BaseException as error:
                    if isinstance(error, Exception):
                        await self._reset()
                    waiting, self._queued = [*group, *self._queued], []
                    for record in waiting:
                        if record is mine and not isinstance(error, Exception):
                            record.begun.cancel()
                        else:
                            record.begun.set_exception(
                                error if isinstance(error, Exception) else RuntimeError(error)
                            )
                    if not isinstance(error, Exception):
                        raise
                    return
                for record in group:
                    record.begun.set_result(record.start is not None and record.start.id in begun)
        finally:
            self._writing = False

    async def _reset(self) -> None:
        """After a failed write, end the connection's transaction: a connection the failure
        invalidated (the database went away, or turned read-only) then reconnects at the
        next write, instead of refusing it until rolled back."""
        with suppress(Exception):  # the next write reports the database's state
            await self._connection.rollback()

    async def _write(self, group: Sequence[_Record]) -> set[int]:
        """Outcomes first, then starts: a crash between the two leaves no message sent
        without its ``sending``. Returns the ids now sending."""
        outcomes = [record.outcome for record in group if record.outcome is not None]
        if outcomes:
            await self._connection.execute(
                _SETTLE,
                [
                    {
                        "done_id": outcome.dispatch_id,
                        "new_status": outcome.status,
                        "new_sent_at": outcome.at
                        if outcome.status is DispatchStatus.SENT
                        else None,
                        "new_message_id": outcome.message_id,
                        "new_error": outcome.error,
                    }
                    for outcome in outcomes
                ],
            )
        claims: dict[str, list[int]] = {}
        for record in group:
            if record.start is not None:
                claims.setdefault(record.start.claimed_by, []).append(record.start.id)
        begun: set[int] = set()
        for owner, ids in claims.items():  # one owner per journal, in practice
            result = await self._connection.execute(
                _START, {"start_ids": ids, "start_owner": owner}
            )
            begun.update(result.scalars().all())
        return begun
