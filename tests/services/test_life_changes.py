"""Life between messages, through the conversation: a new week or new kit keeps what the
runner earned, and a resume at teatime starts from a day a session can still be sent on
(issue 25, items 3, 4 and 12)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.storage.database import Database
from bot.storage.models import PlanChange, PlannedSession, Runner
from tests.conftest import FakeClock, Script
from tests.services.conftest import Talker, go_to_next_session, log_done, onboard

GOOD_CHECK_IN: Script = [
    ("say", "/checkin"),
    ("press", "Fresh"),
    ("press", "Yes"),
    ("press", "Fine"),
]
SHARP_KNEE: Script = [
    ("say", "/checkin"),
    ("press", "Sharp pain, bruising or weakness"),
    ("toggle", "Knee"),
    ("press", "Done"),
    ("press", "6"),
    ("press", "No, not yet"),
    ("press", "No"),
    ("press", "Fine"),
]
Doses = dict[str, tuple[int | None, int | None, str, str | None]]


async def upcoming(database: Database) -> list[PlannedSession]:
    async with database.unit_of_work() as uow:
        query = select(PlannedSession).order_by(PlannedSession.date)
        return list((await uow.session.scalars(query)).all())


def doses(sessions: list[PlannedSession], since: date) -> Doses:
    return {
        e.exercise_id: (e.reps, e.hold_s, e.load, e.range)
        for s in sessions
        if s.date >= since
        for e in s.exercises
    }


async def train(runner: Talker, clock: FakeClock, weeks: int) -> None:
    """Every session done, each with a good check-in the next day, for ``weeks`` weeks."""
    end = clock.now + timedelta(weeks=weeks)
    while clock.now < end:
        await go_to_next_session(runner, clock)
        await log_done(runner)
        clock.advance(days=1)
        await runner.follow(GOOD_CHECK_IN)


async def test_a_new_running_week_keeps_every_exercises_progress(
    runner: Talker, clock: FakeClock, database: Database
) -> None:
    """Item 3: five good weeks, then the long run moves to Sunday: nothing goes back a step."""
    await onboard(runner)
    await train(runner, clock, weeks=5)
    today = clock.now.date()
    before = doses(await upcoming(database), today)

    await runner.command("settings")
    await runner.press("Running week")
    await runner.press("Sunday")
    await runner.press("Long run")
    await runner.command("settings")
    await runner.press("Running week")
    await runner.press("Saturday")
    await runner.press("Easy run")

    assert "Every exercise keeps the progress you've made." in runner.text
    after = doses(await upcoming(database), today)
    shared = before.keys() & after.keys()
    assert len(shared) >= 3
    assert {k: before[k] for k in shared} == {k: after[k] for k in shared}
    async with database.unit_of_work() as uow:
        since = today - timedelta(days=1)
        rules = [c.rules for c in await uow.feedback.changes(runner_id=1, since=since)]
    assert not any("P9" in found for found in rules)  # no false "missed session" step-back


async def test_the_kit_question_starts_from_the_kit_the_runner_has(
    runner: Talker, database: Database
) -> None:
    """Item 4: with a step and sliders, tapping Weights and Done keeps all three."""
    await onboard(runner, kit=("Step or sturdy box", "Sliders or a towel"))
    await runner.command("settings")
    await runner.press("Kit")
    labels = [b.label for m in runner.last for row in m.buttons for b in row]
    assert "✓ Step or sturdy box" in labels and "✓ Sliders or a towel" in labels
    assert "Weights" in labels
    await runner.press("Weights")
    await runner.press("Done")
    async with database.unit_of_work() as uow:
        stored = (await uow.session.scalars(select(Runner))).one()
    assert sorted(stored.equipment) == ["sliders", "step", "weights"]
    assert "drops" not in runner.text  # no step or slider exercise leaves


async def test_a_resume_at_teatime_starts_tomorrow_with_a_control_session(
    runner: Talker, clock: FakeClock, database: Database
) -> None:
    """Items 2 and 12, C7: cleared and back at 18:00 on a session weekday, after the 07:30
    reminder: no session today that would never be sent, and the first one back is gentle."""
    await onboard(runner)
    await go_to_next_session(runner, clock)
    session_day = clock.now.date()
    await log_done(runner)
    clock.advance(days=1)
    await runner.follow(SHARP_KNEE)
    assert "doctor or physiotherapist" in runner.text

    back = session_day + timedelta(days=14)  # the same weekday, two weeks on
    clock.now = datetime.combine(back, time(18, 0), ZoneInfo("Europe/Berlin"))
    await runner.command("resume")
    sessions = [s for s in await upcoming(database) if s.date >= back]
    assert sessions and sessions[0].date > back
    assert sessions[0].kind == "control" and "C7" in sessions[0].rules
    async with database.unit_of_work() as uow:
        changes = (await uow.session.scalars(select(PlanChange))).all()
    assert all(change.effective_date <= back or "C4" not in change.rules for change in changes)
