"""The coach's real Discord client, run in process: no login, no gateway, its HTTP session a
recorder. Raw gateway payloads go through the client's own parsers, and every handler error
fails the test."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import discord
from discord import app_commands

from bot.services.coach import Coach
from handlers.discord.client import CoachClient, build_client
from handlers.live_questions import LiveQuestions
from tests.fake_discord.payloads import APPLICATION_ID, BOT_USER, JSONDict
from tests.fake_discord.recorder import DiscordRecorder


async def settle() -> None:
    """Run every task the fed event scheduled, and the tasks those scheduled."""
    me = asyncio.current_task()
    while pending := [t for t in asyncio.all_tasks() if t is not me and not t.done()]:
        await asyncio.gather(*pending, return_exceptions=True)


class DiscordHarness:
    """Feeds payloads to a client and keeps whatever its handlers raised."""

    def __init__(self, client: CoachClient, recorder: DiscordRecorder) -> None:
        self.client = client
        self.recorder = recorder
        self.errors: list[BaseException] = []
        logged, apologise = client.on_error, client.tree.on_error

        async def on_error(event: str, /, *args: Any, **kwargs: Any) -> None:
            self.errors.append(sys.exc_info()[1] or RuntimeError(event))
            await logged(event, *args, **kwargs)

        async def on_command_error(interaction: discord.Interaction[Any], error: Any) -> None:
            if not isinstance(error, app_commands.CommandNotFound):  # answered, not a failure
                self.errors.append(error)
            await apologise(interaction, error)

        vars(client)["on_error"] = on_error
        vars(client.tree)["on_error"] = on_command_error

    @property
    def state(self) -> Any:
        return self.client._connection

    async def interact(self, payload: JSONDict) -> None:
        """INTERACTION_CREATE: a slash command, a button press or a form submit."""
        self.recorder.expect(payload)
        self.state.parse_interaction_create(payload)
        await settle()

    async def message(self, payload: JSONDict) -> None:
        """MESSAGE_CREATE."""
        self.state.parse_message_create(payload)
        await settle()

    async def message_edit(self, payload: JSONDict) -> None:
        """MESSAGE_UPDATE."""
        self.state.parse_message_update(payload)
        await settle()

    async def guild_create(self, payload: JSONDict) -> None:
        """GUILD_CREATE after start: the bot was added to a server."""
        self.state.parse_guild_create(payload)
        await settle()

    async def ready(self, *guilds: JSONDict) -> None:
        """A start: each server the bot is in arrives (GUILD_CREATE), then READY is done
        (``on_ready``, which discord.py fires once the servers are known)."""
        for guild in guilds:
            self.state.parse_guild_create({**guild, "unavailable": False})
        await settle()
        self.client.dispatch("ready")
        await settle()

    async def guild_delete(self, guild_id: str) -> None:
        """GUILD_DELETE without ``unavailable``: the bot was removed from the server."""
        self.state.parse_guild_delete({"id": guild_id})
        await settle()

    async def channel_delete(self, channel: JSONDict) -> None:
        """CHANNEL_DELETE of a server's channel."""
        self.state.parse_channel_delete(channel)
        await settle()

    def assert_sound(self) -> None:
        """Fail if a handler raised, or if the library kept a view or form of ours (then a
        press could be answered twice, or not by the router)."""
        if self.errors:
            summary = "; ".join(repr(error) for error in self.errors)
            raise AssertionError(f"handlers raised: {summary}") from self.errors[0]
        store = self.state._view_store
        assert not store._views and not store._modals and not store._dynamic_items


@asynccontextmanager
async def running_client(coach: Coach) -> AsyncIterator[DiscordHarness]:
    """The production client for ``coach``, started in process on a recorder."""
    client = build_client(coach, application_id=APPLICATION_ID, questions=LiveQuestions())
    recorder = DiscordRecorder()
    async with client:
        vars(client.http)["_HTTPClient__session"] = recorder
        client.http._global_over = asyncio.Event()
        client.http._global_over.set()
        client.http.token = "test-token"
        bot: Any = BOT_USER
        client._connection.user = discord.ClientUser(state=client._connection, data=bot)
        yield DiscordHarness(client, recorder)
