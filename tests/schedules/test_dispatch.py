"""The tick sends each due reminder once, on time, and settles its row."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import update

from bot.storage.journal import Outcome
from bot.storage.models import Dispatch, DispatchKind, DispatchStatus, RunnerStatus
from bot.storage.repositories.dispatches import Claimed
from schedules.dispatch import Delivery
from tests.database_fixtures import statements
from tests.fake_telegram import errors
from tests.schedules.conftest import BERLIN_7, Reminders, add_runner

MONDAY = date(2026, 11, 23)
SEVEN_BERLIN = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def buttons(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button["text"] for row in markup for button in row]


async def test_the_session_goes_out_at_the_reminder_time_with_done_skip_later(
    reminders: Reminders,
) -> None:
    reminders.clock.now = SEVEN_BERLIN - timedelta(hours=12)
    runner = await add_runner(reminders, sessions=(MONDAY,), **BERLIN_7)
    chat = int(runner.chat_id)

    reminders.clock.now = SEVEN_BERLIN - timedelta(seconds=1)
    await reminders.run()
    assert reminders.texts(chat) == []

    reminders.clock.now = SEVEN_BERLIN
    counts = await reminders.run()
    assert counts["sent"] == 1
    message = reminders.api.last_message(chat)
    assert "Glute bridge" in message["text"]
    assert buttons(message) == ["✅ Done", "Skip", "Later"]
    [row] = [r for r in await reminders.rows() if r.kind is DispatchKind.SESSION]
    assert row.status is DispatchStatus.SENT
    assert row.message_id == str(message["message_id"])

    await reminders.run()
    await reminders.restart().run()
    assert len(reminders.texts(chat)) == 1


async def test_check_in_goes_out_the_next_day_and_opens_the_check_in_dialog(
    reminders: Reminders,
) -> None:
    reminders.clock.now = SEVEN_BERLIN - timedelta(hours=12)
    runner = await add_runner(reminders, sessions=(MONDAY,), **BERLIN_7)
    reminders.clock.now = SEVEN_BERLIN
    await reminders.run()
    reminders.clock.now = SEVEN_BERLIN + timedelta(days=1)
    await reminders.run()
    message = reminders.api.last_message(int(runner.chat_id))
    assert "check-in" in message["text"]
    assert "How do your legs feel today, after Monday's session?" in message["text"]
    assert "Fresh" in buttons(message)


async def test_week_preview_on_the_first_day_of_the_plan_week_can_be_switched_off(
    reminders: Reminders,
) -> None:
    reminders.clock.now = SEVEN_BERLIN - timedelta(hours=12)
    week = (MONDAY, MONDAY + timedelta(days=3))
    on = await add_runner(reminders, sessions=week, **{**BERLIN_7, "week_preview": True})
    off = await add_runner(reminders, sessions=week, **BERLIN_7)
    reminders.clock.now = SEVEN_BERLIN
    await reminders.run()
    [preview] = [t for t in reminders.texts(int(on.chat_id)) if "Your week ahead" in t]
    assert "Mon 23 Nov" in preview and "Thu 26 Nov" in preview
    assert not any("Your week ahead" in text for text in reminders.texts(int(off.chat_id)))


async def test_after_downtime_late_reminders_apologise_and_old_ones_expire(
    reminders: Reminders,
) -> None:
    reminders.clock.now = SEVEN_BERLIN - timedelta(hours=12)
    early = await add_runner(reminders, sessions=(MONDAY,), **BERLIN_7)
    later_time = {**BERLIN_7, "reminder_time": BERLIN_7["reminder_time"].replace(hour=8)}
    late = await add_runner(reminders, sessions=(MONDAY,), **later_time)

    reminders.clock.now = SEVEN_BERLIN + timedelta(hours=2, minutes=30)  # back after downtime
    counts = await reminders.restart().run()

    assert counts["expired"] == 1 and counts["sent"] == 1
    assert reminders.texts(int(early.chat_id)) == []
    [text] = reminders.texts(int(late.chat_id))
    assert text.startswith("Sorry, this one comes late")


async def test_flood_control_waits_retry_after_then_sends(reminders: Reminders) -> None:
    reminders.clock.now = SEVEN_BERLIN - timedelta(hours=12)
    runner = await add_runner(reminders, sessions=(MONDAY,), **BERLIN_7)
    reminders.api.fail_next("sendMessage", errors.too_many_requests(5))
    reminders.clock.now = SEVEN_BERLIN
    counts = await reminders.run()
    assert counts["sent"] == 1
    assert len(reminders.texts(int(runner.chat_id))) == 1
    assert sum(reminders.time.sleeps) >= 5


async def test_server_errors_are_retried_with_backoff(reminders: Reminders) -> None:
    reminders.clock.now = SEVEN_BERLIN - timedelta(hours=12)
    runner = await add_runner(reminders, sessions=(MONDAY,), **BERLIN_7)
    reminders.api.fail_next("sendMessage", errors.server_error(), times=2)
    reminders.clock.now = SEVEN_BERLIN
    assert (await reminders.run())["sent"] == 1
    assert len(reminders.texts(int(runner.chat_id))) == 1
    assert [s for s in reminders.time.sleeps if s >= 1] == [1.0, 2.0]


async def test_timeouts_beyond_the_retries_fail_the_row_once(reminders: Reminders) -> None:
    reminders.clock.now = SEVEN_BERLIN - timedelta(hours=12)
    await add_runner(reminders, sessions=(MONDAY,), **BERLIN_7)
    reminders.api.fail_next("sendMessage", errors.timed_out(), times=None)
    reminders.clock.now = SEVEN_BERLIN
    assert (await reminders.run())["failed"] == 1
    calls = len(reminders.api.calls("sendMessage"))
    assert calls == 4  # one attempt and three retries
    await reminders.run()
    assert len(reminders.api.calls("sendMessage")) == calls
    [row] = [row for row in await reminders.rows() if row.kind is DispatchKind.SESSION]
    assert row.status is DispatchStatus.FAILED and "Transient" in (row.error or "")


async def test_a_runner_who_blocked_the_bot_is_marked_blocked_and_gets_nothing_more(
    reminders: Reminders,
) -> None:
    reminders.clock.now = SEVEN_BERLIN - timedelta(hours=12)
    runner = await add_runner(reminders, sessions=(MONDAY,), **BERLIN_7)
    reminders.api.fail_next("sendMessage", errors.blocked_by_user(), chat_id=int(runner.chat_id))
    reminders.clock.now = SEVEN_BERLIN
    assert (await reminders.run())["failed"] == 1
    async with reminders.database.unit_of_work() as uow:
        stored = await uow.runners.get(runner.id)
        assert stored is not None and stored.status is RunnerStatus.BLOCKED
    reminders.clock.now += timedelta(days=1)
    await reminders.restart().run()
    assert reminders.api.calls("sendMessage")[1:] == []
    statuses = {row.kind: row.status for row in await reminders.rows()}
    assert statuses[DispatchKind.CHECK_IN] is DispatchStatus.CANCELLED


async def test_chat_not_found_also_marks_the_runner_blocked(reminders: Reminders) -> None:
    reminders.clock.now = SEVEN_BERLIN - timedelta(hours=12)
    runner = await add_runner(reminders, sessions=(MONDAY,), **BERLIN_7)
    reminders.api.fail_next("sendMessage", errors.chat_not_found())
    reminders.clock.now = SEVEN_BERLIN
    await reminders.run()
    async with reminders.database.unit_of_work() as uow:
        stored = await uow.runners.get(runner.id)
        assert stored is not None and stored.status is RunnerStatus.BLOCKED


async def test_paused_runner_gets_no_session_but_a_legs_check_in_twice_a_week(
    reminders: Reminders,
) -> None:
    """A paused runner (by /pause, or a red flag: C7) gets check-ins only, Monday and Thursday."""
    reminders.clock.now = SEVEN_BERLIN - timedelta(hours=12)
    runner = await add_runner(
        reminders, sessions=(MONDAY, MONDAY + timedelta(days=1)), **BERLIN_7, status="paused"
    )
    sent = []
    for day in range(7):
        reminders.clock.now = SEVEN_BERLIN + timedelta(days=day)
        sent.append((await reminders.run())["sent"])
    assert sent == [1, 0, 0, 1, 0, 0, 0]
    texts = reminders.texts(int(runner.chat_id))
    assert all("How do your legs feel today?" in text for text in texts)


async def test_restart_between_claim_and_mark_sends_nothing_twice(reminders: Reminders) -> None:
    """The process dies while messages are in flight: those rows are never retried, the rows
    not yet attempted go out after the restart, and nobody gets anything twice."""
    reminders.clock.now = SEVEN_BERLIN - timedelta(hours=12)
    runners = [await add_runner(reminders, sessions=(MONDAY,), **BERLIN_7) for _ in range(4)]
    reminders.tick.dispatcher.delivery = Delivery(in_flight=2)
    crashed = reminders.api.calls

    class Crash(BaseException):
        pass

    attempts = 0
    second_in_flight = asyncio.Event()

    async def die_on_second(chat_id: str, message: Any, *, nonce: str) -> str:
        """The first message is answered once the second is in flight; the second dies."""
        nonlocal attempts
        attempts += 1
        if attempts == 2:
            second_in_flight.set()
            raise Crash
        async with asyncio.timeout(10):  # fails the test instead of hanging it
            await second_in_flight.wait()
        return await original(chat_id, message, nonce=nonce)

    original = reminders.notifier.send
    reminders.notifier.send = die_on_second  # type: ignore[method-assign]
    reminders.clock.now = SEVEN_BERLIN
    with pytest.raises(Crash):
        await reminders.run()
    assert attempts == 2 and len(crashed("sendMessage")) == 1
    statuses = [row.status for row in await reminders.rows() if row.due_at <= SEVEN_BERLIN]
    assert statuses.count(DispatchStatus.SENDING) == 1  # the one in flight at the crash
    assert statuses.count(DispatchStatus.SENT) == 1
    assert statuses.count(DispatchStatus.PENDING) == 2  # the two chats no sender had taken

    reminders.clock.now += timedelta(minutes=6)  # past the PostgreSQL claim lease
    counts = await reminders.restart().run()
    assert counts["unknown"] == 1 and counts["sent"] == 2
    per_chat = [len(reminders.texts(int(r.chat_id))) for r in runners]
    assert sorted(per_chat) == [0, 1, 1, 1]
    statuses = [row.status for row in await reminders.rows() if row.kind is DispatchKind.SESSION]
    assert sorted(statuses) == [DispatchStatus.SENT] * 3 + [DispatchStatus.UNKNOWN]


async def test_several_chats_are_in_flight_at_once_and_each_chat_in_order(
    reminders: Reminders,
) -> None:
    """A round trip to the platform never leaves the others waiting: the tick keeps several
    chats' messages in flight; one chat's messages go one after the other, in claim order."""
    reminders.clock.now = SEVEN_BERLIN - timedelta(hours=12)
    week = (MONDAY, MONDAY + timedelta(days=3))
    both = await add_runner(reminders, sessions=week, **{**BERLIN_7, "week_preview": True})
    for _ in range(3):
        await add_runner(reminders, sessions=(MONDAY,), **BERLIN_7)
    in_flight: list[str] = []
    four_chats_waiting = asyncio.Event()
    original = reminders.notifier.send

    async def round_trip(chat_id: str, message: Any, *, nonce: str) -> str:
        """The platform answers the first four messages only once all four are in flight."""
        assert chat_id not in in_flight, "one chat has one message in flight at a time"
        in_flight.append(chat_id)
        if len(in_flight) == 4:
            four_chats_waiting.set()
        async with asyncio.timeout(10):  # fails the test instead of hanging it
            await four_chats_waiting.wait()
        in_flight.remove(chat_id)
        return await original(chat_id, message, nonce=nonce)

    reminders.notifier.send = round_trip  # type: ignore[method-assign]
    reminders.clock.now = SEVEN_BERLIN
    counts = await reminders.run()

    assert counts["sent"] == 5
    first, second = reminders.texts(int(both.chat_id))
    assert "focused hamstring session" in first and "Your week ahead" in second


async def test_a_stop_hands_back_every_claimed_row_including_the_batch_claimed_ahead(
    reminders: Reminders,
) -> None:
    reminders.clock.now = SEVEN_BERLIN - timedelta(hours=12)
    for _ in range(3):
        await add_runner(reminders, sessions=(MONDAY,), **BERLIN_7)
    dispatcher = reminders.tick.dispatcher
    dispatcher.delivery = Delivery(batch=1)  # so the next batch is claimed while one sends
    original = reminders.notifier.send

    async def stop_after_sending(chat_id: str, message: Any, *, nonce: str) -> str:
        dispatcher.stopping = True
        return await original(chat_id, message, nonce=nonce)

    reminders.notifier.send = stop_after_sending  # type: ignore[method-assign]
    reminders.clock.now = SEVEN_BERLIN
    assert (await reminders.run())["sent"] == 1
    due = [row for row in await reminders.rows() if row.due_at <= reminders.clock.now]
    statuses = sorted(row.status for row in due)
    assert statuses == [DispatchStatus.PENDING, DispatchStatus.PENDING, DispatchStatus.SENT]

    await reminders.restart().run()
    due = [row for row in await reminders.rows() if row.due_at <= reminders.clock.now]
    assert [row.status for row in due] == [DispatchStatus.SENT] * 3
    assert len(reminders.api.calls("sendMessage")) == 3


async def claimed_row(reminders: Reminders) -> Claimed:
    """Monday's session reminder, planned and claimed, ready for the journal."""
    [row] = await claimed_rows(reminders, 1)
    return row


