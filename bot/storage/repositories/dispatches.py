"""Scheduled messages: planned in bulk, claimed by one dispatcher, marked after one attempt."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    Table,
    Time,
    and_,
    bindparam,
    case,
    column,
    delete,
    exists,
    extract,
    literal,
    or_,
    select,
    union_all,
    update,
    values,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Delete, Insert
from sqlalchemy.sql.selectable import HasCTE
from sqlalchemy.types import TypeEngine

from bot.storage.models import (
    IN_FLIGHT_ROWS,
    PENDING_ROWS,
    SETTLED_ROWS,
    Club,
    Dispatch,
    DispatchKind,
    DispatchStatus,
    PlannedSession,
    Runner,
    RunnerStatus,
    UTCDateTime,
)
from bot.storage.repositories.instances import unseen
from bot.storage.upsert import insert_ignoring_conflicts

PLANNED_KINDS = (
    DispatchKind.SESSION,
    DispatchKind.CHECK_IN,
    DispatchKind.WEEK_PREVIEW,
    DispatchKind.CLUB_SESSION,
    DispatchKind.CLUB_SUMMARY,
)
# The bulk statements (planning, claiming) go to the tables, not the mapped classes: Core
# execution skips the ORM's per-row bookkeeping, which cost more than the database itself.
_dispatches = cast(Table, Dispatch.__table__)
_runners = cast(Table, Runner.__table__)
_clubs = cast(Table, Club.__table__)
_sessions = cast(Table, PlannedSession.__table__)
_PLANNED_STATUSES = (RunnerStatus.ACTIVE, RunnerStatus.PAUSED)  # who may get reminders
PAUSED_CHECK_IN_DAYS = (1, 4)  # a paused runner's legs check-in: Mondays and Thursdays
FEW_SLOTS = 8  # up to this many slots, the planning statement is built once (``_planning_few``)
_SLOT_COLUMNS: tuple[tuple[str, TypeEngine[Any]], ...] = (
    ("timezone", String()),
    ("reminder_time", Time()),
    ("local_date", Date()),
    ("day_before", Date()),
    ("weekday", Integer()),
    ("due_at", UTCDateTime()),
)


def _drop_unsent(recipient: ColumnElement[int | None]) -> Delete:
    """``drop_unsent`` for one recipient (runner or club): built once, as every replan runs it."""
    row = _dispatches.c
    return delete(_dispatches).where(
        recipient == bindparam("recipient"),
        row.status.in_((DispatchStatus.PENDING, DispatchStatus.CANCELLED)),
        row.due_at > bindparam("after"),
        row.kind.in_(PLANNED_KINDS),
    )


_DROP_UNSENT = {name: _drop_unsent(_dispatches.c[name]) for name in ("runner_id", "club_id")}


class Claimed(NamedTuple):
    """A row a dispatcher claimed: what to send, to whom, for which local date."""

    id: int
    runner_id: int | None
    club_id: int | None
    kind: DispatchKind
    local_date: date
    due_at: datetime
    claimed_by: str  # the dispatcher holding the claim


class Slot(NamedTuple):
    """One local reminder time on one local date, and the UTC instant it falls on."""

    timezone: str
    reminder_time: time
    local_date: date
    due_at: datetime


class DispatchRepository:
    """Plans, claims and settles dispatch rows."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_new(self, rows: Sequence[dict[str, Any]]) -> int:
        """Insert rows, leaving any (recipient, local date, kind) that already exists alone;
        returns how many are new."""
        if not rows:
            return 0
        statement = insert_ignoring_conflicts(self._session, _dispatches, returning="id")
        return len((await self._session.execute(statement, rows)).all())

    async def of_runner(self, runner_id: int) -> Sequence[Dispatch]:
        """Every message planned for the runner, sent or not, by when it was due."""
        query = select(Dispatch).where(Dispatch.runner_id == runner_id).order_by(Dispatch.due_at)
        return (await self._session.scalars(query)).all()

    async def drop_unsent(
        self, *, after: datetime, runner_id: int | None = None, club_id: int | None = None
    ) -> None:
        """Forget a runner's (or a club's) planned messages that fall due after ``after``:
        those nobody has claimed, and those cancelled ahead of time (the runner blocked the
        bot, the club removed it), so planning again can take their (day, kind) back. A row
        already due is a fact: it stays for the tick, which sends it or says why not."""
        column, recipient = _one_recipient(runner_id, club_id)
        # a table statement: no loaded rows to keep in step
        await self._session.execute(_DROP_UNSENT[column], {"recipient": recipient, "after": after})

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
            update(_dispatches)
            .where(PENDING_ROWS, _dispatches.c.due_at < before)
            .values(status=DispatchStatus.EXPIRED)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def prune(self, *, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` settled rows due before ``before``, oldest first; how many."""
        table = _dispatches.c
        oldest = (
            select(table.id)
            .where(table.due_at < before, SETTLED_ROWS)
            .order_by(table.due_at)  # walks the due-time index from the oldest row
            .limit(limit)
        )
        result = await self._session.execute(
            delete(_dispatches).where(table.id.in_(oldest.scalar_subquery()))
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def recover(
        self, *, claimed_before: datetime, unseen_since: datetime | None = None
    ) -> tuple[int, int]:
        """Release rows of a dead dispatcher: claimed before ``claimed_before`` (its lease),
        or, with ``unseen_since``, by an instance that has not beaten since (dead by its
        heartbeat; a claim under a name no instance bears waits out the lease). Unattempted
        ones go back, attempted ones are unknown.

        Returns how many rows went back to pending and how many became unknown.
        """
        row = _dispatches.c
        unattempted = row.status == DispatchStatus.CLAIMED
        dead = row.claimed_at <= claimed_before
        if unseen_since is not None:
            dead = or_(dead, unseen(row.claimed_by, unseen_since))
        result = await self._session.execute(
            update(_dispatches)
            .where(IN_FLIGHT_ROWS, dead)
            .values(
                status=case((unattempted, DispatchStatus.PENDING), else_=DispatchStatus.UNKNOWN),
                claimed_at=case((unattempted, None), else_=row.claimed_at),
                claimed_by=case((unattempted, None), else_=row.claimed_by),
                error=case(
                    (unattempted, row.error),
                    else_="the process stopped during the send; not retried",
                ),
            )
            .returning(row.status)
        )
        statuses = Counter(result.scalars())
        return statuses[DispatchStatus.PENDING], statuses[DispatchStatus.UNKNOWN]

    async def claim(
        self, *, now: datetime, limit: int, platforms: Collection[str], owner: str
    ) -> list[Claimed]:
        """Claim up to ``limit`` due rows for recipients on ``platforms``, oldest first, for
        the dispatcher ``owner``; rows locked by others are skipped, and rows for other
        platforms stay pending."""
        table = _dispatches.c
        for_runner = exists().where(
            _runners.c.id == table.runner_id, _runners.c.platform.in_(platforms)
        )
        for_club = exists().where(_clubs.c.id == table.club_id, _clubs.c.platform.in_(platforms))
        due = (
            select(table.id)
            .where(PENDING_ROWS, table.due_at <= now, or_(for_runner, for_club))
            .order_by(table.due_at)  # walks the pending rows' index; no sort of the backlog
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite runs one dispatcher
        )
        claimed = await self._session.execute(
            update(_dispatches)
            .where(table.id.in_(due.scalar_subquery()))
            .values(status=DispatchStatus.CLAIMED, claimed_at=now, claimed_by=owner)
            .returning(
                table.id,
                table.runner_id,
                table.club_id,
                table.kind,
                table.local_date,
                table.due_at,
            )
        )
        rows = [Claimed._make((*row, owner)) for row in claimed.all()]
        return sorted(rows, key=lambda row: (row.due_at, row.kind, row.id))

    async def release(self, *, owner: str) -> int:
        """Hand back every row ``owner`` holds unattempted, at once, whatever its lease:
        after a clean stop, or when a live dispatcher takes its own claims up again after a
        failure. Returns how many went back to pending."""
        row = _dispatches.c
        result = await self._session.execute(
            update(_dispatches)
            # IN_FLIGHT_ROWS, written out, lets the in-flight rows' partial index serve it
            .where(IN_FLIGHT_ROWS, row.status == DispatchStatus.CLAIMED, row.claimed_by == owner)
            .values(status=DispatchStatus.PENDING, claimed_at=None, claimed_by=None)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

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

    async def session_reminded(self, *, runner_id: int, local_date: date, now: datetime) -> bool:
        """Whether the runner's session reminder for ``local_date`` is due by ``now`` or already
        on its way: a fact no replan may take back."""
        row = _dispatches.c
        query = select(row.id).where(
            row.runner_id == runner_id,
            row.local_date == local_date,
            row.kind.in_((DispatchKind.SESSION, DispatchKind.SNOOZED_SESSION)),
            or_(
                row.status.in_(
                    (
                        DispatchStatus.CLAIMED,
                        DispatchStatus.SENDING,
                        DispatchStatus.SENT,
                        DispatchStatus.UNKNOWN,
                    )
                ),
                and_(row.status == DispatchStatus.PENDING, row.due_at <= now),
            ),
        )
        return (await self._session.execute(query.limit(1))).first() is not None

    async def sessions_sent(
        self, runner_ids: Collection[int], *, first: date, last: date
    ) -> set[tuple[int, date]]:
        """The (runner, local date) pairs from ``first`` to ``last`` whose session reminder
        (or its snoozed resend) went out: what a check-in may ask about."""
        row = _dispatches.c
        query = select(row.runner_id, row.local_date).where(
            row.runner_id.in_(runner_ids),
            row.local_date.between(first, last),
            row.kind.in_((DispatchKind.SESSION, DispatchKind.SNOOZED_SESSION)),
            row.status == DispatchStatus.SENT,
        )
        return {(runner_id, day) for runner_id, day in await self._session.execute(query)}

    async def reminder_times(self) -> Sequence[tuple[str, time]]:
        """Every (timezone, reminder time) kept by a runner who may get reminders."""
        runner = _runners.c
        query = (
            select(runner.timezone, runner.reminder_time)
            .where(runner.status.in_(_PLANNED_STATUSES))
            .distinct()
        )
        return [(zone, at) for zone, at in await self._session.execute(query)]

    async def plan_runners(self, slots: Sequence[Slot], *, runner_id: int | None = None) -> int:
        """Add the reminders due at ``slots`` for every runner keeping that local time (or for
        one runner); rows that already exist are left alone. Returns how many are new.

        On a slot's day a runner gets the session reminder if a session is planned that day,
        the check-in if one was planned the day before, and the week preview on the weekday
        their plan week starts, if they want it. A paused runner (by /pause, or a red flag:
        C7) gets only a check-in on their legs, on Mondays and Thursdays.
        """
        if not slots:
            return 0
        into = insert_ignoring_conflicts(self._session, _dispatches)
        one = runner_id is not None
        rows = [_slot_row(slot) for slot in slots]
        parameters: dict[str, Any] = {"runner": runner_id} if one else {}
        if len(rows) > FEW_SLOTS:
            statement = _planning(into, values(*_slot_columns(), name="slots").data(rows), one)
        else:
            statement = _planning_few(into, len(rows), one)
            parameters |= {
                f"slot{n}_{name}": value
                for n, row in enumerate(rows)
                for (name, _), value in zip(_SLOT_COLUMNS, row, strict=True)
            }
        result = await self._session.execute(statement, parameters)
        return int(result.rowcount)  # type: ignore[attr-defined]

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
    column, recipient = _one_recipient(runner_id, club_id)
    return _dispatches.c[column] == recipient


def _one_recipient(runner_id: int | None, club_id: int | None) -> tuple[str, int]:
    """The column naming the recipient, and its id: a runner's or a club's, never both."""
    if runner_id is not None and club_id is None:
        return "runner_id", runner_id
    if club_id is not None and runner_id is None:
        return "club_id", club_id
    raise ValueError("name exactly one of runner_id and club_id")


def _slot_row(slot: Slot) -> tuple[Any, ...]:
    """A slot with the day before and the weekday (Sunday is 0), as ``_SLOT_COLUMNS``."""
    day = slot.local_date
    return (
        slot.timezone,
        slot.reminder_time,
        day,
        day - timedelta(days=1),
        day.isoweekday() % 7,
        slot.due_at,
    )


def _slot_columns() -> list[ColumnClause[Any]]:
    return [column(name, kind) for name, kind in _SLOT_COLUMNS]


@cache
def _planning_few(into: Insert, count: int, one_runner: bool) -> Insert:
    """The planning statement for ``count`` slots given as parameters (``slot<n>_<column>``),
    built once: a runner's re-plan (one or two slots) runs it on every change of their plan."""
    selects = [
        select(
            *(bindparam(f"slot{n}_{name}", type_=kind).label(name) for name, kind in _SLOT_COLUMNS)
        )
        for n in range(count)
    ]
    return _planning(into, union_all(*selects) if count > 1 else selects[0], one_runner)


def _planning(into: Insert, slots: HasCTE, one_runner: bool) -> Insert:
    """Insert, in due order, the reminders of every runner (or the one bound as ``runner``)
    that keeps a slot's local time. Many slots come as a ``VALUES`` list, which SQLAlchemy
    compiles afresh each time."""
    slot = slots.cte("slots")
    runner = _runners.c
    everyone = (runner.id == bindparam("runner"),) if one_runner else ()

    def reminders(kind: DispatchKind, *conditions: ColumnElement[bool]) -> Select[Any]:
        keeps_the_time = and_(
            runner.timezone == slot.c.timezone, runner.reminder_time == slot.c.reminder_time
        )
        return (
            select(
                runner.id,
                literal(kind, _dispatches.c.kind.type),
                slot.c.local_date,
                slot.c.due_at,
                literal(DispatchStatus.PENDING, _dispatches.c.status.type),
            )
            .select_from(slot.join(_runners, keeps_the_time))
            .where(*everyone, *conditions)
        )

    active = runner.status == RunnerStatus.ACTIVE
    paused = runner.status == RunnerStatus.PAUSED
    every_kind = union_all(
        reminders(DispatchKind.SESSION, active, _session_on(slot.c.local_date)),
        reminders(
            DispatchKind.CHECK_IN,
            or_(
                and_(active, _session_on(slot.c.day_before)),
                and_(paused, slot.c.weekday.in_(PAUSED_CHECK_IN_DAYS)),
            ),
        ),
        reminders(
            DispatchKind.WEEK_PREVIEW,
            active,
            runner.week_preview.is_(True),
            extract("dow", runner.started_on) == slot.c.weekday,
        ),
    )
    # Stored in due order, the rows one claim takes sit together on a few pages. The
    # slots go inside the INSERT, which leaves the statement's row count readable.
    in_due_order = every_kind.order_by(every_kind.selected_columns.due_at).add_cte(
        slot, nest_here=True
    )
    return into.from_select(
        ["runner_id", "kind", "local_date", "due_at", "status"], in_due_order
    ).execution_options(preserve_rowcount=True)


def _session_on(day: ColumnElement[date]) -> ColumnElement[bool]:
    """Whether the runner has a session planned on ``day``."""
    session = _sessions.c
    return exists().where(session.runner_id == _runners.c.id, session.date == day)
