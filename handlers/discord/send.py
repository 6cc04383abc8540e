"""Delivering the coach's replies on Discord: to a channel, or in answer to an interaction.

A dialog asks each question in one message: a press (or a form opened from the question)
updates the interaction's message in place; a question sent below (after an answer typed in
a DM, or a reminder's check-in) takes the buttons off the one it leaves behind.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import discord
from discord.utils import MISSING

from bot.services.presentation.replies import Message, Part, Place, Reply
from handlers.discord.messages import Outgoing, escape, markdown, outgoing
from handlers.live_questions import LiveQuestions

logger = logging.getLogger(__name__)


async def send(
    channel: discord.abc.Messageable, reply: Reply, questions: LiveQuestions
) -> list[discord.Message]:
    """Send every message of a reply to a channel (a DM or a club's channel), in order."""
    sent: list[discord.Message] = []
    for message in reply:
        parts = [
            await channel.send(part.content, view=part.view or MISSING, file=part.file or MISSING)
            for part in outgoing(message)
        ]
        sent += parts
        await moved_on(parts[-1], message, questions)
    return sent


async def moved_on(sent: discord.Message, message: Message, questions: LiveQuestions) -> None:
    """After a dialog's message: the question it leaves behind loses its buttons."""
    channel = sent.channel
    behind = questions.moved_on(str(channel.id), str(sent.id), message.part)
    if behind is None or not isinstance(channel, discord.DMChannel | discord.PartialMessageable):
        return
    try:
        await channel.get_partial_message(int(behind)).edit(view=None)
    except discord.HTTPException as error:  # deleted, or no longer ours to edit
        logger.info("could not take the buttons off message %s: %s", behind, error.text)


async def follow_up(
    interaction: discord.Interaction,
    reply: Reply,
    questions: LiveQuestions,
    *,
    ephemeral: bool,
    typing: bool = False,
) -> None:
    """Answer a deferred interaction with every message of a reply; nothing to say removes the
    "thinking" note the deferral showed."""
    if not reply:
        await interaction.delete_original_response()
        return
    for message in reply:
        await _follow_up(interaction, message, questions, ephemeral=ephemeral, typing=typing)


async def answer_press(
    interaction: discord.Interaction,
    reply: Reply,
    data: str,
    questions: LiveQuestions,
    *,
    ephemeral: bool,
) -> None:
    """Answer a deferred button press: a toast for the presser alone; the pressed message
    updated in place (a dialog's next question), or left behind without its buttons (marked
    with the choice, unless the press was out of date); then the rest of the reply.

    ``ephemeral``: the rest is for the presser alone (in a server channel).
    """
    for toast in (m for m in reply if m.toast):
        await interaction.followup.send(markdown(toast.text), ephemeral=True)
    stale = any(m.stale for m in reply)
    rest = [m for m in reply if not m.toast]
    first = rest[0] if rest else None
    if first is not None and first.place is Place.PRESSED and _editable(first, ephemeral):
        (part,) = outgoing(first, typing=ephemeral)
        edited = await interaction.edit_original_response(content=part.content, view=part.view)
        if not ephemeral:
            await moved_on(edited, first, questions)
        rest = rest[1:]
    elif first is not None or stale:  # the pressed message is left behind
        mark = first is not None and first.place is Place.BELOW and not stale
        await settle(interaction, data if mark else "")
    for message in rest:
        await _follow_up(interaction, message, questions, ephemeral=ephemeral, typing=ephemeral)


async def answer_typed(
    interaction: discord.Interaction, reply: Reply, questions: LiveQuestions
) -> None:
    """Answer an answer typed in a form opened from a question: the question's message is
    updated in place with the next question (or the same one, saying why it is asked again)."""
    in_place = tuple(
        replace(m, place=Place.PRESSED) if m.part is not Part.NONE else m for m in reply
    )
    await answer_press(interaction, in_place, "", questions, ephemeral=True)


def _editable(message: Message, typing: bool) -> bool:
    """Whether a message can take the place of the pressed one: text in one piece, no file."""
    parts = outgoing(message, typing=typing)
    return len(parts) == 1 and parts[0].file is None


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


async def _follow_up(
    interaction: discord.Interaction,
    message: Message,
    questions: LiveQuestions,
    *,
    ephemeral: bool,
    typing: bool,
) -> None:
    parts = outgoing(message, typing=typing)
    for part in parts:
        sent = await _send_part(interaction, part, ephemeral=ephemeral)
    if not ephemeral:
        await moved_on(sent, message, questions)


async def _send_part(
    interaction: discord.Interaction, part: Outgoing, *, ephemeral: bool
) -> discord.WebhookMessage:
    return await interaction.followup.send(
        part.content,
        ephemeral=ephemeral,
        view=part.view or MISSING,
        file=part.file or MISSING,
        wait=True,
    )
