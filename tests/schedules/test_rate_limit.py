"""The limiter keeps Telegram's limits on virtual time, and the fake server agrees."""

from __future__ import annotations

import asyncio
import heapq
import logging
import random
from datetime import timedelta
from typing import Any

import pytest

from bot.delivery.rate_limit import RateLimiter, discord_limiter
from tests.conftest import VirtualTime
from tests.fake_telegram import FakeBotAPI, RateLimits
from tests.fake_telegram.rate_limits import RateLimiter as StrictServer
from tests.schedules.conftest import BERLIN_7, Reminders, add_runner
from tests.schedules.test_dispatch import MONDAY, SEVEN_BERLIN


async def send(limiter: RateLimiter, chat_id: str, *, group: bool = False) -> None:
    """One message through the limiter, answered at once."""
    async with limiter.slot(chat_id, group=group):
        pass


@pytest.fixture
def time() -> VirtualTime:
    return VirtualTime(now=0.0)


@pytest.fixture
def fake_api(virtual_time: VirtualTime) -> FakeBotAPI:
    """The fake Bot API judging Telegram's limits on the tick's own virtual time."""
    return FakeBotAPI(clock=virtual_time)


async def test_overall_rate_is_spaced_evenly(time: VirtualTime) -> None:
    limiter = RateLimiter(30, clock=time, sleep=time.sleep)
    for chat in range(90):
        await send(limiter, str(chat))
    assert 89 / 30 <= time.now <= 89 / 30 * 1.05 + 1e-6  # 5% margin for jitter on the way


async def test_one_chat_waits_a_second_between_messages(time: VirtualTime) -> None:
    limiter = RateLimiter(30, clock=time, sleep=time.sleep)
    for _ in range(3):
        await send(limiter, "7")
    assert 2.0 <= time.now < 2.01


async def test_a_group_gets_at_most_twenty_a_minute(time: VirtualTime) -> None:
    limiter = RateLimiter(30, clock=time, sleep=time.sleep)
    for _ in range(21):
        await send(limiter, "-100", group=True)
    assert 60.0 <= time.now < 60.01


async def test_retry_after_pauses_everyone(time: VirtualTime) -> None:
    limiter = RateLimiter(30, clock=time, sleep=time.sleep)
    await send(limiter, "1")
    limiter.pause(5)
    await send(limiter, "2")
    assert 5.0 <= time.now < 5.01


async def test_the_next_message_is_spaced_from_when_one_went_however_long_it_prepared(
    time: VirtualTime,
) -> None:
    """The tick marks a row sending in ``prepare`` (issue 32, item 8): a slow write holds
    the line, so no message behind it lands closer than the limit allows."""
    limiter = RateLimiter(30, clock=time, sleep=time.sleep)
    start = time.now
    went: list[float] = []

    async def slow_write() -> None:
        await asyncio.sleep(0)  # the next message queues up meanwhile
        time.now += 0.5

    async def message(chat_id: str, prepare: Any = None) -> None:
        async with limiter.slot(chat_id, prepare=prepare):
            went.append(time.now)

    await asyncio.gather(message("1", slow_write), message("2"))
    assert went[0] == start + 0.5
    assert went[1] - went[0] >= 1 / 30


async def test_a_message_prepares_only_just_before_its_slot(
    time: VirtualTime,
) -> None:
    """A row waiting for its slot is not yet sending: not while others go first, nor while
    a 429 pause runs."""
    limiter = RateLimiter(30, clock=time, sleep=time.sleep)
    interval = 1.05 / 30
    just_before = 0.002 + 1e-6
    limiter.pause(5)
    prepared: dict[str, float] = {}
    went: dict[str, float] = {}

    async def message(chat_id: str) -> None:
        async def prepare() -> None:
            prepared[chat_id] = time.now

        async with limiter.slot(chat_id, prepare=prepare):
            went[chat_id] = time.now

    await asyncio.gather(*(message(str(chat)) for chat in range(4)))
    assert min(went.values()) >= time.now - 3 * interval >= 5
    for chat in went:
        assert 0 <= went[chat] - prepared[chat] <= just_before


