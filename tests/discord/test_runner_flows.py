"""Every runner flow through the real Discord client, in process, on the recorder."""

from __future__ import annotations

import json
import logging

import pytest
from icalendar import Calendar

from bot.services.coach import COMMANDS, SORRY
from bot.services.dialogs.engine import ALREADY, STALE
from tests.conftest import KNEE_PAIN_CHECK_IN, FakeClock, onboarding
from tests.discord.conftest import EVE, RIDGE, DiscordUser, buttons, ephemeral
from tests.fake_discord import payloads
from tests.fake_discord.harness import DiscordHarness, settle
from tests.fake_discord.markdown import read


async def next_session(ada: DiscordUser, clock: FakeClock) -> None:
    for _ in range(8):
        await ada.send("/today")
        if buttons(ada.last):
            return
        clock.advance(days=1)
    raise AssertionError("no session within a week")


async def log_done(ada: DiscordUser) -> None:
    await ada.press("✅ Done")
    await ada.press("All of it")
    await ada.press("OK")
    await ada.press("Nothing hurt")
    if any(label == "Yes, level" for label, _ in buttons(ada.last)):
        await ada.press("Yes, level")


def callback_types(ada: DiscordUser, payload: payloads.JSONDict) -> list[int]:
    return [c["type"] for c in ada.recorder.callbacks(payload["token"])]


async def test_start_onboards_with_buttons_and_shows_the_first_week(ada: DiscordUser) -> None:
    await ada.send("/start")
    assert "not a medical service" in ada.texts[-2]
    assert [label for label, _ in buttons(ada.last)] == ["None yet", "Some", "It's a habit"]
    assert not ephemeral(ada.last)
    await ada.onboard()
    assert "You're all set" in ada.last_text
    assert "Your first week" in ada.last_text


async def test_a_command_is_acknowledged_first_then_answered(ada: DiscordUser) -> None:
    payload = payloads.slash("help", payloads.in_dm(ada.user))
    await ada.harness.interact(payload)
    assert callback_types(ada, payload) == [5]  # "thinking", within Discord's 3 seconds
    (follow_up,) = ada.recorder.calls_to("POST", "/webhooks/")
    assert follow_up.body["allowed_mentions"] == {"parse": []}
    for name, _text in COMMANDS:
        assert f"/{name}" in ada.last_text


async def test_a_pressed_question_becomes_the_next_one_with_the_answers_so_far(
    ada: DiscordUser,
) -> None:
    await ada.send("/start")
    question = ada.last
    payload = await ada.press("Some")
    assert callback_types(ada, payload) == [6]  # deferred: the pressed message is edited later
    await ada.press("Rest")
    asked = ada.recorder.messages[question["id"]]
    assert asked["content"].startswith("Experience: Some · Monday: Rest\n\nWhat is Tuesday")
    assert "→" not in asked["content"]
    assert ada.live == [asked]
    assert len(ada.messages) == 2  # the welcome, and the one question


async def test_multi_choice_toggles_in_place(ada: DiscordUser) -> None:
    script = onboarding()
    await ada.follow(script[: script.index(("press", "None of these"))])
    count = len(ada.texts)
    await ada.press("Step or sturdy box")
    assert len(ada.texts) == count
    labels = [label for label, _ in buttons(ada.last)]
    assert "✓ Step or sturdy box" in labels
    assert "Done" in labels


async def test_typed_answers_in_the_dm(ada: DiscordUser) -> None:
    await ada.onboard()
    await ada.send("/settings")
    await ada.press("Reminder time")
    await ada.send("whenever")
    assert "couldn't read that time" in ada.last_text
    assert "When should I send your session?" in ada.last_text  # in the same message
    assert len(ada.live) == 1  # the question before it lost its buttons
    await ada.send("6:15pm")
    assert "Reminders: 18:15 (Europe/Berlin)" in ada.last_text
    await ada.send("/race")
    await ada.send("2027-06-20 Lavaredo")
    assert "Lavaredo on 20 Jun 2027" in ada.last_text


async def test_one_runners_quick_messages_are_handled_in_the_order_sent(
    ada: DiscordUser, discord_bot: DiscordHarness
) -> None:
    """discord.py runs each event as a task of its own: two answers typed in quick
    succession still reach the coach one after the other, the time before the city."""
    await ada.follow(onboarding()[:-3])  # up to the reminder time
    for text in ("7:30", "Berlin"):
        discord_bot.state.parse_message_create(payloads.dm_message(text, ada.user))
    await settle()
    assert "Reminders: 07:30 (Europe/Berlin)" in ada.last_text
    assert not any("couldn't read" in text for text in ada.texts)


