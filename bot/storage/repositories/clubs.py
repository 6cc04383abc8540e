"""Clubs and their members."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Club, ClubMembership, Runner, SessionLog


class ClubRepository:
    """Finds clubs by chat and counts their members."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, club_id: int) -> Club | None:
        """The club with this id, if any."""
        return await self._session.get(Club, club_id)

    async def find(self, *, platform: str, chat_id: str) -> Club | None:
        """The club living in this chat, if any."""
        query = select(Club).where(Club.platform == platform, Club.chat_id == chat_id)
        return (await self._session.scalars(query)).one_or_none()

    async def add(self, club: Club) -> Club:
        """Stage a new club and give it an id."""
        self._session.add(club)
        await self._session.flush()
        return club

    async def join(self, *, club_id: int, runner_id: int) -> bool:
        """Make the runner a member; False if they already were."""
        if await self._session.get(ClubMembership, (club_id, runner_id)) is not None:
            return False
        self._session.add(ClubMembership(club_id=club_id, runner_id=runner_id))
        await self._session.flush()
        return True

    async def member_count(self, club_id: int) -> int:
        """Members who joined with a personal plan."""
        query = select(func.count()).where(ClubMembership.club_id == club_id)
        return int(await self._session.scalar(query) or 0)

    async def active_members(self, club_id: int, *, since: date) -> int:
        """Members who logged a session (done or partial) on or after ``since``."""
        query = (
            select(func.count(func.distinct(SessionLog.runner_id)))
            .join(ClubMembership, ClubMembership.runner_id == SessionLog.runner_id)
            .join(Runner, Runner.id == SessionLog.runner_id)
            .where(
                ClubMembership.club_id == club_id,
                SessionLog.session_date >= since,
                SessionLog.completed != "skipped",
            )
        )
        return int(await self._session.scalar(query) or 0)
