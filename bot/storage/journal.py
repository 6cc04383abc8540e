"""The dispatcher's journal: one attempt begins as the previous one's outcome is recorded.

Sending reminders one at a time, the dispatcher writes twice per row: ``sending`` before the
message goes out, the outcome after. The journal folds the previous row's outcome and the
next row's ``sending`` into one ``UPDATE`` on a connection of its own in autocommit mode, so
each row costs one statement and one round trip, without an ORM session. Once the statement
returns, both writes are durable together, and at most one row (the one now ``sending``) is
ever in doubt. The statement goes through SQLAlchemy's async connection like every other
write, so it never blocks the event loop: waiting for a lock or a slow disk happens in the
driver (aiosqlite's thread, or asyncpg's socket).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import NamedTuple, cast

from sqlalchemy import Table, and_, bindparam, case, literal, or_, update
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

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    @classmethod
    @asynccontextmanager
    async def open(cls, engine: AsyncEngine) -> AsyncIterator[DispatchJournal]:
        """A journal on a connection of its own, returned to the pool when the block ends."""
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            yield cls(connection)

    async def record(self, *, outcome: Outcome | None, start: Claimed | None) -> bool:
        """Store ``outcome`` and mark ``start`` as sending, atomically, in one statement.

        Returns whether ``start`` is now sending: False if its claim was lost meanwhile (or
        if there is no ``start``).
        """
        if outcome is None and start is None:
            return False
        sent = outcome is not None and outcome.status is DispatchStatus.SENT
        values = {
            "done_id": outcome.dispatch_id if outcome else None,
            "new_status": outcome.status if outcome else None,
            "new_sent_at": outcome.at if outcome is not None and sent else None,
            "new_message_id": outcome.message_id if outcome else None,
            "new_error": outcome.error if outcome else None,
            "start_id": start.id if start else None,
            "start_claimed_at": start.claimed_at if start else None,
        }
        result = await self._connection.execute(_RECORD, values)
        changed: Sequence[int] = result.scalars().all()
        return start is not None and start.id in changed
