"""Logging set-up: plain lines, with every secret redacted wherever it appears, and nothing
that would bury what matters (a start-up failure comes last, and stands out)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import quote

from bot.log_libraries import guard_libraries

# A Telegram bot token anywhere in a line, e.g. inside https://api.telegram.org/bot<token>/getMe,
# with its colon as is or percent-encoded (once or twice), as a proxy's error page may quote it.
_TOKEN_PATTERN = re.compile(r"\d{3,}(?::|%3[Aa]|%253[Aa])[A-Za-z0-9_-]{30,}")
REDACTED = "[REDACTED]"


def _forms(secret: str) -> set[str]:
    """Every way ``secret`` can reach a log line: as is, percent-encoded once or twice, and,
    for a Telegram bot token (``<bot id>:<key>``) or a Discord one (``<bot id>.<time>.<key>``),
    its key alone, which no encoding changes."""
    once = quote(secret, safe="")
    lower = re.sub(r"%[0-9A-F]{2}", lambda escape: escape[0].lower(), once)
    forms = {secret, once, lower, quote(once, safe="")}
    bot_id, colon, key = secret.partition(":")
    if colon and bot_id.isdigit() and key:
        forms.add(key)
    parts = secret.split(".")
    if len(parts) == 3 and all(parts):
        forms.add(parts[2])
    return forms


# Lines about what the bot does not do: discord.py's warnings that voice needs libraries the
# bot never installs, and APScheduler's that a tick is still running when the next is due
# (the tick never overlaps itself by design; a long rate-limit pause is logged by the limiter).
_IRRELEVANT = ("voice will NOT be supported", "maximum number of running instances reached")


def relevant(record: logging.LogRecord) -> bool:
    """Whether a record says something about what the bot does."""
    message = record.getMessage()
    return not any(words in message for words in _IRRELEVANT)


class RedactingFormatter(logging.Formatter):
    """Formats a record, tracebacks included, then masks secrets and token-shaped text."""

    def __init__(self, fmt: str, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        forms = {form for secret in secrets if secret for form in _forms(secret)}
        self._secrets = tuple(sorted(forms, key=len, reverse=True))  # the longest form first

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        """The text with every form of every known secret and every token-shaped string masked."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_PATTERN.sub(REDACTED, text)


def configure_logging(level: str, *, secrets: Iterable[str] = (), json: bool = False) -> None:
    """Send redacted log lines to stderr, plain or (``json``) one JSON object each
    (``bot.log_json``); keep the libraries' lines to their own words (``bot.log_libraries``);
    quiet the chatty HTTP client and scheduler."""
    handler = logging.StreamHandler()
    handler.setFormatter(_formatter(secrets, json=json))
    handler.addFilter(relevant)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    guard_libraries(level)
    # httpx logs every request URL at INFO, and Telegram URLs carry the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # Alembic says a line per migration; bot.storage.migrate says one for them all.
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _formatter(secrets: Iterable[str], *, json: bool) -> logging.Formatter:
    if json:
        from bot.log_json import JsonFormatter

        return JsonFormatter(secrets)
    return RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every form of ``secrets`` and every token-shaped string masked."""
    return RedactingFormatter("%(message)s", secrets).redact(text)
