"""The progress chart's data over scripted histories: what was planned and reported."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

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
from bot.coaching.progress import (
    PainMark,
    Planned,
    Progress,
    Rung,
    WeekTally,
    progress,
    shown_weeks,
)
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


def shown(result: Plan, history: list[HistoryEvent], today: date, **more: object) -> Progress:
    """The chart's data from the plan's sessions (as stored, day by day) and the history."""
    return progress(
        [Planned.of(session) for session in result.sessions],
        history,
        start=MONDAY,
        today=today,
        phase=Phase.BUILD,
        **more,  # type: ignore[arg-type]
    )


def test_a_new_runner_has_one_week_of_sessions_ahead_and_nothing_to_show() -> None:
    result = plan(PROFILE, start=MONDAY, weeks=2)
    data = shown(result, [], MONDAY)
    assert data.weeks == (WeekTally(MONDAY, done=0, not_done=0, ahead=2),)
    assert (data.ladder, data.pain, data.paused) == ((), (), False)
    assert data.empty


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
    data = shown(result, history, day(55), race_date=day(120))

    assert [(w.planned, w.done) for w in data.weeks] == [(2, 2)] * 3 + [(2, 1)] + [(2, 2)] * 4
    assert (data.planned, data.done, data.ahead) == (16, 15, 0)
    assert data.pain == (PainMark(day(34), 6, "knee"),)
    steps = [rung.step for rung in data.ladder]
    assert steps == [5, 6, 5, 6]  # up a variant, back down after the knee pain, up again
    assert data.ladder[2] == Rung(day(38), 5, "Slider curl (two legs)")
    assert data.race_date == day(120)
    assert not data.paused and not data.empty


def test_only_the_last_twelve_weeks_are_shown() -> None:
    result, history = replay(14, lambda session, _n: good(session.date))
    data = shown(result, history, day(14 * 7 - 1))
    assert len(data.weeks) == 12
    assert data.weeks[0].start == day(14)
    assert all(rung.date >= day(14) for rung in data.ladder)


def test_this_weeks_sessions_are_ahead_until_reported_and_a_past_one_unreported_is_not_done() -> (
    None
):
    result, history = replay(3, lambda session, _n: good(session.date))
    sessions = [s.date for s in result.sessions]
    week_three = [d for d in sessions if d >= day(14)]
    today = week_three[1]  # the week's second session is today, not yet reported
    reported = [e for e in history if e.date < week_three[0]]
    data = shown(result, reported, today)
    assert data.weeks[-1] == WeekTally(day(14), done=0, not_done=1, ahead=1)


def test_a_red_flag_pause_is_shown_and_counts_nothing_after_it() -> None:
    def report(session: Session, n: int) -> Feedback:
        if n == 4:
            return good(session.date, legs=Legs.RED_FLAG, pain=(PainReport(PainSite.KNEE, 7),))
        return good(session.date)

    result, history = replay(4, report)
    red_flag = history[-1].date
    stored = [s for s in result.sessions if s.date <= red_flag]  # C7 dropped the rest
    data = progress(
        [Planned.of(s) for s in stored],
        history,
        start=MONDAY,
        today=red_flag + timedelta(days=10),
        phase=Phase.BUILD,
        paused=True,
    )
    assert data.paused
    assert data.pain == (PainMark(red_flag, 7, "knee"),)
    assert all(rung.date <= red_flag for rung in data.ladder)
    assert data.done == sum(1 for e in history if e.date <= red_flag)


def test_the_weeks_shown_are_plan_weeks_from_the_start() -> None:
    thursday = MONDAY + timedelta(days=3)
    assert shown_weeks(thursday, thursday) == (thursday,)
    assert shown_weeks(thursday, thursday - timedelta(days=1)) == (thursday,)
    weeks = shown_weeks(thursday, thursday + timedelta(days=7 * 20 + 6))
    assert len(weeks) == 12
    assert weeks[-1] == thursday + timedelta(days=7 * 20)
    assert {week.weekday() for week in weeks} == {3}
