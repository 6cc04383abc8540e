"""Updates of different conversations run concurrently; one conversation's run in order, on
one instance at a time, whichever instance stored them.

A conversation is whoever sent the update: a user (in any chat, so a runner's private chat
and their presses in a club's group never race on the same rows), or a chat speaking as
itself (a channel, or a group's anonymous admins). An update stored here wakes its
conversation: this instance claims the conversation's lease in the database (the inbox's
``claim``) and, holding it, hands its stored updates to the Application oldest first, each
under its inbox receipt, until none is left (``let_go``); if another instance holds the
lease, that one handles the update. A conversation this instance is already working through
just reads the new update in its turn. Every ``SWEEP_SECONDS`` (and at start), the
conversations with updates that no live instance holds (a crashed instance's, or ones a
failure left behind) are claimed again.

Polling (``spread``), one instance stores every update, and the instances share the
conversations out by key (``Instance.home``, rendezvous hashing over the live instances):
the poller wakes only its own share, and its store announces the others' (PostgreSQL's
``NOTIFY``); each instance listens, and claims the conversations announced for it at once.
A conversation in hand here stays here, whoever's share it is; one whose notice was not
heard (a listener reconnecting, instances disagreeing on who lives for a beat) is claimed by
the sweep. By webhook, the load balancer has spread the updates already: an instance handles
what it stores.

An update handled but for its reply (the process that handled it died before sending it) is
not handled again: its turn sends the reply it owes (``deliver``), once.

Each update takes one of the ``limit`` slots only once its turn has come, so a conversation
with a backlog never holds up the others; it gives its slot back when its reply must wait on
Telegram's limits (``slots.py``), so a reply held there does not either.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.services.infrastructure.inbound import Inbox, Lapsed
from bot.services.presentation.replies import Reply, decode
from handlers.lifecycle import first_line
from handlers.telegram.reading import legible
from handlers.telegram.slots import Slots

logger = logging.getLogger(__name__)

SWEEP_SECONDS = 1.0  # how often conversations left behind are looked for
Deliver = Callable[[Update, Reply], Awaitable[None]]
"""Sends a reply as the answer to an update."""


def conversation_of(update: Update) -> str | None:
    """The conversation an update belongs to, or None if it belongs to none."""
    sender = update.effective_sender
    return None if sender is None else f"{type(sender).__name__}:{sender.id}"


@dataclass(slots=True)
class _Turns:
    """One conversation this instance works through: the updates it has in hand (stored
    here, not yet read back), and whether one was stored since it last looked."""

    known: dict[int, Update] = field(default_factory=dict)
    again: bool = False


class Conversations:
    """Hands stored updates to ``application``, at most ``limit`` at once (one whose reply
    waits on Telegram's limits lets the next go ahead; with a limit of 1, one update at a
    time, reply and all), each marked handled in ``inbox``; a reply an update still owes
    goes out by ``deliver``."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        inbox: Inbox,
        limit: int,
        deliver: Deliver,
        *,
        sweep_seconds: float = SWEEP_SECONDS,
        spread: bool = False,
    ) -> None:
        self.application = application
        self.inbox = inbox
        self.deliver = deliver
        self.limit = limit
        self.sweep_seconds = sweep_seconds
        self.spread = spread
        self._listener = inbox.listen(self._heard) if spread else None
        self._slots = Slots(limit)
        self._turns: dict[str, _Turns] = {}
        self._in_hand: set[asyncio.Task[None]] = set()
        self._sweeping: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        """Updates in hand here that wait for an earlier one of their conversation."""
        return sum(max(0, len(turns.known) - 1) for turns in self._turns.values())

    @property
    def listening(self) -> bool:
        """Whether conversations announced for this instance are heard now (polling)."""
        return self._listener is not None and self._listener.listening

    @property
    def idle(self) -> bool:
        """Whether no conversation is in hand here (every lease taken is given up)."""
        return not self._turns

    def take(self, update: Update) -> None:
        """Handle a stored update in its conversation's turn (taken in the order stored),
        unless it is another instance's to handle."""
        key = conversation_of(update)
        if key is None:  # it belongs to no conversation: it is one of its own
            key = f"update {update.update_id}"
        if not self.elsewhere(key):
            self.wake(key).known[update.update_id] = update

    def elsewhere(self, key: str) -> bool:
        """Whether the conversation ``key`` is another instance's to handle: polling, its
        home is another live instance, and it is not in hand here."""
        return self.spread and key not in self._turns and not self.inbox.instance.home(key)

    def _heard(self, keys: list[str]) -> None:
        """Work through the conversations announced whose home this instance is."""
        for key in keys:
            if key not in self._turns and self.inbox.instance.home(key):
                self.wake(key)

    def wake(self, key: str) -> _Turns:
        """Work through the conversation ``key``, unless this instance already does."""
        turns = self._turns.get(key)
        if turns is not None:
            turns.again = True
            return turns
        turns = self._turns[key] = _Turns()
        task = asyncio.create_task(self._work(key, turns), name=f"telegram-conversation-{key}")
        self._in_hand.add(task)
        task.add_done_callback(self._in_hand.discard)
        return turns

    async def start(self) -> None:
        """Listen for the conversations announced for this instance (polling), then look
        for conversations left behind now, and every ``sweep_seconds``."""
        if self._listener is not None:
            await self._listener.keep_listening()
        self._sweeping = asyncio.create_task(self._sweep(), name="telegram-sweep")

    async def finish(self) -> None:
        """Stop looking for conversations left behind and listening for announced ones;
        return once every one in hand is done."""
        if self._sweeping is not None:
            self._sweeping.cancel()
            await asyncio.gather(self._sweeping, return_exceptions=True)
        if self._listener is not None:
            await self._listener.close()
        while self._in_hand:
            await asyncio.wait(self._in_hand)

    async def _sweep(self) -> None:
        while True:
            if self._listener is not None:
                await self._listener.keep_listening()
            try:
                for key in await self.inbox.orphans():
                    if key not in self._turns:
                        self.wake(key)
            except Exception as error:  # the database's outage: the next sweep tries again
                logger.warning(
                    "could not look for updates left unhandled (%s)", first_line(str(error))
                )
            await asyncio.sleep(self.sweep_seconds)

    async def _work(self, key: str, turns: _Turns) -> None:
        """Claim the conversation, handle its stored updates in order, and let it go once
        none is left; claim it again if one was stored while it was let go."""
        try:
            while await self.inbox.claim(key):
                if not await self._through(key, turns):
                    return  # what is left is for the sweep
                turns.again = False
                if await self.inbox.let_go(key) and not turns.again:
                    return
        except Exception as error:  # the database's outage: the sweep claims it again
            logger.warning("could not work through a conversation (%s)", first_line(str(error)))
        finally:
            del self._turns[key]

    async def _through(self, key: str, turns: _Turns) -> bool:
        """Handle the conversation's stored updates until none is left; False if what is left
        is for the sweep: updates this turn handled already (their marks did not go in), or
        one whose reply another live instance is sending (it outlived its lease); or if the
        conversation was lost to another instance meanwhile."""
        done: set[int] = set()
        while True:
            pending = await self.inbox.pending(key)
            fresh = [stored for stored in pending if stored.update_id not in done]
            if not fresh:
                return not pending
            for update_id, payload, reply, replying in fresh:
                if replying:  # a live instance sends it: the sweep looks again after
                    return False
                update = turns.known.get(update_id) or legible(
                    update_id, payload, self.application.bot
                )
                async with self._slots.place():
                    if reply is None:
                        try:
                            async with self.inbox.handling(update_id, key):
                                await self.application.process_update(update)
                        except Lapsed:  # another instance holds the conversation now
                            return False
                    else:
                        await self._send_owed(update, reply)
                turns.known.pop(update_id, None)
                done.add(update_id)

    async def _send_owed(self, update: Update, reply: str) -> None:
        """Send the reply (if any) an update whose effects are in owes: its process died
        before sending it."""
        try:
            if reply:
                await self.deliver(update, decode(reply))
        except Exception as error:  # given up on, as a reply that failed the first time is
            logger.warning(
                "could not send the reply update %s owed (%s)",
                update.update_id,
                first_line(str(error)),
            )
        await self.inbox.answered(update.update_id)
