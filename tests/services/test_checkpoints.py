"""A replan resumes from the runner's plan checkpoint, and a late report drops a stale one."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, select

from bot.coaching import Checkpoint
from bot.services.context import ServiceContext
from bot.services.plans.training_plan import CHECKPOINT_LAG, Replanned, replan
from bot.storage.database import Database
from bot.storage.models import PlanCheckpoint, PlannedSession, Runner
from tests.conftest import FakeClock
from tests.services.conftest import Talker, go_to_next_session, log_done, onboard

WEEKS = 4


async def trained(
    runner: Talker, clock: FakeClock, database: Database
) -> tuple[Replanned, Checkpoint]:
    """Onboard, do every session for a few weeks, replan: the plan and its checkpoint."""
    await onboard(runner)
    end = clock.now + timedelta(weeks=WEEKS)
    while clock.now < end:
        await go_to_next_session(runner, clock)
        await log_done(runner)
        clock.advance(days=1)
    result, checkpoint = await replanned(database, clock)
    assert checkpoint is not None
    return result, checkpoint


async def replanned(database: Database, clock: FakeClock) -> tuple[Replanned, Checkpoint | None]:
    async with database.unit_of_work() as uow:
        runner = (await uow.session.scalars(select(Runner))).one()
        result = await replan(ServiceContext(database, clock, "UTC"), uow, runner)
        row = await uow.feedback.checkpoint(runner_id=runner.id)
        return result, Checkpoint.from_json(row.state) if row else None


async def stored_sessions(database: Database) -> list[tuple[date, str, list[str]]]:
    async with database.unit_of_work() as uow:
        rows = await uow.session.scalars(select(PlannedSession).order_by(PlannedSession.date))
        return [(row.date, row.kind, [e.exercise_id for e in row.exercises]) for row in rows]


async def test_a_replan_resumes_from_the_checkpoint_with_the_plan_a_full_replay_gives(
    runner: Talker, clock: FakeClock, database: Database
) -> None:
    resumed, checkpoint = await trained(runner, clock, database)
    today = clock.now.date()
    assert checkpoint.day <= today - CHECKPOINT_LAG < checkpoint.day + timedelta(weeks=1)
    assert resumed.plan.weeks[0].start == checkpoint.day  # it did not replay from day one
    sessions = await stored_sessions(database)

    async with database.unit_of_work() as uow:
        await uow.session.execute(delete(PlanCheckpoint))
    full, kept = await replanned(database, clock)

    assert full.plan.weeks[0].start < checkpoint.day
    assert full.plan.weeks[-len(resumed.plan.weeks) :] == resumed.plan.weeks
    assert full.plan.paused == resumed.plan.paused
    assert not full.moved and not full.new_changes
    assert await stored_sessions(database) == sessions
    assert kept == checkpoint


async def test_a_report_about_a_day_before_the_checkpoint_drops_it(
    runner: Talker, clock: FakeClock, database: Database
) -> None:
    _, checkpoint = await trained(runner, clock, database)

    async with database.unit_of_work() as uow:
        runner_id = (await uow.session.scalars(select(Runner.id))).one()
        await uow.feedback.save_check_in(runner_id=runner_id, day=checkpoint.day, legs="fresh")
        assert await uow.feedback.checkpoint(runner_id=runner_id) is not None
        earlier = checkpoint.day - timedelta(days=1)
        await uow.feedback.save_check_in(runner_id=runner_id, day=earlier, legs="fresh")
        assert await uow.feedback.checkpoint(runner_id=runner_id) is None


async def test_a_changed_profile_resumes_from_the_checkpoint_as_a_full_replay_would(
    runner: Talker, clock: FakeClock, database: Database
) -> None:
    """Issue 25, item 3: a profile change is a dated event of the history, so the checkpoint
    before it still holds, and the plan is the one a replay from the first day gives."""
    _, checkpoint = await trained(runner, clock, database)

    async with database.unit_of_work() as uow:
        stored = (await uow.session.scalars(select(Runner))).one()
        stored.sessions_per_week = 1
    again, kept = await replanned(database, clock)
    assert again.plan.weeks[0].start == checkpoint.day
    assert kept is not None
    sessions = await stored_sessions(database)

    async with database.unit_of_work() as uow:
        await uow.session.execute(delete(PlanCheckpoint))
        versions = await uow.feedback.profiles(runner_id=stored.id)
    full, _ = await replanned(database, clock)
    assert [row.profile["sessions_per_week"] for row in versions] == [2, 1]
    assert full.plan.weeks[-len(again.plan.weeks) :] == again.plan.weeks
    assert await stored_sessions(database) == sessions
