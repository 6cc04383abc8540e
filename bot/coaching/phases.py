"""P6 phases of the season, counted back from race day (never by plan week).

For a day ``n`` days before the race:

- ``race``: race day and the ``race_rest_days`` (4) days before it: no strength at all.
- ``taper``: the rest of the last ``taper_days`` (14): two 7-day windows before race day,
  each holding at most one short maintenance session, with no new heavy stimulus.
- ``maintain``: 15 days to ``maintain_max_weeks`` (8) weeks out: maintenance volume, and
  every exercise holds its variant and load.
- ``recovery``: the ``recovery_days`` (7) after the race: recovery sessions only.
- ``build``: everything else, including no race at all.

A plan week shows the phase of its first day.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from bot.coaching.rules import RuleSettings


class Phase(StrEnum):
    """Where a day sits relative to the race."""

    BUILD = "build"
    MAINTAIN = "maintain"
    TAPER = "taper"
    RACE = "race"
    RECOVERY = "recovery"


def phase_on(day: date, race: date | None, rules: RuleSettings) -> Phase:
    """The phase of one day (P6)."""
    if race is None:
        return Phase.BUILD
    days_to_race = (race - day).days
    if days_to_race < 0:
        return Phase.RECOVERY if -days_to_race <= rules.recovery_days else Phase.BUILD
    if days_to_race <= rules.race_rest_days:
        return Phase.RACE
    if days_to_race <= rules.taper_days:
        return Phase.TAPER
    if days_to_race <= 7 * rules.maintain_max_weeks:
        return Phase.MAINTAIN
    return Phase.BUILD


def taper_window(day: date, race: date | None) -> int | None:
    """Which 7-day window before race day holds ``day`` (0 = the last one), if any."""
    if race is None or day >= race:
        return None
    return ((race - day).days - 1) // 7
