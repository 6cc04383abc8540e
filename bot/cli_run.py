"""``trailcoach run``: the bot on every platform that has a token (see ``bot.bootstrap``)."""

from __future__ import annotations

import argparse
import sys

from bot import bootstrap
from bot.log import configure_logging, redact
from bot.settings import load_settings
from handlers.lifecycle import CannotRun

NO_TOKEN = (
    "trailcoach: neither TELEGRAM_BOT_TOKEN nor DISCORD_BOT_TOKEN is set. Copy .env.example to "
    ".env and put your token from @BotFather or the Discord Developer Portal there, or try the "
    "coach offline with: python -m bot chat"
)


def run(_args: argparse.Namespace) -> int:
    """Run the bot until interrupted; a failed start is one line and a non-zero status."""
    settings = load_settings()
    if settings.telegram_bot_token is None and settings.discord_bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    configure_logging(
        settings.log_level, secrets=settings.secrets, json=settings.log_format == "json"
    )
    try:
        bootstrap.run(settings)
    except CannotRun as error:  # last, after a blank line, so it stands out of the log
        print(redact(f"\ntrailcoach: {error.line}", settings.secrets), file=sys.stderr)
        return error.status
    return 0
