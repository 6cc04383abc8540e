"""How long a session takes, counted from what it prescribes (P1: the warm-up included).

Each rep takes the seconds its tempo names ("3 s down, 1 s up" is 4 s; a range such as
"3-4 s" counts its middle, and a phase with no seconds, such as "pause", one second). A
tempo that names no seconds ("lower as slowly as you can") counts ``UNTIMED_REP_S``. Holds
count their seconds, a walk its minutes; work for each leg or side counts twice. After
every set but the session's last comes the exercise's rest: between its sets, and before
the next exercise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.coaching.model import Prescription

UNTIMED_REP_S = 4.0  # a slow, controlled rep when the tempo names no seconds
UNTIMED_PHASE_S = 1.0  # a phase of a timed tempo that names no seconds ("pause")
SECONDS = re.compile(r"(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?\s*s\b")


def _phase_seconds(phase: str) -> float | None:
    """The seconds one phase of a tempo names (a range by its middle); None if it names none."""
    found = SECONDS.findall(phase)
    if not found:
        return None
    return sum((float(low) + float(high or low)) / 2 for low, high in found)


def rep_seconds(tempo: str) -> float:
    """The seconds one rep takes at ``tempo``, e.g. 4.0 for "3 s down, 1 s up"."""
    phases = [_phase_seconds(phase) for phase in tempo.split(",") if phase.strip()]
    if all(seconds is None for seconds in phases):
        return UNTIMED_REP_S
    return sum(UNTIMED_PHASE_S if seconds is None else seconds for seconds in phases)


def prescription_seconds(item: Prescription) -> float:
    """One exercise's work and the rest after each of its sets, in seconds."""
    if item.hold_s is not None:
        per_set = float(item.hold_s)
    else:
        per_set = (item.reps or 0) * rep_seconds(item.tempo)
    sides = 2 if item.exercise.per_side else 1
    return item.sets * (per_set * sides + item.exercise.rest_s)


def session_minutes(exercises: Iterable[Prescription], warm_up_minutes: int) -> int:
    """The whole session in minutes, rounded, with ``warm_up_minutes`` before it."""
    items = list(exercises)
    done = items[-1].exercise.rest_s if items else 0  # no rest after the very last set
    seconds = warm_up_minutes * 60 + sum(prescription_seconds(item) for item in items) - done
    return max(1, round(seconds / 60))
