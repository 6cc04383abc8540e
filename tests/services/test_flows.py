"""The runner's flows through the services: every adapter shares these."""

from __future__ import annotations

import csv
import io
import json
import re
from contextlib import ExitStack
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.services.coach import Coach
from bot.services.context import Person, Platform
from bot.services.dialogs.engine import STALE
from bot.services.plans.views import session_views
from bot.services.presentation.cues import Cue
from bot.services.presentation.replies import Part, Place
from bot.services.presentation.sessions import week_text
from bot.storage.database import Database
from bot.storage.models import (
    CheckIn,
    DialogState,
    PlanChange,
    PlannedSession,
    Resumption,
    Runner,
    RunnerStatus,
    SessionLog,
)
from tests.conftest import KNEE_PAIN_CHECK_IN, FakeClock, Script, onboarding
from tests.database_fixtures import statements
from tests.services.conftest import (
    Talker,
    go_to_next_session,
    log_done,
    onboard,
    red_flag_after_a_session,
)


async def stored_runner(database: Database) -> Runner:
    async with database.unit_of_work() as uow:
        return (await uow.session.scalars(select(Runner))).one()


async def dialog_step(database: Database) -> str | None:
    async with database.unit_of_work() as uow:
        state = (await uow.session.scalars(select(DialogState))).one_or_none()
        return None if state is None else state.step


async def test_onboarding_stores_the_profile_and_shows_the_first_week(
    runner: Talker, database: Database
) -> None:
    first = await runner.command("start")
    assert "not a medical service" in first[0].text
    await onboard(runner, kit=("Step or sturdy box",))

    assert "You're all set" in runner.text
    assert "Your first week" in runner.text
    stored = await stored_runner(database)
    assert [day.kind for day in stored.week] == [
        "rest",
        "easy",
        "hard",
        "easy",
        "rest",
        "long",
        "easy",
    ]
    assert stored.equipment == ["step"]
    assert stored.reminder_time.isoformat() == "07:30:00"
    assert stored.timezone == "Europe/Berlin"
    assert await dialog_step(database) is None


async def test_summary_is_confirmed_before_anything_is_stored(
    runner: Talker, database: Database
) -> None:
    await onboard_until_summary(runner)
    assert "Here's what I have" in runner.text
    assert "Wed hard run" in runner.text
    async with database.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Runner)) == 0


async def test_a_runner_who_joins_is_planned_without_reading_anything_back(
    runner: Talker, database: Database
) -> None:
    await onboard_until_summary(runner)
    history = ("plan_checkpoints", "session_logs", "check_ins", "resumptions", "plan_changes")
    with ExitStack() as watching:
        reads = {
            table: watching.enter_context(statements(database, naming=f"FROM {table}"))
            for table in (*history, "planned_sessions")
        }
        reads["dispatches"] = watching.enter_context(statements(database, naming="dispatches"))
        await runner.follow(onboarding()[-1:])

    assert {table: reads[table] for table in history} == {table: [] for table in history}
    # the new sessions' ids, and the reminders planned from them
    assert reads["planned_sessions"] == ["SELECT", "INSERT"]
    assert reads["dispatches"] == ["INSERT"]  # none to drop before planning the first
    joined = await stored_runner(database)
    async with database.unit_of_work() as uow:
        sessions = await uow.plans.between(
            runner_id=joined.id, first=joined.started_on, last=joined.started_on + timedelta(days=6)
        )
    assert sessions
    assert (
        str(week_text(session_views(sessions), title="Your first week")) in runner.text
    )  # as stored


async def onboard_until_summary(runner: Talker) -> None:
    await runner.follow(onboarding()[:-1])


async def test_start_again_welcomes_back_without_onboarding(runner: Talker) -> None:
    await onboard(runner)
    reply = await runner.command("start")
    assert "Welcome back, Ada" in reply[0].text
    assert not reply[0].buttons