async def test_the_journal_waits_out_another_writer_without_holding_up_the_event_loop(
    reminders: Reminders,
) -> None:
    row = await claimed_row(reminders)
    database = reminders.database
    async with database.journal() as journal:
        async with database.unit_of_work() as uow:
            # holds SQLite's write lock, and PostgreSQL's lock on the row, until the block ends
            await uow.session.execute(
                update(Dispatch).where(Dispatch.id == row.id).values(error="")
            )
            recording = asyncio.create_task(journal.record(outcome=None, start=row))
            loop = asyncio.get_running_loop()
            started = loop.time()
            for _ in range(20):
                await asyncio.sleep(0)  # the loop runs on while the journal waits...
            assert loop.time() - started < 1  # ...and never stops for SQLite's busy wait
            assert not recording.done()
        assert await recording
    [stored] = await reminders.rows()
    assert stored.status is DispatchStatus.SENDING


async def test_the_journal_writes_through_the_engine_like_every_other_write(
    reminders: Reminders,
) -> None:
    row = await claimed_row(reminders)
    database = reminders.database
    with statements(database) as seen:
        async with database.journal() as journal:
            assert await journal.record(outcome=None, start=row)
    assert seen == ["UPDATE"]  # one statement, through the engine's own connection and driver
    [stored] = await reminders.rows()
    assert stored.status is DispatchStatus.SENDING


