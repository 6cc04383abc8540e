"""/club members counts what the club did, "I did it" included, and says what each number
counts (issue 27, item 4)."""

from __future__ import annotations

from bot.services.coach import Coach
from bot.services.context import ChatKind, Person, Platform
from bot.services.dialogs.engine import Turn
from bot.services.presentation.replies import Button, Reply
from bot.services.use_cases import clubs
from tests.conftest import FakeClock

ANA = Person(Platform.TELEGRAM, "3001", "-4001", "Ana", ChatKind.GROUP)
BEN = Person(Platform.TELEGRAM, "3002", "-4001", "Ben", ChatKind.GROUP)
CY = Person(Platform.TELEGRAM, "3003", "-4001", "Cy", ChatKind.GROUP)


async def an_admin() -> bool:
    return True


def button(reply: Reply, label: str) -> str:
    return next(
        b.data
        for message in reply
        for row in message.buttons
        for b in row
        if isinstance(b, Button) and b.label.startswith(label)
    )


async def todays_post(coach: Coach, clock: FakeClock) -> Reply:
    """The club, set up for every day, and today's club session post."""
    reply = await coach.command(ANA, "club", admin=an_admin)
    for label in ("Monday", "Thursday"):
        reply = await coach.button(ANA, button(reply, label), admin=an_admin)
    for typed in ("done", "18:30", "Berlin", "intermediate", "yes"):
        reply = await coach.text(ANA, typed, admin=an_admin)
    assert "Saved." in str(reply[0].text)
    async with coach.ctx.database.unit_of_work() as uow:
        club = await uow.clubs.find(platform="telegram", chat_id="-4001")
        assert club is not None
        today = coach.ctx.today(club.timezone or "UTC")
        return await clubs.session_post(Turn(coach.ctx, uow, ANA), club, today)


async def test_club_members_counts_i_did_it_and_says_what_each_number_means(
    coach: Coach, clock: FakeClock
) -> None:
    """Issue 27: "0 members have a personal plan; 0 trained in the last seven days" minutes
    after two members pressed "I did it"."""
    post = await todays_post(coach, clock)
    did_it = button(post, "💪 I did it")
    await coach.button(BEN, did_it)
    await coach.button(CY, did_it)
    clock.advance(minutes=5)
    text = str((await coach.command(ANA, "club", "members", admin=an_admin))[0].text)
    assert text.startswith("The last seven days, Tue 17 Nov to Mon 23 Nov\n")
    assert '• 2 people did strength work: everyone who pressed "I did it"' in text
    assert "• 2 strength sessions done in all" in text
    assert "• 0 members of the club have a personal plan with me" in text
    clock.advance(days=7)  # a week later, the seven days have moved on
    text = str((await coach.command(ANA, "club", "members", admin=an_admin))[0].text)
    assert "• 0 people did strength work" in text
