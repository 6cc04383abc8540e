"""Builders shared by the coaching tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from bot.coaching import (
    DayKind,
    Equipment,
    Experience,
    Feedback,
    HistoryEvent,
    Legs,
    Plan,
    Profile,
    SessionStatus,
    plan,
)

MONDAY = date(2025, 3, 3)
LETTERS = {"R": DayKind.REST, "E": DayKind.EASY, "H": DayKind.HARD, "L": DayKind.LONG}
ALL_KIT = frozenset(Equipment)


def week(pattern: str) -> tuple[DayKind, ...]:
    """``"REHREL R"`` style: R rest, E easy, H hard, L long; spaces ignored."""
    return tuple(LETTERS[letter] for letter in pattern.replace(" ", ""))


def runner(
    pattern: str = "REHRELR",
    experience: str = "some",
    equipment: Iterable[Equipment] = ALL_KIT,
    **extra: object,
) -> Profile:
    """A profile with a readable week pattern."""
    return Profile(
        experience=Experience(experience),
        week=week(pattern),
        equipment=frozenset(equipment),
        **extra,  # type: ignore[arg-type]
    )


def day(offset: int) -> date:
    """``MONDAY`` plus ``offset`` days."""
    return MONDAY + timedelta(days=offset)


def good(when: date, **answers: object) -> Feedback:
    """A session that went well: C4 passes (hips level too, for C9)."""
    fields: dict[str, object] = {
        "rpe": 5,
        "legs": Legs.FRESH,
        "ran_normally": True,
        "hips_level": True,
    }
    fields.update(answers)
    return Feedback(when, **fields)  # type: ignore[arg-type]


def train(
    profile: Profile, weeks: int, sessions: int | None = None, **answers: object
) -> tuple[Plan, list[HistoryEvent]]:
    """Replay ``sessions`` (default: all) planned sessions, each reported as ``good``."""
    history: list[HistoryEvent] = []
    while True:
        result = plan(profile, start=MONDAY, weeks=weeks, history=history)
        pending = [s for s in result.sessions if s.status is SessionStatus.PLANNED]
        if not pending or (sessions is not None and len(history) >= sessions):
            return result, history
        history.append(good(pending[0].date, **answers))


def decided(result: Plan) -> list[tuple[date, tuple[str, ...], tuple[str, ...]]]:
    """Each report's day, rules and the exercises waiting for their second pass (P10)."""
    return [(d.date, d.rules, tuple(e.id for e in d.waiting)) for d in result.decisions]