async def test_where_the_line_moves_fast_messages_prepare_side_by_side(
    time: VirtualTime,
) -> None:
    """So the tick's journal writes several rows' ``sending`` in one commit."""
    limiter = RateLimiter(1e9, clock=time, sleep=time.sleep)
    preparing: list[str] = []
    all_preparing = asyncio.Event()

    async def message(chat_id: str) -> None:
        async def prepare() -> None:
            preparing.append(chat_id)
            if len(preparing) == 3:
                all_preparing.set()
            await all_preparing.wait()

        async with limiter.slot(chat_id, prepare=prepare):
            pass

    async with asyncio.timeout(5):  # one at a time, they would wait for each other forever
        await asyncio.gather(*(message(str(chat)) for chat in range(3)))


async def test_a_burst_of_reminders_meets_no_429_from_a_strict_server(
    reminders: Reminders,
) -> None:
    reminders.api.enforce_rate_limits(RateLimits())
    reminders.clock.now = SEVEN_BERLIN - timedelta(hours=12)
    for _ in range(75):
        await add_runner(reminders, sessions=(MONDAY,), **BERLIN_7)
    reminders.clock.now = SEVEN_BERLIN
    counts = await reminders.run()
    assert counts["sent"] == 75
    assert reminders.api.rate_limit_violations == 0
    assert reminders.time.now - 1_000.0 >= 74 / 30


async def test_a_chat_held_by_its_own_429_holds_no_other_chat(time: VirtualTime) -> None:
    limiter = RateLimiter(30, clock=time, sleep=time.sleep)
    start = time.now
    await send(limiter, "1")
    limiter.pause(5, chat_id="1")
    await send(limiter, "2")
    assert time.now - start < 0.1  # chat 2 goes at once
    await send(limiter, "1")
    assert 5.0 <= time.now - start < 5.01


async def test_a_chats_next_message_is_spaced_from_when_telegram_answered_the_last(
    time: VirtualTime,
) -> None:
    limiter = RateLimiter(30, clock=time, sleep=time.sleep)
    server = StrictServer(RateLimits(), clock=time)  # Telegram's limits, on arrival

    async def deliver(on_the_way: float) -> int | None:
        """A message that takes ``on_the_way`` to reach Telegram, answered 50 ms later."""
        async with limiter.slot("7"):
            await time.sleep(on_the_way)
            refused = server.admit("7", is_group=False)
            await time.sleep(0.05)
        return refused

    assert await deliver(0.3) is None  # slow to arrive (a loaded process)
    assert await deliver(0.0) is None  # fast: still a second after the first arrived
    assert server.violations == 0


async def test_a_chat_has_one_message_in_flight_at_a_time(time: VirtualTime) -> None:
    limiter = RateLimiter(30, clock=time, sleep=time.sleep)
    answered = asyncio.Event()
    entered: list[tuple[str, float]] = []

    async def first() -> None:
        async with limiter.slot("7"):
            entered.append(("first", time.now))
            await answered.wait()  # Telegram has not answered yet, however long that takes

    async def second() -> None:
        async with limiter.slot("7"):
            entered.append(("second", time.now))

    tasks = [asyncio.create_task(first()), asyncio.create_task(second())]
    for _ in range(20):  # turns of the loop: the second's one-second wait passes meanwhile
        await asyncio.sleep(0)
    assert [name for name, _ in entered] == ["first"]

    time.now += 5  # answered five (virtual) seconds later
    answered.set()
    await asyncio.gather(*tasks)
    assert entered[1][1] >= entered[0][1] + 6


