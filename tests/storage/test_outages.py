"""A database that turns read-only or full at run time: one line when the outage starts, with
its cause, one when it ends, with the failures between; every part tries again on its own and
writes again once the database is fixed, without a restart."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from bot.services.context import ServiceContext
from bot.services.infrastructure.inbound import Inbox
from bot.settings import Settings
from bot.storage.checkpoints import Checkpoints
from bot.storage.database import Database
from bot.storage.journal import Outcome
from bot.storage.models import DispatchStatus
from bot.storage.outage import Outages
from schedules.scheduler import ReminderScheduler, reminder_scheduler
from tests.conftest import FakeClock, VirtualTime
from tests.database_fixtures import DiskSpace, ReadOnlyFile, modes_bind_here

PAYLOAD = {"update_id": 7, "message": {"text": "/start"}}
LARGE = {"update_id": 8, "message": {"text": "x" * 50_000}}  # needs pages the file lacks


@pytest.fixture
def sqlite_database(database: Database) -> Database:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("a SQLite file turning read-only or full")
    return database


@pytest.fixture
def time() -> VirtualTime:
    return VirtualTime()


@pytest.fixture
def ctx(sqlite_database: Database, time: VirtualTime) -> ServiceContext:
    sqlite_database.outages = Outages(clock=time)
    return ServiceContext(sqlite_database, FakeClock())


@pytest.fixture
def inbox(ctx: ServiceContext, time: VirtualTime) -> Inbox:
    return Inbox(ctx, "telegram", sleep=time.sleep)


@pytest.fixture
def scheduler(ctx: ServiceContext) -> ReminderScheduler:
    return reminder_scheduler(ctx, {}, Settings(_env_file=None))


def outage_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.storage.outage"]


async def test_a_database_turned_read_only_is_one_outage_and_writes_again_once_fixed(
    ctx: ServiceContext,
    inbox: Inbox,
    scheduler: ReminderScheduler,
    time: VirtualTime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    file = ReadOnlyFile(ctx.database)
    assert await inbox.receive({7: PAYLOAD}) == {7}
    await file.break_()

    with caplog.at_level(logging.INFO):
        for update_id in (8, 9):
            with pytest.raises(OperationalError, match="readonly"):
                await inbox.receive({update_id: {**PAYLOAD, "update_id": update_id}})
            await scheduler.run_once()  # the tick fails too, and raises nothing
            time.now += 30
        file.fix()  # the connections SQLite opened read-only stay so: they must go
        assert await inbox.receive({9: {**PAYLOAD, "update_id": 9}}) == {9}
        await scheduler.run_once()

    assert outage_lines(caplog) == [
        "database outage: read-only: attempt to write a readonly database (the inbox failed); "
        "retrying",
        "database answers again after 60 s; 4 failed tries during the outage",
    ]
    assert not [r for r in caplog.records if r.exc_info]  # no traceback at all


async def test_a_file_made_read_only_for_real_writes_again_once_it_and_its_wal_and_shm_are_fixed(
    ctx: ServiceContext, inbox: Inbox, tmp_path: Path
) -> None:
    """As ``ReadOnlyFile`` simulates above (it also runs as root, whom modes do not stop)."""
    if not modes_bind_here(tmp_path):
        pytest.skip("file modes do not stop root")
    file = ctx.database.file
    assert file is not None
    await ctx.database.engine.dispose()  # SQLite removes the -wal and -shm files
    os.chmod(file, 0o444)
    with pytest.raises(OperationalError, match="readonly"):
        await inbox.receive({7: PAYLOAD})  # made -wal and -shm read-only too
    os.chmod(file, 0o644)
    with pytest.raises(OperationalError, match="readonly"):
        await inbox.receive({7: PAYLOAD})

    for path in (file, Path(f"{file}-wal"), Path(f"{file}-shm")):
        os.chmod(path, 0o644)
    assert await inbox.receive({7: PAYLOAD}) == {7}


async def test_a_full_disk_is_one_outage_until_the_part_that_failed_writes_again(
    ctx: ServiceContext,
    inbox: Inbox,
    scheduler: ReminderScheduler,
    time: VirtualTime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    disk = DiskSpace(ctx.database)
    checkpoints = Checkpoints(ctx.database)
    assert await inbox.receive({7: PAYLOAD}) == {7}
    disk.fill()

    with caplog.at_level(logging.INFO):
        with pytest.raises(OperationalError, match="full"):
            await inbox.receive({8: LARGE})
        time.now += 30
        await scheduler.run_once()  # it had nothing to write...
        await checkpoints.run_once()
        assert len(outage_lines(caplog)) == 1  # ...so the inbox's outage goes on
        time.now += 30
        disk.free()
        assert await inbox.receive({8: LARGE}) == {8}

    assert outage_lines(caplog) == [
        "database outage: full: database or disk is full (the inbox failed); retrying",
        "database answers again after 60 s; 1 failed tries during the outage",
    ]


async def test_a_failure_that_is_no_outage_is_raised_as_before(
    scheduler: ReminderScheduler, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(_now: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(scheduler.tick, "run", broken)
    with pytest.raises(RuntimeError, match="a bug"):  # APScheduler logs it with its traceback
        await scheduler.run_once()


async def test_the_journal_writes_again_on_its_connection_once_the_database_is_fixed(
    ctx: ServiceContext,
) -> None:
    """A failure invalidates the journal's connection; its next write reconnects, instead of
    refusing until the connection is rolled back (``PendingRollbackError``)."""
    file = ReadOnlyFile(ctx.database)
    await file.break_()
    outcome = Outcome(1, DispatchStatus.SENT, FakeClock().now)
    async with ctx.database.journal() as journal:
        with pytest.raises(OperationalError, match="readonly"):
            await journal.record(outcome=outcome, start=None)
        file.fix()
        assert await journal.record(outcome=outcome, start=None) is False  # no start asked
