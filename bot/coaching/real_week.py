"""The real week: the runner's running days as their plan's calendar has them (issue 31).

The declared week (``Profile.week``) repeats; a real week does not. ``RealWeek`` holds the
kind of each day the runner's running plan names, from ``since`` on (the first day a replan
may still change); every other day keeps its declared kind. The planner's rules (P2, P3, P12,
C5) are unchanged: they read each day's kind through ``kind_on`` instead of the weekday.

``since`` works like a profile change (``ProfileChanged``): days before it were planned by the
declared week and keep what was planned then; the rest of that plan week is laid out again
from it. A version that names no day is the declared week again (the runner unlinked their
plan): the days before it keep what the versions before it planned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

from bot.coaching.profile import DayKind, Profile

AHEAD = 8
"""Days a placement rule looks at from a day: the day itself and the seven after it."""


@dataclass(frozen=True, slots=True)
class RealWeek:
    """Each day's kind from the runner's running plan, from ``since`` on."""

    since: date
    days: Mapping[date, DayKind] = field(default_factory=dict)

    def __post_init__(self) -> None:
        kept = {day: kind for day, kind in self.days.items() if day >= self.since}
        object.__setattr__(self, "days", MappingProxyType(kept))


def kind_on(profile: Profile, real: Mapping[date, DayKind], day: date) -> DayKind:
    """The kind of ``day``: the real week's where it names the day, else the declared one."""
    return real.get(day) or profile.day(day)


def days_ahead(profile: Profile, real: Mapping[date, DayKind], day: date) -> tuple[DayKind, ...]:
    """The kinds of ``day`` and of the seven days after it, as the placement rules read them
    (``bot.coaching.placement``, with ``day`` at index 0)."""
    return tuple(kind_on(profile, real, day + timedelta(days=n)) for n in range(AHEAD))
