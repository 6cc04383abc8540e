"""Telegram's broadcast limits, enforced strictly over sliding windows of an injectable clock."""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimits:
    """Message limits per bot, per chat and per group.

    Telegram documents about 30 messages a second per bot, 1 a second per chat and 20 a
    minute per group, and tolerates short bursts. The fake tolerates none: a message that
    would exceed any window is answered with 429 and a `retry_after`.
    """

    per_bot_per_second: int = 30
    per_chat_per_second: int = 1
    per_group_per_minute: int = 20


class _Window:
    """Timestamps of the messages accepted within the last `seconds`."""

    def __init__(self, limit: int, seconds: float):
        self.limit = limit
        self.seconds = seconds
        self._times: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Return how long until one more message fits, 0 if it fits now."""
        while self._times and self._times[0] <= now - self.seconds:
            self._times.popleft()
        if len(self._times) < self.limit:
            return 0.0
        return self._times[0] + self.seconds - now

    def add(self, now: float) -> None:
        """Count a message accepted at `now`."""
        self._times.append(now)


class RateLimiter:
    """Accepts or rejects each message against every window it falls in."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float]):
        self.violations = 0
        self._clock = clock
        self._bot = _Window(limits.per_bot_per_second, 1.0)
        self._chats: defaultdict[int | str, _Window] = defaultdict(
            lambda: _Window(limits.per_chat_per_second, 1.0)
        )
        self._groups: defaultdict[int | str, _Window] = defaultdict(
            lambda: _Window(limits.per_group_per_minute, 60.0)
        )

    def admit(self, chat_id: int | str, *, is_group: bool) -> int | None:
        """Count a message to `chat_id`, or return the whole seconds to wait if it is over."""
        now = self._clock()
        windows = [self._bot, self._chats[chat_id]]
        if is_group:
            windows.append(self._groups[chat_id])
        wait = max(window.wait(now) for window in windows)
        if wait > 0:
            self.violations += 1
            return max(1, math.ceil(wait))
        for window in windows:
            window.add(now)
        return None
