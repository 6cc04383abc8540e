"""The inbox of one platform: each update is stored before it is acknowledged, handled once,
by one instance at a time per conversation, in the order the updates arrived.

``receive`` stores updates, several in one transaction (a redelivered id is ignored), each
with its conversation (whoever sent it), and is awaited before the platform is told they
arrived. One instance at a time handles a conversation's updates: it takes the
conversation's lease (``claim``), handles its stored updates oldest first (``pending``), and
gives the lease up only in a statement that finds none left (``let_go``): an update another
instance stores meanwhile is either seen there, or finds the lease free when that instance
claims it. A lease lapses with its instance's beats (``instances.py``); ``orphans`` names the
conversations with updates left that no live instance holds (a crash's, or a failure's), to
be claimed again.

``handling`` wraps the handling of a stored update. A reply is the one effect a transaction
cannot hold: it goes out after the commit. So the first unit of work the handler commits
marks the update's effects in, in the same transaction (or rolls back, if another instance
marked it first: ``HandledElsewhere``), and each keeps the reply the update owes so far
(``owe``, which the coach calls before its commit); the update keeps its payload too. Once
the block has sent the reply, the update is marked handled (``answered``), which clears its
payload (who sent it, what they said) and the reply: only its id is left, to tell a
redelivery apart. If the handler committed nothing (a reply without a write, or a failure
that rolled back), the update is marked handled on its own afterwards. Either mark is tried
again after each of ``RETRY_DELAYS`` while the conversation's next update waits. An update
whose handling was cut short before its effects went in, or whose mark never did, stays
unhandled, and is handled again once its conversation is claimed again; one cut short
between its effects and its reply is not handled again: whoever claims its conversation next
sends the reply it owes (``pending`` gives it back with it). Handled updates are forgotten
by the reminder tick (``bot/services/infrastructure/update_retention.py``).

Where one instance stores what others should handle (the poller, ``elsewhere``), the store's
transaction also sends a notice naming those conversations (PostgreSQL's ``NOTIFY``,
``bot/storage/notices.py``): the instances that ``listen`` hear it at the commit and claim
them at once, without waiting for ``orphans``, which stays the way for a notice not heard.

Each write that fails because the database is down is counted in the database's outage (its
start and end logged once, ``bot/storage/outage.py``); each that goes through ends it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, TypeVar

from bot.services.context import ServiceContext
from bot.services.infrastructure.instances import Instance
from bot.services.presentation.replies import Reply, encode
from bot.storage import receipts
from bot.storage.faults import describe
from bot.storage.notices import Listener
from bot.storage.repositories.updates import Stored
from bot.storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

RETRY_DELAYS = (0.1, 0.5, 2.0)  # seconds before each further try to write to the inbox
TRIES = len(RETRY_DELAYS) + 1
PART = "the inbox"  # its name in the database's outages
BATCH = 100  # updates of one conversation read at once; conversations named at once
HandledElsewhere = receipts.HandledElsewhere


class Lapsed(Exception):
    """This instance may have been counted dead since it began handling the update (its
    beats stalled past its lease), so another may have taken its conversation over: it sends
    nothing more for it, and leaves the reply owed to whoever holds the conversation now."""


T = TypeVar("T")


async def retried(
    write: Callable[[], Awaitable[T]], sleep: Callable[[float], Awaitable[None]]
) -> T:
    """What ``write`` returns, trying it again after each of ``RETRY_DELAYS`` while it fails;
    its last error if it never succeeds."""
    for delay in RETRY_DELAYS:
        try:
            return await write()
        except Exception:  # a locked or unreachable database may answer the next try
            await sleep(delay)
    return await write()


def failure(error: Exception) -> str:
    """Why a write to the inbox failed, in a few words: the database's outage and its cause
    (read-only, full, refused...) in the driver's words, else the error's type alone (its
    text may quote an update)."""
    return describe(error)


def owe(reply: Reply) -> Reply:
    """``reply``, kept with the handled mark of the update being handled (if any) from the
    commit of its effects until it is sent: a process that dies in between leaves it for the
    next to send."""
    receipt = receipts.current.get()
    if receipt is not None:
        receipt.reply = encode(reply) if reply else ""
    return reply


def alone(update_id: int) -> str:
    """The conversation of an update that belongs to none: its own."""
    return f"update {update_id}"


class Inbox:
    """Stored updates of one platform, on the service context's database and clock, handled
    by ``instance`` (this process) in its turns."""

    def __init__(
        self,
        ctx: ServiceContext,
        platform: str,
        *,
        instance: Instance | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.ctx = ctx
        self.platform = platform
        self.instance = instance or Instance(ctx)
        self.sleep = sleep  # between tries to write to the inbox; tests put virtual time here

    async def receive(
        self,
        payloads: Mapping[int, dict[str, Any]],
        conversations: Mapping[int, str | None] | None = None,
        *,
        elsewhere: Callable[[str], bool] | None = None,
    ) -> set[int]:
        """Store updates durably, by id, each with its conversation (by default, its own),
        in one transaction; the ids that are new (not stored before). The conversations of
        new updates that are for ``elsewhere`` to handle are announced at the commit."""
        named = conversations or {}
        whose = {update_id: named.get(update_id) or alone(update_id) for update_id in payloads}
        async with self._writing() as uow:
            new = await uow.updates.add(
                platform=self.platform, payloads=payloads, conversations=whose, at=self.ctx.clock()
            )
            if elsewhere is not None:
                others = dict.fromkeys(whose[update_id] for update_id in sorted(new))
                await uow.updates.announce(self.topic, [key for key in others if elsewhere(key)])
            return new

    @property
    def topic(self) -> str:
        """What the notices of conversations to claim are about."""
        return f"{self.platform}_updates"

    def listen(self, heard: Callable[[list[str]], None]) -> Listener:
        """A listener (not yet listening) that hands ``heard`` the conversations announced
        by other instances."""
        return Listener(self.ctx.database.engine, self.topic, heard)

    async def claim(self, conversation: str) -> bool:
        """Take ``conversation``'s lease for this instance; False if a live one holds it."""
        return await self.instance.take(self.platform, conversation)

    async def pending(self, conversation: str) -> list[Stored]:
        """The conversation's updates not handled yet, oldest first (a batch of them), with
        the reply each owes, if it was handled but for sending that, and whether its live
        instance is sending it still."""
        async with self.ctx.database.unit_of_work() as uow:
            return await uow.updates.pending(
                platform=self.platform,
                conversation=conversation,
                limit=BATCH,
                owner=self.instance.id,
                alive_since=self.instance.alive_since(),
            )

    async def let_go(self, conversation: str) -> bool:
        """Give up the conversation's lease if none of its updates is left; whether it did
        (False: one came meanwhile, or the lease was lost)."""
        async with self.ctx.database.unit_of_work() as uow:
            return await uow.updates.let_go(
                platform=self.platform, conversation=conversation, owner=self.instance.id
            )

    async def orphans(self) -> list[str]:
        """Conversations with updates left that no other live instance holds, the oldest
        update's first (a batch of them)."""
        async with self.ctx.database.unit_of_work() as uow:
            return await uow.updates.orphans(
                platform=self.platform,
                owner=self.instance.id,
                alive_since=self.instance.alive_since(),
                limit=BATCH,
            )

    async def waiting(self) -> int:
        """How many stored updates are not handled yet (the inbox's depth)."""
        async with self.ctx.database.unit_of_work() as uow:
            return await uow.updates.waiting(platform=self.platform)

    async def unhandled(self) -> list[tuple[int, dict[str, Any]]]:
        """The stored updates a crash left unhandled, oldest first."""
        async with self.ctx.database.unit_of_work() as uow:
            return await uow.updates.unhandled(platform=self.platform)

    @asynccontextmanager
    async def handling(
        self, update_id: int, conversation: str | None = None
    ) -> AsyncIterator[None]:
        """Handle one stored update (of ``conversation``: by default, its own) inside the
        block, which sends its reply; it is marked handled exactly once, at the block's end.
        ``Lapsed`` if the conversation was lost to another instance meanwhile (``still_ours``):
        this one must not go on with it."""
        receipt = receipts.Receipt(
            self.platform,
            update_id,
            self.ctx.clock(),
            self.instance.id,
            conversation or alone(update_id),
        )
        token = receipts.current.set(receipt)
        try:
            yield
        finally:
            receipts.current.reset(token)
        if receipt.lapsed:  # whoever holds the conversation now handles it, or sends its reply
            if receipt.handled:
                await retried(lambda: self._disown(update_id), self.sleep)
            raise Lapsed(f"update {update_id}")
        if receipt.handled:
            await self.answered(update_id)
        else:
            await self._settled(receipt.update_id, receipt.at, owed=False)

    async def still_ours(self) -> bool:
        """Whether the update being handled (if any) is still this instance's to answer: no
        other can have taken its conversation over since its handling began (its beats kept
        within its lease, or it holds the conversation's lease still)."""
        receipt = receipts.current.get()
        if receipt is None or self.instance.held_since(receipt.at):
            return True
        if await self.instance.holds(self.platform, receipt.conversation):
            return True
        receipt.lapsed = True
        return False

    async def _disown(self, update_id: int) -> None:
        async with self._writing() as uow:
            await uow.updates.disown(platform=self.platform, update_id=update_id)

    async def answered(self, update_id: int) -> None:
        """Record that the reply a handled update owed went out (or was given up on)."""
        await self._settled(update_id, self.ctx.clock(), owed=True)

    async def _settled(self, update_id: int, at: datetime, *, owed: bool) -> None:
        """Mark the update handled (its reply sent, if it ``owed`` one), tried again after
        each of ``RETRY_DELAYS``."""

        async def mark() -> None:
            async with self._writing() as uow:
                if owed:
                    await uow.updates.answered(platform=self.platform, update_id=update_id, at=at)
                else:
                    await uow.updates.mark_handled(
                        platform=self.platform, update_id=update_id, at=at
                    )

        try:
            await retried(mark, self.sleep)
        except Exception as error:  # the person was answered; raising would answer again
            logger.error(
                "could not mark update %s handled after %d tries (%s); %s again once its "
                "conversation is taken up again",
                update_id,
                TRIES,
                failure(error),
                "its reply is sent" if owed else "it is handled",
            )

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work that writes: its failure is counted in the database's outage, its
        commit ends one."""
        outages = self.ctx.database.outages
        try:
            async with self.ctx.database.unit_of_work() as uow:
                yield uow
        except Exception as error:
            outages.failed(PART, error)
            raise
        outages.answered(PART)
