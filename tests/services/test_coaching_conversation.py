"""Issue 11's scripted defects, through the real conversation: the rules hold after a check-in."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.coaching import rules
from bot.storage.database import Database
from bot.storage.models import CheckIn
from tests.conftest import FakeClock, Script, onboarding
from tests.services.conftest import (
    Talker,
    go_to_next_session,
    log_done,
    onboard,
    red_flag_after_a_session,
    session_then_check_in,
)


def ache(where: str, score: str = "2", settled: str = "Yes, it has") -> Script:
    return [
        ("say", "/checkin"),
        ("press", "Joint pain"),
        ("toggle", where),
        ("press", "Done"),
        ("press", score),
        ("press", settled),
        ("press", "Yes"),
        ("press", "Fine"),
    ]


async def test_small_aches_at_three_sites_are_not_one_pain(
    runner: Talker, clock: FakeClock
) -> None:
    """Defect 1: knee, hip, lower back at 2/10, settled: no recovery, no red flag."""
    await onboard(runner, kit=("Step or sturdy box",))
    for where in ("Knee", "Hip", "Lower back"):
        reply = await session_then_check_in(runner, clock, ache(where))
        assert "fine to train with" in reply
        assert "doctor" not in reply
    await go_to_next_session(runner, clock)
    assert "recovery session" not in runner.text
    assert "Check your form" not in runner.text


async def test_pain_in_the_session_is_explained_in_the_reply_to_done(
    runner: Talker, clock: FakeClock
) -> None:
    """Defect 3: the change is explained when it is made, not stored silently."""
    await onboard(runner, kit=("Step or sturdy box",))
    await go_to_next_session(runner, clock)
    await runner.press("✅ Done")
    await runner.press("All of it")
    await runner.press("OK")
    await runner.press("Knee")
    await runner.press("Done")
    await runner.press("6")
    if any(b.label.startswith("Yes, level") for m in runner.last for r in m.buttons for b in r):
        await runner.press("Yes, level")
    assert "You said your knee hurt (6/10)" in runner.text
    assert "form cues" in runner.text


async def test_the_level_hips_question_is_asked_after_slider_curls(
    runner: Talker, clock: FakeClock
) -> None:
    """Defect 4: the two-leg slider curl leads to the C9 question."""
    await onboard(runner, kit=("Sliders or a towel",))
    for _ in range(4):
        await go_to_next_session(runner, clock)
        slider = "Slider curl (two legs)" in runner.text
        await runner.press("✅ Done")
        await runner.press("All of it")
        await runner.press("OK")
        reply = await runner.press("Nothing hurt")
        if slider:
            assert "did your hips stay level" in reply[0].text
            return
        clock.advance(days=1)
    raise AssertionError("no slider curl in four sessions")


async def test_red_flag_reply_points_to_a_professional_once_and_not_to_a_session(
    runner: Talker, clock: FakeClock
) -> None:
    """Defect 8: one medical message, nothing about the next session; /week says why."""
    await onboard(runner)
    reply = await red_flag_after_a_session(runner, clock)
    assert reply.count("doctor or physiotherapist") == 1
    assert "next session" not in reply.lower()
    assert "3 out of 10" not in reply
    week = await runner.command("week")
    assert "on hold" in week[0].text and "/resume" in week[0].text
    await runner.command("resume")
    first_back = ""
    for _ in range(8):
        today = await runner.command("today")
        if any(message.buttons for message in today):
            first_back = str(today[0].text)
            break
        clock.advance(days=1)
    assert first_back
    assert "focused" not in first_back  # a graded return: recovery (C6 holds) or control


async def test_no_trail_question_after_no_run_and_pain_talk_points_to_the_check_in(
    runner: Talker, clock: FakeClock
) -> None:
    """Defect 16."""
    await onboard(runner)
    no_run: Script = [("say", "/checkin"), ("press", "Fresh"), ("press", "No run today")]
    assert "Thanks for checking in" in await session_then_check_in(runner, clock, no_run)
    talk = await runner.say("my knee is a bit sore after the long run")
    assert "/checkin" in talk[0].text
    assert "doctor or physiotherapist" in talk[0].text
    assert "didn't catch that" not in talk[0].text


async def test_settings_trail_runs_counts_the_stored_week(runner: Talker) -> None:
    """Defect 18: the onboarding week holds five runs."""
    await onboard(runner)
    await runner.command("settings")
    reply = await runner.press("Trail runs a week")
    labels = [b.label for m in reply for row in m.buttons for b in row]
    assert "Yes, 5" in labels


async def test_a_late_sign_up_starts_tomorrow(runner: Talker, clock: FakeClock) -> None:
    """Defect 19: after today's reminder time, a beginner's first session is not today."""
    clock.now = datetime(2026, 11, 29, 22, 44, tzinfo=UTC)  # Sunday 23:44 in Berlin
    week = iter(("Easy run", "Hard run", "Easy run", "Rest", "Easy run", "Long run", "Rest"))
    script: Script = []
    for kind, value in onboarding():
        if value == "Some":
            value = "None yet"
        elif value in ("Rest", "Easy run", "Hard run", "Long run"):
            value = next(week)
        elif value.startswith("Yes, "):
            value = "Yes, 5"
        script.append((kind, value))
    await runner.follow(script)
    assert "Your first week" in runner.text
    assert "Sun 29 Nov" not in runner.text


async def test_done_still_works_after_the_check_in_changes_that_session(
    runner: Talker, clock: FakeClock
) -> None:
    """Defect 20: yesterday's check-in, answered when today's session has arrived, changes
    today's session; its Done button still works."""
    await onboard(runner, kit=("Step or sturdy box",))
    await go_to_next_session(runner, clock)
    await log_done(runner)
    clock.advance(days=1)
    check_in = await runner.command("checkin")  # the check-in waits, unanswered
    await go_to_next_session(runner, clock)
    session = runner.last
    await runner.press("Joint pain", reply=check_in)
    await runner.press("Knee")
    await runner.press("Done")
    await runner.press("6")
    await runner.press("No, not yet")
    await runner.press("Yes")
    await runner.press("Fine")
    assert "You said your knee hurt (6/10)" in runner.text
    changed = await runner.command("today")
    assert "Check your form on this one" in changed[0].text  # today's session changed
    reply = await runner.press("✅ Done", reply=session)
    assert "Did you get through all of it?" in reply[0].text


