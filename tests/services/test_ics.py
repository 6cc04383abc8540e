"""The calendar file by RFC 5545, read back by three independent parsers (icalendar, vobject
and ical): events at the runner's local time on both sides of a DST change, lasting UIDs,
versions, escaping and folding."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from bot.services.presentation.ics import Entry, calendar, session_entry, uid
from bot.services.presentation.views import ExerciseView, SessionView

STAMP = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
KEY = "0123456789abcdef0123456789abcdef"
TRICKY = 'Commas, semicolons; a backslash \\ and "quotes"\nA second line: × 3 ✓ ⛰️ ' + "é" * 60


def entry(day: date, zone: str = "Europe/Berlin", **changes: Any) -> Entry:
    fields: dict[str, Any] = {
        "start": datetime.combine(day, time(7, 30), ZoneInfo(zone)),
        "minutes": 35,
        "summary": "Strength: focused hamstring session",
        "description": "1. Hamstring walkout: 2 × 6\n2. Hip thrust: 2 × 10",
        "sequence": 0,
        "revised": STAMP,
    }
    fields.update(changes)
    return Entry(**fields)


def made(entries: list[Entry], zone: str = "Europe/Berlin") -> bytes:
    return calendar(entries, key=KEY, domain="coach.example.org", timezone=zone, name="Mine")


def parsed(content: bytes) -> Calendar:
    return Calendar.from_ical(content)


@pytest.mark.parametrize(
    ("timezone", "before", "after", "utc_before", "utc_after"),
    [
        ("Europe/Berlin", date(2027, 3, 26), date(2027, 3, 29), time(6, 30), time(5, 30)),
        ("America/New_York", date(2027, 3, 12), date(2027, 3, 15), time(12, 30), time(11, 30)),
        ("Europe/Berlin", date(2026, 10, 23), date(2026, 10, 26), time(5, 30), time(6, 30)),
        ("America/New_York", date(2026, 10, 30), date(2026, 11, 2), time(11, 30), time(12, 30)),
        ("Australia/Sydney", date(2027, 4, 2), date(2027, 4, 5), time(20, 30), time(21, 30)),
    ],
    ids=["berlin-spring", "new-york-spring", "berlin-autumn", "new-york-autumn", "sydney-autumn"],
)
def test_sessions_stay_at_the_local_time_across_a_dst_change_in_three_parsers(
    timezone: str, before: date, after: date, utc_before: time, utc_after: time
) -> None:
    content = made([entry(before, timezone), entry(after, timezone)], timezone)
    assert b"DTSTART;TZID=" + timezone.encode() in content
    expected = [time(7, 30)] * 2, [utc_before, utc_after]

    ics = parsed(content)
    assert [z["tzid"] for z in ics.walk("VTIMEZONE")] == [timezone]
    starts = [event.decoded("dtstart") for event in ics.walk("VEVENT")]
    assert ([s.time() for s in starts], [s.astimezone(UTC).time() for s in starts]) == expected

    # vobject reads the VTIMEZONE itself: its rules, not zoneinfo's, place the events. It
    # keeps the first VTIMEZONE it reads for each TZID for good: forget it first.
    getattr(vobject.icalendar, "__tzidMap").pop(timezone, None)
    starts = [event.dtstart.value for event in vobject.readOne(content.decode()).vevent_list]
    assert ([s.time() for s in starts], [s.astimezone(UTC).time() for s in starts]) == expected

    events = IcsCalendarStream.calendar_from_ics(content.decode()).events
    starts = [event.dtstart for event in events]
    assert isinstance(starts[0], datetime)
    assert [s.astimezone(UTC).time() for s in starts] == expected[1]


def test_each_parser_reads_the_same_uid_version_status_and_words() -> None:
    day = date(2027, 3, 26)
    entries = [
        entry(day, sequence=42, description=TRICKY),
        entry(day + timedelta(days=3), cancelled=True, sequence=1),
    ]
    content = made(entries)
    first_uid = uid(KEY, day, "coach.example.org")

    first, second = parsed(content).walk("VEVENT")
    assert (str(first["uid"]), first["sequence"], str(first["status"])) == (
        first_uid,
        42,
        "CONFIRMED",
    )
    assert str(first["description"]) == TRICKY
    assert (str(second["status"]), str(second["transp"])) == ("CANCELLED", "TRANSPARENT")
    assert first.decoded("duration") == timedelta(minutes=35)
    assert first.decoded("dtstamp") == first.decoded("last-modified") == STAMP

    one, two = vobject.readOne(content.decode()).vevent_list
    assert (one.uid.value, int(one.sequence.value), one.status.value) == (
        first_uid,
        42,
        "CONFIRMED",
    )
    assert one.description.value == TRICKY
    assert two.status.value == "CANCELLED"

    one, two = IcsCalendarStream.calendar_from_ics(content.decode()).events
    assert (one.uid, one.sequence, one.description) == (first_uid, 42, TRICKY)
    assert str(two.status).endswith("CANCELLED")


def test_lines_are_folded_at_75_octets_without_splitting_a_character() -> None:
    content = made([entry(date(2027, 3, 26), description=TRICKY * 3)])
    assert content.endswith(b"\r\n")
    lines = content.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # folded
    for line in lines:
        line.decode("utf-8")  # no character cut in two


def test_the_calendar_asks_apps_to_refresh_hourly_and_has_no_method() -> None:
    content = made([entry(date(2027, 3, 26))])
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in content
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in content
    assert b"METHOD:" not in content  # DTSTAMP is then each event's last revision
    assert b"COMMENT" not in content


def test_the_same_events_make_the_same_bytes() -> None:
    entries = [entry(date(2027, 3, 26)), entry(date(2027, 3, 29))]
    assert made(entries) == made(list(entries))
    assert made(entries) != made([entries[0], replace(entries[1], sequence=1)])


def test_uids_come_from_the_runners_key_and_the_day_and_name_nothing_internal() -> None:
    day = date(2027, 3, 26)
    mine = uid(KEY, day, "coach.example.org")
    assert mine == uid(KEY, day, "coach.example.org")
    assert mine != uid(KEY, day + timedelta(days=1), "coach.example.org")
    assert mine != uid("f" * 32, day, "coach.example.org")
    local, domain = mine.split("@")
    assert domain == "coach.example.org" and len(local) == 32
    assert "2027" not in local and "runner" not in mine


def test_a_session_reads_in_full_with_its_warm_up_cues_and_outcome() -> None:
    view = SessionView(
        date(2027, 3, 26),
        "focused",
        35,
        False,
        (
            ExerciseView(
                "h2_hamstring_walkout",
                "Hamstring walkout",
                2,
                6,
                None,
                "bodyweight",
                None,
                None,
                ("Brace your trunk", "Walk out slowly", "Stop before your hips sag"),
                True,
            ),
        ),
    )
    start = datetime(2027, 3, 26, 7, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    planned = session_entry(view, start, outcome=None, paused=False)
    assert planned.summary == "Strength: focused hamstring session"
    assert "Warm-up (about" in planned.description
    assert "Check your form on this one:" in planned.description
    assert "Stop before your hips sag" in planned.description
    assert not planned.cancelled

    done = session_entry(view, start, outcome="full", paused=True)
    assert done.summary.endswith("(done)") and done.description.startswith("Reported: done.")
    assert not done.cancelled
    skipped = session_entry(view, start, outcome="skipped", paused=False)
    assert skipped.summary.endswith("(skipped)") and skipped.cancelled
    held = session_entry(view, start, outcome=None, paused=True)
    assert held.cancelled and held.description.startswith("Your sessions are paused")
    assert len({planned.digest, done.digest, skipped.digest, held.digest}) == 4


def test_no_sessions_is_an_empty_calendar_without_timezones() -> None:
    ics = parsed(made([]))
    assert ics.walk("VEVENT") == []
    assert ics.walk("VTIMEZONE") == []
