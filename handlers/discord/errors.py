"""What happens when a handler fails: log it with context, reassure the person, keep going."""

from __future__ import annotations

import logging
from collections.abc import Awaitable

import discord

from bot.services.coach import SORRY

logger = logging.getLogger(__name__)


async def on_error(error: BaseException | None, event: str, subject: object) -> None:
    """Log the failure with what it was answering (never what anyone typed), and tell the
    person, only them, that their data is safe."""
    if isinstance(subject, discord.Interaction):
        logger.error(
            "handler failed: %s, interaction %s, user %s, channel %s, %s",
            event,
            subject.id,
            subject.user.id if subject.user else None,
            subject.channel_id,
            kind(subject),
            exc_info=error,
        )
        await _apologise(subject)
        return
    if isinstance(subject, discord.Message):
        logger.error(
            "handler failed: %s, message %s, user %s, channel %s",
            event,
            subject.id,
            subject.author.id,
            subject.channel.id,
            exc_info=error,
        )
        if isinstance(subject.channel, discord.DMChannel):
            await _tell(subject.channel.send(SORRY), subject.channel.id)
        return
    logger.error("handler failed: %s", event, exc_info=error)


def kind(interaction: discord.Interaction) -> str:
    """What the interaction was, without anything typed: a command by name, a button by its
    custom_id (the coach's own data, or a forgery, never a person's words)."""
    if interaction.type is discord.InteractionType.application_command:
        command = interaction.command
        return f"command '/{command.name}'" if command is not None else "an unknown command"
    if interaction.type is discord.InteractionType.component:
        return f"button {interaction.data.get('custom_id') if interaction.data else None!r}"
    if interaction.type is discord.InteractionType.modal_submit:
        return "a typed answer"
    return f"interaction type {interaction.type.value}"


async def _apologise(interaction: discord.Interaction) -> None:
    answer = interaction.response
    sending = (
        interaction.followup.send(SORRY, ephemeral=True)
        if answer.is_done()
        else answer.send_message(SORRY, ephemeral=True)
    )
    await _tell(sending, interaction.channel_id)


async def _tell(sending: Awaitable[object], channel_id: int | None) -> None:
    try:
        await sending
    except discord.HTTPException as error:
        logger.warning("could not tell channel %s about the failure: %s", channel_id, error.text)