async def test_free_text_where_a_button_is_expected_keeps_the_question(
    runner: Talker, database: Database
) -> None:
    await runner.command("start")
    (asked,) = await runner.say("I run a lot")  # one message: why, then the question again
    assert asked.text.spans[0].cue is Cue.CHOOSE_ONE
    assert "How much structured strength training" in asked.text
    assert (asked.part, asked.place) == (Part.ASKS, Place.BELOW)
    assert await dialog_step(database) == "exp"


async def test_typed_label_answers_a_button_question(runner: Talker, database: Database) -> None:
    await runner.command("start")
    await runner.say("some")
    assert await dialog_step(database) == "mon"


async def test_unreadable_time_is_explained_and_nothing_is_lost(
    runner: Talker, database: Database
) -> None:
    await runner.follow(onboarding()[:-3])
    reply = await runner.say("half past sometime")
    assert "couldn't read that time" in reply[0].text
    assert await dialog_step(database) == "time"
    await runner.say("6.45pm")
    assert await dialog_step(database) == "tz"


async def test_stale_dialog_button_changes_nothing_and_shows_the_current_question(
    runner: Talker, database: Database
) -> None:
    await runner.command("start")
    old_experience = runner.button("Some")
    await runner.press("It's a habit")
    toast, asked = await runner.press_data(old_experience.data)
    assert (str(toast.text), toast.toast) == (STALE, True)
    assert "Monday" in asked.text
    assert asked.place is Place.PRESSED  # the pressed message becomes the current question
    assert await dialog_step(database) == "mon"


async def test_buttons_from_an_abandoned_dialog_are_stale(
    runner: Talker, database: Database
) -> None:
    await runner.command("start")
    first_run = runner.button("Some")
    await runner.command("cancel")
    await runner.command("start")
    reply = await runner.press_data(first_run.data)
    assert str(reply[0].text) == STALE
    assert await dialog_step(database) == "exp"


async def test_forged_button_data_is_refused_kindly(runner: Talker, database: Database) -> None:
    await onboard(runner)
    for forged in ("ob:zzzz:exp:none", "ses:999999:done", "ses:abc:done", "garbage", "ci:1:2:3"):
        (note,) = await runner.press_data(forged)
        assert "out of date" in note.text, forged
        assert note.toast and note.stale, forged
    async with database.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(SessionLog)) == 0


async def test_a_button_pressed_by_someone_else_changes_nothing(
    coach: Coach, runner: Talker, database: Database
) -> None:
    await runner.command("start")
    stranger = Talker(coach, Person(Platform.TELEGRAM, "777", "777", "Eve"))
    reply = await stranger.press_data(runner.button("Some").data)
    assert "out of date" in reply[0].text
    assert await dialog_step(database) == "exp"


async def test_unknown_command_and_stray_text_get_short_help(runner: Talker) -> None:
    await onboard(runner)
    assert "I don't know /dance" in (await runner.command("dance"))[0].text
    assert "/help" in (await runner.say("hello?"))[0].text


async def test_commands_before_onboarding_point_to_start(runner: Talker) -> None:
    assert "/start" in (await runner.command("today"))[0].text
    await runner.command("start")
    (asked,) = await runner.command("today")
    assert "finish setting you up" in asked.text
    assert "How much structured strength training" in asked.text


async def test_a_new_coach_continues_the_same_dialog_after_a_restart(
    coach: Coach, runner: Talker, database: Database
) -> None:
    await runner.command("start")
    await runner.press("Some")
    await runner.press("Rest")
    restarted = Talker(Coach(coach.ctx), runner.person)
    (asked,) = await restarted.command("today")
    assert "What is Tuesday usually?" in asked.text
    await restarted.press("Easy run", reply=runner.last)
    assert await dialog_step(database) == "wed"


