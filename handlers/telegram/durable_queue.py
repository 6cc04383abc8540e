"""The Application's update queue: nothing is acknowledged to Telegram that is not stored.

python-telegram-bot's Updater ``put``s each update of a poll, then polls again; the next
``getUpdates`` offset is what tells Telegram the updates arrived. ``put`` only takes an
update in; ``store`` stores every update taken in since, in one transaction, and queues
the new ones. The Application's bot (``StoringBot``) calls ``store`` before every
``getUpdates``, so a poll goes out only once the updates it confirms are stored; our webhook
(``webhook.py``) calls it before it answers Telegram's POST.

A failed store is tried again after each of the inbox's ``RETRY_DELAYS``. If it still fails,
``store`` raises ``StoreFailed``, a ``NetworkError``, and keeps the updates for its next
call: the Updater's polling loop catches it, pauses and polls again (storing first), with
the offset still unsent; the webhook answers 500, so Telegram posts the update again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Bot, Update
from telegram.error import NetworkError, TelegramError
from telegram.ext import ExtBot

from bot.services.infrastructure.inbound import TRIES, Inbox, failure, retried

logger = logging.getLogger(__name__)


class StoreFailed(NetworkError):
    """Updates could not be stored, so they must not be acknowledged to Telegram."""


class DurableQueue(asyncio.Queue[object]):
    """Updates stored in the inbox, then queued; a redelivered update is dropped."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox
        self._taken: dict[int, Update] = {}
        self._storing = asyncio.Lock()

    async def put(self, item: object) -> None:
        """Take an update in, for ``store``; anything else (a stop signal) is queued at once.
        (Polling stops first, storing what it took in with its last ``getUpdates``; what is
        still not stored then was not confirmed either, and Telegram sends it again.)"""
        if isinstance(item, Update):
            self._taken.setdefault(item.update_id, item)
        else:
            await super().put(item)

    async def store(self) -> None:
        """Store the updates taken in, in one transaction, and queue the new ones in
        ``update_id`` order (a webhook's POSTs may arrive out of it). When this returns,
        every update taken in before the call is stored; raises ``StoreFailed`` if they could
        not be. A store that failed or was cancelled (polling stopped meanwhile) keeps its
        updates for the next call, so no later call can return without storing them."""
        async with self._storing:  # a caller waiting here finds its updates stored, or not
            taken, self._taken = self._taken, {}
            if not taken:
                return
            try:
                new = await self._store(taken)
            except BaseException:
                self._taken = {**taken, **self._taken}
                raise
            for update_id in sorted(new):
                self.put_nowait(taken[update_id])

    async def _store(self, updates: dict[int, Update]) -> set[int]:
        """The ids of the updates that are new, once stored; raises ``StoreFailed`` if they
        never were."""
        payloads = {update_id: update.to_dict() for update_id, update in updates.items()}
        try:
            return await retried(lambda: self.inbox.receive(payloads), self.inbox.sleep)
        except Exception as error:  # any failure means the updates are not stored
            why = failure(error)
        ids = ", ".join(map(str, updates))
        logger.error(
            "could not store updates %s after %d tries (%s); they are not acknowledged to "
            "Telegram, and are tried again",
            ids,
            TRIES,
            why,
        )
        raise StoreFailed(f"updates {ids} could not be stored") from None

    async def recover(self, bot: Bot) -> int:
        """Queue, ahead of anything new, the stored updates a crash left unhandled."""
        left = await self.inbox.unhandled()
        for _update_id, payload in left:
            self.put_nowait(Update.de_json(payload, bot))
        return len(left)


class StoringBot(ExtBot[None]):
    """The Application's bot: each poll first stores the updates of the polls before it, as
    its offset tells Telegram they arrived."""

    def __init__(self, token: str, *, queue: DurableQueue, **options: Any) -> None:
        super().__init__(token, **options)
        self._queue = queue
        self._poll_failed = False

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        """Store what earlier polls took in, then poll (confirming it)."""
        await self._queue.store()
        try:
            updates = await super().get_updates(*args, **kwargs)
        except TelegramError:
            self._poll_failed = True
            raise
        self._poll_failed = False
        return updates

    @property
    def poll_failed(self) -> bool:
        """Whether the last poll failed (readiness)."""
        return self._poll_failed
