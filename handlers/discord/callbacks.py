"""The Discord callbacks: each parses an interaction or event, calls the coach and answers.

Every interaction is acknowledged first (Discord allows three seconds), except a button that
opens a form, whose form must be the first answer. In a DM the coach's reply is an ordinary
message; in a server channel it is shown only to whoever asked.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import discord

from bot.services.coach import Coach
from bot.services.context import ChatKind, IsAdmin, Person, Platform
from bot.services.infrastructure.turns import Turns
from bot.services.presentation.replies import Typed
from handlers.discord.messages import (
    ANSWER_FIELD,
    ANSWER_FORM,
    DM_PREFIX,
    MAX_PLACEHOLDER,
    MAX_TITLE,
    TYPE_ANSWER,
    form_of,
    link,
)
from handlers.discord.send import answer_press, answer_typed, follow_up, send
from handlers.live_questions import LiveQuestions

logger = logging.getLogger(__name__)
PLATFORM = Platform.DISCORD
UNREACHABLE_DM = frozenset({50007, 50278})  # their DMs are closed to the bot
SENT_TO_DM = "I've sent you a direct message: carry on there."
DMS_CLOSED = (
    "I couldn't send you a direct message: your DMs are closed to me. Allow direct messages "
    "from this server's members (in its Privacy Settings), then press the button again."
)


def person_of(interaction: discord.Interaction) -> Person:
    """Who acted, and where: their DM with the bot is private; anywhere else is a group."""
    user, channel_id = interaction.user, interaction.channel_id
    if channel_id is None:
        raise ValueError("an interaction without a channel reached the coach")
    kind = ChatKind.PRIVATE if interaction.context.dm_channel else ChatKind.GROUP
    return Person(PLATFORM, str(user.id), str(channel_id), user.display_name, kind)


def admin_check(interaction: discord.Interaction) -> IsAdmin:
    """Whether whoever acted may manage this server, with the bot installed in it (Discord's
    own command permissions are only a hint, so this is checked on every use)."""

    async def is_admin() -> bool:
        return interaction.permissions.manage_guild and interaction.is_guild_integration()

    return is_admin


def typed_answer(data: Mapping[str, Any]) -> str:
    """The text typed in the answer form, whichever layout its submit came back in."""
    for component in data.get("components", ()):
        children = [component.get("component", {}), *component.get("components", ())]
        for child in children:
            if child.get("custom_id") == ANSWER_FIELD:
                return str(child.get("value") or "")
    return ""


class Callbacks:
    """Every callback the client routes, bound to one coach. Each interaction is acknowledged
    at once; then one person's events are handled in the order they came, one at a time."""

    def __init__(self, coach: Coach, questions: LiveQuestions) -> None:
        self.coach = coach
        self.questions = questions
        self.turns = Turns()

    async def command(self, interaction: discord.Interaction, name: str, payload: str = "") -> None:
        """A slash command (every one is this bot's, even one it no longer offers): in a DM,
        answered there; elsewhere, only to whoever used it."""
        person = person_of(interaction)
        await interaction.response.defer(ephemeral=not person.private, thinking=True)
        async with self.turns.turn(interaction.user.id):
            reply = await self.coach.command(
                person, name, payload, admin=admin_check(interaction), addressed=True
            )
            await follow_up(interaction, reply, self.questions, ephemeral=not person.private)

    async def interaction(self, interaction: discord.Interaction) -> None:
        """Any button press or form submit, by its raw custom_id: stale, forged and pre-restart
        ones included, so every one gets an answer."""
        data: Mapping[str, Any] = interaction.data or {}
        custom_id = str(data.get("custom_id") or "")
        if interaction.type is discord.InteractionType.component:
            await self.press(interaction, custom_id)
        elif interaction.type is discord.InteractionType.modal_submit:
            await self.answer(interaction, typed_answer(data))

    async def press(self, interaction: discord.Interaction, data: str) -> None:
        """A pressed button."""
        if data.startswith(DM_PREFIX):
            await self.continue_in_dm(interaction, data.removeprefix(DM_PREFIX))
            return
        if data.startswith(TYPE_ANSWER):
            await interaction.response.send_modal(answer_form(form_of(data)))
            return
        await interaction.response.defer()
        person = person_of(interaction)
        async with self.turns.turn(interaction.user.id):
            reply = await self.coach.button(person, data, admin=admin_check(interaction))
            private = person.private
            await answer_press(interaction, reply, data, self.questions, ephemeral=not private)

    async def answer(self, interaction: discord.Interaction, text: str) -> None:
        """An answer typed in the form (a time or a timezone for the club, in its channel):
        the question it was opened from is updated in place."""
        person = person_of(interaction)
        if interaction.message is not None:
            await interaction.response.defer()  # an update of the question's message
            async with self.turns.turn(interaction.user.id):
                reply = await self.coach.text(person, text, admin=admin_check(interaction))
                await answer_typed(interaction, reply, self.questions)
            return
        await interaction.response.defer(ephemeral=not person.private, thinking=True)
        async with self.turns.turn(interaction.user.id):
            reply = await self.coach.text(person, text, admin=admin_check(interaction))
            await follow_up(
                interaction, reply, self.questions, ephemeral=not person.private, typing=True
            )

    async def continue_in_dm(self, interaction: discord.Interaction, payload: str) -> None:
        """ "Carry on privately": open a DM with the presser and start there with the payload;
        tell them, only them, where to look, or that their DMs are closed."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        user = interaction.user
        dm = await user.create_dm()
        person = Person(PLATFORM, str(user.id), str(dm.id), user.display_name)
        try:
            async with self.turns.turn(user.id):
                await send(dm, await self.coach.command(person, "start", payload), self.questions)
        except discord.Forbidden as error:
            if error.code not in UNREACHABLE_DM:
                raise
            await interaction.followup.send(DMS_CLOSED, ephemeral=True)
            return
        url = f"https://discord.com/channels/@me/{dm.id}"
        await interaction.followup.send(SENT_TO_DM, ephemeral=True, view=link("Open the DM", url))

    async def message(self, message: discord.Message) -> None:
        """A message in a DM with the bot: a typed answer, a typed command, or something the
        coach cannot read. Anything else (the bot's own, another bot's) is not for the coach."""
        author, channel = message.author, message.channel
        if author.bot or not isinstance(channel, discord.DMChannel):
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        person = Person(PLATFORM, str(author.id), str(channel.id), author.display_name)
        text = message.content.strip()
        async with self.turns.turn(author.id):
            if text.startswith("/") and len(text) > 1:
                word, _, payload = text[1:].partition(" ")
                reply = await self.coach.command(person, word, payload.strip())
            elif text:
                reply = await self.coach.text(person, message.content)
            else:
                reply = await self.coach.unreadable(person)
            await send(channel, reply, self.questions)

    async def edited(self, message: discord.Message) -> None:
        """A message in a DM edited by its author: edits are not read, and it says so (a link
        preview added by Discord is no edit)."""
        author, channel = message.author, message.channel
        if author.bot or not isinstance(channel, discord.DMChannel) or message.edited_at is None:
            return
        person = Person(PLATFORM, str(author.id), str(channel.id), author.display_name)
        async with self.turns.turn(author.id):
            await send(channel, await self.coach.edited(person), self.questions)

    async def ready(self, guilds: Sequence[discord.Guild]) -> None:
        """At start, with every server known: the clubs whose channel the bot no longer sees
        (removed from the server, or the channel deleted, while it was offline) go quiet. Not
        while a server is out of reach: its channels are unknown until it is back."""
        if any(guild.unavailable for guild in guilds):
            logger.warning("a server is unavailable: its clubs are checked at the next start")
            return
        seen = {str(c.id) for guild in guilds for c in (*guild.channels, *guild.threads)}
        gone = await self.coach.still_in(PLATFORM, seen)
        if gone:
            logger.info("clubs gone quiet, their channels gone while offline: %s", gone)

    async def joined(self, guild: discord.Guild) -> None:
        """The bot was added to a server: greet its system channel, or the first channel the
        bot may write in, once."""
        channel = greeting_channel(guild)
        if channel is None:
            return
        owner = str(guild.owner_id or guild.id)
        person = Person(PLATFORM, owner, str(channel.id), None, ChatKind.GROUP)
        reply = await self.coach.chat_membership(person, title=guild.name, present=True)
        await send(channel, reply, self.questions)

    async def left(self, guild: discord.Guild) -> None:
        """The bot was removed from a server: the clubs in its channels go quiet."""
        for channel in guild.channels:
            await self.channel_gone(channel)

    async def channel_gone(self, channel: discord.abc.GuildChannel) -> None:
        """A channel was deleted: its club, if it had one, goes quiet."""
        owner = str(channel.guild.owner_id)
        person = Person(PLATFORM, owner, str(channel.id), None, ChatKind.GROUP)
        await self.coach.chat_membership(person, title=None, present=False)


def greeting_channel(guild: discord.Guild) -> discord.TextChannel | None:
    """Where to say hello: the server's system channel if the bot may write there, else its
    first text channel that it may write in (Discord does not say which one invited it)."""
    me = guild.me
    candidates = [guild.system_channel, *sorted(guild.text_channels, key=lambda c: c.position)]
    return next(
        (c for c in candidates if c is not None and c.permissions_for(me).send_messages), None
    )


def answer_form(typed: Typed) -> discord.ui.Modal:
    """The form to type an answer in, titled with its question, its field named and an
    example in it; stopped so the library never stores it: its submit comes back to the one
    router."""
    form = discord.ui.Modal(title=typed.question[:MAX_TITLE], custom_id=ANSWER_FORM, timeout=None)
    example = f"Like {typed.example}"[:MAX_PLACEHOLDER] if typed.example else None
    field: discord.ui.TextInput[discord.ui.Modal] = discord.ui.TextInput(
        label=typed.label[:MAX_TITLE], custom_id=ANSWER_FIELD, placeholder=example, max_length=100
    )
    form.add_item(field)
    form.stop()
    return form
