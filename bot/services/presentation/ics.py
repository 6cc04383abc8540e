"""The plan as an iCalendar file: one event per session at the runner's local time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PRODUCT = "-//Trail Strength Coach//Plan//EN"
DOMAIN = "trail-strength-coach"


@dataclass(frozen=True, slots=True)
class Entry:
    """One planned session as a calendar event; ``sequence`` rises with each new version."""

    day: date
    minutes: int
    summary: str
    description: str
    sequence: int
    cancelled: bool = False


def uid(owner: str, day: date) -> str:
    """The event's lasting id: whose plan and which day, so a re-import updates it in place."""
    return f"{owner}-{day:%Y%m%d}@{DOMAIN}"


def calendar(
    entries: Sequence[Entry], *, owner: str, timezone: str, at: time, stamp: datetime, name: str
) -> bytes:
    """The entries as an .ics file, each at ``at`` in ``timezone`` (with its VTIMEZONE)."""
    from icalendar import Calendar, Event  # imported late: only the code that builds one pays

    zone = ZoneInfo(timezone)
    ics = Calendar()
    ics.add("prodid", PRODUCT)
    ics.add("version", "2.0")
    ics.add("method", "PUBLISH")
    ics.add("x-wr-calname", name)
    for entry in entries:
        event = Event()
        event.add("uid", uid(owner, entry.day))
        event.add("dtstamp", stamp)
        event.add("dtstart", datetime.combine(entry.day, at, tzinfo=zone))
        event.add("duration", timedelta(minutes=entry.minutes))
        event.add("summary", entry.summary)
        event.add("description", entry.description)
        event.add("sequence", entry.sequence)
        event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        ics.add_component(event)
    if entries:
        ics.add_missing_timezones(
            first_date=entries[0].day, last_date=entries[-1].day + timedelta(days=1)
        )
    content: bytes = ics.to_ical()
    return content
