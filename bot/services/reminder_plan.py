"""When a runner's reminders are due: the rules, and keeping the unsent rows in step.

Session reminders go out on a strength day at the runner's reminder time, check-ins the
day after a session at the same time, and the week preview on the first day of the
runner's plan week. Paused runners (and runners with an open red flag, whose plan holds no
sessions, C7) get no session reminders; their check-ins continue. Only the days in the
planning window (today and tomorrow, local) are planned; the tick plans the rest as the
days come.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from bot.services.context import ServiceContext
from bot.storage.models import Club, DispatchKind, Runner, RunnerStatus
from bot.storage.unit_of_work import UnitOfWork
from schedules.clock import due_at

DAY = timedelta(days=1)
WINDOW_DAYS = 2  # today and tomorrow, in the runner's timezone

# Planning a day for 100,000 runners asks for the same few (date, time, zone) instants.
_due_at = lru_cache(maxsize=65_536)(due_at)


@dataclass(frozen=True, slots=True)
class ReminderFacts:
    """What planning needs to know about a runner."""

    runner_id: int
    timezone: str
    reminder_time: time
    week_preview: bool
    started_on: date
    status: RunnerStatus

    @classmethod
    def of(cls, runner: Runner) -> ReminderFacts:
        """The facts of a stored runner."""
        return cls(
            runner.id,
            runner.timezone,
            runner.reminder_time,
            runner.week_preview,
            runner.started_on,
            runner.status,
        )


def window(today: date) -> tuple[date, ...]:
    """The local dates planned ahead: today and tomorrow."""
    return tuple(today + n * DAY for n in range(WINDOW_DAYS))


def reminder_rows(
    facts: ReminderFacts,
    session_days: Collection[date],
    days: Iterable[date],
    *,
    not_before: datetime,
) -> list[dict[str, Any]]:
    """The dispatch rows for ``days``, leaving out any due at or before ``not_before``."""
    if facts.status not in (RunnerStatus.ACTIVE, RunnerStatus.PAUSED):
        return []
    active = facts.status is RunnerStatus.ACTIVE
    rows = []
    for day in days:
        due = _due_at(day, facts.reminder_time, facts.timezone)
        if due <= not_before:
            continue
        kinds = []
        if active and day in session_days:
            kinds.append(DispatchKind.SESSION)
        if day - DAY in session_days:
            kinds.append(DispatchKind.CHECK_IN)
        if active and facts.week_preview and (day - facts.started_on).days % 7 == 0:
            kinds.append(DispatchKind.WEEK_PREVIEW)
        rows += [
            {"runner_id": facts.runner_id, "kind": kind, "local_date": day, "due_at": due}
            for kind in kinds
        ]
    return rows


async def plan_reminders(ctx: ServiceContext, uow: UnitOfWork, runner: Runner) -> None:
    """Re-plan every reminder of the runner not yet sent, from their settings and plan now."""
    await uow.dispatches.drop_pending(runner_id=runner.id)
    days = window(ctx.today(runner.timezone))
    sessions = await uow.plans.between(runner_id=runner.id, first=days[0] - DAY, last=days[-1])
    rows = reminder_rows(
        ReminderFacts.of(runner), {s.date for s in sessions}, days, not_before=ctx.clock()
    )
    await uow.dispatches.add_new(rows)


def club_rows(club: Club, days: Iterable[date], *, not_before: datetime) -> list[dict[str, Any]]:
    """The club's session posts on its strength days, and its summary each Monday, at its time.

    At most one post per club per day and one summary per week: the unique constraint on
    (club, local date, kind) holds it even if planning runs twice.
    """
    if not club.active or club.post_time is None or not club.session_days:
        return []
    zone = club.timezone or "UTC"
    rows = []
    for day in days:
        due = _due_at(day, club.post_time, zone)
        if due <= not_before:
            continue
        kinds = [DispatchKind.CLUB_SESSION] if day.weekday() in club.session_days else []
        if club.weekly_summary and day.weekday() == 0:
            kinds.append(DispatchKind.CLUB_SUMMARY)
        rows += [
            {"club_id": club.id, "kind": kind, "local_date": day, "due_at": due} for kind in kinds
        ]
    return rows


async def plan_club_posts(ctx: ServiceContext, uow: UnitOfWork, club: Club) -> None:
    """Re-plan every post of the club not yet sent, from its settings now."""
    await uow.dispatches.drop_pending(club_id=club.id)
    days = window(ctx.today(club.timezone or ctx.default_timezone))
    await uow.dispatches.add_new(club_rows(club, days, not_before=ctx.clock()))
