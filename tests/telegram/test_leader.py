"""Polling with several instances (issue 30): exactly one polls, the one holding the polling
lease; when it stops beating another takes over, and the first stops polling once it sees
that."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from bot.services.context import ServiceContext
from bot.services.infrastructure.instances import Instance
from bot.storage.database import Database
from handlers.telegram.leader import Leader
from handlers.telegram.polling import Polling
from tests.conftest import FakeClock, VirtualTime


class Poller:
    """Stands in for ``Polling``: records whether it polls."""

    def __init__(self) -> None:
        self.polling = False
        self.starts = 0

    async def start(self) -> None:
        self.polling, self.starts = True, self.starts + 1

    async def stop(self) -> None:
        self.polling = False

    def connected(self) -> bool:
        return self.polling


async def leader(ctx: ServiceContext) -> tuple[Instance, Poller, Leader]:
    instance = Instance(ctx, lease=timedelta(seconds=10))
    await instance.beat()
    poller = Poller()
    return instance, poller, Leader(cast(Polling, poller), instance, sleep=VirtualTime().sleep)


async def test_one_instance_polls_and_another_takes_over_once_it_stops_beating(
    database: Database, clock: FakeClock
) -> None:
    ctx = ServiceContext(database, clock=clock)
    first, one, lead_one = await leader(ctx)
    second, other, lead_other = await leader(ctx)

    await lead_one.try_lead()
    await lead_other.try_lead()
    assert (one.polling, other.polling) == (True, False)
    assert lead_other.connected() is False  # not started: no readiness yet

    clock.advance(seconds=8)
    await second.beat()
    await lead_other.try_lead()
    assert (one.polling, other.polling) == (True, False)  # 8 s unseen: still the poller

    clock.advance(seconds=3)
    await second.beat()
    await lead_other.try_lead()
    assert other.polling  # 11 s unseen: the first is dead to the others
    await first.beat()  # it was only held up
    await lead_one.try_lead()
    assert (one.polling, other.polling) == (False, True)  # it sees the lease gone, and stops

    await lead_other.stop()  # a clean stop gives the lease up at once
    await lead_one.try_lead()
    assert (one.polling, one.starts) == (True, 2)
