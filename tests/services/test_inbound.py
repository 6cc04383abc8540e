"""The inbox: an update is stored once by id, and marked handled with its effects, exactly once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Row, select

from bot.services.coach import Coach
from bot.services.context import Person, ServiceContext
from bot.services.inbound import Inbox
from bot.storage.models import InboundUpdate, Runner

PAYLOAD = {"update_id": 7, "message": {"text": "/start"}}
ADA = Person("telegram", "501", "501", "Ada")


@pytest.fixture
def inbox(coach: Coach) -> Inbox:
    return Inbox(coach.ctx, "telegram")


async def stored(ctx: ServiceContext) -> dict[int, Row[Any]]:
    """The stored updates, read beside the units of work (which would mark one handled)."""
    async with ctx.database.engine.connect() as connection:
        rows = (await connection.execute(select(InboundUpdate.__table__))).all()
    return {row.update_id: row for row in rows}


async def test_updates_are_stored_once_by_id(inbox: Inbox) -> None:
    later = {"update_id": 8, "message": {"text": "/help"}}
    assert await inbox.receive({7: PAYLOAD}) == {7}
    assert await inbox.receive({7: {"update_id": 7, "message": {"text": "other"}}, 8: later}) == {8}

    assert await inbox.unhandled() == [(7, PAYLOAD), (8, later)]


async def test_the_unit_of_work_of_the_update_marks_it_handled_with_its_effects(
    inbox: Inbox, coach: Coach
) -> None:
    await inbox.receive({7: PAYLOAD})

    async with inbox.handling(7):
        await coach.command(ADA, "start")
        assert (await stored(coach.ctx))[7].handled_at is not None  # committed with the reply

    assert await inbox.unhandled() == []


async def test_a_handler_that_rolled_back_is_still_marked_handled_once_it_returns(
    inbox: Inbox, coach: Coach
) -> None:
    await inbox.receive({7: PAYLOAD})

    async def fail() -> None:
        async with coach.ctx.database.unit_of_work() as uow:
            uow.session.add(Runner(platform="telegram", platform_user_id="9", chat_id="9"))
            raise RuntimeError("the handler failed")

    async with inbox.handling(7):
        with pytest.raises(RuntimeError):
            await fail()
        assert (await stored(coach.ctx))[7].handled_at is None  # rolled back with the effects

    assert await inbox.unhandled() == []


async def test_handling_cut_short_leaves_the_update_for_the_next_start(
    inbox: Inbox, coach: Coach
) -> None:
    await inbox.receive({7: PAYLOAD})
    await inbox.receive({8: {**PAYLOAD, "update_id": 8}})

    with pytest.raises(KeyboardInterrupt):
        async with inbox.handling(7):
            raise KeyboardInterrupt  # the process is going down mid-handler

    assert [update_id for update_id, _ in await inbox.unhandled()] == [7, 8]
