"""The exercise library, loaded from ``data/exercises.toml`` and validated once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from types import MappingProxyType

from bot.coaching.datafile import Table, read_toml
from bot.coaching.errors import CoachingDataError
from bot.coaching.profile import Equipment


class Family(StrEnum):
    """Which part of the library an exercise belongs to."""

    FOUNDATION = "foundation"
    HAMSTRING = "hamstring"
    RECOVERY = "recovery"


class Tag(StrEnum):
    """What an exercise trains."""

    CONTROL = "control"
    STRENGTH = "strength"
    ECCENTRIC = "eccentric"
    HEAVY = "heavy"


class Joint(StrEnum):
    """The joints (and the hamstring) an exercise loads; the pain rules C2/C8 work on these."""

    KNEE = "knee"
    HIP = "hip"
    LOWER_BACK = "lower_back"
    ANKLE = "ankle"
    HAMSTRING = "hamstring"


class Side(StrEnum):
    """What per-side work is counted on: each leg, or each side (hand, arm, half of the body)."""

    LEG = "leg"
    SIDE = "side"


class Gate(StrEnum):
    """A report the runner must give before an exercise is reached (C9)."""

    HIPS_LEVEL = "hips_level"


@dataclass(frozen=True, slots=True)
class DoseRange:
    """Sets, reps or hold seconds (as ranges), how they grow, tempo, ranges (C10), loads (P8)."""

    sets: tuple[int, int]
    reps: tuple[int, int] | None
    hold_s: tuple[int, int] | None
    step: int
    tempo: str
    ranges: tuple[str, ...] = ()
    loads: tuple[str, ...] = ()
    in_minutes: bool = False  # a hold given in minutes (a walk); ``hold_s`` is still seconds

    @property
    def steps(self) -> tuple[tuple[str | None, int], ...]:
        """Each dose step as (range of motion, reps or seconds): range first, then amount (C10)."""
        low, high = self.reps or self.hold_s or (0, 0)
        amounts = tuple(range(low, high + 1, self.step))
        if amounts[-1] != high:
            amounts = (*amounts, high)
        if not self.ranges:
            return tuple((None, amount) for amount in amounts)
        widening = tuple((span, low) for span in self.ranges)
        return widening + tuple((self.ranges[-1], amount) for amount in amounts[1:])


@dataclass(frozen=True, slots=True)
class Exercise:
    """One exercise of the library."""

    id: str
    name: str
    family: Family
    tags: tuple[Tag, ...]
    level: int
    equipment: frozenset[Equipment]
    regression: str | None
    progression: str | None
    joints: tuple[Joint, ...]
    cues: tuple[str, ...]
    dose: DoseRange
    per_side: Side | None = None  # reps or seconds are for each leg or side; None: counted once
    rest_s: int = 60  # rest between sets
    pattern: str = ""  # a movement pattern shared with other exercises (P5); "" = its own
    gate: Gate | None = None

    @property
    def each(self) -> str:
        """``each leg`` or ``each side`` for per-side work, "" for work counted once."""
        return f"each {self.per_side}" if self.per_side else ""

    @property
    def heavy(self) -> bool:
        """Heavy eccentric work: the Nordic variants (P3, C6)."""
        return Tag.HEAVY in self.tags

    @property
    def movement(self) -> str:
        """Its movement pattern: two exercises with the same one never share a session (P5)."""
        return self.pattern or self.id

    @property
    def eccentric(self) -> bool:
        """Slow lowering work, which stays off the day before a long run (P12)."""
        return Tag.ECCENTRIC in self.tags

    @property
    def control_only(self) -> bool:
        """Pure control work, which comes before load (P5)."""
        return self.tags == (Tag.CONTROL,)


@dataclass(frozen=True, slots=True)
class Library:
    """All exercises by id, in file order."""

    exercises: Mapping[str, Exercise]

    def __getitem__(self, exercise_id: str) -> Exercise:
        return self.exercises[exercise_id]

    def asks_hips_level(self, exercise_ids: Iterable[str]) -> bool:
        """Whether a session with these exercises leads to a gate on level hips (C9)."""
        for exercise_id in exercise_ids:
            exercise = self.exercises.get(exercise_id)
            following = exercise.progression if exercise is not None else None
            if following is not None and self.exercises[following].gate is Gate.HIPS_LEVEL:
                return True
        return False

    def family(self, family: Family) -> tuple[Exercise, ...]:
        """The exercises of one family, in file order."""
        return tuple(e for e in self.exercises.values() if e.family is family)


def _dose(table: Table) -> DoseRange:
    given = [key for key in ("reps", "hold_s", "minutes") if table.has(key)]
    if len(given) != 1:
        raise table.fail("reps", "give exactly one of reps, hold_s or minutes")
    hold: tuple[int, int] | None = None
    if given == ["hold_s"]:
        hold = table.span("hold_s")
    elif given == ["minutes"]:
        low, high = table.span("minutes")
        hold = (low * 60, high * 60)
    in_minutes = given == ["minutes"]
    return DoseRange(
        sets=table.span("sets"),
        reps=table.span("reps") if given == ["reps"] else None,
        hold_s=hold,
        step=table.integer("step", 1, 3600) * (60 if in_minutes else 1),
        tempo=table.text("tempo"),
        ranges=table.texts("ranges", 1, 5) if table.has("ranges") else (),
        loads=table.texts("loads", 1, 5) if table.has("loads") else (),
        in_minutes=in_minutes,
    )


def _per_side(table: Table) -> Side | None:
    """``per_side``: "leg" or "side", or false for work counted once."""
    if table.has("per_side") and table.data["per_side"] is False:
        return None
    return table.choice("per_side", Side)


def _link(table: Table, key: str) -> str | None:
    return table.text(key, empty=True).strip() or None


def _exercise(table: Table) -> Exercise:
    return Exercise(
        id=table.text("id"),
        name=table.text("name"),
        family=table.choice("family", Family),
        tags=table.choices("tags", Tag, low=1),
        level=table.integer("level", 1, 3),
        equipment=frozenset(table.choices("equipment", Equipment)),
        regression=_link(table, "regression"),
        progression=_link(table, "progression"),
        joints=table.choices("joints", Joint, low=1),
        cues=table.texts("cues", 2, 4),
        dose=_dose(table.table("dose")),
        per_side=_per_side(table),
        rest_s=table.integer("rest_s", 0, 600),
        pattern=table.text("pattern") if table.has("pattern") else "",
        gate=table.choice("gate", Gate) if table.has("gate") else None,
    )


def load_library(path: Path | None = None) -> Library:
    """Load and validate an exercise file (default: the packaged one)."""
    name, document = read_toml(path, "exercises.toml")
    entries = document.get("exercise")
    if not isinstance(entries, list) or not entries:
        raise CoachingDataError(f"{name}: expected a list of [[exercise]] tables")
    exercises: dict[str, Exercise] = {}
    for index, entry in enumerate(entries):
        label = entry.get("id") if isinstance(entry, dict) else None
        where = f"{name}: exercise {label if isinstance(label, str) else f'#{index + 1}'}"
        table = Table(entry, where)
        exercise = _exercise(table)
        if exercise.id in exercises:
            raise table.fail("id", f"duplicate id {exercise.id!r}")
        exercises[exercise.id] = exercise
    for exercise in exercises.values():
        for key, target in (
            ("regression", exercise.regression),
            ("progression", exercise.progression),
        ):
            if target is not None and target not in exercises:
                raise CoachingDataError(
                    f"{name}: exercise {exercise.id}: {key}: unknown exercise id {target!r}"
                )
    return Library(MappingProxyType(exercises))


@cache
def library() -> Library:
    """The packaged library, loaded once per process."""
    return load_library()
