"""Planned sessions: the coach's plan as stored for today's session and reminders."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import PlannedSession


class PlanRepository:
    """Reads and replaces a runner's planned sessions."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, session_id: int) -> PlannedSession | None:
        """The planned session with this id, if it still exists."""
        return await self._session.get(PlannedSession, session_id)

    async def on(self, *, runner_id: int, day: date) -> PlannedSession | None:
        """The runner's session on ``day``, if one is planned."""
        query = select(PlannedSession).where(
            PlannedSession.runner_id == runner_id, PlannedSession.date == day
        )
        return (await self._session.scalars(query)).one_or_none()

    async def between(self, *, runner_id: int, first: date, last: date) -> Sequence[PlannedSession]:
        """The runner's sessions from ``first`` to ``last`` inclusive, in date order."""
        query = (
            select(PlannedSession)
            .where(
                PlannedSession.runner_id == runner_id,
                PlannedSession.date >= first,
                PlannedSession.date <= last,
            )
            .order_by(PlannedSession.date)
        )
        return (await self._session.scalars(query)).all()

    async def of_runners(
        self, runner_ids: Collection[int], *, first: date, last: date
    ) -> Sequence[PlannedSession]:
        """The sessions of these runners from ``first`` to ``last`` inclusive, in date order."""
        query = (
            select(PlannedSession)
            .where(
                PlannedSession.runner_id.in_(runner_ids),
                PlannedSession.date >= first,
                PlannedSession.date <= last,
            )
            .order_by(PlannedSession.date)
        )
        return (await self._session.scalars(query)).all()

    async def replace(
        self, stale: Sequence[PlannedSession], fresh: Sequence[PlannedSession]
    ) -> None:
        """Swap stored sessions for new ones, in one delete and one flush."""
        if stale:
            ids = [session.id for session in stale]
            await self._session.execute(delete(PlannedSession).where(PlannedSession.id.in_(ids)))
            for session in stale:
                self._session.expunge(session)
        self._session.add_all(fresh)
        await self._session.flush()
