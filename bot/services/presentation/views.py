"""What presentation reads: small frozen copies of the stored plan and profile.

The words (``sessions.py``, the calendar entries) are written from these, never from ORM
rows, so presentation knows nothing of storage; ``bot.services.plans.views`` copies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time


@dataclass(frozen=True, slots=True)
class ExerciseView:
    """One exercise of a session, with its dose."""

    exercise_id: str
    name: str
    sets: int
    reps: int | None
    hold_s: int | None
    load: str
    tempo: str | None
    range: str | None
    cues: tuple[str, ...]
    cues_emphasised: bool


@dataclass(frozen=True, slots=True)
class SessionView:
    """One planned session."""

    date: date
    kind: str
    minutes: int
    after_run: bool
    exercises: tuple[ExerciseView, ...]
    rules: tuple[str, ...] = ()  # the rule IDs that shaped it (a check-in's C2, C5, C6)


@dataclass(frozen=True, slots=True)
class ChangeView:
    """One plan change, as /history lists it."""

    effective_date: date
    why: str
    rules: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProfileView:
    """The runner's answers, as the summary they check."""

    experience: str
    week: tuple[tuple[int, str], ...]  # (weekday, rest|easy|hard|long), Monday first
    trail_runs_per_week: int | None
    race_date: date | None
    race_name: str | None
    equipment: tuple[str, ...]
    sessions_per_week: int
    reminder_time: time
    timezone: str
    week_preview: bool
