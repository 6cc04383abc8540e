"""Updates of different conversations run concurrently; one conversation's run in order.

A conversation is whoever sent the update: a user (in any chat, so a runner's private chat
and their presses in a club's group never race on the same rows), or a chat speaking as
itself (a channel, or a group's anonymous admins). Each update waits for the one before it
in its conversation *before* it takes one of the ``limit`` slots, so a conversation with a
backlog never holds up the others.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.services.inbound import Inbox
from bot.services.turns import Turns

_UNBOUNDED = 2**31  # the base class's semaphore; the real bound is taken after the queue


def conversation_of(update: object) -> Hashable | None:
    """The conversation an update belongs to, or None if it belongs to none."""
    sender = update.effective_sender if isinstance(update, Update) else None
    return None if sender is None else (type(sender).__name__, sender.id)


class ConversationProcessor(BaseUpdateProcessor):
    """At most ``limit`` updates at once; each handled under its inbox receipt, if stored."""

    def __init__(self, limit: int, inbox: Inbox | None = None) -> None:
        self._limit = limit  # read by the base class's check, so set first
        super().__init__(_UNBOUNDED)
        self._inbox = inbox
        self._slots = asyncio.BoundedSemaphore(limit)
        self.turns = Turns()

    @property
    def max_concurrent_updates(self) -> int:
        """How many updates may be handled at once."""
        return self._limit

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the conversation's previous update, then for a slot, then handle it."""
        started = False
        try:
            async with self.turns.turn(conversation_of(update)), self._slots:
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
