"""Clubs whose chat went away while the bot was offline go quiet at the next start."""

from __future__ import annotations

from sqlalchemy import select

from bot.services.coach import Coach
from bot.services.context import ChatKind, Person, Platform
from bot.storage.database import Database
from bot.storage.models import Club


async def active(database: Database) -> dict[tuple[str, str], bool]:
    async with database.unit_of_work() as uow:
        found = (await uow.session.scalars(select(Club))).all()
        return {(club.platform, club.chat_id): club.active for club in found}


async def test_only_the_chats_still_seen_keep_their_clubs(coach: Coach, database: Database) -> None:
    discord, telegram = Platform.DISCORD, Platform.TELEGRAM
    for platform, chat in ((discord, "11"), (discord, "12"), (telegram, "13")):
        person = Person(platform, "1", chat, None, ChatKind.GROUP)
        await coach.chat_membership(person, title="Club", present=True)
    assert await coach.still_in(Platform.DISCORD, {"11", "99"}) == ["12"]
    assert await active(database) == {
        ("discord", "11"): True,
        ("discord", "12"): False,
        ("telegram", "13"): True,  # another platform's chats are not this one's business
    }
    assert await coach.still_in(Platform.DISCORD, {"11"}) == []  # once quiet, it stays so quietly
    await coach.chat_membership(
        Person(Platform.DISCORD, "1", "12", None, ChatKind.GROUP), title="Club", present=True
    )
    assert (await active(database))[("discord", "12")]  # added again: active again
