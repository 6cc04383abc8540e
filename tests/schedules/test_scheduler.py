"""The tick's scheduler stops without cutting a tick in flight short."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime
from typing import Any

from bot.storage.outage import Outages
from schedules.scheduler import ReminderScheduler
from schedules.tick import Tick
from tests.conftest import FakeClock


class HeldTick:
    """A tick that holds its run until released, and records how the run ended."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.ended: list[str] = []
        self.over = asyncio.Event()

    async def run(self, _now: datetime) -> Counter[str]:
        self.started.set()
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.ended.append("cancelled")
            self.over.set()
            raise
        self.ended.append("finished")
        self.over.set()
        return Counter()

    async def stop(self) -> None:
        self.release.set()  # a real tick finishes its send in flight here
        await asyncio.sleep(0)


async def test_stop_lets_the_tick_in_flight_finish() -> None:
    tick: Any = HeldTick()
    scheduler = ReminderScheduler(tick, seconds=30, clock=FakeClock(), outages=Outages())
    scheduler.start()
    async with asyncio.timeout(5):
        await tick.started.wait()
        await scheduler.stop()
        await tick.over.wait()
    assert tick.ended == ["finished"]
    assert not scheduler.running()


async def test_a_run_that_starts_after_stop_does_nothing(reminders: Any) -> None:
    tick: Tick = reminders.tick
    await tick.stop()
    assert dict(await tick.run(reminders.clock())) == {}  # not even zero counts: no work done
