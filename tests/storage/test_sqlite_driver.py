"""SQLite's driver: aiosqlite with each statement run in one step on the event loop's thread
(or on the connection's thread when asked), under SQLAlchemy."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import sqlite, sqlite_driver
from bot.storage.database import Database, create_engine
from bot.storage.faults import Cause, Fault, fault

metadata = MetaData()
notes = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text", String, unique=True, nullable=False),
)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "driver.db"


@pytest.fixture
async def engine(path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


@contextmanager
def threads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The thread each statement ran on while the block runs."""
    ran_on: list[int] = []
    original = sqlite_driver._execute

    def recorded(connection: sqlite3.Connection, sql: str, parameters: Any) -> Any:
        ran_on.append(threading.get_ident())
        return original(connection, sql, parameters)

    with monkeypatch.context() as patch:
        patch.setattr(sqlite_driver, "_execute", recorded)
        yield ran_on


@contextmanager
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every call queued to an aiosqlite connection's thread while the block runs."""
    queued: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, function: Any, *args: Any, **kw: Any) -> Any:
        queued.append(getattr(function, "__name__", "call"))
        return await original(self, function, *args, **kw)  # type: ignore[no-untyped-call]

    with monkeypatch.context() as patch:
        patch.setattr(aiosqlite.Connection, "_execute", counted)
        yield queued


async def test_a_query_runs_on_the_loops_thread_and_off_it_in_one_trip_when_asked(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(notes), [{"text": "Hill reps"}, {"text": "Zoë's 10k"}])
        with trips(monkeypatch) as queued, threads(monkeypatch) as ran_on:
            query = select(notes.c.text).order_by(notes.c.id)
            on_the_loop = (await connection.execute(query)).scalars().all()
            with sqlite_driver.off_the_loop():
                off_it = (await connection.execute(query)).scalars().all()

    assert on_the_loop == ["Hill reps", "Zoë's 10k"] == off_it
    assert ran_on[0] == threading.get_ident()
    assert ran_on[1] != threading.get_ident()
    assert len(queued) == 1  # off the loop: the statement and its rows, in one trip


