"""The Telegram side of the bot, built, started and stopped by ``bot.bootstrap``: the
Application that answers updates (by polling or by webhook) and the bot the reminder tick
sends through.

python-telegram-bot's ``run_polling`` and ``run_webhook`` own the event loop, so the
Application is driven by hand, as its docs describe for running beside other asyncio
frameworks: initialize, start, start receiving; then stop in reverse.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats
from telegram.error import TelegramError

from bot.services.coach import COMMANDS
from handlers.lifecycle import CONFIGURATION, CannotRun
from handlers.telegram.application import CoachApplication
from handlers.telegram.callbacks import PLATFORM
from handlers.telegram.durable_queue import DurableQueue, StoringBot
from handlers.telegram.start_up import start_up_problem
from handlers.telegram.webhook import TelegramWebhook
from handlers.web import WebServer

logger = logging.getLogger(__name__)


class Receiver(Protocol):
    """How updates arrive: polling, or a webhook server."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def connected(self) -> bool:
        """Whether updates can arrive now."""
        ...


class Polling:
    """Long polling by the Application's updater."""

    def __init__(self, application: CoachApplication) -> None:
        self.application = application

    async def start(self) -> None:
        assert self.application.updater is not None, "the Application is built with an updater"
        await self.application.updater.start_polling()

    async def stop(self) -> None:
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()

    def connected(self) -> bool:
        """Polling runs, and its last ``getUpdates`` was answered."""
        bot, updater = self.application.bot, self.application.updater
        assert isinstance(bot, StoringBot), "the Application polls through its storing bot"
        return updater is not None and updater.running and not bot.poll_failed


class Webhook:
    """Telegram posts each update to ``WEBHOOK_URL``, with ``WEBHOOK_SECRET``, to the bot's
    own web server on ``WEBHOOK_LISTEN``:``WEBHOOK_PORT``, which also serves the runners'
    calendar subscriptions."""

    def __init__(self, webhook: TelegramWebhook, server: WebServer) -> None:
        self.webhook = webhook
        self.server = server
        self._listening = False

    async def start(self) -> None:
        """Listen, and only then tell Telegram where to post."""
        try:
            await self.server.start()
        except OSError as error:  # the port is taken, or needs privileges
            where = f"{self.server.host}:{self.server.port}"
            raise CannotRun(
                f"cannot listen on {where} ({error.strerror or error}): "
                "check WEBHOOK_LISTEN and WEBHOOK_PORT",
                CONFIGURATION,
            ) from error
        await self.webhook.announce()
        self._listening = True

    async def stop(self) -> None:
        self._listening = False
        await self.server.stop()

    def connected(self) -> bool:
        """The server listens, and Telegram was told where to post."""
        return self._listening


class TelegramAdapter:
    """The Application, its receiver and the reminders' bot, started and stopped together;
    ``api`` is the Bot API's address, for start-up errors."""

    platform = PLATFORM

    def __init__(
        self, application: CoachApplication, receiver: Receiver, *, reminder_bot: Bot, api: str
    ) -> None:
        self.application = application
        self.receiver = receiver
        self.reminder_bot = reminder_bot
        self._api = api
        self._stopped = asyncio.Event()

    async def open(self) -> None:
        """Check the token (``getMe``) and register the command menu."""
        try:
            await self.application.initialize()
            await self.reminder_bot.initialize()
            await self.application.bot.set_my_commands(
                [BotCommand(name, text) for name, text in COMMANDS],
                scope=BotCommandScopeAllPrivateChats(),
            )
        except TelegramError as error:
            raise CannotRun(*start_up_problem(error, api=self._api)) from error

    async def start(self) -> None:
        """Queue what a crash left unhandled, start handling updates, then start receiving."""
        queue = self.application.update_queue
        assert isinstance(queue, DurableQueue), "the Application stores its updates"
        if recovered := await queue.recover(self.application.bot):
            logger.warning(
                "%d updates were left unhandled by a crash; handling them now", recovered
            )
        try:
            await self.application.start()
            await self.receiver.start()
        except TelegramError as error:
            raise CannotRun(*start_up_problem(error, api=self._api)) from error

    def connected(self) -> bool:
        """Whether updates can arrive now (readiness)."""
        return self.application.running and self.receiver.connected()

    async def wait(self) -> None:
        """Telegram's side never stops by itself: polling and the webhook ride out errors."""
        await self._stopped.wait()

    async def stop(self) -> None:
        """Stop receiving, finish the updates in hand, and close both bots."""
        await self.receiver.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        await self.reminder_bot.shutdown()
        self._stopped.set()
