"""Hypothesis properties of the planner over random profiles and feedback (P2, P3, P6, P7, C7)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coaching import (
    BODYWEIGHT,
    Completed,
    DayKind,
    Equipment,
    Experience,
    Feedback,
    HistoryEvent,
    Legs,
    PainReport,
    PainSite,
    Phase,
    Plan,
    Profile,
    Resumed,
    SessionKind,
    SessionStatus,
    plan,
)
from bot.coaching.placement import strength_allowed
from tests.coaching.helpers import MONDAY

pytestmark = pytest.mark.slow  # hypothesis over random profiles and feedback

WEEKS = 8
FAST = settings(max_examples=60, deadline=None)

profiles = st.builds(
    Profile,
    experience=st.sampled_from(Experience),
    week=st.tuples(*[st.sampled_from(DayKind)] * 7),
    equipment=st.frozensets(st.sampled_from(Equipment)),
    sessions_per_week=st.sampled_from((1, 2)),
    race_date=st.none() | st.integers(0, 7 * WEEKS).map(lambda n: MONDAY + timedelta(days=n)),
)

answers = st.fixed_dictionaries(
    {
        "completed": st.sampled_from(Completed),
        "rpe": st.none() | st.integers(1, 10),
        "legs": st.none() | st.sampled_from(Legs),
        "pain": st.lists(
            st.builds(PainReport, st.sampled_from(PainSite), st.integers(0, 10), st.booleans()),
            max_size=2,
        ).map(tuple),
        "ran_normally": st.none() | st.booleans(),
        "descending_stiff": st.none() | st.booleans(),
        "hamstring_sensitive": st.none() | st.booleans(),
        "hips_level": st.none() | st.booleans(),
    }
)


@st.composite
def runners(draw: st.DrawFn, feedback: bool = True) -> tuple[Profile, list[HistoryEvent]]:
    """A random profile and random feedback on (some of) its session dates."""
    profile = draw(profiles)
    history: list[HistoryEvent] = []
    dates = [s.date for s in plan(profile, start=MONDAY, weeks=WEEKS).sessions]
    if feedback and dates:
        chosen: list[date] = draw(st.lists(st.sampled_from(dates), unique=True))
        history.extend(Feedback(when, **draw(answers)) for when in chosen)
    resume: bool = draw(st.booleans())
    if history and resume:
        gap: int = draw(st.integers(1, 9))
        history.append(Resumed(max(e.date for e in history) + timedelta(days=gap)))
    return profile, history


def replayed(case: tuple[Profile, list[HistoryEvent]]) -> tuple[Profile, list[HistoryEvent], Plan]:
    profile, history = case
    return profile, history, plan(profile, start=MONDAY, weeks=WEEKS, history=history)


def _ahead(profile: Profile, when: date, days: int) -> list[DayKind]:
    return [profile.day(when + timedelta(days=n)) for n in range(days + 1)]


@FAST
@given(runners())
def test_p2_property_no_session_on_a_hard_day_or_the_day_before(case) -> None:
    profile, _, result = replayed(case)
    for session in result.sessions:
        assert profile.day(session.date) in (DayKind.REST, DayKind.EASY)
        assert DayKind.HARD not in _ahead(profile, session.date, 1)


@FAST
@given(runners())
def test_p3_property_no_heavy_eccentric_work_within_the_gap_before_long_or_hard(case) -> None:
    profile, _, result = replayed(case)
    heavy = [s for s in result.sessions if any(i.heavy_eccentric for i in s.exercises)]
    happened = [s.date for s in heavy if s.status in (SessionStatus.DONE, SessionStatus.PLANNED)]
    first = happened[0] if happened else None
    for session in heavy:
        new = first is None or (session.date - first).days < 28
        ahead = _ahead(profile, session.date, 3 if new else 2)
        assert DayKind.LONG not in ahead
        assert DayKind.HARD not in ahead
    for week in result.weeks:
        assert sum(any(i.exercise.heavy for i in s.exercises) for s in week.sessions) <= 1


@FAST
@given(
    profiles.filter(lambda p: p.race_date is None).map(
        lambda p: Profile(Experience.NONE, p.week, p.equipment, p.sessions_per_week)
    )
)
def test_p7_property_from_nothing_two_control_sessions_in_the_first_two_weeks(profile) -> None:
    valid = [strength_allowed(profile.week, d, frozenset()) for d in range(7)]
    result = plan(profile, start=MONDAY, weeks=WEEKS)
    first = [s for w in result.weeks[:2] for s in w.sessions]
    assert len(first) == (2 if any(valid) else 0)
    assert all(s.kind is SessionKind.CONTROL for s in first)


@FAST
@given(runners())
def test_p7_property_no_external_load_for_a_runner_starting_from_nothing(case) -> None:
    profile, _, result = replayed(case)
    if profile.experience is Experience.NONE:
        assert all(i.load == BODYWEIGHT for s in result.sessions for i in s.exercises)


@FAST
@given(runners())
def test_p6_property_taper_by_race_day(case) -> None:
    profile, _, result = replayed(case)
    race = profile.race_date
    if race is None:
        return
    assert all(not 0 <= (race - s.date).days <= 4 for s in result.sessions)
    taper = [s for s in result.sessions if 0 < (race - s.date).days <= 14]
    windows = [((race - s.date).days - 1) // 7 for s in taper]
    assert len(windows) == len(set(windows))  # at most one session in each 7-day window
    for session in taper:
        assert session.kind in (SessionKind.MAINTENANCE, SessionKind.CONTROL, SessionKind.RECOVERY)
        assert not any(i.heavy_eccentric for i in session.exercises)
    assert all(
        s.kind is SessionKind.RECOVERY for s in result.sessions if 0 < (s.date - race).days <= 7
    )


@FAST
@given(runners())
def test_c7_property_open_red_flag_pauses_and_blocks_progression(case) -> None:
    _, history, result = replayed(case)
    flags = [e.date for e in history if isinstance(e, Feedback) and e.legs is Legs.RED_FLAG]
    resumed = [e.date for e in history if isinstance(e, Resumed)]
    open_flags = [d for d in flags if d >= max(resumed, default=date.min)]
    if not open_flags:
        return
    assert result.paused
    assert not any(s.date > open_flags[0] for s in result.sessions)
    assert not any("P8" in c.rules for c in result.changes if c.date >= open_flags[0])


@FAST
@given(runners())
def test_p12_property_no_strength_on_back_to_back_days(case) -> None:
    """Only the Floor may put a week's one session the day after the last week's last."""
    _, _, result = replayed(case)
    held = [
        (week_index, s)
        for week_index, week in enumerate(result.weeks)
        for s in week.sessions
        if s.status in (SessionStatus.DONE, SessionStatus.PLANNED)
    ]
    for (_, before), (index, after) in pairwise(held):
        if (after.date - before.date).days < 2:
            assert (
                len(result.weeks[index].sessions) == 1 and before.date < result.weeks[index].start
            )


@FAST
@given(runners())
def test_p5_property_one_exercise_per_movement_and_p12_no_eccentric_before_a_long_run(
    case,
) -> None:
    profile, _, result = replayed(case)
    for session in result.sessions:
        movements = [i.exercise.movement for i in session.exercises]
        assert len(movements) == len(set(movements))
        if profile.day(session.date + timedelta(days=1)) is DayKind.LONG:
            assert not any(i.exercise.eccentric for i in session.exercises)


@FAST
@given(runners())
def test_floor_property_a_week_with_a_valid_day_is_never_empty(case) -> None:
    """Outside the race's weeks and any red-flag pause, no rule empties a week."""
    profile, history, result = replayed(case)
    valid = any(strength_allowed(profile.week, weekday, frozenset()) for weekday in range(7))
    flags = [d.date for d in result.decisions if d.pause]
    resumes = [e.date for e in history if isinstance(e, Resumed)]
    race = profile.race_date
    for week in result.weeks:
        end = week.start + timedelta(days=6)
        near_race = race is not None and week.start - timedelta(days=7) <= race <= end + timedelta(
            days=14
        )
        held = any(
            flag <= end and not any(flag <= r <= week.start for r in resumes) for flag in flags
        )
        if valid and not held and not near_race and week.phase is Phase.BUILD:
            assert week.sessions, week.start