async def test_knee_pain_eases_the_next_session_and_says_why(
    runner: Talker, clock: FakeClock, database: Database
) -> None:
    await onboard(runner, kit=("Step or sturdy box", "Sliders or a towel"))
    await go_to_next_session(runner, clock)
    await log_done(runner)
    assert "check in tomorrow at 07:30" in runner.text
    clock.advance(days=1)

    await runner.follow(KNEE_PAIN_CHECK_IN)
    summary = runner.text
    assert "You said your knee hurt (5/10) and hadn't settled" in summary
    assert "one step lighter, with all their form cues" in summary

    async with database.unit_of_work() as uow:
        change = (await uow.session.scalars(select(PlanChange).order_by(PlanChange.id))).all()[-1]
        check_in = (await uow.session.scalars(select(CheckIn))).one()
    assert "C2" in change.rules
    assert check_in.pain == [{"where": "knee", "score": 5, "settled": False}]

    await go_to_next_session(runner, clock)
    assert "Check your form on this one" in runner.text


async def test_week_and_today_show_how_a_check_in_changed_a_session(
    runner: Talker, clock: FakeClock
) -> None:
    """Issue 27: after a check-in said the knee exercises were one step lighter, /week was
    word for word the same (it listed the exercises' names only)."""
    await onboard(runner, kit=("Step or sturdy box", "Sliders or a towel"))
    await go_to_next_session(runner, clock)
    await log_done(runner)
    clock.advance(days=1)
    await runner.follow(KNEE_PAIN_CHECK_IN)
    assert "the knee exercises are one step lighter, with all their form cues" in runner.text
    mark = re.compile(
        r"Changed after your check-in: one step lighter, with all their form cues: "
        r"step-down with a slow braking phase \d × \d+ each leg"
    )
    await runner.command("week")
    assert "↳ " in runner.text and mark.search(runner.text), runner.text
    assert runner.text.count("Changed after your check-in") == 1  # the next session alone
    await go_to_next_session(runner, clock)
    assert mark.search(runner.text), runner.text


async def test_skip_drops_the_session_without_cramming(
    runner: Talker, clock: FakeClock, database: Database
) -> None:
    await onboard(runner)
    await go_to_next_session(runner, clock)
    reply = await runner.press("Skip")
    assert "nothing to catch up" in reply[0].text
    async with database.unit_of_work() as uow:
        log = (await uow.session.scalars(select(SessionLog))).one()
    assert log.completed == "skipped"
    assert "already logged" in (await runner.command("today"))[0].text


async def test_red_flag_pauses_sessions_points_to_medical_advice_and_resume_restarts(
    runner: Talker, clock: FakeClock, database: Database
) -> None:
    await onboard(runner)
    assert "doctor or physiotherapist" in await red_flag_after_a_session(runner, clock)

    on_hold = await runner.command("today")
    assert "on hold" in on_hold[0].text
    async with database.unit_of_work() as uow:
        upcoming = select(func.count()).where(PlannedSession.date >= clock.now.date())
        assert await uow.session.scalar(upcoming) == 0

    await runner.command("resume")
    assert "cleared" in runner.text
    async with database.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Resumption)) == 1
    assert "on hold" not in (await runner.command("today"))[0].text


async def test_pause_and_resume(runner: Talker, database: Database) -> None:
    await onboard(runner)
    await runner.command("pause")
    assert (await stored_runner(database)).status is RunnerStatus.PAUSED
    assert "paused" in (await runner.command("today"))[0].text
    await runner.command("resume")
    assert (await stored_runner(database)).status is RunnerStatus.ACTIVE


async def test_settings_change_one_day_replans_and_says_what_changed(
    runner: Talker, database: Database
) -> None:
    await onboard(runner)
    await runner.command("settings")
    await runner.press("Running week")
    await runner.press("Friday")
    await runner.press("Hard run")
    assert "Saved" in runner.text
    assert "Fri hard run" in runner.text
    assert "What changes in your next two weeks:\n• Dropped: Thu 26 Nov.\n" in runner.text
    assert "• Updated: Sun 29 Nov, adds single-leg squat; drops Romanian deadlift.\n" in runner.text
    assert (await stored_runner(database)).week[4].kind == "hard"


