"""The progress chart's data over scripted histories."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.coaching import (
    Completed,
    Feedback,
    HistoryEvent,
    Legs,
    PainReport,
    PainSite,
    Phase,
    Plan,
    Session,
    SessionStatus,
    plan,
)
from bot.coaching.progress import PainMark, Rung, WeekTally, progress
from tests.coaching.helpers import MONDAY, day, good, runner

PROFILE = runner()
KNEE_PAIN = (PainReport(PainSite.KNEE, 6, False),)


def replay(
    weeks: int, report: Callable[[Session, int], Feedback]
) -> tuple[Plan, list[HistoryEvent]]:
    """Plan ``weeks`` weeks, reporting each session in turn as ``report`` says."""
    history: list[HistoryEvent] = []
    while True:
        result = plan(PROFILE, start=MONDAY, weeks=weeks, history=history)
        pending = [s for s in result.sessions if s.status is SessionStatus.PLANNED]
        if not pending or result.paused:
            return result, history
        history.append(report(pending[0], len(history)))


def test_a_new_runner_has_one_empty_week_and_nothing_else() -> None:
    result = plan(PROFILE, start=MONDAY, weeks=2)
    shown = progress(result, [], today=MONDAY)
    assert shown.weeks == (WeekTally(MONDAY, planned=0, done=0),)
    assert (shown.ladder, shown.pain, shown.paused) == ((), (), False)
    assert shown.phase is Phase.BUILD


def test_eight_weeks_with_a_lighter_week_a_skip_and_a_c2_step_down() -> None:
    def report(session: Session, n: int) -> Feedback:
        if session.date == day(24):  # the first session of the lighter fourth week (P11)
            return good(session.date, completed=Completed.SKIPPED)
        if session.date == day(34):
            return good(session.date, pain=KNEE_PAIN)  # C2: the next session eases off
        return good(session.date)

    result, history = replay(8, report)
    assert any("P11" in c.rules for c in result.changes)
    assert any("C2" in c.rules for c in result.changes)
    shown = progress(result, history, today=day(55), race_date=day(120))

    assert [(w.planned, w.done) for w in shown.weeks] == [(2, 2)] * 3 + [(2, 1)] + [(2, 2)] * 4
    assert (shown.planned, shown.done) == (16, 15)
    assert shown.pain == (PainMark(day(34), 6, "knee"),)
    steps = [rung.step for rung in shown.ladder]
    assert steps == [5, 6, 5, 6]  # up a variant, back down after the knee pain, up again
    assert shown.ladder[2] == Rung(day(38), 5, "Slider curl (two legs)")
    assert shown.race_date == day(120)
    assert not shown.paused


def test_only_the_last_twelve_weeks_are_shown() -> None:
    result, history = replay(14, lambda session, _n: good(session.date))
    shown = progress(result, history, today=day(14 * 7 - 1))
    assert len(shown.weeks) == 12
    assert shown.weeks[0].start == day(14)
    assert all(rung.date >= day(14) for rung in shown.ladder)


def test_a_red_flag_pauses_and_counts_nothing_after_it() -> None:
    def report(session: Session, n: int) -> Feedback:
        if n == 4:
            return good(session.date, legs=Legs.RED_FLAG, pain=(PainReport(PainSite.KNEE, 7),))
        return good(session.date)

    result, history = replay(4, report)
    red_flag = history[-1].date
    shown = progress(result, history, today=red_flag + timedelta(days=10))
    assert shown.paused
    assert shown.pain == (PainMark(red_flag, 7, "knee"),)
    assert all(rung.date <= red_flag for rung in shown.ladder)
    assert shown.done == sum(1 for e in history if e.date <= red_flag)