async def test_writes_report_their_rows_and_ids(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        first = await connection.execute(insert(notes).values(text="Easy run"))
        many = await connection.execute(insert(notes), [{"text": "a"}, {"text": "b"}])
        changed = await connection.execute(
            update(notes).where(notes.c.text.in_(["a", "b"])).values(text=notes.c.text + "!")
        )
        returned = await connection.execute(
            update(notes).where(notes.c.id == 1).values(text="Long run").returning(notes.c.text)
        )

    assert first.inserted_primary_key == (1,)
    assert many.rowcount == 2
    assert changed.rowcount == 2
    assert returned.scalar_one() == "Long run"


async def test_a_failed_statement_raises_and_the_connection_goes_on(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        await connection.execute(insert(notes).values(text="Hill reps"))
        await connection.commit()
        with pytest.raises(IntegrityError):
            await connection.execute(insert(notes).values(text="Hill reps"))
        await connection.rollback()
        count = await connection.scalar(select(notes.c.id).where(notes.c.text == "Hill reps"))

    assert count == 1


async def test_a_streamed_result_hands_out_its_rows_in_parts(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(insert(notes), [{"text": f"run {n}"} for n in range(5)])
        streamed = await connection.stream(select(notes.c.text).order_by(notes.c.id))
        first_two = await streamed.fetchmany(2)
        third = await streamed.fetchone()
        rest = await streamed.all()

    assert [row.text for row in first_two] == ["run 0", "run 1"]
    assert third is not None and third.text == "run 2"
    assert [row.text for row in rest] == ["run 3", "run 4"]


@pytest.fixture
async def impatient(path: Path, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Writers of the file get no wait at all: from SQLite, nor from the process's queue."""
    queue = sqlite_driver.write_queue(str(path), timeout=5.0)
    assert queue is not None
    monkeypatch.setattr(queue, "timeout", 0)
    monkeypatch.setattr(sqlite, "BUSY_TIMEOUT", 0)
    await engine.dispose()  # connections made from now on have no patience


async def test_writers_in_one_process_take_turns_instead_of_polling_sqlites_lock(
    path: Path, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = sqlite_driver.write_queue(str(path), timeout=5.0)  # kept, with its patience
    monkeypatch.setattr(sqlite, "BUSY_TIMEOUT", 0)  # but SQLite's lock would refuse B at once
    await engine.dispose()  # new connections, with no patience for SQLite's lock
    a_wrote, a_may_commit = asyncio.Event(), asyncio.Event()
    order: list[str] = []

    async def writer_a() -> None:
        async with engine.begin() as connection:
            await connection.execute(insert(notes).values(text="A"))
            a_wrote.set()
            await a_may_commit.wait()
            order.append("A commits")

    async def writer_b() -> None:
        await a_wrote.wait()
        async with engine.begin() as connection:
            waiting = asyncio.ensure_future(connection.execute(insert(notes).values(text="B")))
            await asyncio.sleep(0)  # B is queued behind A...
            assert not waiting.done()
            a_may_commit.set()  # ...until A commits
            await waiting
            order.append("B wrote")

    await asyncio.gather(writer_a(), writer_b())

    assert order == ["A commits", "B wrote"]
    assert queue is not None and queue.timeout == 5.0
    async with engine.connect() as connection:
        assert (await connection.execute(select(notes.c.text))).scalars().all() == ["A", "B"]


async def test_a_writer_not_given_its_turn_in_time_hears_the_database_is_locked(
    engine: AsyncEngine, impatient: None
) -> None:
    async with engine.begin() as holding:
        await holding.execute(insert(notes).values(text="A"))
        async with engine.connect() as late:
            with pytest.raises(OperationalError, match="database is locked") as refused:
                await late.execute(insert(notes).values(text="B"))
    assert fault(refused.value) == Fault(Cause.LOCKED, "database is locked")  # as SQLite's own


async def test_an_autocommitted_write_and_a_rollback_end_the_turn(
    engine: AsyncEngine, impatient: None
) -> None:
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(insert(notes).values(text="A"))
        async with engine.connect() as other:
            await other.execute(insert(notes).values(text="B"))
            await other.rollback()
        async with engine.begin() as other:
            await other.execute(insert(notes).values(text="C"))

    async with engine.connect() as connection:
        assert (await connection.execute(select(notes.c.text))).scalars().all() == ["A", "C"]


async def test_ending_a_transaction_that_only_read_costs_no_trip(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with trips(monkeypatch) as queued:
        async with engine.connect() as connection:
            await connection.execute(select(notes.c.id))
        async with engine.begin() as connection:
            await connection.execute(select(notes.c.id))

    assert queued == []  # the queries ran on the loop; the commit and the pool's rollbacks
    # had nothing to do


@pytest.fixture
def other_process(path: Path, engine: AsyncEngine) -> Iterator[sqlite3.Connection]:
    """A connection of the file's own, as another process (the CLI, say) would have."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    yield other
    other.close()


async def test_sqlite_itself_never_sleeps_on_a_lock(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        busy_timeout = (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar()

    assert busy_timeout == 0  # the driver waits, in pauses of the event loop


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The driver's pauses between tries, on a virtual clock that each pause moves on."""
    taken: list[float] = []
    now = [0.0]

    async def pause(seconds: float) -> None:
        taken.append(seconds)
        now[0] += seconds
        await asyncio.sleep(0)  # the event loop has its turn

    monkeypatch.setattr(sqlite_driver, "clock", lambda: now[0])
    monkeypatch.setattr(sqlite_driver, "sleep", pause)
    return taken


async def test_a_lock_held_by_another_process_is_waited_out_in_pauses_of_the_event_loop(
    engine: AsyncEngine,
    other_process: sqlite3.Connection,
    pauses: list[float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other_process.execute("BEGIN IMMEDIATE")  # holds the write lock...
    pause = sqlite_driver.sleep

    async def then_let_go(seconds: float) -> None:
        await pause(seconds)
        if len(pauses) == 3:
            other_process.execute("COMMIT")  # ...for three pauses

    monkeypatch.setattr(sqlite_driver, "sleep", then_let_go)
    async with engine.begin() as connection:
        await connection.execute(insert(notes).values(text="Hill reps"))

    assert pauses == [0.001, 0.002, 0.004]  # not asleep in SQLite, which would hold the loop
    async with engine.connect() as connection:
        assert (await connection.execute(select(notes.c.text))).scalars().all() == ["Hill reps"]


async def test_a_lock_held_longer_than_the_patience_is_the_database_is_locked(
    engine: AsyncEngine, other_process: sqlite3.Connection, pauses: list[float]
) -> None:
    other_process.execute("BEGIN IMMEDIATE")

    async with engine.connect() as connection:
        with pytest.raises(OperationalError, match="database is locked"):
            await connection.execute(insert(notes).values(text="Hill reps"))
    other_process.execute("ROLLBACK")

    assert sum(pauses) == pytest.approx(sqlite.BUSY_TIMEOUT)
    assert max(pauses) == 0.05  # each pause short, so a freed lock is taken soon


async def test_a_write_and_its_commit_run_on_the_loop_and_off_it_only_when_asked(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with trips(monkeypatch) as queued:
        async with engine.begin() as connection:
            await connection.execute(insert(notes).values(text="A"))
        on_the_loop = list(queued)
        with sqlite_driver.off_the_loop():
            async with engine.begin() as connection:
                await connection.execute(insert(notes).values(text="B"))

    assert on_the_loop == []
    assert len(queued) == 2  # the insert and the commit


def size(path: Path) -> int:
    return path.stat().st_size


async def test_commits_leave_the_wal_to_the_checkpoint(path: Path, engine: AsyncEngine) -> None:
    database = Database(engine)
    page = "x" * 4000
    async with engine.begin() as connection:  # more than SQLite's default 1,000 WAL pages
        await connection.execute(insert(notes), [{"text": f"{n} {page}"} for n in range(1200)])
    before = size(path)

    await database.checkpoint()

    assert before < 100_000  # the rows are all in the WAL still...
    assert size(path) > 4_000_000  # ...until the checkpoint copies them over
