"""``trailcoach db``: upgrade the schema, back the database up or restore it, or copy it
into another database (``docs/operations.md``)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from bot.settings import Settings, load_settings, normalise_database_url
from bot.storage.backup import (
    BackupError,
    backup,
    pg_dump_command,
    pg_restore_command,
    restore,
    sqlite_file,
)
from bot.storage.copy import CopyError, copy_database
from bot.storage.database import Database, create_engine
from bot.storage.migrate import downgrade


def run_upgrade(_args: argparse.Namespace) -> int:
    """Upgrade the schema of the configured database to the newest revision."""
    asyncio.run(_upgrade(load_settings()))
    print("The database schema is up to date.")
    return 0


async def _upgrade(settings: Settings) -> None:
    database = Database.from_url(
        settings.database_url, connect_timeout=settings.database_connect_timeout
    )
    try:
        await database.prepare()
    finally:
        await database.dispose()


def run_downgrade(args: argparse.Namespace) -> int:
    """Take the schema of the configured database down to ``args.revision``."""
    settings = load_settings()
    asyncio.run(_downgrade(settings.database_url, args.revision))
    print(f"The database schema is at revision {args.revision}.")
    return 0


async def _downgrade(url: str, revision: str) -> None:
    engine = create_engine(url)
    try:
        await downgrade(engine, revision)
    finally:
        await engine.dispose()


def run_backup(args: argparse.Namespace) -> int:
    """Back the configured database up into ``args.path``."""

    def copy(database: Path) -> str:
        backup(database, args.path)
        return f"Backed up {database} into {args.path}."

    return _file_or_tool(
        args.path, copy, tool="PostgreSQL has its own backup tool; run:", command=pg_dump_command
    )


def run_restore(args: argparse.Namespace) -> int:
    """Replace the configured database with the backup at ``args.path``."""

    def copy(database: Path) -> str:
        restore(args.path, database)
        return f"Restored {database} from {args.path}; the bot upgrades its schema when it starts."

    return _file_or_tool(
        args.path,
        copy,
        tool="PostgreSQL has its own restore tool; stop the bot, then run:",
        command=pg_restore_command,
    )


def _file_or_tool(
    path: Path, copy: Callable[[Path], str], *, tool: str, command: Callable[[str, Path], str]
) -> int:
    """What backup and restore share: on SQLite, ``copy`` the configured database's file (to
    or from ``path``) and print what it says it did; on PostgreSQL, which has its own tools,
    print ``tool`` and the ``command`` to run with ``path``."""
    url = load_settings().database_url
    try:
        database = sqlite_file(url)
        if database is None:
            print(tool)
            print(command(url, path))
            return 0
        done = copy(database)
    except BackupError as error:
        return _fail(str(error))
    print(done)
    return 0


def run_copy(args: argparse.Namespace) -> int:
    """Copy every row of the configured database into the empty database at ``args.to``."""
    source = load_settings().database_url
    try:
        target = normalise_database_url(args.to)
    except ValueError as error:
        return _fail(f"--to: {error}")
    if target == source:
        return _fail("--to names the configured database itself")
    try:
        copied = asyncio.run(_copy(source, target))
    except CopyError as error:
        return _fail(str(error))
    print(f"Copied {sum(copied.values())} rows in {len(copied)} tables.")
    print("Set DATABASE_URL to the new database and start the bot.")
    return 0


async def _copy(source_url: str, target_url: str) -> dict[str, int]:
    source, target = create_engine(source_url), create_engine(target_url)
    try:
        return await copy_database(source, target)
    finally:
        await source.dispose()
        await target.dispose()


def _fail(line: str) -> int:
    print(f"trailcoach: {line}", file=sys.stderr)
    return 1
