"""An update is acknowledged to Telegram only once stored; a failed store is retried."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.error import NetworkError

from bot.services.coach import HELP, SORRY, Coach
from bot.services.infrastructure.inbound import Inbox
from bot.storage.database import Database
from bot.storage.models import InboundUpdate
from handlers.telegram.callbacks import PLATFORM
from handlers.telegram.durable_queue import DurableQueue
from tests.conftest import VirtualTime
from tests.fake_telegram import FakeBotAPI, FakeBotAPIServer
from tests.telegram.conftest import ADA, BEA, JSONDict, RunningBots, WebhookBot, command


@dataclass
class StoreFault:
    """Makes the next ``failures`` inserts into ``inbound_updates`` (or other ``writes``) fail,
    as a locked database."""

    failures: int = 0
    failed: int = 0
    exhausted: asyncio.Event = field(default_factory=asyncio.Event)
    writes: str = "INSERT INTO INBOUND_UPDATES"

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.failures and statement.lstrip().upper().startswith(self.writes):
            self.failures -= 1
            self.failed += 1
            if not self.failures:
                self.exhausted.set()
            locked = sqlite3.OperationalError("database is locked")
            locked.sqlite_errorcode = sqlite3.SQLITE_BUSY
            raise locked


@pytest.fixture
def fault(engine: AsyncEngine) -> Iterator[StoreFault]:
    fault = StoreFault()
    event.listen(engine.sync_engine, "before_cursor_execute", fault)
    yield fault
    event.remove(engine.sync_engine, "before_cursor_execute", fault)


@dataclass
class HeldStore:
    """Every store of updates waits for ``release``; ``storing`` is set once one waits, and
    ``again`` once a second one does."""

    storing: asyncio.Event = field(default_factory=asyncio.Event)
    again: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> HeldStore:
    held = HeldStore()
    receive = Inbox.receive

    async def held_receive(inbox: Inbox, payloads: Mapping[int, JSONDict]) -> set[int]:
        (held.again if held.storing.is_set() else held.storing).set()
        await held.release.wait()
        return await receive(inbox, payloads)

    monkeypatch.setattr(Inbox, "receive", held_receive)
    return held


async def stored(database: Database) -> int:
    async with database.unit_of_work() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(InboundUpdate))
    return int(count or 0)


def an_update(update_id: int = 41, sender: JSONDict = ADA) -> Update:
    return Update.de_json({**command("/help", sender), "update_id": update_id}, None)


def queued(queue: DurableQueue) -> list[int]:
    """The ids of the updates queued for handling, in order (the queue is emptied)."""
    ids = []
    while not queue.empty():
        update = queue.get_nowait()
        assert isinstance(update, Update)
        ids.append(update.update_id)
    return ids


async def test_updates_taken_in_are_stored_in_one_statement_and_the_new_queued_by_id(
    coach: Coach, engine: AsyncEngine
) -> None:
    queue = DurableQueue(Inbox(coach.ctx, PLATFORM))
    await queue.put(an_update(40))
    await queue.store()
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)

    # 40: delivered again; 42 before 41, as two webhook POSTs may arrive
    for update_id, sender in ((42, BEA), (40, ADA), (41, ADA), (42, BEA)):
        await queue.put(an_update(update_id, sender))
    assert queue.qsize() == 1  # taken in, not queued: nothing is handled before it is stored
    await queue.store()
    event.remove(engine.sync_engine, "before_cursor_execute", record)

    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO INBOUND")]
    assert len(inserts) == 1
    assert queued(queue) == [40, 41, 42]
    assert await stored(coach.ctx.database) == 3


async def test_a_failed_store_is_tried_again_after_a_growing_pause_then_queued(
    coach: Coach, fault: StoreFault
) -> None:
    time = VirtualTime()
    queue = DurableQueue(Inbox(coach.ctx, PLATFORM, sleep=time.sleep))
    fault.failures = 2

    await queue.put(an_update())
    await queue.store()

    assert time.sleeps == [0.1, 0.5]
    assert queued(queue) == [41]
    assert await stored(coach.ctx.database) == 1


async def test_a_store_that_keeps_failing_refuses_and_keeps_the_updates_and_logs_no_text(
    coach: Coach, fault: StoreFault, caplog: pytest.LogCaptureFixture
) -> None:
    time = VirtualTime()
    queue = DurableQueue(Inbox(coach.ctx, PLATFORM, sleep=time.sleep))
    fault.failures = 10
    await queue.put(an_update())

    with pytest.raises(NetworkError) as refused:  # what PTB's polling loop survives
        await queue.store()

    assert fault.failed == 4
    assert time.sleeps == [0.1, 0.5, 2.0]
    assert queue.empty()
    assert refused.value.__suppress_context__  # the SQL error (and its parameters) not chained
    assert "could not store updates 41 after 4 tries (locked: database is locked)" in caplog.text
    assert "/help" not in caplog.text and "Ada" not in caplog.text

    fault.failures = 0
    await queue.put(an_update(42))
    await queue.store()  # the next store takes the refused update too
    assert queued(queue) == [41, 42]


async def test_a_store_cancelled_midway_keeps_its_updates_for_the_next(
    coach: Coach, held: HeldStore
) -> None:
    queue = DurableQueue(Inbox(coach.ctx, PLATFORM))
    await queue.put(an_update())
    cancelled = asyncio.create_task(queue.store())
    async with asyncio.timeout(5):
        await held.storing.wait()
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    held.release.set()

    await queue.store()  # returns only once the update is stored

    assert await stored(coach.ctx.database) == 1
    assert queued(queue) == [41]


async def test_polling_stopped_during_a_store_confirms_only_what_it_then_stores(
    running: RunningBots, fake_api: FakeBotAPI, coach: Coach, held: HeldStore
) -> None:
    application = await running.start()
    assert application.updater is not None
    fake_api.push_update(command("/help", ADA))
    async with asyncio.timeout(5):
        await held.storing.wait()

    stopping = asyncio.create_task(application.updater.stop())  # cancels the poll's store
    async with asyncio.timeout(5):  # the last poll stores the update again before it confirms
        await held.again.wait()
    held.release.set()
    await stopping

    assert fake_api.unconfirmed_updates == 0
    assert await stored(coach.ctx.database) == 1


async def test_a_stop_signal_is_queued_at_once_without_a_store(
    coach: Coach, fault: StoreFault
) -> None:
    queue = DurableQueue(Inbox(coach.ctx, PLATFORM, sleep=VirtualTime().sleep))
    fault.failures = 10  # a store now would fail, and Application.stop with it
    await queue.put(an_update())
    stop = object()

    await queue.put(stop)

    assert queue.get_nowait() is stop
    assert fault.failed == 0  # the update taken in is left for polling's last store


async def test_a_poll_goes_out_only_once_what_it_confirms_is_stored(
    running: RunningBots, fake_api: FakeBotAPI, coach: Coach, held: HeldStore
) -> None:
    await running.start()
    update = fake_api.push_update(command("/help", ADA))
    async with asyncio.timeout(5):
        await held.storing.wait()
    polls = len(fake_api.calls("getUpdates"))

    await asyncio.sleep(0.2)  # a poll that did not wait for the store would go out meanwhile
    assert len(fake_api.calls("getUpdates")) == polls
    assert fake_api.unconfirmed_updates == 1

    held.release.set()
    confirming = await fake_api.wait_for_call("getUpdates", count=polls + 1)
    assert int(confirming.params["offset"]) == update["update_id"] + 1
    assert await stored(coach.ctx.database) == 1
    await fake_api.wait_for_message(ADA["id"])
    assert fake_api.sent_texts(ADA["id"]) == [HELP]


async def polling_with_virtual_retries(running: RunningBots) -> DurableQueue:
    """Start the bot polling, its inbox's retries on virtual time; returns its queue."""
    application = await running.start()
    queue = application.update_queue
    assert isinstance(queue, DurableQueue)
    queue.inbox.sleep = VirtualTime().sleep
    return queue


