"""SQLite's WAL stays small: checkpoints on a task of their own, every few seconds; a WAL that
starts over is cut back to ``WAL_LIMIT``, and one still over it is truncated."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert

from bot.storage import sqlite
from bot.storage.checkpoints import CHECKPOINT_SECONDS, Checkpoints
from bot.storage.database import Database
from tests.database_fixtures import statements

metadata = MetaData()
notes = Table("notes", metadata, Column("id", Integer, primary_key=True), Column("text", String))
PAGE = "x" * 4000  # a row a page


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "wal.db"


@pytest.fixture
async def database(path: Path) -> AsyncIterator[Database]:
    database = Database.from_url(f"sqlite+aiosqlite:///{path}")
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield database
    await database.dispose()


def size(path: Path | str) -> int:
    return os.stat(path).st_size


def wal(path: Path) -> int:
    return size(f"{path}-wal")


async def write(database: Database, rows: int) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(insert(notes), [{"text": PAGE} for _ in range(rows)])


async def test_a_checkpoint_truncates_a_wal_over_the_limit(database: Database, path: Path) -> None:
    await write(database, 1500)  # about 6 MiB of pages
    assert wal(path) > sqlite.WAL_LIMIT

    await Checkpoints(database).run_once()

    assert wal(path) == 0
    assert size(path) > 6_000_000  # every page is in the database file


async def test_a_wal_that_starts_over_is_cut_back_to_the_limit(
    database: Database, path: Path
) -> None:
    """What keeps it small when the truncating checkpoint cannot run (a reader holds it)."""
    await write(database, 1500)
    async with database.engine.connect() as connection:
        await connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
    assert wal(path) > sqlite.WAL_LIMIT

    await write(database, 1)  # the next commit starts the WAL over

    assert wal(path) <= sqlite.WAL_LIMIT


class Rounds:
    """A sleep that ends when the test sets its gate (``gates`` hands each out as the sleep
    begins); records how long each was asked to be."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self.gates: asyncio.Queue[asyncio.Event] = asyncio.Queue()

    async def sleep(self, seconds: float) -> None:
        self.asked.append(seconds)
        gate = asyncio.Event()
        await self.gates.put(gate)
        await gate.wait()


async def test_checkpoints_run_every_few_seconds_on_a_task_of_their_own(
    database: Database,
) -> None:
    rounds = Rounds()
    checkpoints = Checkpoints(database, sleep=rounds.sleep)
    with statements(database, naming="wal_checkpoint") as seen:
        checkpoints.start()
        gate = await rounds.gates.get()
        assert seen == []  # the first waits its turn
        for done in (1, 2, 3):
            gate.set()
            gate = await rounds.gates.get()  # asked once the checkpoint is over
            assert len(seen) == done
        await checkpoints.stop()

    assert rounds.asked == [CHECKPOINT_SECONDS] * 4
