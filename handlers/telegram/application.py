"""The one place that assembles the Telegram Application: handlers, order, lifecycle."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.services.coach import COMMANDS, Coach
from bot.services.inbound import Inbox
from bot.settings import Settings
from handlers.telegram.admins import AdminCheck
from handlers.telegram.callbacks import PLATFORM, Callbacks
from handlers.telegram.conversations import ConversationProcessor
from handlers.telegram.durable_queue import DurableQueue
from handlers.telegram.errors import on_error
from handlers.telegram.notifier import TelegramNotifier
from handlers.telegram.pipe import OutboundPipe
from schedules.rate_limit import RateLimiter
from schedules.scheduler import reminder_scheduler

logger = logging.getLogger(__name__)

CoachApplication = Application[Any, Any, Any, Any, Any, Any]


def build_application(
    settings: Settings,
    coach: Coach,
    *,
    request: BaseRequest | None = None,
    limiter: RateLimiter | None = None,
) -> CoachApplication:
    """The bot's Application on the configured Bot API; ``request`` swaps the transport and
    ``limiter`` the clock the outbound limits run on.

    Updates are stored before Telegram is told they arrived, and handled concurrently, one
    conversation in order. Replies and reminders share one rate limiter: replies through the
    Application bot's pipe, reminders through the tick, on a bot of their own.
    """
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is required to build the Telegram application")
    token = settings.telegram_bot_token.get_secret_value()
    base = str(settings.telegram_api_base_url).rstrip("/")
    base_url, base_file_url = f"{base}/bot", f"{base}/file/bot"
    limiter = limiter or RateLimiter(settings.messages_per_second)
    inbox = Inbox(coach.ctx, PLATFORM)
    updates = DurableQueue(inbox)
    reminder_bot = Bot(token, base_url, base_file_url, request=request)

    async def start_services(application: CoachApplication) -> None:
        await coach.ctx.prepare()
        await reminder_bot.initialize()
        await application.bot.set_my_commands(
            [BotCommand(name, text) for name, text in COMMANDS],
            scope=BotCommandScopeAllPrivateChats(),
        )
        if recovered := await updates.recover(application.bot):
            logger.warning(
                "%d updates were left unhandled by a crash; handling them now", recovered
            )
        reminders.start()

    async def stop_services(_application: CoachApplication) -> None:
        await reminders.stop()
        await reminder_bot.shutdown()
        await coach.ctx.close()

    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .update_queue(updates)
        .concurrent_updates(ConversationProcessor(settings.concurrent_updates, inbox))
        .rate_limiter(OutboundPipe(limiter))
        .post_init(start_services)
        .post_shutdown(stop_services)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application: CoachApplication = builder.build()
    reminders = reminder_scheduler(coach.ctx, TelegramNotifier(reminder_bot), settings, limiter)
    add_handlers(application, Callbacks(coach, AdminCheck()))
    return application


def add_handlers(application: CoachApplication, callbacks: Callbacks) -> None:
    """Every handler, in the order they are tried (written once, here).

    In groups and channels only commands, buttons, replies to the bot's own messages and
    membership changes reach the coach; ordinary chatter is never seen by a handler. Edits
    of earlier messages answer nothing. In a private chat, any other new message (a sticker,
    a photo, a voice note...) gets a pointer to the buttons and /help.
    """
    private = filters.ChatType.PRIVATE
    new = ~filters.UpdateType.EDITED
    application.add_handlers(
        [
            ChatMemberHandler(callbacks.membership, ChatMemberHandler.MY_CHAT_MEMBER),
            MessageHandler(filters.StatusUpdate.MIGRATE, callbacks.migration),
            MessageHandler(filters.COMMAND & new, callbacks.command),
            MessageHandler(filters.LOCATION & private & new, callbacks.location),
            MessageHandler(
                filters.TEXT
                & ~filters.COMMAND
                & new
                & (private | (filters.ChatType.GROUPS & filters.REPLY)),
                callbacks.text,
            ),
            MessageHandler(private & new & ~filters.StatusUpdate.ALL, callbacks.unreadable),
            CallbackQueryHandler(callbacks.button),
        ]
    )
    application.add_error_handler(on_error)