async def test_a_command_typed_as_a_message_in_the_dm_works_too(
    ada: DiscordUser, discord_bot: DiscordHarness
) -> None:
    await discord_bot.message(payloads.dm_message("/start", ada.user))
    assert "not a medical service" in ada.texts[-2]
    await discord_bot.message(payloads.dm_message("/moonwalk", ada.user))
    assert ada.last_text == "I don't know /moonwalk. Send /help to see what I can do."


async def test_the_bots_own_messages_and_other_bots_are_ignored(
    ada: DiscordUser, discord_bot: DiscordHarness
) -> None:
    await ada.send("/start")
    calls = len(ada.recorder.calls)
    await discord_bot.message(payloads.dm_message("18:30", payloads.BOT_USER))
    other_bot = {**payloads.user(9009, "Other"), "bot": True}
    await discord_bot.message(payloads.dm_message("hello", other_bot))
    assert len(ada.recorder.calls) == calls


WITHOUT_TEXT = {
    "attachment": {"attachments": 1},
    "sticker": {"stickers": 1},
}


@pytest.mark.parametrize("kind", WITHOUT_TEXT)
async def test_a_message_without_text_gets_a_pointer_and_changes_nothing(
    ada: DiscordUser, discord_bot: DiscordHarness, kind: str
) -> None:
    await ada.send("/start")
    await discord_bot.message(payloads.dm_message("", ada.user, **WITHOUT_TEXT[kind]))
    assert "/help" in ada.last_text
    assert "How much structured strength training" in ada.last_text
    assert len(ada.live) == 1
    await ada.press("Some")
    assert "What is Monday usually?" in ada.last_text


async def test_a_message_without_text_outside_a_dialog_gets_a_pointer(
    ada: DiscordUser, discord_bot: DiscordHarness
) -> None:
    await ada.onboard()
    sent = len(ada.texts)
    await discord_bot.message(payloads.dm_message("", ada.user, stickers=1))
    assert len(ada.texts) == sent + 1
    assert "/help" in ada.last_text


async def test_stale_button_is_answered_as_out_of_date(ada: DiscordUser) -> None:
    await ada.send("/start")
    first = dict(ada.last)
    await ada.press("Some")
    payload = payloads.press("ob:0000:exp:regular", first, payloads.in_dm(ada.user))
    await ada.harness.interact(payload)
    assert callback_types(ada, payload) == [6]
    assert ada.toasts == [STALE]  # one note, to Ada alone
    shown = ada.recorder.messages[first["id"]]
    assert "What is Monday usually?" in shown["content"]  # the pressed message asks it
    assert "It's a habit" not in shown["content"]  # not marked as chosen: nothing changed
    assert ada.live == [shown]


async def test_forged_and_unknown_custom_ids_always_get_an_answer(ada: DiscordUser) -> None:
    await ada.onboard()
    message = ada.last
    for forged in ("ses:1:done:extra", "x" * 100, "set:zzzz:field:race", ":::", "dm"):
        payload = payloads.press(forged, message, payloads.in_dm(ada.user))
        await ada.harness.interact(payload)
        assert callback_types(ada, payload) == [6], forged
        assert "out of date" in ada.toasts[-1], forged
        assert ada.last_text == ada.toasts[-1], forged  # that note alone


async def test_a_button_pressed_by_someone_else(
    ada: DiscordUser, discord_bot: DiscordHarness
) -> None:
    await ada.send("/start")
    question = ada.last
    data = next(c for label, c in buttons(question) if label == "Some")
    eve = DiscordUser(discord_bot, EVE)
    copy = {**question, "id": payloads.snowflake(), "channel_id": eve.dm}  # in Eve's own DM
    payload = payloads.press(data, copy, payloads.in_dm(EVE))
    await discord_bot.interact(payload)
    assert callback_types(ada, payload) == [6]
    assert "out of date" in eve.last_text
    await ada.press("Some", on=question)
    assert "What is Monday usually?" in ada.last_text


async def test_buttons_work_after_a_restart(ada: DiscordUser, coach) -> None:
    from tests.fake_discord.harness import running_client

    await ada.send("/start")
    await ada.press("Some")
    question = ada.last
    async with running_client(coach) as restarted:
        again = DiscordUser(restarted, ada.user)
        await again.press("Rest", on=question)
        assert "What is Tuesday usually?" in again.last_text
    restarted.assert_sound()


async def test_session_message_has_dose_cues_and_done_skip(
    ada: DiscordUser, clock: FakeClock
) -> None:
    await ada.onboard(kit=("Step or sturdy box",))
    await next_session(ada, clock)
    message = ada.last
    assert " × " in message["content"]
    assert "•" in message["content"]
    assert [label for label, _ in buttons(message)] == ["✅ Done", "Skip"]
    for call in ada.recorder.calls:
        body = call.body if isinstance(call.body, dict) else {}
        assert len(body.get("content") or "") <= 2000
        for row in body.get("components") or []:
            assert len(row["components"]) <= 5
            for button in row["components"]:
                assert len(button.get("custom_id", "")) <= 100


