"""Factories for storage rows, with sensible defaults and keyword-only overrides."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from typing import Any

from bot.storage.models import Runner, RunningDay

_user_ids = itertools.count(1000)
DEFAULT_WEEK = ("rest", "easy", "hard", "easy", "rest", "long", "easy")


def make_runner(**overrides: Any) -> Runner:
    """A complete, onboarded Telegram runner."""
    user_id = str(next(_user_ids))
    week = overrides.pop("week", DEFAULT_WEEK)
    fields: dict[str, Any] = {
        "platform": "telegram",
        "platform_user_id": user_id,
        "chat_id": user_id,
        "display_name": "Ada",
        "experience": "some",
        "equipment": ["step", "sliders"],
        "sessions_per_week": 2,
        "timezone": "Europe/Berlin",
        "reminder_time": time(7, 0),
        "started_on": date(2026, 11, 16),
    }
    fields.update(overrides)
    runner = Runner(**fields)
    runner.week = [RunningDay(weekday=day, kind=kind) for day, kind in enumerate(week)]
    return runner


def runner_row(n: int, created: datetime, **overrides: Any) -> dict[str, Any]:
    """Runner ``n`` as a row for a bulk insert: id, Telegram user and chat are all ``n``."""
    return {
        "id": n,
        "platform": "telegram",
        "platform_user_id": str(n),
        "chat_id": str(n),
        "experience": "some",
        "equipment": [],
        "sessions_per_week": 2,
        "timezone": "Europe/Berlin",
        "reminder_time": time(7, 0),
        "week_preview": False,
        "started_on": date(2026, 11, 16),
        "status": "active",
        "created_at": created,
        "updated_at": created,
    } | overrides
