"""Events of one key are handled one at a time, in the order they arrived; other keys' run
side by side. Both adapters take turns per person, so no platform lets two quick presses or
messages of one runner race on the same dialog; the coach takes turns per club setup, which
several admins may answer at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class Turns:
    """Takes turns per key; ``waiting`` counts events waiting for an earlier one of theirs."""

    def __init__(self) -> None:
        self._last: dict[Hashable, asyncio.Future[None]] = {}
        self.waiting = 0

    @asynccontextmanager
    async def turn(self, key: Hashable | None) -> AsyncIterator[None]:
        """Wait for the previous event of ``key`` (None: of nobody) to finish, then run. An
        event cancelled while it waits hands its place on: the next still waits for the one
        before it."""
        if key is None:
            yield
            return
        previous = self._last.get(key)
        finished = asyncio.get_running_loop().create_future()
        self._last[key] = finished  # taken before the first await: arrival order holds
        try:
            if previous is not None:
                self.waiting += 1
                try:
                    await asyncio.shield(previous)  # a cancelled wait leaves it for the rest
                finally:
                    self.waiting -= 1
            yield
        finally:
            if previous is None or previous.done():
                self._finish(key, finished)
            else:
                previous.add_done_callback(lambda _: self._finish(key, finished))

    def _finish(self, key: Hashable, finished: asyncio.Future[None]) -> None:
        finished.set_result(None)
        if self._last.get(key) is finished:
            del self._last[key]
