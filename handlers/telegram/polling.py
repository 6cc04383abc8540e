"""Long polling, owned here: ``getUpdates``, store the updates in the inbox, hand them on.

The offset of each ``getUpdates`` confirms every update before it to Telegram, so a poll
goes out only once the updates it confirms are stored (``intake.py``). A poll or a store
that fails is followed by a pause (1 s, growing by half each time it fails again, to 30 s;
``sleep`` is injected); a poll the network timed out goes again at once; a token Telegram no
longer accepts stops polling (``wait`` raises it). An answer that cannot be read
(``reading.py``) is asked for again one update at a time, so the one update that even alone
cannot be read is found and set aside (stored with its id alone), and everyone after it is
answered. Each update is stored as the answer held it (``UpdatesRequest.sent``). ``stop``
lets a store in hand finish, then confirms what was stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from telegram import Bot
from telegram.error import InvalidToken, TelegramError, TimedOut

from handlers.lifecycle import first_line
from handlers.telegram.intake import Intake, StoreFailed
from handlers.telegram.reading import Arrived, Unreadable, UpdatesRequest, set_aside

logger = logging.getLogger(__name__)

BATCH = 100  # updates a poll asks for: the Bot API's most
LONG_POLL = 10  # seconds Telegram holds a poll open while nothing comes (an int: PTB 22.0)
FIRST_PAUSE, LONGEST_PAUSE, GROWTH = 1.0, 30.0, 1.5  # seconds, after a failed poll or store

T = TypeVar("T")


class Polling:
    """Polls ``bot`` (whose ``getUpdates`` goes through ``answers``) into ``intake``."""

    def __init__(
        self,
        bot: Bot,
        intake: Intake,
        answers: UpdatesRequest,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.intake = intake
        self.sleep = sleep
        self._answers = answers
        self._offset: int | None = None  # the next update wanted; it confirms all before it
        self._sent: int | None = None  # the offset Telegram was last sent
        self._pause = 0.0
        self._alone = 0  # how many more polls ask for one update at a time
        self._stopping = False
        self._failed = False  # whether the last getUpdates failed (readiness)
        self._interruptible = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Remove any webhook (Telegram serves one or the other), then poll until ``stop``
        (again after a ``stop``: from the offset Telegram holds)."""
        await self.bot.delete_webhook()
        self._stopping, self._offset, self._sent, self._alone = False, None, None, 0
        self._task = asyncio.create_task(self._run(), name="telegram-polling")

    def connected(self) -> bool:
        """Polling runs, and its last ``getUpdates`` did not fail."""
        return self._task is not None and not self._task.done() and not self._failed

    async def wait(self) -> None:
        """Return once polling has ended; raise what ended it by itself."""
        assert self._task is not None, "polling was started"
        await asyncio.wait([self._task])
        if not self._task.cancelled() and (error := self._task.exception()) is not None:
            raise error

    async def stop(self) -> None:
        """Stop polling (a poll or a pause at once, a store once it is done), then confirm
        what was stored."""
        if self._task is None:
            return
        self._stopping = True
        if self._interruptible:
            self._task.cancel()
        await asyncio.wait([self._task])
        if self._offset != self._sent:
            try:
                await self.bot.get_updates(offset=self._offset, limit=1, timeout=0)
            except TelegramError as error:  # Telegram sends them again; they are dropped then
                logger.warning("could not confirm the last updates (%s)", type(error).__name__)

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self._poll()
            except InvalidToken:
                raise
            except TimedOut:
                continue  # a long poll cut short by the network: poll again at once
            except StoreFailed:  # logged by the intake; Telegram sends the updates again
                await self._rest()
            except TelegramError as error:
                self._failed = True
                logger.warning(
                    "getUpdates failed (%s: %s)", type(error).__name__, first_line(error.message)
                )
                await self._rest()
            else:
                self._failed, self._pause = False, 0.0

    async def _poll(self) -> None:
        """One ``getUpdates``: its updates stored and handed on, or an unreadable update
        set aside."""
        alone = self._alone > 0
        self._sent = self._offset
        answered = self._answers.answered
        try:
            updates = await self._interruptibly(
                self.bot.get_updates(
                    offset=self._offset, limit=1 if alone else BATCH, timeout=LONG_POLL
                )
            )
        except Unreadable as error:
            reason = error.message
        except TelegramError:
            raise
        except Exception as error:
            if self._answers.answered == answered:
                raise  # it failed before any answer came: a bug, not an unreadable update
            reason = f"python-telegram-bot cannot read it: {type(error).__name__}"
        else:
            self._alone = self._alone - 1 if alone and updates else 0
            await self._take(
                [Arrived(*read) for read in zip(updates, self._answers.sent, strict=True)]
            )
            return
        if not alone:
            self._alone = BATCH  # ask again one update at a time, to find the unreadable one
            return
        if self._answers.head is None:
            raise Unreadable(f"an answer that names no update: {reason}")
        await self._take([set_aside(self._answers.head, reason)])
        self._alone = 0

    async def _take(self, updates: Sequence[Arrived]) -> None:
        await self.intake.store(updates)
        if updates:
            self._offset = updates[-1].update.update_id + 1

    async def _rest(self) -> None:
        """Pause after a failure, longer each time it fails again."""
        self._pause = min(LONGEST_PAUSE, self._pause * GROWTH) if self._pause else FIRST_PAUSE
        await self._interruptibly(self.sleep(self._pause))

    async def _interruptibly(self, waiting: Awaitable[T]) -> T:
        """Await what ``stop`` may cut short: a poll, or a pause."""
        self._interruptible = True
        try:
            return await waiting
        finally:
            self._interruptible = False
