"""Every runner flow through the real Application and the in-process fake Bot API."""

from __future__ import annotations

import json
import logging

import pytest
from icalendar import Calendar

from bot import bootstrap
from bot.services.coach import COMMANDS, SORRY, Coach
from bot.services.dialogs.engine import ALREADY, STALE
from tests.conftest import KNEE_PAIN_CHECK_IN, FakeClock, onboarding
from tests.fake_telegram import FakeBotAPI, InProcessRequest, errors, process, updates
from tests.telegram.conftest import TelegramUser, settings_for

pytestmark = pytest.mark.usefixtures("no_real_telegram")


async def next_session(ada: TelegramUser, clock: FakeClock) -> None:
    for _ in range(8):
        await ada.send("/today")
        if ada.buttons(ada.api.last_message(ada.chat_id)):
            return
        clock.advance(days=1)
    raise AssertionError("no session within a week")


async def log_done(ada: TelegramUser) -> None:
    await ada.press("✅ Done")
    await ada.press("All of it")
    await ada.press("OK")
    await ada.press("Nothing hurt")
    last = ada.api.last_message(ada.chat_id)
    if any(b["text"] == "Yes, level" for b in ada.buttons(last)):
        await ada.press("Yes, level")


async def test_start_onboards_with_buttons_and_shows_the_first_week(ada: TelegramUser) -> None:
    await ada.send("/start")
    assert "not a medical service" in ada.texts[-2]
    assert [b["text"] for b in ada.buttons(ada.api.last_message(ada.chat_id))] == [
        "None yet",
        "Some",
        "It's a habit",
    ]
    await ada.onboard()
    assert "You're all set" in ada.last_text
    assert "Your first week" in ada.last_text


async def test_a_pressed_question_becomes_the_next_one_with_the_answers_so_far(
    ada: TelegramUser,
) -> None:
    await ada.send("/start")
    question = ada.api.last_message(ada.chat_id)
    await ada.press("Some")
    await ada.press("Rest")
    asked = ada.api.last_message(ada.chat_id)
    assert asked["message_id"] == question["message_id"]  # the same message, edited
    assert asked["text"].startswith("Experience: Some · Monday: Rest\n\nWhat is Tuesday usually?")
    assert "→" not in asked["text"]
    assert [m["message_id"] for m in ada.live] == [question["message_id"]]


async def test_a_message_that_cannot_be_edited_is_logged_and_the_dialog_goes_on(
    ada: TelegramUser, fake_api: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    await ada.send("/start")
    fake_api.fail_next(
        "editMessageText", errors.ApiError(400, "Bad Request: message can't be edited")
    )
    with caplog.at_level(logging.WARNING):
        await ada.press("Some")
    assert "What is Monday usually?" in ada.last_text  # asked below instead
    assert "could not edit message" in caplog.text
    assert "can't be edited" in caplog.text
    assert len(ada.live) == 1


async def test_multi_choice_toggles_in_place(ada: TelegramUser) -> None:
    script = onboarding()
    await ada.follow(script[: script.index(("press", "None of these"))])
    count = len(ada.texts)
    await ada.press("Step or sturdy box")
    assert len(ada.texts) == count
    labels = [b["text"] for b in ada.buttons(ada.api.last_message(ada.chat_id))]
    assert "✓ Step or sturdy box" in labels
    assert "Done" in labels


async def test_free_text_where_a_button_was_expected(ada: TelegramUser) -> None:
    await ada.send("/start")
    await ada.send("I have done loads")
    assert "Please tap one of the buttons below." in ada.last_text
    assert "How much structured strength training" in ada.last_text  # in the same message
    assert len(ada.live) == 1  # the question asked before lost its buttons


async def test_an_edited_message_is_answered_with_one_line_and_changes_nothing(
    ada: TelegramUser,
) -> None:
    script = onboarding()
    await ada.follow(script[: script.index(("press", "No race planned"))])
    original = updates.message(text="hmm not sure", from_user=ada.user)
    await process(ada.application, {"message": original})
    assert "Do you have a race coming up?" in ada.last_text
    sent = len(ada.texts)
    await process(
        ada.application, updates.edited_text_message(original=original, text="15 May 2027")
    )
    assert len(ada.texts) == sent + 1
    assert ada.last_text.startswith("I don't read edited messages")
    assert "/cancel" in ada.last_text
    await ada.press("No race planned")  # the question is still open, and live
    (question,) = ada.live
    assert "What do you have at home?" in question["text"]


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "video_note", "contact", "dice"])
async def test_a_message_without_text_gets_a_pointer_and_changes_nothing(
    ada: TelegramUser, kind: updates.MediaKind
) -> None:
    await ada.send("/start")
    await process(ada.application, updates.media_message(kind, from_user=ada.user))
    assert "/help" in ada.last_text
    assert "How much structured strength training" in ada.last_text
    await ada.press("Some")
    assert "What is Monday usually?" in ada.last_text


