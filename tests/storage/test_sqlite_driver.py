"""SQLite's driver: aiosqlite with one trip to its thread a statement, under SQLAlchemy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.database import create_engine

metadata = MetaData()
notes = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text", String, unique=True, nullable=False),
)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


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


async def test_a_query_and_its_rows_take_one_trip_to_the_thread(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(notes), [{"text": "Hill reps"}, {"text": "Zoë's 10k"}])
        with trips(monkeypatch) as queued:
            rows = (await connection.execute(select(notes.c.text).order_by(notes.c.id))).all()

    assert [row.text for row in rows] == ["Hill reps", "Zoë's 10k"]
    assert len(queued) == 1


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
