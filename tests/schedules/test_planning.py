"""Which reminders are planned, when, and how a change of settings re-plans the unsent ones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine.interfaces import CacheStats

from bot.services.plans.reminder_plan import HORIZON, plan_reminders
from bot.storage.models import DispatchKind, DispatchStatus, RunnerStatus
from schedules.plan_ahead import plan_all
from tests.schedules.conftest import BERLIN_7, Reminders, add_runner
from tests.services.conftest import Talker, onboard

MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("zone", "day", "local", "first_send_utc"),
    [
        ("Europe/Berlin", date(2026, 3, 29), time(2, 30), datetime(2026, 3, 29, 1, 30)),
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30), datetime(2026, 10, 25, 0, 30)),
        ("America/New_York", date(2026, 3, 8), time(2, 30), datetime(2026, 3, 8, 7, 30)),
        ("America/New_York", date(2026, 11, 1), time(1, 30), datetime(2026, 11, 1, 5, 30)),
    ],
)
async def test_dst_days_send_once_at_the_right_instant(
    reminders: Reminders, zone: str, day: date, local: time, first_send_utc: datetime
) -> None:
    send = first_send_utc.replace(tzinfo=UTC)
    reminders.clock.now = send - timedelta(hours=20)
    runner = await add_runner(
        reminders, sessions=(day,), timezone=zone, reminder_time=local, week_preview=False
    )
    reminders.clock.now = send - timedelta(minutes=1)
    assert (await reminders.run())["sent"] == 0
    reminders.clock.now = send
    assert (await reminders.run())["sent"] == 1
    reminders.clock.now = send + timedelta(hours=1)  # the repeated hour, in autumn
    assert (await reminders.run())["sent"] == 0
    assert len(reminders.texts(int(runner.chat_id))) == 1


async def test_plan_all_plans_a_day_ahead_once_and_leaves_blocked_runners_out(
    reminders: Reminders,
) -> None:
    reminders.clock.now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    sessions = (MONDAY, MONDAY + timedelta(days=1))
    await add_runner(reminders, sessions=sessions, plan=False, **BERLIN_7)
    await add_runner(
        reminders, sessions=sessions, plan=False, status=RunnerStatus.BLOCKED, **BERLIN_7
    )
    first = await plan_all(reminders.ctx, reminders.clock.now)
    again = await plan_all(reminders.ctx, reminders.clock.now)
    rows = await reminders.rows()
    assert first == len(rows) == 1  # Monday's session; Sunday had nothing, Tuesday is too far
    assert again == 0
    reminders.clock.now += timedelta(days=1)
    await plan_all(reminders.ctx, reminders.clock.now)
    kinds = sorted((row.local_date, row.kind) for row in await reminders.rows())
    assert kinds == [
        (MONDAY, DispatchKind.SESSION),
        (MONDAY + timedelta(days=1), DispatchKind.CHECK_IN),
        (MONDAY + timedelta(days=1), DispatchKind.SESSION),
    ]


async def test_each_planning_pass_adds_only_what_came_into_view(reminders: Reminders) -> None:
    reminders.clock.now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    runner = await add_runner(reminders, sessions=(MONDAY,), plan=False, **BERLIN_7)
    seen = await plan_all(reminders.ctx, reminders.clock.now)
    assert seen == 1  # Monday 07:00 in Berlin, 18 hours ahead
    async with reminders.database.unit_of_work() as uow:
        await uow.dispatches.drop_unsent(runner_id=runner.id, after=reminders.clock.now)
    later = reminders.clock.now + timedelta(hours=1)
    assert await plan_all(reminders.ctx, later, since=reminders.clock.now + HORIZON) == 0
    assert await plan_all(reminders.ctx, later) == 1  # a cold pass looks at the whole day


async def test_changing_the_reminder_time_replans_only_unsent_reminders(
    reminders: Reminders,
) -> None:
    reminders.clock.now = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
    runner = await add_runner(reminders, sessions=(MONDAY, MONDAY + timedelta(days=1)), **BERLIN_7)
    reminders.clock.now = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    await reminders.run()  # Monday's session goes out at 07:00 Berlin
    tuesday = (MONDAY + timedelta(days=1), DispatchKind.SESSION)
    assert tuesday in {(row.local_date, row.kind) for row in await reminders.rows()}
    async with reminders.database.unit_of_work() as uow:
        stored = await uow.runners.get(runner.id)
        assert stored is not None
        stored.reminder_time = time(18, 30)
        stored.timezone = "America/New_York"
        await plan_reminders(reminders.ctx, uow, stored)
    rows = {(row.local_date, row.kind): row for row in await reminders.rows()}
    assert rows[(MONDAY, DispatchKind.SESSION)].status is DispatchStatus.SENT
    assert tuesday not in rows  # 07:00 in Berlin is gone; 18:30 in New York is not yet in view
    reminders.clock.now = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
    await reminders.run()
    rows = {(row.local_date, row.kind): row for row in await reminders.rows()}
    assert rows[tuesday].status is DispatchStatus.PENDING
    assert rows[tuesday].due_at == datetime(2026, 11, 24, 23, 30, tzinfo=UTC)


async def test_the_settings_dialog_replans_pending_reminders(
    reminders: Reminders, talker: Talker
) -> None:
    await onboard(talker)  # reminders at 07:30 Berlin
    before = {row.id: row.due_at for row in await reminders.rows()}
    assert before, "onboarding plans the coming reminders"
    await talker.command("settings")
    await talker.press("Reminder time")
    await talker.say("8:45")  # the coaching starts tomorrow: its first reminders are in view
    assert "Saved" in talker.text
    after = await reminders.rows()
    assert after
    assert {row.due_at.time() for row in after} == {time(7, 45)}


async def test_a_runner_s_re_plan_reuses_the_compiled_planning_statement(
    reminders: Reminders,
) -> None:
    engine = reminders.database.engine.sync_engine
    planning: list[bool] = []

    def watch(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: Any) -> None:
        if statement.startswith("INSERT INTO dispatches") and "slots" in statement:
            planning.append(context.cache_hit is CacheStats.CACHE_HIT)

    reminders.clock.now = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)
    event.listen(engine, "before_cursor_execute", watch)
    try:
        for _ in range(3):
            await add_runner(reminders, sessions=(MONDAY,), **BERLIN_7)
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    assert planning[1:] == [True, True]
