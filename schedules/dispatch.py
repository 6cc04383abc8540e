"""Send claimed reminders: take each row's rate-limit slot, attempt it once, record it.

Each row goes ``pending → claimed → sending → sent | failed``. A claim names the dispatcher
holding it (``owner``, one per process): at each tick a dispatcher first takes back every
row it still holds, whatever stopped its last tick (a database cut, a failed build), so a
live process never waits out a lease on its own rows; the lease (``stale_after``) is only for
rows whose owner died. A row is marked ``sending`` once its rate-limit slot is at hand (at
most 2 ms away; the limiter's ``prepare``), and the slot is given once that write is done,
just before the message goes out; each outcome is committed together with the same
sender's next row's ``sending`` (one statement through the ``DispatchJournal``). So a row
that waits for its slot is still ``claimed`` and goes back if the process stops or dies, and
a row is in doubt only from just before its send until its outcome is written. A row found
``sending`` after a crash is marked ``unknown`` and never retried: the one attempt per row is
the guarantee. An outcome the database did not take (it was down) is kept, and written first
at the next tick (so a row marked ``unknown`` meanwhile still ends ``sent``).

With several instances on one database (``instance``), a dispatcher's claims are its
instance's (``owner`` is the instance's id), and a dead instance's claims go back as soon as
its beats have lapsed (``INSTANCE_LEASE_SECONDS``), not after ``stale_after``. Once: the row
is then claimed under a live owner's name, and the dead one, were it only held up, finds its
claim gone before it sends (the journal's start is fenced by ``claimed_by``).

Each row goes to its recipient's platform, through that platform's ``Route``: its notifier,
its limiter and its retry policy. A batch is sent in one lane per platform, side by side, so
a 429 pause on one platform never holds up the other. Within a lane, ``Delivery.in_flight``
senders work at once, each taking one chat's rows at a time, in order: a round trip to the
platform (tens of milliseconds) or the journal's write never leaves the limit unused, a chat's
one-second spacing never holds up other chats, and at most ``in_flight`` rows a lane are ever
in doubt. Rows for a platform without a route are not claimed: they stay pending (and expire
after the grace period, like reminders due while the bot was down).
"""

from __future__ import annotations

import asyncio
import logging
import math
import uuid
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from bot.delivery.notifier import Rejected, RetryLater, Transient, Unreachable
from bot.delivery.route import Route
from bot.services.context import ServiceContext
from bot.services.infrastructure.instances import Instance
from bot.services.presentation.replies import Message
from bot.services.use_cases.reminders import Outgoing, Recipient, build
from bot.storage.journal import DispatchJournal, Outcome
from bot.storage.models import DispatchStatus, RunnerStatus
from bot.storage.repositories.dispatches import Claimed

if TYPE_CHECKING:
    from bot.monitoring.metrics import Metrics

logger = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=5)  # a claim of another dispatcher this old: its process died
# A claim takes at most what the routes' limits let out in this long: with the budget split
# between instances, rows one instance holds never wait long while the others are idle.
CLAIM_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Delivery:
    """How hard to try on every platform: batch size, backoff and what counts as late."""

    grace: timedelta = timedelta(hours=2)  # later than this: expired, not sent
    late_after: timedelta = timedelta(minutes=10)  # later than this: sent with an apology
    batch: int = 500
    in_flight: int = 8  # rows a lane sends at once (and, after a crash, at most in doubt)
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    flood_waits: int = 5  # how many 429s one message may meet before it fails
    stale_after: timedelta = CLAIM_LEASE
    retention: timedelta = timedelta(days=30)  # settled rows older than this are deleted
    prune_batch: int = 1_000  # rows deleted per tick, at most


class _ClaimLost(Exception):
    """Another process took the row's claim over (its owner's lease ran out)."""


@dataclass(frozen=True, slots=True)
class _Outcome:
    row: Claimed
    status: DispatchStatus
    message_id: str | None = None
    error: str | None = None
    unreachable: bool = False


