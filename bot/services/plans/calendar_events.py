"""A runner's calendar events and their versions: SEQUENCE rises exactly when an event changes.

The calendar shows the four weeks before today (each session with how it went) and the four
from today. Each event's latest published version is stored (``calendar_events``: its
content's digest, SEQUENCE and when it was made); ``keep_up`` records a new version of each
event whose time, words or status changed, and only of those, in the unit of work of the
change itself (a replan for a runner with a subscription link, or /calendar), for two weeks
more than the calendar shows, and notes the day (``runners.calendar_as_of``). Reading the
calendar (``events``) writes nothing, and shows the plan as of that day (its sessions
beyond the stored weeks replayed ``as_of`` it) and no further than the days kept then, so
between two changes it reads the same, whatever day it is: a day coming into view comes
already versioned. (The reminder tick replans every runner within days, so the days kept
stay ahead of the days shown.) An event that reads otherwise than its version all the same
(the wording of a newer release) shows one version up, stamped at the start of the day,
which is what the next ``keep_up`` records.

An event published before whose session the plan no longer holds (dropped by a red flag)
stays, cancelled, while its day is in view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.context import ServiceContext
from bot.services.plans.views import session_view
from bot.services.presentation.ics import Entry, dropped_entry, session_entry
from bot.storage.models import CalendarEvent, PlannedSession, Runner, RunnerStatus
from bot.storage.unit_of_work import UnitOfWork

DAYS_BEFORE = 28  # the past four weeks, with how each session went
DAYS_AHEAD = 28  # today and the 27 days after it
DAYS_KEPT = 42  # versions are kept two weeks further: the days that come into view by then
PLAN_WEEKS = 8  # today's plan week and seven more reach past the days kept
DROPPED_MINUTES = 30  # how long a dropped session shows (its own length is not kept)


def window(today: date) -> tuple[date, date]:
    """The first and last day the calendar shows."""
    return today - timedelta(days=DAYS_BEFORE), today + timedelta(days=DAYS_AHEAD - 1)


def kept(today: date) -> tuple[date, date]:
    """The first and last day whose versions ``keep_up`` records."""
    return today - timedelta(days=DAYS_BEFORE), today + timedelta(days=DAYS_KEPT - 1)


async def events(
    ctx: ServiceContext, uow: UnitOfWork, runner: Runner, sessions: Sequence[PlannedSession]
) -> list[Entry]:
    """The calendar's events from ``sessions`` (those of the window), each with its version
    as stored, or one up where it changed since; reads only."""
    today = ctx.today(runner.timezone)
    last = window(today)[1]
    if runner.calendar_as_of is not None:  # no further than versions were kept
        last = min(last, kept(runner.calendar_as_of)[1])
    drafts, versions = await _drafts(ctx, uow, runner, sessions, last)
    return [_versioned(draft, versions.get(draft.day), _morning(ctx, runner)) for draft in drafts]


async def keep_up(
    ctx: ServiceContext, uow: UnitOfWork, runner: Runner, sessions: Sequence[PlannedSession]
) -> list[Entry]:
    """The events of ``sessions`` (those of the days ``kept``), recording a new version of
    each that changed (and forgetting the versions of days gone out of view); returns those
    the calendar shows. The runner's calendar is then as of today."""
    today = ctx.today(runner.timezone)
    drafts, versions = await _drafts(ctx, uow, runner, sessions, kept(today)[1])
    now = ctx.clock()
    made = [_versioned(draft, versions.get(draft.day), now) for draft in drafts]
    await uow.calendar.record(
        [
            {
                "runner_id": runner.id,
                "day": entry.day,
                "digest": entry.digest,
                "sequence": entry.sequence,
                "revised_at": entry.revised,
            }
            for entry in made
            if entry.revised == now
        ]
    )
    await uow.calendar.forget(runner_id=runner.id, before=window(today)[0])
    runner.calendar_as_of = today
    return [entry for entry in made if entry.day <= window(today)[1]]


def last_revised(entries: Sequence[Entry], ctx: ServiceContext, runner: Runner) -> datetime:
    """When the calendar last changed: its newest version, or the start of today (the days
    in view move on each day), whichever is later."""
    revised = [entry.revised for entry in entries if entry.revised is not None]
    return max([_morning(ctx, runner), *revised])


def _morning(ctx: ServiceContext, runner: Runner) -> datetime:
    """The start of the runner's today, in UTC."""
    zone = ZoneInfo(runner.timezone)
    return datetime.combine(ctx.today(runner.timezone), time(), zone).astimezone(UTC)


async def _drafts(
    ctx: ServiceContext,
    uow: UnitOfWork,
    runner: Runner,
    sessions: Sequence[PlannedSession],
    last: date,
) -> tuple[list[Entry], dict[date, CalendarEvent]]:
    """The events up to ``last`` as they read now (without versions), and the versions
    stored."""
    today = ctx.today(runner.timezone)
    first = window(today)[0]
    zone = ZoneInfo(runner.timezone)
    logs = {
        log.session_date: log.completed
        for log in await uow.feedback.logs(runner_id=runner.id, since=first)
    }
    versions = await uow.calendar.versions(runner_id=runner.id, first=first, last=last)
    paused = runner.status is RunnerStatus.PAUSED

    def start(day: date) -> datetime:
        return datetime.combine(day, runner.reminder_time.replace(fold=0), zone)

    drafts = {
        row.date: session_entry(
            session_view(row),
            start(row.date),
            outcome=logs.get(row.date),
            paused=paused and row.date >= today,
        )
        for row in sessions
    }
    drafts = {day: draft for day, draft in drafts.items() if day <= last}
    for day in versions.keys() - drafts.keys():
        drafts[day] = dropped_entry(start(day), DROPPED_MINUTES)
    return [drafts[day] for day in sorted(drafts)], versions


def _versioned(draft: Entry, stored: CalendarEvent | None, new: datetime) -> Entry:
    """The draft with its stored version, or the next one (made at ``new``) if it changed."""
    if stored is None:
        return replace(draft, sequence=0, revised=new)
    if stored.digest == draft.digest:
        return replace(draft, sequence=stored.sequence, revised=stored.revised_at)
    return replace(draft, sequence=stored.sequence + 1, revised=new)
