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
from telegram.ext import ExtBot

from bot.services.coach import HELP, SORRY, Coach
from bot.services.infrastructure.inbound import Inbox
from bot.storage.database import Database
from bot.storage.models import InboundUpdate
from handlers.lifecycle import CannotRun
from handlers.telegram.callbacks import PLATFORM
from handlers.telegram.intake import Intake, StoreFailed
from handlers.telegram.polling import FIRST_PAUSE
from handlers.telegram.reading import Arrived
from tests.conftest import VirtualTime
from tests.fake_telegram import FakeBotAPI, FakeBotAPIServer, errors
from tests.fake_telegram.errors import ApiError
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
    ``waiting`` counts those that do."""

    storing: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    waiting: int = 0


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> HeldStore:
    held = HeldStore()
    receive = Inbox.receive

    async def held_receive(
        inbox: Inbox,
        payloads: Mapping[int, JSONDict],
        whose: Mapping[int, str | None],
        **announce: Any,
    ) -> set[int]:
        held.storing.set()
        held.waiting += 1
        await held.release.wait()
        return await receive(inbox, payloads, whose, **announce)

    monkeypatch.setattr(Inbox, "receive", held_receive)
    return held


async def stored(database: Database) -> int:
    async with database.unit_of_work() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(InboundUpdate))
    return int(count or 0)


def an_update(update_id: int = 41, sender: JSONDict = ADA) -> Arrived:
    sent = {**command("/help", sender), "update_id": update_id}
    return Arrived(Update.de_json(sent, None), sent)


def intake_on(coach: Coach, time: VirtualTime | None = None) -> tuple[Intake, list[int]]:
    """An intake on the test's database, and the ids it hands on, in order."""
    handed: list[int] = []
    inbox = Inbox(coach.ctx, PLATFORM, sleep=(time or VirtualTime()).sleep)
    return Intake(inbox, lambda update: handed.append(update.update_id)), handed


async def test_a_batch_is_stored_in_one_statement_and_the_new_handed_on_by_id(
    coach: Coach, engine: AsyncEngine
) -> None:
    intake, handed = intake_on(coach)
    await intake.store([an_update(40)])
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    # 40: delivered again; 42 before 41
    await intake.store([an_update(42, BEA), an_update(40), an_update(41), an_update(42, BEA)])
    event.remove(engine.sync_engine, "before_cursor_execute", record)

    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO INBOUND")]
    assert len(inserts) == 1
    assert handed == [40, 41, 42]
    assert await stored(coach.ctx.database) == 3


async def test_a_failed_store_is_tried_again_after_a_growing_pause_then_handed_on(
    coach: Coach, fault: StoreFault
) -> None:
    time = VirtualTime()
    intake, handed = intake_on(coach, time)
    fault.failures = 2

    await intake.store([an_update()])

    assert time.sleeps == [0.1, 0.5]
    assert handed == [41]
    assert await stored(coach.ctx.database) == 1


async def test_a_store_that_keeps_failing_refuses_hands_nothing_on_and_logs_no_text(
    coach: Coach, fault: StoreFault, caplog: pytest.LogCaptureFixture
) -> None:
    time = VirtualTime()
    intake, handed = intake_on(coach, time)
    fault.failures = 10

    with pytest.raises(StoreFailed) as refused:
        await intake.store([an_update()])

    assert fault.failed == 4
    assert time.sleeps == [0.1, 0.5, 2.0]
    assert handed == []
    assert refused.value.__suppress_context__  # the SQL error (and its parameters) not chained
    assert "could not store updates 41 after 4 tries (locked: database is locked)" in caplog.text
    assert "/help" not in caplog.text and "Ada" not in caplog.text


async def test_stopping_during_a_store_lets_it_finish_then_confirms_it(
    running: RunningBots, fake_api: FakeBotAPI, coach: Coach, held: HeldStore
) -> None:
    await running.start()
    fake_api.push_update(command("/help", ADA))
    async with asyncio.timeout(5):
        await held.storing.wait()

    stopping = asyncio.create_task(running.adapter.receiver.stop())
    await turns_of_the_loop()
    assert not stopping.done()  # the store in hand is not cut short
    held.release.set()
    await stopping

    assert fake_api.unconfirmed_updates == 0  # the last getUpdates confirmed it
    assert await stored(coach.ctx.database) == 1


async def turns_of_the_loop(count: int = 50) -> None:
    """Let every task that can run, run (turns of the event loop, not the wall clock)."""
    for _ in range(count):
        await asyncio.sleep(0)


