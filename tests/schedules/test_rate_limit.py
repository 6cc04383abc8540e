"""The limiter keeps Telegram's limits on virtual time, and the fake server agrees."""

from __future__ import annotations

from datetime import timedelta

import pytest

from schedules.rate_limit import RateLimiter
from tests.conftest import VirtualTime
from tests.fake_telegram import FakeBotAPI, RateLimits
from tests.schedules.conftest import BERLIN_7, Reminders, add_runner
from tests.schedules.test_dispatch import MONDAY, SEVEN_BERLIN


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
        await limiter.wait(str(chat))
    assert 89 / 30 <= time.now <= 89 / 30 * 1.03 + 1e-6  # 3% margin for clock jitter


async def test_one_chat_waits_a_second_between_messages(time: VirtualTime) -> None:
    limiter = RateLimiter(30, clock=time, sleep=time.sleep)
    for _ in range(3):
        await limiter.wait("7")
    assert 2.0 <= time.now < 2.01


async def test_a_group_gets_at_most_twenty_a_minute(time: VirtualTime) -> None:
    limiter = RateLimiter(30, clock=time, sleep=time.sleep)
    for _ in range(21):
        await limiter.wait("-100", group=True)
    assert 60.0 <= time.now < 60.01


async def test_retry_after_pauses_everyone(time: VirtualTime) -> None:
    limiter = RateLimiter(30, clock=time, sleep=time.sleep)
    await limiter.wait("1")
    limiter.pause(5)
    await limiter.wait("2")
    assert 5.0 <= time.now < 5.01


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
    await limiter.wait("1")
    limiter.pause(5, chat_id="1")
    await limiter.wait("2")
    assert time.now - start < 0.1  # chat 2 goes at once
    await limiter.wait("1")
    assert 5.0 <= time.now - start < 5.01
