"""The real week (issue 31): each day's kind from the runner's running plan where it names the
day, the declared week elsewhere; the planner's rules (P2, P3, P12) hold against those days."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coaching import DayKind, Experience, HistoryEvent, Plan, Profile, SessionStatus, plan
from bot.coaching.real_week import RealWeek, kind_on
from tests.coaching.helpers import MONDAY, day, decided, good, runner

WEEKS = 4
WINDOW = 14  # the real week reaches two weeks from the first open day

profiles = st.builds(
    Profile,
    experience=st.sampled_from(Experience),
    week=st.tuples(*[st.sampled_from(DayKind)] * 7),
    sessions_per_week=st.sampled_from((1, 2)),
)


@st.composite
def feeds(draw: st.DrawFn) -> tuple[Profile, RealWeek]:
    """A random declared week and a random feed: some days of the window, each a random kind."""
    profile = draw(profiles)
    since = MONDAY + timedelta(days=draw(st.integers(0, 13)))
    named = draw(st.dictionaries(st.integers(0, WINDOW - 1), st.sampled_from(DayKind)))
    days = {since + timedelta(days=offset): kind for offset, kind in named.items()}
    return profile, RealWeek(since, days)


def _kinds(profile: Profile, real: RealWeek, when: date, days: int) -> list[DayKind]:
    return [kind_on(profile, real.days, when + timedelta(days=n)) for n in range(days + 1)]


def _planned(profile: Profile, real: RealWeek) -> Plan:
    return plan(profile, start=MONDAY, weeks=WEEKS, real=(real,))


@settings(max_examples=150, deadline=None)
@given(feeds())
def test_p2_p3_p12_property_no_session_breaks_the_rules_against_the_feeds_days(case) -> None:
    profile, real = case
    result = _planned(profile, real)
    sessions = [s for s in result.sessions if s.date >= real.since]
    heavy = [s for s in result.sessions if any(i.heavy_eccentric for i in s.exercises)]
    first_heavy = heavy[0].date if heavy else None
    for session in sessions:
        kind, tomorrow = _kinds(profile, real, session.date, 1)
        assert kind in (DayKind.REST, DayKind.EASY)  # P2: a non-running day, or an easy one
        assert tomorrow is not DayKind.HARD  # P2: never the day before a hard day
        assert session.after_run is (kind is DayKind.EASY)
        if tomorrow is DayKind.LONG:  # P12: nothing eccentric before a long run
            assert not any(i.exercise.eccentric for i in session.exercises)
        if any(i.heavy_eccentric for i in session.exercises):  # P3: 48 h, 72 h at first
            assert first_heavy is not None
            new = (session.date - first_heavy).days < 28
            ahead = _kinds(profile, real, session.date, 3 if new else 2)
            assert DayKind.LONG not in ahead
            assert DayKind.HARD not in ahead


@settings(max_examples=60, deadline=None)
@given(feeds())
def test_days_before_the_real_week_keep_what_the_declared_week_planned(case) -> None:
    profile, real = case
    declared = plan(profile, start=MONDAY, weeks=WEEKS)
    result = _planned(profile, real)
    before = [s for s in declared.sessions if s.date < real.since]
    assert [s for s in result.sessions if s.date < real.since] == before


def test_a_feed_naming_the_declared_days_changes_nothing() -> None:
    profile = runner("REHRELR")
    since = day(2)
    same = {since + timedelta(days=n): profile.day(since + timedelta(days=n)) for n in range(14)}
    assert (
        _planned(profile, RealWeek(since, same)).weeks
        == plan(profile, start=MONDAY, weeks=WEEKS).weeks
    )


def test_a_long_run_moved_to_sunday_moves_sundays_session() -> None:
    """Declared: Wednesday hard, Saturday long; the second week's sessions are Thursday and
    Sunday. The feed moves the long run to Sunday and makes Saturday easy: Sunday's session
    moves to Saturday, after the easy run and with nothing eccentric before the long run."""
    profile = runner("RRHRRLR")
    declared = plan(profile, start=MONDAY, weeks=2).weeks[1].sessions
    assert [s.date for s in declared] == [day(10), day(13)]
    moved = RealWeek(day(7), {day(12): DayKind.EASY, day(13): DayKind.LONG})
    real = _planned(profile, moved).weeks[1].sessions
    assert [s.date for s in real] == [day(10), day(12)]
    saturday = real[1]
    assert saturday.after_run  # P2: after the easy run
    assert not any(i.exercise.eccentric for i in saturday.exercises)  # P12


def test_each_version_of_the_real_week_takes_over_from_its_day_and_keeps_the_days_before() -> None:
    """Linked on Monday with Saturday long; on Friday the plan moves the long run to Sunday.
    The version from Friday lays out Friday on again; what the first version planned before
    Friday (Thursday's session) stays as it was."""
    profile = runner("RRHRRRR")
    first = RealWeek(day(7), {day(9): DayKind.HARD, day(12): DayKind.LONG})
    second = RealWeek(day(11), {day(12): DayKind.EASY, day(13): DayKind.LONG})
    once = plan(profile, start=MONDAY, weeks=2, real=(first,)).weeks[1].sessions
    twice = plan(profile, start=MONDAY, weeks=2, real=(second, first)).weeks[1].sessions
    before = [s for s in once if s.date < day(11)]
    assert before and [s for s in twice if s.date < day(11)] == before
    for session in twice:
        assert session.date != day(13)  # the long run's new day
        if session.date == day(12):
            assert not any(i.exercise.eccentric for i in session.exercises)  # P12


def test_the_real_weeks_runs_set_the_weeks_composition() -> None:
    """P4 counts the week's trail runs from the real week: a week of one run gets a heavier
    short session and a control session, as the declared week of one run would."""
    four_runs = runner("EEHRELR", experience="some")
    one_run = {day(7 + n): DayKind.REST for n in range(7)} | {day(12): DayKind.LONG}
    kinds = {s.kind for s in _planned(four_runs, RealWeek(day(7), one_run)).weeks[1].sessions}
    declared_one = runner("RRRRRLR", experience="some")
    expected = {s.kind for s in plan(declared_one, start=MONDAY, weeks=2).weeks[1].sessions}
    assert kinds == expected


def _lived(profile: Profile, real: tuple[RealWeek, ...], until: date) -> list[HistoryEvent]:
    """Every session planned before ``until``, done and reported well, as the runner lived
    the plan of ``real``."""
    history: list[HistoryEvent] = []
    while True:
        result = plan(profile, start=MONDAY, weeks=WEEKS, history=history, real=real)
        pending = [s for s in result.sessions if s.status is SessionStatus.PLANNED]
        if not pending or pending[0].date >= until:
            return history
        history.append(good(pending[0].date))


def test_a_version_naming_no_day_goes_back_to_the_declared_week_and_keeps_the_days_before() -> None:
    """The plan moves the long run to Sunday, so Saturday (declared long) holds a session,
    which the runner does and reports well, like every session before it. On Sunday they
    unlink the plan: a version with no days takes over from Sunday. The days before it and
    the decisions on their reports (P8, P10) stay as they were; by the declared week alone,
    Saturday's report would meet no session."""
    profile = runner("RRHRRLR")
    moved = RealWeek(day(7), {day(12): DayKind.EASY, day(13): DayKind.LONG})
    history = _lived(profile, (moved,), day(13))
    assert day(12) in [event.date for event in history]
    linked = plan(profile, start=MONDAY, weeks=WEEKS, history=history, real=(moved,))
    unlinked = (moved, RealWeek(day(13), {}))
    after = plan(profile, start=MONDAY, weeks=WEEKS, history=history, real=unlinked)
    assert [s for s in after.sessions if s.date < day(13)] == [
        s for s in linked.sessions if s.date < day(13)
    ]
    assert decided(after) == decided(linked)
    assert "P10" in decided(after)[-1][1]
    declared = plan(profile, start=MONDAY, weeks=WEEKS, history=history)
    assert decided(declared)[-1][1] == ()  # what losing the versions did: no session met
    for session in (s for s in after.sessions if s.date >= day(13)):  # P2: the declared week
        assert profile.day(session.date) in (DayKind.REST, DayKind.EASY)
        assert profile.day(session.date + timedelta(days=1)) is not DayKind.HARD
