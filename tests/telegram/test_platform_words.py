"""Telegram's words only: every reply, button and toast of the flows, scanned for the words
of Discord and the console."""

from __future__ import annotations

import json
from typing import Any

from bot.services.coach import Coach
from tests.conftest import FakeClock
from tests.fake_telegram import FakeBotAPI, process, updates
from tests.platform_words import CONSOLE, DISCORD, foreign, onboarding_to_commands
from tests.telegram.conftest import TelegramUser
from tests.telegram.test_clubs import (
    ADMIN,
    MEMBER,
    SUPERGROUP,
    bot_joins,
    press_in,
    say_in,
)
from tests.telegram.test_runner_flows import log_done, next_session

JSONDict = dict[str, Any]


def said(api: FakeBotAPI) -> list[str]:
    """Every text the bot sent, edited in, captioned, put on a button or toasted."""
    texts: list[str] = []
    for call in api.calls():
        params = call.params
        texts += [str(params[key]) for key in ("text", "caption") if params.get(key)]
        markup = params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        texts += [str(b["text"]) for row in markup.get("inline_keyboard", []) for b in row]
    return texts


async def runner_flows(ada: TelegramUser, clock: FakeClock) -> None:
    """Onboarding with typed and refused answers, a session, a check-in, the settings, the
    odd message, a stale press, and /deleteme."""
    await onboarding_to_commands(ada, clock, next_session, log_done)
    await ada.send("/today@SomeOtherBot")
    await ada.send("my knee hurts")
    await process(ada.application, updates.media_message("sticker", from_user=ada.user))
    original = updates.message(text="/week", from_user=ada.user)
    await process(ada.application, updates.edited_text_message(original=original, text="/today"))
    await ada.send("/deleteme")
    stale = ada.api.last_message(ada.chat_id)
    await ada.press("No, keep it")
    await ada.press("No, keep it", on=stale)
    await ada.send("/deleteme")
    await ada.press("Yes, delete everything")
    await ada.send("/today")


async def club_flows(ada: TelegramUser, coach: Coach) -> None:
    """A club: the greeting, a setup with a refused typed time, the group's /help, a personal
    command there, a member's /club, a club session and "I did it"."""
    await bot_joins(ada, SUPERGROUP)
    ada.api.set_chat_member(SUPERGROUP["id"], of=ADMIN, status="administrator")
    ada.api.set_chat_member(SUPERGROUP["id"], of=MEMBER, status="member")
    await say_in(ada, SUPERGROUP, "/club")
    for label in ("Tuesday", "Thursday", "Done"):
        await press_in(ada, SUPERGROUP, label, by=ADMIN)
    await say_in(ada, SUPERGROUP, "whenever", replying=True)
    await say_in(ada, SUPERGROUP, "18:30", replying=True)
    for label in ("Europe/Berlin", "Intermediate", "Yes"):
        await press_in(ada, SUPERGROUP, label, by=ADMIN)
    await say_in(ada, SUPERGROUP, "/help")
    await say_in(ada, SUPERGROUP, "/today", by=MEMBER)
    await say_in(ada, SUPERGROUP, "/club", by=MEMBER)
    await say_in(ada, SUPERGROUP, "/moonwalk@TrailCoachTestBot")


async def test_every_reply_is_in_telegrams_words(
    ada: TelegramUser, coach: Coach, clock: FakeClock, fake_api: FakeBotAPI
) -> None:
    await runner_flows(ada, clock)
    await club_flows(ada, coach)
    texts = said(fake_api)
    assert len(texts) > 100
    assert foreign(texts, DISCORD, CONSOLE) == []
    joined = "\n".join(texts)
    for own in ("Tap all that apply", "share your location", "reply to this message"):
        assert own in joined, own
