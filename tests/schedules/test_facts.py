"""Reminders and reports are facts: no replan loses a due reminder, and nothing asks about
(or counts) a session the runner was never sent (issue 25, items 1 and 2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.coaching import Plan, plan
from bot.services.plans import training_plan
from bot.storage.models import PlannedSession
from tests.schedules.conftest import Reminders
from tests.services.conftest import Talker, onboard

BERLIN = ZoneInfo("Europe/Berlin")
REMINDER = time(7, 30)  # the onboarding script's reminder time


def at(day: date, clock: time = REMINDER, *, seconds: int = 0) -> datetime:
    """``clock`` on ``day`` in Berlin, plus ``seconds``."""
    return datetime.combine(day, clock, BERLIN) + timedelta(seconds=seconds)


async def session_days(reminders: Reminders) -> list[date]:
    async with reminders.database.unit_of_work() as uow:
        return list((await uow.session.scalars(select(PlannedSession.date))).all())


def sent_about(reminders: Reminders, day: date) -> list[str]:
    """The session messages sent for ``day``: they name it (``Tue 24 Nov``) and offer Done."""
    label = f"{day:%a} {day.day} {day:%b}"
    return [
        message["text"]
        for message in reminders.api.sent_messages(501)
        if label in message["text"]
        and any(
            button["text"] == "✅ Done"
            for row in message.get("reply_markup", {}).get("inline_keyboard", [])
            for button in row
        )
    ]


async def change_week_preview(talker: Talker) -> None:
    await talker.command("settings")
    await talker.press("Week preview")
    await talker.press("No thanks")


async def make_the_day_a_hard_run(talker: Talker, day: date) -> None:
    """A new running week in which the session's day could hold no strength work (P2)."""
    await talker.command("settings")
    await talker.press("Running week")
    await talker.press(f"{day:%A}")
    await talker.press("Hard run")


@pytest.mark.parametrize("act", ["today", "week", "settings", "running week"])
async def test_a_command_seconds_after_the_reminder_time_keeps_the_due_reminder(
    reminders: Reminders, talker: Talker, act: str
) -> None:
    """Item 1: reminder 07:30, a replanning command at 07:30:03, the tick at 07:30:05."""
    await onboard(talker)
    day = (await session_days(reminders))[0]
    reminders.clock.now = at(day, time(6, 0))
    await reminders.run()  # plans the day's reminder
    reminders.clock.now = at(day, seconds=3)
    if act == "settings":
        await change_week_preview(talker)
    elif act == "running week":
        await make_the_day_a_hard_run(talker, day)
    else:
        await talker.command(act)
    reminders.clock.now = at(day, seconds=5)
    counts = await reminders.run()
    assert counts["sent"] == 1
    assert len(sent_about(reminders, day)) == 1


async def test_no_check_in_about_a_session_that_was_planned_but_never_sent(
    reminders: Reminders, talker: Talker
) -> None:
    """Item 2: paused over the reminder, resumed at teatime: nothing asks about that day."""
    await onboard(talker)
    day = (await session_days(reminders))[0]
    reminders.clock.now = at(day, time(6, 0))
    await reminders.run()
    await talker.command("pause")
    reminders.clock.now = at(day, seconds=5)
    await reminders.run()  # the session is not sent: sessions are paused
    reminders.clock.now = at(day, time(18, 0))
    await talker.command("resume")
    for hours in range(1, 20):
        reminders.clock.now = at(day, time(18, 0)) + timedelta(hours=hours)
        await reminders.run()
    assert not sent_about(reminders, day)
    assert not [text for text in reminders.texts(501) if f"after {day:%A}'s session" in text]


async def test_a_check_in_follows_a_session_logged_without_its_reminder(
    reminders: Reminders, talker: Talker
) -> None:
    """A session done from /today (its reminder never came) still gets its check-in."""
    await onboard(talker)
    day = (await session_days(reminders))[0]
    reminders.clock.now = at(day, time(6, 0))
    await talker.command("today")
    await talker.press("✅ Done")
    await talker.press("All of it")
    await talker.press("OK")
    await talker.press("Nothing hurt")
    for hours in range(1, 28):
        reminders.clock.now = at(day, time(6, 0)) + timedelta(hours=hours)
        await reminders.run()
    assert [text for text in reminders.texts(501) if f"after {day:%A}'s session" in text]


async def test_a_replay_that_drops_a_due_session_keeps_it_and_its_reminder(
    reminders: Reminders, talker: Talker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 1, found by the season test: a runner silent for weeks, whose replay on the day
    (a P9 gap counted from today) moves that day's session, still gets the reminder due at
    the tick, and the session stays stored: once due, today's session is a fact."""
    await onboard(talker)
    day = (await session_days(reminders))[0]
    reminders.clock.now = at(day, time(6, 0))
    await reminders.run()

    def without_the_day(*args: Any, **kwargs: Any) -> Plan:
        planned = plan(*args, **kwargs)
        weeks = [
            replace(week, sessions=tuple(s for s in week.sessions if s.date != day))
            for week in planned.weeks
        ]
        return replace(planned, weeks=tuple(weeks))

    monkeypatch.setattr(training_plan, "plan", without_the_day)
    reminders.clock.now = at(day, seconds=3)
    await talker.command("week")  # replays: the day's session is gone from the new plan
    reminders.clock.now = at(day, seconds=5)
    assert (await reminders.run())["sent"] == 1
    assert len(sent_about(reminders, day)) == 1
    assert day in await session_days(reminders)
