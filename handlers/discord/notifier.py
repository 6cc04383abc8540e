"""The Discord notifier: sends a reminder or a club post and names each failure for the tick.

Discord's error code, not the HTTP status, says what went wrong. discord.py already retries
500, 502, 504 and 524 itself, so a server error that reaches here is final for this tick.
"""

from __future__ import annotations

import aiohttp
import discord
from discord.utils import MISSING

from bot.delivery.notifier import Rejected, RetryLater, Transient, Unreachable
from bot.services.presentation.replies import Message
from handlers.discord.messages import outgoing
from handlers.discord.send import moved_on
from handlers.live_questions import LiveQuestions

UNREACHABLE = frozenset(
    {
        50007,  # cannot send messages to this user (DMs closed, bot blocked)
        50278,  # cannot send messages to this user: no mutual servers
        10003,  # unknown channel (deleted)
        10013,  # unknown user (account deleted)
        50001,  # missing access (removed, or the channel is hidden from the bot)
        50013,  # missing permissions (may no longer send in the channel)
    }
)
CLOUDFLARE_WAIT = 60.0  # seconds to wait after a 429 that did not come from Discord's API


class DiscordNotifier:
    """Sends reminders through one logged-in ``discord.Client`` (no gateway needed)."""

    def __init__(self, client: discord.Client, questions: LiveQuestions) -> None:
        self.client = client
        self.questions = questions

    async def send(self, chat_id: str, message: Message, *, nonce: str) -> str:
        """Send one message to a channel (a runner's DM channel or a club's channel); the
        nonce makes Discord return the first message if the same one is sent again soon.
        Raise the ``DeliveryError`` that says what to do on failure."""
        channel = self.client.get_partial_messageable(int(chat_id))
        try:
            sent = None
            for number, part in enumerate(outgoing(message)):
                sent = await channel.send(
                    part.content,
                    view=part.view or MISSING,
                    file=part.file or MISSING,
                    nonce=nonce if number == 0 else f"{nonce}+{number}",
                )
        except discord.RateLimited as error:  # longer than max_ratelimit_timeout
            raise RetryLater(error.retry_after) from error
        except discord.DiscordServerError as error:  # after the library's own retries
            raise Transient(f"{error.status} {error.text}") from error
        except discord.HTTPException as error:
            if error.code in UNREACHABLE:
                raise Unreachable(f"{error.code} {error.text}") from error
            if error.status == 429:
                raise RetryLater(CLOUDFLARE_WAIT) from error
            raise Rejected(f"{error.status}/{error.code} {error.text}") from error
        except (aiohttp.ClientError, OSError) as error:  # TimeoutError is an OSError
            raise Transient(type(error).__name__) from error
        if sent is None:
            raise Rejected("the message had nothing to send")
        await moved_on(sent, message, self.questions)
        return str(sent.id)