async def test_a_poll_goes_out_only_once_what_it_confirms_is_stored(
    running: RunningBots, fake_api: FakeBotAPI, coach: Coach, held: HeldStore
) -> None:
    await running.start()
    update = fake_api.push_update(command("/help", ADA))
    async with asyncio.timeout(5):
        await held.storing.wait()
    polls = len(fake_api.calls("getUpdates"))

    await turns_of_the_loop()  # a poll that did not wait for the store would go out meanwhile
    assert len(fake_api.calls("getUpdates")) == polls
    assert fake_api.unconfirmed_updates == 1

    held.release.set()
    confirming = await fake_api.wait_for_call("getUpdates", count=polls + 1)
    assert int(confirming.params["offset"]) == update["update_id"] + 1
    assert await stored(coach.ctx.database) == 1
    await fake_api.wait_for_message(ADA["id"])
    assert fake_api.sent_texts(ADA["id"]) == [HELP]


async def test_polling_pauses_after_a_failed_store_then_stores_and_handles_the_update(
    running: RunningBots, fake_api: FakeBotAPI, fault: StoreFault, coach: Coach
) -> None:
    time = VirtualTime()
    await running.start(time=time)
    fault.failures = 4  # every try of the first store

    update = fake_api.push_update(command("/help", ADA))
    async with asyncio.timeout(5):
        await fault.exhausted.wait()
    assert all(  # nothing confirmed while the store failed
        int(call.params.get("offset", 0)) <= update["update_id"]
        for call in fake_api.calls("getUpdates")
    )

    await fake_api.wait_for_message(ADA["id"])
    assert time.sleeps == [0.1, 0.5, 2.0, FIRST_PAUSE]  # the inbox's tries, then the pause
    assert fake_api.sent_texts(ADA["id"]) == [HELP]
    assert await stored(coach.ctx.database) == 1


async def test_failed_polls_pause_one_second_growing_by_half_to_thirty(
    running: RunningBots, fake_api: FakeBotAPI
) -> None:
    time = VirtualTime()
    fake_api.fail_next("getUpdates", errors.server_error(), times=12)
    fake_api.push_update(command("/help", ADA))

    await running.start(time=time)
    await fake_api.wait_for_message(ADA["id"])

    assert time.sleeps == pytest.approx(
        [1.0, 1.5, 2.25, 3.375, 5.0625, 7.59375, 11.390625, 17.0859375, 25.62890625, 30, 30, 30]
    )


async def test_a_token_telegram_no_longer_accepts_stops_the_bot_in_one_line(
    running: RunningBots, fake_api: FakeBotAPI
) -> None:
    await running.start()
    fake_api.fail_next("getUpdates", ApiError(401, "Unauthorized"))

    with pytest.raises(CannotRun) as stopped:
        async with asyncio.timeout(5):
            await running.adapter.wait()

    assert "did not accept the bot token" in stopped.value.line
    assert fake_api.token not in stopped.value.line


async def test_the_webhook_answers_500_while_the_store_fails_so_telegram_posts_again(
    webhook_bot: WebhookBot,
    fake_api: FakeBotAPI,
    fake_server: FakeBotAPIServer,
    fault: StoreFault,
    coach: Coach,
) -> None:
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
    update = {**command("/help", ADA), "update_id": 8}
    post = asyncio.create_task(fake_server.post_to_webhook(update))
    async with asyncio.timeout(5):
        await held.storing.wait()
    # Meanwhile Telegram posts it again (its first POST seemed lost), and another update.
    others = [
        asyncio.create_task(fake_server.post_to_webhook(body))
        for body in (update, {**command("/help", BEA), "update_id": 9})
    ]

    async with asyncio.timeout(5):  # each POST waits on its store
        while held.waiting < 3:  # noqa: ASYNC110 - counted by the held stores themselves
            await asyncio.sleep(0)
    await turns_of_the_loop()  # an answer sent before its store would arrive meanwhile
    assert not any(task.done() for task in (post, *others))
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
    await running.start()
    fault.writes = "UPDATE INBOUND_UPDATES"  # the mark: in the handler's commit, then alone
    fault.failures = 2

    fake_api.push_update(command("/start", ADA))
    fake_api.push_update(command("/help", ADA))  # waits for the first, its mark included

    await fake_api.wait_for_message(ADA["id"], count=2)
    assert fake_api.sent_texts(ADA["id"]) == [SORRY, HELP]
    assert await running.adapter.intake.inbox.unhandled() == []
    assert len(running.handler_errors) == 1  # the handler's failed commit, reported once
    running.handler_errors.clear()


async def test_a_poll_that_fails_before_any_answer_is_a_bug_that_stops_polling_loudly(
    running: RunningBots, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: Any, **_kwargs: Any) -> tuple[Update, ...]:
        raise TypeError("an argument this python-telegram-bot does not take")

    monkeypatch.setattr(ExtBot, "get_updates", broken)
    await running.start(time=VirtualTime())

    with pytest.raises(TypeError):  # not taken for an update that cannot be read
        async with asyncio.timeout(5):
            await running.adapter.wait()
