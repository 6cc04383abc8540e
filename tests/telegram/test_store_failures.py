"""An update is acknowledged to Telegram only once stored; a failed store is retried."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.error import NetworkError

from bot.services.coach import HELP, Coach
from bot.services.inbound import Inbox
from bot.storage.database import Database
from bot.storage.models import InboundUpdate
from handlers.telegram.callbacks import PLATFORM
from handlers.telegram.durable_queue import DurableQueue
from tests.conftest import VirtualTime
from tests.fake_telegram import FakeBotAPI, FakeBotAPIServer
from tests.telegram.conftest import ADA, RunningBots, WebhookBot, command


@dataclass
class StoreFault:
    """Makes the next ``failures`` inserts into ``inbound_updates`` fail, as a locked database."""

    failures: int = 0
    failed: int = 0
    exhausted: asyncio.Event = field(default_factory=asyncio.Event)

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.failures and statement.lstrip().upper().startswith("INSERT INTO INBOUND_UPDATES"):
            self.failures -= 1
            self.failed += 1
            if not self.failures:
                self.exhausted.set()
            raise sqlite3.OperationalError("database is locked")


@pytest.fixture
def fault(engine: AsyncEngine) -> Iterator[StoreFault]:
    fault = StoreFault()
    event.listen(engine.sync_engine, "before_cursor_execute", fault)
    yield fault
    event.remove(engine.sync_engine, "before_cursor_execute", fault)


async def stored(database: Database) -> int:
    async with database.unit_of_work() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(InboundUpdate))
    return int(count or 0)


def an_update() -> Update:
    return Update.de_json({**command("/help", ADA), "update_id": 41}, None)


async def test_a_failed_store_is_tried_again_after_a_growing_pause_then_queued(
    coach: Coach, fault: StoreFault
) -> None:
    time = VirtualTime()
    queue = DurableQueue(Inbox(coach.ctx, PLATFORM), sleep=time.sleep)
    fault.failures = 2

    await queue.put(an_update())

    assert time.sleeps == [0.1, 0.5]
    assert queue.qsize() == 1
    assert await stored(coach.ctx.database) == 1


async def test_a_store_that_keeps_failing_refuses_the_update_and_logs_no_text(
    coach: Coach, fault: StoreFault, caplog: pytest.LogCaptureFixture
) -> None:
    time = VirtualTime()
    queue = DurableQueue(Inbox(coach.ctx, PLATFORM), sleep=time.sleep)
    fault.failures = 10

    with pytest.raises(NetworkError) as refused:  # what PTB's polling loop survives
        await queue.put(an_update())

    assert fault.failed == 4
    assert time.sleeps == [0.1, 0.5, 2.0]
    assert queue.qsize() == 0
    assert refused.value.__suppress_context__  # the SQL error (and its parameters) not chained
    assert "could not store update 41 after 4 tries (OperationalError)" in caplog.text
    assert "/help" not in caplog.text and "Ada" not in caplog.text


async def test_polling_goes_on_after_a_failed_store_and_telegram_sends_the_update_again(
    running: RunningBots, fake_api: FakeBotAPI, fault: StoreFault
) -> None:
    application = await running.start()
    queue = application.update_queue
    assert isinstance(queue, DurableQueue)
    queue.sleep = VirtualTime().sleep
    fault.failures = 4  # every try of the first delivery

    update = fake_api.push_update(command("/help", ADA))
    async with asyncio.timeout(5):
        await fault.exhausted.wait()
    polls = len(fake_api.calls("getUpdates"))

    # The next poll (after PTB's pause) has not confirmed the update, so it comes again.
    again = await fake_api.wait_for_call("getUpdates", count=polls + 1)
    assert int(again.params.get("offset", 0)) <= update["update_id"]
    await fake_api.wait_for_message(ADA["id"])
    assert fake_api.sent_texts(ADA["id"]) == [HELP]


def virtual_store_retries(bot: WebhookBot) -> None:
    """The store's retries on virtual time."""
    queue = bot.application.update_queue
    assert isinstance(queue, DurableQueue)
    queue.sleep = VirtualTime().sleep


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


async def test_the_webhook_answers_only_after_the_update_is_stored(
    webhook_bot: WebhookBot,
    fake_api: FakeBotAPI,
    fake_server: FakeBotAPIServer,
    coach: Coach,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    virtual_store_retries(webhook_bot)
    storing, release = asyncio.Event(), asyncio.Event()
    receive = Inbox.receive

    async def held_receive(inbox: Inbox, update_id: int, payload: dict[str, Any]) -> bool:
        storing.set()
        await release.wait()
        return await receive(inbox, update_id, payload)

    monkeypatch.setattr(Inbox, "receive", held_receive)
    update = {**command("/help", ADA), "update_id": 8}
    post = asyncio.create_task(fake_server.post_to_webhook(update))
    async with asyncio.timeout(5):
        await storing.wait()

    # An answer sent before the store would be back over loopback well within this bound.
    answered, _ = await asyncio.wait({post}, timeout=0.3)
    assert not answered
    assert await stored(coach.ctx.database) == 0

    release.set()
    assert await post == 200
    assert await stored(coach.ctx.database) == 1
    await fake_api.wait_for_message(ADA["id"])
