"""SQLite's WAL kept small: a checkpoint every few seconds, on a task of its own.

Commits never copy the WAL into the database file (``wal_autocheckpoint=0``: they run on the
event loop), so this task does, every ``CHECKPOINT_SECONDS``, whatever else the bot is busy
with (``Database.checkpoint``). A checkpoint that copied every page lets the next commit start
the WAL over from its beginning, cut back to ``sqlite.WAL_LIMIT``; one that left the WAL
larger than that (readers held it, or a burst of writes) is followed by a truncating one. So
the WAL holds at most about ``WAL_LIMIT`` plus what the bot writes in one interval. A
checkpoint that fails (a full disk, a read-only file) is counted as part of the database's
outage, and the next one tries again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.storage.database import Database

logger = logging.getLogger(__name__)

CHECKPOINT_SECONDS = 5.0
PART = "the WAL checkpoint"  # its name in the database's outages


class Checkpoints:
    """Checkpoints ``database`` every ``seconds`` between ``start`` and ``stop`` (SQLite
    only); tests give their ``sleep``."""

    def __init__(
        self,
        database: Database,
        *,
        seconds: float = CHECKPOINT_SECONDS,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.database = database
        self.seconds = seconds
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self._running = asyncio.Lock()  # held while a checkpoint runs

    def start(self) -> None:
        """Start checkpointing on the running event loop, if the database is a SQLite file."""
        if self.database.file is not None and self._task is None:
            self._task = asyncio.create_task(self._every(), name="wal-checkpoints")

    async def stop(self) -> None:
        """Let a checkpoint in progress finish, and stop; the database's last connection
        copies the rest of the WAL as it closes."""
        if self._task is None:
            return
        task, self._task = self._task, None
        async with self._running:
            task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    async def run_once(self) -> None:
        """One checkpoint; a failure is counted as an outage (or logged, if it is a bug)."""
        outages = self.database.outages
        try:
            await self.database.checkpoint()
        except Exception as error:
            if outages.failed(PART, error) is None:
                logger.exception("the WAL checkpoint failed")
        else:
            outages.answered(PART)

    async def _every(self) -> None:
        while True:
            await self._sleep(self.seconds)
            async with self._running:
                await self.run_once()