async def test_a_paused_runners_check_in_asks_about_the_legs_not_a_session(
    runner: Talker, database: Database
) -> None:
    """Defect 21 through /checkin; the reminder path is in tests/schedules/test_flows.py."""
    await onboard(runner)
    await runner.command("pause")
    reply = await runner.command("checkin")
    assert str(reply[0].text) == "How do your legs feel today?"
    await runner.press("Fresh")
    done = await runner.press("Yes")
    assert "Thanks for checking in" in done[0].text
    assert "next session" not in str(done[0].text).lower()
    async with database.unit_of_work() as uow:
        assert (await uow.session.scalars(select(CheckIn))).one().legs == "fresh"


async def test_a_week_with_no_day_for_strength_is_said_plainly_at_sign_up(runner: Talker) -> None:
    """The Floor: no rule silently empties a plan; the runner hears the least bad option."""
    hard = {"Rest": "Hard run", "Easy run": "Hard run", "Long run": "Hard run", "Yes, 5": "Yes, 7"}
    script: Script = [(kind, hard.get(value, value)) for kind, value in onboarding()]
    await runner.follow(script)
    assert "No strength sessions planned." in runner.text
    assert rules().why["Floor"] in runner.text


async def test_today_shows_the_session_not_rule_sentences(runner: Talker, clock: FakeClock) -> None:
    """Defect 15: the change was explained in the reply; /today does not repeat rules."""
    await onboard(runner, kit=("Step or sturdy box",))
    await session_then_check_in(runner, clock, ache("Knee", "6", "No, not yet"))
    await go_to_next_session(runner, clock)
    assert "Check your form on this one" in runner.text
    assert not any(sentence in runner.text for sentence in rules().why.values())


async def _legs_only_check_in(runner: Talker, legs: str, *answers: str) -> str:
    """/checkin while paused: the legs, then each answer, then whether the run went normally."""
    await runner.command("checkin")
    await runner.press(legs)
    for answer in answers:
        await runner.press(answer)
    await runner.press("Yes")
    return runner.text


async def test_a_paused_runners_check_in_reply_speaks_to_the_pause(
    runner: Talker, clock: FakeClock
) -> None:
    """The defect: a runner paused by /pause was told "Your plan stays as it is: keep going"."""
    await onboard(runner)
    await runner.command("pause")
    clock.advance(days=1)
    reply = await _legs_only_check_in(runner, "Fresh")
    assert reply.count("Thanks") == 1
    assert "paused" in reply
    assert "/resume" in reply
    assert "keep going" not in reply
    assert "next session" not in reply.lower()
    clock.advance(days=3)
    pain = await _legs_only_check_in(runner, "Joint pain", "Knee", "Done", "4", "Yes, it has")
    assert "/resume" in pain
    assert "doctor or physiotherapist" in pain  # pain while paused: whom to see


async def test_a_red_flagged_runners_later_check_in_thanks_once_and_talks_of_no_session(
    runner: Talker, clock: FakeClock
) -> None:
    """The defect: "Thanks for checking in. Thanks. Your strength sessions stay paused…"."""
    await onboard(runner)
    await red_flag_after_a_session(runner, clock)
    for legs, answers in (("Fresh", ()), ("Sore muscles", ("Glutes", "Done"))):
        clock.advance(days=3)
        reply = await _legs_only_check_in(runner, legs, *answers)
        assert reply.count("Thanks") == 1
        assert reply.count("paused") == 1
        assert reply.count("/resume") == 1
        assert "keep going" not in reply
        assert "next session" not in reply.lower()
