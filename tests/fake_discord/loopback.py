"""Fixtures for the real discord.py client on the fake REST API over loopback HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from types import ModuleType

import discord.http
import pytest
import yarl
from discord.gateway import DiscordWebSocket

from tests.conftest import VirtualTime
from tests.fake_discord.server import FakeDiscord


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
