"""Reminders and the runner's answers to them: Later, red flags, coming back with /start."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

from bot.services.coach import Coach
from bot.services.context import Person, Platform
from bot.services.presentation.replies import Button, Message, Reply
from bot.storage.models import DispatchKind, DispatchStatus, RunnerStatus
from tests.conftest import RED_FLAG_ANSWERS
from tests.fake_telegram import errors
from tests.schedules.conftest import BERLIN_7, Reminders, add_runner
from tests.services.conftest import Talker, onboard


def reply_of(reminders: Reminders, chat: int, containing: str = "") -> Reply:
    """The last reminder (holding ``containing``) as the services' reply, to press its buttons."""
    message = next(
        m for m in reversed(reminders.api.sent_messages(chat)) if containing in m["text"]
    )
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    buttons = tuple(tuple(Button(b["text"], b["callback_data"]) for b in row) for row in rows)
    return (Message(message["text"], buttons),)


async def tick_until(reminders: Reminders, done: Callable[[], Awaitable[bool]], what: str) -> None:
    """Tick hour by hour, for at most eight days, until ``done()``."""
    for _ in range(24 * 8):
        reminders.clock.advance(hours=1)
        await reminders.run()
        if await done():
            return
    raise AssertionError(f"{what} within eight days")


async def first_session_reminder(reminders: Reminders, talker: Talker) -> None:
    """Tick until a session reminder (the one with Later) has gone out."""

    async def reminded() -> bool:
        sent = reminders.api.sent_messages(501)
        return bool(sent) and any(
            b["text"] == "Later"
            for row in sent[-1].get("reply_markup", {}).get("inline_keyboard", [])
            for b in row
        )

    await tick_until(reminders, reminded, "no session reminder")


async def test_later_snoozes_once_and_the_snoozed_session_offers_no_later(
    reminders: Reminders, talker: Talker
) -> None:
    await onboard(talker)
    await first_session_reminder(reminders, talker)
    session = reply_of(reminders, 501)
    await talker.press("Later", reply=session)
    assert "When shall I send it again?" in talker.text
    await talker.press("In 1 hour")
    assert "I'll send it again at" in talker.text

    await talker.press("Later", reply=session)
    assert "one Later per session" in talker.text

    reminders.clock.advance(minutes=59)
    assert (await reminders.run())["sent"] == 0
    reminders.clock.advance(minutes=1)
    assert (await reminders.run())["sent"] == 1
    snoozed = reply_of(reminders, 501)
    labels = [b.label for row in snoozed[0].buttons for b in row]
    assert labels == ["✅ Done", "Skip"]


async def test_a_session_logged_before_the_snooze_fires_is_not_sent_again(
    reminders: Reminders, talker: Talker
) -> None:
    await onboard(talker)
    await first_session_reminder(reminders, talker)
    session = reply_of(reminders, 501)
    await talker.press("Later", reply=session)
    await talker.press("In 3 hours")
    await talker.press("Skip", reply=session)
    reminders.clock.advance(hours=3)
    counts = await reminders.run()
    assert counts["sent"] == 0 and counts["cancelled"] >= 1


async def test_red_flag_stops_session_reminders_but_check_ins_continue(
    reminders: Reminders, talker: Talker
) -> None:
    await onboard(talker)
    await first_session_reminder(reminders, talker)
    session = reply_of(reminders, 501)
    await talker.press("✅ Done", reply=session)
    await talker.press("All of it")
    await talker.press("OK")
    await talker.press("Nothing hurt")
    if "level" in talker.text:
        await talker.press("Yes, level")

    reminders.clock.advance(days=1)
    await reminders.run()
    check_in = reply_of(reminders, 501, containing="check-in")
    (_kind, first), *rest = RED_FLAG_ANSWERS
    await talker.press(first, reply=check_in)
    await talker.follow(rest)
    assert "doctor or physiotherapist" in talker.text

    sent_before = len(reminders.api.sent_messages(501))
    for _ in range(14):
        reminders.clock.advance(days=1)
        await reminders.run()
    after = reminders.api.sent_messages(501)[sent_before:]
    assert len(after) == 4  # C7: two weeks of Monday and Thursday check-ins, no session
    assert all("How do your legs feel today?" in message["text"] for message in after)
    await talker.press("Fresh", reply=reply_of(reminders, 501, containing="check-in"))
    await talker.press("No run today")
    assert "stay paused until you've been cleared: then send /resume" in talker.text
    kinds = {row.kind for row in await reminders.rows() if row.status is DispatchStatus.PENDING}
    assert DispatchKind.SESSION not in kinds


