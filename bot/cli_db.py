"""``trailcoach db upgrade``: bring the database schema up to date."""

from __future__ import annotations

import argparse
import asyncio

from bot.settings import load_settings
from bot.storage.database import create_engine
from bot.storage.migrate import upgrade


def run_upgrade(_args: argparse.Namespace) -> int:
    """Upgrade the schema of the configured database to the newest revision."""
    settings = load_settings()
    asyncio.run(_upgrade(settings.database_url))
    print("The database schema is up to date.")
    return 0


async def _upgrade(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
