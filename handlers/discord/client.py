"""The one place that assembles the Discord client: intents, slash commands, event routing.

The composition root logs in (``await client.login(token)``), syncs the slash commands
(``await client.sync_commands()``) and runs ``client.connect()``.
"""

from __future__ import annotations

import sys
from typing import Any

import discord
from discord import app_commands

from bot.services.coach import COMMANDS, Coach
from handlers.discord.callbacks import Callbacks
from handlers.discord.errors import on_error
from handlers.live_questions import LiveQuestions

EXTRA_COMMANDS = (
    ("start", "Set up your plan, or pick up where you left off"),
    ("cancel", "Stop the current questions"),
)
CLUB = ("club", "Set up this channel's club sessions (server managers)")
MEMBERS = "Show how many members have a personal plan instead"
THREADS = (
    discord.ChannelType.public_thread,
    discord.ChannelType.private_thread,
    discord.ChannelType.news_thread,
)
CLUB_IN_THREAD = (
    "A club lives in one of the server's channels, not in a thread: send /club in the channel "
    "where its posts should go."
)
RESET_LINK = "Switch off your calendar link (and get a new one, where links are offered)"
PLAN_LINK = "Your running plan's private calendar address (https://… or webcal://…)"
PLAN_UNLINK = "Stop following your running plan"
WITH_OPTIONS = frozenset({"calendar", "plan"})

Command = app_commands.Command[Any, Any, None]


class CoachClient(discord.Client):
    """The coach on Discord: one command tree, and one router for every button and form.

    With a ``shard`` (``DISCORD_SHARD_ID`` of ``DISCORD_SHARD_COUNT``) the client opens that
    one shard of the gateway: several instances share the gateway, Discord sending each
    server's events (and every DM, on shard 0) to exactly one of them. Without, one gateway
    connection carries everything (Discord allows that up to 2,500 servers).
    """

    def __init__(
        self,
        coach: Coach,
        *,
        application_id: int | None,
        questions: LiveQuestions,
        shard: tuple[int, int] | None = None,
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True  # joins, removals, deleted channels, the channel cache
        intents.dm_messages = True  # typed answers in DMs (their content needs no privilege)
        known: dict[str, Any] = {} if application_id is None else {"application_id": application_id}
        if shard is not None:
            known |= {"shard_id": shard[0], "shard_count": shard[1]}
        super().__init__(
            intents=intents,
            **known,  # else login() asks Discord for it
            max_ratelimit_timeout=30.0,  # a longer 429 is raised, not slept on inside send()
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.callbacks = Callbacks(coach, questions)
        self.tree = app_commands.CommandTree(
            self,
            allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
            allowed_contexts=app_commands.AppCommandContext(
                guild=True, dm_channel=True, private_channel=True
            ),
        )
        for command in slash_commands(self.callbacks):
            self.tree.add_command(command)
        self.tree.error(self._command_failed)

    async def sync_commands(self) -> None:
        """Register the slash commands with Discord (one bulk overwrite, for every server,
        DM and user install)."""
        await self.tree.sync()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Every button press and form submit (slash commands go to the command tree)."""
        await self.callbacks.interaction(interaction)

    async def on_message(self, message: discord.Message) -> None:
        """A message the bot can see: only DMs are for the coach."""
        await self.callbacks.message(message)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """A message edited (even one sent before a restart): only DMs are for the coach."""
        await self.callbacks.edited(payload.message)

    async def on_ready(self) -> None:
        """Connected, and every server known: clubs in channels removed while the bot was
        offline go quiet (no event ever tells of those)."""
        await self.callbacks.ready(self.guilds)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        """Added to a server."""
        await self.callbacks.joined(guild)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        """A server seen at start (or back from an outage): one added while the bot was
        offline gets its greeting now; any other was greeted already, and hears nothing."""
        await self.callbacks.joined(guild)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Removed from a server (not an outage: that is ``on_guild_unavailable``)."""
        await self.callbacks.left(guild)

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        """A channel of a server the bot is in was deleted."""
        await self.callbacks.channel_gone(channel)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """A listener raised: log it, reassure the person, and keep the client running."""
        await on_error(sys.exc_info()[1], event_method, args[0] if args else None)

    async def _command_failed(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.CommandNotFound):  # one no longer offered, say
            await self.callbacks.command(interaction, error.name)
            return
        cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        await on_error(cause, "app_command", interaction)


def build_client(
    coach: Coach,
    *,
    application_id: int | None,
    questions: LiveQuestions,
    shard: tuple[int, int] | None = None,
) -> CoachClient:
    """The Discord client for this coach (``application_id`` may be left for login to fill);
    ``questions`` are the live question messages it shares with the reminders' notifier;
    ``shard`` is (this shard, of how many), or None for the whole gateway."""
    return CoachClient(coach, application_id=application_id, questions=questions, shard=shard)


def slash_commands(callbacks: Callbacks) -> list[Command]:
    """The slash commands: Telegram's menu, /start and /cancel, /calendar with its reset,
    /plan with its link, and /club for server managers."""
    commands = [
        _command(name, text, callbacks)
        for name, text in (*COMMANDS, *EXTRA_COMMANDS)
        if name not in WITH_OPTIONS
    ]
    return [*commands, _calendar(callbacks), _plan(callbacks), _club(callbacks)]


def _command(name: str, description: str, callbacks: Callbacks) -> Command:
    async def run(interaction: discord.Interaction) -> None:
        await callbacks.command(interaction, name)

    return app_commands.Command(name=name, description=description, callback=run)


def _calendar(callbacks: Callbacks) -> Command:
    name = "calendar"

    @app_commands.describe(reset=RESET_LINK)
    async def run(interaction: discord.Interaction, reset: bool = False) -> None:
        await callbacks.command(interaction, name, "reset" if reset else "")

    description = dict(COMMANDS)[name]
    return app_commands.Command(name=name, description=description, callback=run)


def _plan(callbacks: Callbacks) -> Command:
    name = "plan"

    @app_commands.describe(link=PLAN_LINK, unlink=PLAN_UNLINK)
    async def run(interaction: discord.Interaction, link: str = "", unlink: bool = False) -> None:
        payload = "unlink" if unlink else f"link {link.strip()}" if link.strip() else ""
        await callbacks.command(interaction, name, payload)

    description = dict(COMMANDS)[name]
    return app_commands.Command(name=name, description=description, callback=run)


def _club(callbacks: Callbacks) -> Command:
    name, description = CLUB

    @app_commands.describe(members=MEMBERS)
    async def run(interaction: discord.Interaction, members: bool = False) -> None:
        channel = interaction.channel
        if channel is not None and channel.type in THREADS:  # archived, it drops from view
            await interaction.response.send_message(CLUB_IN_THREAD, ephemeral=True)
            return
        await callbacks.command(interaction, name, "members" if members else "")

    command: Command = app_commands.Command(name=name, description=description, callback=run)
    command.default_permissions = discord.Permissions(manage_guild=True)
    command.allowed_contexts = app_commands.AppCommandContext(
        guild=True, dm_channel=False, private_channel=False
    )  # servers only, and only where the bot itself is installed
    command.allowed_installs = app_commands.AppInstallationType(guild=True, user=False)
    return command
