"""The web server's routes on a SQLite file (the service suites cover PostgreSQL)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.storage.database import Database, create_engine
from tests.conftest import FakeClock

PUBLIC = "https://coach.example.org"


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'web.sqlite3'}")
    yield engine
    await engine.dispose()


@pytest.fixture
def webhook_coach(database: Database, clock: FakeClock) -> Coach:
    """The coach as ``trailcoach run`` builds it in webhook mode: with a public URL."""
    ctx = ServiceContext(database, clock, "Europe/Berlin")
    return Coach(dataclasses.replace(ctx, public_url=PUBLIC))