class Dispatcher:
    """Claims due rows in batches and sends each through its platform's route."""

    def __init__(
        self,
        ctx: ServiceContext,
        routes: Mapping[str, Route],
        delivery: Delivery = Delivery(),
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        metrics: Metrics | None = None,
        instance: Instance | None = None,
    ) -> None:
        self.ctx = ctx
        self.routes = dict(routes)
        self.delivery = delivery
        self.stopping = False
        self.instance = instance  # among several on one database: whose beats hold the claims
        self.owner = instance.id if instance else uuid.uuid4().hex  # names this process's claims
        self._sleep = sleep
        self._metrics = metrics
        self._unsaved: dict[str, Outcome] = {}  # per sender
        self._journal: DispatchJournal | None = None

    async def run(self, now: datetime) -> Counter[str]:
        """Send everything due at ``now``; returns how many rows ended in each status."""
        counts: Counter[str] = Counter()
        async with self.ctx.database.journal() as self._journal:
            try:
                await self._save()  # outcomes the database did not take at the last tick
                await self._recover(now, counts)
                await self._send_due(now, counts)
            finally:
                self._journal = None
        return counts

    async def _recover(self, now: datetime, counts: Counter[str]) -> None:
        """Take back this dispatcher's own claims at once, dead instances' once their beats
        lapsed, and any other dead dispatcher's after its lease; expire what is too late, and
        prune what is old."""
        dead_since = self.instance.alive_since() if self.instance else None
        async with self.ctx.database.unit_of_work() as uow:
            counts["retaken"] = await uow.dispatches.release(owner=self.owner)
            released, unknown = await uow.dispatches.recover(
                claimed_before=now - self.delivery.stale_after, unseen_since=dead_since
            )
            counts["expired"] += await uow.dispatches.expire(before=now - self.delivery.grace)
        async with self.ctx.database.unit_of_work() as uow:
            counts["pruned"] = await uow.dispatches.prune(
                before=now - self.delivery.retention, limit=self.delivery.prune_batch
            )
        counts["released"], counts["unknown"] = released, unknown
        if unknown:
            logger.warning("%d reminders were in flight when a bot process died", unknown)

    async def _send_due(self, now: datetime, counts: Counter[str]) -> None:
        """Claim and send batch after batch; every row still claimed at the end goes back."""
        unreachable: set[tuple[str, str]] = set()  # (platform, chat): gone for this tick
        upcoming = asyncio.create_task(self._claim(now))
        try:
            while not self.stopping:
                batch = await upcoming
                if not batch:
                    break
                # The next batch is claimed and built while this one is being sent.
                upcoming = asyncio.create_task(self._claim(now))
                await self._send_batch(batch, now, counts, unreachable)
                await self._save()
        finally:
            # The batch claimed ahead, never to be sent now, goes back with the rest (if that
            # claim failed, its rows go back all the same).
            (ahead,) = await asyncio.gather(upcoming, return_exceptions=True)
            if isinstance(ahead, list):
                self._deferred(ahead)
            await self._save()
            async with self.ctx.database.unit_of_work() as uow:
                await uow.dispatches.release(owner=self.owner)

    async def _claim(self, now: datetime) -> list[Outgoing]:
        """Claim a batch, then build its messages; writes stay short, so the journal never
        waits for a batch being built. If the build fails, its rows stay claimed and go back
        when the tick ends."""
        async with self.ctx.database.unit_of_work() as uow:
            rows = await uow.dispatches.claim(
                now=now, limit=self._batch(), platforms=tuple(self.routes), owner=self.owner
            )
        if not rows:
            return []
        async with self.ctx.database.unit_of_work() as uow:
            built = await build(self.ctx, uow, rows, now=now, late_after=self.delivery.late_after)
        async with self.ctx.database.unit_of_work() as uow:
            for outgoing in built:
                if outgoing.cancelled:
                    await uow.dispatches.settle(
                        dispatch_id=outgoing.due.id,
                        status=DispatchStatus.CANCELLED,
                        at=now,
                        error=outgoing.cancelled,
                    )
        return built

    def _batch(self) -> int:
        """Rows to claim at once: a batch, or what the limits let out in ``CLAIM_SECONDS``."""
        rate = sum(route.limiter.rate for route in self.routes.values())
        sendable = max(self.delivery.in_flight, math.ceil(rate * CLAIM_SECONDS))
        return min(self.delivery.batch, sendable)

    async def _send_batch(
        self,
        batch: list[Outgoing],
        now: datetime,
        counts: Counter[str],
        unreachable: set[tuple[str, str]],
    ) -> None:
        """Send a batch: each platform's chats in a lane of ``in_flight`` senders, each
        sender taking one chat's rows at a time, in order. If a sender fails, every sender
        stops before its next row (never in the middle of a send); the rows left stay
        claimed, and go back when the tick ends."""
        to_send = [outgoing for outgoing in batch if not outgoing.cancelled]
        counts["cancelled"] += len(batch) - len(to_send)
        by_chat: dict[str, dict[str, deque[Outgoing]]] = {}
        for outgoing in to_send:
            assert outgoing.to is not None, "a row to send has its recipient"
            chats = by_chat.setdefault(outgoing.to.platform, {})
            chats.setdefault(outgoing.to.chat_id, deque()).append(outgoing)
        lanes = {platform: deque(chats.values()) for platform, chats in by_chat.items()}
        failed = asyncio.Event()
        done = await asyncio.gather(
            *(
                self._sender(f"{platform}/{n}", chats, counts, unreachable, failed)
                for platform, chats in lanes.items()
                for n in range(min(self.delivery.in_flight, len(chats)))
            ),
            return_exceptions=True,
        )
        self._deferred([row for chats in lanes.values() for rows in chats for row in rows])
        for result in done:
            if isinstance(result, BaseException):
                raise result

    async def _sender(
        self,
        sender: str,
        chats: deque[deque[Outgoing]],
        counts: Counter[str],
        unreachable: set[tuple[str, str]],
        failed: asyncio.Event,
    ) -> None:
        """Take one chat's rows at a time and send them in order, until the lane is done,
        the tick stops or another sender fails."""
        try:
            while chats and not (self.stopping or failed.is_set()):
                rows = chats.popleft()
                while rows and not (self.stopping or failed.is_set()):
                    await self._send_row(sender, rows.popleft(), counts, unreachable)
        except BaseException:
            failed.set()
            raise

    async def _send_row(
        self,
        sender: str,
        outgoing: Outgoing,
        counts: Counter[str],
        unreachable: set[tuple[str, str]],
    ) -> None:
        recipient = outgoing.to
        assert recipient is not None, "a row to send has its recipient"
        chat = (recipient.platform, recipient.chat_id)
        if chat in unreachable:
            await self._write(sender, start=None)  # keep the sender's last outcome
            self._record(sender, _Outcome(outgoing.due, DispatchStatus.CANCELLED, error="blocked"))
            counts["cancelled"] += 1
            self._count(recipient.platform, "cancelled")
            return
        outcome = await self._send(sender, outgoing, recipient)
        counts[outcome.status.value if outcome else "lost"] += 1
        if outcome is not None:
            self._count(recipient.platform, outcome.status.value)
        if outcome is not None and outcome.unreachable:
            unreachable.add(chat)
            await self._block(outgoing.due)

    async def _send(self, sender: str, outgoing: Outgoing, to: Recipient) -> _Outcome | None:
        """Attempt one row; None if another process took its claim over meanwhile."""
        sent: list[str] = []
        try:
            for index, message in enumerate(outgoing.reply):
                nonce = f"{outgoing.due.id}:{index}"
                start = outgoing.due if index == 0 else None
                sent.append(await self._deliver(sender, to, message, nonce, start=start))
        except _ClaimLost:
            return None
        except Unreachable as error:
            outcome = _Outcome(
                outgoing.due, DispatchStatus.FAILED, error=f"unreachable: {error}", unreachable=True
            )
        except (RetryLater, Transient, Rejected) as error:
            part = f" after {len(sent)} of {len(outgoing.reply)} messages" if sent else ""
            outcome = _Outcome(
                outgoing.due, DispatchStatus.FAILED, error=f"{type(error).__name__}{part}: {error}"
            )
        else:
            outcome = _Outcome(outgoing.due, DispatchStatus.SENT, message_id=sent[-1])
        self._record(sender, outcome)
        return outcome

    async def _deliver(
        self, sender: str, to: Recipient, message: Message, nonce: str, *, start: Claimed | None
    ) -> str:
        """Send one message on its platform, waiting out 429s (pausing that platform only)
        and retrying transient failures with backoff as often as the platform's route says.
        Every try carries the same ``nonce``, so a platform that honours it delivers once.

        With ``start`` (a row's first message), the row is marked ``sending`` once its slot
        is at hand, before the first try; ``_ClaimLost`` if its claim is gone.
        """
        route = self.routes[to.platform]
        floods = failures = 0
        begin = partial(self._begin, sender, start) if start is not None else None
        while True:
            try:
                async with route.limiter.slot(to.chat_id, group=to.group, prepare=begin):
                    begin = None  # the row is sending: a retry only sends
                    return await route.notifier.send(to.chat_id, message, nonce=nonce)
            except RetryLater as error:
                floods += 1
                if floods > self.delivery.flood_waits:
                    raise
                route.limiter.pause(error.seconds)
            except Transient:
                failures += 1
                if failures > route.retries:
                    raise
                await self._sleep(self.delivery.backoff * 2 ** (failures - 1))

    async def _begin(self, sender: str, row: Claimed) -> None:
        """Commit the sender's last outcome and ``row``'s ``sending``."""
        if not await self._write(sender, start=row):
            raise _ClaimLost

    def _record(self, sender: str, outcome: _Outcome) -> None:
        """Keep an outcome, as of now, to commit with the sender's next row's start (or at
        the end of the batch)."""
        self._unsaved[sender] = Outcome(
            outcome.row.id, outcome.status, self.ctx.clock(), outcome.message_id, outcome.error
        )

    async def _save(self) -> None:
        for sender in list(self._unsaved):
            await self._write(sender, start=None)

    async def _write(self, sender: str, *, start: Claimed | None) -> bool:
        """Commit the sender's last outcome and ``start``'s ``sending``; whether ``start`` is
        now sending (False if its claim was lost). An outcome not written is kept."""
        assert self._journal is not None, "the journal is open while a tick sends"
        outcome = self._unsaved.pop(sender, None)
        try:
            return await self._journal.record(outcome=outcome, start=start)
        except BaseException:
            if outcome is not None:
                self._unsaved[sender] = outcome
            raise

    def _count(self, platform: str, outcome: str, rows: int = 1) -> None:
        if self._metrics is not None:
            self._metrics.reminder(platform, outcome, rows)

    def _deferred(self, rows: list[Outgoing]) -> None:
        """Count the rows a tick claimed and leaves unsent (they go back at its end)."""
        handed_back = Counter(o.to.platform for o in rows if o.to and not o.cancelled)
        for platform, deferred in handed_back.items():
            self._count(platform, "deferred", deferred)

    async def _block(self, due: Claimed) -> None:
        """Stop writing to a chat that is gone: a runner who blocked the bot (until they send
        /start again), or a club the bot was removed from (until it is added again)."""
        await self._save()
        async with self.ctx.database.unit_of_work() as uow:
            if due.runner_id is not None:
                runner = await uow.runners.get(due.runner_id)
                if runner is not None:
                    runner.status = RunnerStatus.BLOCKED
                await uow.dispatches.cancel_pending(runner_id=due.runner_id, reason="blocked")
            elif due.club_id is not None:
                club = await uow.clubs.get(due.club_id)
                if club is not None:
                    club.active = False
                await uow.dispatches.cancel_pending(club_id=due.club_id, reason="removed")
