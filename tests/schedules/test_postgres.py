"""Several bot instances on one PostgreSQL database never send the same reminder, and
together keep within Telegram's 30 messages a second per bot (issue 30)."""

from __future__ import annotations

import asyncio
import heapq
from collections import Counter
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest
from sqlalchemy import event

from bot.delivery.notifier import RetryLater
from bot.delivery.rate_limit import RateLimiter
from bot.delivery.route import Route
from bot.services.context import ServiceContext
from bot.services.infrastructure.instances import Instance
from bot.services.presentation.replies import Message
from bot.storage.database import Database
from schedules.dispatch import Delivery, Dispatcher
from schedules.tick import Tick
from tests.conftest import FakeClock
from tests.fake_telegram import FakeBotAPI
from tests.schedules.conftest import seed_due

ROWS = 10_000
INSTANCES = 4  # 30 does not split evenly in four: each takes 7 whole messages a second
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


class SharedTime:
    """One virtual clock for every instance and the fake Bot API: a sleeper waits for its
    own wake-up time, and the clock moves to the earliest one once nothing else can run: no
    task is ready and no statement is on its way to the database. (Time that moved on while
    an instance waited for the database would only make its next message later, never
    earlier.)"""

    def __init__(self, database: Database) -> None:
        self.now = 1_000.0
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._statements = 0
        self._answered_all = asyncio.Event()
        engine = database.engine.sync_engine
        event.listen(engine, "before_cursor_execute", self._sent)
        event.listen(engine, "after_cursor_execute", self._answered)
        event.listen(engine, "handle_error", self._answered)

    def _sent(self, *_: object) -> None:
        self._statements += 1
        self._answered_all.clear()

    def _answered(self, *_: object) -> None:
        self._statements -= 1
        if not self._statements:
            self._answered_all.set()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        fired = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self.now + seconds, id(fired), fired))
        await fired

    async def drive(self, work: asyncio.Future[Any]) -> None:
        """Move the clock from timer to timer until ``work`` is done."""
        while not work.done():
            for _ in range(20):  # turns of the loop: every task that can go on does
                await asyncio.sleep(0)
            if self._statements:
                await self._answered_all.wait()
                continue
            if self._timers:
                self.now = max(self.now, self._timers[0][0])
            while self._timers and self._timers[0][0] <= self.now:
                _, _, fired = heapq.heappop(self._timers)
                if not fired.done():
                    fired.set_result(None)


class FakeTelegram:
    """Sends each message's text straight to the fake Bot API (none of python-telegram-bot's
    request building: the messages' count and times are what is judged); a 429 is a
    ``RetryLater``."""

    def __init__(self, api: FakeBotAPI) -> None:
        self.api = api

    async def send(self, chat_id: str, message: Message, *, nonce: str) -> str:
        text = str(message.text)
        reply = await self.api.request(
            self.api.token, "sendMessage", {"chat_id": int(chat_id), "text": text}
        )
        if reply.status == 429:
            raise RetryLater(1.0)
        assert reply.status == 200, reply.payload()
        return chat_id


async def without_waiting_for_the_disk(database: Database) -> None:
    """Commits that do not wait for the disk (``synchronous_commit = off``): what each sees
    is the same, and the clock, which waits for every answer, moves on sooner."""
    await database.engine.dispose()

    def connected(connection: Any, _record: object) -> None:
        connection.run_async(lambda raw: raw.execute("SET synchronous_commit = off"))

    event.listen(database.engine.sync_engine, "connect", connected)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
async def test_instances_send_each_of_10000_reminders_once_and_never_faster_than_30_a_second(
    database: Database,
) -> None:
    await seed_due(database, ROWS, NOW)
    await without_waiting_for_the_disk(database)
    time = SharedTime(database)
    api = FakeBotAPI(clock=time)
    api.enforce_rate_limits()  # Telegram's 30 a second per bot, strictly, over any second
    ctx = ServiceContext(database, FakeClock(NOW))
    instances = [Instance(ctx) for _ in range(INSTANCES)]
    ticks = []
    for instance in instances:
        limiter = RateLimiter(30, clock=time, sleep=time.sleep)
        instance.counted.append(limiter.share)
        route = Route(FakeTelegram(api), limiter)
        dispatcher = Dispatcher(
            ctx, {"telegram": route}, Delivery(), sleep=time.sleep, instance=instance
        )
        ticks.append(Tick(ctx, dispatcher, plans=partial(instance.take, "tick", "planning")))
    for instance in [*instances, *instances]:  # the second round counts all four
        await instance.beat()

    began = time.now
    work = asyncio.gather(*(tick.run(NOW) for tick in ticks))
    await time.drive(work)
    counts = await work

    chats = Counter(call.params["chat_id"] for call in api.calls("sendMessage"))
    assert len(chats) == ROWS and set(chats.values()) == {1}  # each reminder sent once
    assert api.rate_limit_violations == 0  # 0 x 429
    assert [tick["sent"] > 0 for tick in counts] == [True] * INSTANCES  # every instance sent
    assert sum(tick["sent"] for tick in counts) == ROWS
    rate = ROWS / (time.now - began)  # and close to it: each claim holds 10 s of sends
    assert 24 <= rate <= 30, f"{rate:.1f} messages a second together"
