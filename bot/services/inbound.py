"""The inbox of one platform: each update is stored before it is acknowledged, handled once.

``receive`` stores updates, several in one transaction (a redelivered id is ignored), and is
awaited before the platform is told they arrived. ``handling`` wraps the handling of a
stored update: the first unit of work the handler commits marks it handled in the same
transaction as its effects; if the handler committed none (a reply without a write, or a
failure that rolled back), it is marked handled on its own afterwards. An update whose
handling was cut short by a crash stays unhandled, and ``unhandled`` gives it back at the
next start. Handled updates are forgotten by the reminder tick
(``bot/services/update_retention.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from bot.services.context import ServiceContext
from bot.storage import receipts


class Inbox:
    """Stored updates of one platform, on the service context's database and clock."""

    def __init__(self, ctx: ServiceContext, platform: str) -> None:
        self.ctx = ctx
        self.platform = platform

    async def receive(self, payloads: Mapping[int, dict[str, Any]]) -> set[int]:
        """Store updates durably, by id, in one transaction; the ids that are new (not stored
        before)."""
        async with self.ctx.database.unit_of_work() as uow:
            return await uow.updates.add(
                platform=self.platform, payloads=payloads, at=self.ctx.clock()
            )

    async def unhandled(self) -> list[tuple[int, dict[str, Any]]]:
        """The stored updates a crash left unhandled, oldest first."""
        async with self.ctx.database.unit_of_work() as uow:
            return await uow.updates.unhandled(platform=self.platform)

    @asynccontextmanager
    async def handling(self, update_id: int) -> AsyncIterator[None]:
        """Handle one stored update inside the block; it is marked handled exactly once."""
        receipt = receipts.Receipt(self.platform, update_id, self.ctx.clock())
        token = receipts.current.set(receipt)
        try:
            yield
        finally:
            receipts.current.reset(token)
        if not receipt.handled:
            async with self.ctx.database.unit_of_work() as uow:
                await uow.updates.mark_handled(
                    platform=self.platform, update_id=update_id, at=receipt.at
                )
