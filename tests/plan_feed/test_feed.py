"""A running plan's calendar read as local days (issue 31): recurring weeks with exceptions,
an all-day race, a moved long run, summer time ending inside the window, and events in
another timezone than the runner's, fetched from the loopback feed server."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.coaching import DayKind
from bot.coaching.run_kinds import RunKind, Usual
from bot.services.infrastructure.plan_fetch import FetchError, Problem, fetch
from bot.services.plans.plan_feed import readings, real_days, runs_in, usual_run
from tests.plan_feed.calendars import ACROSS_DST, ANOTHER_ZONE, WEEKLY_PLAN
from tests.plan_feed.server import FeedServer

MONDAY = date(2025, 7, 14)
SUNDAY_AFTER = date(2025, 7, 27)


def _days(runs) -> list[tuple[str, str]]:
    return [(run.day.strftime("%a %d %b"), run.title) for run in runs]


async def test_a_weekly_plan_with_exceptions_an_all_day_race_and_a_moved_long_run() -> None:
    async with FeedServer() as server:
        server.calendars["/plan.ics"] = WEEKLY_PLAN
        fetched = await fetch(server.url("/plan.ics"), limits=server.limits())
    assert fetched.body is not None
    runs = runs_in(fetched.body, "Europe/Paris", MONDAY, SUNDAY_AFTER)
    assert _days(runs) == [
        # Tuesday 15: EXDATE; Thursday 17's tempo is cancelled
        ("Thu 17 Jul", "Easy 45 min"),
        ("Sun 20 Jul", "Long run 32 km"),  # moved from Saturday 19 (RECURRENCE-ID)
        ("Tue 22 Jul", "Intervals 6 × 800 m"),
        ("Thu 24 Jul", "Easy 45 min"),
        ("Sat 26 Jul", "Long run 28 km"),
        ("Sat 26 Jul", "Trail des Cimes"),  # all day
    ]
    assert [run.minutes for run in runs] == [45, 210, 60, 45, 180, None]


def test_summer_time_ending_inside_the_window_keeps_each_runners_own_day() -> None:
    autumn = (date(2025, 10, 1), date(2025, 11, 30))
    in_berlin = runs_in(ACROSS_DST, "Europe/Berlin", *autumn)
    in_new_york = runs_in(ACROSS_DST, "America/New_York", *autumn)
    assert [r.day for r in in_berlin] == [date(2025, 10, 19), date(2025, 10, 26), date(2025, 11, 2)]
    assert [r.day for r in in_new_york] == [
        date(2025, 10, 18),  # 23:30 on Saturday in New York
        date(2025, 10, 26),  # Europe has left summer time, New York not yet: 00:30 Sunday
        date(2025, 11, 2),
    ]
    assert {r.minutes for r in in_berlin + in_new_york} == {40}


def test_events_in_another_timezone_fall_on_the_runners_local_day() -> None:
    runs = runs_in(ANOTHER_ZONE, "Europe/Paris", MONDAY, SUNDAY_AFTER)
    assert _days(runs) == [("Wed 16 Jul", "Tempo 3 x 10 min"), ("Fri 18 Jul", "Easy 30 min")]
    assert _days(runs_in(ANOTHER_ZONE, "America/New_York", MONDAY, SUNDAY_AFTER)) == [
        ("Tue 15 Jul", "Tempo 3 x 10 min"),
        ("Thu 17 Jul", "Easy 30 min"),  # 23:00 UTC is 19:00 in New York
    ]


def test_the_real_days_of_the_plan_leave_unknown_days_to_the_declared_week() -> None:
    runs = runs_in(WEEKLY_PLAN, "Europe/Paris", MONDAY, SUNDAY_AFTER)
    usual = usual_run(WEEKLY_PLAN, "Europe/Paris", MONDAY)
    assert usual == Usual(km=28, minutes=60)  # only the long runs name a distance
    read = readings(runs, usual, {})
    assert [r.kind for _, r in read] == [
        RunKind.EASY,
        RunKind.LONG,
        RunKind.HARD,
        RunKind.EASY,
        RunKind.LONG,
        None,  # "Trail des Cimes": no word says what it is, so it is asked about
    ]
    days = real_days(read, MONDAY, SUNDAY_AFTER)
    rest = DayKind.REST  # a week the plan holds: its days without a run are rest days
    assert days == {
        date(2025, 7, 14): rest,
        date(2025, 7, 15): rest,  # the dropped intervals (EXDATE)
        date(2025, 7, 16): rest,
        date(2025, 7, 17): DayKind.EASY,
        date(2025, 7, 18): rest,
        date(2025, 7, 19): rest,  # the long run moved to Sunday
        date(2025, 7, 20): DayKind.LONG,
        date(2025, 7, 21): rest,
        date(2025, 7, 22): DayKind.HARD,
        date(2025, 7, 23): rest,
        date(2025, 7, 24): DayKind.EASY,
        date(2025, 7, 25): rest,
        date(2025, 7, 27): rest,
    }  # Saturday 26 waits for the answer about the race: the declared week holds it
    answered = real_days(
        readings(runs, usual, {"trail des cimes": RunKind.RACE}), MONDAY, SUNDAY_AFTER
    )
    assert answered[date(2025, 7, 26)] is DayKind.HARD  # a race is a quality day
    later = date(2025, 8, 4)  # a week the plan leaves empty keeps the declared week
    assert real_days(read, later, later + timedelta(days=6)) == {}


def test_a_body_that_is_no_calendar_is_refused() -> None:
    with pytest.raises(FetchError) as caught:
        runs_in(b"BEGIN:VCALENDAR\r\nthis is not\r\n", "Europe/Paris", MONDAY, SUNDAY_AFTER)
    assert caught.value.problem is Problem.NOT_CALENDAR
