"""Handled inbound updates are kept a while (for redeliveries), then forgotten in small batches."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services.context import ServiceContext

PRUNE_BATCH = 500  # rows deleted per transaction, so no write lock is held for long
PRUNE_BATCHES = 20  # at most this many batches a call; the next tick takes the rest


async def prune_handled_updates(ctx: ServiceContext, now: datetime, keep: timedelta) -> int:
    """Forget updates handled more than ``keep`` before ``now``, a batch per transaction."""
    pruned = 0
    for _ in range(PRUNE_BATCHES):
        async with ctx.database.unit_of_work() as uow:
            batch = await uow.updates.prune(handled_before=now - keep, limit=PRUNE_BATCH)
        pruned += batch
        if batch < PRUNE_BATCH:
            break
    return pruned
