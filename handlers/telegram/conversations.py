"""Updates of different conversations run concurrently; one conversation's run in order.

A conversation is whoever sent the update: a user (in any chat, so a runner's private chat
and their presses in a club's group never race on the same rows), or a chat speaking as
itself (a channel, or a group's anonymous admins). Each update waits for the one before it
in its conversation *before* it takes one of the ``limit`` slots, so a conversation with a
backlog never holds up the others; it gives its slot back when its reply must wait on
Telegram's limits (``slots.py``), so a reply held there does not either.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.services.infrastructure.inbound import Inbox
from bot.services.infrastructure.turns import Turns
from handlers.telegram.slots import Slots

_UNBOUNDED = 2**31


def conversation_of(update: object) -> Hashable | None:
    """The conversation an update belongs to, or None if it belongs to none."""
    sender = update.effective_sender if isinstance(update, Update) else None
    return None if sender is None else (type(sender).__name__, sender.id)


class ConversationProcessor(BaseUpdateProcessor):
    """At most ``limit`` updates handled at once (one whose reply waits on Telegram's limits
    lets the next go ahead; with a limit of 1, python-telegram-bot hands over one update at
    a time, reply and all); each handled under its inbox receipt, if stored."""

    def __init__(self, limit: int, inbox: Inbox | None = None) -> None:
        # python-telegram-bot sizes its own semaphore from ``max_concurrent_updates`` and
        # takes it before ``do_process_update``, where an update waits for its conversation's
        # turn: bounded, one conversation's backlog could hold every slot. So it is built
        # unbounded, and the limit, reported from then on, is taken in slots after the turn.
        self._limit = _UNBOUNDED
        super().__init__(_UNBOUNDED)
        self._limit = limit
        self._inbox = inbox
        self._slots = Slots(limit)
        self.turns = Turns()

    @property
    def max_concurrent_updates(self) -> int:
        """How many updates may be handled at once."""
        return self._limit

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the conversation's previous update, then for a slot, then handle it."""
        started = False
        try:
            async with self.turns.turn(conversation_of(update)), self._slots.place():
                started = True
                await self._handle(update, coroutine)
        finally:
            if not started and inspect.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting its turn

    async def _handle(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self._inbox is None or not isinstance(update, Update):
            await coroutine
            return
        async with self._inbox.handling(update.update_id):
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
