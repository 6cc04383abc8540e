"""Real-shaped running-plan calendars, as TrainingPeaks, intervals.icu or Google Calendar
publish them (issue 31): VTIMEZONEs, recurring weeks with exceptions, all-day events."""

from __future__ import annotations

PARIS = """BEGIN:VTIMEZONE
TZID:Europe/Paris
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""

NEW_YORK = """BEGIN:VTIMEZONE
TZID:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE"""


def calendar(*events: str, zones: tuple[str, ...] = (PARIS,)) -> bytes:
    """A VCALENDAR around ``events``, with CRLF line ends as servers send them."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Example Plans//Running plan//EN",
        "X-WR-CALNAME:My running plan",
        *zones,
        *events,
        "END:VCALENDAR",
    ]
    return ("\r\n".join("\r\n".join(line.splitlines()) for line in lines) + "\r\n").encode()


def event(uid: str, summary: str, start: str, end: str | None = None, *extra: str) -> str:
    """One VEVENT; ``start`` and ``end`` are whole property lines' values with parameters,
    such as ``;TZID=Europe/Paris:20250715T180000`` or ``;VALUE=DATE:20250726``."""
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20250701T000000Z", f"SUMMARY:{summary}"]
    lines.append(f"DTSTART{start}")
    if end is not None:
        lines.append(f"DTEND{end}")
    return "\r\n".join([*lines, *extra, "END:VEVENT"])


# A weekly plan from Tuesday 1 July 2025: Tuesday intervals, Thursday easy, Saturday long.
# The Tuesday of 15 July is dropped (EXDATE); the long run of Saturday 19 July moves to
# Sunday 20 July (RECURRENCE-ID), and becomes 32 km.
WEEKLY_PLAN = calendar(
    event(
        "tue@plan",
        "Intervals 6 × 800 m",
        ";TZID=Europe/Paris:20250701T180000",
        ";TZID=Europe/Paris:20250701T190000",
        "RRULE:FREQ=WEEKLY;COUNT=12",
        "EXDATE;TZID=Europe/Paris:20250715T180000",
    ),
    event(
        "thu@plan",
        "Easy 45 min",
        ";TZID=Europe/Paris:20250703T070000",
        ";TZID=Europe/Paris:20250703T074500",
        "RRULE:FREQ=WEEKLY;COUNT=12",
    ),
    event(
        "sat@plan",
        "Long run 28 km",
        ";TZID=Europe/Paris:20250705T080000",
        ";TZID=Europe/Paris:20250705T110000",
        "RRULE:FREQ=WEEKLY;COUNT=12",
    ),
    event(
        "sat@plan",
        "Long run 32 km",
        ";TZID=Europe/Paris:20250720T080000",
        ";TZID=Europe/Paris:20250720T113000",
        "RECURRENCE-ID;TZID=Europe/Paris:20250719T080000",
    ),
    event("race@plan", "Trail des Cimes", ";VALUE=DATE:20250726", ";VALUE=DATE:20250727"),
    event(
        "cancelled@plan",
        "Tempo 20 min",
        ";TZID=Europe/Paris:20250717T180000",
        ";TZID=Europe/Paris:20250717T190000",
        "STATUS:CANCELLED",
    ),
)

# 05:30 in Paris on three Sundays, across the end of summer time in Europe (26 October
# 2025) but not yet in New York (2 November): a runner in Berlin has it on Sundays; one in
# New York on Saturday 18 October (23:30), then on Sundays 26 October and 2 November (00:30).
ACROSS_DST = calendar(
    event(
        "dawn@plan",
        "Easy 40 min",
        ";TZID=Europe/Paris:20251019T053000",
        ";TZID=Europe/Paris:20251019T061000",
        "RRULE:FREQ=WEEKLY;COUNT=3",
    )
)

# 23:00 in New York on Tuesday 15 July is 05:00 on Wednesday 16 July in Paris.
ANOTHER_ZONE = calendar(
    event(
        "ny@plan",
        "Tempo 3 x 10 min",
        ";TZID=America/New_York:20250715T230000",
        ";TZID=America/New_York:20250715T235900",
    ),
    event("utc@plan", "Easy 30 min", ":20250717T230000Z", ":20250717T233000Z"),
    zones=(NEW_YORK,),
)


BERLIN = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
END:VTIMEZONE"""
SECRET = "/u/8f3a9c2e77d1/private-plan.ics"  # the private part of the runner's link


def weekly_plan(long_day: int = 28) -> bytes:
    """From Monday 23 November 2026: Tuesday hill reps, Wednesday club night, Thursday easy,
    and the long run on Saturday 28 (``long_day`` moves the first one)."""
    return calendar(
        event(
            "tue@plan",
            "Hill reps 8 × 1 min",
            ";TZID=Europe/Berlin:20261124T180000",
            ";TZID=Europe/Berlin:20261124T190000",
            "RRULE:FREQ=WEEKLY;COUNT=6",
        ),
        event(
            "wed@plan",
            "Club night",
            ";TZID=Europe/Berlin:20261125T190000",
            ";TZID=Europe/Berlin:20261125T200000",
            "RRULE:FREQ=WEEKLY;COUNT=6",
        ),
        event(
            "thu@plan",
            "Easy 45 min",
            ";TZID=Europe/Berlin:20261126T070000",
            ";TZID=Europe/Berlin:20261126T074500",
            "RRULE:FREQ=WEEKLY;COUNT=6",
        ),
        event(
            "sat@plan",
            "Long run 26 km",
            ";TZID=Europe/Berlin:20261128T080000",
            ";TZID=Europe/Berlin:20261128T110000",
            "RRULE:FREQ=WEEKLY;COUNT=6",
        ),
        *(
            [
                event(
                    "sat@plan",
                    "Long run 26 km",
                    f";TZID=Europe/Berlin:202611{long_day}T080000",
                    f";TZID=Europe/Berlin:202611{long_day}T110000",
                    "RECURRENCE-ID;TZID=Europe/Berlin:20261128T080000",
                )
            ]
            if long_day != 28
            else []
        ),
        zones=(BERLIN,),
    )
