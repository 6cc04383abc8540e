"""Two bot processes on one PostgreSQL database never send the same reminder."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from bot.delivery.rate_limit import RateLimiter
from bot.delivery.route import Route
from bot.services.context import ServiceContext
from bot.services.presentation.replies import Message
from bot.storage.database import Database
from bot.storage.models import Dispatch, DispatchKind, PlannedSession, Runner, RunningDay
from schedules.dispatch import Delivery, Dispatcher
from tests.conftest import FakeClock
from tests.factories import runner_row

ROWS = 5_000
DAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


class CountingNotifier:
    """Counts every message per chat; yields to the loop like a network call would."""

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()

    async def send(self, chat_id: str, message: Message, *, nonce: str) -> str:
        await asyncio.sleep(0)
        self.sent[chat_id] += 1
        return str(sum(self.sent.values()))


async def seed(database: Database) -> None:
    runners = [
        runner_row(
            n, NOW, started_on=DAY - timedelta(days=7), planned_until=DAY + timedelta(days=30)
        )
        for n in range(1, ROWS + 1)
    ]
    async with database.unit_of_work() as uow:
        await uow.session.execute(insert(Runner), runners)
        await uow.session.execute(
            insert(RunningDay),
            [{"runner_id": n, "weekday": 0, "kind": "rest"} for n in range(1, ROWS + 1)],
        )
        await uow.session.execute(
            insert(PlannedSession),
            [
                {
                    "runner_id": n,
                    "date": DAY,
                    "kind": "focused",
                    "phase": "build",
                    "minutes": 30,
                    "after_run": False,
                    "rules": [],
                    "created_at": NOW,
                }
                for n in range(1, ROWS + 1)
            ],
        )
        await uow.session.execute(
            insert(Dispatch),
            [
                {"runner_id": n, "kind": DispatchKind.SESSION, "local_date": DAY, "due_at": NOW}
                for n in range(1, ROWS + 1)
            ],
        )


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
async def test_two_dispatchers_send_each_of_5000_rows_exactly_once(database: Database) -> None:
    await seed(database)
    notifier = CountingNotifier()
    ctx = ServiceContext(database, FakeClock(NOW))
    dispatchers = [
        Dispatcher(ctx, {"telegram": Route(notifier, RateLimiter(1_000_000))}, Delivery(batch=200))
        for _ in range(2)
    ]
    counts = await asyncio.gather(*(d.run(NOW) for d in dispatchers))
    assert len(notifier.sent) == ROWS
    assert set(notifier.sent.values()) == {1}
    assert counts[0]["sent"] + counts[1]["sent"] == ROWS
    assert counts[0]["sent"] > 0 and counts[1]["sent"] > 0
