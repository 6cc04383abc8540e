"""One limiter per platform for every outgoing message there: the platform's overall,
per-chat and (on Telegram) per-group limits. Telegram: 30 messages a second, one a second
per chat, 20 a minute per group. Discord: under its global 50 requests a second (45), and one
a second per channel (Discord allows about 5 per 5 s); it has no per-group minute.

A message first waits, without holding anything, until its chat (and its group's one-minute
window) has room; then it holds its chat and queues for the overall slot. The overall slots
go first come, first served, one at a time, each ``1 / per_second`` (plus a margin) after the
last was *actually* given, so a waiter that wakes up late (a busy event loop) pushes the
next one back instead of landing close to it: no second ever sees more than
``per_second`` messages let go, however uneven the wake-ups. A message waiting for its own
chat never holds back messages to other chats. A message's last step before it goes (the
tick marks its row ``sending``) is done once its slot is at most 2 ms away, and the slot is
given only when that step is done, so the spacing counts from when the message really goes.
A message is sent inside ``slot``: a chat has one message in flight at a time, and its next
one is spaced from when the platform *answered* the last (so it had received it), not from
when the last was let go, so a slow or uneven path to the platform cannot bring two messages
to one chat closer than a second. A ``retry_after`` from the platform pauses everyone on that
platform (the reminder tick's burst), or one chat (a reply). A long pause
of everyone is logged twice: one warning when it starts, one when messages go again.

The platform's limits are the bot's, not a process's: with several instances of the bot on
one database, each takes its share of the overall budget (``share``, told the number of live
instances and its place among them at each beat; a newcomer sends nothing until the others
have counted it), so together they stay under it. The per-chat and per-group spacing stays
each instance's own: a chat's replies come from the one instance that holds its
conversation, and only a reminder sent by another instance at that moment could come closer
than a second to one of them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

logger = logging.getLogger(__name__)

PER_CHAT_SECONDS = 1.0  # at least this long between two messages to one chat
GROUP_WINDOW_SECONDS = 60.0
GROUP_MESSAGES_PER_WINDOW = 20  # Telegram's
DISCORD_PER_SECOND = 45.0  # under Discord's global 50 requests a second
_SLACK = 1e-6  # keeps float sums from landing a hair inside a window
_MARGIN = 1.05  # 5% wider spacing overall, for jitter on the way to the platform (3% let
# 3 of 3,200 messages reach a strict fake in another process too close together)
_PREPARE_AHEAD = 0.002  # s: a message prepares this long before its slot (several at once,
# where slots come faster)
_PRUNE_AT = 10_000  # forget chats whose spacing has passed once this many are remembered
LONG_PAUSE = 5.0  # seconds: a pause of everyone this long is worth a warning


class RateLimiter:
    """Spaces messages: ``per_second`` overall, 1 s per chat, and ``group_per_minute`` per
    group when the platform limits groups (Telegram's defaults; see ``discord_limiter``);
    ``name`` is the platform's, for the log."""

    def __init__(
        self,
        per_second: float,
        *,
        group_per_minute: int | None = GROUP_MESSAGES_PER_WINDOW,
        name: str = "Telegram",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.name = name
        self.per_second = per_second
        self._interval = _MARGIN / per_second
        self.paused: Callable[[], None] = lambda: None  # told of each pause (a 429): metrics
        self._group_limit = group_per_minute
        self._clock = clock
        self._sleep = sleep
        self._last_given = -float("inf")  # when the last overall slot was given
        self._queue: deque[asyncio.Future[None]] = deque()  # waiters for it, first come first
        self._next_chat: dict[str, float] = {}
        self._group_sent: defaultdict[str, deque[float]] = defaultdict(deque)
        self._paused_until = 0.0
        self._paused_at: float | None = None  # when a long pause of everyone began
        self._in_flight: dict[str, asyncio.Event] = {}

    def share(self, instances: int, place: int = 0) -> None:
        """Take this instance's share of the overall budget: the platform's limit is the
        bot's, split by the instances alive (each told the count and its ``place`` among them,
        from 0, at its beats). A share is a whole number of messages a second: however their
        spacings line up, N instances then never put more than the limit into one second
        (with 30 split in four, 7.5 each would let 8 of each into some second: 32); what
        does not split evenly goes to the first places (30 in four: 8, 8, 7 and 7)."""
        whole, left = divmod(self.per_second, max(1, instances))
        self._interval = _MARGIN / max(1, whole + (place < left))

    @property
    def rate(self) -> float:
        """Messages a second this limiter lets out at most, now (its share, less the margin)."""
        return 1 / self._interval

    @asynccontextmanager
    async def slot(
        self,
        chat_id: str,
        *,
        group: bool = False,
        waiting: Callable[[], None] = lambda: None,
        prepare: Callable[[], Awaitable[None]] | None = None,
    ) -> AsyncIterator[None]:
        """Enter when one message to ``chat_id`` (a group's chat if ``group``) may go out;
        send it inside the block. ``waiting`` is called before each wait for the limits (a
        reply gives up what it holds that others need). ``prepare`` is awaited once the message's
        overall slot is at most 2 ms away, and the slot is given only once it is done: the
        next message is spaced from when this one goes (the tick marks its row ``sending``
        there)."""
        group = group and self._group_limit is not None
        answered = await self._wait(chat_id, group, waiting, prepare)
        try:
            yield
        finally:
            self._answered(chat_id, group)
            del self._in_flight[chat_id]
            answered.set()

    async def _wait(
        self,
        chat_id: str,
        group: bool,
        waiting: Callable[[], None],
        prepare: Callable[[], Awaitable[None]] | None,
    ) -> asyncio.Event:
        """Return when one message to ``chat_id`` may go out, with the chat held for it."""
        while True:
            if (in_flight := self._in_flight.get(chat_id)) is not None:
                waiting()
                await in_flight.wait()
                continue
            now = self._clock()
            ready = self._chat_ready(chat_id, group, now)
            if ready <= now:
                break
            waiting()
            await self._sleep(ready - now)
        held = self._in_flight[chat_id] = asyncio.Event()  # no await since the check
        try:
            self._given(chat_id, group, await self._overall_slot(waiting, prepare))
        except BaseException:  # the chat is never left held by a message that did not go
            del self._in_flight[chat_id]
            held.set()
            raise
        return held

    async def _overall_slot(
        self, waiting: Callable[[], None], prepare: Callable[[], Awaitable[None]] | None
    ) -> float:
        """Wait in line for the next overall slot; returns when it was given.

        ``prepare`` runs once the slot is at most 2 ms away: first in line, just before its
        time, or further back where the line moves that fast (several then prepare side by
        side). The slot is given only once ``prepare`` is done.
        """
        turn = asyncio.get_running_loop().create_future()
        self._queue.append(turn)
        try:
            if prepare is not None and self._within_reach(len(self._queue) - 1):
                await prepare()
                prepare = None
            if self._queue[0] is not turn:
                waiting()
                await turn  # the waiter before it hands the line on
            while True:
                if prepare is not None and self._within_reach(0):
                    await prepare()
                    prepare = None
                    continue  # its time may have come meanwhile, or a pause
                wait = self._slot_in(0)
                if wait <= 0:
                    self._last_given = self._clock()
                    self._resumed(self._last_given)
                    return self._last_given
                waiting()
                await self._sleep(wait - (_PREPARE_AHEAD if prepare is not None else 0.0))
        finally:
            self._queue.remove(turn)
            if self._queue and not self._queue[0].done():
                self._queue[0].set_result(None)

    def _within_reach(self, position: int) -> bool:
        """Whether the slot of the waiter at ``position`` is soon enough to prepare for."""
        return self._slot_in(position) <= _PREPARE_AHEAD + _SLACK

    def _slot_in(self, position: int) -> float:
        """Seconds until the overall slot of the waiter at ``position`` in line (0 is the
        first), if each before it goes on time."""
        first = max(self._last_given + self._interval, self._paused_until)
        return first + position * self._interval - self._clock()

    def pause(self, seconds: float, *, chat_id: str | None = None) -> None:
        """Hold every message, or only those to ``chat_id``, for ``seconds`` (``retry_after``)."""
        now = self._clock()
        self.paused()
        until = now + seconds
        if chat_id is not None:
            self._next_chat[chat_id] = max(self._next_chat.get(chat_id, 0.0), until)
            return
        if seconds >= LONG_PAUSE and self._paused_at is None:
            self._paused_at = now
            logger.warning(
                "%s asked the bot to slow down: every message waits %.0f s", self.name, seconds
            )
        self._paused_until = max(self._paused_until, until)

    def _resumed(self, now: float) -> None:
        """The first message after a long pause of everyone: say it is over."""
        if self._paused_at is not None:
            waited, self._paused_at = now - self._paused_at, None
            logger.warning("%s: messages go out again, after %.0f s", self.name, waited)

    def _answered(self, chat_id: str, group: bool) -> None:
        """Space the chat's next message (and count its group's) from this answer."""
        now = self._clock()
        self._next_chat[chat_id] = max(
            self._next_chat.get(chat_id, 0.0), now + PER_CHAT_SECONDS + _SLACK
        )
        sent = self._group_sent.get(chat_id) if group else None
        if sent:
            sent[-1] = max(sent[-1], now)

    def _chat_ready(self, chat_id: str, group: bool, now: float) -> float:
        """When the chat (and, for a group, its one-minute window) has room again."""
        ready = self._next_chat.get(chat_id, now)
        sent = self._group_sent.get(chat_id) if group else None
        if sent is not None and (limit := self._group_limit) is not None:
            while sent and sent[0] <= now - GROUP_WINDOW_SECONDS:
                sent.popleft()
            if len(sent) >= limit:
                ready = max(ready, sent[-limit] + GROUP_WINDOW_SECONDS + _SLACK)
        return ready

    def _given(self, chat_id: str, group: bool, now: float) -> None:
        """Count a message let go at ``now`` against its chat and its group."""
        if group:
            self._group_sent[chat_id].append(now)
        if len(self._next_chat) >= _PRUNE_AT:
            self._forget_before(now)
        self._next_chat[chat_id] = now + PER_CHAT_SECONDS + _SLACK

    def _forget_before(self, now: float) -> None:
        self._next_chat = {chat: t for chat, t in self._next_chat.items() if t > now}
        for chat in [  # a window emptied by a waiter that then gave up is forgotten too
            c
            for c, sent in self._group_sent.items()
            if not sent or sent[-1] <= now - GROUP_WINDOW_SECONDS
        ]:
            del self._group_sent[chat]


def discord_limiter(
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> RateLimiter:
    """Discord's limits: 45 requests a second overall, 1 s per channel, no group minute."""
    return RateLimiter(
        DISCORD_PER_SECOND, group_per_minute=None, name="Discord", clock=clock, sleep=sleep
    )
