"""Planned sessions: the coach's plan as stored for today's session and reminders."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import PlannedExercise, PlannedSession

_sessions = cast(Table, PlannedSession.__table__)
_exercises = cast(Table, PlannedExercise.__table__)


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
        """Swap stored sessions for new ones (rows not yet stored, with their exercises).

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
        await self._session.execute(insert(_sessions), [_session_values(row) for row in fresh])
        keys = [(row.runner_id, row.date) for row in fresh]
        found = await self._session.execute(
            select(_sessions.c.runner_id, _sessions.c.date, _sessions.c.id).where(
                tuple_(_sessions.c.runner_id, _sessions.c.date).in_(keys)
            )
        )
        ids = {(runner_id, day): session_id for runner_id, day, session_id in found}
        exercises = [
            _exercise_values(exercise, ids[row.runner_id, row.date])
            for row in fresh
            for exercise in row.exercises
        ]
        if exercises:
            await self._session.execute(insert(_exercises), exercises)


def _session_values(row: PlannedSession) -> dict[str, Any]:
    return {
        "runner_id": row.runner_id,
        "date": row.date,
        "kind": row.kind,
        "phase": row.phase,
        "minutes": row.minutes,
        "after_run": row.after_run,
        "rules": row.rules,
    }


def _exercise_values(row: PlannedExercise, session_id: int) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "position": row.position,
        "exercise_id": row.exercise_id,
        "name": row.name,
        "sets": row.sets,
        "reps": row.reps,
        "hold_s": row.hold_s,
        "load": row.load,
        "tempo": row.tempo,
        "range": row.range,
        "cues": row.cues,
        "cues_emphasised": row.cues_emphasised,
    }
