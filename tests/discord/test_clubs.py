"""Clubs on Discord through the real client: the greeting, /club for server managers only,
setup with a form for typed answers, club posts, "I did it", and the club going quiet."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from bot.services import clubs
from bot.services.clubs import NOT_ADMIN, NOT_YOURS
from bot.services.coach import Coach
from bot.services.context import Person
from bot.services.dialog import Turn
from bot.storage.database import Database
from bot.storage.models import Club, ClubMark
from handlers.discord.notifier import DiscordNotifier
from handlers.discord.render import ANSWER_FIELD, ANSWER_FORM
from tests.discord.conftest import ADMIN, MEMBER, RIDGE, DiscordUser, buttons, ephemeral
from tests.fake_discord import payloads
from tests.fake_discord.harness import DiscordHarness

TUESDAY = date(2026, 11, 24)


async def stored_clubs(database: Database) -> list[Club]:
    async with database.unit_of_work() as uow:
        return list((await uow.session.scalars(select(Club))).all())


def in_channel(harness: DiscordHarness) -> list[payloads.JSONDict]:
    return harness.recorder.in_channel(RIDGE.channel_id)


def public(harness: DiscordHarness) -> list[payloads.JSONDict]:
    return [m for m in in_channel(harness) if not ephemeral(m)]


async def set_up(harness: DiscordHarness) -> None:
    """A server manager sets the club up: Tuesday and Thursday, 18:30 in Berlin, intermediate;
    the time typed in the form the channel offers."""
    ana = DiscordUser(harness, ADMIN)
    await ana.command("club", RIDGE, manage=True)
    for label in ("Tuesday", "Thursday", "Done"):
        await ana.press(label, server=RIDGE, manage=True)
    await ana.press("✏️ Type an answer", server=RIDGE, manage=True)
    where = payloads.in_server(ADMIN, RIDGE, manage=True)
    await harness.interact(payloads.submit(ANSWER_FORM, ANSWER_FIELD, "18:30", where))
    for label in ("Europe/Berlin", "Intermediate", "Yes"):
        await ana.press(label, server=RIDGE, manage=True)


async def post_session(harness: DiscordHarness, coach: Coach, day: date) -> payloads.JSONDict:
    """What the scheduler does on a club day: build the post and send it through the notifier."""
    async with coach.ctx.database.unit_of_work() as uow:
        club = await uow.clubs.find(platform="discord", chat_id=RIDGE.channel_id)
        assert club is not None
        person = Person("discord", "0", RIDGE.channel_id, None, "group")
        (post,) = await clubs.session_post(Turn(coach.ctx, uow, person, {}), club, day)
    await DiscordNotifier(harness.client).send(RIDGE.channel_id, post, nonce="1:0")
    return in_channel(harness)[-1]


async def test_added_to_a_server_greets_once_and_registers_the_club(
    discord_bot: DiscordHarness, database: Database
) -> None:
    await discord_bot.guild_create(RIDGE.guild_create())
    await discord_bot.guild_create(RIDGE.guild_create())  # a second join event: no second hello
    (greeting,) = public(discord_bot)
    assert greeting["content"].startswith("Hello, Ridge Runners!")
    assert "send /club here" in greeting["content"]
    (club,) = await stored_clubs(database)
    assert (club.platform, club.chat_id, club.chat_type, club.active) == (
        "discord",
        RIDGE.channel_id,
        "group",
        True,
    )


async def test_a_server_added_while_offline_is_greeted_at_start_once(
    discord_bot: DiscordHarness,
) -> None:
    for _start in range(2):
        await discord_bot.guild_create({**RIDGE.guild_create(), "unavailable": False})
    (greeting,) = public(discord_bot)
    assert greeting["content"].startswith("Hello, Ridge Runners!")


async def test_without_a_writable_system_channel_the_first_writable_channel_is_greeted(
    discord_bot: DiscordHarness,
) -> None:
    guild = RIDGE.guild_create()
    closed = {
        **guild["channels"][0],
        "id": "6100000000000000009",
        "name": "announcements",
        "permission_overwrites": [
            {"id": RIDGE.guild_id, "type": 0, "allow": "0", "deny": str(1 << 11)}
        ],
    }
    later = {**guild["channels"][0], "position": 1}
    guild |= {"system_channel_id": closed["id"], "channels": [closed, later]}
    await discord_bot.guild_create(guild)
    (greeting,) = public(discord_bot)
    assert greeting["channel_id"] == RIDGE.channel_id
    assert discord_bot.recorder.in_channel(closed["id"]) == []


async def test_removal_from_the_server_and_a_deleted_channel_deactivate_the_club(
    discord_bot: DiscordHarness, database: Database
) -> None:
    await discord_bot.guild_create(RIDGE.guild_create())
    await discord_bot.guild_delete(RIDGE.guild_id)
    assert not (await stored_clubs(database))[0].active
    await discord_bot.guild_create(RIDGE.guild_create())
    assert (await stored_clubs(database))[0].active
    assert len(public(discord_bot)) == 2  # greeted again after coming back
    await discord_bot.channel_delete(RIDGE.channel())
    assert not (await stored_clubs(database))[0].active


async def test_a_non_admin_is_refused_and_nothing_changes(
    discord_bot: DiscordHarness, database: Database
) -> None:
    await discord_bot.guild_create(RIDGE.guild_create())
    ben = DiscordUser(discord_bot, MEMBER)
    await ben.command("club", RIDGE)  # Discord's own permission is only a hint
    reply = in_channel(discord_bot)[-1]
    assert (reply["content"], ephemeral(reply)) == (NOT_ADMIN, True)
    (club,) = await stored_clubs(database)
    assert club.session_days == []


async def test_a_manager_without_the_bot_in_the_server_is_refused(
    discord_bot: DiscordHarness,
) -> None:
    where = payloads.in_server(ADMIN, RIDGE, manage=True)
    where["authorizing_integration_owners"] = {"1": ADMIN["id"]}  # installed to their account only
    await discord_bot.interact(payloads.slash("club", where))
    assert in_channel(discord_bot)[-1]["content"] == NOT_ADMIN


async def test_club_is_registered_for_managers_only_and_synced_with_every_command(
    discord_bot: DiscordHarness,
) -> None:
    await discord_bot.client.sync_commands()
    (sync,) = discord_bot.recorder.calls_to("PUT", f"/applications/{payloads.APPLICATION_ID}/")
    commands = {command["name"]: command for command in sync.body}
    club = commands.pop("club")
    assert club["default_member_permissions"] == 32  # Manage Server
    assert (club["contexts"], club["integration_types"]) == ([0], [0])
    assert {"start", "cancel", "today", "checkin", "export"} <= set(commands)
    assert all(c["contexts"] == [0, 1, 2] for c in commands.values())
    assert all(c["integration_types"] == [0, 1] for c in commands.values())


async def test_an_admin_sets_up_the_club_typing_the_time_in_a_form(
    discord_bot: DiscordHarness, database: Database
) -> None:
    await discord_bot.guild_create(RIDGE.guild_create())
    await set_up(discord_bot)
    (form,) = discord_bot.recorder.modals
    assert form["custom_id"] == ANSWER_FORM
    (club,) = await stored_clubs(database)
    assert club.session_days == [1, 3]
    assert club.post_time is not None and club.post_time.isoformat() == "18:30:00"
    assert (club.timezone, club.level, club.weekly_summary) == (
        "Europe/Berlin",
        "intermediate",
        True,
    )
    saved = in_channel(discord_bot)[-1]
    assert "Club sessions: Tuesday, Thursday, posted at 18:30" in saved["content"]
    assert all(ephemeral(m) for m in in_channel(discord_bot)[1:])  # the setup stays with admins


async def test_someone_else_pressing_the_setup_buttons_changes_nothing(
    discord_bot: DiscordHarness, database: Database
) -> None:
    await discord_bot.guild_create(RIDGE.guild_create())
    ana = DiscordUser(discord_bot, ADMIN)
    await ana.command("club", RIDGE, manage=True)
    ben = DiscordUser(discord_bot, MEMBER)
    await ben.press("Tuesday", server=RIDGE)
    toast = in_channel(discord_bot)[-1]
    assert (toast["content"], ephemeral(toast)) == (NOT_YOURS, True)
    await ana.press("Wednesday", server=RIDGE, manage=True)
    labels = [label for label, _ in buttons(in_channel(discord_bot)[-2])]
    assert "✓ Wednesday" in labels
    assert "✓ Tuesday" not in labels


async def test_club_post_uses_buttons_and_i_did_it_counts_once(
    discord_bot: DiscordHarness, coach: Coach, database: Database
) -> None:
    await discord_bot.guild_create(RIDGE.guild_create())
    await set_up(discord_bot)
    post = await post_session(discord_bot, coach, TUESDAY)
    at = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # 18:30 in Berlin
    assert post["content"].startswith(f"**Club session**, <t:{int(at.timestamp())}:t>")
    assert not ephemeral(post)
    assert post["nonce"] == "1:0"
    (club,) = await stored_clubs(database)
    assert buttons(post) == [
        ("💪 I did it", f"did:{club.id}:20261124"),
        ("My personal plan", f"dm:club{club.id}"),
    ]
    ben = DiscordUser(discord_bot, MEMBER)
    await ben.press("💪 I did it", server=RIDGE)
    toast = in_channel(discord_bot)[-1]
    assert toast["content"].startswith("Counted") and ephemeral(toast)
    assert buttons(discord_bot.recorder.messages[post["id"]])[0][0] == "💪 I did it (1)"
    await DiscordUser(discord_bot, ADMIN).press("💪 I did it (1)", server=RIDGE)
    assert buttons(discord_bot.recorder.messages[post["id"]])[0][0] == "💪 I did it (2)"
    await ben.press("💪 I did it (2)", server=RIDGE)
    assert in_channel(discord_bot)[-1]["content"].startswith("Taken back")
    assert buttons(discord_bot.recorder.messages[post["id"]])[0][0] == "💪 I did it (1)"
    async with database.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(ClubMark)) == 1


async def test_my_personal_plan_onboards_the_member_in_a_dm_and_joins_the_club(
    discord_bot: DiscordHarness, coach: Coach, database: Database
) -> None:
    await discord_bot.guild_create(RIDGE.guild_create())
    await set_up(discord_bot)
    await post_session(discord_bot, coach, TUESDAY)
    ben = DiscordUser(discord_bot, MEMBER)
    await ben.press("My personal plan", server=RIDGE)
    assert "You'll join Ridge Runners too." in ben.last_text
    await ben.onboard()
    (club,) = await stored_clubs(database)
    async with database.unit_of_work() as uow:
        assert await uow.clubs.member_count(club.id) == 1
