"""A running plan's calendar read as runs on the runner's local days (issue 31).

Recurring events (RRULE, RDATE, EXDATE, RECURRENCE-ID) are expanded by
``recurring-ical-events`` on top of ``icalendar``; a timed event's day is its start's date in
the runner's timezone (a floating time is already theirs), an all-day event's is its date.
Cancelled events are no runs. What each run is, is ``bot.coaching.run_kinds``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.coaching import DayKind
from bot.coaching.run_kinds import PlannedRun, Reading, RunKind, Usual, classify, day_kind, usual_of
from bot.services.infrastructure.plan_fetch import FetchError, Problem

if TYPE_CHECKING:
    from icalendar import Event

WINDOW_DAYS = 14
"""The real week reaches this many days from today."""
USUAL_DAYS = 28
"""The usual run is judged on the plan's runs of these days before today and the window."""


def runs_in(body: bytes, timezone: str, first: date, last: date) -> list[PlannedRun]:
    """The plan's events from ``first`` to ``last`` (local days, both included), by day;
    FetchError (not a calendar) when ``body`` cannot be read as one."""
    import recurring_ical_events  # imported late: only for a runner with a linked plan
    from icalendar import Calendar, Event

    try:
        calendar = Calendar.from_ical(body)
        zone = ZoneInfo(timezone)
        # A day either side: an event in another timezone may fall on another local day.
        found = recurring_ical_events.of(calendar).between(
            first - timedelta(days=1), last + timedelta(days=2)
        )
        runs = [_run(event, zone) for event in found if isinstance(event, Event)]
    except (ValueError, KeyError, TypeError):
        raise FetchError(Problem.NOT_CALENDAR) from None
    kept = [run for run in runs if run is not None and first <= run.day <= last]
    return sorted(kept, key=lambda run: (run.day, run.title))


def _run(event: Event, zone: ZoneInfo) -> PlannedRun | None:
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    start = event.start
    title = " ".join(str(event.get("SUMMARY", "")).split())
    description = str(event.get("DESCRIPTION", ""))
    if not isinstance(start, datetime):
        return PlannedRun(start, title, description)
    local = start.replace(tzinfo=zone) if start.tzinfo is None else start.astimezone(zone)
    minutes = None
    end = event.end
    if isinstance(end, datetime):
        minutes = int((end - start).total_seconds() // 60) or None
    return PlannedRun(local.date(), title, description, minutes)


def readings(
    runs: Iterable[PlannedRun], usual: Usual, rules: Mapping[str, RunKind]
) -> list[tuple[PlannedRun, Reading]]:
    """Each run with what it reads as, the runner's rules first."""
    return [(run, classify(run, usual, rules)) for run in runs]


def usual_run(body: bytes, timezone: str, today: date) -> Usual:
    """The runner's usual run in their plan, from the weeks around today."""
    first, last = today - timedelta(days=USUAL_DAYS), today + timedelta(days=WINDOW_DAYS - 1)
    return usual_of(runs_in(body, timezone, first, last))


def real_days(
    read: Iterable[tuple[PlannedRun, Reading]], first: date, last: date
) -> dict[date, DayKind]:
    """Each day's kind from ``first`` to ``last`` by the runs read. A week (Monday to Sunday)
    holding any of the plan's events is the plan's: its days without one are rest days. A
    week the plan leaves empty, and a day with a run not known yet (until the runner says
    what it is), are left out: the declared week holds them."""
    kinds: dict[date, list[RunKind]] = {}
    unknown: set[date] = set()
    for run, reading in read:
        if reading.kind is None:
            unknown.add(run.day)
        else:
            kinds.setdefault(run.day, []).append(reading.kind)
    covered = {_monday(day) for day in kinds.keys() | unknown}
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return {
        day: day_kind(kinds.get(day, ()))
        for day in days
        if _monday(day) in covered and day not in unknown
    }


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
