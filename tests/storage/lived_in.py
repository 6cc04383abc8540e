"""A database the bot has lived in: a runner onboarded through the coach, a session done and a
check-in, a calendar link, a club with a member and a mark, and stored updates; and a
snapshot of every row, to compare two databases by."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.services.coach import Coach
from bot.services.context import Person, Platform, ServiceContext
from bot.services.infrastructure.inbound import Inbox
from bot.storage.database import Database
from bot.storage.models import Base, Club
from tests.conftest import KNEE_PAIN_CHECK_IN, FakeClock
from tests.services.conftest import Talker, go_to_next_session, log_done, onboard

Rows = dict[str, list[dict[str, Any]]]


async def live_in(database: Database, clock: FakeClock) -> Talker:
    """Fill ``database`` (at the newest schema) as a few days of use would; Ada, who did."""
    ctx = ServiceContext(database, clock, "Europe/Berlin", public_url="https://coach.example.org")
    ada = Talker(Coach(ctx), Person(Platform.TELEGRAM, "501", "501", "Ada"))
    await onboard(ada, kit=("Step or sturdy box",))
    await go_to_next_session(ada, clock)
    await log_done(ada, effort="Hard")
    clock.advance(days=1)
    await ada.follow(KNEE_PAIN_CHECK_IN)
    await ada.command("calendar")
    async with database.unit_of_work() as uow:
        runner = await uow.runners.find(platform="telegram", user_id="501")
        assert runner is not None
        club = await uow.clubs.add(Club(platform="telegram", chat_id="-100", chat_type="group"))
        await uow.clubs.join(club_id=club.id, runner_id=runner.id)
        await uow.clubs.toggle_mark(club_id=club.id, day=date(2026, 11, 25), user_id="501")
    inbox = Inbox(ctx, "telegram")
    await inbox.receive({41: {"message": {"text": "/today"}}, 42: {"message": {"text": "/week"}}})
    async with inbox.handling(41):
        pass  # handled with no write of its own: marked on its own
    return ada


async def rows(engine: AsyncEngine) -> Rows:
    """Every row of every table of the models, in primary-key order."""
    async with engine.connect() as connection:
        return {
            table.name: [
                dict(row)
                for row in (
                    await connection.execute(select(table).order_by(*table.primary_key.columns))
                ).mappings()
            ]
            for table in Base.metadata.sorted_tables
        }
