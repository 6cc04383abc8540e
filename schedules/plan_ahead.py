"""Plan every runner's and club's reminders a day ahead, and keep stored plans topped up."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.services.context import ServiceContext
from bot.services.plans.reminder_plan import HORIZON, club_rows, slots
from bot.services.plans.training_plan import replan

logger = logging.getLogger(__name__)

SLOTS_PER_STATEMENT = 1_000  # six parameters each, well inside every database's limit
REFRESH_PER_TICK = 50  # plans replayed per tick; the coaching core is pure CPU work
REFRESH_MARGIN = timedelta(days=3)  # replan when a stored plan ends sooner than this


async def plan_all(ctx: ServiceContext, now: datetime, *, since: datetime | None = None) -> int:
    """Add the missing reminders due after ``since`` (or now) and up to a day ahead.

    A tick that planned before passes the end of its last window as ``since``, so each pass
    plans only the hour or so that has come into view. Returns how many rows are new.
    """
    after = max(since or now, now)
    until = now + HORIZON
    async with ctx.database.unit_of_work() as uow:
        due = slots(await uow.dispatches.reminder_times(), after, until)
        clubs = await uow.dispatches.clubs_to_plan()
        posts = [
            row
            for club in clubs
            for row in club_rows(club, after, until, default_zone=ctx.default_timezone)
        ]
        planned = await uow.dispatches.add_new(posts)
    for start in range(0, len(due), SLOTS_PER_STATEMENT):
        async with ctx.database.unit_of_work() as uow:
            planned += await uow.dispatches.plan_runners(due[start : start + SLOTS_PER_STATEMENT])
    return planned


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
