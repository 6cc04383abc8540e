"""Shared fixtures and pytest plugins for the whole suite."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

# python-telegram-bot 22 warns (an error here) whenever a time period is read as an int, e.g.
# `RetryAfter.retry_after`; opt in to the coming `datetime.timedelta` values instead.
os.environ["PTB_TIMEDELTA"] = "true"

pytest_plugins = ["tests.database_fixtures", "tests.fake_telegram.fixtures"]


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An environment free of the bot's settings, working in an empty folder."""
    monkeypatch.chdir(tmp_path)
    prefixes = ("TELEGRAM_", "DATABASE_URL", "WEBHOOK_", "DEFAULT_TIMEZONE", "LOG_LEVEL")
    for name in [k for k in os.environ if k.startswith(prefixes)]:
        monkeypatch.delenv(name)
    return dict(os.environ)


@dataclass
class FakeClock:
    """A clock that stands still until the test moves it."""

    now: datetime = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    """The injected clock: 08:00 UTC on Monday 23 November 2026, until moved."""
    return FakeClock()
