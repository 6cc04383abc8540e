"""P6 phases of the season, decided from the race date; a week takes the phase of its start.

- ``race``: the week (7 days from its start) that holds the race day.
- ``taper``: a week reaching into the last ``taper_days`` (14) before the race, so every day
  of the last 14 is tapered; depending on the race weekday the taper spans 14-20 days.
- ``maintain``: a week starting up to ``maintain_max_weeks`` (8) weeks before the race.
- ``recovery``: the ``recovery_weeks`` (1) weeks after the race week: recovery sessions only.
- ``build``: everything else, including no race at all.

Independently of week boundaries, no strength goes on the race day or in the
``race_rest_days`` (4) days before it, nor on the days of the race week after the race.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from bot.coaching.rules import RuleSettings


class Phase(StrEnum):
    """Where a week sits relative to the race."""

    BUILD = "build"
    MAINTAIN = "maintain"
    TAPER = "taper"
    RACE = "race"
    RECOVERY = "recovery"


def phase_for(week_start: date, race: date | None, rules: RuleSettings) -> Phase:
    """The phase of the week starting on ``week_start`` (P6)."""
    if race is None:
        return Phase.BUILD
    days_to_race = (race - week_start).days
    if 0 <= days_to_race <= 6:
        return Phase.RACE
    if days_to_race < 0:
        recovering = -days_to_race <= 7 * rules.recovery_weeks
        return Phase.RECOVERY if recovering else Phase.BUILD
    if days_to_race - 6 <= rules.taper_days:
        return Phase.TAPER
    if days_to_race <= 7 * rules.maintain_max_weeks:
        return Phase.MAINTAIN
    return Phase.BUILD


def race_blocks(day: date, week_start: date, race: date | None, rules: RuleSettings) -> bool:
    """No strength on race day, in the days just before it, or after it in race week (P6)."""
    if race is None:
        return False
    before = 0 <= (race - day).days <= rules.race_rest_days
    after_in_race_week = week_start <= race < day
    return before or after_in_race_week
