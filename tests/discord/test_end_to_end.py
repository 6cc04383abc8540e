"""End to end over loopback HTTP, the twin of Telegram's: the bot served as ``python -m bot run``
serves it with only a Discord token, on the fake Discord. The runner's slash commands and
presses reach it as gateway events, their answers go back through the interaction callbacks,
and the reminder tick sends the day's session to the runner's DM channel over REST."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.conftest import FakeClock
from tests.discord.conftest import ADA, DiscordUser, buttons
from tests.fake_discord.loopback import ServedBot
from tests.fake_discord.recorder import LOADING
from tests.fake_discord.server import FakeDiscord

TUESDAY_AT_SEVEN_THIRTY = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)  # in Berlin


async def test_onboarding_then_the_reminder_then_done_over_the_gateway(
    served_bot: ServedBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    ada = DiscordUser(served_bot.gateway, ADA)
    await ada.onboard(kit=("Step or sturdy box", "Sliders or a towel"))
    assert "You're all set" in "\n".join(ada.texts)
    assert "not a medical service" in "\n".join(ada.texts)
    assert not any(message["flags"] & LOADING for message in ada.messages)  # all answered
    paths = [(call.method, call.path.split("/")[1]) for call in fake_discord.calls]
    assert ("POST", "interactions") in paths  # the slash command and presses: callbacks
    assert ("POST", "webhooks") in paths  # the answers to them: follow-ups
    typed = f"/channels/{ada.dm}/messages"  # the typed time is answered in the DM
    assert [c for c in fake_discord.calls if c.method == "POST" and c.path == typed]

    before = len(ada.messages)
    for day in range(7):
        clock.now = TUESDAY_AT_SEVEN_THIRTY + timedelta(days=day)
        await served_bot.tick.run(clock.now)
        if any(label == "✅ Done" for m in ada.messages[before:] for label, _ in buttons(m)):
            break
    reminder = ada.message_with("✅ Done")
    assert [label for label, _ in buttons(reminder)] == ["✅ Done", "Skip", "Later"]
    assert "Check your form" not in reminder["content"]
    assert re.fullmatch(r"\d+:0", reminder["nonce"])  # the tick's: its dispatch row's nonce

    await ada.press("✅ Done")
    assert buttons(fake_discord.discord.messages[reminder["id"]]) == []  # settled
    assert "**→ ✅ Done**" in fake_discord.discord.messages[reminder["id"]]["content"]
    await ada.press("All of it")
    await ada.press("OK")
    await ada.press("Nothing hurt")
    if "hips stay level" in ada.last_text:
        await ada.press("Yes, level")
    assert "check in tomorrow" in ada.last_text
