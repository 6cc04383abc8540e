"""What runners report: session logs, check-ins, resumptions, profile changes, and the plan
changes they cause.

The plan checkpoint lives here too: a report about a day before it makes it stale, so every
write of a report drops a checkpoint taken after that day, in the same unit of work; and it
clears the runner's ``plan_key``, so the next /today replays the plan.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import (
    CheckIn,
    PlanChange,
    PlanCheckpoint,
    ProfileVersion,
    Resumption,
    Runner,
    SessionLog,
)

Row = TypeVar("Row", SessionLog, CheckIn, PlanChange, Resumption)
Report = TypeVar("Report", SessionLog, CheckIn)


class FeedbackRepository:
    """Reads and writes a runner's reports and the coach's answers to them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def log(self, *, runner_id: int, day: date) -> SessionLog | None:
        """The runner's log of the session on ``day``."""
        return await self._one(SessionLog, runner_id, day)

    async def check_in(self, *, runner_id: int, day: date) -> CheckIn | None:
        """The runner's check-in about the session on ``day``."""
        return await self._one(CheckIn, runner_id, day)

    async def save_log(self, *, runner_id: int, day: date, **fields: Any) -> SessionLog:
        """Record (or correct) the log of the session on ``day``."""
        row = await self.log(runner_id=runner_id, day=day)
        await self._reported(runner_id, day)
        return await self._save(row or SessionLog(runner_id=runner_id, session_date=day), fields)

    async def save_check_in(self, *, runner_id: int, day: date, **fields: Any) -> CheckIn:
        """Record (or complete) the check-in about the session on ``day``."""
        row = await self.check_in(runner_id=runner_id, day=day)
        await self._reported(runner_id, day)
        return await self._save(row or CheckIn(runner_id=runner_id, session_date=day), fields)

    async def add(self, row: PlanChange | Resumption | ProfileVersion) -> None:
        """Stage a plan change, a resumption or a new runner's first profile."""
        if isinstance(row, Resumption):
            await self._reported(row.runner_id, row.resumed_on)
        self._session.add(row)
        await self._session.flush()

    async def logs(self, *, runner_id: int, since: date = date.min) -> Sequence[SessionLog]:
        """Every session log of the runner (about ``since`` or later), oldest first."""
        return await self._all(SessionLog, runner_id, since, day="session_date")

    async def check_ins(self, *, runner_id: int, since: date = date.min) -> Sequence[CheckIn]:
        """Every check-in of the runner (about ``since`` or later), oldest first."""
        return await self._all(CheckIn, runner_id, since, day="session_date")

    async def changes(self, *, runner_id: int, since: date = date.min) -> Sequence[PlanChange]:
        """Every plan change of the runner (effective ``since`` or later), oldest first."""
        return await self._all(PlanChange, runner_id, since, day="effective_date", order="id")

    async def resumptions(self, *, runner_id: int, since: date = date.min) -> Sequence[Resumption]:
        """Every time the runner resumed (``since`` or later), oldest first."""
        return await self._all(Resumption, runner_id, since, day="resumed_on")

    async def profiles(self, *, runner_id: int) -> Sequence[ProfileVersion]:
        """Every version of the runner's coaching profile, oldest first."""
        return (await self._session.scalars(_PROFILES, {"runner": runner_id})).all()

    async def save_profile(self, *, runner_id: int, day: date, profile: dict[str, Any]) -> None:
        """The runner's profile from ``day`` on (replacing one saved for that same day)."""
        await self._reported(runner_id, day)
        await self._session.merge(
            ProfileVersion(runner_id=runner_id, effective_on=day, profile=profile)
        )
        await self._session.flush()

    async def checkpoint(self, *, runner_id: int) -> PlanCheckpoint | None:
        """The runner's plan checkpoint, if one is kept."""
        return await self._session.get(PlanCheckpoint, runner_id)

    async def keep_checkpoint(self, *, runner_id: int, day: date, state: dict[str, Any]) -> None:
        """Keep this checkpoint (of the plan week starting on ``day``) in place of any other."""
        await self._session.merge(PlanCheckpoint(runner_id=runner_id, day=day, state=state))

    async def _reported(self, runner_id: int, day: date) -> None:
        """A report about ``day`` arrives: a checkpoint taken after it no longer holds, and
        the stored plan is no longer the plan (its ``plan_key`` is cleared)."""
        stale = PlanCheckpoint.runner_id == runner_id, PlanCheckpoint.day > day
        await self._session.execute(delete(PlanCheckpoint).where(*stale))
        runner = await self._session.get(Runner, runner_id)  # no query: it is loaded
        if runner is not None:
            runner.plan_key = None  # written with the replan's own change of the runner

    async def of_runners(
        self, model: type[Report], runner_ids: Collection[int], *, first: date, last: date
    ) -> Sequence[Report]:
        """These runners' logs (or check-ins) about the days from ``first`` to ``last``."""
        query = select(model).where(
            model.runner_id.in_(runner_ids), model.session_date.between(first, last)
        )
        return (await self._session.scalars(query)).all()

    async def _save(self, row: Row, fields: dict[str, Any]) -> Row:
        for name, value in fields.items():
            setattr(row, name, value)
        self._session.add(row)
        await self._session.flush()
        return row

    async def _one(self, model: type[Report], runner_id: int, day: date) -> Report | None:
        found = await self._session.scalars(_about(model), {"runner": runner_id, "day": day})
        return found.one_or_none()

    async def _all(
        self, model: type[Row], runner_id: int, since: date, *, day: str, order: str | None = None
    ) -> Sequence[Row]:
        query = _since(model, day, order or day)
        return (await self._session.scalars(query, {"runner": runner_id, "since": since})).all()


_PROFILES = (
    select(ProfileVersion)
    .where(ProfileVersion.runner_id == bindparam("runner"))
    .order_by(ProfileVersion.effective_on)
)
"""A runner's profile versions, oldest first: built once, as every replan reads them."""


@cache
def _about(model: type[Report]) -> Select[Report]:
    """A runner's log (or check-in) about a day: built once per kind, as /today and every
    report read it."""
    return select(model).where(
        model.runner_id == bindparam("runner"), model.session_date == bindparam("day")
    )


@cache
def _since(model: type[Row], day: str, order: str) -> Select[Row]:
    """A runner's rows from a day on (``day`` a date column), in ``order``: built once per
    kind of row, as every replan reads them."""
    return (
        select(model)
        .where(model.runner_id == bindparam("runner"), getattr(model, day) >= bindparam("since"))
        .order_by(getattr(model, order))
    )
