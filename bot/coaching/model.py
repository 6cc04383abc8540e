"""The planner's output: prescriptions, sessions, weeks, changes and the plan, with JSON.

The JSON shape is documented in ``docs/plan-format.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from bot.coaching.checkpoint import Checkpoint
from bot.coaching.decisions import Decision
from bot.coaching.library import Exercise, Tag
from bot.coaching.phases import Phase

BODYWEIGHT = "bodyweight"

JsonDict = dict[str, Any]


class SessionKind(StrEnum):
    """What a session is for (P4, C6)."""

    CONTROL = "control"
    HEAVY = "heavy"
    FOCUSED = "focused"
    MAINTENANCE = "maintenance"
    RECOVERY = "recovery"


class SessionStatus(StrEnum):
    """Where a session stands in the history."""

    PLANNED = "planned"  # in the future, or not yet reported
    DONE = "done"  # feedback says full or partial
    SKIPPED = "skipped"  # feedback says skipped: dropped, not crammed (P9)
    MISSED = "missed"  # in the past with no feedback: dropped, not crammed (P9)


@dataclass(frozen=True, slots=True)
class Prescription:
    """One exercise with its dose for one session."""

    exercise: Exercise
    sets: int
    reps: int | None
    hold_s: int | None
    load: str = BODYWEIGHT
    tempo: str = ""
    range: str | None = None  # C10: range of motion for Nordic work
    cues_emphasised: bool = False  # C2: check your form on this one

    @property
    def cues(self) -> tuple[str, ...]:
        """The exercise's form cues."""
        return self.exercise.cues

    @property
    def heavy_eccentric(self) -> bool:
        """Nordic work, or eccentric work with external load (P3)."""
        loaded = self.load != BODYWEIGHT and Tag.ECCENTRIC in self.exercise.tags
        return self.exercise.heavy or loaded

    def to_json(self) -> JsonDict:
        """The documented exercise object."""
        exercise = self.exercise
        return {
            "id": exercise.id,
            "name": exercise.name,
            "family": exercise.family.value,
            "tags": [tag.value for tag in exercise.tags],
            "joints": [joint.value for joint in exercise.joints],
            "sets": self.sets,
            "reps": self.reps,
            "hold_s": self.hold_s,
            "load": self.load,
            "tempo": self.tempo,
            "range": self.range,
            "per_side": self.exercise.per_side,
            "rest_s": self.exercise.rest_s,
            "cues": list(self.cues),
            "cues_emphasised": self.cues_emphasised,
        }


@dataclass(frozen=True, slots=True)
class Session:
    """One strength (or recovery) session on one date."""

    date: date
    kind: SessionKind
    minutes: int
    exercises: tuple[Prescription, ...]
    rules: tuple[str, ...]  # the rule IDs that shaped it, so a UI can say why
    status: SessionStatus = SessionStatus.PLANNED
    after_run: bool = False  # on an easy-run day: do it after the run (P2)
    warm_up: tuple[str, ...] = ()  # the named warm-up moves (none before a recovery session)

    def to_json(self) -> JsonDict:
        """The documented session object."""
        return {
            "date": self.date.isoformat(),
            "kind": self.kind.value,
            "minutes": self.minutes,
            "status": self.status.value,
            "after_run": self.after_run,
            "warm_up": list(self.warm_up),
            "rules": list(self.rules),
            "exercises": [item.to_json() for item in self.exercises],
        }


@dataclass(frozen=True, slots=True)
class Week:
    """Seven days from ``start`` and their sessions."""

    start: date
    phase: Phase
    sessions: tuple[Session, ...]

    def to_json(self) -> JsonDict:
        """The documented week object."""
        return {
            "start": self.start.isoformat(),
            "phase": self.phase.value,
            "sessions": [session.to_json() for session in self.sessions],
        }


@dataclass(frozen=True, slots=True)
class Change:
    """A change to the plan and the rules behind it, with one plain sentence per rule."""

    date: date
    rules: tuple[str, ...]
    why: str

    def to_json(self) -> JsonDict:
        """The documented change object."""
        return {"date": self.date.isoformat(), "rules": list(self.rules), "why": self.why}


@dataclass(frozen=True, slots=True)
class Plan:
    """Week plans, the changes made while replaying the history, and whether C7 paused it."""

    weeks: tuple[Week, ...]
    changes: tuple[Change, ...]
    paused: bool
    decisions: tuple[Decision, ...] = field(default=(), compare=False, repr=False)
    checkpoint: Checkpoint | None = field(default=None, compare=False, repr=False)

    @property
    def sessions(self) -> tuple[Session, ...]:
        """Every session of every week, in date order."""
        return tuple(session for week in self.weeks for session in week.sessions)

    def to_json(self) -> JsonDict:
        """The documented plan object (``docs/plan-format.md``)."""
        return {
            "weeks": [week.to_json() for week in self.weeks],
            "changes": [change.to_json() for change in self.changes],
            "paused": self.paused,
        }
