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
_OPEN = _updates.c.handled_at.is_(None)
# Only an update nobody handled yet has its effects marked in, or is marked handled without
# effects: one another instance handled meanwhile is not.
_UNTOUCHED = (_OPEN, _updates.c.reply.is_(None))
# Every update runs some of these: built once, not built and keyed anew each time. A handled
# update's payload and conversation (who sent it, what they typed) go, with the reply it
# owed: telling a redelivery apart needs only its id.
_DONE = {
    "handled_at": bindparam("handled"),
    "payload": null(),
    "conversation": null(),
    "reply": null(),
    "replier": null(),
}
_MARK_HANDLED = update(_updates).where(*_THIS, *_UNTOUCHED).values(**_DONE)
_EFFECTS_IN = (
    update(_updates)
    .where(*_THIS, *_UNTOUCHED)
    .values(reply=bindparam("owed"), replier=bindparam("by"))
)
_OWE = update(_updates).where(*_THIS, _OPEN).values(reply=bindparam("owed"))
_ANSWERED = update(_updates).where(*_THIS, _OPEN).values(**_DONE)
_DISOWN = update(_updates).where(*_THIS, _OPEN).values(replier=null())


class Stored(NamedTuple):
    """An update still to handle (``reply`` None), or whose effects are in and whose reply
    is still to send (``reply``, encoded; empty for none): by its live instance, which is
    sending it (``replying``), or by whoever takes the conversation up (its instance died)."""

    update_id: int
    payload: dict[str, Any]
    reply: str | None = None
    replying: bool = False


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

    async def pending(
        self, *, platform: str, conversation: str, limit: int, owner: str, alive_since: datetime
    ) -> list[Stored]:
        """The first ``limit`` updates of ``conversation`` not yet handled, oldest first (one
        with a reply owed is handled but for sending it, by its instance if that is not
        ``owner`` and has beaten since ``alive_since``)."""
        row = _updates.c
        query = (
            select(
                row.update_id,
                row.payload,
                row.reply,
                and_(row.replier != owner, alive(row.replier, alive_since)).label("replying"),
            )
            .where(_unhandled_of(platform, conversation))
            .order_by(row.update_id)
            .limit(limit)
        )
        rows = await self._session.execute(query)
        return [
            Stored(stored.update_id, stored.payload, stored.reply, bool(stored.replying))
            for stored in rows
        ]

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

    async def effects_in(self, *, platform: str, update_id: int, reply: str, replier: str) -> bool:
        """Record, with its effects, that an update was handled but for ``replier`` sending
        ``reply`` (encoded; empty for none so far), which it keeps, with its payload, until
        ``answered``; False if it was handled already (by another instance, whose lease it
        outlived)."""
        values = {"at": platform, "number": update_id, "owed": reply, "by": replier}
        result = await self._session.execute(_EFFECTS_IN, values)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def owe(self, *, platform: str, update_id: int, reply: str) -> None:
        """Keep ``reply`` as the one an update whose effects are in owes."""
        await self._session.execute(_OWE, {"at": platform, "number": update_id, "owed": reply})

    async def mark_handled(self, *, platform: str, update_id: int, at: datetime) -> bool:
        """Record that an update was handled with no effects to commit, forgetting what it
        said and who sent it; False if it was handled already."""
        values = {"at": platform, "number": update_id, "handled": at}
        result = await self._session.execute(_MARK_HANDLED, values)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def disown(self, *, platform: str, update_id: int) -> None:
        """Leave the reply an update owes to whoever holds its conversation now."""
        await self._session.execute(_DISOWN, {"at": platform, "number": update_id})

    async def answered(self, *, platform: str, update_id: int, at: datetime) -> None:
        """Record that the reply an update owed was sent, which makes it handled, forgetting
        what it said, who sent it and the reply."""
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