async def test_a_message_without_text_outside_a_dialog_gets_a_pointer(ada: TelegramUser) -> None:
    await ada.onboard()
    sent = len(ada.texts)
    await process(ada.application, updates.media_message("sticker", from_user=ada.user))
    assert len(ada.texts) == sent + 1
    assert "/help" in ada.last_text


async def test_a_time_the_bot_cannot_read(ada: TelegramUser) -> None:
    await ada.onboard()
    await ada.send("/settings")
    await ada.press("Reminder time")
    await ada.send("whenever")
    assert "couldn't read that time" in ada.last_text
    assert "When should I send your session?" in ada.last_text
    await ada.send("6:15pm")
    assert "Reminders: 18:15 (Europe/Berlin)" in ada.last_text


async def test_stale_button_is_answered_as_out_of_date(ada: TelegramUser) -> None:
    await ada.send("/start")
    first = ada.api.last_message(ada.chat_id)
    await ada.press("Some")
    data = ada.data_of(first, "It's a habit") if ada.buttons(first) else "ob:0000:exp:regular"
    sent = len(ada.texts)
    await process(
        ada.application, updates.callback_query(message=first, data=data, from_user=ada.user)
    )
    assert ada.toasts[-1] == STALE
    assert len(ada.texts) == sent  # a toast, and no message more
    (shown,) = [m for m in ada.api.sent_messages(1001) if m["message_id"] == first["message_id"]]
    assert "What is Monday usually?" in shown["text"]  # the pressed message asks it
    assert "It's a habit" not in shown["text"]  # not marked as chosen: nothing changed
    assert ada.live == [shown]


async def test_an_unknown_button_mid_onboarding_shows_the_open_question(ada: TelegramUser) -> None:
    await ada.send("/start")
    await ada.press("Some")
    message = ada.api.last_message(ada.chat_id)
    sent = len(ada.texts)
    await process(
        ada.application,
        updates.callback_query(message=message, data="ses:1:done", from_user=ada.user),
    )
    assert ada.toasts[-1] == STALE
    assert len(ada.texts) == sent
    assert "What is Monday usually?" in ada.last_text
    assert ada.buttons(ada.api.last_message(ada.chat_id))


async def test_start_mid_onboarding_asks_before_starting_over(ada: TelegramUser) -> None:
    await ada.send("/start")
    await ada.press("Some")
    await ada.press("Rest")
    await ada.send("/start")
    assert "kept your answers" in ada.last_text
    assert "What is Tuesday usually?" in ada.last_text  # one message: the note and the question
    assert len(ada.live) == 1
    await ada.press("Easy run")  # carry on where they were
    assert "What is Wednesday usually?" in ada.last_text
    await ada.send("/start")
    await ada.press("Start over")
    assert ada.toasts[-1] == "OK, let's start over."
    assert "How much structured strength training" in ada.last_text
    assert len(ada.live) == 1


