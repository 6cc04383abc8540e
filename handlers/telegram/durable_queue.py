"""The Application's update queue: an update is stored before ``put`` returns.

python-telegram-bot's Updater awaits ``put`` for each polled update before it confirms the
batch to Telegram (the next ``getUpdates`` offset), and its webhook handler awaits ``put``
before it answers Telegram's POST. So nothing is acknowledged that is not stored.
"""

from __future__ import annotations

import asyncio

from telegram import Bot, Update

from bot.services.inbound import Inbox


class DurableQueue(asyncio.Queue[object]):
    """Updates stored in the inbox, then queued; a redelivered update is dropped."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self._inbox = inbox

    async def put(self, item: object) -> None:
        """Store an update, then queue it; anything else (a stop signal) is just queued."""
        if isinstance(item, Update) and not await self._inbox.receive(
            item.update_id, item.to_dict()
        ):
            return
        await super().put(item)

    async def recover(self, bot: Bot) -> int:
        """Queue, ahead of anything new, the stored updates a crash left unhandled."""
        left = await self._inbox.unhandled()
        for _update_id, payload in left:
            self.put_nowait(Update.de_json(payload, bot))
        return len(left)
