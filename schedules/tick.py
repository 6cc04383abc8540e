"""The one periodic tick: top up plans, plan the coming reminders, send what is due, and
forget old handled updates. (SQLite's WAL is copied on a schedule of its own:
``bot/storage/checkpoints.py``.) With several instances on one database every instance's
tick sends (the claims share the rows out), and only the one holding the planning lease
tops up and plans, so two never replan one runner at once."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.services.context import ServiceContext
from bot.services.infrastructure.update_retention import prune_handled_updates
from bot.services.plans.reminder_plan import HORIZON
from bot.settings import KEEP_HANDLED_UPDATES
from schedules.dispatch import Dispatcher
from schedules.plan_ahead import plan_all, refresh_plans

logger = logging.getLogger(__name__)

PLAN_EVERY = timedelta(hours=1)  # plans reach a day ahead, so hourly is plenty


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

    async def stop(self) -> None:
        """Finish the send in flight, hand the rest of the batch back, and return."""
        self.dispatcher.stopping = True
        async with self._running:
            pass
