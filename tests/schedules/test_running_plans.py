"""The tick looks at linked running plans again (issue 31): off its own path, and the
runner hears why a session moved, once, through the reminders' notifier."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.storage.database import Database
from tests.conftest import FakeClock, VirtualTime, onboarding
from tests.fake_telegram import FakeBotAPI
from tests.plan_feed.adapters import ANSWERS
from tests.plan_feed.server import FeedServer
from tests.schedules.conftest import Reminders, reminders_for
from tests.services.conftest import Talker
from tests.services.test_running_plan import SECRET, weekly_plan


@pytest.fixture
async def feed() -> AsyncIterator[FeedServer]:
    async with FeedServer() as running:
        running.calendars[SECRET] = weekly_plan()
        yield running


@pytest.fixture
def reminders(
    database: Database,
    clock: FakeClock,
    fake_api: FakeBotAPI,
    fake_bot: Bot,
    virtual_time: VirtualTime,
    feed: FeedServer,
) -> Reminders:
    return reminders_for(
        database, clock, fake_api, fake_bot, virtual_time, plan_fetch=feed.limits()
    )


async def test_a_changed_plan_is_looked_at_by_the_tick_and_the_runner_told_once(
    reminders: Reminders, talker: Talker, feed: FeedServer, clock: FakeClock
) -> None:
    await talker.follow(onboarding())
    await talker.command("plan", f"link {feed.url(SECRET)}")
    for label in ANSWERS:
        await talker.press(label)
    await reminders.run()
    assert await reminders.tick.running_plans_looked() == 0  # looked at on linking: not due

    feed.calendars[SECRET] = weekly_plan(long_day=29)
    clock.advance(hours=5)
    await reminders.run()
    assert await reminders.tick.running_plans_looked() == 1
    await reminders.run()  # the notice goes out with the next tick
    told = [t for t in reminders.texts(501) if "Your long run moved to Sunday 29" in t]
    assert len(told) == 1, reminders.texts(501)[-3:]

    clock.advance(hours=5)
    await reminders.run()
    assert await reminders.tick.running_plans_looked() == 1
    await reminders.run()
    assert len([t for t in reminders.texts(501) if "moved" in t]) == 1  # nothing new to say
