"""The instances on one database and the leases they hold.

An instance beats (``beat``) while it lives; it is alive while its last beat is newer than
the caller's ``alive_since``. A lease (``take``) is held by one instance at a time: its owner
takes it again at once, anyone else only once the owner has stopped beating (or left). So a
lease needs no renewing of its own, and a crashed instance's leases all lapse together, when
its beats stop: the way Oban's and procrastinate's workers hold their jobs by heartbeat.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Executable,
    Table,
    and_,
    bindparam,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Instance, Lease

_instances = cast(Table, Instance.__table__)
_leases = cast(Table, Lease.__table__)


def alive(
    owner: ColumnElement[str], since: datetime | ColumnElement[datetime]
) -> ColumnElement[bool]:
    """The clause: the instance ``owner`` has beaten since ``since`` (uncorrelated: an
    upsert's condition has no outer query to correlate with; the instances are few)."""
    row = _instances.c
    return owner.in_(select(row.id).where(row.seen_at >= since))


def unseen(owner: ColumnElement[str | None], since: datetime) -> ColumnElement[bool]:
    """The clause: ``owner`` is an instance that has not beaten since ``since`` (dead by its
    heartbeat); a name no instance bears is neither alive nor this."""
    row = _instances.c
    return owner.in_(select(row.id).where(row.seen_at < since))


def _take(insert: Callable[[Table], Any]) -> Executable:
    """The statement that takes a lease (see ``InstanceRepository.take``), in the dialect of
    ``insert``: every update's conversation is claimed with it, so it is built once."""
    row = _leases.c
    owner = bindparam("taker", type_=row.owner.type)
    at = bindparam("taken", type_=row.taken_at.type)
    statement: Executable = (
        insert(_leases)
        .values(
            scope=bindparam("lease_scope"), key=bindparam("lease_key"), owner=owner, taken_at=at
        )
        .on_conflict_do_update(
            index_elements=[row.scope, row.key],
            set_={"owner": owner, "taken_at": at},
            where=or_(row.owner == owner, ~alive(row.owner, bindparam("alive_since"))),
        )
        .returning(row.owner)
    )
    return statement


_TAKE = {"postgresql": _take(postgresql.insert), "sqlite": _take(sqlite.insert)}


class InstanceRepository:
    """Instances' beats, and the leases they hold."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def beat(self, *, instance: str, at: datetime) -> None:
        """Record that ``instance`` lives at ``at`` (the first beat registers it)."""
        done = await self._session.execute(
            update(_instances).where(_instances.c.id == instance).values(seen_at=at)
        )
        if not done.rowcount:  # type: ignore[attr-defined]
            await self._session.execute(
                _instances.insert().values(id=instance, started_at=at, seen_at=at)
            )

    async def leave(self, *, instance: str) -> None:
        """Forget ``instance`` and give up every lease it holds (a clean stop)."""
        await self._session.execute(delete(_leases).where(_leases.c.owner == instance))
        await self._session.execute(delete(_instances).where(_instances.c.id == instance))

    async def alive(self, *, since: datetime) -> list[str]:
        """The instances that have beaten since ``since``."""
        query = select(_instances.c.id).where(_instances.c.seen_at >= since)
        return list((await self._session.scalars(query)).all())

    async def forget_dead(self, *, before: datetime) -> int:
        """Forget the instances not seen since ``before``, and their leases; how many."""
        gone = select(_instances.c.id).where(_instances.c.seen_at < before)
        await self._session.execute(delete(_leases).where(_leases.c.owner.in_(gone)))
        result = await self._session.execute(
            delete(_instances).where(_instances.c.seen_at < before)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def take(
        self, *, scope: str, key: str, owner: str, at: datetime, alive_since: datetime
    ) -> bool:
        """Take the lease (``scope``, ``key``) for ``owner``: free, already its own, or held by
        an instance that stopped beating before ``alive_since``; whether ``owner`` holds it."""
        statement = _TAKE[self._session.get_bind().dialect.name]
        parameters = {
            "lease_scope": scope,
            "lease_key": key,
            "taker": owner,
            "taken": at,
            "alive_since": alive_since,
        }
        return (await self._session.execute(statement, parameters)).first() is not None

    async def holds(self, *, scope: str, key: str, owner: str) -> bool:
        """Whether ``owner`` holds the lease (``scope``, ``key``)."""
        row = _leases.c
        query = select(row.owner).where(row.scope == scope, row.key == key, row.owner == owner)
        return (await self._session.execute(query)).first() is not None

    async def give_up(self, *, scope: str, key: str, owner: str) -> bool:
        """Give up the lease if ``owner`` holds it; whether it did."""
        row = _leases.c
        result = await self._session.execute(
            delete(_leases).where(and_(row.scope == scope, row.key == key, row.owner == owner))
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
