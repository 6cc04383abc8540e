"""The tick deletes settled reminder rows older than the retention window, a batch at a time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.storage.models import DispatchKind, DispatchStatus
from schedules.dispatch import Delivery
from tests.schedules.conftest import Reminders, add_runner

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
RETENTION = Delivery().retention
SETTLED = (
    DispatchStatus.SENT,
    DispatchStatus.FAILED,
    DispatchStatus.EXPIRED,
    DispatchStatus.CANCELLED,
    DispatchStatus.UNKNOWN,
)


async def add_rows(reminders: Reminders, runner_id: int, days_ago: range) -> None:
    rows = [
        {
            "runner_id": runner_id,
            "kind": DispatchKind.SESSION,
            "local_date": date(2026, 11, 23) - timedelta(days=n),
            "due_at": NOW - timedelta(days=n),
            "status": SETTLED[n % len(SETTLED)],
        }
        for n in days_ago
    ]
    async with reminders.database.unit_of_work() as uow:
        await uow.dispatches.add_new(rows)


async def test_settled_rows_older_than_the_window_are_deleted_and_the_rest_kept(
    reminders: Reminders,
) -> None:
    reminders.clock.now = NOW
    runner = await add_runner(reminders, plan=False)
    await add_rows(reminders, runner.id, range(1, 90))

    counts = await reminders.run()

    kept = await reminders.rows()
    assert counts["pruned"] == 89 - RETENTION.days
    assert {row.local_date for row in kept} == {
        date(2026, 11, 23) - timedelta(days=n) for n in range(1, RETENTION.days + 1)
    }
    assert {row.status for row in kept} == set(SETTLED)


async def test_pruning_goes_a_small_batch_per_tick_oldest_first(reminders: Reminders) -> None:
    reminders.clock.now = NOW
    runner = await add_runner(reminders, plan=False)
    await add_rows(reminders, runner.id, range(40, 40 + 2 * Delivery().prune_batch // 100))
    oldest = min(row.due_at for row in await reminders.rows())
    async with reminders.database.unit_of_work() as uow:
        pruned = await uow.dispatches.prune(before=NOW - RETENTION, limit=5)
    assert pruned == 5
    assert min(row.due_at for row in await reminders.rows()) == oldest + timedelta(days=5)


async def test_open_rows_are_never_pruned(reminders: Reminders) -> None:
    reminders.clock.now = NOW
    runner = await add_runner(reminders, plan=False)
    async with reminders.database.unit_of_work() as uow:
        await uow.dispatches.add_new(
            [
                {
                    "runner_id": runner.id,
                    "kind": kind,
                    "local_date": date(2026, 9, 1),
                    "due_at": NOW - 2 * RETENTION,
                    "status": status,
                }
                for kind, status in (
                    (DispatchKind.SESSION, DispatchStatus.PENDING),
                    (DispatchKind.CHECK_IN, DispatchStatus.CLAIMED),
                    (DispatchKind.WEEK_PREVIEW, DispatchStatus.SENDING),
                )
            ]
        )
        assert await uow.dispatches.prune(before=NOW - RETENTION, limit=100) == 0
