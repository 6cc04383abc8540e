"""Polling with several instances (issue 30): exactly one polls, the one holding the polling
lease; when it stops beating another takes over, and the first stops polling once it sees
that. The others handle their share of what it stores, woken by its notice."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from functools import partial
from typing import Any, cast

import pytest
from telegram import Update
from telegram.ext import TypeHandler

from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.services.infrastructure.instances import Instance
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from handlers.telegram.leader import Leader
from handlers.telegram.polling import Polling
from tests.conftest import FakeClock, VirtualTime
from tests.database_fixtures import postgres_engine
from tests.fake_telegram import FakeBotAPI, updates
from tests.telegram.conftest import RunningBots, command


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


async def note(handled: list[tuple[int, int]], n: int, update: Update, _context: Any) -> None:
    handled.append((update.update_id, n))


@pytest.fixture
async def postgres(clock: FakeClock) -> AsyncIterator[Database]:
    """The adapters' suite runs on SQLite; several instances need PostgreSQL."""
    async with postgres_engine() as engine:
        await upgrade(engine)
        yield Database(engine)


@pytest.mark.postgres
async def test_the_others_handle_their_share_of_what_the_poller_stores_woken_by_its_notice(
    postgres: Database, fake_api: FakeBotAPI, clock: FakeClock
) -> None:
    running = RunningBots(fake_api, Coach(ServiceContext(postgres, clock)))
    try:
        await share_out(running, fake_api)
    finally:
        await running.close()


async def share_out(running: RunningBots, fake_api: FakeBotAPI) -> None:
    instances = [Instance(running.coach.ctx) for _ in range(3)]
    for instance in [*instances, *instances]:
        await instance.beat()  # each counts all three
    handled: list[tuple[int, int]] = []  # (update, by which instance)
    for n, instance in enumerate(instances):  # the first takes the polling lease
        application = await running.start(instance=instance, sweep_seconds=3600)
        application.add_handler(TypeHandler(Update, partial(note, handled, n)), group=-1)
    # no sweep after the start: an update the poller does not handle goes by its notice alone
    assert [running.adapters[n].conversations.listening for n in range(3)] == [True] * 3

    runners = [updates.user(user_id=3000 + n, first_name=f"R{n}") for n in range(60)]
    pushed = [fake_api.push_update(command("/help", runner))["update_id"] for runner in runners]
    await fake_api.wait_for_call("sendMessage", count=60, within=30)

    assert sorted(update_id for update_id, _ in handled) == sorted(pushed)  # each once
    shares = Counter(n for _, n in handled)
    assert sorted(shares) == [0, 1, 2]  # every instance took part, the poller too
    chats = Counter(call.params["chat_id"] for call in fake_api.calls("sendMessage"))
    assert set(chats.values()) == {1}  # one answer each
