"""/deleteme on Discord leaves nothing of the runner: every column of every table is searched
for their id, names and every text they typed, on both backends. (Discord's events are not
stored before they are handled, so only what the coach keeps could hold them.)"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.services.coach import Coach
from bot.storage.database import Database
from tests.conftest import KNEE_PAIN_CHECK_IN, TYPED_ONBOARDING, TYPED_RACE, FakeClock
from tests.database_fixtures import engine
from tests.discord.conftest import RIDGE, DiscordUser
from tests.discord.test_clubs import TUESDAY, post_session, set_up
from tests.discord.test_runner_flows import log_done, next_session
from tests.fake_discord import payloads
from tests.fake_discord.harness import DiscordHarness
from tests.personal_data import traces_of

__all__ = ["engine"]  # SQLite and PostgreSQL, not the folder's SQLite alone

ZOE = {**payloads.user(771_234_567_890_123_456, "Zoë Ørsted-Núñez"), "username": "zoe_on_ridges"}


@dataclass
class TypingUser(DiscordUser):
    """Someone on Discord whose every typed text is kept."""

    typed: list[str] = field(default_factory=list)

    async def send(self, text: str) -> None:
        self.typed.append(text)
        await super().send(text)


async def test_deleteme_leaves_nothing_of_the_runner_in_any_column_of_any_table(
    discord_bot: DiscordHarness, coach: Coach, database: Database, clock: FakeClock
) -> None:
    await discord_bot.guild_create(RIDGE.guild_create())
    await set_up(discord_bot)
    zoe = TypingUser(discord_bot, ZOE)
    await zoe.follow(TYPED_ONBOARDING)
    assert "You're all set" in zoe.last_text
    await post_session(discord_bot, coach, TUESDAY)
    await zoe.press("My personal plan", server=RIDGE)
    await zoe.press("💪 I did it", server=RIDGE)
    await next_session(zoe, clock)
    await log_done(zoe)
    clock.advance(days=1)
    await zoe.follow(KNEE_PAIN_CHECK_IN)
    await zoe.send("Note to self: left knee twinged on the Écrins descent")
    person = [ZOE["id"], ZOE["global_name"], ZOE["username"], TYPED_RACE]
    assert {"runners.display_name", "runners.race_name", "club_marks.user_id"} <= set(
        await traces_of(database, person + zoe.typed)
    )  # the search finds what is there

    await zoe.send("/deleteme")
    await zoe.press("Yes, delete everything")

    assert "deleted" in zoe.last_text
    assert await traces_of(database, person + zoe.typed) == []
