"""The Telegram side of the bot, built by ``bot.bootstrap``, started and stopped here: the
Application that answers updates, the receiver that brings them (polling or the webhook),
the conversations that hand them to the Application, and the bot the reminder tick sends
through.

python-telegram-bot's ``run_polling`` and ``run_webhook`` own the event loop, so the
Application is driven by hand, as its docs describe for running beside other asyncio
frameworks: initialize, start, start receiving; then stop in reverse.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats
from telegram.error import TelegramError

from bot.services.coach import COMMANDS
from handlers.lifecycle import CONFIGURATION, CannotRun
from handlers.telegram.application import CoachApplication
from handlers.telegram.callbacks import PLATFORM
from handlers.telegram.conversations import Conversations
from handlers.telegram.intake import Intake
from handlers.telegram.start_up import start_up_problem
from handlers.telegram.webhook import TelegramWebhook
from handlers.web import WebServer


class Receiver(Protocol):
    """How updates arrive: polling (``polling.py``), or a webhook server."""

    async def start(self) -> None: ...

    async def wait(self) -> None: ...

    async def stop(self) -> None: ...

    def connected(self) -> bool:
        """Whether updates can arrive now."""
        ...


class Webhook:
    """Telegram posts each update to ``WEBHOOK_URL``, with ``WEBHOOK_SECRET``, to the bot's
    own web server on ``WEBHOOK_LISTEN``:``WEBHOOK_PORT``, which also serves the runners'
    calendar subscriptions."""

    def __init__(self, webhook: TelegramWebhook, server: WebServer) -> None:
        self.webhook = webhook
        self.server = server
        self._listening = False
        self._stopped = asyncio.Event()

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

    async def wait(self) -> None:
        """The server rides out every error: this returns once it is stopped."""
        await self._stopped.wait()

    async def stop(self) -> None:
        self._listening = False
        await self.server.stop()
        self._stopped.set()

    def connected(self) -> bool:
        """The server listens, and Telegram was told where to post."""
        return self._listening


class TelegramAdapter:
    """The Application, its receiver, its conversations and the reminders' bot, started and
    stopped together; ``api`` is the Bot API's address, for start-up errors."""

    platform = PLATFORM

    def __init__(
        self,
        application: CoachApplication,
        receiver: Receiver,
        intake: Intake,
        conversations: Conversations,
        *,
        reminder_bot: Bot,
        api: str,
    ) -> None:
        self.application = application
        self.receiver = receiver
        self.intake = intake
        self.conversations = conversations
        self.reminder_bot = reminder_bot
        self._api = api

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
        """Start the Application, take up what no live instance holds (a crash's updates),
        then start receiving."""
        try:
            await self.application.start()
            await self.conversations.start()
            await self.receiver.start()
        except TelegramError as error:
            raise CannotRun(*start_up_problem(error, api=self._api)) from error

    def connected(self) -> bool:
        """Whether updates can arrive now (readiness)."""
        return self.application.running and self.receiver.connected()

    async def wait(self) -> None:
        """Return once receiving has stopped; a token Telegram stopped accepting is a
        ``CannotRun`` (every other error is ridden out)."""
        try:
            await self.receiver.wait()
        except TelegramError as error:
            raise CannotRun(*start_up_problem(error, api=self._api)) from error

    async def stop(self) -> None:
        """Stop receiving, finish the updates in hand, and close both bots."""
        await self.receiver.stop()
        await self.conversations.finish()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        await self.reminder_bot.shutdown()
