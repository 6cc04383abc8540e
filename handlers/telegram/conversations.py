"""Updates of different conversations run concurrently; one conversation's run in order.

A conversation is whoever sent the update: a user (in any chat, so a runner's private chat
and their presses in a club's group never race on the same rows), or a chat speaking as
itself (a channel, or a group's anonymous admins). Each update waits for the one before it
in its conversation *before* it takes one of the ``limit`` slots, so a conversation with a
backlog never holds up the others; it gives its slot back when its reply must wait on
Telegram's limits (``slots.py``), so a reply held there does not either. Then the
Application handles it (``Application.process_update``), under its inbox receipt.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.services.infrastructure.inbound import Inbox
from bot.services.infrastructure.turns import Turns
from handlers.telegram.slots import Slots


def conversation_of(update: Update) -> Hashable | None:
    """The conversation an update belongs to, or None if it belongs to none."""
    sender = update.effective_sender
    return None if sender is None else (type(sender).__name__, sender.id)


class Conversations:
    """Hands stored updates to ``application``, at most ``limit`` at once (one whose reply
    waits on Telegram's limits lets the next go ahead; with a limit of 1, one update at a
    time, reply and all), each marked handled in ``inbox``."""

    def __init__(
        self, application: Application[Any, Any, Any, Any, Any, Any], inbox: Inbox, limit: int
    ) -> None:
        self.application = application
        self.inbox = inbox
        self.limit = limit
        self.turns = Turns()
        self._slots = Slots(limit)
        self._in_hand: set[asyncio.Task[None]] = set()

    def take(self, update: Update) -> None:
        """Handle a stored update in its turn (updates are taken in the order they arrived)."""
        task = asyncio.create_task(self._handle(update), name=f"telegram-update-{update.update_id}")
        self._in_hand.add(task)
        task.add_done_callback(self._in_hand.discard)

    async def finish(self) -> None:
        """Return once every update taken is handled."""
        while self._in_hand:
            await asyncio.wait(self._in_hand)

    async def _handle(self, update: Update) -> None:
        async with (
            self.turns.turn(conversation_of(update)),
            self._slots.place(),
            self.inbox.handling(update.update_id),
        ):
            await self.application.process_update(update)
