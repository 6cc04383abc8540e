"""``trailcoach run``: the Telegram bot, by polling or by webhook."""

from __future__ import annotations

import argparse
import sys
from typing import Any
from urllib.parse import urlsplit

from telegram.error import TelegramError

from bot.log import configure_logging, redact
from bot.runtime import tune_garbage_collector
from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.settings import Settings, load_settings
from handlers.telegram.application import CoachApplication, build_application
from handlers.telegram.start_up import start_up_problem

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
    application = build_application(settings, Coach(ServiceContext.from_settings(settings)))
    tune_garbage_collector()
    try:
        _serve(application, settings)
    except TelegramError as error:
        api = str(settings.telegram_api_base_url).rstrip("/")
        line, status = start_up_problem(error, api=api)
        print(redact(f"trailcoach: {line}", settings.secrets), file=sys.stderr)
        return status
    return 0


def _serve(application: CoachApplication, settings: Settings) -> None:
    if settings.webhook_url is not None and settings.webhook_secret is not None:
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=urlsplit(str(settings.webhook_url)).path.lstrip("/"),
            webhook_url=str(settings.webhook_url),
            secret_token=settings.webhook_secret.get_secret_value(),
        )
    else:
        application.run_polling()
