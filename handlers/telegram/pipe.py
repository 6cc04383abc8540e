"""The bot's outbound pipe: every Bot API call of the Application's bot passes through it.

A call that posts a new message in a chat (``send*`` but chat actions, ``copyMessage``,
``forwardMessage``) is sent in its slot on the platform's one ``RateLimiter``, which the
reminder tick shares. Any call answered with 429 waits ``retry_after`` and is tried again,
up to ``flood_waits`` times; only that chat is held meanwhile, so other conversations go on.
A reply that must wait, on the limiter or a 429, first gives its update's place among those
handled at once to the next update (``slots.give_back``). A call for an update that is no
longer this instance's to answer (``fence``: it outlived its lease meanwhile, and another may
have taken the conversation over) is not made: it raises ``Lapsed``.

An edit (``editMessage*``) is answered ``True``. Telegram answers it with the edited message,
which the coach never reads, and python-telegram-bot would build a ``Message`` of it, about a
third of the edit's CPU (docs/benchmarks.md); ``True`` is what the Bot API answers for the
edit of an inline message, and the library's edits return ``Message | bool``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import nullcontext
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.delivery.rate_limit import RateLimiter
from bot.services.infrastructure.inbound import Lapsed
from handlers.telegram.notifier import seconds
from handlers.telegram.slots import give_back

POSTS = ("send", "copyMessage", "forwardMessage")
NOT_A_POST = frozenset({"sendChatAction"})
EDITS = "editMessage"

Answer = bool | dict[str, Any] | list[dict[str, Any]]


def in_a_group(chat_id: str) -> bool:
    """Whether a Bot API call's chat is a group, supergroup or channel (20 messages a minute).

    The pipe sees only the call's ``chat_id``, not the chat, and in the Bot API those chats'
    ids are negative (a private chat's id is the user's, positive). The reminder tick does not
    need this: it knows a club's chat from a runner's.
    """
    return chat_id.startswith("-")


def posts_a_message(endpoint: str) -> bool:
    """Whether a Bot API method puts a new message in a chat (what Telegram's limits count)."""
    return endpoint.startswith(POSTS) and endpoint not in NOT_A_POST


class OutboundPipe(BaseRateLimiter[None]):
    """Paces new messages on the shared limiter and waits out 429s, boundedly; makes a call
    only while ``fence`` says the update it answers is still this instance's."""

    def __init__(
        self,
        limiter: RateLimiter,
        *,
        fence: Callable[[], Awaitable[bool]] | None = None,
        flood_waits: int = 5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limiter = limiter
        self.fence = fence
        self.flood_waits = flood_waits
        self._sleep = sleep

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Answer]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Answer:
        """Make the call when the limits allow it; on 429, wait and try again. An edit is
        answered True."""
        chat = data.get("chat_id")
        paced = chat is not None and posts_a_message(endpoint)
        floods = 0
        while True:
            pacing = (
                self.limiter.slot(str(chat), group=in_a_group(str(chat)), waiting=give_back)
                if paced
                else nullcontext()
            )
            try:
                async with pacing:
                    if self.fence is not None and not await self.fence():
                        raise Lapsed(endpoint)
                    answer = await callback(*args, **kwargs)
                return True if endpoint.startswith(EDITS) else answer
            except RetryAfter as error:
                floods += 1
                if floods > self.flood_waits:
                    raise
                give_back()
                wait = seconds(error.retry_after)
                if paced:
                    self.limiter.pause(wait, chat_id=str(chat))
                else:
                    await self._sleep(wait)
