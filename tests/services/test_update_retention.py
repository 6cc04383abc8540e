"""Handled updates are forgotten once older than the retention, in small batches; others stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.services.coach import Coach
from bot.services.infrastructure import update_retention
from bot.services.infrastructure.inbound import Inbox
from bot.services.infrastructure.update_retention import prune_handled_updates
from bot.settings import KEEP_HANDLED_UPDATES
from bot.storage.models import InboundUpdate
from tests.conftest import FakeClock


async def handled(inbox: Inbox, *update_ids: int) -> None:
    for update_id in update_ids:
        await inbox.receive({update_id: {"update_id": update_id}})
        async with inbox.handling(update_id):
            pass


async def stored(coach: Coach) -> list[int]:
    async with coach.ctx.database.engine.connect() as connection:
        query = select(InboundUpdate.update_id).order_by(InboundUpdate.update_id)
        return list((await connection.scalars(query)).all())


async def test_only_updates_handled_longer_ago_than_kept_are_forgotten(
    coach: Coach, clock: FakeClock
) -> None:
    inbox = Inbox(coach.ctx, "telegram")
    await handled(inbox, 7)
    await inbox.receive({8: {"update_id": 8}})  # never handled: a restart still needs it
    clock.now += KEEP_HANDLED_UPDATES
    await handled(inbox, 9)

    assert await prune_handled_updates(coach.ctx, clock.now, KEEP_HANDLED_UPDATES) == 0
    clock.now += timedelta(seconds=1)
    assert await prune_handled_updates(coach.ctx, clock.now, KEEP_HANDLED_UPDATES) == 1
    assert await stored(coach) == [8, 9]


async def test_a_backlog_is_forgotten_a_batch_at_a_time_up_to_a_cap_per_call(
    coach: Coach, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(update_retention, "PRUNE_BATCH", 2)
    monkeypatch.setattr(update_retention, "PRUNE_BATCHES", 3)
    await handled(Inbox(coach.ctx, "telegram"), *range(1, 8))
    later = clock.now + timedelta(hours=2)

    assert await prune_handled_updates(coach.ctx, later, timedelta(hours=1)) == 6
    assert len(await stored(coach)) == 1
    assert await prune_handled_updates(coach.ctx, later, timedelta(hours=1)) == 1
    assert await stored(coach) == []
