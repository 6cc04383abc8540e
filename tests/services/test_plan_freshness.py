"""/today and /week replay the plan only when something it depends on changed (issue 30).

The stored plan keeps what it was made from (``plan_key``): the local day, the profile,
start and coaching core, and the settings; every report clears it as it is written. These
tests count the replays with a spy on the coaching core's ``plan`` and compare what /today
and /week show with what they show after a replay forced by clearing the key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.coaching import Legs, Plan, plan
from bot.services.plans import training_plan
from bot.storage.database import Database
from bot.storage.models import Resumption, Runner, RunnerStatus
from bot.storage.unit_of_work import UnitOfWork
from tests.conftest import FakeClock
from tests.services.conftest import Talker, go_to_next_session, log_done, onboard

Event = Callable[[Talker, FakeClock, Database], Awaitable[None]]


@pytest.fixture
def replays(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts each replay of a plan (every replan and read of it runs the core's ``plan``)."""
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Plan:
        calls.append(1)
        return plan(*args, **kwargs)

    monkeypatch.setattr(training_plan, "plan", counted)
    return calls


async def shown(runner: Talker) -> tuple[str, str]:
    """What /today and /week say."""
    await runner.command("today")
    today = runner.text
    await runner.command("week")
    return today, runner.text


async def replayed(runner: Talker, database: Database) -> tuple[str, str]:
    """What /today and /week say, each after a replay forced by forgetting the stored key."""
    said = []
    for command in ("today", "week"):
        async with database.unit_of_work() as uow:
            await uow.session.execute(update(Runner).values(plan_key=None))
        await runner.command(command)
        said.append(runner.text)
    return said[0], said[1]


async def stored_runner(uow: UnitOfWork) -> Runner:
    return (await uow.session.scalars(select(Runner))).one()


async def test_today_and_week_replay_nothing_while_nothing_changed(
    runner: Talker, clock: FakeClock, replays: list[int]
) -> None:
    await onboard(runner)
    await go_to_next_session(runner, clock)
    first = await shown(runner)
    replays.clear()

    clock.advance(hours=3)  # later the same day, past the reminder time
    assert await shown(runner) == first
    assert await shown(runner) == first
    assert replays == []


async def test_the_first_today_of_a_new_day_replays_once(
    runner: Talker, clock: FakeClock, replays: list[int]
) -> None:
    await onboard(runner)
    await shown(runner)
    clock.advance(days=1)
    replays.clear()

    await shown(runner)
    await shown(runner)
    assert len(replays) == 1


async def test_a_report_clears_the_key_and_its_replan_stores_it_again(
    runner: Talker, clock: FakeClock, database: Database, replays: list[int]
) -> None:
    await onboard(runner)
    await go_to_next_session(runner, clock)
    await log_done(runner)  # the report's own replan brings the stored plan up to date
    replays.clear()
    await shown(runner)
    assert replays == []


async def red_flag_check_in(runner: Talker, clock: FakeClock, database: Database) -> None:
    """A check-in about the last session reporting a red flag (C7), stored without a replan
    (as another code path or instance might)."""
    await go_to_next_session(runner, clock)
    await log_done(runner)
    async with database.unit_of_work() as uow:
        stored = await stored_runner(uow)
        day = clock.now.date()
        await uow.feedback.save_check_in(runner_id=stored.id, day=day, legs=Legs.RED_FLAG.value)


async def fewer_sessions(runner: Talker, clock: FakeClock, database: Database) -> None:
    """The profile changed in the runner's row (one session a week, no hard runs)."""
    async with database.unit_of_work() as uow:
        stored = await stored_runner(uow)
        stored.sessions_per_week = 1


async def two_weeks_away(runner: Talker, clock: FakeClock, database: Database) -> None:
    """No word from the runner for longer than the stored weeks reach."""
    clock.advance(days=17)


async def paused_and_resumed(runner: Talker, clock: FakeClock, database: Database) -> None:
    """A pause, then a resumption stored without a replan."""
    async with database.unit_of_work() as uow:
        stored = await stored_runner(uow)
        stored.status = RunnerStatus.PAUSED
    await shown(runner)
    clock.advance(days=9)
    async with database.unit_of_work() as uow:
        stored = await stored_runner(uow)
        stored.status = RunnerStatus.ACTIVE
        await uow.feedback.add(Resumption(runner_id=stored.id, resumed_on=clock.now.date()))


@pytest.mark.parametrize(
    "event", [red_flag_check_in, fewer_sessions, two_weeks_away, paused_and_resumed]
)
async def test_after_an_event_that_changes_the_plan_today_shows_the_new_plan(
    runner: Talker, clock: FakeClock, database: Database, event: Event
) -> None:
    await onboard(runner)
    before = await shown(runner)

    await event(runner, clock, database)
    after = await shown(runner)

    assert after == await shown(runner) == await replayed(runner, database)
    assert after != before  # the event did change what the runner is shown


@pytest.mark.parametrize("kind", ["log", "check-in", "resumption", "profile"])
async def test_every_report_clears_the_stored_plans_key(
    runner: Talker, clock: FakeClock, database: Database, kind: str
) -> None:
    await onboard(runner)
    async with database.unit_of_work() as uow:
        stored = await stored_runner(uow)
        assert stored.plan_key is not None
        day = clock.now.date() - timedelta(days=1)
        if kind == "log":
            await uow.feedback.save_log(runner_id=stored.id, day=day, completed="skipped")
        elif kind == "check-in":
            await uow.feedback.save_check_in(runner_id=stored.id, day=day, legs="fresh")
        elif kind == "resumption":
            await uow.feedback.add(Resumption(runner_id=stored.id, resumed_on=day))
        else:
            await uow.feedback.save_profile(runner_id=stored.id, day=day, profile={})
        assert (await stored_runner(uow)).plan_key is None  # the runner in memory too
    async with database.unit_of_work() as uow:
        assert (await stored_runner(uow)).plan_key is None