async def claimed_rows(reminders: Reminders, count: int) -> list[Claimed]:
    """Monday's session reminders of ``count`` runners, planned and claimed."""
    reminders.clock.now = SEVEN_BERLIN - timedelta(hours=12)
    for _ in range(count):
        await add_runner(reminders, sessions=(MONDAY,), **BERLIN_7)
    await reminders.run()
    async with reminders.database.unit_of_work() as uow:
        return await uow.dispatches.claim(
            now=SEVEN_BERLIN, limit=10, platforms=("telegram",), owner="test"
        )


async def test_records_that_arrive_during_a_write_go_together_in_the_next(
    reminders: Reminders,
) -> None:
    first, second, third = await claimed_rows(reminders, 3)
    database = reminders.database
    with statements(database) as seen, database.off_the_loop():  # as in the tick
        async with database.journal() as journal:
            sent = Outcome(first.id, DispatchStatus.SENT, SEVEN_BERLIN, "m1")
            begun = await asyncio.gather(
                journal.record(outcome=None, start=first),
                journal.record(outcome=sent, start=second),  # queued while the first writes
                journal.record(outcome=None, start=third),
            )
    assert list(begun) == [True, True, True]
    assert seen == ["UPDATE", "UPDATE", "UPDATE"]  # first's start; then the outcome, two starts
    statuses = {row.id: row.status for row in await reminders.rows()}
    assert statuses[first.id] is DispatchStatus.SENT
    assert statuses[second.id] is statuses[third.id] is DispatchStatus.SENDING


async def test_a_failed_write_fails_every_record_of_its_group(
    reminders: Reminders, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, third = await claimed_rows(reminders, 3)
    with reminders.database.off_the_loop():  # as in the tick
        async with reminders.database.journal() as journal:
            connection = journal._connection
            writes = 0

            async def second_write_fails(statement: Any, parameters: Any = None) -> Any:
                nonlocal writes
                writes += 1
                if writes == 2:
                    raise ConnectionError("the database went away")
                return await connection.execute(statement, parameters)

            monkeypatch.setattr(journal, "_connection", SimpleNamespace(execute=second_write_fails))
            results = await asyncio.gather(
                journal.record(outcome=None, start=first),
                journal.record(outcome=None, start=second),  # these two queue behind the
                journal.record(outcome=None, start=third),  # first and are written together
                return_exceptions=True,
            )
            assert results[0] is True
            assert [type(result) for result in results[1:]] == [ConnectionError] * 2
            assert await journal.record(outcome=None, start=second)  # the journal goes on
