"""One message per question on Telegram: a dialog edits its question in place, and leaves no
live buttons behind (issue 27)."""

from __future__ import annotations

from tests.conftest import TYPED_ONBOARDING, TYPED_RACE, onboarding
from tests.telegram.conftest import TelegramUser
from tests.telegram.test_clubs import ADMIN, SUPERGROUP, bot_joins, press_in, say_in

ONBOARDING_MESSAGES = 3
"""The welcome; the question, answered in place up to the typed reminder time; the next,
answered in place up to "You're all set" (16 before issue 27)."""


async def test_a_full_onboarding_leaves_three_messages_and_no_live_buttons(
    ada: TelegramUser,
) -> None:
    await ada.onboard()
    assert len(ada.texts) == ONBOARDING_MESSAGES
    assert ada.live == []
    assert "You're all set" in ada.last_text


async def test_an_onboarding_typed_at_three_questions_leaves_five_messages(
    ada: TelegramUser,
) -> None:
    await ada.follow(TYPED_ONBOARDING)
    assert len(ada.texts) == ONBOARDING_MESSAGES + 2  # below each typed answer
    assert ada.live == []


async def test_no_race_planned_cannot_be_pressed_once_the_race_was_typed(
    ada: TelegramUser,
) -> None:
    script = onboarding()
    await ada.follow(script[: script.index(("press", "No race planned"))])
    race_question = ada.api.last_message(ada.chat_id)
    await ada.send(f"15 May {TYPED_RACE}")
    (left_behind,) = [
        m
        for m in ada.api.sent_messages(ada.chat_id)
        if m["message_id"] == race_question["message_id"]
    ]
    assert not ada.buttons(left_behind)
    (question,) = ada.live
    assert "What do you have at home?" in question["text"]
    assert f"Race: Sat 15 May 2027, {TYPED_RACE}" in question["text"]


async def test_refused_typed_times_in_a_club_setup_leave_one_live_question(
    ada: TelegramUser,
) -> None:
    await bot_joins(ada, SUPERGROUP)
    ada.api.set_chat_member(SUPERGROUP["id"], of=ADMIN, status="administrator")
    await say_in(ada, SUPERGROUP, "/club")
    for label in ("Tuesday", "Done"):
        await press_in(ada, SUPERGROUP, label, by=ADMIN)
    for typed in ("whenever", "25:99"):
        await say_in(ada, SUPERGROUP, typed, replying=True)
    live = [m for m in ada.api.sent_messages(SUPERGROUP["id"]) if ada.buttons(m)]
    assert len(live) == 1
    assert "When should I post the club session?" in live[0]["text"]
    assert "isn't a time of day" in live[0]["text"]


async def test_cancel_takes_the_buttons_off_the_question_it_stops(ada: TelegramUser) -> None:
    await ada.send("/start")
    await ada.press("Some")
    await ada.send("/cancel")
    assert ada.last_text == "Stopped. Nothing was changed."
    assert ada.live == []