async def test_forged_callback_data_changes_nothing(ada: TelegramUser) -> None:
    await ada.onboard()
    message = ada.api.last_message(ada.chat_id)
    sent = len(ada.texts)
    for forged in ("ses:1:done:extra", "x" * 64, "set:zzzz:field:race", ":::"):
        await process(
            ada.application,
            updates.callback_query(message=message, data=forged, from_user=ada.user),
        )
        assert "out of date" in ada.toasts[-1], forged
    assert len(ada.texts) == sent  # toasts only


async def test_a_button_pressed_by_someone_else(ada: TelegramUser, fake_api: FakeBotAPI) -> None:
    await ada.send("/start")
    question = ada.api.last_message(ada.chat_id)
    eve = updates.user(user_id=2002, first_name="Eve")
    data = ada.data_of(question, "Some")
    await process(
        ada.application, updates.callback_query(message=question, data=data, from_user=eve)
    )
    assert "out of date" in ada.toasts[-1]
    await ada.press("Some", on=question)
    assert "What is Monday usually?" in ada.last_text


async def test_unknown_command_and_text_outside_a_dialog(ada: TelegramUser) -> None:
    await ada.onboard()
    await ada.send("/moonwalk")
    assert "I don't know /moonwalk" in ada.last_text
    await ada.send("what now?")
    assert "/help" in ada.last_text
    await ada.send("/help")
    for name, _text in COMMANDS:
        assert f"/{name}" in ada.last_text


async def test_an_unknown_command_with_markup_in_it_is_answered(ada: TelegramUser) -> None:
    await ada.send("/zoë<3&co")
    assert ada.last_text == "I don't know /zoë<3&co. Send /help to see what I can do."


async def test_session_message_has_dose_cues_and_done_skip(
    ada: TelegramUser, clock: FakeClock
) -> None:
    await ada.onboard(kit=("Step or sturdy box",))
    await next_session(ada, clock)
    message = ada.api.last_message(ada.chat_id)
    assert len(message["text"]) < 4096
    assert "About 30 minutes" in message["text"] or "minutes" in message["text"]
    assert " × " in message["text"]
    assert "•" in message["text"]
    assert [b["text"] for b in ada.buttons(message)] == ["✅ Done", "Skip"]
    for sent in ada.api.calls("sendMessage"):
        markup = sent.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        for row in markup.get("inline_keyboard", []):
            for button in row:
                assert len(button.get("callback_data", "").encode()) <= 64


async def test_done_then_questions_then_check_in_changes_the_next_session(
    ada: TelegramUser, clock: FakeClock
) -> None:
    await ada.onboard(kit=("Step or sturdy box", "Sliders or a towel"))
    await next_session(ada, clock)
    before = ada.last_text
    await log_done(ada)
    assert "check in tomorrow at 07:30" in ada.last_text
    clock.advance(days=1)
    await ada.follow(KNEE_PAIN_CHECK_IN)
    assert "You said your knee hurt (5/10) and hadn't settled" in ada.last_text
    await next_session(ada, clock)
    after = ada.last_text
    assert "Check your form on this one" in after
    assert "Check your form" not in before


async def test_done_pressed_twice_asks_once_and_the_question_works(
    ada: TelegramUser, clock: FakeClock, fake_api: FakeBotAPI
) -> None:
    await ada.onboard()
    await next_session(ada, clock)
    session = ada.api.last_message(ada.chat_id)
    await ada.press("✅ Done", on=session)
    asked = len(ada.texts)
    await ada.press("✅ Done", on=session)  # the second tap of a quick double tap
    assert len(ada.texts) == asked
    assert fake_api.calls("answerCallbackQuery")[-1].params["text"] == ALREADY
    await ada.press("All of it")  # the one question asked carries on, in place
    assert len(ada.texts) == asked
    assert "How hard did it feel overall?" in ada.last_text
    assert ada.buttons(ada.api.last_message(ada.chat_id))


