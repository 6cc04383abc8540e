"""One limiter for every outgoing message: Telegram's per-bot, per-chat and per-group limits.

Each message reserves the earliest slot that respects every limit, then sleeps until it.
Reserving happens without awaiting, so concurrent callers never take the same slot. A
``retry_after`` from Telegram pauses everyone (the reminder tick's burst), or one chat (a
reply).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable

PER_CHAT_SECONDS = 1.0  # at least this long between two messages to one chat
GROUP_WINDOW_SECONDS = 60.0
GROUP_MESSAGES_PER_WINDOW = 20
_SLACK = 1e-6  # keeps float sums from landing a hair inside a window
_MARGIN = 1.03  # 3% wider spacing overall, for jitter between our clock and Telegram's
_PRUNE_AT = 10_000  # forget chats whose spacing has passed once this many are remembered


def is_group(chat_id: str) -> bool:
    """Whether a chat is a group or channel (20 a minute): Telegram's ids for them are negative."""
    return chat_id.startswith("-")


class RateLimiter:
    """Spaces messages: ``per_second`` overall, 1 s per chat, 20 a minute per group."""

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._interval = _MARGIN / per_second
        self._clock = clock
        self._sleep = sleep
        self._next_any = 0.0
        self._next_chat: dict[str, float] = {}
        self._group_sent: defaultdict[str, deque[float]] = defaultdict(deque)
        self._paused_until = 0.0

    async def wait(self, chat_id: str, *, group: bool = False) -> None:
        """Return when one message to ``chat_id`` may go out."""
        while True:
            slot = self._reserve(chat_id, group)
            if slot > self._clock():
                await self._sleep(slot - self._clock())
            if self._clock() >= self._paused_until:
                return

    def pause(self, seconds: float, *, chat_id: str | None = None) -> None:
        """Hold every message, or only those to ``chat_id``, for ``seconds`` (``retry_after``)."""
        until = self._clock() + seconds
        if chat_id is not None:
            self._next_chat[chat_id] = max(self._next_chat.get(chat_id, 0.0), until)
            return
        self._paused_until = max(self._paused_until, until)
        self._next_any = max(self._next_any, self._paused_until)

    def _reserve(self, chat_id: str, group: bool) -> float:
        now = self._clock()
        slot = max(now, self._next_any, self._paused_until, self._next_chat.get(chat_id, 0.0))
        if group:
            sent = self._group_sent[chat_id]
            while sent and sent[0] <= slot - GROUP_WINDOW_SECONDS:
                sent.popleft()
            if len(sent) >= GROUP_MESSAGES_PER_WINDOW:
                slot = max(slot, sent[-GROUP_MESSAGES_PER_WINDOW] + GROUP_WINDOW_SECONDS + _SLACK)
            sent.append(slot)
        self._next_any = slot + self._interval
        if len(self._next_chat) >= _PRUNE_AT:
            self._forget_before(now)
        self._next_chat[chat_id] = slot + PER_CHAT_SECONDS + _SLACK
        return slot

    def _forget_before(self, now: float) -> None:
        self._next_chat = {chat: t for chat, t in self._next_chat.items() if t > now}
        for chat in [
            c for c, sent in self._group_sent.items() if sent[-1] <= now - GROUP_WINDOW_SECONDS
        ]:
            del self._group_sent[chat]
