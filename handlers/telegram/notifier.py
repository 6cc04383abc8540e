"""The Telegram notifier: sends a reminder and names each Bot API failure for the tick."""

from __future__ import annotations

from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.delivery.notifier import Rejected, RetryLater, Transient, Unreachable
from bot.services.presentation.replies import Message
from handlers.live_questions import LiveQuestions
from handlers.telegram.messages import send_one

CHAT_GONE = ("chat not found", "user not found", "peer_id_invalid")


class TelegramNotifier:
    """Sends reminders through one ``telegram.Bot``."""

    def __init__(self, bot: Bot, questions: LiveQuestions) -> None:
        self.bot = bot
        self.questions = questions

    async def send(self, chat_id: str, message: Message, *, nonce: str) -> str:
        """Send one message; raise the ``DeliveryError`` that says what to do on failure.

        The Bot API has no idempotency key, so ``nonce`` goes unused.
        """
        try:
            sent = await send_one(self.bot, chat_id, message, self.questions)
        except RetryAfter as error:
            raise RetryLater(seconds(error.retry_after)) from error
        except Forbidden as error:
            raise Unreachable(error.message) from error
        except BadRequest as error:
            if any(text in error.message.lower() for text in CHAT_GONE):
                raise Unreachable(error.message) from error
            raise Rejected(error.message) from error
        except NetworkError as error:  # timeouts, 5xx and dropped connections
            raise Transient(error.message) from error
        except TelegramError as error:
            raise Rejected(error.message) from error
        return str(sent.message_id)


def seconds(period: int | float | timedelta) -> float:
    """A Bot API time period in seconds, whether PTB gives an int or a timedelta."""
    return period.total_seconds() if isinstance(period, timedelta) else float(period)
