"""What the tests of /plan share (issue 31): the runner's plan on the loopback feed server,
and a coach allowed to read it there."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.storage.database import Database
from tests.conftest import FakeClock
from tests.plan_feed.calendars import SECRET, weekly_plan
from tests.plan_feed.server import FeedServer

ANSWERS = ("Yes, hard run", "Easy run", "Yes, easy run", "Yes, long run")
"""The answers to the four questions about ``weekly_plan``'s events, in order."""


@pytest.fixture
async def feed() -> AsyncIterator[FeedServer]:
    async with FeedServer() as running:
        running.calendars[SECRET] = weekly_plan()
        yield running


@pytest.fixture
def coach(database: Database, clock: FakeClock, feed: FeedServer) -> Coach:
    """The coach, allowed to read the loopback feed server."""
    return Coach(ServiceContext(database, clock, "Europe/Berlin", plan_fetch=feed.limits()))
