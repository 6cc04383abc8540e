"""Clubs and their members."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Club, ClubMark, ClubMembership, Runner, SessionLog


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

    async def active(self, *, platform: str) -> Sequence[Club]:
        """The platform's clubs the coach still posts to."""
        query = select(Club).where(Club.platform == platform, Club.active.is_(True))
        return (await self._session.scalars(query.order_by(Club.id))).all()

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

    async def toggle_mark(self, *, club_id: int, day: date, user_id: str) -> bool:
        """Count an "I did it" once per person; a second press takes it back. True if counted."""
        where = (
            ClubMark.club_id == club_id,
            ClubMark.local_date == day,
            ClubMark.user_id == user_id,
        )
        existing = (await self._session.scalars(select(ClubMark).where(*where))).one_or_none()
        if existing is not None:
            await self._session.execute(delete(ClubMark).where(*where))
            return False
        self._session.add(ClubMark(club_id=club_id, local_date=day, user_id=user_id))
        await self._session.flush()
        return True

    async def mark_count(self, *, club_id: int, day: date) -> int:
        """How many people did the club session of ``day``."""
        query = select(func.count()).where(ClubMark.club_id == club_id, ClubMark.local_date == day)
        return int(await self._session.scalar(query) or 0)

    async def strength_days(self, *, club_id: int, first: date, last: date) -> dict[str, set[date]]:
        """Per person (platform user id), the days with strength work: club sessions marked
        done, and members' own sessions logged done or partly done."""
        days: dict[str, set[date]] = {}
        marks = select(ClubMark.user_id, ClubMark.local_date).where(
            ClubMark.club_id == club_id, ClubMark.local_date.between(first, last)
        )
        logs = (
            select(Runner.platform_user_id, SessionLog.session_date)
            .join(SessionLog, SessionLog.runner_id == Runner.id)
            .join(ClubMembership, ClubMembership.runner_id == Runner.id)
            .where(
                ClubMembership.club_id == club_id,
                SessionLog.session_date.between(first, last),
                SessionLog.completed != "skipped",
            )
        )
        for query in (marks, logs):
            for user_id, day in await self._session.execute(query):
                days.setdefault(user_id, set()).add(day)
        return days

    async def shown_names(self, club_id: int) -> dict[str, str]:
        """Platform user id -> first name, for members who chose to be named in summaries."""
        query = (
            select(Runner.platform_user_id, Runner.display_name)
            .join(ClubMembership, ClubMembership.runner_id == Runner.id)
            .where(ClubMembership.club_id == club_id, ClubMembership.show_name.is_(True))
        )
        return {user_id: name for user_id, name in await self._session.execute(query) if name}

    async def show_name(self, *, runner_id: int, shown: bool) -> int:
        """Name the runner (or not) in every club summary; returns how many clubs."""
        query = select(ClubMembership).where(ClubMembership.runner_id == runner_id)
        memberships = (await self._session.scalars(query)).all()
        for membership in memberships:
            membership.show_name = shown
        return len(memberships)

    async def memberships(self, *, runner_id: int) -> Sequence[ClubMembership]:
        """Every club the runner joined, oldest first."""
        query = (
            select(ClubMembership)
            .where(ClubMembership.runner_id == runner_id)
            .order_by(ClubMembership.joined_at)
        )
        return (await self._session.scalars(query)).all()

    async def marks_of(self, *, platform: str, user_id: str) -> Sequence[ClubMark]:
        """Every "I did it" of a platform user, in any club on that platform, oldest first."""
        query = select(ClubMark).where(*_marks_of(platform, user_id)).order_by(ClubMark.id)
        return (await self._session.scalars(query)).all()

    async def forget_marks(self, *, platform: str, user_id: str) -> None:
        """Delete every "I did it" of a platform user, in any club on that platform."""
        await self._session.execute(delete(ClubMark).where(*_marks_of(platform, user_id)))


def _marks_of(platform: str, user_id: str) -> tuple[ColumnElement[bool], ...]:
    clubs = select(Club.id).where(Club.platform == platform)
    return ClubMark.user_id == user_id, ClubMark.club_id.in_(clubs)
