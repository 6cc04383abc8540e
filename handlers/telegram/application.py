"""The one place that assembles the Telegram Application: handlers, order, lifecycle."""

from __future__ import annotations

from typing import Any

from telegram import BotCommand, BotCommandScopeAllPrivateChats
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
from bot.settings import Settings
from handlers.telegram.admins import AdminCheck
from handlers.telegram.callbacks import Callbacks
from handlers.telegram.errors import on_error
from handlers.telegram.notifier import TelegramNotifier
from schedules.scheduler import reminder_scheduler

CoachApplication = Application[Any, Any, Any, Any, Any, Any]


def build_application(
    settings: Settings, coach: Coach, *, request: BaseRequest | None = None
) -> CoachApplication:
    """The bot's Application on the configured Bot API; ``request`` swaps the transport."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is required to build the Telegram application")
    base = str(settings.telegram_api_base_url).rstrip("/")

    async def start_services(application: CoachApplication) -> None:
        await coach.ctx.prepare()
        await application.bot.set_my_commands(
            [BotCommand(name, text) for name, text in COMMANDS],
            scope=BotCommandScopeAllPrivateChats(),
        )
        reminders.start()

    async def stop_services(_application: CoachApplication) -> None:
        await reminders.stop()
        await coach.ctx.close()

    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .post_init(start_services)
        .post_shutdown(stop_services)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application: CoachApplication = builder.build()
    reminders = reminder_scheduler(coach.ctx, TelegramNotifier(application.bot), settings)
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
