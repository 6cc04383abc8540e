"""Inbound updates: stored once by id, read back until handled (then only the id is kept),
pruned once old."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, null, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import InboundUpdate
from bot.storage.upsert import insert_ignoring_conflicts

_updates = cast(Table, InboundUpdate.__table__)
# Every update runs both: built once, not built and keyed anew each time. A handled update's
# payload (who sent it, what they typed) goes: telling a redelivery apart needs only its id.
_MARK_HANDLED = (
    update(_updates)
    .where(_updates.c.platform == bindparam("at"), _updates.c.update_id == bindparam("number"))
    .values(handled_at=bindparam("handled"), payload=null())
)


class UpdateRepository:
    """The platform updates received, and whether each was handled."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, *, platform: str, payloads: Mapping[int, dict[str, Any]], at: datetime
    ) -> set[int]:
        """Store updates by id, in one statement; the ids that were not stored already (an id
        that was, Telegram delivered again)."""
        if not payloads:
            return set()
        statement = insert_ignoring_conflicts(self._session, _updates, returning="update_id")
        rows = [
            {"platform": platform, "update_id": update_id, "payload": payload, "received_at": at}
            for update_id, payload in payloads.items()
        ]
        added = await self._session.execute(statement, rows)
        return set(added.scalars())

    async def unhandled(self, *, platform: str) -> list[tuple[int, dict[str, Any]]]:
        """Every stored update not yet handled, oldest first, as (id, payload)."""
        query = (
            select(InboundUpdate.update_id, InboundUpdate.payload)
            .where(InboundUpdate.platform == platform, InboundUpdate.handled_at.is_(None))
            .order_by(InboundUpdate.update_id)
        )
        return [(row.update_id, row.payload) for row in await self._session.execute(query)]

    async def waiting(self, *, platform: str) -> int:
        """How many stored updates of ``platform`` are not handled yet."""
        query = select(func.count()).where(
            InboundUpdate.platform == platform, InboundUpdate.handled_at.is_(None)
        )
        return int(await self._session.scalar(query) or 0)

    async def mark_handled(self, *, platform: str, update_id: int, at: datetime) -> None:
        """Record that an update was handled, forgetting what it said and who sent it."""
        await self._session.execute(
            _MARK_HANDLED, {"at": platform, "number": update_id, "handled": at}
        )

    async def prune(self, *, handled_before: datetime, limit: int) -> int:
        """Forget up to ``limit`` of the updates handled before ``handled_before``; how many."""
        oldest = (
            select(InboundUpdate.platform, InboundUpdate.update_id)
            .where(InboundUpdate.handled_at < handled_before)
            .order_by(InboundUpdate.handled_at)
            .limit(limit)
        )
        result = await self._session.execute(
            delete(InboundUpdate).where(
                tuple_(InboundUpdate.platform, InboundUpdate.update_id).in_(oldest)
            )
        )
        return int(getattr(result, "rowcount", 0))
