"""Schema migrations through Alembic, on the bot's own async engine."""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

logger = logging.getLogger(__name__)
MIGRATIONS = files("bot.storage") / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema up to ``revision``; a no-op when it is there already. Says so in one
    line when it changed the schema."""
    before, after = await _migrate(engine, command.upgrade, revision)
    if before != after:
        logger.info("database schema upgraded from %s to %s", before or "nothing", after)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Take the schema down to ``revision`` (``base`` empties it)."""
    await _migrate(engine, command.downgrade, revision)


async def _migrate(
    engine: AsyncEngine, step: Callable[[Config, str], None], revision: str
) -> tuple[str | None, str | None]:
    """Run ``step`` in one transaction. On SQLite, with foreign keys off while it runs: batch
    mode rebuilds a table by copying it and dropping the old one, and dropping a table with
    foreign keys on deletes every row that cascades from it. They are checked before the
    commit, and the connection is then closed, so the next one starts with them on. Returns
    the schema's revision before and after."""
    sqlite = engine.dialect.name == "sqlite"
    async with engine.connect() as connection:
        try:
            if sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            moved = await connection.run_sync(lambda sync: _step(sync, step, revision))
            if sqlite and (broken := (await connection.exec_driver_sql(_CHECK)).first()):
                raise RuntimeError(f"a migration broke a foreign key: {tuple(broken)}")
            await connection.commit()
        finally:
            if sqlite:
                await connection.invalidate()
    return moved


def _step(
    connection: Connection, step: Callable[[Config, str], None], revision: str
) -> tuple[str | None, str | None]:
    """Run ``step``; the schema's revision before and after it."""
    before = MigrationContext.configure(connection).get_current_revision()
    step(alembic_config(connection), revision)
    return before, MigrationContext.configure(connection).get_current_revision()


_CHECK = "PRAGMA foreign_key_check"
