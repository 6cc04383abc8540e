"""Clubs on Discord through the real client: the greeting, /club for server managers only,
setup with a form for typed answers, club posts, "I did it", and the club going quiet."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from bot.services.coach import Coach
from bot.services.context import ChatKind, Person, Platform
from bot.services.dialogs.engine import Turn
from bot.services.use_cases import clubs
from bot.services.use_cases.clubs import NOT_ADMIN, NOT_YOURS
from bot.storage.database import Database
from bot.storage.models import Club, ClubMark
from handlers.discord.client import CLUB_IN_THREAD
from handlers.discord.messages import ANSWER_FIELD, ANSWER_FORM, WORDS
from handlers.discord.notifier import DiscordNotifier
from handlers.live_questions import LiveQuestions
from tests.conftest import FakeClock
from tests.discord.conftest import ADA, ADMIN, MEMBER, RIDGE, DiscordUser, buttons, ephemeral
from tests.discord.test_runner_flows import log_done, next_session
from tests.fake_discord import payloads
from tests.fake_discord.harness import DiscordHarness, running_client
from tests.fake_discord.payloads import Server
from tests.personal_data import EXPORTED, rows_about

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
    question = ana.message_with("✏️ Type an answer", RIDGE.channel_id)
    await ana.press("✏️ Type an answer", server=RIDGE, manage=True)
    where = payloads.in_server(ADMIN, RIDGE, manage=True)
    typed = payloads.submit(ANSWER_FORM, ANSWER_FIELD, "18:30", where, message=question)
    await harness.interact(typed)
    for label in ("Europe/Berlin", "Intermediate", "Yes"):
        await ana.press(label, server=RIDGE, manage=True)


async def post_session(harness: DiscordHarness, coach: Coach, day: date) -> payloads.JSONDict:
    """What the scheduler does on a club day: build the post and send it through the notifier."""
    async with coach.ctx.database.unit_of_work() as uow:
        club = await uow.clubs.find(platform="discord", chat_id=RIDGE.channel_id)
        assert club is not None
        person = Person(Platform.DISCORD, "0", RIDGE.channel_id, None, ChatKind.GROUP)
        (post,) = await clubs.session_post(Turn(coach.ctx, uow, person), club, day)
    await DiscordNotifier(harness.client, LiveQuestions()).send(RIDGE.channel_id, post, nonce="1:0")
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
    assert (reply["content"], ephemeral(reply)) == (str(NOT_ADMIN.worded(WORDS)), True)
    assert reply["content"].startswith("Only server admins")
    (club,) = await stored_clubs(database)
    assert club.session_days == []


async def test_a_manager_without_the_bot_in_the_server_is_refused(
    discord_bot: DiscordHarness,
) -> None:
    where = payloads.in_server(ADMIN, RIDGE, manage=True)
    where["authorizing_integration_owners"] = {"1": ADMIN["id"]}  # installed to their account only
    await discord_bot.interact(payloads.slash("club", where))
    assert in_channel(discord_bot)[-1]["content"] == str(NOT_ADMIN.worded(WORDS))


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
    assert form["title"] == "When should I post the club session?"
    ((field,),) = [row["components"] for row in form["components"]]
    assert (field["label"], field["placeholder"]) == ("Post time", "Like 18:30")
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
    assert saved["content"].startswith("Days: Tuesday, Thursday · Post time: 18:30 · ")
    assert all(ephemeral(m) for m in in_channel(discord_bot)[1:])  # the setup stays with admins
    assert len(in_channel(discord_bot)) == 2  # the greeting, and the one question


async def test_a_typed_answer_from_someone_else_is_acknowledged_and_changes_nothing(
    discord_bot: DiscordHarness, database: Database
) -> None:
    await discord_bot.guild_create(RIDGE.guild_create())
    ana = DiscordUser(discord_bot, ADMIN)
    await ana.command("club", RIDGE, manage=True)
    for label in ("Tuesday", "Done"):
        await ana.press(label, server=RIDGE, manage=True)
    forged = payloads.submit(ANSWER_FORM, ANSWER_FIELD, "05:00", payloads.in_server(MEMBER, RIDGE))
    shown = len(in_channel(discord_bot))
    await discord_bot.interact(forged)
    assert [c["type"] for c in discord_bot.recorder.callbacks(forged["token"])] == [5]
    assert discord_bot.recorder.calls[-1].method == "DELETE"  # the "thinking" note goes
    assert len(in_channel(discord_bot)) == shown
    where = payloads.in_server(ADMIN, RIDGE, manage=True)
    await discord_bot.interact(payloads.submit(ANSWER_FORM, ANSWER_FIELD, "18:30", where))
    assert "Which timezone is the club in?" in in_channel(discord_bot)[-1]["content"]


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
    assert "You'll join Ridge Runners too." in ben.texts[-2]
    await ben.onboard()
    (club,) = await stored_clubs(database)
    async with database.unit_of_work() as uow:
        assert await uow.clubs.member_count(club.id) == 1


VALLEY = Server(guild_id="6200000000000000001", channel_id="6200000000000000002", name="Valley")
PEAK = Server(guild_id="6300000000000000001", channel_id="6300000000000000002", name="Peak")


async def test_clubs_whose_channel_went_away_while_offline_go_quiet_at_start(
    coach: Coach, database: Database
) -> None:
    async with running_client(coach) as before:
        for server in (RIDGE, VALLEY, PEAK):
            await before.guild_create(server.guild_create())
    before.assert_sound()
    async with running_client(coach) as after:  # offline meanwhile: removed from Valley, and
        peak = PEAK.guild_create()  # Peak's club channel deleted (another one is left)
        peak["channels"] = [{**peak["channels"][0], "id": "6300000000000000003"}]
        peak["system_channel_id"] = None
        await after.ready(RIDGE.guild_create(), peak)
    after.assert_sound()
    shown = {club.chat_id: club.active for club in await stored_clubs(database)}
    assert shown == {
        RIDGE.channel_id: True,
        VALLEY.channel_id: False,
        PEAK.channel_id: False,
        "6300000000000000003": True,  # Peak's channel left is greeted, once, as a new one
    }


async def test_a_server_out_of_reach_at_start_keeps_its_clubs(
    coach: Coach, database: Database
) -> None:
    async with running_client(coach) as before:
        await before.guild_create(VALLEY.guild_create())
    async with running_client(coach) as after:
        after.state._add_guild_from_data({"id": VALLEY.guild_id, "unavailable": True})
        await after.ready(RIDGE.guild_create())
    after.assert_sound()
    assert [club.active for club in await stored_clubs(database)] == [True, True]


async def test_health_is_never_asked_about_in_a_channel(
    discord_bot: DiscordHarness, clock: FakeClock
) -> None:
    await discord_bot.guild_create(RIDGE.guild_create())
    ada = DiscordUser(discord_bot, ADA)
    await ada.onboard()
    await next_session(ada, clock)
    await log_done(ada)
    clock.advance(days=1)
    await ada.send("/checkin")
    question = dict(ada.last)  # the check-in waits on her answer, in the DM
    for command in ("checkin", "today", "done", "start", "race"):
        await ada.command(command, RIDGE)
        reply = in_channel(discord_bot)[-1]
        assert ephemeral(reply) and "carry on in a DM with me" in reply["content"]
    answer = payloads.submit(ANSWER_FORM, ANSWER_FIELD, "my knee hurts", ada.where(RIDGE))
    await discord_bot.interact(answer)  # typed in the channel's form: not for the check-in
    copy = {**question, "id": payloads.snowflake(), "channel_id": RIDGE.channel_id}
    await ada.press("Heavy legs", on=copy, server=RIDGE)  # a check-in button, in the channel
    toast = in_channel(discord_bot)[-1]
    assert (toast["content"], ephemeral(toast)) == (NOT_YOURS, True)
    said = [m for m in in_channel(discord_bot) if m["id"] != copy["id"]]
    assert [m for m in said if not ephemeral(m)] == said[:1]  # the greeting only
    asked = [m["content"] for m in said]
    assert not any(word in text for text in asked for word in ("hurt", "pain", "legs feel?"))
    await ada.press("Heavy legs", on=question)  # in the DM, the check-in carries on
    assert ada.messages[-1]["channel_id"] == ada.dm


async def test_export_and_deleteme_cover_everything_of_the_runners_clubs_included(
    discord_bot: DiscordHarness, coach: Coach, database: Database
) -> None:
    await discord_bot.guild_create(RIDGE.guild_create())
    await set_up(discord_bot)
    ada = DiscordUser(discord_bot, ADA)
    await ada.onboard()
    await post_session(discord_bot, coach, TUESDAY)
    await ada.press("My personal plan", server=RIDGE)
    assert "You've joined Ridge Runners" in ada.last_text
    await ada.press("💪 I did it", server=RIDGE)
    await ada.send("/settings")  # an open question is hers too
    async with database.unit_of_work() as uow:
        runner = await uow.runners.find(platform="discord", user_id=ADA["id"])
        assert runner is not None
        runner_id = runner.id
    stored = await rows_about(database, runner_id=runner_id, user_id=ADA["id"])
    assert set(stored) == set(EXPORTED), "a table keeps a runner's data but /export misses it"

    await ada.send("/export")
    (json_file,) = [
        upload
        for call in discord_bot.recorder.calls
        for upload in call.files
        if upload.filename.endswith(".json")
    ]
    exported = json.loads(json_file.content)
    for table, key in EXPORTED.items():
        rows = exported[key]
        count = len(rows) if isinstance(rows, list) else int(rows is not None)
        assert count == stored[table], (table, key)
    assert [mark["local_date"] for mark in exported["club_marks"]] == [TUESDAY.isoformat()]

    await ada.send("/deleteme")
    await ada.press("Yes, delete everything")
    left = await rows_about(database, runner_id=runner_id, user_id=ADA["id"])
    assert left == dict.fromkeys(EXPORTED, 0)


async def test_a_club_is_not_set_up_in_a_thread(
    discord_bot: DiscordHarness, database: Database
) -> None:
    """A thread drops out of the bot's view once archived, which would end its club."""
    await discord_bot.guild_create(RIDGE.guild_create())
    where = payloads.in_server(ADMIN, RIDGE, manage=True)
    thread = {
        **RIDGE.channel(),
        "id": "6100000000000000077",
        "type": 11,
        "parent_id": RIDGE.channel_id,
        "owner_id": ADMIN["id"],
        "message_count": 0,
        "member_count": 1,
        "rate_limit_per_user": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": "2026-11-23T09:00:00+00:00",
            "locked": False,
        },
    }
    await discord_bot.interact(
        payloads.slash("club", {**where, "channel": thread, "channel_id": thread["id"]})
    )
    (reply,) = discord_bot.recorder.in_channel(thread["id"])
    assert reply["content"] == CLUB_IN_THREAD
    assert [club.chat_id for club in await stored_clubs(database)] == [RIDGE.channel_id]
