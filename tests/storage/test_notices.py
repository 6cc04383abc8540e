"""Notices between instances (issue 30): sent at the commit, never on a rollback, split to
fit PostgreSQL's limit, and heard again once a lost listening connection is opened anew."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from bot.storage.database import Database
from bot.storage.notices import MAX_BYTES, Listener, notify, payloads


def test_lines_are_split_over_as_few_notices_as_fit() -> None:
    lines = [f"User:{n:09d}" for n in range(2_000)]  # 15 bytes each with its newline

    chunks = payloads(lines)

    assert [line for chunk in chunks for line in chunk.split("\n")] == lines
    assert all(len(chunk.encode()) <= MAX_BYTES for chunk in chunks)
    assert len(chunks) == 4  # 30,000 bytes in 7,900-byte notices


async def notify_then_fail(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await notify(uow.session, "telegram_updates", ["User:3"])
        raise RuntimeError("rolled back")


async def heard_within(heard: list[str], count: int) -> None:
    async with asyncio.timeout(10):  # a deadline, not a pause: the notice comes at once
        while len(heard) < count:  # noqa: ASYNC110 - told by asyncpg's callback
            await asyncio.sleep(0.01)


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
async def test_a_notice_is_heard_at_the_commit_never_on_a_rollback_and_after_a_lost_connection(
    database: Database,
) -> None:
    heard: list[str] = []
    listener = Listener(database.engine, "telegram_updates", heard.extend)
    await listener.keep_listening()
    try:
        async with database.unit_of_work() as uow:
            await notify(uow.session, "telegram_updates", ["User:1", "User:2"])
            assert heard == []  # not before the commit
        await heard_within(heard, 2)
        with pytest.raises(RuntimeError):
            await notify_then_fail(database)

        async with database.unit_of_work() as uow:  # the listening connection is cut
            await uow.session.execute(
                text(  # this test's own: its channel names its schema
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE query LIKE 'LISTEN%' AND query LIKE '%' || current_schema() || '%'"
                )
            )
        async with asyncio.timeout(10):
            while listener.listening:  # noqa: ASYNC110 - asyncpg notices the cut by itself
                await asyncio.sleep(0.01)
        await listener.keep_listening()
        async with database.unit_of_work() as uow:
            await notify(uow.session, "telegram_updates", ["User:4"])
        await heard_within(heard, 3)
        assert heard == ["User:1", "User:2", "User:4"]
    finally:
        await listener.close()
