"""When reminders are due: each runner's and club's local times, a day ahead, kept in step.

Reminders are planned a day before they are due (``HORIZON``): session reminders on a
strength day at the runner's reminder time, check-ins the day after a session at the same
time, and the week preview on the first day of the runner's plan week. Paused runners (and
runners with an open red flag, whose plan holds no sessions, C7) get no session reminders;
their check-ins continue. The rules themselves are one statement in the dispatch repository,
so planning 100,000 runners never builds a row in Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.context import ServiceContext
from bot.services.plans.local_time import due_at
from bot.storage.models import Club, DispatchKind, Runner
from bot.storage.repositories.dispatches import Slot
from bot.storage.unit_of_work import UnitOfWork

DAY = timedelta(days=1)
HORIZON = DAY  # how far ahead reminders are planned

# Planning asks for the same few (date, time, zone) instants, tick after tick.
_due_at = lru_cache(maxsize=65_536)(due_at)


def slots(times: Iterable[tuple[str, time]], after: datetime, until: datetime) -> list[Slot]:
    """Every occurrence of each (timezone, local time) due after ``after``, up to ``until``."""
    found = []
    for zone_name, at in times:
        zone = ZoneInfo(zone_name)
        day = after.astimezone(zone).date() - DAY  # a spring-forward gap may cross midnight
        last = until.astimezone(zone).date()
        while day <= last:
            due = _due_at(day, at, zone_name)
            if after < due <= until:
                found.append(Slot(zone_name, at, day, due))
            day += DAY
    return found


async def plan_reminders(
    ctx: ServiceContext, uow: UnitOfWork, runner: Runner, *, joined: bool = False
) -> None:
    """Re-plan every reminder of the runner not yet sent, from their settings and plan now;
    ``joined``: the runner joined in this unit of work, so none is planned yet."""
    now = ctx.clock()
    if not joined:
        await uow.dispatches.drop_unsent(runner_id=runner.id, after=now)
    await uow.session.flush()  # the plan reads the runner's stored settings and sessions
    due = slots([(runner.timezone, runner.reminder_time)], now, now + HORIZON)
    await uow.dispatches.plan_runners(due, runner_id=runner.id)


def club_rows(
    club: Club, after: datetime, until: datetime, *, default_zone: str
) -> list[dict[str, Any]]:
    """The club's session posts on its strength days, and its summary each Monday, at its time.

    At most one post per club per day and one summary per week: the unique constraint on
    (club, local date, kind) holds it even if planning runs twice.
    """
    if not club.active or club.post_time is None or not club.session_days:
        return []
    rows = []
    for slot in slots([(club.timezone or default_zone, club.post_time)], after, until):
        day = slot.local_date
        kinds = [DispatchKind.CLUB_SESSION] if day.weekday() in club.session_days else []
        if club.weekly_summary and day.weekday() == 0:
            kinds.append(DispatchKind.CLUB_SUMMARY)
        rows += [
            {"club_id": club.id, "kind": kind, "local_date": day, "due_at": slot.due_at}
            for kind in kinds
        ]
    return rows


async def plan_club_posts(ctx: ServiceContext, uow: UnitOfWork, club: Club) -> None:
    """Re-plan every post of the club not yet sent, from its settings now."""
    now = ctx.clock()
    await uow.dispatches.drop_unsent(club_id=club.id, after=now)
    rows = club_rows(club, now, now + HORIZON, default_zone=ctx.default_timezone)
    await uow.dispatches.add_new(rows)
