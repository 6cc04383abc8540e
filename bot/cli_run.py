"""``trailcoach run``: the Telegram bot, by polling or by webhook."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

from telegram.error import TelegramError

from bot.log import configure_logging, redact
from bot.runtime import tune_garbage_collector, until_stopped
from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.settings import Settings, load_settings
from handlers.calendar_feed import calendar_route
from handlers.telegram.application import CoachApplication, build_application
from handlers.telegram.start_up import start_up_problem
from handlers.telegram.webhook import TelegramWebhook
from handlers.web import WebServer

NO_TOKEN = (
    "trailcoach: TELEGRAM_BOT_TOKEN is not set. Copy .env.example to .env and put your token "
    "from @BotFather there, or try the coach offline with: python -m bot chat"
)


def register(subparsers: Any) -> None:
    """Add the ``run`` command."""
    parser = subparsers.add_parser("run", help="run the Telegram bot (polling, or webhook)")
    parser.set_defaults(handler=run)


def run(_args: argparse.Namespace) -> int:
    """Run the bot until interrupted; a failed start is one line and a non-zero status."""
    settings = load_settings()
    if settings.telegram_bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    configure_logging(settings.log_level, secrets=settings.secrets)
    coach = Coach(ServiceContext.from_settings(settings))
    application = build_application(settings, coach)
    tune_garbage_collector()
    try:
        _serve(application, settings, coach.ctx)
    except TelegramError as error:
        api = str(settings.telegram_api_base_url).rstrip("/")
        line, status = start_up_problem(error, api=api)
        print(redact(f"trailcoach: {line}", settings.secrets), file=sys.stderr)
        return status
    return 0


def _serve(application: CoachApplication, settings: Settings, ctx: ServiceContext) -> None:
    if settings.webhook_url is not None and settings.webhook_secret is not None:
        asyncio.run(serve_webhook(application, settings, ctx))
    else:
        application.run_polling()


async def serve_webhook(
    application: CoachApplication,
    settings: Settings,
    ctx: ServiceContext,
    *,
    until: Callable[[], Awaitable[object]] = until_stopped,
) -> None:
    """The bot by webhook on its own web server, which also serves calendar subscriptions;
    everything started is stopped in reverse when ``until`` returns (or start-up fails)."""
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    webhook = TelegramWebhook(
        application,
        url=str(settings.webhook_url),
        secret=settings.webhook_secret.get_secret_value(),
    )
    server = WebServer(
        [webhook.route, calendar_route(ctx)],
        host=settings.webhook_listen,
        port=settings.webhook_port,
    )
    async with AsyncExitStack() as started:
        await webhook.start()
        started.push_async_callback(webhook.stop)
        await server.start()
        started.push_async_callback(server.stop)
        await webhook.announce()  # only now that the server listens
        await until()
