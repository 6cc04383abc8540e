"""Names, club titles and race names come from people: any of them shows as typed, and the
Bot API (which refuses malformed HTML, as Telegram does) accepts every message carrying them."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services.coach import Coach
from bot.services.context import ChatKind, Person, Platform
from bot.services.dialogs.engine import Turn
from bot.services.use_cases import clubs
from bot.storage.database import Database
from bot.storage.models import Runner
from handlers.live_questions import LiveQuestions
from handlers.telegram.application import CoachApplication
from handlers.telegram.messages import send
from tests.factories import make_runner
from tests.fake_telegram import FakeBotAPI, HandlerErrors, process, updates
from tests.telegram.conftest import TelegramUser

pytestmark = pytest.mark.slow  # hypothesis sends random names through every message

JSONDict = dict[str, Any]
MONDAY = date(2026, 11, 23)
_chats = itertools.count(5001)
_strangers = itertools.count(7001)


def people_text(max_size: int) -> st.SearchStrategy[str]:
    """Any text Telegram can carry: every character but surrogates and NUL."""
    characters = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
    return st.text(characters, min_size=1, max_size=max_size)


async def stored(database: Database, runner_id: int) -> Runner:
    async with database.unit_of_work() as uow:
        runner = await uow.runners.get(runner_id)
        assert runner is not None
        return runner


async def post_summary(application: CoachApplication, coach: Coach, chat: JSONDict) -> str:
    """Last week's club summary, built and sent as the scheduler does."""
    async with coach.ctx.database.unit_of_work() as uow:
        club = await uow.clubs.find(platform="telegram", chat_id=str(chat["id"]))
        assert club is not None
        person = Person(Platform.TELEGRAM, "0", str(chat["id"]), None, ChatKind.GROUP)
        turn = Turn(coach.ctx, uow, person)
        reply = await clubs.weekly_summary(turn, club, MONDAY + date.resolution * 6)
    sent, chart = await send(application.bot, chat["id"], reply, LiveQuestions())
    assert chart.photo
    assert sent.text is not None
    return sent.text


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=people_text(64), title=people_text(128), race=people_text(120))
async def test_any_name_title_or_race_name_shows_as_typed(
    ada: TelegramUser,
    coach: Coach,
    database: Database,
    fake_api: FakeBotAPI,
    started_apps: list[tuple[CoachApplication, HandlerErrors]],
    name: str,
    title: str,
    race: str,
) -> None:
    errors = started_apps[-1][1]
    errors.errors.clear()  # each example answers for itself, so a failure shrinks
    async with database.unit_of_work() as uow:
        runner = await uow.runners.find(platform="telegram", user_id=str(ada.chat_id))
        if runner is None:
            runner = await uow.runners.add(make_runner(platform_user_id=str(ada.chat_id)))
        runner.display_name = name
        runner_id = runner.id
    person = {**ada.user, "first_name": name}

    group = updates.group_chat(chat_id=-next(_chats), title=title)
    joined = updates.my_chat_member(bot=fake_api.bot_user, chat=group, from_user=person)
    await process(ada.application, joined)
    assert f"Hello, {title}!" in fake_api.last_message(group["id"])["text"]
    club_id = (await coach_club(coach, group)).id

    await process(ada.application, updates.text_message(text="/start", from_user=person))
    assert f"Welcome back, {name}!" in ada.last_text
    start = f"/start club{club_id}"
    await process(ada.application, updates.text_message(text=start, from_user=person))
    assert f"You've joined {title}." in ada.last_text
    stranger = updates.user(user_id=next(_strangers), first_name=name)
    await process(ada.application, updates.text_message(text=start, from_user=stranger))
    assert f"You'll join {title} too." in fake_api.sent_texts(stranger["id"])[-2]

    await ada.send("/race")
    await process(
        ada.application, updates.text_message(text=f"2027-06-20 {race}", from_user=person)
    )
    race_name = (await stored(database, runner_id)).race_name
    assert f"Race: {race_name or ''}" in ada.last_text

    async with database.unit_of_work() as uow:
        await uow.clubs.show_name(runner_id=runner_id, shown=True)
        await uow.clubs.toggle_mark(club_id=club_id, day=MONDAY, user_id=str(ada.chat_id))
    assert f"Well done, {name}!" in await post_summary(ada.application, coach, group)
    errors.assert_none()


async def coach_club(coach: Coach, chat: JSONDict) -> Any:
    async with coach.ctx.database.unit_of_work() as uow:
        club = await uow.clubs.find(platform="telegram", chat_id=str(chat["id"]))
        assert club is not None
        return club
