"""Session minutes are counted from the work a session prescribes (P1), not a constant."""

from __future__ import annotations

from datetime import date

import pytest

from bot.coaching import SessionKind, library, plan
from bot.coaching.duration import (
    UNTIMED_REP_S,
    prescription_seconds,
    rep_seconds,
    session_minutes,
)
from bot.coaching.model import Prescription
from tests.coaching.helpers import MONDAY, runner


@pytest.mark.parametrize(
    ("tempo", "seconds"),
    [
        ("3 s down, 1 s up", 4),
        ("2 s up, 2 s pause at the top, 2 s down", 6),
        ("1 s up, pause, 2 s down", 4),  # a pause without seconds: one second
        ("3-4 s down, 1 s up", 4.5),  # a range: its middle
        ("about 4 s out, 4 s back", 8),
        ("lower over 3-5 s, hands help you back", 5),
        ("lower as slowly as you can", UNTIMED_REP_S),
        ("slow and steady, one tap per breath", UNTIMED_REP_S),
        ("", UNTIMED_REP_S),
    ],
)
def test_a_rep_takes_the_seconds_its_tempo_names(tempo: str, seconds: float) -> None:
    assert rep_seconds(tempo) == seconds


def test_every_library_tempo_reads_as_a_sensible_rep() -> None:
    for exercise in library().exercises.values():
        assert 1 <= rep_seconds(exercise.dose.tempo) <= 10, exercise.id


def _dose(exercise_id: str, sets: int, reps: int | None, hold_s: int | None) -> Prescription:
    exercise = library()[exercise_id]
    return Prescription(exercise, sets, reps, hold_s, tempo=exercise.dose.tempo)


def test_work_counts_each_leg_and_the_rest_after_each_set() -> None:
    squat = _dose("single_leg_squat", 3, 8, None)  # 3 s down, 1 s up; each leg; rest 60 s
    assert prescription_seconds(squat) == 3 * 8 * 4 * 2 + 3 * 60
    bridge = _dose("h1_glute_bridge", 2, 10, None)  # 6 s a rep; rest 45 s
    assert prescription_seconds(bridge) == 2 * 10 * 6 + 2 * 45
    balance = _dose("hip_stability", 2, None, 30)  # each leg; rest 30 s
    assert prescription_seconds(balance) == 2 * 30 * 2 + 2 * 30
    walk = _dose("easy_walk", 1, None, 15 * 60)
    assert prescription_seconds(walk) == 15 * 60 + walk.exercise.rest_s


def test_session_minutes_add_the_warm_up_and_no_rest_after_the_last_set() -> None:
    """The rest after an exercise's last set is the move to the next exercise; none at the end."""
    items = (_dose("single_leg_squat", 3, 8, None), _dose("h1_glute_bridge", 2, 10, None))
    work = 3 * 8 * 4 * 2 + 3 * 60 + 2 * 10 * 6 + 45
    assert session_minutes(items, 5) == round(5 + work / 60)
    assert session_minutes(items, 0) == round(work / 60)


def test_the_planner_shows_the_minutes_a_session_holds() -> None:
    """The defect: "About 30 minutes" on a session of about 17 minutes of work."""
    sessions = plan(runner("REHRELR"), start=MONDAY, weeks=8).sessions
    for session in sessions:
        warm_up = 0 if session.kind is SessionKind.RECOVERY else 5
        assert session.minutes == session_minutes(session.exercises, warm_up)
    assert len({session.minutes for session in sessions}) > 1


def test_a_recovery_session_has_no_warm_up_in_its_minutes() -> None:
    race = date(2025, 3, 16)
    sessions = plan(runner("REHRELR", race_date=race), start=MONDAY, weeks=3).sessions
    recovery = [s for s in sessions if s.kind is SessionKind.RECOVERY]
    assert recovery
    for session in recovery:
        assert not session.warm_up
        assert session.minutes == session_minutes(session.exercises, 0)
