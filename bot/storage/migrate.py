"""Schema migrations through Alembic, on the bot's own async engine."""

from __future__ import annotations

import logging
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
    async with engine.begin() as connection:
        before, after = await connection.run_sync(lambda sync: _upgrade(sync, revision))
    if before != after:
        logger.info("database schema upgraded from %s to %s", before or "nothing", after)


def _upgrade(connection: Connection, revision: str) -> tuple[str | None, str | None]:
    """The schema's revision before and after upgrading it to ``revision``."""
    before = MigrationContext.configure(connection).get_current_revision()
    command.upgrade(alembic_config(connection), revision)
    return before, MigrationContext.configure(connection).get_current_revision()


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Take the schema down to ``revision`` (``base`` empties it)."""
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))
