"""Club mode end to end over loopback HTTP, the twin of Telegram's: the bot served as
``python -m bot run`` serves it with only a Discord token, on the fake Discord. A server
manager sets the club up, the tick posts the club session in the channel, members press
"I did it", and the weekly summary posts the counts and the chart."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.services.use_cases.clubs import CHART_TITLE
from tests.conftest import FakeClock
from tests.discord.conftest import MEMBER, RIDGE, DiscordUser, buttons, ephemeral
from tests.discord.test_clubs import set_up
from tests.fake_discord import payloads
from tests.fake_discord.loopback import ServedBot
from tests.fake_discord.payloads import JSONDict
from tests.fake_discord.server import FakeDiscord

CY = payloads.user(3003, "Cy")
TUESDAY_POST = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # 18:30 in Berlin
NEXT_MONDAY_POST = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)


def public(fake_discord: FakeDiscord) -> list[JSONDict]:
    """What everyone in the club's channel sees."""
    return [m for m in fake_discord.messages(RIDGE.channel_id) if not ephemeral(m)]


def i_did_it(fake_discord: FakeDiscord, post: JSONDict) -> str:
    """The "I did it" button's label on the post, as the channel shows it now."""
    return buttons(fake_discord.discord.messages[post["id"]])[0][0]


@pytest.mark.slow  # weeks of club posts
async def test_setup_then_club_post_then_i_did_it_then_weekly_summary(
    served_bot: ServedBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    gateway = served_bot.gateway
    await gateway.guild_create(RIDGE.guild_create())  # the bot is added to the server
    [greeting] = public(fake_discord)
    assert greeting["content"].startswith("Hello, Ridge Runners!")

    await set_up(gateway)
    [form] = fake_discord.discord.modals  # the time was typed in the form
    assert form["title"] == "When should I post the club session?"
    saved = fake_discord.messages(RIDGE.channel_id)[-1]
    assert "Club sessions: Tuesday, Thursday, posted at 18:30" in saved["content"]
    assert ephemeral(saved)
    assert public(fake_discord) == [greeting]  # the setup stays with the manager

    for clock.now in (TUESDAY_POST.replace(hour=8), TUESDAY_POST):
        await served_bot.tick.run(clock.now)
    post = public(fake_discord)[-1]
    assert post["content"].startswith(f"**Club session**, <t:{int(TUESDAY_POST.timestamp())}:t>")
    assert [label for label, _ in buttons(post)] == ["💪 I did it", "My personal plan"]
    assert re.fullmatch(r"\d+:0", post["nonce"])  # sent by the tick, under its dispatch row

    ben, cy = DiscordUser(gateway, MEMBER), DiscordUser(gateway, CY)
    await ben.press("💪 I did it", server=RIDGE)
    toast = fake_discord.messages(RIDGE.channel_id)[-1]
    assert toast["content"].startswith("Counted") and ephemeral(toast)
    assert i_did_it(fake_discord, post) == "💪 I did it (1)"
    await cy.press("💪 I did it (1)", server=RIDGE)
    assert i_did_it(fake_discord, post) == "💪 I did it (2)"
    await ben.press("💪 I did it (2)", server=RIDGE)  # pressed again: taken back
    assert fake_discord.messages(RIDGE.channel_id)[-1]["content"].startswith("Taken back")
    assert i_did_it(fake_discord, post) == "💪 I did it (1)"
    await ben.press("💪 I did it (1)", server=RIDGE)
    assert i_did_it(fake_discord, post) == "💪 I did it (2)"

    await cy.press("My personal plan", server=RIDGE)  # Cy joins, and asks to be named
    assert "You'll join Ridge Runners too." in cy.texts[-2]
    await cy.onboard()
    await cy.send("/settings")
    await cy.press("Name in club summaries")
    await cy.press("Yes, name me")
    assert "will appear" in cy.last_text

    for clock.now in (NEXT_MONDAY_POST.replace(hour=8), NEXT_MONDAY_POST):
        await served_bot.tick.run(clock.now)
    summary, chart = public(fake_discord)[-2:]
    assert summary["content"].startswith("**Strength work in the week Mon 23 Nov to Sun 29 Nov**")
    assert "2 did one session and 0 did two or more." in summary["content"]
    assert "Well done, Cy!" in summary["content"]
    assert "Ben" not in summary["content"]
    assert chart["content"] == f"{CHART_TITLE}, since 23 Nov."
    [attachment] = chart["attachments"]
    assert attachment["filename"] == "club-sessions.png"
    assert attachment["size"] > 1000
