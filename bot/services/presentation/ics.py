"""The plan as an iCalendar file (RFC 5545), one event per session, for import or subscription.

- Each event's UID is made from the runner's secret calendar key and the day, at the
  deployment's domain: stable across files and restarts, and nothing internal shows.
- SEQUENCE and DTSTAMP are the event's version and when that version was made
  (``bot.services.plans.calendar_events``); there is no METHOD, so DTSTAMP is the event's
  last revision (RFC 5545 3.8.7.2), and the same plan gives the same bytes.
- Start times are local times with the zone's VTIMEZONE (``vtimezone``), exact for the
  whole span of the file.
- Folding, escaping and the line breaks are icalendar's.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.services.presentation.sessions import KIND_LABEL, session_text
from bot.services.presentation.views import SessionView
from bot.services.presentation.vtimezone import vtimezone

PRODUCT = "-//Trail Strength Coach//Plan//EN"
REFRESH = timedelta(hours=1)  # how often a subscribed calendar app is asked to look again
OUTCOME = {"full": "done", "partial": "partly done", "skipped": "skipped"}
DROPPED = "This session is no longer in your plan."
PAUSED = "Your sessions are paused: send /resume to pick them up again."


@dataclass(frozen=True, slots=True)
class Entry:
    """One session as a calendar event; ``sequence`` and ``revised`` are its version."""

    start: datetime  # aware, in the runner's zone
    minutes: int
    summary: str
    description: str
    cancelled: bool = False
    sequence: int = 0
    revised: datetime | None = None  # DTSTAMP and LAST-MODIFIED; None until versioned

    @property
    def day(self) -> date:
        """The local day of the event."""
        return self.start.date()

    @property
    def digest(self) -> str:
        """What the event says, time and status included (not its version), hashed."""
        said = [self.start.isoformat(), str(self.start.tzinfo), str(self.minutes)]
        said += [self.summary, self.description, str(self.cancelled)]
        return hashlib.sha256("\x1f".join(said).encode()).hexdigest()


def session_entry(
    view: SessionView, start: datetime, *, outcome: str | None, paused: bool
) -> Entry:
    """A planned session: its kind, the whole session as a runner reads it (the warm-up,
    each exercise's dose and form cues), and how it went once reported; a skipped one, and
    one not yet done while paused, come cancelled."""
    said = OUTCOME.get(outcome or "")
    summary = f"Strength: {KIND_LABEL.get(view.kind, view.kind)}"
    lines = str(session_text(view)).split("\n")[1:]  # the heading is the summary and time
    if said:
        lines = [f"Reported: {said}.", "", *lines]
    elif paused:
        lines = [PAUSED, "", *lines]
    return Entry(
        start=start,
        minutes=view.minutes,
        summary=f"{summary} ({said})" if said else summary,
        description="\n".join(lines),
        cancelled=outcome == "skipped" or (paused and not said),
    )


def dropped_entry(start: datetime, minutes: int) -> Entry:
    """An event published before whose session the plan no longer holds: cancelled."""
    return Entry(
        start=start,
        minutes=minutes,
        summary="Strength session (dropped)",
        description=DROPPED,
        cancelled=True,
    )


def uid(key: str, day: date, domain: str) -> str:
    """The event's lasting id: the runner's key and the day, hashed, at ``domain``."""
    token = hmac.new(key.encode(), day.isoformat().encode(), hashlib.sha256).hexdigest()
    return f"{token[:32]}@{domain}"


def calendar(entries: Sequence[Entry], *, key: str, domain: str, timezone: str, name: str) -> bytes:
    """The entries as an .ics file, each at its local time in ``timezone`` (its VTIMEZONE
    covering them all); ``name`` names the calendar."""
    from icalendar import Calendar, Event, vDuration  # imported late: only when one is built

    ics = Calendar()
    ics.add("prodid", PRODUCT)
    ics.add("version", "2.0")
    ics.add("calscale", "GREGORIAN")
    ics.add("name", name)
    ics.add("x-wr-calname", name)
    ics.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    ics.add("x-published-ttl", vDuration(REFRESH))
    if entries:
        ics.add_component(vtimezone(timezone, entries[0].day, entries[-1].day))
    for entry in entries:
        if entry.revised is None:
            raise ValueError("an event needs its version before it is written")
        event = Event()
        event.add("uid", uid(key, entry.day, domain))
        event.add("dtstamp", entry.revised)
        event.add("last-modified", entry.revised)
        event.add("sequence", entry.sequence)
        event.add("dtstart", entry.start)
        event.add("duration", timedelta(minutes=entry.minutes))
        event.add("summary", entry.summary)
        event.add("description", entry.description)
        event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        event.add("transp", "TRANSPARENT" if entry.cancelled else "OPAQUE")
        ics.add_component(event)
    content: bytes = ics.to_ical()
    return content
