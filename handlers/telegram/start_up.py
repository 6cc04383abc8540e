"""Why the bot could not start, in one line an operator can act on."""

from __future__ import annotations

from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError

from handlers.lifecycle import CONFIGURATION, UNAVAILABLE, first_line


def start_up_problem(error: TelegramError, *, api: str) -> tuple[str, int]:
    """The one line that says what stopped the start, and the exit status for it.

    The line never quotes the token: a rejected token is named by its setting alone, and a
    server's answer is cut to its first line (the caller also redacts it).
    """
    if isinstance(error, InvalidToken):
        return (
            f"the Bot API at {api} did not accept the bot token (a revoked token, or a wrong "
            "address). Check TELEGRAM_BOT_TOKEN (from @BotFather), and TELEGRAM_API_BASE_URL "
            "if you set it.",
            CONFIGURATION,
        )
    reason = first_line(error.message)
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        return (
            f"cannot reach the Bot API at {api} ({reason}). Check the network and "
            "TELEGRAM_API_BASE_URL, then start the bot again.",
            UNAVAILABLE,
        )
    return f"the Bot API at {api} refused a start-up call ({reason}).", UNAVAILABLE
