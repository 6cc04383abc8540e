"""A plan resumed from a checkpoint is the full replay: same weeks, changes, decisions, pause."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coaching import Experience, Feedback, HistoryEvent, Plan, Profile, Resumed, plan
from bot.coaching.checkpoint import Checkpoint
from tests.coaching.helpers import MONDAY, week
from tests.coaching.test_properties import answers, profiles

WEEKS = 14
DAYS = 7 * WEEKS
FAST = settings(max_examples=60, deadline=None)


@st.composite
def tenures(draw: st.DrawFn) -> tuple[Profile, list[HistoryEvent], date]:
    """A random profile (a race in the horizon or not), reports, skips, resumes and ``as_of``."""
    profile = draw(profiles)
    sessions = [s.date for s in plan(profile, start=MONDAY, weeks=WEEKS).sessions]
    other_days = st.integers(0, DAYS - 1).map(lambda n: MONDAY + timedelta(days=n))
    days = st.sampled_from(sessions) | other_days if sessions else other_days
    reported = draw(st.lists(days, unique=True, max_size=30))
    history: list[HistoryEvent] = [Feedback(day, **draw(answers)) for day in reported]
    taken = set(reported)
    for day in draw(st.lists(other_days, max_size=3, unique=True)):
        if day not in taken:
            history.append(Resumed(day))
    as_of = draw(other_days)  # a service always says which day it is
    return profile, history, as_of


def replay(
    case: tuple[Profile, list[HistoryEvent], date],
    *,
    resume: Checkpoint | None = None,
    keep: date | None = None,
) -> Plan:
    profile, history, as_of = case
    if resume is not None:
        history = [event for event in history if event.date >= resume.day]  # what a service loads
    return plan(
        profile, start=MONDAY, weeks=WEEKS, history=history, as_of=as_of, resume=resume, keep=keep
    )


def through_json(checkpoint: Checkpoint) -> Checkpoint:
    return Checkpoint.from_json(json.loads(json.dumps(checkpoint.to_json())))


@pytest.mark.slow
@FAST
@given(case=tenures(), keep=st.integers(0, DAYS), later=st.integers(0, DAYS))
def test_a_resumed_plan_is_the_full_replay(
    case: tuple[Profile, list[HistoryEvent], date], keep: int, later: int
) -> None:
    first, second = sorted((MONDAY + timedelta(days=keep), MONDAY + timedelta(days=later)))
    full = replay(case, keep=first)
    checkpoint = full.checkpoint
    if checkpoint is None:
        return
    resumed = replay(case, resume=through_json(checkpoint), keep=second)

    assert resumed.weeks == full.weeks[checkpoint.week :]
    assert resumed.changes == tuple(c for c in full.changes if c.date >= checkpoint.day)
    assert resumed.decisions == tuple(d for d in full.decisions if d.date >= checkpoint.day)
    assert resumed.paused == full.paused
    assert resumed.checkpoint == replay(case, keep=second).checkpoint  # a checkpoint of a resume


def test_a_checkpoint_of_another_profile_is_refused() -> None:
    as_of = MONDAY + timedelta(days=20)
    runner = Profile(Experience.SOME, week("REHREL R"), sessions_per_week=2)
    checkpoint = replay((runner, [], as_of), keep=as_of).checkpoint
    assert checkpoint is not None
    other = replace(runner, sessions_per_week=1)
    with pytest.raises(ValueError, match="checkpoint"):
        replay((other, [], as_of), resume=checkpoint)
