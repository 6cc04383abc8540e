"""How sessions read: dose, tempo, cues, the warm-up; in neutral text, styled by span."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from bot.coaching import library, rules
from bot.coaching.explain import LIGHTER, LOSES_A_SET, RECOVERY, in_sentence
from bot.services.presentation.ics import session_entry
from bot.services.presentation.plan_moves import plan_moves
from bot.services.presentation.sessions import change_mark, dose, session_text, week_text
from bot.services.presentation.text import Style
from bot.services.presentation.views import ExerciseView, SessionView


def long_session(exercises: int) -> SessionView:
    items = tuple(
        ExerciseView(
            exercise_id=f"x{n}",
            name=f"Exercise number {n}",
            sets=3,
            reps=8,
            hold_s=None,
            load="bodyweight",
            tempo="3 s down, 1 s up",
            range=None,
            cues=tuple(f"Cue {n}.{k}: " + "keep it slow and steady " * 6 for k in range(4)),
            cues_emphasised=n % 2 == 0,
        )
        for n in range(exercises)
    )
    return SessionView(date(2026, 11, 24), "focused", 35, after_run=True, exercises=items)


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


def _item(
    exercise_id: str,
    *,
    sets: int = 3,
    reps: int | None = None,
    hold_s: int | None = None,
    load: str = "bodyweight",
) -> ExerciseView:
    exercise = library()[exercise_id]
    return ExerciseView(
        exercise_id=exercise_id,
        name=exercise.name,
        sets=sets,
        reps=reps,
        hold_s=hold_s,
        load=load,
        tempo=exercise.dose.tempo,
        range=None,
        cues=tuple(exercise.cues),
        cues_emphasised=False,
    )


def test_a_session_can_be_followed_alone() -> None:
    """Defect 17: warm-up with named moves, each leg, rest, walk minutes, load, named mobility."""
    session = replace(
        long_session(0),
        exercises=(
            _item("h3_single_leg_rdl", reps=8, load="a light dumbbell in the opposite hand"),
            _item("romanian_deadlift", reps=10),
        ),
    )
    text = session_text(session)
    assert "Warm-up (about 5 minutes)" in text
    assert all(move in text for move in rules().warm_up)
    assert "3 × 8 each leg" in text
    assert "a light dumbbell in the opposite hand" in text
    assert "rest 60 s between sets" in text
    assert "3 × 10, tempo 3 s down, 1 s up, rest 75 s between sets" in text
    assert dose(_item("easy_walk", sets=1, hold_s=900)) == "15 minutes"
    assert "hip circles" in library()["gentle_mobility"].name


def _amount(exercise_id: str) -> ExerciseView:
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
    session = replace(long_session(0), exercises=(_item("core_anti_rotation", sets=2, reps=8),))
    assert "2 × 8 each side" in session_text(session)
    start = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)
    event = session_entry(session, start, outcome=None, paused=False)
    assert event.description.count("2 × 8 each side") == 1


def _on(
    day: date, *items: ExerciseView, kind: str = "focused", shaped: tuple[str, ...] = ()
) -> SessionView:
    return SessionView(day, kind, 30, after_run=False, exercises=items, rules=shaped)


TUE, WED, THU = date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26)


def test_settings_say_which_session_moved_came_went_or_changed_and_how() -> None:
    step_down = _item("h4_step_down", sets=2, reps=6)
    bridge = _item("h1_glute_bridge", sets=2, reps=10)
    before = [_on(TUE, step_down, bridge), _on(THU, step_down)]
    after = [
        _on(WED, step_down, bridge),
        _on(THU, replace(step_down, reps=8), bridge, kind="heavy"),
        _on(date(2026, 12, 3), bridge),
    ]
    text = str(plan_moves(before, after))
    assert text.splitlines() == [
        "What changes in your next two weeks:",
        "• Moved: Tue 24 Nov to Wed 25 Nov.",
        "• Updated: Thu 26 Nov, now a heavier session (was a focused hamstring session); adds"
        f" {in_sentence(bridge.name)}; {in_sentence(step_down.name)} 2 × 6 each leg → 2 × 8 each"
        " leg.",
        "• New: Thu 3 Dec, a focused hamstring session.",
        "Every exercise keeps the progress you've made.",
    ]
    assert str(plan_moves(before, before)) == "Your upcoming sessions stay as they were."
    assert str(plan_moves(before, before[:1])).endswith(
        "• Dropped: Thu 26 Nov.\nEvery exercise keeps the progress you've made."
    )


def test_a_session_a_check_in_changed_is_marked_in_the_check_ins_words() -> None:
    eased = replace(_item("h4_step_down", sets=1, reps=6), cues_emphasised=True)
    lighter = _on(TUE, eased, _item("h1_glute_bridge", sets=2, reps=10), shaped=("C2", "P5"))
    assert change_mark(lighter) == (
        f"Changed after your check-in: {LIGHTER}: {in_sentence(eased.name)} 1 × 6 each leg"
    )
    assert "↳ Changed after your check-in" in str(week_text([lighter], title="Week"))
    assert change_mark(_on(TUE, eased, shaped=("C5",))).endswith(LOSES_A_SET)
    assert change_mark(_on(TUE, kind="recovery", shaped=("C6",))).endswith(f"{RECOVERY} instead")
    assert change_mark(_on(TUE, eased, shaped=("P5", "P11"))) == ""  # a lighter week is no check-in