async def test_a_multi_choice_done_pressed_twice_moves_on_once(
    ada: TelegramUser, fake_api: FakeBotAPI
) -> None:
    script = onboarding()
    await ada.follow(script[: script.index(("press", "None of these"))])
    await ada.press("Step or sturdy box")
    kit = ada.api.last_message(ada.chat_id)
    await ada.press("Done", on=kit)
    asked = len(ada.texts)
    await ada.press("Done", on=kit)
    assert len(ada.texts) == asked
    assert fake_api.calls("answerCallbackQuery")[-1].params["text"] == ALREADY
    assert "How many strength sessions a week?" in ada.last_text


async def test_skip_button(ada: TelegramUser, clock: FakeClock) -> None:
    await ada.onboard()
    await next_session(ada, clock)
    await ada.press("Skip")
    assert "nothing to catch up" in ada.last_text


async def test_restart_in_the_middle_of_onboarding(
    ada: TelegramUser, new_app, fake_api: FakeBotAPI
) -> None:
    await ada.send("/start")
    await ada.press("Some")
    await ada.press("Rest")
    await ada.application.shutdown()
    restarted = TelegramUser(await new_app(), fake_api, ada.user)
    await restarted.press("Easy run")
    assert "What is Wednesday usually?" in restarted.last_text


async def test_restart_in_the_middle_of_a_check_in(
    ada: TelegramUser, new_app, fake_api: FakeBotAPI, clock: FakeClock
) -> None:
    await ada.onboard()
    await next_session(ada, clock)
    await log_done(ada)
    clock.advance(days=1)
    await ada.send("/checkin")
    await ada.press("Heavy legs")
    restarted = TelegramUser(await new_app(), fake_api, ada.user)
    await restarted.press("Yes")
    assert "how did your trail running feel" in restarted.last_text
    await restarted.press("Fine")
    assert "Thanks for checking in" in restarted.last_text


async def test_settings_pause_resume_race_history(ada: TelegramUser) -> None:
    await ada.onboard()
    await ada.send("/settings")
    await ada.press("Sessions a week")
    await ada.press("One")
    assert "Strength sessions a week: 1" in ada.last_text
    await ada.send("/pause")
    assert "Paused" in ada.last_text
    await ada.send("/today")
    assert "paused" in ada.last_text
    await ada.send("/resume")
    assert "back on" in ada.last_text
    await ada.send("/race")
    await ada.send("2027-06-20 Lavaredo")
    assert "Lavaredo on 20 Jun 2027" in ada.last_text
    await ada.send("/history")
    assert "Plan changes" in ada.last_text


async def test_export_sends_json_and_csv_documents(ada: TelegramUser, fake_api: FakeBotAPI) -> None:
    await ada.onboard()
    await ada.send("/export")
    documents = {
        call.files["document"].filename: call.files["document"]
        for call in fake_api.calls("sendDocument")
    }
    assert set(documents) == {"trail-coach-data.json", "trail-coach-data.csv"}
    data = json.loads(documents["trail-coach-data.json"].content)
    assert data["runner"]["platform_user_id"] == str(ada.user["id"])


async def test_progress_sends_a_photo_with_a_caption(
    ada: TelegramUser, fake_api: FakeBotAPI, clock: FakeClock
) -> None:
    await ada.onboard()
    clock.advance(days=7)  # a week's sessions are over, not done
    await ada.send("/progress")
    (call,) = fake_api.calls("sendPhoto")
    assert call.files["photo"].content.startswith(b"\x89PNG")
    shown = ada.api.last_message(ada.chat_id)
    assert shown["photo"][-1]["width"] > shown["photo"][-1]["height"]
    assert shown["caption"].startswith("0 of 2 sessions done in 1 week.")


async def test_calendar_sends_an_ics_document(ada: TelegramUser, fake_api: FakeBotAPI) -> None:
    await ada.onboard()
    await ada.send("/calendar")
    (call,) = fake_api.calls("sendDocument")
    upload = call.files["document"]
    assert (upload.filename, upload.mime_type) == ("strength-sessions.ics", "text/calendar")
    events = Calendar.from_ical(upload.content).walk("VEVENT")
    assert len(events) == 8
    assert str(events[0]["summary"]).startswith("Strength: ")
    caption = ada.api.last_message(ada.chat_id)["caption"]
    assert "calendar file" in caption
    assert "webhook mode" in caption  # polling: no subscription link, and it says why


