"""Delivering the coach's replies on Discord: to a channel, or in answer to an interaction."""

from __future__ import annotations

import logging

import discord
from discord.utils import MISSING

from bot.services.presentation.replies import Reply
from handlers.discord.messages import Outgoing, escape, markdown, outgoing

logger = logging.getLogger(__name__)


async def send(channel: discord.abc.Messageable, reply: Reply) -> list[discord.Message]:
    """Send every message of a reply to a channel (a DM or a club's channel), in order."""
    return [
        await channel.send(part.content, view=part.view or MISSING, file=part.file or MISSING)
        for message in reply
        for part in outgoing(message)
    ]


async def follow_up(
    interaction: discord.Interaction, reply: Reply, *, ephemeral: bool, typing: bool = False
) -> None:
    """Answer a deferred interaction with every message of a reply; nothing to say removes the
    "thinking" note the deferral showed."""
    parts = [part for message in reply for part in outgoing(message, typing=typing)]
    if not parts:
        await interaction.delete_original_response()
        return
    for part in parts:
        await _follow_up(interaction, part, ephemeral=ephemeral)


async def answer_press(
    interaction: discord.Interaction, reply: Reply, data: str, *, ephemeral: bool
) -> None:
    """Answer a deferred button press: a toast for the presser alone, then edit the pressed
    message in place, or settle it (remove its buttons, note the choice) and send the rest.

    ``ephemeral``: the rest is for the presser alone (in a server channel).
    """
    if reply and reply[0].toast:
        await interaction.followup.send(markdown(reply[0].text), ephemeral=True)
        reply = reply[1:]
    if not reply:
        return
    first, *rest = reply
    replaced = outgoing(first, typing=ephemeral)
    if first.replace and first.document is None and first.image is None and len(replaced) == 1:
        (part,) = replaced
        await interaction.edit_original_response(content=part.content, view=part.view)
    else:  # a stale press changed nothing: its buttons go, and no choice is marked
        await settle(interaction, "" if first.stale else data)
        rest = [first, *rest]
    for message in rest:
        for part in outgoing(message, typing=ephemeral):
            await _follow_up(interaction, part, ephemeral=ephemeral)


async def settle(interaction: discord.Interaction, data: str) -> None:
    """Remove the pressed message's buttons, noting which one was chosen."""
    pressed = interaction.message
    if pressed is None:
        return
    chosen = next(
        (
            item.label
            for row in pressed.components
            if isinstance(row, discord.ActionRow)
            for item in row.children
            if isinstance(item, discord.Button) and item.custom_id == data and item.label
        ),
        None,
    )
    content = pressed.content
    if chosen is not None:
        noted = f"{content}\n\n**→ {escape(chosen)}**"
        content = noted if len(noted) <= 2000 else content
    try:
        await interaction.edit_original_response(content=content, view=None)
    except discord.HTTPException as error:  # too old to edit: the reply still goes out
        logger.warning("could not settle message %s: %s", pressed.id, error.text)


async def _follow_up(interaction: discord.Interaction, part: Outgoing, *, ephemeral: bool) -> None:
    await interaction.followup.send(
        part.content,
        ephemeral=ephemeral,
        view=part.view or MISSING,
        file=part.file or MISSING,
    )
