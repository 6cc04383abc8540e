"""Scheduled messages: planned in bulk, claimed by one dispatcher, marked after one attempt."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any, NamedTuple, cast

from sqlalchemy import ColumnElement, Row, Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from bot.storage.models import Club, Dispatch, DispatchKind, DispatchStatus, Runner, RunnerStatus

PLANNED_KINDS = (
    DispatchKind.SESSION,
    DispatchKind.CHECK_IN,
    DispatchKind.WEEK_PREVIEW,
    DispatchKind.CLUB_SESSION,
    DispatchKind.CLUB_SUMMARY,
)
# Enough rows per executemany to amortise round trips, without holding every row at once.
INSERT_CHUNK = 2_000
# The bulk statements (planning, claiming) go to the tables, not the mapped classes: Core
# execution skips the ORM's per-row bookkeeping, which cost more than the database itself.
_dispatches = cast(Table, Dispatch.__table__)
_runners = cast(Table, Runner.__table__)


class Claimed(NamedTuple):
    """A row a dispatcher claimed: what to send, to whom, for which local date."""

    id: int
    runner_id: int | None
    club_id: int | None
    kind: DispatchKind
    local_date: date
    due_at: datetime
    claimed_at: datetime


PlanningFacts = Row[int, str, time, bool, date, RunnerStatus]


class DispatchRepository:
    """Plans, claims and settles dispatch rows."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_new(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert rows, leaving any (recipient, local date, kind) that already exists alone."""
        statement = _insert_ignoring_conflicts(self._session)
        for start in range(0, len(rows), INSERT_CHUNK):
            await self._session.execute(statement, rows[start : start + INSERT_CHUNK])

    async def drop_pending(
        self, *, runner_id: int | None = None, club_id: int | None = None
    ) -> None:
        """Forget a runner's (or a club's) planned messages that nobody has claimed yet."""
        await self._session.execute(
            delete(Dispatch).where(
                _recipient(runner_id, club_id),
                Dispatch.status == DispatchStatus.PENDING,
                Dispatch.kind.in_(PLANNED_KINDS),
            )
        )

    async def cancel_pending(
        self, *, reason: str, runner_id: int | None = None, club_id: int | None = None
    ) -> None:
        """Cancel every unclaimed message of a runner (or a club)."""
        await self._session.execute(
            update(Dispatch)
            .where(_recipient(runner_id, club_id), Dispatch.status == DispatchStatus.PENDING)
            .values(status=DispatchStatus.CANCELLED, error=reason)
        )

    async def expire(self, *, before: datetime) -> int:
        """Mark unclaimed rows due before ``before`` expired; returns how many."""
        result = await self._session.execute(
            update(Dispatch)
            .where(Dispatch.status == DispatchStatus.PENDING, Dispatch.due_at < before)
            .values(status=DispatchStatus.EXPIRED)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def recover(self, *, claimed_before: datetime) -> tuple[int, int]:
        """Release rows of a dead dispatcher: unattempted ones go back, attempted ones are unknown.

        Returns how many rows went back to pending and how many became unknown.
        """
        stale = Dispatch.claimed_at <= claimed_before
        released = await self._session.execute(
            update(Dispatch)
            .where(Dispatch.status == DispatchStatus.CLAIMED, stale)
            .values(status=DispatchStatus.PENDING, claimed_at=None)
        )
        unknown = await self._session.execute(
            update(Dispatch)
            .where(Dispatch.status == DispatchStatus.SENDING, stale)
            .values(
                status=DispatchStatus.UNKNOWN,
                error="the process stopped during the send; not retried",
            )
        )
        return int(released.rowcount), int(unknown.rowcount)  # type: ignore[attr-defined]

    async def claim(self, *, now: datetime, limit: int) -> list[Claimed]:
        """Claim up to ``limit`` due rows, oldest first; rows locked by others are skipped."""
        table = _dispatches.c
        due = (
            select(table.id)
            .where(table.status == DispatchStatus.PENDING, table.due_at <= now)
            .order_by(table.due_at)  # walks the (status, due_at) index; no sort of the backlog
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite runs one dispatcher
        )
        claimed = await self._session.execute(
            update(_dispatches)
            .where(table.id.in_(due.scalar_subquery()))
            .values(status=DispatchStatus.CLAIMED, claimed_at=now)
            .returning(
                table.id, table.runner_id, table.club_id, table.kind, table.local_date, table.due_at
            )
        )
        rows = [Claimed._make((*row, now)) for row in claimed]
        return sorted(rows, key=lambda row: (row.due_at, row.kind, row.id))

    async def start(self, *, dispatch_id: int, claimed_at: datetime) -> bool:
        """Record that the one attempt begins; False if the claim was lost meanwhile."""
        result = await self._session.execute(
            update(Dispatch)
            .where(
                Dispatch.id == dispatch_id,
                Dispatch.status == DispatchStatus.CLAIMED,
                Dispatch.claimed_at == claimed_at,
            )
            .values(status=DispatchStatus.SENDING)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def release(self, *, ids: Sequence[int]) -> None:
        """Hand claimed rows back unattempted, for the next tick (a clean stop)."""
        await self._session.execute(
            update(Dispatch)
            .where(Dispatch.id.in_(ids), Dispatch.status == DispatchStatus.CLAIMED)
            .values(status=DispatchStatus.PENDING, claimed_at=None)
        )

    async def settle(
        self,
        *,
        dispatch_id: int,
        status: DispatchStatus,
        at: datetime,
        message_id: str | None = None,
        error: str | None = None,
    ) -> None:
        """Record how a claimed row ended: sent, failed, cancelled or expired."""
        await self._session.execute(
            update(Dispatch)
            .where(Dispatch.id == dispatch_id)
            .values(
                status=status,
                sent_at=at if status is DispatchStatus.SENT else None,
                message_id=message_id,
                error=error,
            )
            .execution_options(synchronize_session=False)  # one row by id, none loaded
        )

    async def exists(self, *, runner_id: int, local_date: date, kind: DispatchKind) -> bool:
        """Whether the runner has a row of ``kind`` for ``local_date``."""
        query = select(Dispatch.id).where(
            Dispatch.runner_id == runner_id,
            Dispatch.local_date == local_date,
            Dispatch.kind == kind,
        )
        return (await self._session.scalars(query)).first() is not None

    async def runners_to_plan(self, *, after_id: int, limit: int) -> Sequence[PlanningFacts]:
        """The next ``limit`` runners who may get reminders, by id, with what planning needs."""
        runner = _runners.c
        query = (
            select(
                runner.id,
                runner.timezone,
                runner.reminder_time,
                runner.week_preview,
                runner.started_on,
                runner.status,
            )
            .where(
                runner.id > after_id,
                runner.status.in_((RunnerStatus.ACTIVE, RunnerStatus.PAUSED)),
            )
            .order_by(runner.id)
            .limit(limit)
        )
        return (await self._session.execute(query)).all()

    async def clubs_to_plan(self) -> Sequence[Club]:
        """Active clubs with strength days and a post time."""
        query = select(Club).where(Club.active.is_(True), Club.post_time.is_not(None))
        return [club for club in (await self._session.scalars(query)).all() if club.session_days]

    async def stale_plans(self, *, ending_before: date, limit: int) -> Sequence[int]:
        """Runners whose stored plan ends before ``ending_before`` (or was never stored)."""
        query = (
            select(Runner.id)
            .where(
                Runner.status.in_((RunnerStatus.ACTIVE, RunnerStatus.PAUSED)),
                (Runner.planned_until.is_(None)) | (Runner.planned_until < ending_before),
            )
            .order_by(Runner.planned_until.nulls_first(), Runner.id)
            .limit(limit)
        )
        return (await self._session.scalars(query)).all()


def _recipient(runner_id: int | None, club_id: int | None) -> ColumnElement[bool]:
    """Rows for one runner, or for one club."""
    if (runner_id is None) == (club_id is None):
        raise ValueError("name exactly one of runner_id and club_id")
    return Dispatch.runner_id == runner_id if runner_id is not None else Dispatch.club_id == club_id


def _insert_ignoring_conflicts(session: AsyncSession) -> Insert:
    """``INSERT ... ON CONFLICT DO NOTHING`` in the session's dialect."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(_dispatches).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(_dispatches).on_conflict_do_nothing()
    raise NotImplementedError(f"no conflict-ignoring insert for {dialect}")
