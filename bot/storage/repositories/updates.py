"""Inbound updates: stored once by id, read back until handled and answered (then only the
id is kept), pruned once old."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    null,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import InboundUpdate, Lease
from bot.storage.notices import notify
from bot.storage.repositories.instances import alive
from bot.storage.upsert import insert_ignoring_conflicts

_updates = cast(Table, InboundUpdate.__table__)
_leases = cast(Table, Lease.__table__)
_THIS = (_updates.c.platform == bindparam("at"), _updates.c.update_id == bindparam("number"))
# Only an update nobody handled yet is marked, or owes a reply: one another instance handled
# meanwhile is not.
_UNTOUCHED = (_updates.c.handled_at.is_(None), _updates.c.reply.is_(None))
# Every update runs one of these: built once, not built and keyed anew each time. A handled
# update's payload and conversation (who sent it, what they typed) go, with the reply it
# owed: telling a redelivery apart needs only its id.
_DONE = {"handled_at": bindparam("handled"), "payload": null(), "conversation": null()}
_MARK_HANDLED = update(_updates).where(*_THIS, *_UNTOUCHED).values(**_DONE, reply=null())
_OWE = update(_updates).where(*_THIS, *_UNTOUCHED).values(reply=bindparam("owed"))
_ANSWERED = (
    update(_updates).where(*_THIS, _updates.c.handled_at.is_(None)).values(**_DONE, reply=null())
)


class Stored(NamedTuple):
    """An update still to handle, or whose reply is still to send (``reply``, encoded)."""

    update_id: int
    payload: dict[str, Any]
    reply: str | None = None


def _unhandled_of(platform: str, conversation: str) -> ColumnElement[bool]:
    row = _updates.c
    return and_(
        row.platform == platform, row.conversation == conversation, row.handled_at.is_(None)
    )


class UpdateRepository:
    """The platform updates received, and whether each was handled."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        platform: str,
        payloads: Mapping[int, dict[str, Any]],
        conversations: Mapping[int, str],
        at: datetime,
    ) -> set[int]:
        """Store updates by id, each with its conversation, in one statement; the ids that
        were not stored already (an id that was, Telegram delivered again)."""
        if not payloads:
            return set()
        statement = insert_ignoring_conflicts(self._session, _updates, returning="update_id")
        rows = [
            {
                "platform": platform,
                "update_id": update_id,
                "conversation": conversations[update_id],
                "payload": payload,
                "received_at": at,
            }
            for update_id, payload in payloads.items()
        ]
        added = await self._session.execute(statement, rows)
        return set(added.scalars())

    async def unhandled(self, *, platform: str) -> list[tuple[int, dict[str, Any]]]:
        """Every stored update not yet handled, oldest first, as (id, payload)."""
        query = (
            select(InboundUpdate.update_id, InboundUpdate.payload)
            .where(InboundUpdate.platform == platform, InboundUpdate.handled_at.is_(None))
            .order_by(InboundUpdate.update_id)
        )
        return [(row.update_id, row.payload) for row in await self._session.execute(query)]

    async def announce(self, topic: str, conversations: list[str]) -> None:
        """Name ``conversations`` to the instances listening on ``topic``, at the commit."""
        await notify(self._session, topic, conversations)

    async def pending(self, *, platform: str, conversation: str, limit: int) -> list[Stored]:
        """The first ``limit`` updates of ``conversation`` not yet handled, oldest first (one
        with a reply owed is handled but for sending it)."""
        query = (
            select(InboundUpdate.update_id, InboundUpdate.payload, InboundUpdate.reply)
            .where(_unhandled_of(platform, conversation))
            .order_by(InboundUpdate.update_id)
            .limit(limit)
        )
        rows = await self._session.execute(query)
        return [Stored(row.update_id, row.payload, row.reply) for row in rows]

    async def let_go(self, *, platform: str, conversation: str, owner: str) -> bool:
        """Give up ``owner``'s lease on ``conversation`` if none of its updates is left to
        handle; whether it was given up. (An update stored meanwhile is seen here, or its
        instance finds the lease free: one or the other, never neither.)"""
        lease = _leases.c
        left = exists().where(_unhandled_of(platform, conversation))
        result = await self._session.execute(
            delete(_leases).where(
                lease.scope == platform,
                lease.key == conversation,
                lease.owner == owner,
                ~left,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def orphans(
        self, *, platform: str, owner: str, alive_since: datetime, limit: int
    ) -> list[str]:
        """Conversations with updates left to handle that no other live instance holds: never
        taken, let go by a failure, or held by an instance that stopped beating."""
        row, lease = _updates.c, _leases.c
        held = exists().where(
            lease.scope == row.platform,
            lease.key == row.conversation,
            lease.owner != owner,
            alive(lease.owner, alive_since),
        )
        query = (
            select(row.conversation)
            .where(row.platform == platform, row.handled_at.is_(None), ~held)
            .group_by(row.conversation)
            .order_by(func.min(row.update_id))
            .limit(limit)
        )
        return list((await self._session.scalars(query)).all())

    async def waiting(self, *, platform: str) -> int:
        """How many stored updates of ``platform`` are not handled yet."""
        query = select(func.count()).where(
            InboundUpdate.platform == platform, InboundUpdate.handled_at.is_(None)
        )
        return int(await self._session.scalar(query) or 0)

    async def mark_handled(
        self, *, platform: str, update_id: int, at: datetime, reply: str | None = None
    ) -> bool:
        """Record that an update was handled, forgetting what it said and who sent it, or,
        with ``reply``, that its effects are in and it owes that reply (``answered`` once it is
        sent); False if it was handled already (by another instance, whose lease it
        outlived)."""
        if reply is None:
            values = {"at": platform, "number": update_id, "handled": at}
            result = await self._session.execute(_MARK_HANDLED, values)
        else:
            values = {"at": platform, "number": update_id, "owed": reply}
            result = await self._session.execute(_OWE, values)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def answered(self, *, platform: str, update_id: int, at: datetime) -> None:
        """Record that an update's reply was sent, which makes it handled."""
        await self._session.execute(_ANSWERED, {"at": platform, "number": update_id, "handled": at})

    async def prune(self, *, handled_before: datetime, limit: int) -> int:
        """Forget up to ``limit`` of the updates handled before ``handled_before``; how many."""
        oldest = (
            select(InboundUpdate.platform, InboundUpdate.update_id)
            .where(InboundUpdate.handled_at < handled_before)
            .order_by(InboundUpdate.handled_at)
            .limit(limit)
        )
        result = await self._session.execute(
            delete(InboundUpdate).where(
                tuple_(InboundUpdate.platform, InboundUpdate.update_id).in_(oldest)
            )
        )
        return int(getattr(result, "rowcount", 0))
