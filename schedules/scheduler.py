"""The APScheduler job that runs the tick: one job, never overlapping, started with the bot
(by ``bot.bootstrap``, for every platform at once)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.delivery.route import Route
from bot.services.context import Clock, ServiceContext
from bot.settings import Settings
from bot.storage.outage import Outages
from schedules.dispatch import CLAIM_LEASE, Delivery, Dispatcher
from schedules.tick import Tick

if TYPE_CHECKING:
    from bot.monitoring.metrics import Metrics
    from bot.services.infrastructure.instances import Instance

JOB_ID = "reminder-tick"
PART = "the reminder tick"  # its name in the database's outages


class ReminderScheduler:
    """Runs ``tick`` every ``seconds``; one run at a time, missed runs coalesced into one.

    A tick that fails because the database is down is counted in its ``outages`` (two lines
    for the whole outage), not logged with a traceback; the next tick tries again. It keeps
    when the last run started and finished, on ``clock``: ``stalled`` says when no run has
    finished for two intervals (readiness), and each run's duration and lag go to
    ``metrics``.
    """

    def __init__(
        self,
        tick: Tick,
        *,
        seconds: float,
        clock: Clock,
        outages: Outages,
        metrics: Metrics | None = None,
    ) -> None:
        self.tick = tick
        self.seconds = seconds
        self.outages = outages
        self._clock = clock
        self._metrics = metrics
        self._scheduler: AsyncIOScheduler | None = None
        self._since: datetime | None = None  # when ticking started, or the last run finished
        self._last_start: datetime | None = None

    def running(self) -> bool:
        """Whether the tick is scheduled (between ``start`` and ``stop``)."""
        return self._scheduler is not None and bool(self._scheduler.running)

    def job_interval(self) -> timedelta | None:
        """How often the tick job runs, while it is scheduled."""
        job = self._scheduler.get_job(JOB_ID) if self._scheduler is not None else None
        return job.trigger.interval if job is not None else None

    def stalled(self) -> str | None:
        """Why the tick is not keeping up (it is not scheduled, or no run has finished for
        two intervals); None while it is."""
        if not self.running() or self._since is None:
            return "not running"
        quiet = (self._clock() - self._since).total_seconds()
        if quiet > 2 * self.seconds:
            return f"no run finished for {quiet:.0f} s (it runs every {self.seconds:g} s)"
        return None

    def start(self) -> None:
        """Start ticking now and every ``seconds``, on the running event loop."""
        self._since, self._last_start = self._clock(), None
        self._scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC)
        self._scheduler.add_job(
            self.run_once,
            "interval",
            seconds=self.seconds,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(self.seconds),
            next_run_time=datetime.now(UTC),
            id=JOB_ID,
        )
        self._scheduler.start()

    async def stop(self) -> None:
        """Let the send in flight finish, stop scheduling, and return.

        The tick stops first: APScheduler's shutdown cancels a job still running, which
        would cut a tick short in the middle of a database call.
        """
        await self.tick.stop()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None

    async def run_once(self) -> None:
        """One tick now, as the job runs it, timed, with how late it started after its turn:
        a database outage is counted rather than raised; any other failure is raised
        (APScheduler logs it with its traceback)."""
        now, began = self._clock(), time.perf_counter()
        last, self._last_start = self._last_start, now
        turn = now if last is None else last + timedelta(seconds=self.seconds)
        try:
            await self.tick.run(now)
        except Exception as error:
            if self.outages.failed(PART, error) is None:
                raise
        else:
            self.outages.answered(PART)
            self._since = self._clock()
        finally:
            if self._metrics is not None:
                lag = max((now - turn).total_seconds(), 0.0)
                self._metrics.ticked(time.perf_counter() - began, lag)


def reminder_scheduler(
    ctx: ServiceContext,
    routes: Mapping[str, Route],
    settings: Settings,
    *,
    metrics: Metrics | None = None,
    instance: Instance | None = None,
) -> ReminderScheduler:
    """The one tick on the configured database, sending through each platform's route; with
    several ``instance``s on it, each sends, and the one holding the planning lease plans."""
    # SQLite runs one bot process, so a claim left at the start of a tick is from a dead one;
    # on PostgreSQL another live process may hold it: its claims go back once its instance
    # stops beating (or, named by no instance, after the lease).
    single = ctx.database.engine.dialect.name == "sqlite"
    delivery = Delivery(
        grace=settings.reminder_grace,
        retention=timedelta(days=settings.dispatch_retention_days),
        stale_after=timedelta(0) if single else CLAIM_LEASE,
    )
    dispatcher = Dispatcher(ctx, routes, delivery, metrics=metrics, instance=instance)
    tick = Tick(
        ctx,
        dispatcher,
        keep_handled_updates=settings.keep_handled_updates,
        plans=(lambda: instance.take("tick", "planning")) if instance else None,
    )
    return ReminderScheduler(
        tick,
        seconds=settings.tick_seconds,
        clock=ctx.clock,
        outages=ctx.database.outages,
        metrics=metrics,
    )
