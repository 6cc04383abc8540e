"""One message per question on Discord: a dialog updates the interaction's message in place,
and leaves no live buttons behind (issue 27)."""

from __future__ import annotations

from handlers.discord.messages import ANSWER_FIELD, ANSWER_FORM
from tests.conftest import TYPED_ONBOARDING, TYPED_RACE, onboarding
from tests.discord.conftest import ADMIN, RIDGE, DiscordUser, buttons
from tests.fake_discord import payloads
from tests.fake_discord.harness import DiscordHarness

ONBOARDING_MESSAGES = 3
"""The welcome; the question, answered in place up to the typed reminder time; the next,
answered in place up to "You're all set" (16 before issue 27)."""


async def test_a_full_onboarding_leaves_three_messages_and_no_live_buttons(
    ada: DiscordUser,
) -> None:
    await ada.onboard()
    assert len(ada.messages) == ONBOARDING_MESSAGES
    assert ada.live == []
    assert "You're all set" in ada.last_text


async def test_an_onboarding_typed_at_three_questions_leaves_five_messages(
    ada: DiscordUser,
) -> None:
    await ada.follow(TYPED_ONBOARDING)
    assert len(ada.messages) == ONBOARDING_MESSAGES + 2  # below each typed answer
    assert ada.live == []


async def test_no_race_planned_cannot_be_pressed_once_the_race_was_typed(
    ada: DiscordUser,
) -> None:
    script = onboarding()
    await ada.follow(script[: script.index(("press", "No race planned"))])
    race_question = ada.last["id"]
    await ada.send(f"15 May {TYPED_RACE}")
    assert not buttons(ada.recorder.messages[race_question])
    (question,) = ada.live
    assert "What do you have at home?" in question["content"]


async def test_refused_typed_times_in_a_club_setup_leave_one_question(
    discord_bot: DiscordHarness,
) -> None:
    await discord_bot.guild_create(RIDGE.guild_create())
    ana = DiscordUser(discord_bot, ADMIN)
    await ana.command("club", RIDGE, manage=True)
    for label in ("Tuesday", "Done"):
        await ana.press(label, server=RIDGE, manage=True)
    where = payloads.in_server(ADMIN, RIDGE, manage=True)
    for typed in ("whenever", "25:99"):
        question = ana.message_with("✏️ Type an answer", RIDGE.channel_id)
        await ana.press("✏️ Type an answer", server=RIDGE, manage=True)
        form = payloads.submit(ANSWER_FORM, ANSWER_FIELD, typed, where, message=question)
        await discord_bot.interact(form)
    live = [m for m in discord_bot.recorder.in_channel(RIDGE.channel_id) if buttons(m)]
    assert len(live) == 1  # updated in place: no copies of the question
    assert "isn't a time of day" in live[0]["content"]
    assert "When should I post the club session?" in live[0]["content"]
