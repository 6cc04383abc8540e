"""Upgrades from every earlier revision, with a lived-in database in it (issue 29): each
revision is reached by migrating a used database down, then the bot's start upgrades it
again, keeping every row, and the bot carries on."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.services.coach import SORRY
from bot.services.context import ServiceContext
from bot.services.infrastructure.inbound import Inbox
from bot.storage.database import Database
from bot.storage.migrate import alembic_config, downgrade, upgrade
from bot.storage.models import Base
from tests.conftest import FakeClock
from tests.storage.lived_in import live_in
from tests.storage.test_migrations import model_differences

pytestmark = pytest.mark.slow  # migrates a used database through every revision

SCRIPTS = ScriptDirectory.from_config(alembic_config())
EARLIER = [script.revision for script in SCRIPTS.walk_revisions()][1:]  # newest first, no head


async def counts(engine: AsyncEngine) -> dict[str, int]:
    """Rows in each of the models' tables that exist now."""
    async with engine.connect() as connection:
        present = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        return {
            table.name: int(await connection.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
            if table.name in present
        }


async def revision(engine: AsyncEngine) -> str:
    async with engine.connect() as connection:
        return str(await connection.scalar(text("SELECT version_num FROM alembic_version")))


async def test_every_earlier_revision_with_data_in_it_upgrades_and_the_bot_carries_on(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    assert len(EARLIER) == 15  # 0001 to 0015, below the head
    await upgrade(engine)
    database = Database(engine)
    ada = await live_in(database, clock)
    for earlier in EARLIER:
        await downgrade(engine, earlier)
        assert await revision(engine) == earlier
        kept = await counts(engine)
        assert kept["runners"] == 1 and kept["session_logs"] == 1, earlier

        await ServiceContext(database, clock).prepare()  # what every start does

        assert await model_differences(engine) == [], earlier
        upgraded = await counts(engine)
        assert {table: upgraded[table] for table in kept} == kept, earlier
        for command in ("today", "week", "history", "export", "calendar"):
            reply = await ada.command(command)
            assert reply and SORRY not in str(reply[0].text), (earlier, command)
        assert "effort 8/10" in str((await ada.command("history"))[0].text)
        if "inbound_updates" in kept:
            assert [n for n, _ in await Inbox(ada.coach.ctx, "telegram").unhandled()] == [42]
        if engine.dialect.name == "sqlite":  # migrating turned them off, on its own connection
            async with engine.connect() as connection:
                assert await connection.scalar(text("PRAGMA foreign_keys")) == 1