class LateTimers:
    """Timers that fire in time order, each up to ``late`` seconds after it was due, as on a
    busy event loop; the clock only moves when the earliest timer fires."""

    def __init__(self, late: float, seed: int = 14) -> None:
        self.now = 0.0
        self._late = late
        self._random = random.Random(seed)
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        due = self.now + seconds + self._random.uniform(0, self._late)
        fired = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (due, id(fired), fired))
        await fired

    async def run(self, tasks: list[asyncio.Task[None]]) -> None:
        """Drive ``tasks`` to the end, firing one timer whenever all of them wait on one."""
        while not all(task.done() for task in tasks):
            for _ in range(20):
                await asyncio.sleep(0)
            if not all(task.done() for task in tasks):
                assert self._timers, "every task waits, and on no timer: stuck"
                self.now, _, fired = heapq.heappop(self._timers)
                if not fired.done():  # not given up meanwhile
                    fired.set_result(None)
        await asyncio.gather(*tasks)


async def test_overall_slots_go_first_come_first_served_on_a_late_loop() -> None:
    timers = LateTimers(late=0.04)  # wake-ups up to 40 ms late: more than one slot's spacing
    limiter = RateLimiter(30, clock=timers, sleep=timers.sleep)
    server = StrictServer(RateLimits(), clock=timers)  # Telegram's limits, on arrival
    let_go: list[int] = []

    async def send_to(chat: int) -> None:
        async with limiter.slot(str(chat)):
            let_go.append(chat)
            server.admit(str(chat), is_group=False)

    tasks = []
    for chat in range(120):
        tasks.append(asyncio.create_task(send_to(chat)))
        await asyncio.sleep(0)  # each asks in turn
    await timers.run(tasks)

    assert let_go == list(range(120))  # in the order they asked
    assert server.violations == 0  # never 31 in a second, however late the wake-ups
    assert timers.now < 119 / 30 * 1.05 + 120 * 0.04  # spaced, not stalled


async def test_a_waiter_given_up_in_line_hands_the_line_on_and_frees_its_chat() -> None:
    timers = LateTimers(late=0.0)
    limiter = RateLimiter(30, clock=timers, sleep=timers.sleep)
    let_go: list[str] = []

    async def send_to(chat: str) -> None:
        async with limiter.slot(chat):
            let_go.append(chat)

    first, given_up, last = (asyncio.create_task(send_to(chat)) for chat in "123")
    for _ in range(5):
        await asyncio.sleep(0)  # all three in line; the first is let go, the next waits
    given_up.cancel()
    await timers.run([first, last, asyncio.create_task(send_to("2"))])

    assert let_go == ["1", "3", "2"]  # the line went on; chat 2 was not left held


async def test_discord_has_no_group_minute_but_paces_each_channel(time: VirtualTime) -> None:
    limiter = discord_limiter(clock=time, sleep=time.sleep)
    for _ in range(21):
        await send(limiter, "4200000000000000777", group=True)  # a club's server channel
    assert 20.0 <= time.now < 20.01  # a second apart, and no minute's wait at the 21st


async def test_discord_spaces_messages_under_its_global_limit(time: VirtualTime) -> None:
    limiter = discord_limiter(clock=time, sleep=time.sleep)
    for chat in range(90):
        await send(limiter, str(chat))
    assert 89 / 45 <= time.now <= 89 / 45 * 1.05 + 1e-6


async def test_a_group_window_emptied_by_a_waiter_that_gave_up_is_pruned_cleanly(
    time: VirtualTime,
) -> None:
    limiter = RateLimiter(30, clock=time, sleep=time.sleep)
    await send(limiter, "-100", group=True)
    await time.sleep(61)  # the group's one message has left its minute
    limiter.pause(5, chat_id="-100")  # a 429 on that group
    waiter = asyncio.create_task(send(limiter, "-100", group=True))
    await asyncio.sleep(0)  # it empties the group's window, then waits out the pause...
    waiter.cancel()  # ...and gives up (the tick stopped)
    await asyncio.gather(waiter, return_exceptions=True)
    for chat in range(10_000):  # enough chats remembered that the next message prunes them
        limiter.pause(30, chat_id=str(chat))

    async with asyncio.timeout(1):
        await send(limiter, "42")
        await send(limiter, "-100", group=True)


