"""``trailcoach db upgrade``: bring the database schema up to date."""

from __future__ import annotations

import argparse
import asyncio

from bot.settings import Settings, load_settings
from bot.storage.database import Database


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
