"""Club mode through the real Application: membership, admin-only setup, privacy, joining."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram import Chat

from bot.services.coach import SORRY, Coach
from bot.services.context import ChatKind, Person, Platform
from bot.services.dialogs.engine import Turn
from bot.services.use_cases import clubs
from bot.services.use_cases.clubs import NOT_ADMIN, NOT_YOURS
from bot.storage.database import Database
from bot.storage.models import Club, ClubMark, ClubMembership
from handlers.live_questions import LiveQuestions
from handlers.telegram.callbacks import kind_of
from handlers.telegram.messages import WORDS, send
from tests.conftest import FakeClock, onboarding
from tests.fake_telegram import FakeBotAPI, errors, process, updates
from tests.personal_data import EXPORTED, rows_about
from tests.telegram.conftest import TelegramUser

JSONDict = dict[str, Any]
GROUP = updates.group_chat(chat_id=-4001, title="Ridge Runners")
SUPERGROUP = updates.supergroup_chat(chat_id=-1001000000001, title="Ridge Runners")
CHANNEL = updates.channel_chat(chat_id=-1002000000001, title="Ridge News")
ADMIN = updates.user(user_id=3001, first_name="Ana")
MEMBER = updates.user(user_id=3002, first_name="Ben")


async def stored_clubs(database: Database) -> list[Club]:
    async with database.unit_of_work() as uow:
        return list((await uow.session.scalars(select(Club))).all())


async def bot_joins(
    ada: TelegramUser, chat: JSONDict, *, status: updates.MemberStatus = "member"
) -> None:
    update = updates.my_chat_member(
        bot=ada.api.bot_user, chat=chat, old_status="left", new_status=status, from_user=ADMIN
    )
    await ada.deliver(update)


async def say_in(
    ada: TelegramUser, chat: JSONDict, text: str, *, by: JSONDict = ADMIN, replying: bool = False
) -> None:
    extra = {"reply_to_message": ada.api.last_message(chat["id"])} if replying else {}
    await ada.deliver(updates.text_message(text=text, chat=chat, from_user=by, **extra))


def buttons_in(api: FakeBotAPI, chat: JSONDict) -> list[JSONDict]:
    markup = api.last_message(chat["id"]).get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


async def press_in(ada: TelegramUser, chat: JSONDict, label: str, *, by: JSONDict) -> None:
    message = ada.api.last_message(chat["id"])
    data = next(
        b["callback_data"]
        for b in buttons_in(ada.api, chat)
        if b["text"].removeprefix("✓ ") == label
    )
    await ada.deliver(updates.callback_query(message=message, data=data, from_user=by))


async def set_up(ada: TelegramUser, chat: JSONDict) -> None:
    """An admin sets the club up: Tuesday and Thursday, 18:30 in Berlin, intermediate."""
    ada.api.set_chat_member(chat["id"], of=ADMIN, status="administrator")
    await say_in(ada, chat, "/club")
    for label in ("Tuesday", "Thursday", "Done"):
        await press_in(ada, chat, label, by=ADMIN)
    await say_in(ada, chat, "18:30", replying=True)
    for label in ("Europe/Berlin", "Intermediate", "Yes"):
        await press_in(ada, chat, label, by=ADMIN)


async def test_added_to_a_group_greets_once_and_registers_the_club(
    ada: TelegramUser, database: Database
) -> None:
    await bot_joins(ada, GROUP)
    await bot_joins(ada, GROUP, status="administrator")  # promoted: no second greeting
    greetings = [t for t in ada.api.sent_texts(GROUP["id"]) if "Hello, Ridge Runners" in t]
    assert len(greetings) == 1
    assert "Admins: send /club here to choose" in greetings[0]
    (club,) = await stored_clubs(database)
    assert (club.chat_id, club.chat_type, club.active) == (str(GROUP["id"]), "group", True)


async def test_removal_deactivates_and_rejoining_greets_again(
    ada: TelegramUser, database: Database
) -> None:
    await bot_joins(ada, SUPERGROUP)
    removed = updates.my_chat_member(
        bot=ada.api.bot_user, chat=SUPERGROUP, old_status="member", new_status="kicked"
    )
    await process(ada.application, removed)
    assert not (await stored_clubs(database))[0].active
    await bot_joins(ada, SUPERGROUP)
    assert (await stored_clubs(database))[0].active
    assert len([t for t in ada.api.sent_texts(SUPERGROUP["id"]) if "Hello" in t]) == 2


async def test_migration_to_a_supergroup_follows_the_new_chat_id(
    ada: TelegramUser, database: Database
) -> None:
    await bot_joins(ada, GROUP)
    update = updates.migrate_to_chat(chat=GROUP, to_chat_id=SUPERGROUP["id"])
    await process(ada.application, update)
    (club,) = await stored_clubs(database)
    assert (club.chat_id, club.chat_type) == (str(SUPERGROUP["id"]), "group")


@pytest.mark.parametrize(
    ("chat_type", "kind"),
    [
        (Chat.PRIVATE, ChatKind.PRIVATE),
        (Chat.GROUP, ChatKind.GROUP),
        (Chat.SUPERGROUP, ChatKind.GROUP),
        (Chat.CHANNEL, ChatKind.CHANNEL),
    ],
)
def test_telegrams_chat_types_in_the_coachs_words(chat_type: str, kind: ChatKind) -> None:
    assert kind_of(Chat(1, chat_type)) is kind


@pytest.mark.parametrize(
    ("stored", "kind"),
    [("group", ChatKind.GROUP), ("supergroup", ChatKind.GROUP), ("channel", ChatKind.CHANNEL)],
)
def test_a_club_stored_in_telegrams_words_is_read_in_the_coachs(
    stored: str, kind: ChatKind
) -> None:
    assert clubs.chat_kind(Club(chat_type=stored)) is kind


async def test_an_admin_sets_up_the_club(ada: TelegramUser, database: Database) -> None:
    await bot_joins(ada, SUPERGROUP)
    await set_up(ada, SUPERGROUP)
    (club,) = await stored_clubs(database)
    assert club.session_days == [1, 3]
    assert club.post_time is not None and club.post_time.isoformat() == "18:30:00"
    assert (club.timezone, club.level, club.weekly_summary) == (
        "Europe/Berlin",
        "intermediate",
        True,
    )
    assert (
        "Club sessions: Tuesday, Thursday, posted at 18:30"
        in ada.api.sent_texts(SUPERGROUP["id"])[-1]
    )


async def test_a_non_admin_is_refused_politely_and_nothing_changes(
    ada: TelegramUser, database: Database
) -> None:
    await bot_joins(ada, SUPERGROUP)
    ada.api.set_chat_member(SUPERGROUP["id"], of=MEMBER, status="member")
    await say_in(ada, SUPERGROUP, "/club", by=MEMBER)
    assert ada.api.sent_texts(SUPERGROUP["id"])[-1] == str(NOT_ADMIN.worded(WORDS))
    assert "Only the group's admins" in ada.api.sent_texts(SUPERGROUP["id"])[-1]
    (club,) = await stored_clubs(database)
    assert club.session_days == []


async def test_admin_status_is_cached_briefly(ada: TelegramUser, fake_api: FakeBotAPI) -> None:
    await bot_joins(ada, SUPERGROUP)
    fake_api.set_chat_member(SUPERGROUP["id"], of=ADMIN, status="creator")
    await say_in(ada, SUPERGROUP, "/club")
    await say_in(ada, SUPERGROUP, "/club")
    assert len(fake_api.calls("getChatMember")) == 1


async def test_someone_else_pressing_the_admins_setup_buttons_changes_nothing(
    ada: TelegramUser, database: Database, fake_api: FakeBotAPI
) -> None:
    await bot_joins(ada, SUPERGROUP)
    fake_api.set_chat_member(SUPERGROUP["id"], of=ADMIN, status="administrator")
    await say_in(ada, SUPERGROUP, "/club")
    sent = len(fake_api.sent_messages(SUPERGROUP["id"]))
    await press_in(ada, SUPERGROUP, "Monday", by=MEMBER)
    assert fake_api.calls("answerCallbackQuery")[-1].params["text"] == NOT_YOURS
    assert len(fake_api.sent_messages(SUPERGROUP["id"])) == sent
    labels = [b["text"] for b in buttons_in(fake_api, SUPERGROUP)]
    assert "✓ Monday" not in labels


SETUP_PRESSES = ("Tuesday", "Thursday", "Done", "18:00", "Europe/Berlin", "Intermediate", "Yes")


async def test_a_channel_gets_set_up_by_its_own_posts_and_its_admins_buttons(
    ada: TelegramUser, database: Database, fake_api: FakeBotAPI
) -> None:
    await bot_joins(ada, CHANNEL, status="administrator")
    assert "post /club in this channel" in fake_api.sent_texts(CHANNEL["id"])[-1]
    await process(ada.application, updates.channel_post(text="/club", chat=CHANNEL))
    assert "Which days are club strength days?" in fake_api.sent_texts(CHANNEL["id"])[-1]
    fake_api.set_chat_member(CHANNEL["id"], of=ADMIN, status="administrator")
    fake_api.set_chat_member(CHANNEL["id"], of=MEMBER, status="member")
    await press_in(ada, CHANNEL, "Monday", by=MEMBER)  # a subscriber: not theirs to answer
    assert fake_api.calls("answerCallbackQuery")[-1].params["text"] == NOT_YOURS
    for label in SETUP_PRESSES:
        await press_in(ada, CHANNEL, label, by=ADMIN)
    (club,) = await stored_clubs(database)
    assert (club.chat_type, club.session_days, club.level) == ("channel", [1, 3], "intermediate")
    assert "Club sessions: Tuesday, Thursday" in fake_api.sent_texts(CHANNEL["id"])[-1]


async def test_an_anonymous_admin_sets_up_the_club_and_presses_as_themselves(
    ada: TelegramUser, database: Database, fake_api: FakeBotAPI
) -> None:
    await bot_joins(ada, SUPERGROUP)
    anonymous = updates.text_message(
        text="/club",
        chat=SUPERGROUP,
        from_user=updates.group_anonymous_bot(),
        sender_chat=SUPERGROUP,
    )
    await process(ada.application, anonymous)
    assert "Which days are club strength days?" in fake_api.sent_texts(SUPERGROUP["id"])[-1]
    assert not fake_api.calls("getChatMember")  # speaking as the group: an admin
    fake_api.set_chat_member(SUPERGROUP["id"], of=ADMIN, status="administrator", is_anonymous=True)
    for label in SETUP_PRESSES:
        await press_in(ada, SUPERGROUP, label, by=ADMIN)
    (club,) = await stored_clubs(database)
    assert (club.session_days, club.level) == ([1, 3], "intermediate")


async def test_another_admin_may_carry_on_the_setup_and_replies_count_only_from_admins(
    ada: TelegramUser, database: Database, fake_api: FakeBotAPI
) -> None:
    await bot_joins(ada, SUPERGROUP)
    other_admin = updates.user(user_id=3003, first_name="Cleo")
    for admin in (ADMIN, other_admin):
        fake_api.set_chat_member(SUPERGROUP["id"], of=admin, status="administrator")
    fake_api.set_chat_member(SUPERGROUP["id"], of=MEMBER, status="member")
    await say_in(ada, SUPERGROUP, "/club")
    for label in ("Tuesday", "Thursday", "Done"):
        await press_in(ada, SUPERGROUP, label, by=other_admin)
    sent = len(fake_api.sent_messages(SUPERGROUP["id"]))
    await say_in(ada, SUPERGROUP, "06:45", by=MEMBER, replying=True)
    assert len(fake_api.sent_messages(SUPERGROUP["id"])) == sent
    await say_in(ada, SUPERGROUP, "18:30", replying=True)
    for label in ("Europe/Berlin", "Intermediate", "Yes"):
        await press_in(ada, SUPERGROUP, label, by=ADMIN)
    (club,) = await stored_clubs(database)
    assert club.post_time is not None and club.post_time.isoformat() == "18:30:00"


async def test_a_failing_admin_check_is_reported_not_taken_for_a_refusal(
    ada: TelegramUser,
    fake_api: FakeBotAPI,
    started_apps: list[tuple[Any, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    await bot_joins(ada, SUPERGROUP)
    fake_api.set_chat_member(SUPERGROUP["id"], of=ADMIN, status="administrator")
    fake_api.fail_next("getChatMember", errors.timed_out())
    with caplog.at_level(logging.ERROR):
        await say_in(ada, SUPERGROUP, "/club")
    assert fake_api.sent_texts(SUPERGROUP["id"])[-1] == SORRY
    assert "handler failed" in caplog.text
    started_apps[-1][1].errors.clear()  # this test's failure was on purpose
    await say_in(ada, SUPERGROUP, "/club")
    assert "Which days are club strength days?" in fake_api.sent_texts(SUPERGROUP["id"])[-1]


async def test_personal_commands_in_a_group_point_to_a_private_chat_with_the_club(
    ada: TelegramUser, database: Database, fake_api: FakeBotAPI
) -> None:
    await bot_joins(ada, SUPERGROUP)
    for command in ("/today", "/checkin", "/start"):
        await say_in(ada, SUPERGROUP, command, by=MEMBER)
        reply = fake_api.last_message(SUPERGROUP["id"])
        assert "carry on in a private chat with me" in reply["text"]
        (club,) = await stored_clubs(database)
        assert buttons_in(fake_api, SUPERGROUP)[0]["url"].endswith(f"?start=club{club.id}")
    count = len(fake_api.sent_messages(SUPERGROUP["id"]))
    await say_in(ada, SUPERGROUP, "Great run this morning!", by=MEMBER)
    await say_in(ada, SUPERGROUP, "18:30", by=MEMBER, replying=True)
    await say_in(ada, SUPERGROUP, "/weather@SomeOtherBot", by=MEMBER)
    await say_in(ada, SUPERGROUP, "/unknown", by=MEMBER)
    assert len(fake_api.sent_messages(SUPERGROUP["id"])) == count


async def test_deep_link_join_onboards_a_new_runner_into_the_club(
    ada: TelegramUser, database: Database
) -> None:
    await bot_joins(ada, SUPERGROUP)
    (club,) = await stored_clubs(database)
    await ada.follow([("say", f"/start club{club.id}")])
    assert "You'll join Ridge Runners too." in ada.texts[-2]  # the welcome, above the question
    await ada.follow(onboarding()[1:])
    async with database.unit_of_work() as uow:
        membership = (await uow.session.scalars(select(ClubMembership))).one()
    assert membership.club_id == club.id


async def test_deep_link_joins_an_existing_runner_and_members_counts_them(
    ada: TelegramUser, database: Database, fake_api: FakeBotAPI
) -> None:
    await bot_joins(ada, SUPERGROUP)
    (club,) = await stored_clubs(database)
    await ada.onboard()
    await ada.send(f"/start club{club.id}")
    assert "You've joined Ridge Runners" in ada.last_text
    await ada.send(f"/start club{club.id}")
    assert "already a member" in ada.last_text
    fake_api.set_chat_member(SUPERGROUP["id"], of=ADMIN, status="administrator")
    await say_in(ada, SUPERGROUP, "/club members")
    assert "1 member of the club has a personal plan" in fake_api.sent_texts(SUPERGROUP["id"])[-1]


TUESDAY = date(2026, 11, 24)


async def post_session(ada: TelegramUser, coach: Coach, chat: JSONDict, day: date) -> JSONDict:
    """What the scheduler does on a club day: build the post and send it to the chat."""
    async with coach.ctx.database.unit_of_work() as uow:
        club = await uow.clubs.find(platform="telegram", chat_id=str(chat["id"]))
        assert club is not None
        person = Person(Platform.TELEGRAM, "0", str(chat["id"]), None, ChatKind.GROUP)
        turn = Turn(coach.ctx, uow, person)
        reply = await clubs.session_post(turn, club, day)
    await send(ada.application.bot, chat["id"], reply, LiveQuestions())
    return ada.api.last_message(chat["id"])


async def summary(coach: Coach, chat: JSONDict, last: date) -> str:
    async with coach.ctx.database.unit_of_work() as uow:
        club = await uow.clubs.find(platform="telegram", chat_id=str(chat["id"]))
        assert club is not None
        person = Person(Platform.TELEGRAM, "0", str(chat["id"]), None, ChatKind.GROUP)
        turn = Turn(coach.ctx, uow, person)
        message, chart = await clubs.weekly_summary(turn, club, last)
    assert chart.image is not None
    assert chart.image.content.startswith(b"\x89PNG")
    return str(message.text)


async def per_week(coach: Coach, chat: JSONDict, last: date) -> list[int]:
    async with coach.ctx.database.unit_of_work() as uow:
        club = await uow.clubs.find(platform="telegram", chat_id=str(chat["id"]))
        assert club is not None
        person = Person(Platform.TELEGRAM, "0", str(chat["id"]), None, ChatKind.GROUP)
        turn = Turn(coach.ctx, uow, person)
        weeks = await clubs.sessions_per_week(turn, club, last)
    shown = min(clubs.CHART_WEEKS, (last - clubs.first_week(club)).days // 7 + 1)
    assert [start for start, _count in weeks] == [  # from the club's first week on
        last - timedelta(days=7 * n + 6) for n in reversed(range(shown))
    ]
    return [count for _start, count in weeks]


async def test_club_post_is_planned_for_the_level_and_i_did_it_counts_once(
    ada: TelegramUser, coach: Coach, database: Database, fake_api: FakeBotAPI
) -> None:
    await bot_joins(ada, SUPERGROUP)
    await set_up(ada, SUPERGROUP)
    post = await post_session(ada, coach, SUPERGROUP, TUESDAY)
    assert post["text"].startswith("Club session")
    assert " × " in post["text"]
    labels = [b["text"] for b in buttons_in(fake_api, SUPERGROUP)]
    assert labels == ["💪 I did it", "My personal plan"]

    await press_in(ada, SUPERGROUP, "💪 I did it", by=MEMBER)
    assert fake_api.calls("answerCallbackQuery")[-1].params["text"].startswith("Counted")
    assert buttons_in(fake_api, SUPERGROUP)[0]["text"] == "💪 I did it (1)"
    await press_in(ada, SUPERGROUP, "💪 I did it (1)", by=ADMIN)
    assert buttons_in(fake_api, SUPERGROUP)[0]["text"] == "💪 I did it (2)"

    await press_in(ada, SUPERGROUP, "💪 I did it (2)", by=MEMBER)
    assert fake_api.calls("answerCallbackQuery")[-1].params["text"].startswith("Taken back")
    assert buttons_in(fake_api, SUPERGROUP)[0]["text"] == "💪 I did it (1)"
    async with database.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(ClubMark)) == 1


async def test_a_day_without_a_club_session_posts_nothing(
    ada: TelegramUser, coach: Coach, fake_api: FakeBotAPI
) -> None:
    await bot_joins(ada, SUPERGROUP)
    await set_up(ada, SUPERGROUP)
    before = len(fake_api.sent_messages(SUPERGROUP["id"]))
    await post_session(ada, coach, SUPERGROUP, TUESDAY + timedelta(days=1))  # a Wednesday
    assert len(fake_api.sent_messages(SUPERGROUP["id"])) == before


async def test_forged_i_did_it_for_another_club_or_day_changes_nothing(
    ada: TelegramUser, coach: Coach, database: Database, fake_api: FakeBotAPI
) -> None:
    await bot_joins(ada, SUPERGROUP)
    await set_up(ada, SUPERGROUP)
    post = await post_session(ada, coach, SUPERGROUP, TUESDAY)
    for forged in ("did:999:20261124", "did:1:20261125", "did:1:2026112", "did:1:20261340"):
        await process(
            ada.application, updates.callback_query(message=post, data=forged, from_user=MEMBER)
        )
        assert fake_api.calls("answerCallbackQuery")[-1].params["text"] == NOT_YOURS
    async with database.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(ClubMark)) == 0


async def test_weekly_summary_gives_counts_and_names_only_those_who_opted_in(
    ada: TelegramUser, coach: Coach, fake_api: FakeBotAPI, clock: FakeClock
) -> None:
    await bot_joins(ada, SUPERGROUP)
    await set_up(ada, SUPERGROUP)
    await post_session(ada, coach, SUPERGROUP, TUESDAY)
    await press_in(ada, SUPERGROUP, "💪 I did it", by=MEMBER)
    await press_in(ada, SUPERGROUP, "💪 I did it (1)", by=ada.user)
    await post_session(ada, coach, SUPERGROUP, TUESDAY + timedelta(days=2))
    await press_in(ada, SUPERGROUP, "💪 I did it", by=MEMBER)

    sunday = TUESDAY + timedelta(days=5)
    anonymous = await summary(coach, SUPERGROUP, sunday)
    assert "1 did one session and 1 did two or more." in anonymous
    assert "Club streak: 1 week in a row." in anonymous
    assert await per_week(coach, SUPERGROUP, sunday) == [3]  # the club's first week
    assert "Ada" not in anonymous
    assert "Ben" not in anonymous

    (club,) = await clubs_of(coach)
    await ada.onboard()
    await ada.send(f"/start club{club.id}")
    await ada.send("/settings")
    await ada.press("Name in club summaries")
    await ada.press("Yes, name me")
    assert "will appear" in ada.last_text
    named = await summary(coach, SUPERGROUP, sunday)
    assert "Well done, Ada!" in named
    assert "Ben" not in named


@pytest.mark.slow  # weeks of club posts
async def test_weekly_summary_streak_counts_weeks_in_a_row(
    ada: TelegramUser, coach: Coach, fake_api: FakeBotAPI
) -> None:
    await bot_joins(ada, SUPERGROUP)
    await set_up(ada, SUPERGROUP)
    for week in range(3):
        await post_session(ada, coach, SUPERGROUP, TUESDAY + timedelta(days=7 * week))
        await press_in(ada, SUPERGROUP, "💪 I did it", by=MEMBER)
    text = await summary(coach, SUPERGROUP, TUESDAY + timedelta(days=19))
    assert "Club streak: 3 weeks in a row." in text
    assert await per_week(coach, SUPERGROUP, TUESDAY + timedelta(days=19)) == [1] * 3
    quiet = await summary(coach, SUPERGROUP, TUESDAY + timedelta(days=26))
    assert "No strength work was logged that week." in quiet
    assert "fresh start" in quiet


async def clubs_of(coach: Coach) -> list[Club]:
    async with coach.ctx.database.unit_of_work() as uow:
        return list((await uow.session.scalars(select(Club))).all())


async def test_more_than_two_strength_days_are_explained(ada: TelegramUser) -> None:
    await bot_joins(ada, SUPERGROUP)
    ada.api.set_chat_member(SUPERGROUP["id"], of=ADMIN, status="administrator")
    await say_in(ada, SUPERGROUP, "/club")
    for label in ("Monday", "Wednesday", "Friday", "Done", "18:00", "Europe/Berlin"):
        await press_in(ada, SUPERGROUP, label, by=ADMIN)
    for label in ("Starting out", "No"):
        await press_in(ada, SUPERGROUP, label, by=ADMIN)
    assert "I'll post on two of those days each week" in ada.api.sent_texts(SUPERGROUP["id"])[-1]


async def test_export_and_deleteme_cover_everything_of_the_runners_clubs_included(
    ada: TelegramUser, coach: Coach, database: Database, fake_api: FakeBotAPI
) -> None:
    await bot_joins(ada, SUPERGROUP)
    await set_up(ada, SUPERGROUP)
    await ada.onboard()
    (club,) = await stored_clubs(database)
    await ada.send(f"/start club{club.id}")
    await post_session(ada, coach, SUPERGROUP, TUESDAY)
    await press_in(ada, SUPERGROUP, "💪 I did it", by=ada.user)
    await ada.send("/settings")  # an open question is theirs too
    async with database.unit_of_work() as uow:
        runner = await uow.runners.find(platform="telegram", user_id=str(ada.chat_id))
        assert runner is not None
        runner_id = runner.id
    stored = await rows_about(database, runner_id=runner_id, user_id=str(ada.chat_id))
    assert set(stored) == set(EXPORTED), "a table keeps a runner's data but /export misses it"

    await ada.send("/export")
    (json_file,) = [
        call.files["document"]
        for call in fake_api.calls("sendDocument")
        if call.files["document"].filename.endswith(".json")
    ]
    exported = json.loads(json_file.content)
    for table, key in EXPORTED.items():
        rows = exported[key]
        count = len(rows) if isinstance(rows, list) else int(rows is not None)
        assert count == stored[table], (table, key)
    assert [mark["local_date"] for mark in exported["club_marks"]] == [TUESDAY.isoformat()]
    assert exported["club_memberships"][0]["club_id"] == club.id

    await ada.send("/deleteme")
    await ada.press("Yes, delete everything")
    left = await rows_about(database, runner_id=runner_id, user_id=str(ada.chat_id))
    assert left == dict.fromkeys(EXPORTED, 0)


async def test_deleteme_works_for_someone_with_only_club_marks(
    ada: TelegramUser, coach: Coach, database: Database
) -> None:
    await bot_joins(ada, SUPERGROUP)
    await set_up(ada, SUPERGROUP)
    await post_session(ada, coach, SUPERGROUP, TUESDAY)
    await press_in(ada, SUPERGROUP, "💪 I did it", by=ada.user)
    await ada.send("/deleteme")
    await ada.press("Yes, delete everything")
    async with database.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(ClubMark)) == 0