async def test_a_runner_who_unblocks_the_bot_gets_the_very_next_reminder(
    reminders: Reminders, coach: Coach
) -> None:
    tuesday, wednesday = date(2026, 11, 24), date(2026, 11, 25)
    runner = await add_runner(reminders, sessions=(tuesday, wednesday), **BERLIN_7)
    chat = int(runner.chat_id)
    reminders.api.fail_next("sendMessage", errors.blocked_by_user(), times=None, chat_id=chat)
    reminders.clock.now = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # Tuesday 07:00 in Berlin
    await reminders.run()  # plans Wednesday's session, then Tuesday's meets the block
    async with reminders.database.unit_of_work() as uow:
        blocked = await uow.runners.get(runner.id)
        assert blocked is not None and blocked.status is RunnerStatus.BLOCKED

    reminders.api.clear()
    reminders.clock.now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    person = Person(Platform.TELEGRAM, runner.platform_user_id, runner.chat_id, "Ada")
    await Talker(coach, person).command("start")
    reminders.clock.now = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # Wednesday 07:00 in Berlin
    await reminders.run()
    sent = reminders.api.sent_messages(chat)
    assert sent, "Wednesday's session was not sent"
    assert "Wed 25 Nov" in sent[-1]["text"]
    assert "Later" in [
        b["text"] for row in sent[-1]["reply_markup"]["inline_keyboard"] for b in row
    ]


async def test_the_check_in_waits_for_the_day_after_and_skips_skipped_sessions(
    reminders: Reminders, talker: Talker
) -> None:
    await onboard(talker)
    await first_session_reminder(reminders, talker)
    await talker.press("Skip", reply=reply_of(reminders, 501))
    sent = len(reminders.api.sent_messages(501))
    reminders.clock.advance(days=1, hours=-1)
    for _ in range(2):
        reminders.clock.advance(hours=1)
        await reminders.run()
    texts = [m["text"] for m in reminders.api.sent_messages(501)[sent:]]
    assert not any("check-in" in text for text in texts)


async def test_a_paused_runners_check_in_asks_about_the_legs_not_an_unsent_session(
    reminders: Reminders, talker: Talker
) -> None:
    """Issue 11 defect 21: no session was sent while paused, so none is asked about."""
    await onboard(talker)
    await talker.command("pause")

    async def checked_in() -> bool:
        return any("check-in" in text for text in reminders.texts(501))

    await tick_until(reminders, checked_in, "no check-in")
    labels = [
        button["text"]
        for message in reminders.api.sent_messages(501)
        for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
    ]
    assert "Later" not in labels  # no session was sent
    check_in = reply_of(reminders, 501, containing="check-in")
    assert "How do your legs feel today?" in check_in[0].text
    assert "session?" not in check_in[0].text
    await talker.press("Fresh", reply=check_in)
    await talker.press("No run today")
    assert "Thanks for checking in" in talker.text


async def test_a_phase_change_is_named_when_it_is_made_and_in_the_week_preview(
    reminders: Reminders, talker: Talker
) -> None:
    """Issue 11 defect 15 and "What the coach says": a phase change names the phase."""
    await onboard(talker)  # coaching starts on Tuesday 24 November
    await talker.command("race")
    await talker.say("2026-12-29 Trail des Cimes")
    assert "Race in 5 weeks: from Tue 24 Nov your sessions switch to maintenance." in talker.text

    async def previewed() -> bool:
        return any("Your week ahead" in text for text in reminders.texts(501))

    await tick_until(reminders, previewed, "no week preview")
    preview = next(text for text in reminders.texts(501) if "Your week ahead" in text)
    assert "Race in 5 weeks: maintenance" in preview
