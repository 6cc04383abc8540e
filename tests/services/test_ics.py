"""The calendar file: events at the runner's local time, right on both sides of a DST change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar

from bot.services.presentation.ics import Entry, calendar

STAMP = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


def entry(day: date, **changes: object) -> Entry:
    fields: dict[str, object] = {
        "day": day,
        "minutes": 35,
        "summary": "Strength: focused hamstring session",
        "description": "1. Hamstring walkout: 2 × 6\n2. Hip thrust: 2 × 10",
        "sequence": 0,
    }
    fields.update(changes)
    return Entry(**fields)  # type: ignore[arg-type]


def parsed(content: bytes) -> Calendar:
    return Calendar.from_ical(content)


@pytest.mark.parametrize(
    ("timezone", "before", "after", "utc_before", "utc_after"),
    [
        ("Europe/Berlin", date(2027, 3, 26), date(2027, 3, 29), time(6, 30), time(5, 30)),
        ("America/New_York", date(2027, 3, 12), date(2027, 3, 15), time(12, 30), time(11, 30)),
        ("Europe/Berlin", date(2026, 10, 23), date(2026, 10, 26), time(5, 30), time(6, 30)),
        ("America/New_York", date(2026, 10, 30), date(2026, 11, 2), time(11, 30), time(12, 30)),
    ],
    ids=["berlin-spring", "new-york-spring", "berlin-autumn", "new-york-autumn"],
)
def test_sessions_stay_at_the_local_time_across_a_dst_change(
    timezone: str, before: date, after: date, utc_before: time, utc_after: time
) -> None:
    content = calendar(
        [entry(before), entry(after)],
        owner="runner7",
        timezone=timezone,
        at=time(7, 30),
        stamp=STAMP,
        name="Strength sessions",
    )
    ics = parsed(content)
    assert [z["tzid"] for z in ics.walk("VTIMEZONE")] == [timezone]
    starts = [event.decoded("dtstart") for event in ics.walk("VEVENT")]
    assert [start.time() for start in starts] == [time(7, 30), time(7, 30)]
    assert [start.astimezone(UTC).time() for start in starts] == [utc_before, utc_after]
    assert b"DTSTART;TZID=" + timezone.encode() in content


def test_each_event_has_its_uid_duration_summary_exercises_and_sequence() -> None:
    day = date(2027, 3, 26)
    ics = parsed(
        calendar(
            [entry(day, sequence=42), entry(day + timedelta(days=3), cancelled=True)],
            owner="runner7",
            timezone="Europe/Berlin",
            at=time(18, 0),
            stamp=STAMP,
            name="Strength sessions",
        )
    )
    first, second = ics.walk("VEVENT")
    assert str(first["uid"]) == "runner7-20270326@trail-strength-coach"
    assert first.decoded("duration") == timedelta(minutes=35)
    assert str(first["summary"]) == "Strength: focused hamstring session"
    assert "Hamstring walkout: 2 × 6" in str(first["description"])
    assert (first["sequence"], str(first["status"])) == (42, "CONFIRMED")
    assert str(second["status"]) == "CANCELLED"
    assert first.decoded("dtstamp") == STAMP


def test_no_sessions_is_an_empty_calendar_without_timezones() -> None:
    ics = parsed(
        calendar([], owner="runner7", timezone="Europe/Berlin", at=time(7), stamp=STAMP, name="x")
    )
    assert ics.walk("VEVENT") == []
    assert ics.walk("VTIMEZONE") == []
