"""How the tick reaches a chat: one notifier per platform, with its failures made plain."""

from __future__ import annotations

from typing import Protocol

from bot.services.presentation.replies import Message


class Notifier(Protocol):
    """Sends one message to a chat on one platform."""

    async def send(self, chat_id: str, message: Message, *, nonce: str) -> str:
        """Send ``message``; return the platform's message id, or raise a ``DeliveryError``.

        ``nonce`` (at most 25 characters) is the same on every try of one message: a platform
        that can deduplicate by it (Discord) delivers a retried message once.
        """
        ...


class DeliveryError(Exception):
    """A message did not go out."""


class RetryLater(DeliveryError):
    """The platform asked to wait ``seconds`` before any more messages (HTTP 429)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"flood control: retry after {seconds:g} s")
        self.seconds = seconds


class Transient(DeliveryError):
    """A server error, a timeout or a network failure: worth a few more tries."""


class Unreachable(DeliveryError):
    """The person blocked the bot, deleted their account, or the chat is gone."""


class Rejected(DeliveryError):
    """The platform refused this message for good (a bad request)."""
