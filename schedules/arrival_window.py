"""Telegram's overall limit, counted by when messages can have reached Telegram."""

from __future__ import annotations

import asyncio
from collections import deque


class ArrivalWindow:
    """At most ``capacity`` messages in flight or answered within the last ``seconds``.

    A message reaches Telegram somewhere between being let go and being answered. So a
    message let go only while fewer than ``capacity`` others are in flight or were answered
    within ``seconds`` can never be one of ``capacity + 1`` arrivals within ``seconds``,
    however unevenly the requests travel.
    """

    def __init__(self, capacity: int, seconds: float = 1.0) -> None:
        self.capacity = capacity
        self.seconds = seconds
        self._flying = 0
        self._answers: deque[float] = deque()
        self._landed = asyncio.Event()

    def ready(self, now: float) -> float | None:
        """When one more message may go (``now`` or later); None until one in flight lands."""
        while self._answers and self._answers[0] <= now - self.seconds:
            self._answers.popleft()
        over = self._flying + len(self._answers) - self.capacity  # answers to age out, less one
        if over < 0:
            return now
        if over < len(self._answers):
            return self._answers[over] + self.seconds
        return None

    async def landing(self) -> None:
        """Return once a message in flight has been answered."""
        await self._landed.wait()

    def take(self) -> None:
        """Count a message let go."""
        self._flying += 1

    def give_back(self) -> None:
        """Uncount a message that was let go but not sent after all."""
        self._flying -= 1

    def answered(self, now: float) -> None:
        """Count a message in flight as answered at ``now``, and wake whoever waits."""
        self._flying -= 1
        self._answers.append(now)
        self._landed.set()
        self._landed = asyncio.Event()