async def test_settings_say_how_each_session_changed_not_only_which(
    runner: Talker, database: Database
) -> None:
    """Issue 27: /settings answered "Updated: Sun 13 Dec, Sun 20 Dec" without saying what
    changed in them."""
    await onboard(runner, kit=("Step or sturdy box", "Sliders or a towel"))
    await runner.command("race")
    await runner.say("in 5 weeks Trail X")  # maintenance from this week: a set less of each
    updated = re.findall(r"• Updated: (\w+ \d+ \w+), ([^\n]+)", runner.text)
    assert [day for day, _how in updated] == ["Thu 26 Nov", "Sun 29 Nov", "Thu 3 Dec", "Sun 6 Dec"]
    assert {how for _day, how in updated} == {"every exercise loses a set."}


async def test_race_date_by_free_text_with_a_name(runner: Talker, database: Database) -> None:
    await onboard(runner)
    await runner.command("race")
    await runner.say("15 May Zugspitz Ultra")  # May is long past: plainly next year's
    stored = await stored_runner(database)
    assert stored.race_date is not None
    assert stored.race_date.isoformat() == "2027-05-15"
    assert stored.race_name == "Zugspitz Ultra"
    await runner.command("race")
    reply = await runner.say("yesterday-ish")
    assert "couldn't read that date" in reply[0].text


async def test_a_passed_race_date_without_a_year_is_confirmed_in_onboarding(
    runner: Talker, database: Database
) -> None:
    """The defect: "20 Nov" typed on Mon 23 Nov 2026 was stored as next year's, unasked."""
    script = onboarding()
    at = script.index(("press", "No race planned"))
    await runner.follow(script[:at])
    await runner.say("20 Nov Trail des Fous")
    assert runner.text == "Do you mean Sat 20 Nov 2027?"
    assert [b.label for b in runner.last[0].buttons[0]] == ["Yes", "No, I'll type it again"]
    await runner.press("Yes")
    await runner.follow(script[at + 1 :])
    stored = await stored_runner(database)
    assert (stored.race_date, stored.race_name) == (date(2027, 11, 20), "Trail des Fous")


async def test_a_passed_race_date_turned_down_is_typed_again_with_its_year(
    runner: Talker, database: Database
) -> None:
    await onboard(runner)
    await runner.command("race")
    await runner.say("20 Nov")
    assert "Do you mean Sat 20 Nov 2027?" in runner.text
    await runner.press("No, I'll type it again")
    assert "with its year" in runner.text
    await runner.say("20 Nov")
    assert "Please add the year" in runner.text
    assert (await stored_runner(database)).race_date is None
    await runner.say("2027-01-20 Winter Trail")
    assert "Winter Trail on 20 Jan 2027" in runner.text
    assert (await stored_runner(database)).race_date == date(2027, 1, 20)


@pytest.mark.parametrize("typed", ["28 Nov", "20 Nov 2027", "2027-11-20", "None"])
async def test_a_race_date_later_this_year_or_with_a_year_needs_no_confirming(
    runner: Talker, database: Database, typed: str
) -> None:
    await onboard(runner)
    await runner.command("race")
    await runner.say(typed)
    assert "Saved." in runner.text
    assert "Do you mean" not in runner.text


async def test_history_lists_sessions_and_changes_with_why(
    runner: Talker, clock: FakeClock
) -> None:
    await onboard(runner)
    await go_to_next_session(runner, clock)
    await log_done(runner, effort="Very hard")
    reply = await runner.command("history")
    assert "Recent sessions" in reply[0].text
    assert "effort 10/10" in reply[0].text
    assert "C4" in reply[0].text


SORE_CHECK_IN: Script = [
    ("say", "/checkin"),
    ("press", "Sore muscles"),
    ("toggle", "Hamstrings"),
    ("press", "Done"),
    ("press", "Yes"),
    ("press", "Fine"),
]


def _history_rows(text: str, heading: str) -> list[tuple[date, str]]:
    """The (day, rest of line) rows under one heading of /history."""
    block = text.split(heading + "\n", 1)[1].split("\n\n", 1)[0]
    rows = []
    for line in block.splitlines():
        label, _, rest = line.removeprefix("• ").partition(": ")
        rows.append((datetime.strptime(f"{label} 2026", "%a %d %b %Y").date(), rest))
    return rows


