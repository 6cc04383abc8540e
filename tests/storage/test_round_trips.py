"""Every stored concept survives a round trip, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.database import Database
from bot.storage.models import (
    CheckIn,
    Club,
    ClubMembership,
    DialogState,
    Dispatch,
    DispatchKind,
    DispatchStatus,
    PlanChange,
    PlannedExercise,
    PlannedSession,
    Runner,
    RunnerStatus,
    RunningDay,
    SessionLog,
)
from bot.storage.repositories.plans import NewSession
from tests.database_fixtures import statements
from tests.factories import make_runner


async def test_runner_with_profile_and_week(database: Database) -> None:
    async with database.unit_of_work() as uow:
        runner = await uow.runners.add(make_runner(race_date=date(2027, 5, 15), race_name="UTMB"))

    async with database.unit_of_work() as uow:
        found = await uow.runners.find(platform="telegram", user_id=runner.platform_user_id)
        assert found is not None
        assert found.status is RunnerStatus.ACTIVE
        assert found.equipment == ["step", "sliders"]
        assert found.reminder_time == time(7, 0)
        assert found.race_date == date(2027, 5, 15)
        assert [day.kind for day in found.week] == [
            "rest",
            "easy",
            "hard",
            "easy",
            "rest",
            "long",
            "easy",
        ]
        assert found.created_at.tzinfo is UTC


async def test_one_runner_per_platform_user(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.runners.add(make_runner(platform_user_id="42"))
    with pytest.raises(IntegrityError):
        async with database.unit_of_work() as uow:
            await uow.runners.add(make_runner(platform_user_id="42"))


async def test_planned_session_keeps_exercise_order_and_dose(database: Database) -> None:
    async with database.unit_of_work() as uow:
        runner = await uow.runners.add(make_runner())
        session = PlannedSession(
            runner_id=runner.id,
            date=date(2026, 11, 23),
            kind="focused",
            phase="build",
            minutes=35,
            rules=["P4", "P5"],
        )
        session.exercises = [
            PlannedExercise(
                position=1,
                exercise_id="h3_single_leg_rdl",
                name="Single-leg RDL",
                sets=3,
                reps=8,
                load="bodyweight",
                tempo="3-1-1",
                cues=["Hips square", "Long spine"],
            ),
            PlannedExercise(
                position=0,
                exercise_id="h1_glute_bridge",
                name="Glute bridge",
                sets=2,
                hold_s=2,
                load="bodyweight",
                cues=["Heels down"],
            ),
        ]
        uow.session.add(session)

    async with database.unit_of_work() as uow:
        stored = (await uow.session.scalars(select(PlannedSession))).one()
        assert stored.rules == ["P4", "P5"]
        assert [e.exercise_id for e in stored.exercises] == ["h1_glute_bridge", "h3_single_leg_rdl"]
        assert stored.exercises[0].reps is None and stored.exercises[0].hold_s == 2


async def test_new_sessions_are_stored_in_three_statements_however_many(
    database: Database,
) -> None:
    def session(runner_id: int, day: int, exercises: int) -> NewSession:
        columns = {
            "runner_id": runner_id,
            "date": date(2026, 11, day),
            "kind": "focused",
            "phase": "base",
            "minutes": 30,
            "after_run": day % 2 == 0,
            "rules": ["P4"],
        }
        return NewSession(
            columns,
            [
                {
                    "position": n,
                    "exercise_id": f"ex{n}",
                    "name": f"Exercise {n}",
                    "sets": 2,
                    "reps": None if n else 8,
                    "hold_s": 20 if n else None,
                    "load": "bodyweight",
                    "cues": [f"cue {n}"],
                    "cues_emphasised": n == 1,
                }
                for n in range(exercises)
            ],
        )

    async with database.unit_of_work() as uow:
        ada = await uow.runners.add(make_runner(platform_user_id="1"))
        bea = await uow.runners.add(make_runner(platform_user_id="2"))
        old = session(ada.id, 2, 1)
        await uow.plans.replace([], [old])
    async with database.unit_of_work() as uow:
        stale = await uow.plans.between(
            runner_id=ada.id, first=date(2026, 11, 1), last=date(2026, 11, 30)
        )
        fresh = [session(ada.id, 23, 6), session(ada.id, 26, 4), session(bea.id, 23, 5)]
        with statements(database) as seen:
            await uow.plans.replace(stale, fresh)

    assert seen == ["DELETE", "INSERT", "SELECT", "INSERT"]
    async with database.unit_of_work() as uow:
        stored = await uow.plans.of_runners(
            [ada.id, bea.id], first=date(2026, 11, 1), last=date(2026, 11, 30)
        )
        assert [(row.runner_id, row.date.day, len(row.exercises)) for row in stored] == [
            (ada.id, 23, 6),
            (bea.id, 23, 5),
            (ada.id, 26, 4),
        ]
        first = stored[0]
        assert (first.after_run, first.rules, first.created_at is not None) == (False, ["P4"], True)
        assert [(e.position, e.reps, e.hold_s, e.cues) for e in first.exercises[:2]] == [
            (0, 8, None, ["cue 0"]),
            (1, None, 20, ["cue 1"]),
        ]
        assert [e.cues_emphasised for e in first.exercises[:3]] == [False, True, False]


async def test_logs_check_ins_and_plan_changes(database: Database) -> None:
    day = date(2026, 11, 23)
    async with database.unit_of_work() as uow:
        runner = await uow.runners.add(make_runner())
        uow.session.add_all(
            [
                SessionLog(
                    runner_id=runner.id,
                    session_date=day,
                    completed="partial",
                    rpe=8,
                    pain=[{"where": "knee", "score": 4}],
                    hips_level=True,
                ),
                CheckIn(
                    runner_id=runner.id,
                    session_date=day,
                    legs="joint_pain",
                    pain=[{"where": "knee", "score": 4, "settled": False}],
                    ran_normally=False,
                ),
                PlanChange(
                    runner_id=runner.id,
                    effective_date=day + timedelta(days=3),
                    rules=["C2", "C8"],
                    why="Your knee was sore, so the next session is lighter.",
                ),
            ]
        )

    async with database.unit_of_work() as uow:
        log = (await uow.session.scalars(select(SessionLog))).one()
        check_in = (await uow.session.scalars(select(CheckIn))).one()
        change = (await uow.session.scalars(select(PlanChange))).one()
    assert (log.completed, log.rpe, log.pain) == ("partial", 8, [{"where": "knee", "score": 4}])
    assert check_in.pain[0]["settled"] is False and check_in.descending_stiff is None
    assert change.rules == ["C2", "C8"] and "knee" in change.why


async def test_club_and_membership(database: Database) -> None:
    async with database.unit_of_work() as uow:
        runner = await uow.runners.add(make_runner())
        club = Club(
            platform="telegram",
            chat_id="-100123",
            chat_type="supergroup",
            title="Ridge Runners",
            session_days=[1, 4],
            post_time=time(18, 30),
            timezone="Europe/Berlin",
        )
        uow.session.add(club)
        await uow.session.flush()
        uow.session.add(ClubMembership(club_id=club.id, runner_id=runner.id))

    async with database.unit_of_work() as uow:
        stored = (await uow.session.scalars(select(Club))).one()
        members = await uow.session.scalar(select(func.count()).select_from(ClubMembership))
    assert stored.session_days == [1, 4] and stored.active and stored.weekly_summary
    assert members == 1


async def test_dispatch_rows_are_unique_per_recipient_date_and_kind(database: Database) -> None:
    due = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    async with database.unit_of_work() as uow:
        runner = await uow.runners.add(make_runner())
        uow.session.add(
            Dispatch(
                runner_id=runner.id, kind=DispatchKind.SESSION, local_date=due.date(), due_at=due
            )
        )

    async with database.unit_of_work() as uow:
        row = (await uow.session.scalars(select(Dispatch))).one()
        assert row.status is DispatchStatus.PENDING
        assert row.due_at == due and row.due_at.tzinfo is UTC

    with pytest.raises(IntegrityError):
        async with database.unit_of_work() as uow:
            uow.session.add(
                Dispatch(
                    runner_id=runner.id,
                    kind=DispatchKind.SESSION,
                    local_date=due.date(),
                    due_at=due,
                )
            )


async def test_dispatch_needs_exactly_one_recipient(database: Database) -> None:
    due = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    with pytest.raises(IntegrityError):
        async with database.unit_of_work() as uow:
            uow.session.add(Dispatch(kind=DispatchKind.SESSION, local_date=due.date(), due_at=due))


async def test_aware_datetimes_are_stored_as_utc(database: Database) -> None:
    berlin_morning = datetime(2026, 11, 23, 7, 0, tzinfo=timezone(timedelta(hours=1)))
    async with database.unit_of_work() as uow:
        runner = await uow.runners.add(make_runner())
        uow.session.add(
            Dispatch(
                runner_id=runner.id,
                kind=DispatchKind.CHECK_IN,
                local_date=date(2026, 11, 23),
                due_at=berlin_morning,
            )
        )
    async with database.unit_of_work() as uow:
        row = (await uow.session.scalars(select(Dispatch))).one()
    assert row.due_at == datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


async def test_dialog_state_is_saved_moved_and_cleared(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.dialogs.save(
            platform="telegram", user_id="7", dialog="onboarding", step="experience", data={}
        )
    async with database.unit_of_work() as uow:
        await uow.dialogs.save(
            platform="telegram",
            user_id="7",
            dialog="onboarding",
            step="week",
            data={"experience": "none"},
        )
    async with database.unit_of_work() as uow:
        state = await uow.dialogs.get(platform="telegram", user_id="7")
        assert state is not None
        assert (state.step, state.data) == ("week", {"experience": "none"})
        await uow.dialogs.clear(platform="telegram", user_id="7")
    async with database.unit_of_work() as uow:
        assert await uow.dialogs.get(platform="telegram", user_id="7") is None
        assert await uow.session.scalar(select(func.count()).select_from(DialogState)) == 0


async def test_a_dialog_is_read_once_in_a_unit_of_work(database: Database) -> None:
    with statements(database, naming="dialog_states") as seen:
        async with database.unit_of_work() as uow:
            key = {"platform": "telegram", "user_id": "7"}
            assert await uow.dialogs.get(**key) is None  # a press finds no dialog...
            await uow.dialogs.save(**key, dialog="ci", step="legs", data={})  # ...opens one
            state = await uow.dialogs.get(**key)
            assert state is not None and state.step == "legs"
            await uow.dialogs.clear(**key)
            assert await uow.dialogs.get(**key) is None

    assert seen == ["SELECT", "INSERT", "DELETE"]


async def test_deleting_a_runner_removes_every_row_of_theirs(database: Database) -> None:
    day = date(2026, 11, 23)
    async with database.unit_of_work() as uow:
        runner = await uow.runners.add(make_runner())
        keep = await uow.runners.add(make_runner())
        session = PlannedSession(
            runner_id=runner.id, date=day, kind="control", phase="build", minutes=30
        )
        session.exercises = [
            PlannedExercise(
                position=0, exercise_id="x", name="X", sets=1, reps=5, load="bodyweight"
            )
        ]
        club = Club(platform="telegram", chat_id="-1", chat_type="group")
        uow.session.add_all(
            [
                session,
                club,
                SessionLog(runner_id=runner.id, session_date=day, completed="full"),
                CheckIn(runner_id=runner.id, session_date=day, legs="fresh"),
                PlanChange(runner_id=runner.id, effective_date=day, rules=["C1"], why="Good."),
                Dispatch(
                    runner_id=runner.id,
                    kind=DispatchKind.SESSION,
                    local_date=day,
                    due_at=datetime(2026, 11, 23, 6, tzinfo=UTC),
                ),
            ]
        )
        await uow.session.flush()
        uow.session.add(ClubMembership(club_id=club.id, runner_id=runner.id))

    async with database.unit_of_work() as uow:
        await uow.runners.delete(runner.id)

    async with database.unit_of_work() as uow:
        for model in (
            Runner,
            RunningDay,
            PlannedSession,
            PlannedExercise,
            SessionLog,
            CheckIn,
            PlanChange,
            Dispatch,
            ClubMembership,
        ):
            owned = select(func.count()).select_from(model)
            if hasattr(model, "runner_id"):
                owned = owned.where(model.runner_id == runner.id)
            elif model is PlannedExercise:
                owned = owned.where(PlannedExercise.session_id == session.id)
            else:
                owned = owned.where(Runner.id == runner.id)
            assert await uow.session.scalar(owned) == 0, model.__tablename__
        assert await uow.runners.get(keep.id) is not None
        assert await uow.session.scalar(select(func.count()).select_from(Club)) == 1


async def test_unit_of_work_rolls_back_when_the_block_fails(database: Database) -> None:
    async def failing_update() -> None:
        async with database.unit_of_work() as uow:
            await uow.runners.add(make_runner(platform_user_id="rolled-back"))
            raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError):
        await failing_update()
    async with database.unit_of_work() as uow:
        assert await uow.runners.find(platform="telegram", user_id="rolled-back") is None


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine: AsyncEngine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    async with engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1


async def test_a_failed_statement_never_quotes_its_parameters(database: Database) -> None:
    """A calendar token or a health answer in a failed query stays out of every log."""
    secret = "calendar-token-4c1f9e"
    with pytest.raises(DBAPIError) as failed:
        async with database.unit_of_work() as uow:
            await uow.session.execute(
                text("SELECT no_such_column FROM runners WHERE id = :s"), {"s": secret}
            )
    assert secret not in str(failed.value)
    assert "hidden" in str(failed.value)


async def test_a_runners_reports_from_a_day_on_include_that_day_in_order(
    database: Database,
) -> None:
    async with database.unit_of_work() as uow:
        ada = await uow.runners.add(make_runner())
        bea = await uow.runners.add(make_runner())
        for runner, day in ((ada, 12), (ada, 10), (ada, 9), (bea, 11)):
            await uow.feedback.save_log(
                runner_id=runner.id, day=date(2026, 11, day), completed="full"
            )
            await uow.feedback.save_check_in(
                runner_id=runner.id, day=date(2026, 11, day), legs="fine"
            )
        for day in (12, 9, 10):
            await uow.feedback.add(
                PlanChange(
                    runner_id=ada.id, effective_date=date(2026, 11, day), rules=["C1"], why="w"
                )
            )
    since = date(2026, 11, 10)
    async with database.unit_of_work() as uow:
        logs = await uow.feedback.logs(runner_id=ada.id, since=since)
        check_ins = await uow.feedback.check_ins(runner_id=ada.id, since=since)
        changes = await uow.feedback.changes(runner_id=ada.id, since=since)

    assert [row.session_date.day for row in logs] == [10, 12]
    assert [row.session_date.day for row in check_ins] == [10, 12]
    assert [row.effective_date.day for row in changes] == [12, 10]  # in the order they came
