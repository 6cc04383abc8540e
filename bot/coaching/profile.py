"""What the coach knows about a runner (COACHING.md "the profile")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum


class DayKind(StrEnum):
    """One day of the runner's usual week."""

    REST = "rest"
    EASY = "easy"
    HARD = "hard"
    LONG = "long"


class Experience(StrEnum):
    """Strength-training background; ``level`` is the exercise level it may start at."""

    NONE = "none"
    SOME = "some"
    REGULAR = "regular"

    @property
    def level(self) -> int:
        """1, 2 or 3, matching the exercise ``level`` field."""
        return (Experience.NONE, Experience.SOME, Experience.REGULAR).index(self) + 1


class Equipment(StrEnum):
    """Kit the runner has (a towel on a smooth floor counts as sliders)."""

    STEP = "step"
    SLIDERS = "sliders"
    NORDIC_ANCHOR = "nordic_anchor"
    WEIGHTS = "weights"


@dataclass(frozen=True, slots=True)
class Reminder:
    """Local reminder time and IANA timezone; used by the scheduler, not by the planner."""

    time: time
    timezone: str


@dataclass(frozen=True, slots=True)
class Profile:
    """A runner's profile; ``week`` holds seven day kinds, Monday first."""

    experience: Experience
    week: tuple[DayKind, ...]
    equipment: frozenset[Equipment] = frozenset()
    sessions_per_week: int = 2
    race_date: date | None = None
    race_name: str | None = None
    trail_runs_per_week: int | None = None
    reminder: Reminder | None = None

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("week: expected seven days, Monday first")
        if self.sessions_per_week not in (1, 2):
            raise ValueError("sessions_per_week: expected 1 or 2")

    @property
    def trail_runs(self) -> int:
        """Trail runs a week: the runner's own count, else the running days of the week."""
        if self.trail_runs_per_week is not None:
            return self.trail_runs_per_week
        return sum(kind is not DayKind.REST for kind in self.week)

    def day(self, when: date) -> DayKind:
        """The kind of day ``when`` is in the usual week."""
        return self.week[when.weekday()]
