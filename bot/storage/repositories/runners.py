"""Runners and their running week."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, raiseload

from bot.storage.models import Runner

# Most updates look their runner up: built once, not built and keyed anew each time, and
# with the running week joined in (one statement, not a second to load the week).
_FIND = (
    select(Runner)
    .where(Runner.platform == bindparam("at"), Runner.platform_user_id == bindparam("who"))
    .options(joinedload(Runner.week))
)


class RunnerRepository:
    """Finds, adds and removes runners."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, runner_id: int) -> Runner | None:
        """The runner with this id, if any."""
        return await self._session.get(Runner, runner_id)

    async def many(self, runner_ids: Collection[int]) -> Sequence[Runner]:
        """The runners with these ids that still exist, without their running week (unread)."""
        query = select(Runner).where(Runner.id.in_(runner_ids)).options(raiseload(Runner.week))
        return (await self._session.scalars(query)).all()

    async def find(self, *, platform: str, user_id: str) -> Runner | None:
        """The runner behind a platform user, if they have onboarded."""
        found = await self._session.scalars(_FIND, {"at": platform, "who": user_id})
        return found.unique().one_or_none()

    async def with_calendar_token(self, token: str) -> Runner | None:
        """The runner whose calendar subscription has this secret token, if any."""
        query = select(Runner).where(Runner.calendar_token == token)
        return (await self._session.scalars(query)).one_or_none()

    async def add(self, runner: Runner) -> Runner:
        """Stage a new runner and give it an id."""
        self._session.add(runner)
        await self._session.flush()
        return runner

    async def delete(self, runner_id: int) -> None:
        """Remove a runner; every row of theirs goes with them (ON DELETE CASCADE)."""
        await self._session.execute(delete(Runner).where(Runner.id == runner_id))
