"""The coach's real Discord client on the recorder, and people acting on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.services.coach import Coach
from tests.adapter_fixtures import coach, engine
from tests.conftest import Script, onboarding
from tests.fake_discord import payloads
from tests.fake_discord.harness import DiscordHarness, running_client
from tests.fake_discord.payloads import JSONDict, Server
from tests.fake_discord.recorder import EPHEMERAL, DiscordRecorder

__all__ = ["coach", "engine"]  # the shared fixtures, re-exported for this folder

ADA = payloads.user(1001, "Ada")
EVE = payloads.user(2002, "Eve")
ADMIN = payloads.user(3001, "Ana")
MEMBER = payloads.user(3002, "Ben")
RIDGE = Server()


def buttons(message: JSONDict) -> list[tuple[str, str]]:
    """A message's buttons as (label, custom_id), row by row."""
    return [
        (str(button.get("label")), str(button.get("custom_id") or button.get("url")))
        for row in message.get("components") or []
        for button in row.get("components", [])
    ]


def ephemeral(message: JSONDict) -> bool:
    return bool(message["flags"] & EPHEMERAL)


def _matches(button_label: str, label: str) -> bool:
    return button_label.removeprefix("✓ ") == label


@dataclass
class DiscordUser:
    """Someone on Discord: types and presses in their DM with the bot, or in a server."""

    harness: DiscordHarness
    user: JSONDict

    @property
    def recorder(self) -> DiscordRecorder:
        return self.harness.recorder

    @property
    def dm(self) -> str:
        return payloads.dm_channel_id(self.user)

    def where(self, server: Server | None = None, *, manage: bool = False) -> JSONDict:
        if server is None:
            return payloads.in_dm(self.user)
        return payloads.in_server(self.user, server, manage=manage)

    async def send(self, text: str) -> None:
        """In the DM: a slash command for ``/name``, otherwise a typed message."""
        if text.startswith("/"):
            await self.command(text[1:])
        else:
            await self.harness.message(payloads.dm_message(text, self.user))

    async def command(
        self, name: str, server: Server | None = None, *, manage: bool = False, **options: bool
    ) -> None:
        where = self.where(server, manage=manage)
        await self.harness.interact(payloads.slash(name, where, **options))

    async def press(
        self,
        label: str,
        *,
        on: JSONDict | None = None,
        server: Server | None = None,
        manage: bool = False,
    ) -> JSONDict:
        """Press the newest button with this label (in the DM, or in the server's channel)."""
        channel = self.dm if server is None else server.channel_id
        message = on or self.message_with(label, channel)
        data = next(c for text, c in buttons(message) if _matches(text, label))
        payload = payloads.press(data, message, self.where(server, manage=manage))
        await self.harness.interact(payload)
        return payload

    def message_with(self, label: str, channel: str | None = None) -> JSONDict:
        for message in reversed(self.recorder.in_channel(channel or self.dm)):
            if any(_matches(text, label) for text, _ in buttons(message)):
                return message
        raise AssertionError(f"no message offers {label!r}; last: {self.texts[-1:]}")

    @property
    def messages(self) -> list[JSONDict]:
        return self.recorder.in_channel(self.dm)

    @property
    def texts(self) -> list[str]:
        return [str(m["content"]) for m in self.messages]

    @property
    def last_text(self) -> str:
        return self.texts[-1]

    @property
    def live(self) -> list[JSONDict]:
        """The bot's messages in the DM that still offer buttons."""
        return [m for m in self.messages if buttons(m)]

    @property
    def toasts(self) -> list[str]:
        """The notes shown to this person alone in the DM, oldest first."""
        return [str(m["content"]) for m in self.messages if ephemeral(m)]

    @property
    def last(self) -> JSONDict:
        return self.messages[-1]

    async def follow(self, script: Script) -> None:
        for kind, value in script:
            await (self.send(value) if kind == "say" else self.press(value))

    async def onboard(self, *, kit: tuple[str, ...] = ()) -> None:
        await self.follow(onboarding(kit=kit))


@pytest.fixture
async def discord_bot(coach: Coach) -> AsyncIterator[DiscordHarness]:
    """The client on the recorder; fails the test if a handler raised."""
    async with running_client(coach) as harness:
        yield harness
    harness.assert_sound()


@pytest.fixture
def ada(discord_bot: DiscordHarness) -> DiscordUser:
    return DiscordUser(discord_bot, ADA)
