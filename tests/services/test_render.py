"""How sessions read: dose, tempo, cues, the warm-up; in neutral text, styled by span."""

from __future__ import annotations

from datetime import date

from bot.coaching import library, rules
from bot.services.plan_calendar import _entry
from bot.services.render import dose, session_text
from bot.services.text import Style
from bot.storage.models import PlannedExercise, PlannedSession


def long_session(exercises: int) -> PlannedSession:
    session = PlannedSession(date=date(2026, 11, 24), kind="focused", minutes=35, after_run=True)
    session.exercises = [
        PlannedExercise(
            position=n,
            exercise_id=f"x{n}",
            name=f"Exercise number {n}",
            sets=3,
            reps=8,
            hold_s=None,
            load="bodyweight",
            tempo="3 s down, 1 s up",
            cues=[f"Cue {n}.{k}: " + "keep it slow and steady " * 6 for k in range(4)],
            cues_emphasised=n % 2 == 0,
        )
        for n in range(exercises)
    ]
    return session


def test_session_text_shows_dose_tempo_and_cues() -> None:
    text = session_text(long_session(2))
    assert "About 35 minutes with the warm-up after your easy run." in text
    assert "1. Exercise number 0: 3 × 8, tempo 3 s down, 1 s up" in text
    assert "Check your form on this one" in text  # emphasised cues (C2) show all four
    assert str(text).count("Cue 1.") == 2  # otherwise one or two cues
    bold = [span.text for span in text.spans if span.style is Style.BOLD]
    assert bold == ["Tue 24 Nov: focused hamstring session", "Warm-up"] + [
        f"Exercise number {n}" for n in range(2)
    ]


def _item(exercise_id: str, **dose: object) -> PlannedExercise:
    exercise = library()[exercise_id]
    fields: dict[str, object] = {"sets": 3, "reps": None, "hold_s": None, "load": "bodyweight"}
    fields.update(dose)
    return PlannedExercise(
        position=0,
        exercise_id=exercise_id,
        name=exercise.name,
        tempo=exercise.dose.tempo,
        range=None,
        cues=list(exercise.cues),
        cues_emphasised=False,
        **fields,
    )


def test_a_session_can_be_followed_alone() -> None:
    """Defect 17: warm-up with named moves, each leg, rest, walk minutes, load, named mobility."""
    session = long_session(0)
    session.exercises = [
        _item("h3_single_leg_rdl", reps=8, load="a light dumbbell in the opposite hand"),
        _item("romanian_deadlift", reps=10),
    ]
    text = session_text(session)
    assert "Warm-up (about 5 minutes)" in text
    assert all(move in text for move in rules().warm_up)
    assert "3 × 8 each leg" in text
    assert "a light dumbbell in the opposite hand" in text
    assert "rest 60 s between sets" in text
    assert "3 × 10, tempo 3 s down, 1 s up, rest 75 s between sets" in text
    assert dose(_item("easy_walk", sets=1, hold_s=900)) == "15 minutes"
    assert "hip circles" in library()["gentle_mobility"].name


def _amount(exercise_id: str) -> PlannedExercise:
    """Its first dose step, as the planner prescribes it."""
    exercise = library()[exercise_id]
    reps, hold = exercise.dose.reps, exercise.dose.hold_s
    return _item(exercise_id, reps=reps[0] if reps else None, hold_s=hold[0] if hold else None)


def test_every_exercise_counted_per_side_says_each_leg_or_each_side() -> None:
    for exercise in library().exercises.values():
        text = dose(_amount(exercise.id))
        said = [side for side in ("each leg", "each side") if side in text]
        assert said == ([exercise.each] if exercise.per_side else []), exercise.id


def test_plank_shoulder_taps_are_counted_on_each_side() -> None:
    """The defect: "2 × 8 plank shoulder taps" with no "per side"."""
    assert dose(_item("core_anti_rotation", sets=2, reps=8)).startswith("2 × 8 each side,")
    session = long_session(0)
    session.exercises = [_item("core_anti_rotation", sets=2, reps=8)]
    assert "2 × 8 each side" in session_text(session)
    assert _entry(session, 1, cancelled=False).description.count("2 × 8 each side") == 1
