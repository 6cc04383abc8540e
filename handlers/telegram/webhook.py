"""Telegram's updates by webhook, on the bot's own web server instead of PTB's Updater.

``POST`` to the path of ``WEBHOOK_URL``: the secret header is checked, the body is read as
an ``Update``, put on the Application's update queue, the ``DurableQueue``, and stored
there (with any other update posted meanwhile). Only then does Telegram get its 200; an
update that could not be stored gets 500, so Telegram posts it again.
``announce`` tells Telegram where to post, once the web server listens.
"""

from __future__ import annotations

import hmac
import logging
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from handlers.telegram.application import CoachApplication
from handlers.telegram.durable_queue import DurableQueue, StoreFailed

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramWebhook:
    """The Application fed by Telegram's POSTs to ``url``, each carrying ``secret``."""

    def __init__(self, application: CoachApplication, *, url: str, secret: str) -> None:
        self.application = application
        self.url = url
        self._secret = secret.encode()
        self.route = web.post(urlsplit(url).path or "/", self.receive)

    async def receive(self, request: web.Request) -> web.Response:
        """One update from Telegram: 200 once it is stored, never before."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            logger.warning("refused a webhook request without the right secret token")
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), self.application.bot)
            if not isinstance(update.update_id, int):
                raise TypeError("update_id")
        except Exception:  # the body is not an update; never log it, it may hold a message
            logger.warning("refused a webhook request whose body is not a Telegram update")
            return web.Response(status=400)
        queue = self.application.update_queue
        assert isinstance(queue, DurableQueue), "the Application stores its updates"
        await queue.put(update)
        try:
            await queue.store()
        except StoreFailed:  # logged by the queue; Telegram will post the update again
            return web.Response(status=500)
        return web.Response(status=200)

    async def announce(self) -> None:
        """Tell Telegram to post updates to ``url`` with the secret (call once listening)."""
        await self.application.bot.set_webhook(self.url, secret_token=self._secret.decode())
