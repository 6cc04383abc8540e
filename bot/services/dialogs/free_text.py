"""Reading what people naturally type: a time, a timezone, a race date."""

from __future__ import annotations

import atexit
import re
from datetime import date, time, timedelta
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.services.presentation.text import Text, as_text

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder


_PAIN_TALK = re.compile(
    r"\b(pain\w*|hurt\w*|sore\w*|ach(e|es|ing|y)|injur\w*|twinge\w*|swell\w*|swollen|"
    r"bruis\w*|sprain\w*|strain\w*|tender)\b",
    re.IGNORECASE,
)


def mentions_pain(text: str) -> bool:
    """Whether free text talks about pain, so the coach can point to the check-in."""
    return _PAIN_TALK.search(text) is not None


class NotUnderstood(ValueError):
    """The text could not be read; ``words`` say what would work, in plain words."""

    def __init__(self, words: Text | str) -> None:
        super().__init__(str(words))
        self.words = as_text(words)


_TIME = re.compile(
    r"^(?P<hour>\d{1,2})(?:\s*[:.h]\s*(?P<minute>\d{2}))?\s*(?P<half>am|pm|a\.m\.|p\.m\.)?$"
)


def read_time(text: str) -> time:
    """``7``, ``07:00``, ``7am``, ``7.30pm``, ``19:30`` -> a time of day."""
    match = _TIME.match(text.strip().lower())
    if match is None:
        raise NotUnderstood("I couldn't read that time. Try 7, 07:30, 7am or 19:30.")
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    half = (match["half"] or "").replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            raise NotUnderstood("With am or pm the hour goes from 1 to 12, like 7am or 7:30pm.")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise NotUnderstood("That isn't a time of day. Try something like 07:00 or 19:30.")
    return time(hour, minute)


_OFFSET = re.compile(
    r"^(?:utc|gmt)?\s*(?P<sign>[+-])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?$"
)


@cache
def _zones_by_city() -> dict[str, str]:
    """Lower-case city (the last part of an IANA name) -> the IANA name."""
    zones: dict[str, str] = {}
    for name in sorted(available_timezones()):
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/")):
            zones.setdefault(name.rsplit("/", 1)[1].replace("_", " ").lower(), name)
    return zones


def read_timezone(text: str) -> str:
    """An IANA name, a city (``Berlin``), or a whole-hour offset (``+2``) -> an IANA name."""
    cleaned = text.strip()
    if cleaned.lower() in {"utc", "gmt", "z"}:
        return "UTC"
    offset = _OFFSET.match(cleaned.lower().replace(" ", ""))
    if offset is not None:
        return _offset_zone(offset["sign"], int(offset["hours"]), int(offset["minutes"] or 0))
    candidate = cleaned.replace(" ", "_")
    for name in (candidate, "/".join(part.capitalize() for part in candidate.split("/"))):
        if _is_zone(name):
            return name
    city = _zones_by_city().get(cleaned.replace("_", " ").lower())
    if city is not None:
        return city
    raise NotUnderstood(
        "I don't know that timezone. Send a city like Berlin or Denver, "
        "a name like Europe/Berlin, or an offset like +2."
    )


def _offset_zone(sign: str, hours: int, minutes: int) -> str:
    if minutes:
        raise NotUnderstood(
            "For an offset with minutes, send your city instead (for example Kolkata)."
        )
    if hours > 14:
        raise NotUnderstood("Offsets go from -12 to +14 hours.")
    if hours == 0:
        return "UTC"
    # The Etc/ zones count the other way round: UTC+2 is Etc/GMT-2.
    return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return name in available_timezones() or name == "UTC"


@cache
def _finder() -> TimezoneFinder:
    from timezonefinder import TimezoneFinder  # imported late: its data takes a moment to load

    finder = TimezoneFinder()
    # Close its mapped data files at exit while the library can: left to the collector at
    # shutdown, they are dropped unclosed.
    atexit.register(finder.cleanup)
    return finder


def timezone_at(*, latitude: float, longitude: float) -> str:
    """The IANA timezone of a shared location, looked up offline."""
    name = _finder().timezone_at(lat=latitude, lng=longitude)
    if not isinstance(name, str):
        raise NotUnderstood("I couldn't place that location in a timezone; send a city instead.")
    return name


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?(?:\s+(\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?(?:\s+(\d{4}))?$")
_NUMERIC = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_YEAR = re.compile(r"\b\d{4}\b")
NO_RACE = frozenset({"none", "no", "no race", "-", "nothing", "not yet"})


def read_race_date(text: str, *, today: date) -> date | None:
    """``2027-05-15``, ``15 May``, ``May 15 2027``, ``15.05.2027``, or ``none`` -> a future date."""
    cleaned = " ".join(text.strip().lower().split())
    if cleaned in NO_RACE:
        return None
    day = _read_date(cleaned, today=today)
    if day is None:
        raise NotUnderstood("I couldn't read that date. Try 2027-05-15, 15 May, or none.")
    if day < today:
        raise NotUnderstood("That date has already passed. Send the date of your next race.")
    return day


RECENTLY_PASSED = timedelta(days=60)
"""A date typed without a year that passed no longer ago than this is checked with the runner
(did they mean next year's, or is it a slip?); one further back is plainly next year's."""


def year_guessed(text: str, day: date, *, today: date) -> bool:
    """Whether ``day``, read from ``text`` that named no year, fell in next year because
    this year's date passed only recently: a guess worth checking with the runner."""
    return (
        day.year != today.year
        and _YEAR.search(text) is None
        and day - today > timedelta(days=365) - RECENTLY_PASSED
    )


def _read_date(text: str, *, today: date) -> date | None:
    year: str | None
    if match := _ISO.match(text):
        year, month, day = match.groups()
        return _date(int(year), int(month), int(day))
    if match := _NUMERIC.match(text):
        day, month, year = match.groups()
        return _date(int(year), int(month), int(day))
    if match := _DAY_MONTH.match(text):
        day, month_name, year = match.groups()
    elif match := _MONTH_DAY.match(text):
        month_name, day, year = match.groups()
    else:
        return None
    month_number = _MONTHS.get(month_name)
    if month_number is None:
        return None
    if year is not None:
        return _date(int(year), month_number, int(day))
    this_year = _date(today.year, month_number, int(day))
    if this_year is None or this_year >= today:
        return this_year
    return _date(today.year + 1, month_number, int(day))


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
