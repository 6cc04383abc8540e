"""This process among the bot's instances on one database.

Each instance beats every ``lease / 5`` (``instances.seen_at``); one not seen for ``lease`` is
dead, and every lease it held (a conversation's updates, polling Telegram) may be taken by
another: Oban's and procrastinate's way of holding jobs by heartbeat, so a lease needs no
renewing of its own and a crashed instance's leases lapse together. Each beat also counts the
live instances and this one's place among them, for what they share by a fixed split
(``counted``: the Telegram limiter's budget), and names them (``peers``), for what they share
out by key: each key's ``home`` is one live instance, by rendezvous hashing (the live
instance whose hash with the key is highest), so every instance names the same home without
asking the others, and one joining
or leaving moves only its own share of the keys. Instances long dead are forgotten by the
beats of the living.

On a SQLite file there is one instance (``bot/storage/alone.py`` refuses a second): at start
it forgets every instance before it, all dead, so a restart after a crash takes their leases
at once instead of after ``lease``.

Times are the instances' own clocks: they must agree to well within ``lease`` (NTP), as the
reminders' due times already need.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.services.context import ServiceContext
from bot.settings import INSTANCE_LEASE_SECONDS
from bot.storage.alone import Alone

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=INSTANCE_LEASE_SECONDS)  # an instance not seen this long is dead
BEATS_PER_LEASE = 5
FORGET_AFTER = timedelta(hours=1)  # a dead instance's row is deleted after this
PART = "the instance's beat"  # its name in the database's outages


class Instance:
    """This process: its id (``id``), its beats, and the leases it takes."""

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        lease: timedelta = LEASE,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.ctx = ctx
        self.id = uuid.uuid4().hex
        self.lease = lease
        self.live = 1  # instances alive at the last beat, this one included
        self.peers: tuple[str, ...] = ()  # their ids, at the last beat
        self.counted: list[Callable[[int, int], None]] = []  # told ``live``, ``place``, each beat
        self.beaten_at: datetime | None = None  # its last beat that went in
        self.lapsed_at: datetime | None = None  # its last beat after a gap over its lease
        self._sleep = sleep
        self._alone: Alone | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def every(self) -> float:
        """Seconds between two beats."""
        return self.lease.total_seconds() / BEATS_PER_LEASE

    def alive_since(self) -> datetime:
        """An instance seen before this is dead."""
        return self.ctx.clock() - self.lease

    async def start(self) -> None:
        """Join (on SQLite, alone, or ``Unusable`` in one line; among others, once they
        have had one beat to count this one), then beat until ``stop``."""
        file = self.ctx.database.file
        if file is not None:
            self._alone = Alone(file)
            self._alone.hold()
            async with self.ctx.database.unit_of_work() as uow:
                await uow.instances.forget_dead(before=self.ctx.clock() + timedelta(days=1))
        if await self.beat() > 1:
            # Others live: they count this one at their next beat, and only then narrow their
            # share of what is split; this one sends nothing until they have.
            await self._sleep(self.every)
        self._task = asyncio.create_task(self._beating(), name="instance-beat")

    async def beat(self) -> int:
        """Say this instance lives, and count the live ones (telling ``counted`` how many, and
        this one's place among them)."""
        now = self.ctx.clock()
        async with self.ctx.database.unit_of_work() as uow:
            await uow.instances.beat(instance=self.id, at=now)
            await uow.instances.forget_dead(before=now - FORGET_AFTER)
            self.peers = tuple(sorted(await uow.instances.alive(since=now - self.lease)))
        self.live = max(1, len(self.peers))
        if self.beaten_at is not None and now - self.beaten_at > self.lease:
            self.lapsed_at = now  # until now, the others may have counted it dead
        self.beaten_at = now
        place = self.peers.index(self.id) if self.id in self.peers else 0
        for told in self.counted:
            told(self.live, place)
        return self.live

    def held_since(self, at: datetime) -> bool:
        """Whether no other instance can have counted this one dead since ``at`` (and taken
        over its leases): it was alone at its last beat, or has beaten within its lease all
        along since."""
        if self.live < 2 or self.beaten_at is None:
            return True
        lapsed = self.lapsed_at is not None and self.lapsed_at > at
        return not lapsed and self.ctx.clock() - self.beaten_at <= self.lease

    def home(self, key: str) -> bool:
        """Whether this instance is ``key``'s home among the instances alive at its last
        beat (alone, or before its first beat, it is every key's)."""
        if len(self.peers) < 2:
            return True
        return max(self.peers, key=lambda peer: _weight(peer, key)) == self.id

    async def stop(self) -> None:
        """Stop beating, leave (giving up every lease at once), and let SQLite's file go."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
            try:
                async with self.ctx.database.unit_of_work() as uow:
                    await uow.instances.leave(instance=self.id)
            except Exception as error:  # its leases lapse by themselves
                logger.warning("could not leave the instances (%s)", type(error).__name__)
        if self._alone is not None:
            self._alone.release()
            self._alone = None

    async def take(self, scope: str, key: str) -> bool:
        """Take the lease (``scope``, ``key``) if it is free, this instance's, or a dead
        one's; whether this instance holds it now."""
        async with self.ctx.database.unit_of_work() as uow:
            return await uow.instances.take(
                scope=scope,
                key=key,
                owner=self.id,
                at=self.ctx.clock(),
                alive_since=self.alive_since(),
            )

    async def holds(self, scope: str, key: str) -> bool:
        """Whether this instance holds the lease (``scope``, ``key``)."""
        async with self.ctx.database.unit_of_work() as uow:
            return await uow.instances.holds(scope=scope, key=key, owner=self.id)

    async def give_up(self, scope: str, key: str) -> None:
        """Give up the lease (``scope``, ``key``) if this instance holds it."""
        async with self.ctx.database.unit_of_work() as uow:
            await uow.instances.give_up(scope=scope, key=key, owner=self.id)

    async def _beating(self) -> None:
        outages = self.ctx.database.outages
        while True:
            await self._sleep(self.every)
            try:
                await self.beat()
            except Exception as error:
                if outages.failed(PART, error) is None:
                    logger.exception("the instance's beat failed")
            else:
                outages.answered(PART)


def _weight(peer: str, key: str) -> int:
    """``key``'s rendezvous weight on ``peer``: the same on every instance."""
    digest = hashlib.blake2b(f"{peer}/{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")