async def test_done_then_questions_then_check_in_changes_the_next_session(
    ada: DiscordUser, clock: FakeClock
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


async def test_done_pressed_twice_asks_once(ada: DiscordUser, clock: FakeClock) -> None:
    await ada.onboard()
    await next_session(ada, clock)
    session = dict(ada.last)
    await ada.press("✅ Done", on=session)
    asked = len(ada.texts)
    payload = await ada.press("✅ Done", on=session)  # the second tap of a quick double tap
    toast = ada.recorder.messages[max(ada.recorder.messages)]
    assert (toast["content"], ephemeral(toast)) == (ALREADY, True)
    assert callback_types(ada, payload) == [6]
    assert len([m for m in ada.messages if not ephemeral(m)]) == asked
    await ada.press("All of it")  # the one question carries on, in place
    assert len([m for m in ada.messages if not ephemeral(m)]) == asked
    assert "How hard did it feel overall?" in ada.texts[-2]


async def test_a_multi_choice_done_pressed_twice_moves_on_once(ada: DiscordUser) -> None:
    script = onboarding()
    await ada.follow(script[: script.index(("press", "None of these"))])
    await ada.press("Step or sturdy box")
    kit = dict(ada.last)
    await ada.press("Done", on=kit)
    asked = len([m for m in ada.messages if not ephemeral(m)])
    payload = await ada.press("Done", on=kit)
    assert callback_types(ada, payload) == [6]
    toast = ada.recorder.messages[max(ada.recorder.messages)]
    assert (toast["content"], ephemeral(toast)) == (ALREADY, True)
    assert len([m for m in ada.messages if not ephemeral(m)]) == asked
    assert "How many strength sessions a week?" in ada.texts[-2]


async def test_settings_pause_resume_race_history(ada: DiscordUser) -> None:
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


async def test_start_mid_onboarding_asks_before_starting_over(ada: DiscordUser) -> None:
    await ada.send("/start")
    await ada.press("Some")
    await ada.press("Rest")
    await ada.send("/start")
    assert "kept your answers" in ada.last_text
    assert "What is Tuesday usually?" in ada.last_text  # one message: the note, the question
    assert len(ada.live) == 1
    await ada.press("Easy run")  # carry on where they were
    assert "What is Wednesday usually?" in ada.last_text
    await ada.send("/start")
    await ada.press("Start over")
    assert ada.toasts[-1] == "OK, let's start over."
    (question,) = ada.live
    assert "How much structured strength training" in question["content"]


async def test_unknown_command_and_text_outside_a_dialog(
    ada: DiscordUser, discord_bot: DiscordHarness
) -> None:
    await ada.onboard()
    await ada.send("/moonwalk")  # a command Discord still offers after it was dropped, say
    assert ada.last_text == "I don't know /moonwalk. Send /help to see what I can do."
    await ada.send("what now?")
    assert "/help" in ada.last_text
    await discord_bot.message(payloads.dm_message("/zoë_**<@1>**`", ada.user))
    assert read(ada.last_text) == "I don't know /zoë_**<@1>**`. Send /help to see what I can do."


async def test_skip_button(ada: DiscordUser, clock: FakeClock) -> None:
    await ada.onboard()
    await next_session(ada, clock)
    await ada.press("Skip")
    assert "nothing to catch up" in ada.last_text


async def test_export_sends_json_and_csv_files(ada: DiscordUser) -> None:
    await ada.onboard()
    await ada.send("/export")
    uploads = {u.filename: u for call in ada.recorder.calls for u in call.files}
    assert set(uploads) == {"trail-coach-data.json", "trail-coach-data.csv"}
    data = json.loads(uploads["trail-coach-data.json"].content)
    assert data["runner"]["platform"] == "discord"
    assert data["runner"]["platform_user_id"] == ada.user["id"]
    assert all(ada.messages[-2:][i]["attachments"] for i in range(2))


async def test_progress_sends_a_png_with_its_words(ada: DiscordUser, clock: FakeClock) -> None:
    await ada.onboard()
    clock.advance(days=7)  # a week's sessions are over, not done
    await ada.send("/progress")
    (upload,) = ada.recorder.calls[-1].files
    assert upload.content.startswith(b"\x89PNG")
    assert ada.last["attachments"][0]["filename"] == "progress.png"
    assert ada.last_text.startswith("0 of 2 sessions done in 1 week.")  # in the same message


async def test_calendar_sends_an_ics_file(ada: DiscordUser) -> None:
    await ada.onboard()
    await ada.send("/calendar")
    (upload,) = ada.recorder.calls[-1].files
    assert upload.filename == "strength-sessions.ics"
    events = Calendar.from_ical(upload.content).walk("VEVENT")
    assert len(events) == 8
    assert str(events[0]["summary"]).startswith("Strength: ")
    assert "calendar file" in ada.last_text
    assert ada.last["attachments"][0]["filename"] == "strength-sessions.ics"


async def test_calendar_reset_is_an_option_of_the_slash_command(ada: DiscordUser) -> None:
    await ada.onboard()
    await ada.command("calendar", reset=True)
    assert "no longer works" in ada.last_text
    assert not ada.recorder.calls[-1].files  # a reset sends no file


async def test_deleteme_confirms_then_deletes(ada: DiscordUser) -> None:
    await ada.onboard()
    await ada.send("/deleteme")
    await ada.press("Yes, delete everything")
    assert "deleted" in ada.last_text
    await ada.send("/today")
    assert "/start" in ada.last_text


async def test_personal_commands_in_a_channel_answer_only_the_runner(
    ada: DiscordUser,
) -> None:
    payload = payloads.slash("checkin", payloads.in_server(ada.user, RIDGE))
    await ada.harness.interact(payload)
    callback = ada.recorder.callbacks(payload["token"])[0]
    assert (callback["type"], callback["data"]["flags"]) == (5, 64)  # thinking, ephemeral
    (reply,) = ada.recorder.in_channel(RIDGE.channel_id)
    assert ephemeral(reply)
    assert "carry on in a DM with me" in reply["content"]
    assert buttons(reply) == [("Carry on privately", "dm:private")]
    assert "legs" not in reply["content"].replace("how your legs feel", "")


async def test_continue_in_private_opens_the_dm_and_starts_there(ada: DiscordUser) -> None:
    await ada.command("today", RIDGE)
    payload = await ada.press("Carry on privately", server=RIDGE)
    assert ada.recorder.callbacks(payload["token"])[0] == {"type": 5, "data": {"flags": 64}}
    (opened,) = ada.recorder.calls_to("POST", "/users/@me/channels")
    assert int(opened.body["recipient_id"]) == int(ada.user["id"])
    assert "not a medical service" in ada.texts[-2]  # the start, in the DM
    note = ada.recorder.in_channel(RIDGE.channel_id)[-1]
    assert ephemeral(note)
    assert "sent you a direct message" in note["content"]
    await ada.press("Some")  # the onboarding carries on in the DM
    assert "What is Monday usually?" in ada.last_text


async def test_continue_in_private_with_dms_closed_says_so(ada: DiscordUser) -> None:
    await ada.command("today", RIDGE)
    ada.recorder.fail_next(
        "POST",
        f"/channels/{ada.dm}/messages",
        403,
        {"message": "Cannot send messages to this user", "code": 50007},
    )
    await ada.press("Carry on privately", server=RIDGE)
    note = ada.recorder.in_channel(RIDGE.channel_id)[-1]
    assert ephemeral(note)
    assert "DMs are closed" in note["content"]
    assert ada.messages == []


async def test_a_failing_handler_keeps_the_bot_alive_and_reassures(
    ada: DiscordUser, caplog: pytest.LogCaptureFixture
) -> None:
    await ada.send("/start")
    payload = payloads.slash("help", payloads.in_dm(ada.user))
    ada.recorder.fail_next(
        "POST",
        f"/webhooks/{payloads.APPLICATION_ID}/{payload['token']}",
        400,
        {"message": "Invalid Form Body", "code": 50035},
    )
    with caplog.at_level(logging.ERROR):
        await ada.harness.interact(payload)
    assert SORRY in ada.last_text
    assert ephemeral(ada.last)
    assert "handler failed" in caplog.text
    assert "command '/help'" in caplog.text
    assert "test-token" not in caplog.text
    assert len(ada.harness.errors) == 1
    ada.harness.errors.clear()  # this test's failure was on purpose
    await ada.press("Some")
    (question,) = ada.live
    assert "What is Monday usually?" in question["content"]


async def test_a_failing_dm_message_logs_no_word_the_runner_typed(
    ada: DiscordUser, caplog: pytest.LogCaptureFixture
) -> None:
    ada.recorder.fail_next(
        "POST",
        f"/channels/{ada.dm}/messages",
        400,
        {"message": "Invalid Form Body", "code": 50035},
    )
    with caplog.at_level(logging.ERROR):
        await ada.send("my secret diary entry")
    assert "handler failed" in caplog.text
    assert "secret" not in caplog.text
    assert SORRY in ada.last_text
    ada.harness.errors.clear()  # this test's failure was on purpose
