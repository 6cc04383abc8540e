"""A runner who follows a linked running plan (issue 31) is replayed at every /today and
/week (issue 30): their plan reads the plan's days from the first open day, which moves at
the reminder time, so no key says their stored plan is current."""

from __future__ import annotations

from bot.services.coach import Coach
from bot.services.context import Person, Platform
from tests.conftest import FakeClock, onboarding
from tests.plan_feed.adapters import coach, feed
from tests.plan_feed.calendars import SECRET
from tests.plan_feed.server import FeedServer
from tests.services.conftest import Talker
from tests.services.test_plan_freshness import replays, shown

__all__ = ["coach", "feed", "replays"]


async def test_a_runner_following_a_linked_plan_is_replayed_at_each_look(
    coach: Coach, feed: FeedServer, clock: FakeClock, replays: list[int]
) -> None:
    ada = Talker(coach, Person(Platform.TELEGRAM, "501", "501", "Ada"))
    await ada.follow(onboarding())
    await shown(ada)
    replays.clear()
    await shown(ada)
    assert replays == []  # not linked: the stored plan is current

    await ada.command("plan", f"link {feed.url(SECRET)}")
    for label in ("Yes, hard run", "Easy run", "Yes, easy run", "Yes, long run"):
        await ada.press(label)
    replays.clear()
    await shown(ada)
    assert len(replays) == 2
