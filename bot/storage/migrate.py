"""Schema migrations through Alembic, on the bot's own async engine."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = files("bot.storage") / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema up to ``revision``; a no-op when it is there already."""
    await _migrate(engine, command.upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Take the schema down to ``revision`` (``base`` empties it)."""
    await _migrate(engine, command.downgrade, revision)


async def _migrate(engine: AsyncEngine, step: Callable[[Config, str], None], revision: str) -> None:
    """Run ``step`` in one transaction. On SQLite, with foreign keys off while it runs: batch
    mode rebuilds a table by copying it and dropping the old one, and dropping a table with
    foreign keys on deletes every row that cascades from it. They are checked before the
    commit, and the connection is then closed, so the next one starts with them on."""
    sqlite = engine.dialect.name == "sqlite"
    async with engine.connect() as connection:
        try:
            if sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.run_sync(lambda sync: step(alembic_config(sync), revision))
            if sqlite and (broken := (await connection.exec_driver_sql(_CHECK)).first()):
                raise RuntimeError(f"a migration broke a foreign key: {tuple(broken)}")
            await connection.commit()
        finally:
            if sqlite:
                await connection.invalidate()


_CHECK = "PRAGMA foreign_key_check"
