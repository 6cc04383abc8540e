"""Names, server titles and race names come from people: on Discord any of them shows as
typed (Markdown and mentions escaped) and nothing ever pings anyone."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from bot.services.coach import Coach
from bot.services.context import ChatKind, Person, Platform
from bot.services.dialogs.engine import Turn
from bot.services.use_cases import clubs
from bot.storage.database import Database
from handlers.discord.notifier import DiscordNotifier
from handlers.live_questions import LiveQuestions
from tests.discord.conftest import DiscordUser
from tests.factories import make_runner
from tests.fake_discord import payloads
from tests.fake_discord.harness import DiscordHarness
from tests.fake_discord.markdown import read, shown
from tests.fake_discord.payloads import Server

pytestmark = pytest.mark.slow  # hypothesis sends random names through every message

MONDAY = date(2026, 11, 23)
HOSTILE = [
    "**x**",
    "_y_",
    "@everyone",
    "<@123>",
    "`tick` ``` <#42>",
    "Zoë 🏃‍♀️ ||spoiler|| ~~gone~~",
    "> # - 1. \\*",
    "<t:1700000000:R> @here",
]
_ids = itertools.count(8001)


def seen(harness: DiscordHarness, channel: str, *, back: int = 1) -> str:
    """What the channel's reader sees in its newest message (or the one ``back`` from the
    end), and check that none of it reads as a mention."""
    content = str(harness.recorder.in_channel(channel)[-back]["content"])
    assert all(run.kind != "mention" for run in shown(content)), content
    return read(content)


@pytest.mark.parametrize("typed", HOSTILE)
async def test_any_name_title_or_race_name_shows_as_typed(
    discord_bot: DiscordHarness, coach: Coach, database: Database, typed: str
) -> None:
    number = next(_ids)
    server = Server(guild_id=f"61{number}", channel_id=f"62{number}", name=typed)
    await discord_bot.guild_create(server.guild_create())
    assert f"Hello, {typed}!" in seen(discord_bot, server.channel_id)
    async with database.unit_of_work() as uow:
        club = await uow.clubs.find(platform="discord", chat_id=server.channel_id)
        assert club is not None
        club_id = club.id

    runner = DiscordUser(discord_bot, payloads.user(number, typed))
    async with database.unit_of_work() as uow:
        stored = make_runner(
            platform="discord",
            platform_user_id=runner.user["id"],
            chat_id=runner.dm,
            display_name=typed,
        )
        runner_id = (await uow.runners.add(stored)).id
    await runner.send("/start")
    assert f"Welcome back, {typed}!" in seen(discord_bot, runner.dm)
    await discord_bot.message(payloads.dm_message(f"/start club{club_id}", runner.user))
    assert f"You've joined {typed}." in seen(discord_bot, runner.dm)
    stranger = DiscordUser(discord_bot, payloads.user(number + 50_000, typed))
    await discord_bot.message(payloads.dm_message(f"/start club{club_id}", stranger.user))
    assert f"You'll join {typed} too." in seen(discord_bot, stranger.dm, back=2)

    await runner.send("/race")
    await runner.send(f"2027-06-20 {typed}")
    async with database.unit_of_work() as uow:
        race = (await uow.runners.get(runner_id)).race_name  # type: ignore[union-attr]
    assert f"Race: {race or ''}" in seen(discord_bot, runner.dm)

    async with database.unit_of_work() as uow:
        await uow.clubs.show_name(runner_id=runner_id, shown=True)
        await uow.clubs.toggle_mark(club_id=club_id, day=MONDAY, user_id=runner.user["id"])
        club = await uow.clubs.get(club_id)
        assert club is not None
        person = Person(Platform.DISCORD, "0", server.channel_id, None, ChatKind.GROUP)
        summary, _chart = await clubs.weekly_summary(
            Turn(coach.ctx, uow, person), club, MONDAY + date.resolution * 6
        )
    await DiscordNotifier(discord_bot.client, LiveQuestions()).send(
        server.channel_id, summary, nonce="1:0"
    )
    assert f"Well done, {typed}!" in seen(discord_bot, server.channel_id)

    sent = [call.body for call in discord_bot.recorder.calls if isinstance(call.body, dict)]
    bodies = [body.get("data", body) for body in sent]  # a callback's message is in its data
    with_words = [body for body in bodies if body.get("content")]
    assert with_words
    assert all(body["allowed_mentions"] == {"parse": []} for body in with_words)
