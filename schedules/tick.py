"""The one periodic tick: top up plans, plan the coming reminders, send what is due, and
forget old handled updates; beside it, off its critical path, look again at the runners'
linked running plans. (SQLite's WAL is copied on a schedule of its own:
``bot/storage/checkpoints.py``.) With several instances on one database every instance's
tick sends (the claims share the rows out), and only the one holding the planning lease
tops up, plans and looks at the running plans, so two never replan one runner at once nor
fetch one calendar twice."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.services.context import ServiceContext
from bot.services.infrastructure.update_retention import prune_handled_updates
from bot.services.plans.reminder_plan import HORIZON
from bot.services.use_cases.running_plan import look_again
from bot.settings import KEEP_HANDLED_UPDATES
from schedules.dispatch import Dispatcher
from schedules.plan_ahead import plan_all, refresh_plans

logger = logging.getLogger(__name__)

PLAN_EVERY = timedelta(hours=1)  # plans reach a day ahead, so hourly is plenty
PLANS_LOOKED_AT = 20  # running-plan calendars fetched per look, one after the other
LOOK = "the look at running plans"  # its name in the database's outages


class Tick:
    """Runs one tick at a time; tests call ``run(now)`` directly with the time they choose."""

    def __init__(
        self,
        ctx: ServiceContext,
        dispatcher: Dispatcher,
        *,
        keep_handled_updates: timedelta = KEEP_HANDLED_UPDATES,
        plans: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        self.ctx = ctx
        self.plans = plans  # with several instances: whether this one plans (a lease)
        self.dispatcher = dispatcher
        self.keep_handled_updates = keep_handled_updates
        self._planned_through: datetime | None = None  # the end of the last planned window
        self._running = asyncio.Lock()
        self._looking: asyncio.Task[int] | None = None  # at the runners' running plans

    async def run(self, now: datetime) -> Counter[str]:
        """One tick at ``now``; returns how many rows ended in each status."""
        async with self._running:
            with self.ctx.database.off_the_loop():  # its batches span every runner
                return await self._run(now)

    async def _run(self, now: datetime) -> Counter[str]:
        counts: Counter[str] = Counter()
        if self.dispatcher.stopping:  # a run that starts after ``stop`` does nothing
            return counts
        if self.plans is None or await self.plans():
            self._look_at_running_plans(now)
            counts["refreshed"] = await refresh_plans(self.ctx, now)
            through = self._planned_through
            if through is None or now + HORIZON - through >= PLAN_EVERY:
                counts["planned"] = await plan_all(self.ctx, now, since=through)
                self._planned_through = now + HORIZON
        counts.update(await self.dispatcher.run(now))
        counts["pruned updates"] = await prune_handled_updates(
            self.ctx, now, self.keep_handled_updates
        )
        if +counts:
            logger.info("reminder tick: %s", dict(+counts))
        return counts

    def _look_at_running_plans(self, now: datetime) -> None:
        """Start a look at the running plans due one, unless the last is still going: the
        fetches wait on other servers, so the tick does not wait on them."""
        if self._looking is None or self._looking.done():
            self._looking = asyncio.create_task(self._look(now))

    async def _look(self, now: datetime) -> int:
        """One look; a database outage is counted in the outage's two lines, not logged."""
        outages = self.ctx.database.outages
        try:
            looked = await look_again(self.ctx, now, limit=PLANS_LOOKED_AT)
        except Exception as error:
            if outages.failed(LOOK, error) is None:
                logger.exception("could not look at the running plans")
            return 0
        outages.answered(LOOK)
        return looked

    async def running_plans_looked(self) -> int:
        """Wait for the look at the running plans in flight; how many it looked at."""
        return await self._looking if self._looking is not None else 0

    async def stop(self) -> None:
        """Finish the send in flight, hand the rest of the batch back, and return."""
        self.dispatcher.stopping = True
        async with self._running:
            pass
        if self._looking is not None:
            self._looking.cancel()
            await asyncio.gather(self._looking, return_exceptions=True)