async def test_history_lists_each_session_once_and_everything_in_date_order(
    runner: Talker, clock: FakeClock
) -> None:
    """The defect: each session twice (its log's change and its check-in's), out of order."""
    await onboard(runner, kit=("Step or sturdy box",))
    for n in range(6):
        await go_to_next_session(runner, clock)
        if n == 2:
            await runner.press("Skip")
        else:
            await log_done(runner, effort="Hard" if n % 2 else "OK")
            clock.advance(days=1)
            await runner.follow(KNEE_PAIN_CHECK_IN if n == 3 else SORE_CHECK_IN)
        clock.advance(days=1)
    text = str((await runner.command("history"))[0].text)
    sessions = [day for day, _ in _history_rows(text, "Recent sessions")]
    assert len(sessions) == 6
    assert sessions == sorted(set(sessions))
    changes = _history_rows(text, "Plan changes")
    assert [day for day, _ in changes] == sorted(day for day, _ in changes)
    by_feedback = [day for day, why in changes if "(C" in why or ", C" in why]
    assert len(by_feedback) == len(set(by_feedback)) == 5  # one per session done


async def test_export_gives_json_and_csv_of_everything(runner: Talker, clock: FakeClock) -> None:
    await onboard(runner)
    await go_to_next_session(runner, clock)
    await log_done(runner)
    reply = await runner.command("export")
    documents = {m.document.filename: m.document for m in reply if m.document}
    data = json.loads(documents["trail-coach-data.json"].content)
    assert data["runner"]["platform_user_id"] == "501"
    assert len(data["running_week"]) == 7
    assert data["session_logs"][0]["completed"] == "full"
    assert data["planned_sessions"]
    rows = list(csv.DictReader(io.StringIO(documents["trail-coach-data.csv"].content.decode())))
    assert {"runner", "session_logs", "planned_sessions"} <= {row["record"] for row in rows}


async def test_the_csv_export_holds_plain_values(runner: Talker, clock: FakeClock) -> None:
    """Issue 27: the CSV held JSON (``runner,,platform,"\"telegram\""``), so a spreadsheet
    showed quotes; now dates are ISO, numbers numbers, lists joined, nested values spread."""
    await onboard(runner, kit=("Step or sturdy box", "Weights"))
    await go_to_next_session(runner, clock)
    await log_done(runner, effort="Hard")
    reply = await runner.command("export")
    table = next(m.document for m in reply if m.document and m.document.filename.endswith("csv"))
    rows = list(csv.reader(io.StringIO(table.content.decode())))
    cells = {(record, field): value for record, _day, field, value in rows[1:]}
    assert cells["runner", "platform"] == "telegram"
    assert cells["runner", "equipment"] == "step; weights"
    assert cells["runner", "reminder_time"] == "07:30:00"
    assert cells["runner", "race_date"] == ""
    assert cells["runner", "week_preview"] == "TRUE"
    assert cells["session_logs", "rpe"] == "8"
    assert cells["planned_sessions", "exercises.1.sets"].isdigit()
    logged = next(row for row in rows if row[0] == "session_logs")
    assert date.fromisoformat(logged[1])
    assert not any(value.startswith('"') for *_, value in rows), "no JSON quoting"


async def test_deleteme_asks_then_removes_every_row(
    runner: Talker, clock: FakeClock, database: Database
) -> None:
    await onboard(runner)
    await go_to_next_session(runner, clock)
    await log_done(runner)
    await runner.command("deleteme")
    await runner.press("No, keep it")
    assert "Nothing was deleted" in runner.text
    await runner.command("deleteme")
    await runner.press("Yes, delete everything")
    assert "deleted" in runner.text
    async with database.unit_of_work() as uow:
        for model in (Runner, PlannedSession, SessionLog, PlanChange, DialogState):
            assert await uow.session.scalar(select(func.count()).select_from(model)) == 0


async def test_shared_location_answers_the_timezone_question(
    runner: Talker, database: Database
) -> None:
    await onboard(runner)
    await runner.command("settings")
    await runner.press("Timezone")
    await runner.coach.location(runner.person, latitude=39.74, longitude=-104.99)
    assert (await stored_runner(database)).timezone == "America/Denver"