async def test_calendar_reset_switches_the_link_off_when_polling(ada: TelegramUser) -> None:
    await ada.onboard()
    await ada.send("/calendar reset")
    assert ada.last_text.startswith("Done: any calendar link I gave you before no longer works")
    await ada.send("/calendar now")
    assert ada.last_text.startswith("Send /calendar for your sessions as a calendar file")


async def test_deleteme_confirms_then_deletes(ada: TelegramUser) -> None:
    await ada.onboard()
    await ada.send("/deleteme")
    await ada.press("Yes, delete everything")
    assert "deleted" in ada.last_text
    await ada.send("/today")
    assert "/start" in ada.last_text


async def test_location_sets_the_timezone(ada: TelegramUser) -> None:
    await ada.onboard()
    await ada.send("/settings")
    await ada.press("Timezone")
    await ada.share_location(latitude=46.5, longitude=11.3)
    assert "(Europe/Rome)" in ada.last_text


async def test_personal_commands_in_a_group_redirect_to_private(
    ada: TelegramUser, fake_api: FakeBotAPI
) -> None:
    group = updates.supergroup_chat()
    await process(
        ada.application, updates.text_message(text="/today", chat=group, from_user=ada.user)
    )
    reply = fake_api.last_message(group["id"])
    assert "private chat" in reply["text"]
    assert ada.buttons(reply)[0]["url"].startswith("https://t.me/")
    sent = len(fake_api.sent_messages(group["id"]))
    await process(
        ada.application,
        updates.text_message(text="nice run today!", chat=group, from_user=ada.user),
    )
    assert len(fake_api.sent_messages(group["id"])) == sent


async def test_a_failing_handler_keeps_the_bot_alive_and_reassures(
    ada: TelegramUser, fake_api: FakeBotAPI, started_apps, caplog: pytest.LogCaptureFixture
) -> None:
    await ada.send("/start")
    fake_api.fail_next("sendMessage", errors.server_error(500, "Internal Server Error"), times=1)
    with caplog.at_level(logging.ERROR):
        await ada.send("/help")
    assert SORRY in ada.last_text
    assert "handler failed" in caplog.text
    assert fake_api.token not in caplog.text
    started_apps[-1][1].errors.clear()  # this test's failure was on purpose
    await ada.press("Some")
    (question,) = ada.live
    assert "What is Monday usually?" in question["text"]


async def test_a_failing_handler_logs_no_word_the_runner_typed(
    ada: TelegramUser, fake_api: FakeBotAPI, started_apps, caplog: pytest.LogCaptureFixture
) -> None:
    fake_api.fail_next("sendMessage", errors.server_error(500, "Internal Server Error"), times=1)
    with caplog.at_level(logging.ERROR):
        await ada.send("/my-secret-diary entry")
    assert "handler failed" in caplog.text
    assert "an unknown command" in caplog.text
    assert "secret" not in caplog.text
    started_apps[-1][1].errors.clear()  # this test's failure was on purpose


async def test_command_menu_is_registered_on_start(coach: Coach, fake_api: FakeBotAPI) -> None:
    settings = settings_for(fake_api)
    adapter = bootstrap.telegram(settings, coach, request=InProcessRequest(fake_api)).adapter
    await adapter.open()  # what ``trailcoach run`` does first
    await adapter.stop()
    commands = fake_api.calls("setMyCommands")[-1].params["commands"]
    if isinstance(commands, str):
        commands = json.loads(commands)
    assert [c["command"] for c in commands] == [name for name, _ in COMMANDS]


def test_settings_helper_ignores_the_machine(fake_api: FakeBotAPI) -> None:
    assert settings_for(fake_api).telegram_bot_token is not None
