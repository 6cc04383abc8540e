"""The Discord side of the bot, built, started and stopped by ``bot.bootstrap``.

``Client.start`` is ``login`` then ``connect``; they are split so that a bad token fails
before any platform starts, and the reminder tick can send (REST only) while the gateway
is still connecting.
"""

from __future__ import annotations

import asyncio

import aiohttp
import discord

from handlers.discord.callbacks import PLATFORM
from handlers.discord.client import CoachClient
from handlers.lifecycle import CONFIGURATION, UNAVAILABLE, CannotRun, first_line

API = "Discord's API"


class DiscordAdapter:
    """The client's lifecycle: log in with ``token``, register the slash commands, run the
    gateway (the reminders' route shares the client's REST session)."""

    platform = PLATFORM

    def __init__(self, client: CoachClient, *, token: str) -> None:
        self.client = client
        self._token = token
        self._gateway: asyncio.Task[None] | None = None

    async def open(self) -> None:
        """Log in (which checks the token and learns the application's id), then register
        the slash commands."""
        try:
            await self.client.login(self._token)
            await self.client.sync_commands()
        except discord.LoginFailure as error:
            raise CannotRun(
                f"{API} did not accept the bot token. Check DISCORD_BOT_TOKEN (the Developer "
                "Portal's Bot page can reset it).",
                CONFIGURATION,
            ) from error
        except discord.HTTPException as error:
            raise CannotRun(
                f"{API} refused a start-up call ({error.status} {first_line(error.text)}).",
                UNAVAILABLE,
            ) from error
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise CannotRun(
                f"cannot reach {API} ({type(error).__name__}). Check the network, then start "
                "the bot again.",
                UNAVAILABLE,
            ) from error

    async def start(self) -> None:
        """Connect to the gateway in the background (it reconnects by itself)."""
        self._gateway = asyncio.create_task(self.client.connect(), name="discord-gateway")

    def connected(self) -> bool:
        """Whether the gateway is open and ready (readiness); false while it reconnects."""
        ws = self.client.ws
        return self.client.is_ready() and ws is not None and ws.open

    async def wait(self) -> None:
        """Return only if the gateway stops for good, saying why."""
        assert self._gateway is not None, "started before waited on"
        try:
            await self._gateway
        except discord.PrivilegedIntentsRequired as error:
            raise CannotRun(
                "Discord refused the gateway intents the bot asked for.", CONFIGURATION
            ) from error
        except (discord.DiscordException, aiohttp.ClientError, OSError) as error:
            raise CannotRun(
                f"the Discord gateway closed ({type(error).__name__}).", UNAVAILABLE
            ) from error
        if not self.client.is_closed():
            raise CannotRun("the Discord gateway stopped.", UNAVAILABLE)

    async def stop(self) -> None:
        """Close the gateway and the HTTP session; the gateway task then ends."""
        await self.client.close()
        if self._gateway is not None:
            await asyncio.gather(self._gateway, return_exceptions=True)
