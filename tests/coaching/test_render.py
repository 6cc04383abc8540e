"""The coach's plan table says each leg or each side wherever work is counted per side."""

from __future__ import annotations

from bot.coaching import Phase, SessionKind, library
from bot.coaching.model import Plan, Prescription, Session, Week
from bot.coaching.plan_table import plan_table
from tests.coaching.helpers import MONDAY


def _first_step(exercise_id: str) -> Prescription:
    dose = library()[exercise_id].dose
    reps = dose.reps[0] if dose.reps else None
    hold = dose.hold_s[0] if dose.hold_s else None
    return Prescription(library()[exercise_id], dose.sets[0], reps, hold, tempo=dose.tempo)


def test_plan_table_says_each_leg_or_each_side_for_every_per_side_exercise() -> None:
    items = tuple(_first_step(exercise_id) for exercise_id in library().exercises)
    session = Session(MONDAY, SessionKind.FOCUSED, 30, items, ("P1",))
    rows = plan_table(Plan((Week(MONDAY, Phase.BUILD, (session,)),), (), paused=False))
    for item in items:
        row = next(line for line in rows.splitlines() if item.exercise.name in line)
        said = [side for side in ("each leg", "each side") if side in row]
        assert said == ([item.exercise.each] if item.exercise.per_side else []), row
    assert "2 x 8 reps each side" in rows  # plank shoulder taps
