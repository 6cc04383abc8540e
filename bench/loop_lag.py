"""How late the event loop runs a timer while something else works on it: its longest stall.

Two figures: the wall-clock lateness (what a button press waiting behind the work would
feel, the machine's other processes included) and the loop thread's own CPU time in that
interval (the part the code itself holds the loop for; the database driver's thread and
other processes do not count).
"""

from __future__ import annotations

import asyncio
import time

TICK = 0.002  # seconds between the watcher's wake-ups


class LoopLag:
    """Wakes up every ``TICK`` seconds and keeps the worst lateness seen, in milliseconds."""

    def __init__(self) -> None:
        self.worst_ms = 0.0
        self.worst_cpu_ms = 0.0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> LoopLag:
        self._task = asyncio.create_task(self._watch())
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._task.cancel()

    async def _watch(self) -> None:
        while True:
            started, cpu = time.perf_counter(), time.thread_time()
            await asyncio.sleep(TICK)
            late = (time.perf_counter() - started - TICK) * 1000
            self.worst_ms = max(self.worst_ms, late)
            self.worst_cpu_ms = max(self.worst_cpu_ms, (time.thread_time() - cpu) * 1000)
