"""A VTIMEZONE exact by RFC 5545 for a span of days, from zoneinfo's own transitions.

Each change of UTC offset in the span is one STANDARD or DAYLIGHT observance whose DTSTART is
the local time of the change as the clock read it before (in TZOFFSETFROM, RFC 5545 3.6.5):
a spring change at 02:00 is ``T020000``, not the 03:00 the clock jumps to. The first
observance is the change that brought the offset in force when the span begins (the last in
the year before it; for a zone with none, the offset itself, from the span's start). Changes
are found by sampling the offset each day and bisecting to the second where it differs (real
zones change at most a few times a year), so no rule is guessed: what zoneinfo says, the
file says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from icalendar import Timezone

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
YEAR = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class Transition:
    """A change of UTC offset: the first instant (UTC) of the new one, and both offsets."""

    at: datetime
    before: timedelta
    after: timedelta

    @property
    def local_before(self) -> datetime:
        """The instant as the clock read it before the change (naive local time)."""
        return (self.at + self.before).replace(tzinfo=None)


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[Transition]:
    """Every change of ``zone``'s UTC offset after ``start`` up to ``end`` (aware instants)."""
    found = []
    moment = start.astimezone(UTC)
    while moment < end:
        step = min(moment + DAY, end)
        before, after = _offset(zone, moment), _offset(zone, step)
        if before != after:
            low, high = moment, step  # low has the old offset, high the new one
            while high - low > SECOND:
                middle = low + (high - low) / 2
                low, high = (middle, high) if _offset(zone, middle) == before else (low, middle)
            found.append(Transition(high.replace(microsecond=0), before, after))
        moment = step
    return found


def vtimezone(name: str, first: date, last: date) -> Timezone:
    """The VTIMEZONE of ``name`` for the local days ``first`` to ``last``, inclusive."""
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    zone = ZoneInfo(name)
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + DAY, time(), zone)
    component = Timezone()
    component.add("tzid", name)
    for change in [_in_force(zone, start), *transitions(zone, start, end)]:
        observed = change.at.astimezone(zone)
        kind = TimezoneDaylight if observed.dst() else TimezoneStandard
        observance = kind()
        observance.add("dtstart", change.local_before)
        observance.add("tzoffsetfrom", change.before)
        observance.add("tzoffsetto", change.after)
        observance.add("tzname", observed.tzname())
        component.add_component(observance)
    return component


def _in_force(zone: ZoneInfo, start: datetime) -> Transition:
    """The change that brought the offset in force at ``start``: the last one in the year
    before it, or, for a zone without one, the offset itself from ``start`` on."""
    earlier = transitions(zone, start - YEAR, start)
    if earlier:
        return earlier[-1]
    offset = _offset(zone, start)
    return Transition(start.astimezone(UTC), offset, offset)


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    offset = moment.astimezone(zone).utcoffset()
    assert offset is not None  # a ZoneInfo always has one
    return offset