async def test_a_message_that_must_wait_says_so_first_and_one_that_goes_at_once_does_not(
    time: VirtualTime,
) -> None:
    limiter = RateLimiter(30, clock=time, sleep=time.sleep)
    waits: list[str] = []

    async def send_to(chat: str) -> None:
        async with limiter.slot(chat, waiting=lambda: waits.append(chat)):
            pass

    await send_to("1")
    assert waits == []
    await send_to("1")  # a second after the first is answered
    assert waits == ["1"]
    await time.sleep(2)
    await send_to("2")
    assert waits == ["1"]


async def test_a_long_pause_is_one_warning_when_it_starts_and_one_when_it_ends(
    time: VirtualTime, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = discord_limiter(clock=time, sleep=time.sleep)
    with caplog.at_level(logging.WARNING, logger="bot.delivery.rate_limit"):
        limiter.pause(35)
        limiter.pause(30)  # another sender's 429, while it lasts
        for chat in range(5):
            await send(limiter, str(chat))
    assert [record.getMessage() for record in caplog.records] == [
        "Discord asked the bot to slow down: every message waits 35 s",
        "Discord: messages go out again, after 35 s",
    ]


async def test_a_short_pause_logs_nothing(
    time: VirtualTime, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = RateLimiter(30, clock=time, sleep=time.sleep)
    with caplog.at_level(logging.WARNING, logger="bot.delivery.rate_limit"):
        limiter.pause(1)
        await send(limiter, "1")
    assert caplog.records == []


async def test_instances_split_the_overall_budget_evenly() -> None:
    """Issue 30: Telegram's 30 a second is the bot's; three instances take 10 each."""
    time = VirtualTime()
    limiter = RateLimiter(30, clock=time, sleep=time.sleep)
    limiter.share(3)
    went: list[float] = []
    for n in range(31):
        async with limiter.slot(str(n)):
            went.append(time.now)

    assert sum(1 for at in went if at < went[0] + 1.0) == 10
    limiter.share(1)  # the other two left
    async with limiter.slot("next"):
        assert time.now - went[-1] == pytest.approx(1.05 / 30)


@pytest.mark.parametrize("instances", [2, 3, 4, 7, 9])
async def test_instances_sharing_the_budget_never_put_more_than_it_into_one_second(
    instances: int,
) -> None:
    """Issue 30: with 30 split in four, 7.5 a second each would let 8 of each into one
    second; whole shares (7 each) never, however the instances' spacings line up."""
    timers = LateTimers(late=0.0)  # every instance starts at once: their sends line up
    server = StrictServer(RateLimits(), clock=timers)
    limiters = [RateLimiter(30, clock=timers, sleep=timers.sleep) for _ in range(instances)]

    async def send(limiter: RateLimiter, chat: str) -> None:
        async with limiter.slot(chat):
            server.admit(chat, is_group=False)

    tasks = []
    for n, limiter in enumerate(limiters):
        limiter.share(instances, place=n)
        tasks += [asyncio.create_task(send(limiter, f"{n}-{m}")) for m in range(40)]
    await timers.run(tasks)

    assert server.violations == 0
    assert timers.now < 40 / (30 // instances) * 1.05  # each at its whole share


@pytest.mark.parametrize("instances", [1, 2, 4, 7, 9])
def test_the_instances_shares_add_up_to_the_whole_budget(instances: int) -> None:
    """Issue 30: what 30 does not split into evenly goes to the first places, not unused."""
    limiters = [RateLimiter(30) for _ in range(instances)]
    for place, limiter in enumerate(limiters):
        limiter.share(instances, place)

    shares = [round(limiter.rate * 1.05) for limiter in limiters]
    assert sum(shares) == 30
    assert max(shares) - min(shares) <= 1
