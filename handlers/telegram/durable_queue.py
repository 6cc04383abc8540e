"""The Application's update queue: an update is stored before ``put`` returns.

python-telegram-bot's Updater awaits ``put`` for each polled update before it confirms the
batch to Telegram (the next ``getUpdates`` offset), and our webhook (``webhook.py``) awaits
``put`` before it answers Telegram's POST. So nothing is acknowledged that is not stored.

A failed store is tried again after each of ``STORE_RETRY_DELAYS``. If it still fails,
``put`` raises ``StoreFailed``, a ``NetworkError``: the Updater's polling loop catches it,
keeps the offset where it was, and polls again after a pause, so Telegram sends the update
again; the webhook answers 500, so Telegram posts it again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, Update
from telegram.error import NetworkError

from bot.services.inbound import Inbox

logger = logging.getLogger(__name__)

STORE_RETRY_DELAYS = (0.1, 0.5, 2.0)  # seconds before each further try to store an update


class StoreFailed(NetworkError):
    """An update could not be stored, so it must not be acknowledged to Telegram."""


class DurableQueue(asyncio.Queue[object]):
    """Updates stored in the inbox, then queued; a redelivered update is dropped."""

    def __init__(
        self, inbox: Inbox, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    ) -> None:
        super().__init__()
        self._inbox = inbox
        self.sleep = sleep  # between tries to store; tests put virtual time here

    async def put(self, item: object) -> None:
        """Store an update, then queue it; anything else (a stop signal) is just queued."""
        if isinstance(item, Update) and not await self._store(item):
            return
        await super().put(item)

    async def _store(self, update: Update) -> bool:
        """Whether the update is new, once stored; raises ``StoreFailed`` if it never was."""
        for delay in (*STORE_RETRY_DELAYS, None):
            try:
                return await self._inbox.receive(update.update_id, update.to_dict())
            except Exception as error:  # any failure means the update is not stored
                failure = type(error).__name__  # not the error's text: it may quote the update
            if delay is not None:
                await self.sleep(delay)
        logger.error(
            "could not store update %d after %d tries (%s); Telegram will send it again",
            update.update_id,
            len(STORE_RETRY_DELAYS) + 1,
            failure,
        )
        raise StoreFailed(f"update {update.update_id} could not be stored") from None

    async def recover(self, bot: Bot) -> int:
        """Queue, ahead of anything new, the stored updates a crash left unhandled."""
        left = await self._inbox.unhandled()
        for _update_id, payload in left:
            self.put_nowait(Update.de_json(payload, bot))
        return len(left)
