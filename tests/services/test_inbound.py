"""The inbox: an update is stored once by id, and marked handled with its effects, exactly once."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Row, event, select

from bot.services.coach import Coach
from bot.services.context import ChatKind, Person, Platform, ServiceContext
from bot.services.infrastructure.inbound import Inbox
from bot.services.presentation.replies import decode
from bot.storage.models import InboundUpdate, Runner
from tests.conftest import VirtualTime

PAYLOAD = {"update_id": 7, "message": {"text": "/start"}}
ADA = Person(Platform.TELEGRAM, "501", "501", "Ada")


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
        reply = await coach.command(ADA, "start")
        owing = (await stored(coach.ctx))[7]  # committed with the effects, the reply to send
        assert owing.handled_at is None
        assert decode(owing.reply) == reply
        assert owing.payload == PAYLOAD  # what sending the reply again would need

    handled = (await stored(coach.ctx))[7]  # the reply went out with the block
    assert handled.handled_at is not None
    assert (handled.payload, handled.reply) == (None, None)  # gone with the mark
    assert await inbox.unhandled() == []
    assert await inbox.receive({7: PAYLOAD}) == set()  # its id still tells a redelivery


async def test_a_crash_between_the_commit_and_the_reply_leaves_the_reply_owed_not_the_update(
    inbox: Inbox, coach: Coach
) -> None:
    await inbox.receive({7: PAYLOAD}, {7: "User:501"})

    replies = []

    async def cut_short() -> None:
        async with inbox.handling(7):
            replies.append(await coach.command(ADA, "start"))
            raise KeyboardInterrupt  # the process goes down before the reply is sent

    with pytest.raises(KeyboardInterrupt):
        await cut_short()
    [reply] = replies

    [owed] = await inbox.pending("User:501")
    assert (owed.update_id, owed.payload, decode(owed.reply or "")) == (7, PAYLOAD, reply)
    async with coach.ctx.database.unit_of_work() as uow:  # the effects went in, once
        assert (await uow.dialogs.get(platform="telegram", user_id="501")) is not None

    await inbox.answered(7)  # whoever takes the conversation up next sends it, once
    assert await inbox.pending("User:501") == []
    assert (await stored(coach.ctx))[7].payload is None


async def test_an_empty_reply_leaves_nothing_to_send(inbox: Inbox, coach: Coach) -> None:
    await inbox.receive({7: PAYLOAD}, {7: "User:501"})
    group = Person(Platform.TELEGRAM, "501", "-100", "Ada", ChatKind.GROUP)

    async with inbox.handling(7):
        assert await coach.text(group, "chatter in the group") == ()
        [owed] = await inbox.pending("User:501")
        assert owed.reply == ""  # its effects are in: not handled again, nothing to send

    handled = (await stored(coach.ctx))[7]
    assert handled.handled_at is not None
    assert (handled.payload, handled.reply) == (None, None)


async def test_the_reply_is_kept_by_whichever_unit_of_work_built_it(
    inbox: Inbox, coach: Coach
) -> None:
    await inbox.receive({7: PAYLOAD}, {7: "User:501"})

    async with inbox.handling(7):
        async with coach.ctx.database.unit_of_work():
            pass  # another handler's effects, first: they mark the update's effects in
        [owed] = await inbox.pending("User:501")
        assert owed.reply == ""
        reply = await coach.command(ADA, "start")  # the coach's, after
        [owed] = await inbox.pending("User:501")
        assert decode(owed.reply or "") == reply


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
    assert (await stored(coach.ctx))[7].payload is None


async def test_handling_cut_short_leaves_the_update_for_the_next_start(
    inbox: Inbox, coach: Coach
) -> None:
    await inbox.receive({7: PAYLOAD})
    await inbox.receive({8: {**PAYLOAD, "update_id": 8}})

    with pytest.raises(KeyboardInterrupt):
        async with inbox.handling(7):
            raise KeyboardInterrupt  # the process is going down mid-handler

    assert [update_id for update_id, _ in await inbox.unhandled()] == [7, 8]


class MarkFault:
    """Makes the next ``failures`` statements that mark an update handled fail."""

    def __init__(self) -> None:
        self.failures = 0

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.failures and statement.lstrip().upper().startswith("UPDATE INBOUND_UPDATES"):
            self.failures -= 1
            raise sqlite3.OperationalError("database is locked")


@pytest.fixture
def mark_fault(coach: Coach) -> Iterator[MarkFault]:
    fault = MarkFault()
    engine = coach.ctx.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", fault)
    yield fault
    event.remove(engine, "before_cursor_execute", fault)


async def test_a_mark_that_fails_is_tried_again_before_the_handling_ends(
    coach: Coach, mark_fault: MarkFault
) -> None:
    time = VirtualTime()
    inbox = Inbox(coach.ctx, "telegram", sleep=time.sleep)
    await inbox.receive({7: PAYLOAD})
    mark_fault.failures = 2

    async with inbox.handling(7):
        pass  # a reply without a write: marked on its own

    assert time.sleeps == [0.1, 0.5]
    assert await inbox.unhandled() == []


async def test_a_mark_that_never_goes_in_is_logged_and_left_for_the_next_start(
    coach: Coach, mark_fault: MarkFault, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = Inbox(coach.ctx, "telegram", sleep=VirtualTime().sleep)
    await inbox.receive({7: PAYLOAD})
    mark_fault.failures = 4

    async with inbox.handling(7):  # does not raise: the person was answered already
        pass

    assert "could not mark update 7 handled after 4 tries (OperationalError)" in caplog.text
    assert "/start" not in caplog.text
    assert [update_id for update_id, _ in await inbox.unhandled()] == [7]
