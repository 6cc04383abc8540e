"""The web server's routes on a SQLite file (the service suites cover PostgreSQL)."""

from __future__ import annotations

import dataclasses

import pytest

from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.storage.database import Database
from tests.adapter_fixtures import engine
from tests.conftest import FakeClock

__all__ = ["engine"]  # the shared fixtures, re-exported for this folder

PUBLIC = "https://coach.example.org"


@pytest.fixture
def webhook_coach(database: Database, clock: FakeClock) -> Coach:
    """The coach as ``trailcoach run`` builds it in webhook mode: with a public URL."""
    ctx = ServiceContext(database, clock, "Europe/Berlin")
    return Coach(dataclasses.replace(ctx, public_url=PUBLIC))
