"""The reminder tick on a test database and the fake Bot API, on virtual time."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, time
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Bot

from bot.delivery.rate_limit import RateLimiter
from bot.delivery.route import Route
from bot.services.coach import Coach
from bot.services.context import Person, Platform, ServiceContext
from bot.services.plans.reminder_plan import plan_reminders
from bot.storage.database import Database
from bot.storage.models import Dispatch, PlannedExercise, PlannedSession, Runner
from handlers.live_questions import LiveQuestions
from handlers.telegram.notifier import TelegramNotifier
from schedules.dispatch import Delivery, Dispatcher
from schedules.tick import Tick
from tests.conftest import FakeClock, VirtualTime
from tests.factories import make_runner
from tests.fake_telegram import FakeBotAPI
from tests.services.conftest import Talker


@dataclass
class Reminders:
    """The tick wired to the fake Bot API, driven by the test's clock."""

    database: Database
    clock: FakeClock
    api: FakeBotAPI
    ctx: ServiceContext
    time: VirtualTime
    tick: Tick
    bot: Bot
    notifier: TelegramNotifier

    async def run(self) -> Counter[str]:
        return await self.tick.run(self.clock.now)

    def restart(self) -> Reminders:
        """A fresh tick on the same database: what a restarted bot process would build."""
        return reminders_for(self.database, self.clock, self.api, self.bot)

    async def rows(self) -> list[Dispatch]:
        async with self.database.unit_of_work() as uow:
            query = select(Dispatch).order_by(Dispatch.due_at, Dispatch.id)
            return list((await uow.session.scalars(query)).all())

    def texts(self, chat_id: int) -> list[str]:
        return self.api.sent_texts(chat_id)


def reminders_for(
    database: Database,
    clock: FakeClock,
    api: FakeBotAPI,
    bot: Bot,
    virtual: VirtualTime | None = None,
    **context: Any,
) -> Reminders:
    """The tick as the application assembles it, with the PostgreSQL claim lease everywhere
    (``context``: more of the services' context, such as ``plan_fetch``)."""
    ctx = ServiceContext(database, clock, "Europe/Berlin", **context)
    virtual = virtual or VirtualTime()
    limiter = RateLimiter(30, clock=virtual, sleep=virtual.sleep)
    notifier = TelegramNotifier(bot, LiveQuestions())
    routes = {"telegram": Route(notifier, limiter)}
    dispatcher = Dispatcher(ctx, routes, Delivery(), sleep=virtual.sleep)
    return Reminders(database, clock, api, ctx, virtual, Tick(ctx, dispatcher), bot, notifier)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def virtual_time() -> VirtualTime:
    """The monotonic time the tick's limiter (and a fake built on it) runs on."""
    return VirtualTime()


@pytest.fixture
def context() -> dict[str, Any]:
    """More of the services' context than the defaults (a test module may say more)."""
    return {}


@pytest.fixture
def reminders(
    database: Database,
    clock: FakeClock,
    fake_api: FakeBotAPI,
    fake_bot: Bot,
    virtual_time: VirtualTime,
    context: dict[str, Any],
) -> Reminders:
    return reminders_for(database, clock, fake_api, fake_bot, virtual_time, **context)


@pytest.fixture
def coach(reminders: Reminders) -> Coach:
    return Coach(reminders.ctx)


@pytest.fixture
def talker(coach: Coach) -> Talker:
    return Talker(coach, Person(Platform.TELEGRAM, "501", "501", "Ada"))


async def add_runner(
    reminders: Reminders, *, sessions: tuple[date, ...] = (), plan: bool = True, **fields: Any
) -> Runner:
    """A stored runner with exactly the sessions on ``sessions``, and their reminders planned.

    The stored plan reaches far ahead, so the tick does not replay the coach's own plan.
    """
    fields.setdefault("planned_until", date(2099, 1, 1))
    async with reminders.database.unit_of_work() as uow:
        runner = await uow.runners.add(make_runner(**fields))
        for day in sessions:
            uow.session.add(planned_session(runner.id, day))
        await uow.session.flush()
        if plan:
            await plan_reminders(reminders.ctx, uow, runner)
        return runner


def planned_session(runner_id: int, day: date) -> PlannedSession:
    session = PlannedSession(
        runner_id=runner_id, date=day, kind="focused", phase="build", minutes=35, rules=[]
    )
    session.exercises = [
        PlannedExercise(
            position=0,
            exercise_id="glute_bridge_hold",
            name="Glute bridge with heel pressure",
            sets=3,
            reps=8,
            load="bodyweight",
            cues=["Drive through the heels", "Hold the top for 2 s"],
        )
    ]
    return session


BERLIN_7: dict[str, Any] = {
    "timezone": "Europe/Berlin",
    "reminder_time": time(7, 0),
    "week_preview": False,
}
