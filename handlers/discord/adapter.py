"""The Discord side of the bot, built, started and stopped by ``bot.bootstrap``.

``Client.start`` is ``login`` then ``connect``; they are split so that a bad token fails
before any platform starts, and the reminder tick can send (REST only) while the gateway
is still connecting. The adapter supervises the gateway: discord.py reconnects by itself
after the failures it knows; anything else (a bug parsing an event, say) is logged with
what happened and the client connects again, after a pause that grows while it keeps
failing. Only Discord refusing the bot for good stops the process.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import aiohttp
import discord

from handlers.discord.callbacks import PLATFORM
from handlers.discord.client import CoachClient
from handlers.lifecycle import CONFIGURATION, UNAVAILABLE, CannotRun, first_line

logger = logging.getLogger(__name__)
API = "Discord's API"
MAX_PAUSE = 60.0  # seconds between two tries to connect, at most
STEADY = 60.0  # a gateway up this long has recovered: the next failure pauses briefly again


class DiscordAdapter:
    """The client's lifecycle: log in with ``token``, register the slash commands, run the
    gateway (the reminders' route shares the client's REST session)."""

    platform = PLATFORM

    def __init__(
        self,
        client: CoachClient,
        *,
        token: str,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self._token = token
        self._sleep = sleep
        self._clock = clock
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
        """Connect to the gateway in the background, supervised."""
        self._gateway = asyncio.create_task(self._supervised(), name="discord-gateway")

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

    async def _supervised(self) -> None:
        """Run the gateway; after a failure discord.py does not handle, log it and connect
        again, pausing 0, 1, 3, 7... seconds (at most a minute) while it keeps failing."""
        failures = 0
        while True:
            began = self._clock()
            try:
                await self.client.connect()
                return
            except (discord.DiscordException, aiohttp.ClientError, OSError):
                raise  # what discord.py itself gave up on: Discord refused the bot
            except Exception:
                if self.client.is_closed():
                    return  # stopping
                failures = 1 if self._clock() - began >= STEADY else failures + 1
                pause = min(2.0 ** (failures - 1) - 1, MAX_PAUSE)
                logger.exception(
                    "the Discord gateway failed unexpectedly (%d in a row, at event #%s); "
                    "connecting again in %.0f s",
                    failures,
                    getattr(self.client.ws, "sequence", None),
                    pause,
                )
            await self._drop_socket()
            await self._sleep(pause)

    async def _drop_socket(self) -> None:
        """Close the failed connection (and its heartbeat) before opening a new one."""
        socket = self.client.ws
        if socket is not None:
            try:
                await socket.close(code=4000)
            except Exception:  # already gone: nothing to close
                logger.debug("the failed gateway connection was already closed", exc_info=True)

    async def stop(self) -> None:
        """Close the gateway and the HTTP session; the gateway task then ends."""
        await self.client.close()
        if self._gateway is not None:
            await asyncio.gather(self._gateway, return_exceptions=True)
