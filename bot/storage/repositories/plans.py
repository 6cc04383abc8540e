"""Planned sessions: the coach's plan as stored for today's session and reminders."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, delete, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.storage.models import PlannedExercise, PlannedSession

_sessions = cast(Table, PlannedSession.__table__)
_exercises = cast(Table, PlannedExercise.__table__)
# /today, /week and every replan read a runner's sessions: built once, not built and keyed
# anew each time, each session's exercises joined in (one statement, not a second).
_THE_RUNNERS = select(PlannedSession).where(PlannedSession.runner_id == bindparam("runner"))
_ON = _THE_RUNNERS.where(PlannedSession.date == bindparam("day")).options(
    joinedload(PlannedSession.exercises)
)
_BETWEEN = (
    _THE_RUNNERS.where(
        PlannedSession.date >= bindparam("first"), PlannedSession.date <= bindparam("last")
    )
    .order_by(PlannedSession.date)
    .options(joinedload(PlannedSession.exercises))
)

Columns = dict[str, Any]


class NewSession(NamedTuple):
    """A planned session to store, as the columns of its row and of its exercises' rows
    (``runner_id`` among the first; the exercises' ``session_id`` is given on storing)."""

    columns: Columns
    exercises: list[Columns]


class PlanRepository:
    """Reads and replaces a runner's planned sessions."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, session_id: int) -> PlannedSession | None:
        """The planned session with this id, if it still exists."""
        return await self._session.get(PlannedSession, session_id)

    async def on(self, *, runner_id: int, day: date) -> PlannedSession | None:
        """The runner's session on ``day``, if one is planned."""
        found = await self._session.scalars(_ON, {"runner": runner_id, "day": day})
        return found.unique().one_or_none()

    async def between(self, *, runner_id: int, first: date, last: date) -> Sequence[PlannedSession]:
        """The runner's sessions from ``first`` to ``last`` inclusive, in date order."""
        found = await self._session.scalars(
            _BETWEEN, {"runner": runner_id, "first": first, "last": last}
        )
        return found.unique().all()

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

    async def replace(self, stale: Sequence[PlannedSession], fresh: Sequence[NewSession]) -> None:
        """Swap stored sessions for new ones.

        Three statements store the new ones however many there are: their sessions, their
        ids read back by runner and date, their exercises. (The ORM would insert each row
        on its own to read its id back: SQLite does not return inserted rows in order.)
        The new rows are not added to the unit of work; a later query reads them."""
        if stale:
            gone = [session.id for session in stale]
            await self._session.execute(delete(PlannedSession).where(PlannedSession.id.in_(gone)))
            for session in stale:
                self._session.expunge(session)
        if not fresh:
            return
        await self._session.execute(insert(_sessions), [new.columns for new in fresh])
        keys = [(new.columns["runner_id"], new.columns["date"]) for new in fresh]
        found = await self._session.execute(
            select(_sessions.c.runner_id, _sessions.c.date, _sessions.c.id).where(
                tuple_(_sessions.c.runner_id, _sessions.c.date).in_(keys)
            )
        )
        ids = {(runner_id, day): session_id for runner_id, day, session_id in found}
        exercises = [
            {**exercise, "session_id": ids[key]}
            for key, new in zip(keys, fresh, strict=True)
            for exercise in new.exercises
        ]
        if exercises:
            await self._session.execute(insert(_exercises), exercises)
