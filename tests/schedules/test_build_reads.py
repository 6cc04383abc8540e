"""A reminder build reads only the reports its message is about, whatever the history."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bot.services.presentation.replies import Reply
from bot.services.use_cases import training
from bot.services.use_cases.reminders import BUILT_BETWEEN_TURNS, build
from bot.storage.models import CheckIn, SessionLog
from tests.database_fixtures import statements
from tests.schedules.conftest import BERLIN_7, Reminders, add_runner

MONDAY = date(2026, 11, 23)
SEVEN_BERLIN = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
YEAR = 365


@pytest.mark.slow
async def test_a_runner_with_a_year_of_reports_costs_the_build_two_rows(
    reminders: Reminders,
) -> None:
    reminders.clock.now = SEVEN_BERLIN - timedelta(hours=12)
    sunday = MONDAY - timedelta(days=1)
    runner = await add_runner(reminders, sessions=(sunday, MONDAY), **BERLIN_7)
    async with reminders.database.unit_of_work() as uow:
        for back in range(1, YEAR):
            day = MONDAY - timedelta(days=back)
            await uow.feedback.save_log(runner_id=runner.id, day=day, completed="full", rpe=5)
            await uow.feedback.save_check_in(runner_id=runner.id, day=day, legs="fresh")
    loaded: Counter[str] = Counter()

    def count(target: Any, context: Any) -> None:
        loaded[type(target).__name__] += 1

    for model in (SessionLog, CheckIn):
        event.listen(model, "load", count)
    try:
        reminders.clock.now = SEVEN_BERLIN
        counts = await reminders.run()
    finally:
        for model in (SessionLog, CheckIn):
            event.remove(model, "load", count)

    assert counts["sent"] == 1  # Monday's session; Sunday's was checked in already
    assert counts["cancelled"] == 1
    assert loaded == Counter({"SessionLog": 1, "CheckIn": 1})  # Sunday's, not the year's


async def test_a_batch_of_check_ins_reads_their_dialogs_in_one_query(
    reminders: Reminders,
) -> None:
    reminders.clock.now = SEVEN_BERLIN - timedelta(days=1, hours=12)
    sunday = MONDAY - timedelta(days=1)
    runners = [await add_runner(reminders, sessions=(sunday,), **BERLIN_7) for _ in range(5)]
    reminders.clock.now = SEVEN_BERLIN - timedelta(days=1)
    assert (await reminders.run())["sent"] == 5  # Sunday's sessions
    with statements(reminders.database, naming="dialog_states") as dialog_statements:
        reminders.clock.now = SEVEN_BERLIN
        assert (await reminders.run())["sent"] == 5  # the check-ins about them

    assert dialog_statements == ["SELECT", "INSERT"]  # one read, and one write at the end
    for runner in runners:
        assert "How do your legs feel today" in reminders.texts(int(runner.chat_id))[-1]


async def test_a_batch_gives_the_event_loop_a_turn_while_it_builds(
    reminders: Reminders, monkeypatch: pytest.MonkeyPatch
) -> None:
    reminders.clock.now = SEVEN_BERLIN - timedelta(hours=12)
    for _ in range(2 * BUILT_BETWEEN_TURNS + 10):
        await add_runner(reminders, sessions=(MONDAY,), **BERLIN_7)
    events: list[str] = []
    session_reply = training.session_reply

    def built(*args: Any, **kwargs: Any) -> Reply:
        events.append("built")
        return session_reply(*args, **kwargs)

    async def press() -> None:  # what a button press waiting on the loop would get
        while True:
            events.append("turn")
            await asyncio.sleep(0)

    monkeypatch.setattr(training, "session_reply", built)
    async with reminders.database.unit_of_work() as uow:
        rows = await uow.dispatches.claim(
            now=SEVEN_BERLIN, limit=1_000, platforms=("telegram",), owner="test"
        )
    waiting = asyncio.create_task(press())
    try:
        async with reminders.database.unit_of_work() as uow:
            outgoing = await build(
                reminders.ctx, uow, rows, now=SEVEN_BERLIN, late_after=timedelta(minutes=10)
            )
    finally:
        waiting.cancel()

    assert len(outgoing) == len(rows) == 2 * BUILT_BETWEEN_TURNS + 10
    in_a_row = [len(run) for run in "".join(e[0] for e in events).split("t") if run]
    assert sum(in_a_row) == len(rows)
    assert max(in_a_row) <= BUILT_BETWEEN_TURNS  # not the whole batch in one go
