"""Discord's words only: every reply, button, form and note of the flows, scanned for the
words of Telegram and the console."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.conftest import FakeClock
from tests.discord.conftest import ADMIN, MEMBER, RIDGE, DiscordUser
from tests.discord.test_runner_flows import log_done, next_session
from tests.fake_discord import payloads
from tests.fake_discord.harness import DiscordHarness
from tests.fake_discord.markdown import read
from tests.fake_discord.recorder import DiscordRecorder
from tests.platform_words import CONSOLE, TELEGRAM, foreign, onboarding_to_commands

JSONDict = dict[str, Any]


def said(recorder: DiscordRecorder) -> list[str]:
    """Every text the bot sent or edited in, on a button, in a form or in a note."""
    bodies = [call.body for call in recorder.calls if isinstance(call.body, dict)]
    bodies += [b.get("data") or {} for b in bodies if isinstance(b.get("data"), dict)]
    return [read(text) for body in bodies for text in _texts(body)]


def _texts(body: JSONDict) -> Iterator[str]:
    for key in ("content", "title", "label", "placeholder"):
        if body.get(key):
            yield str(body[key])
    children = [*(body.get("components") or ()), body.get("component")]
    for child in children:
        if child:
            yield from _texts(child)


async def runner_flows(ada: DiscordUser, clock: FakeClock) -> None:
    """Onboarding with typed and refused answers, a session, a check-in, the settings, the
    odd message, an edit, a stale press, and /deleteme."""
    await onboarding_to_commands(ada, clock, next_session, log_done)
    await ada.send("my knee hurts")
    sent = payloads.dm_message("/week", ada.user)
    await ada.harness.message(sent)
    await ada.harness.message_edit(payloads.edited(sent, "/today"))
    await ada.harness.message(payloads.dm_message("", ada.user, stickers=1))
    await ada.send("/deleteme")
    stale = dict(ada.last)
    await ada.press("No, keep it")
    await ada.press("No, keep it", on=stale)
    await ada.send("/deleteme")
    await ada.press("Yes, delete everything")
    await ada.send("/today")


async def club_flows(harness: DiscordHarness) -> None:
    """A club: the greeting, a setup with refused typed times, the channel's /help, personal
    commands there, a member's /club, an unknown command, and "Carry on privately"."""
    await harness.guild_create(RIDGE.guild_create())
    ana, ben = DiscordUser(harness, ADMIN), DiscordUser(harness, MEMBER)
    await ana.command("club", RIDGE, manage=True)
    for label in ("Tuesday", "Thursday", "Done"):
        await ana.press(label, server=RIDGE, manage=True)
    where = payloads.in_server(ADMIN, RIDGE, manage=True)
    for typed in ("whenever", "25:99", "18:30"):
        question = ana.message_with("✏️ Type an answer", RIDGE.channel_id)
        await ana.press("✏️ Type an answer", server=RIDGE, manage=True)
        form = payloads.submit("discord:answer", "answer", typed, where, message=question)
        await harness.interact(form)
    for label in ("Europe/Berlin", "Intermediate", "Yes"):
        await ana.press(label, server=RIDGE, manage=True)
    for name in ("help", "today", "checkin", "moonwalk"):
        await ben.command(name, RIDGE)
    await ben.command("club", RIDGE)
    await ben.press("Carry on privately", server=RIDGE)


async def test_every_reply_is_in_discords_words(
    ada: DiscordUser, discord_bot: DiscordHarness, clock: FakeClock
) -> None:
    await runner_flows(ada, clock)
    await club_flows(discord_bot)
    texts = said(discord_bot.recorder)
    assert len(texts) > 100
    assert foreign(texts, TELEGRAM, CONSOLE) == []
    joined = "\n".join(texts)
    for own in ("Click all that apply", "a DM with me", "Only server admins", "this channel"):
        assert own in joined, own
