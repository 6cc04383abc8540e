"""The published versions of runners' calendar events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import CalendarEvent
from bot.storage.upsert import upsert

_events = cast(Table, CalendarEvent.__table__)


class CalendarRepository:
    """Reads and records the latest version of each calendar event of a runner."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def versions(
        self, *, runner_id: int, first: date, last: date
    ) -> dict[date, CalendarEvent]:
        """The runner's event versions from ``first`` to ``last`` inclusive, by day."""
        query = select(CalendarEvent).where(
            CalendarEvent.runner_id == runner_id, CalendarEvent.day.between(first, last)
        )
        return {row.day: row for row in await self._session.scalars(query)}

    async def record(self, rows: Sequence[dict[str, Any]]) -> None:
        """Store these versions (runner, day, digest, sequence, revised_at), each in place of
        the one of its runner and day."""
        if rows:
            await self._session.execute(upsert(self._session, _events, "runner_id", "day"), rows)

    async def forget(self, *, runner_id: int, before: date) -> None:
        """Drop the runner's versions of days before ``before``."""
        await self._session.execute(
            delete(CalendarEvent).where(
                CalendarEvent.runner_id == runner_id, CalendarEvent.day < before
            )
        )
