"""Telegram's updates by webhook, on the bot's own web server.

``POST`` to the path of ``WEBHOOK_URL``: the secret header is checked, the body is read as an
``Update`` (``reading.py``) and stored as it came by the intake, which hands it to its
conversation.
Only then does Telegram get its 200; an update that could not be stored gets 500, so
Telegram posts it again. An update that cannot be read but names its ``update_id`` is set
aside (stored with its id alone) and answered 200, so Telegram moves on; a body that names
no update is refused with 400. ``announce`` tells Telegram where to post, once the web server
listens.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from urllib.parse import urlsplit

from aiohttp import StreamReader, web
from telegram import Bot

from handlers.telegram.intake import Intake, StoreFailed
from handlers.telegram.reading import (
    MAX_BODY,
    Arrived,
    Unreadable,
    arrived,
    first_update_id,
    read,
    set_aside,
)

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramWebhook:
    """The updates Telegram POSTs to ``url``, each carrying ``secret``, into ``intake``."""

    def __init__(self, bot: Bot, intake: Intake, *, url: str, secret: str) -> None:
        self.bot = bot
        self.intake = intake
        self.url = url
        self._secret = secret.encode()
        self.route = web.post(urlsplit(url).path or "/", self.receive)

    async def receive(self, request: web.Request) -> web.Response:
        """One update from Telegram: 200 once it is stored, never before."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            logger.warning("refused a webhook request without the right secret token")
            return web.Response(status=403)
        body = await _first_bytes(request.content, MAX_BODY + 1)
        update = self._update(body)
        if update is None:  # never log the body: it may hold a message
            logger.warning("refused a webhook request whose body is not a Telegram update")
            return web.Response(status=400)
        try:
            await self.intake.store([update])
        except StoreFailed:  # logged by the intake; Telegram will post the update again
            return web.Response(status=500)
        return web.Response(status=200)

    def _update(self, body: bytes) -> Arrived | None:
        """The update ``body`` holds, or its stand-in if only its id can be read; None if it
        holds no update."""
        try:
            value = read(body)
        except Unreadable as error:
            update_id = first_update_id(body)
            return None if update_id is None else set_aside(update_id, error.message)
        if not isinstance(value, dict) or not isinstance(value.get("update_id"), int):
            return None
        return arrived(value["update_id"], value, self.bot)

    async def announce(self) -> None:
        """Tell Telegram to post updates to ``url`` with the secret (call once listening)."""
        await self.bot.set_webhook(self.url, secret_token=self._secret.decode())


async def _first_bytes(stream: StreamReader, limit: int) -> bytes:
    """The body, or its first ``limit`` bytes if it is longer (what is past them is unread)."""
    try:
        return await stream.readexactly(limit)
    except asyncio.IncompleteReadError as shorter:
        return shorter.partial
