"""Plan every runner's reminders for the coming days in bulk, and keep stored plans topped up."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta
from operator import itemgetter
from zoneinfo import ZoneInfo

from bot.services.context import ServiceContext
from bot.services.planning import replan
from bot.services.reminder_plan import ReminderFacts, club_rows, reminder_rows, window

logger = logging.getLogger(__name__)

RUNNERS_PER_QUERY = 5_000
REFRESH_PER_TICK = 50  # plans replayed per tick; the coaching core is pure CPU work
REFRESH_MARGIN = timedelta(days=3)  # replan when a stored plan ends sooner than this
DAY = timedelta(days=1)


async def plan_all(ctx: ServiceContext, now: datetime) -> int:
    """Add the missing rows of every runner's and club's window (today and tomorrow, local)."""
    planned = await plan_clubs(ctx, now)
    after = 0
    todays: dict[str, date] = {}
    while True:
        async with ctx.database.unit_of_work() as uow:
            chunk = [
                ReminderFacts(*row)
                for row in await uow.dispatches.runners_to_plan(
                    after_id=after, limit=RUNNERS_PER_QUERY
                )
            ]
            if not chunk:
                return planned
            after = chunk[-1].runner_id
            sessions: defaultdict[int, set[date]] = defaultdict(set)
            for runner_id, day in await uow.plans.session_days(
                first_id=chunk[0].runner_id,
                last_id=after,
                first=now.date() - 2 * DAY,
                last=now.date() + 2 * DAY,
            ):
                sessions[runner_id].add(day)
            rows = []
            for facts in chunk:
                if facts.timezone not in todays:
                    todays[facts.timezone] = now.astimezone(ZoneInfo(facts.timezone)).date()
                days = window(todays[facts.timezone])
                rows += reminder_rows(facts, sessions[facts.runner_id], days, not_before=now)
            # Stored in due order, the rows one claim takes sit together on a few pages.
            rows.sort(key=itemgetter("due_at"))
            await uow.dispatches.add_new(rows)
            planned += len(rows)


async def plan_clubs(ctx: ServiceContext, now: datetime) -> int:
    """Add the missing session posts and summaries of every active club."""
    async with ctx.database.unit_of_work() as uow:
        rows = []
        for club in await uow.dispatches.clubs_to_plan():
            today = now.astimezone(ZoneInfo(club.timezone or ctx.default_timezone)).date()
            rows += club_rows(club, window(today), not_before=now)
        await uow.dispatches.add_new(rows)
    return len(rows)


async def refresh_plans(
    ctx: ServiceContext, now: datetime, *, limit: int = REFRESH_PER_TICK
) -> int:
    """Replay the plans that run out soonest, so quiet runners keep getting sessions."""
    async with ctx.database.unit_of_work() as uow:
        ids = await uow.dispatches.stale_plans(
            ending_before=now.date() + REFRESH_MARGIN, limit=limit
        )
    for runner_id in ids:
        try:
            async with ctx.database.unit_of_work() as uow:
                runner = await uow.runners.get(runner_id)
                if runner is not None:
                    await replan(ctx, uow, runner)
        except Exception:
            logger.exception("could not refresh the plan of runner %s", runner_id)
    return len(ids)
