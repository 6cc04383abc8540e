"""Polling with several instances: exactly one polls Telegram, the one holding the polling
lease in the database; the others handle the updates left by an instance that stopped (the
conversations' sweep) and run the reminder tick, ready to take over.

Every beat (``Instance.every``) each instance tries the lease (``Instance.take``): the
holder keeps it, anyone else gets it only once the holder has stopped beating for the
instance lease (``INSTANCE_LEASE_SECONDS``). So when the poller dies, another polls within
the lease plus one beat, from the offset Telegram still holds: an update it had not
confirmed comes again and is dropped as stored, one it had stored waits in the inbox. A
poller that finds the lease taken (it was held up past the lease) stops polling; until it
notices, Telegram answers one of the two polls with a conflict, and an update stored twice
is one row. A clean stop gives the lease up at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.services.infrastructure.instances import Instance
from handlers.lifecycle import first_line
from handlers.telegram.callbacks import PLATFORM
from handlers.telegram.polling import Polling

logger = logging.getLogger(__name__)

LEASE_KEY = "polling"  # the lease (``PLATFORM``, ``LEASE_KEY``) of the one poller


class Leader:
    """``polling``, run only while ``instance`` holds the polling lease."""

    def __init__(
        self,
        polling: Polling,
        instance: Instance,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.polling = polling
        self.instance = instance
        self.leading = False
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Try the lease now (polling at once if this instance takes it), then again at
        every beat, until ``stop``."""
        await self.try_lead()
        self._task = asyncio.create_task(self._run(), name="telegram-leader")

    def connected(self) -> bool:
        """Running; and, while leading, polling whose last ``getUpdates`` did not fail."""
        running = self._task is not None and not self._task.done()
        return running and (not self.leading or self.polling.connected())

    async def wait(self) -> None:
        """Return once stopped; raise what stopped it by itself (a token Telegram no longer
        accepts)."""
        assert self._task is not None, "the leader was started"
        await asyncio.wait([self._task])
        if not self._task.cancelled() and (error := self._task.exception()) is not None:
            raise error

    async def stop(self) -> None:
        """Stop trying, stop polling (confirming what was stored), and give the lease up."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self.leading:
            await self.polling.stop()
            self.leading = False
            with contextlib.suppress(Exception):  # it lapses by itself otherwise
                await self.instance.give_up(PLATFORM, LEASE_KEY)

    async def _run(self) -> None:
        while True:
            if self.leading:
                await self._sleep_or_fail()
            else:
                await self._sleep(self.instance.every)
            await self.try_lead()

    async def try_lead(self) -> None:
        """Take or keep the lease; start polling on taking it, stop on losing it."""
        try:
            holds = await self.instance.take(PLATFORM, LEASE_KEY)
        except Exception as error:  # the database is out: nobody else can take it either
            logger.warning("could not take the polling lease (%s)", first_line(str(error)))
            return
        if holds and not self.leading:
            logger.info("this instance polls Telegram now")
            await self.polling.start()
            self.leading = True
        elif not holds and self.leading:
            logger.warning("another instance polls Telegram now; this one stops polling")
            await self.polling.stop()
            self.leading = False

    async def _sleep_or_fail(self) -> None:
        """Sleep one beat, unless polling stops by itself first (a token Telegram no longer
        accepts: raised)."""
        polling = asyncio.create_task(self.polling.wait())
        pause = asyncio.ensure_future(self._sleep(self.instance.every))
        try:
            await asyncio.wait([polling, pause], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (polling, pause):
                task.cancel()
            await asyncio.gather(polling, pause, return_exceptions=True)
        if polling.done() and not polling.cancelled() and (error := polling.exception()):
            raise error
