"""Reading times, timezones and race dates the way runners type them."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.services.dialogs.free_text import (
    NotUnderstood,
    read_race_date,
    read_time,
    read_timezone,
    timezone_at,
    year_guessed,
)

TODAY = date(2026, 11, 21)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", time(7)),
        ("07:00", time(7)),
        ("7am", time(7)),
        ("7 AM", time(7)),
        ("7.30pm", time(19, 30)),
        ("12am", time(0)),
        ("12pm", time(12)),
        ("19:30", time(19, 30)),
        ("6h15", time(6, 15)),
        ("18h", time(18)),
        ("18 h 30", time(18, 30)),
        ("noon", time(12)),
        ("Midnight", time(0)),
        ("7 in the evening", time(19)),
    ],
)
def test_read_time(text: str, expected: time) -> None:
    assert read_time(text) == expected


@pytest.mark.parametrize(
    "text", ["25:00", "7:75", "13pm", "seven", "", "7:3", "tomorrow", "monday", "23 Nov", "in 2h"]
)
def test_unreadable_times_say_what_works(text: str) -> None:
    with pytest.raises(NotUnderstood, match="7"):
        read_time(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("Los_Angeles", "America/Los_Angeles"),
        ("+2", "Etc/GMT-2"),
        ("UTC-5", "Etc/GMT+5"),
        ("gmt+0", "UTC"),
        ("UTC", "UTC"),
    ],
)
def test_read_timezone(text: str, expected: str) -> None:
    assert read_timezone(text) == expected


@pytest.mark.parametrize("text", ["Atlantis", "+5:30", "+15", "Mars/Olympus"])
def test_unknown_timezones_are_refused_kindly(text: str) -> None:
    with pytest.raises(NotUnderstood):
        read_timezone(text)


def test_shared_location_maps_to_a_timezone_offline() -> None:
    assert timezone_at(latitude=46.5, longitude=11.3) == "Europe/Rome"
    assert timezone_at(latitude=39.74, longitude=-104.99) == "America/Denver"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-05-15", date(2027, 5, 15)),
        ("15 May", date(2027, 5, 15)),
        ("May 15", date(2027, 5, 15)),
        ("15th may 2027", date(2027, 5, 15)),
        ("15.05.2027", date(2027, 5, 15)),
        ("28 November", date(2026, 11, 28)),
        ("20/6", date(2027, 6, 20)),
        ("6/20/2027", date(2027, 6, 20)),
        ("tomorrow", date(2026, 11, 22)),
        ("saturday", date(2026, 11, 28)),  # TODAY is a Saturday: the next one
        ("in 3 weeks", date(2026, 12, 12)),
        ("in three weeks", date(2026, 12, 12)),
        ("20th of June", date(2027, 6, 20)),
    ],
)
def test_read_race_date(text: str, expected: date) -> None:
    assert read_race_date(text, today=TODAY) == (expected,)


@pytest.mark.parametrize("text", ["none", "No race", "not yet"])
def test_no_race_reads_as_no_date(text: str) -> None:
    assert read_race_date(text, today=TODAY) == ()


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("05/06", (date(2027, 5, 6), date(2027, 6, 5))),
        ("05.06.2027", (date(2027, 5, 6), date(2027, 6, 5))),
        ("next saturday", (date(2026, 11, 28), date(2026, 12, 5))),
        ("next sat", (date(2026, 11, 28), date(2026, 12, 5))),
    ],
)
def test_an_ambiguous_date_gives_every_reading(text: str, readings: tuple[date, ...]) -> None:
    assert read_race_date(text, today=TODAY) == readings


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("2025-05-15", "already passed"),
        ("yesterday", "already passed"),
        ("31 Feb 2027", "couldn't read"),
        ("soon", "couldn't"),
        ("June", "couldn't"),  # a month, a year or a week names no day
        ("2027", "couldn't"),
        ("next week", "couldn't"),
    ],
)
def test_bad_race_dates_are_refused_kindly(text: str, said: str) -> None:
    with pytest.raises(NotUnderstood, match=said):
        read_race_date(text, today=TODAY)


@pytest.mark.parametrize(
    ("text", "guessed"),
    [
        ("20 Nov", True),  # passed yesterday: this year's race, or next year's?
        ("Nov 1", True),
        ("15 May", False),  # long passed: plainly next May
        ("28 November", False),
        ("20 Nov 2027", False),
    ],
)
def test_a_year_is_guessed_only_for_a_recently_passed_date_typed_without_one(
    text: str, guessed: bool
) -> None:
    (day,) = read_race_date(text, today=TODAY)
    assert year_guessed(text, day, today=TODAY) is guessed
