"""The places of the few updates handled at once; a reply that must wait gives its back.

``conversations.py`` bounds how many updates are handled at once. A reply
can wait long on Telegram's limits (behind a reminder burst, a group's minute, a 429's
``retry_after``) without using anything the bound protects, so the outbound pipe gives the
update's place to the next update before such a wait (``give_back``): a reply held by the
limiter holds up no other conversation. Its own conversation still waits for it: the update
keeps its turn until it is done. With one place there is nothing to lend: one update at a
time, reply and all.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

# The current update's place, while it holds one: a list shared by every task the update's
# handling starts (each copies the context), so the place is given back once.
_held: ContextVar[list[Slots] | None] = ContextVar("held", default=None)


class Slots:
    """``limit`` places."""

    def __init__(self, limit: int) -> None:
        self._free = asyncio.Semaphore(limit)
        self._lends = limit > 1

    @asynccontextmanager
    async def place(self) -> AsyncIterator[None]:
        """Hold a place while the block runs, unless it is given back sooner."""
        await self._free.acquire()
        held = [self]
        token = _held.set(held if self._lends else None)
        try:
            yield
        finally:
            _held.reset(token)
            if held:
                held.pop().release()

    def release(self) -> None:
        """Give a place back."""
        self._free.release()


def give_back() -> None:
    """Give the current update's place to the next update (once; outside one, nothing)."""
    held = _held.get()
    if held:
        held.pop().release()
