"""No silence on Discord: an unknown command anywhere and an edited DM get an answer
(issue 27)."""

from __future__ import annotations

from tests.conftest import onboarding
from tests.discord.conftest import MEMBER, RIDGE, DiscordUser, ephemeral
from tests.fake_discord import payloads
from tests.fake_discord.harness import DiscordHarness


async def test_an_unknown_command_in_a_channel_is_answered_to_whoever_used_it(
    discord_bot: DiscordHarness,
) -> None:
    await discord_bot.guild_create(RIDGE.guild_create())
    ben = DiscordUser(discord_bot, MEMBER)
    await ben.command("moonwalk", RIDGE)  # dropped from the bot's commands, say
    reply = discord_bot.recorder.in_channel(RIDGE.channel_id)[-1]
    assert ephemeral(reply)
    assert reply["content"] == "I don't know /moonwalk. Send /help to see what I can do."
    assert not discord_bot.recorder.calls_to("DELETE", "/webhooks/")  # not taken back


async def test_an_edited_dm_gets_one_line_and_changes_nothing(ada: DiscordUser) -> None:
    script = onboarding()
    await ada.follow(script[: script.index(("say", "7:30"))])
    sent = payloads.dm_message("hmm not sure", ada.user)
    await ada.harness.message(sent)
    shown = len(ada.messages)
    await ada.harness.message_edit(payloads.edited(sent, "7:30"))
    assert len(ada.messages) == shown + 1
    assert ada.last_text.startswith("I don't read edited messages")
    (question,) = ada.live
    assert "When should I send your session?" in question["content"]  # still waiting


async def test_a_link_preview_is_no_edit(ada: DiscordUser) -> None:
    await ada.send("/help")
    sent = payloads.dm_message("see https://example.org", ada.user)
    await ada.harness.message(sent)
    shown = len(ada.messages)
    await ada.harness.message_edit(payloads.edited(sent, sent["content"], by_its_author=False))
    assert len(ada.messages) == shown
