"""The tick looks at linked running plans again (issue 31): off its own path, and the
runner hears why a session moved, once, through the reminders' notifier."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import FakeClock, onboarding
from tests.plan_feed.adapters import ANSWERS, feed
from tests.plan_feed.calendars import SECRET, weekly_plan
from tests.plan_feed.server import FeedServer
from tests.schedules.conftest import Reminders
from tests.services.conftest import Talker

__all__ = ["feed"]


@pytest.fixture
def context(feed: FeedServer) -> dict[str, Any]:
    """The tick may read the loopback feed server."""
    return {"plan_fetch": feed.limits()}


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
