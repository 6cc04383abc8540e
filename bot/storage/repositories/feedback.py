"""What runners report: session logs, check-ins, resumptions, and the plan changes they cause."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import CheckIn, PlanChange, Resumption, SessionLog

Row = TypeVar("Row", SessionLog, CheckIn, PlanChange, Resumption)


class FeedbackRepository:
    """Reads and writes a runner's reports and the coach's answers to them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def log(self, *, runner_id: int, day: date) -> SessionLog | None:
        """The runner's log of the session on ``day``."""
        return await self._one(SessionLog, runner_id, SessionLog.session_date == day)

    async def check_in(self, *, runner_id: int, day: date) -> CheckIn | None:
        """The runner's check-in about the session on ``day``."""
        return await self._one(CheckIn, runner_id, CheckIn.session_date == day)

    async def save_log(self, *, runner_id: int, day: date, **fields: Any) -> SessionLog:
        """Record (or correct) the log of the session on ``day``."""
        row = await self.log(runner_id=runner_id, day=day)
        return await self._save(row or SessionLog(runner_id=runner_id, session_date=day), fields)

    async def save_check_in(self, *, runner_id: int, day: date, **fields: Any) -> CheckIn:
        """Record (or complete) the check-in about the session on ``day``."""
        row = await self.check_in(runner_id=runner_id, day=day)
        return await self._save(row or CheckIn(runner_id=runner_id, session_date=day), fields)

    async def add(self, row: PlanChange | Resumption) -> None:
        """Stage a plan change or a resumption."""
        self._session.add(row)
        await self._session.flush()

    async def logs(self, *, runner_id: int) -> Sequence[SessionLog]:
        """Every session log of the runner, oldest first."""
        return await self._all(SessionLog, runner_id, SessionLog.session_date)

    async def check_ins(self, *, runner_id: int) -> Sequence[CheckIn]:
        """Every check-in of the runner, oldest first."""
        return await self._all(CheckIn, runner_id, CheckIn.session_date)

    async def changes(self, *, runner_id: int) -> Sequence[PlanChange]:
        """Every plan change of the runner, oldest first."""
        return await self._all(PlanChange, runner_id, PlanChange.id)

    async def resumptions(self, *, runner_id: int) -> Sequence[Resumption]:
        """Every time the runner resumed after a red flag, oldest first."""
        return await self._all(Resumption, runner_id, Resumption.resumed_on)

    async def of_runners(self, model: type[Row], runner_ids: Collection[int]) -> Sequence[Row]:
        """Every row of ``model`` for these runners, oldest first (for batches of reminders)."""
        query = select(model).where(model.runner_id.in_(runner_ids)).order_by(model.id)
        return (await self._session.scalars(query)).all()

    async def _save(self, row: Row, fields: dict[str, Any]) -> Row:
        for name, value in fields.items():
            setattr(row, name, value)
        self._session.add(row)
        await self._session.flush()
        return row

    async def _one(self, model: type[Row], runner_id: int, *where: Any) -> Row | None:
        query = select(model).where(model.runner_id == runner_id, *where)
        return (await self._session.scalars(query)).one_or_none()

    async def _all(self, model: type[Row], runner_id: int, order: Any) -> Sequence[Row]:
        query = select(model).where(model.runner_id == runner_id).order_by(order)
        return (await self._session.scalars(query)).all()
