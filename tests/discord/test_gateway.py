"""The adapter supervises the gateway: a failure discord.py does not handle is logged with
context, the client connects again, and the process runs on (issue 27)."""

from __future__ import annotations

import asyncio
import logging
from typing import cast

import pytest

from bot import bootstrap
from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.settings import Settings
from bot.storage.database import Database
from handlers.discord.adapter import DiscordAdapter
from handlers.discord.client import CoachClient
from tests.conftest import FakeClock
from tests.discord.conftest import ADA, DiscordUser
from tests.fake_discord.loopback import ServedBot
from tests.fake_discord.server import TOKEN, FakeDiscord

MALFORMED = {"unavailable": False}  # a server without an id: discord.py's parser raises


async def test_an_unexpected_gateway_failure_is_logged_and_the_client_connects_again(
    served_bot: ServedBot, fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    fake_discord.identified.clear()
    with caplog.at_level(logging.ERROR, logger="handlers.discord.adapter"):
        await fake_discord.dispatch("GUILD_CREATE", MALFORMED)
        await asyncio.wait_for(fake_discord.identified.wait(), timeout=10)
    (failure,) = [r for r in caplog.records if r.name == "handlers.discord.adapter"]
    assert "the Discord gateway failed unexpectedly (1 in a row, at event #2)" in failure.message
    assert failure.exc_info is not None  # with what failed, for whoever reads the log
    ada = DiscordUser(served_bot.gateway, ADA)
    await ada.send("/help")  # the bot answers on the new connection
    assert "/today" in ada.last_text


class FailingClient:
    """A client whose gateway fails unexpectedly ``times`` times, then runs until closed."""

    def __init__(self, times: int) -> None:
        self.left = times
        self.ws = None
        self.connects = 0
        self.closed = False

    async def connect(self) -> None:
        self.connects += 1
        if self.left:
            self.left -= 1
            raise KeyError("id")
        self.closed = True  # it ran until the bot stopped

    def is_closed(self) -> bool:
        return self.closed


async def test_the_pause_grows_while_the_gateway_keeps_failing() -> None:
    client = FailingClient(times=5)
    paused: list[float] = []

    async def sleep(seconds: float) -> None:
        paused.append(seconds)

    adapter = DiscordAdapter(cast(CoachClient, client), token="t", sleep=sleep, clock=lambda: 0.0)
    await adapter.start()
    await adapter.wait()  # the sixth connection ran until the client closed
    assert client.connects == 6
    assert paused == [0, 1, 3, 7, 15]


async def test_an_instance_opens_its_own_shard_of_the_gateway(
    fake_discord: FakeDiscord, database: Database, clock: FakeClock
) -> None:
    """Issue 30: DISCORD_SHARD_ID of DISCORD_SHARD_COUNT, so instances share the gateway."""
    settings = Settings(
        _env_file=None, discord_bot_token=TOKEN, discord_shard_id=1, discord_shard_count=2
    )
    adapter = bootstrap.discord(settings, Coach(ServiceContext(database, clock))).adapter
    await adapter.open()
    await adapter.start()
    try:
        await asyncio.wait_for(fake_discord.identified.wait(), timeout=10)
        assert fake_discord.shard == [1, 2]
    finally:
        await adapter.stop()
