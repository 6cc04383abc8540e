"""The reminder tick on a test database and the fake Bot API, on virtual time."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select
from telegram import Bot

from bot.delivery.rate_limit import RateLimiter
from bot.delivery.route import Route
from bot.services.coach import Coach
from bot.services.context import Person, Platform, ServiceContext
from bot.services.infrastructure.instances import Instance
from bot.services.plans.reminder_plan import plan_reminders
from bot.storage.database import Database
from bot.storage.models import (
    Dispatch,
    DispatchKind,
    PlannedExercise,
    PlannedSession,
    Runner,
    RunningDay,
)
from handlers.live_questions import LiveQuestions
from handlers.telegram.notifier import TelegramNotifier
from schedules.dispatch import Delivery, Dispatcher
from schedules.tick import Tick
from tests.conftest import FakeClock, VirtualTime
from tests.factories import make_runner, runner_row
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

    def restart(self, instance: Instance | None = None) -> Reminders:
        """A fresh tick on the same database: what a restarted bot process would build (as
        ``instance``, among several)."""
        return reminders_for(self.database, self.clock, self.api, self.bot, instance=instance)

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
    *,
    instance: Instance | None = None,
    **context: Any,
) -> Reminders:
    """The tick as the application assembles it, with the PostgreSQL claim lease everywhere
    (and ``instance``'s beats holding its claims, if given; ``context``: more of the
    services' context, such as ``plan_fetch``)."""
    ctx = ServiceContext(database, clock, "Europe/Berlin", **context)
    virtual = virtual or VirtualTime()
    limiter = RateLimiter(30, clock=virtual, sleep=virtual.sleep)
    notifier = TelegramNotifier(bot, LiveQuestions())
    routes = {"telegram": Route(notifier, limiter)}
    dispatcher = Dispatcher(ctx, routes, Delivery(), sleep=virtual.sleep, instance=instance)
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


async def seed_due(database: Database, rows: int, now: datetime) -> None:
    """``rows`` runners (ids, users and chats 1 to ``rows``), each with a session today and
    its reminder due at ``now``, inserted in bulk."""
    day = now.date()
    ids = range(1, rows + 1)
    runners = [
        runner_row(n, now, started_on=day - timedelta(days=7), planned_until=day + timedelta(30))
        for n in ids
    ]
    session = {"kind": "focused", "phase": "build", "minutes": 30, "after_run": False}
    async with database.unit_of_work() as uow:
        await uow.session.execute(insert(Runner), runners)
        await uow.session.execute(
            insert(RunningDay), [{"runner_id": n, "weekday": 0, "kind": "rest"} for n in ids]
        )
        await uow.session.execute(
            insert(PlannedSession),
            [{"runner_id": n, "date": day, "rules": [], "created_at": now, **session} for n in ids],
        )
        await uow.session.execute(
            insert(Dispatch),
            [
                {"runner_id": n, "kind": DispatchKind.SESSION, "local_date": day, "due_at": now}
                for n in ids
            ],
        )


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
