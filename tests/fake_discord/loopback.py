"""Fixtures for the real discord.py client on the fake REST API over loopback HTTP, and the
whole bot served as ``python -m bot run`` serves it, with people acting through the fake's
gateway."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import discord.http
import pytest
import yarl
from discord.gateway import DiscordWebSocket

import handlers.discord.client
import schedules.scheduler
from bot import bootstrap
from bot.services.context import ServiceContext
from bot.settings import Settings
from bot.storage.database import Database
from handlers.discord.client import CoachClient, build_client
from schedules.scheduler import ReminderScheduler, reminder_scheduler
from schedules.tick import Tick
from tests.conftest import FakeClock, VirtualTime
from tests.fake_discord.harness import DiscordHarness
from tests.fake_discord.payloads import JSONDict
from tests.fake_discord.server import TOKEN, FakeDiscord

HANDLERS = ("discord.py: ", "CommandTree-invoker")  # how discord.py names its handlers' tasks


@pytest.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """The fake Discord on 127.0.0.1, with discord.py's REST base and gateway pointed at it
    (and only at it: nothing in the test can reach discord.com)."""
    async with FakeDiscord() as server:
        monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
        monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
        yield server


class _SleepsOn(ModuleType):
    """``asyncio`` as discord.http sees it, with ``sleep`` on virtual time."""

    def __init__(self, sleep: Callable[[float], Awaitable[None]]) -> None:
        super().__init__("asyncio")
        self.sleep = sleep

    def __getattr__(self, name: str) -> object:
        return getattr(asyncio, name)


@pytest.fixture
def discord_sleeps(monkeypatch: pytest.MonkeyPatch) -> VirtualTime:
    """discord.py's own waits inside ``send()`` (a short 429, a 500 retried) on virtual time;
    the returned clock records each one."""
    time = VirtualTime()
    monkeypatch.setattr(discord.http, "asyncio", _SleepsOn(time.sleep))
    return time


class GatewayHarness(DiscordHarness):
    """People acting on a client connected to the fake: each event travels to it over the
    gateway, and the client answers over HTTP. Each returns once every handler the event
    started has finished (every event here gets at least one call in answer)."""

    def __init__(self, client: CoachClient, server: FakeDiscord) -> None:
        super().__init__(client, server.discord)
        self.server = server

    async def interact(self, payload: JSONDict) -> None:
        self.recorder.expect(payload)
        await self._deliver("INTERACTION_CREATE", payload)

    async def message(self, payload: JSONDict) -> None:
        await self._deliver("MESSAGE_CREATE", payload)

    async def guild_create(self, payload: JSONDict) -> None:
        await self._deliver("GUILD_CREATE", payload)

    async def _deliver(self, event: str, payload: JSONDict) -> None:
        answered = len(self.server.calls)
        await self.server.dispatch(event, payload)
        await self.server.wait_for_calls(answered + 1)  # so its handlers are running
        async with asyncio.timeout(10):
            while running := [
                task
                for task in asyncio.all_tasks()
                if task.get_name().startswith(HANDLERS) and not task.done()
            ]:
                await asyncio.wait(running)


@dataclass
class ServedBot:
    """The bot as ``python -m bot run`` runs it with only a Discord token."""

    gateway: GatewayHarness
    reminders: ReminderScheduler

    @property
    def tick(self) -> Tick:
        """The one reminder tick, to run at the injected clock's time."""
        return self.reminders.tick


@pytest.fixture
async def served_bot(
    fake_discord: FakeDiscord,
    database: Database,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[ServedBot]:
    """``bootstrap.serve`` on the fake (REST and gateway), until its client has identified;
    every handler error fails the test. The tick is scheduled an hour apart: tests run it."""
    built: dict[str, Any] = {}

    def keep(name: str, make: Callable[..., Any]) -> Callable[..., Any]:
        def making(*args: Any, **kwargs: Any) -> Any:
            built[name] = make(*args, **kwargs)
            return built[name]

        return making

    monkeypatch.setattr(handlers.discord.client, "build_client", keep("client", build_client))
    monkeypatch.setattr(
        schedules.scheduler, "reminder_scheduler", keep("reminders", reminder_scheduler)
    )
    settings = Settings(_env_file=None, tick_seconds=3600, discord_bot_token=TOKEN)
    stop = asyncio.Event()
    ctx = ServiceContext(database, clock, "Europe/Berlin")
    serving = asyncio.create_task(bootstrap.serve(settings, stop, ctx=ctx))
    identified = asyncio.create_task(fake_discord.identified.wait())
    await asyncio.wait([serving, identified], timeout=10, return_when=asyncio.FIRST_COMPLETED)
    if serving.done():
        identified.cancel()
        serving.result()  # raises why it stopped
    assert identified.done(), "the bot did not connect within 10 s"
    gateway = GatewayHarness(built["client"], fake_discord)
    try:
        yield ServedBot(gateway, built["reminders"])
    finally:
        stop.set()
        await asyncio.wait_for(serving, timeout=10)
    gateway.assert_sound()
