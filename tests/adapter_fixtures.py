"""Fixtures the adapter and web suites share: they run on a SQLite file only, since the
storage, service and scheduler suites cover PostgreSQL; and one coach on the test's clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.storage.database import Database, create_engine
from tests.conftest import FakeClock


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A SQLite file of the test's own."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'adapter.sqlite3'}")
    yield engine
    await engine.dispose()


@pytest.fixture
def coach(database: Database, clock: FakeClock) -> Coach:
    """The coach on the test's database and clock, suggesting Europe/Berlin."""
    return Coach(ServiceContext(database, clock, "Europe/Berlin"))