async def test_polling_goes_on_after_a_failed_store_and_handles_the_update_once_stored(
    running: RunningBots, fake_api: FakeBotAPI, fault: StoreFault, coach: Coach
) -> None:
    await polling_with_virtual_retries(running)
    fault.failures = 4  # every try of the first store

    update = fake_api.push_update(command("/help", ADA))
    async with asyncio.timeout(5):
        await fault.exhausted.wait()
    assert all(  # nothing confirmed while the store failed
        int(call.params.get("offset", 0)) <= update["update_id"]
        for call in fake_api.calls("getUpdates")
    )

    # After PTB's pause the next poll stores the update first, then confirms it.
    await fake_api.wait_for_message(ADA["id"])
    assert fake_api.sent_texts(ADA["id"]) == [HELP]
    assert await stored(coach.ctx.database) == 1


def virtual_store_retries(bot: WebhookBot) -> None:
    """The store's retries on virtual time."""
    queue = bot.application.update_queue
    assert isinstance(queue, DurableQueue)
    queue.inbox.sleep = VirtualTime().sleep


async def test_the_webhook_answers_500_while_the_store_fails_so_telegram_posts_again(
    webhook_bot: WebhookBot,
    fake_api: FakeBotAPI,
    fake_server: FakeBotAPIServer,
    fault: StoreFault,
    coach: Coach,
) -> None:
    virtual_store_retries(webhook_bot)
    update = {**command("/help", ADA), "update_id": 7}
    fault.failures = 4

    assert await fake_server.post_to_webhook(update) == 500
    assert await stored(coach.ctx.database) == 0
    assert fake_api.sent_messages(ADA["id"]) == []
    assert await fake_server.post_to_webhook(update) == 200  # Telegram's retry
    await fake_api.wait_for_message(ADA["id"])
    assert fake_api.sent_texts(ADA["id"]) == [HELP]


