"""The one place that assembles the Telegram Application (handlers and their order) and the
reminders' bot, through python-telegram-bot's builder.

``bot.bootstrap`` builds it on the parts it shares (the Telegram limiter, the transport), and
``handlers.telegram.adapter`` starts and stops it. The Application has no Updater: polling
(``polling.py``) and the webhook (``webhook.py``) are the bot's own, and hand each stored
update to ``Application.process_update`` (``conversations.py``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.delivery.rate_limit import RateLimiter
from bot.services.coach import Coach
from bot.settings import Settings
from handlers.live_questions import LiveQuestions
from handlers.telegram.admins import AdminCheck
from handlers.telegram.callbacks import Callbacks
from handlers.telegram.errors import on_error
from handlers.telegram.http import AiohttpRequest
from handlers.telegram.pipe import OutboundPipe
from handlers.telegram.reading import UpdatesRequest

CoachApplication = Application[Any, Any, Any, Any, Any, Any]


def api_urls(settings: Settings) -> tuple[str, str]:
    """The Bot API's base URL and its file URL, for the configured server."""
    base = str(settings.telegram_api_base_url).rstrip("/")
    return f"{base}/bot", f"{base}/file/bot"


def bot_token(settings: Settings) -> str:
    """The configured bot token (building the Telegram side without one is a bug)."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is required to build the Telegram application")
    return settings.telegram_bot_token.get_secret_value()


def build_application(
    settings: Settings,
    coach: Coach,
    *,
    limiter: RateLimiter,
    questions: LiveQuestions,
    request: BaseRequest | None = None,
    answers: UpdatesRequest | None = None,
    fence: Callable[[], Awaitable[bool]] | None = None,
) -> CoachApplication:
    """The bot's Application on the configured Bot API. ``limiter`` is the Telegram limiter
    the replies share with the reminder tick: every Bot API call of the Application's bot
    goes through the outbound pipe on it. ``request`` swaps the transport (by default
    aiohttp), and ``answers`` is the transport of ``getUpdates`` (by default ``request``, or
    an aiohttp pool of its own for long polling, whose answers ``reading.py`` reads).
    ``questions`` are the live question messages it shares with the reminders' notifier.
    ``fence`` says whether the update being answered is still this instance's (the pipe
    makes no call for one that is not)."""
    base_url, base_file_url = api_urls(settings)
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        Application.builder()
        .token(bot_token(settings))
        .base_url(base_url)
        .base_file_url(base_file_url)
        .request(request or AiohttpRequest())
        .get_updates_request(answers or UpdatesRequest(request or AiohttpRequest(connections=1)))
        .rate_limiter(OutboundPipe(limiter, fence=fence))
        .updater(None)
    )
    application: CoachApplication = builder.build()
    add_handlers(application, Callbacks(coach, AdminCheck(), questions))
    return application


def reminder_bot(settings: Settings, *, request: BaseRequest | None = None) -> Bot:
    """The bot reminders go out on: the tick paces them on the Telegram limiter itself, so
    they skip the Application bot's pipe."""
    return Bot(bot_token(settings), *api_urls(settings), request=request or AiohttpRequest())


def add_handlers(application: CoachApplication, callbacks: Callbacks) -> None:
    """Every handler, in the order they are tried (written once, here).

    In groups and channels only commands, buttons, replies to the bot's own messages and
    membership changes reach the coach; ordinary chatter is never seen by a handler, nor are
    edits there. In a private chat, an edited text gets a line saying edits are not read, and
    any other new message (a sticker, a photo, a voice note...) gets a pointer to /help.
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
            MessageHandler(
                private & filters.UpdateType.EDITED_MESSAGE & filters.TEXT, callbacks.edited
            ),
            CallbackQueryHandler(callbacks.button),
        ]
    )
    application.add_error_handler(on_error)
