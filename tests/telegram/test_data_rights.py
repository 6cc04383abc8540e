"""/deleteme leaves nothing of the runner: every column of every table is searched for their
ids, names and every text they typed, updates stored as Telegram's are, on both backends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest

from bot.services.coach import Coach
from bot.services.infrastructure.inbound import Inbox
from bot.storage.database import Database
from tests.conftest import KNEE_PAIN_CHECK_IN, TYPED_ONBOARDING, TYPED_RACE, FakeClock
from tests.database_fixtures import engine
from tests.fake_telegram import FakeBotAPI, updates
from tests.personal_data import traces_of
from tests.telegram.conftest import JSONDict, RunningBots, TelegramUser
from tests.telegram.test_clubs import SUPERGROUP, TUESDAY, bot_joins, post_session, set_up
from tests.telegram.test_runner_flows import log_done, next_session

__all__ = ["engine"]  # SQLite and PostgreSQL, not the folder's SQLite alone

ZOE = updates.user(
    user_id=7_712_345_678, first_name="Zoë", last_name="Ørsted-Núñez", username="zoe_on_ridges"
)


@dataclass
class Handled:
    """The ids of the stored updates whose handling (their mark included) has ended."""

    ids: set[int] = field(default_factory=set)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def add(self, update_id: int) -> None:
        async with self.changed:
            self.ids.add(update_id)
            self.changed.notify_all()

    async def wait_for(self, update_id: int) -> None:
        async with asyncio.timeout(10), self.changed:
            await self.changed.wait_for(lambda: update_id in self.ids)


@pytest.fixture
def handled(monkeypatch: pytest.MonkeyPatch) -> Handled:
    handled = Handled()
    handling = Inbox.handling

    @asynccontextmanager
    async def recorded(
        inbox: Inbox, update_id: int, conversation: str | None = None
    ) -> AsyncIterator[None]:
        async with handling(inbox, update_id, conversation):
            yield
        await handled.add(update_id)

    monkeypatch.setattr(Inbox, "handling", recorded)
    return handled


@dataclass
class PollingUser(TelegramUser):
    """A user whose updates reach the bot as Telegram's do: polled, stored, then handled; each
    step waits until its update is handled, and every text typed is kept."""

    handled: Handled = field(default_factory=Handled)
    typed: list[str] = field(default_factory=list)

    async def deliver(self, update: JSONDict) -> None:
        pushed = self.api.push_update(update)
        await self.handled.wait_for(pushed["update_id"])

    async def send(self, text: str) -> None:
        self.typed.append(text)
        await super().send(text)


async def club_id(database: Database) -> int:
    async with database.unit_of_work() as uow:
        club = await uow.clubs.find(platform="telegram", chat_id=str(SUPERGROUP["id"]))
    assert club is not None
    return club.id


async def test_deleteme_leaves_nothing_of_the_runner_in_any_column_of_any_table(
    running: RunningBots,
    fake_api: FakeBotAPI,
    database: Database,
    coach: Coach,
    clock: FakeClock,
    handled: Handled,
) -> None:
    zoe = PollingUser(await running.start(), fake_api, ZOE, handled)
    await bot_joins(zoe, SUPERGROUP)
    await set_up(zoe, SUPERGROUP)
    await zoe.follow(TYPED_ONBOARDING)
    assert "You're all set" in zoe.last_text
    await zoe.send(f"/start club{await club_id(database)}")
    await post_session(zoe, coach, SUPERGROUP, TUESDAY)
    await zoe.press("💪 I did it", on=fake_api.last_message(SUPERGROUP["id"]))
    await next_session(zoe, clock)
    await log_done(zoe)
    clock.advance(days=1)
    await zoe.follow(KNEE_PAIN_CHECK_IN)
    await zoe.send("Note to self: left knee twinged on the Écrins descent")
    person = [str(ZOE["id"]), ZOE["first_name"], ZOE["last_name"], ZOE["username"], TYPED_RACE]
    assert {"runners.display_name", "runners.race_name", "club_marks.user_id"} <= set(
        await traces_of(database, person + zoe.typed)
    )  # the search finds what is there

    await zoe.send("/deleteme")
    await zoe.press("Yes, delete everything")

    assert "deleted" in zoe.last_text
    async with asyncio.timeout(5):  # the conversation's lease names it until it is let go
        while not running.adapter.conversations.idle:  # noqa: ASYNC110
            await asyncio.sleep(0)  # a turn of the loop, not the wall clock
    assert await traces_of(database, person + zoe.typed) == []