async def test_the_webhook_answers_only_after_the_update_is_stored_and_a_retry_counts_once(
    webhook_bot: WebhookBot,
    fake_api: FakeBotAPI,
    fake_server: FakeBotAPIServer,
    coach: Coach,
    held: HeldStore,
) -> None:
    virtual_store_retries(webhook_bot)
    update = {**command("/help", ADA), "update_id": 8}
    post = asyncio.create_task(fake_server.post_to_webhook(update))
    async with asyncio.timeout(5):
        await held.storing.wait()
    # Meanwhile Telegram posts it again (its first POST seemed lost), and another update.
    others = [
        asyncio.create_task(fake_server.post_to_webhook(body))
        for body in (update, {**command("/help", BEA), "update_id": 9})
    ]

    # An answer sent before the store would be back over loopback well within this bound.
    answered, _ = await asyncio.wait({post, *others}, timeout=0.3)
    assert not answered
    assert await stored(coach.ctx.database) == 0

    held.release.set()
    assert [await post, *[await other for other in others]] == [200, 200, 200]
    assert await stored(coach.ctx.database) == 2
    await fake_api.wait_for_message(BEA["id"])
    await fake_api.wait_for_message(ADA["id"])
    assert fake_api.sent_texts(ADA["id"]) == [HELP]


async def test_a_failed_handler_whose_mark_fails_too_says_sorry_once_and_is_marked_in_turn(
    running: RunningBots, fake_api: FakeBotAPI, fault: StoreFault, coach: Coach
) -> None:
    queue = await polling_with_virtual_retries(running)
    fault.writes = "UPDATE INBOUND_UPDATES"  # the mark: in the handler's commit, then alone
    fault.failures = 2

    fake_api.push_update(command("/start", ADA))
    fake_api.push_update(command("/help", ADA))  # waits for the first, its mark included

    await fake_api.wait_for_message(ADA["id"], count=2)
    assert fake_api.sent_texts(ADA["id"]) == [SORRY, HELP]
    assert await queue.inbox.unhandled() == []
    assert len(running.handler_errors) == 1  # the handler's failed commit, reported once
    running.handler_errors.clear()
