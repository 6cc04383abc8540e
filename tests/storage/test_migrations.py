"""The migrations create the schema the models describe, and can go down and up again."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.migrate import downgrade, upgrade
from bot.storage.models import Base
from tests.conftest import run_bot

EXPECTED_TABLES = set(Base.metadata.tables)


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    return set(names) - {"alembic_version"}


async def model_differences(engine: AsyncEngine) -> list[object]:
    def compare(sync_connection):
        context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with engine.connect() as connection:
        return await connection.run_sync(compare)


async def test_upgrade_downgrade_upgrade(engine: AsyncEngine) -> None:
    await upgrade(engine)
    assert await table_names(engine) == EXPECTED_TABLES
    await downgrade(engine, "base")
    assert await table_names(engine) == set()
    await upgrade(engine)
    assert await table_names(engine) == EXPECTED_TABLES


async def test_models_and_migrations_agree(engine: AsyncEngine) -> None:
    await upgrade(engine)
    assert await model_differences(engine) == []


async def test_upgrading_forgets_what_handled_updates_said_and_keeps_the_unhandled(
    engine: AsyncEngine,
) -> None:
    await upgrade(engine, "0008")
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO inbound_updates VALUES "
                "('telegram', 1, '{\"text\": \"Zoë\"}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), "
                "('telegram', 2, '{\"text\": \"/help\"}', CURRENT_TIMESTAMP, NULL)"
            )
        )
    await upgrade(engine)
    async with engine.connect() as connection:
        query = text("SELECT update_id, payload IS NULL FROM inbound_updates ORDER BY update_id")
        rows = (await connection.execute(query)).all()
    assert [tuple(row) for row in rows] == [(1, True), (2, False)]


async def test_upgrading_keeps_each_runners_profile_from_their_first_day(
    engine: AsyncEngine,
) -> None:
    """Issue 25: a runner who was there before profile versions gets their profile as the
    first version, so the next change is a change, not a new start."""
    await upgrade(engine, "0009")
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO runners (id, platform, platform_user_id, chat_id, status,"
                " experience, equipment, sessions_per_week, race_date, timezone, reminder_time,"
                " week_preview, started_on, created_at, updated_at) VALUES (7, 'telegram', '5',"
                " '5', 'active', 'some', '[\"step\"]', 2, '2027-05-15', 'UTC', '07:00:00',"
                " true, '2026-11-02', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        for weekday, kind in enumerate(("rest", "easy", "hard", "rest", "easy", "long", "rest")):
            await connection.execute(
                text("INSERT INTO running_days VALUES (7, :weekday, :kind)"),
                {"weekday": weekday, "kind": kind},
            )
    await upgrade(engine)
    async with engine.connect() as connection:
        query = text("SELECT runner_id, effective_on, profile FROM profile_versions")
        rows = (await connection.execute(query)).all()
    assert len(rows) == 1
    runner_id, effective_on, profile = rows[0]
    profile = json.loads(profile) if isinstance(profile, str) else profile
    assert (runner_id, str(effective_on)) == (7, "2026-11-02")
    assert profile["week"]["sat"] == "long" and profile["equipment"] == ["step"]
    assert profile["race_date"] == "2027-05-15" and profile["experience"] == "some"


async def test_upgrade_twice_is_harmless(engine: AsyncEngine) -> None:
    await upgrade(engine)
    await upgrade(engine)
    assert await table_names(engine) == EXPECTED_TABLES


@pytest.mark.slow
def test_db_upgrade_command_creates_schema_on_empty_sqlite_file(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    database = tmp_path / "coach.sqlite3"
    env = {**clean_env, "DATABASE_URL": f"sqlite:///{database}"}

    first = run_bot("db", "upgrade", env=env)
    second = run_bot("db", "upgrade", env=env)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "up to date" in second.stdout
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        assert {name for (name,) in rows} >= EXPECTED_TABLES


async def test_upgrading_gives_each_runner_a_calendar_key_of_their_own(
    engine: AsyncEngine,
) -> None:
    """Issue 28: the UIDs of a runner's calendar events come from a random key of theirs."""
    await upgrade(engine, "0010")
    async with engine.begin() as connection:
        for runner_id in (7, 8):
            await connection.execute(
                text(
                    "INSERT INTO runners (id, platform, platform_user_id, chat_id, status,"
                    " experience, equipment, sessions_per_week, timezone, reminder_time,"
                    " week_preview, started_on, created_at, updated_at) VALUES (:id,"
                    " 'telegram', :user, :user, 'active', 'some', '[]', 2, 'UTC', '07:00:00', true,"
                    " '2026-11-02', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"id": runner_id, "user": str(runner_id)},
            )
    await upgrade(engine)
    async with engine.connect() as connection:
        keys = (await connection.execute(text("SELECT calendar_key FROM runners"))).scalars()
        found = list(keys)
    assert len(found) == len(set(found)) == 2
    assert all(len(key) == 32 and int(key, 16) >= 0 for key in found)


async def test_an_upgrade_says_so_in_one_line_and_a_schema_up_to_date_says_nothing(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        await upgrade(engine)
        await upgrade(engine)
    said = [r.getMessage() for r in caplog.records if r.name.startswith(("bot", "alembic"))]
    (line,) = [message for message in said if message.startswith("database schema")]
    assert line.startswith("database schema upgraded from nothing to 00")
