"""Shared fixtures and pytest plugins for the whole suite."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

# python-telegram-bot 22 warns (an error here) whenever a time period is read as an int, e.g.
# `RetryAfter.retry_after`; opt in to the coming `datetime.timedelta` values instead.
os.environ["PTB_TIMEDELTA"] = "true"

pytest_plugins = [
    "tests.database_fixtures",
    "tests.fake_telegram.fixtures",
    "tests.fake_discord.loopback",
]


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An environment free of the bot's settings, working in an empty folder."""
    monkeypatch.chdir(tmp_path)
    prefixes = (
        "TELEGRAM_",
        "DISCORD_",
        "DATABASE_URL",
        "WEBHOOK_",
        "DEFAULT_TIMEZONE",
        "LOG_LEVEL",
    )
    for name in [k for k in os.environ if k.startswith(prefixes)]:
        monkeypatch.delenv(name)
    return dict(os.environ)


def run_bot(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot ARGS`` in a child process, as a person would from a shell."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@dataclass
class FakeClock:
    """A clock that stands still until the test moves it."""

    now: datetime = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class VirtualTime:
    """Monotonic time that only moves when someone sleeps; records every sleep."""

    now: float = 1_000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> FakeClock:
    """The injected clock: 08:00 UTC on Monday 23 November 2026, until moved."""
    return FakeClock()


WEEK = ("Rest", "Easy run", "Hard run", "Easy run", "Rest", "Long run", "Easy run")
Script = list[tuple[str, str]]
"""What a runner does, step by step: ("say", text or /command), ("press" | "toggle", label)."""


def onboarding(*, kit: tuple[str, ...] = ()) -> Script:
    """Every onboarding answer (a five-run week, no race, two sessions, 7:30 in Berlin)."""
    return [
        ("say", "/start"),
        ("press", "Some"),
        *(("press", kind) for kind in WEEK),
        ("press", "Yes, 5"),
        ("press", "No race planned"),
        *(("toggle", item) for item in kit),
        ("press", "Done" if kit else "None of these"),
        ("press", "Two (recommended)"),
        ("say", "7:30"),
        ("press", "Europe/Berlin"),
        ("press", "Looks good"),
    ]


TYPED_RACE = "Trail des Écrins ⛰️"
TYPED_ONBOARDING: Script = [
    ("say", "/start"),
    ("press", "Some"),
    *(("press", kind) for kind in WEEK),
    ("press", "Yes, 5"),
    ("say", f"15 May {TYPED_RACE}"),
    ("press", "None of these"),
    ("press", "Two (recommended)"),
    ("say", "6:45pm"),
    ("say", "Denver"),
    ("press", "Looks good"),
]
"""Onboarding with the race, the reminder time and the timezone typed, not pressed."""


KNEE_PAIN_CHECK_IN: Script = [
    ("say", "/checkin"),
    ("press", "Joint pain"),
    ("toggle", "Knee"),
    ("press", "Done"),
    ("press", "5"),
    ("press", "No, not yet"),
    ("press", "Yes"),
    ("press", "Fine"),
]


RED_FLAG_ANSWERS: Script = [
    ("press", "Sharp pain, bruising or weakness"),
    ("toggle", "Hamstring"),
    ("press", "Done"),
    ("press", "6"),
    ("press", "No, not yet"),
    ("press", "No"),
    ("press", "Hamstring feels sensitive"),
]
"""The answers of a check-in that reports a red flag (C7), once the check-in is open."""
