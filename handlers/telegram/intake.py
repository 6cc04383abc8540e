"""Updates in: stored in the inbox before Telegram is told they arrived, then handed to their
conversations (``conversations.py``).

Polling (``polling.py``) stores each batch before the ``getUpdates`` whose offset confirms
it; the webhook (``webhook.py``) stores its update before it answers Telegram's POST. A store
is tried again after each of the inbox's ``RETRY_DELAYS``; if it still fails it raises
``StoreFailed``, and Telegram, told nothing, sends the updates again. An update stored
before (a redelivery) is not handled again. Each update is stored as Telegram sent it, with
its conversation (``conversations.py``), whichever instance then handles it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from telegram import Update

from bot.services.infrastructure.inbound import TRIES, Inbox, failure, retried
from handlers.telegram.conversations import conversation_of
from handlers.telegram.reading import Arrived

logger = logging.getLogger(__name__)


class StoreFailed(Exception):
    """Updates could not be stored, so they must not be acknowledged to Telegram."""


class Intake:
    """Stores updates in ``inbox``, then hands the new ones on (``hand_on``), in order; the
    conversations ``elsewhere`` says are another instance's are announced as they are
    stored."""

    def __init__(
        self,
        inbox: Inbox,
        hand_on: Callable[[Update], None],
        elsewhere: Callable[[str], bool] | None = None,
    ) -> None:
        self.inbox = inbox
        self._hand_on = hand_on
        self._elsewhere = elsewhere

    async def store(self, updates: Sequence[Arrived]) -> None:
        """Store ``updates`` in one transaction, then hand on the new ones in ``update_id``
        order; raises ``StoreFailed`` if they could not be stored."""
        by_id = {update.update_id: update for update, _payload in updates}
        if not by_id:
            return
        payloads = {update.update_id: payload for update, payload in updates}
        whose = {update_id: conversation_of(update) for update_id, update in by_id.items()}
        try:
            new = await retried(
                lambda: self.inbox.receive(payloads, whose, elsewhere=self._elsewhere),
                self.inbox.sleep,
            )
        except Exception as error:  # any failure means the updates are not stored
            why = failure(error)  # the outage's cause, never the error's text (an update's)
        else:
            for update_id in sorted(new):
                self._hand_on(by_id[update_id])
            return
        ids = ", ".join(map(str, by_id))
        logger.error(
            "could not store updates %s after %d tries (%s); they are not acknowledged to "
            "Telegram, and are tried again",
            ids,
            TRIES,
            why,
        )
        raise StoreFailed(f"updates {ids} could not be stored") from None
