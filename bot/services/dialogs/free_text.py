"""Reading what people naturally type: a time, a timezone, a race date."""

from __future__ import annotations

import atexit
import re
from datetime import date, datetime, time, timedelta
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


class PastDate(NotUnderstood):
    """The text reads as a date that has already passed."""


_TIME = re.compile(
    r"^(?P<hour>\d{1,2})(?:\s*(?:[:.]\s*(?P<minute>\d{2})|h\s*(?P<h_minute>\d{2})?))?"
    r"\s*(?P<half>am|pm|a\.m\.|p\.m\.)?$"
)
UNREADABLE_TIME = "I couldn't read that time. Try 7, 07:30, 7am, 18h, 19:30 or noon."


def read_time(text: str) -> time:
    """``7``, ``07:00``, ``7am``, ``7.30pm``, ``19:30``, ``18h``, ``6h15`` -> a time of day;
    words (``noon``, ``midnight``, ``7 in the evening``) are read by dateparser."""
    cleaned = " ".join(text.strip().lower().split())
    match = _TIME.match(cleaned)
    if match is None:
        return _time_in_words(cleaned)
    hour, minute = int(match["hour"]), int(match["minute"] or match["h_minute"] or 0)
    half = (match["half"] or "").replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            raise NotUnderstood("With am or pm the hour goes from 1 to 12, like 7am or 7:30pm.")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise NotUnderstood("That isn't a time of day. Try something like 07:00 or 19:30.")
    return time(hour, minute)


_SOME_DAYS = (date(2001, 2, 3), date(2002, 4, 6))
_CLOCK_DIGITS = re.compile(r"\d\s*[:.]\s*\d")  # a time alone reads as the same time on each


def _time_in_words(text: str) -> time:
    """A time of day in words, read by dateparser; refused if the text names a day too."""
    from dateparser.date import DateDataParser  # imported late: it loads its languages

    if _CLOCK_DIGITS.search(text):  # "7:3" is a slip for 7:30 or 7:03: never guessed
        raise NotUnderstood(UNREADABLE_TIME)
    read = set()
    for day in _SOME_DAYS:
        settings = {"RELATIVE_BASE": datetime.combine(day, time(0)), "PARSERS": ["absolute-time"]}
        found = DateDataParser(languages=["en"], settings=settings).get_date_data(text).date_obj
        if found is None or found.date() != day:
            raise NotUnderstood(UNREADABLE_TIME)
        read.add(found.time().replace(second=0, microsecond=0))
    if len(read) != 1:
        raise NotUnderstood(UNREADABLE_TIME)
    return read.pop()


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


_NUMERIC = re.compile(r"^(\d{1,2})[./-](\d{1,2})(?:[./-](\d{4}|\d{2}))?\.?$")
_NEXT_WEEKDAY = re.compile(r"^next\s+(mon|tue|wed|thu|fri|sat|sun)[a-z]*$")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_YEAR = re.compile(r"\b\d{4}\b")
_VAGUE = re.compile(r"\b(next|this|last)\b")
NO_RACE = frozenset({"none", "no", "no race", "-", "nothing", "not yet"})
UNREADABLE_DATE = "I couldn't read that date. Try 2027-05-15, 15 May, in 3 weeks, or none."


def read_race_date(text: str, *, today: date) -> tuple[date, ...]:
    """The future dates a typed race date may mean, soonest first: one, or two when the text
    is ambiguous (``05/06``, ``next saturday``); none for ``none``. ``today`` is the runner's."""
    cleaned = " ".join(text.strip().lower().split())
    if cleaned in NO_RACE:
        return ()
    days = read_dates(cleaned, today=today)
    if not days:
        raise NotUnderstood(UNREADABLE_DATE)
    ahead = tuple(day for day in days if day >= today)
    if not ahead:
        raise PastDate("That date has already passed. Send the date of your next race.")
    return ahead


def read_dates(text: str, *, today: date) -> tuple[date, ...]:
    """The dates ``text`` may mean, read by dateparser relative to ``today``: ``2027-05-15``,
    ``15 May``, ``May 15 2027``, ``15.05.2027``, ``saturday``, ``tomorrow``, ``in 3 weeks``.
    A day and month in numbers that could be either way round give both readings, and
    ``next saturday`` both the coming Saturday and the one after; a month, a year or
    ``next week`` alone names no day, and gives none."""
    cleaned = " ".join(text.strip().lower().split())
    if match := _NUMERIC.match(cleaned):
        return _numeric(*match.groups(), today=today)
    if match := _NEXT_WEEKDAY.match(cleaned):
        ahead = (_WEEKDAYS.index(match[1]) - today.weekday() - 1) % 7 + 1
        coming = today + timedelta(days=ahead)
        return (coming, coming + timedelta(days=7))
    day = _parsed(cleaned, today=today)
    return (day,) if day is not None else ()


def _numeric(first: str, second: str, year: str | None, *, today: date) -> tuple[date, ...]:
    """``05/06`` is 5 June or 6 May; ``20/6`` and ``6/20`` are 20 June either way."""
    readings = {
        day
        for day_of_month, month in ((first, second), (second, first))
        if (day := _next(int(day_of_month), int(month), year, today=today)) is not None
    }
    return tuple(sorted(readings))


def _next(day: int, month: int, year: str | None, *, today: date) -> date | None:
    """That day and month in ``year`` (``27`` is 2027), or else on or after ``today``."""
    if year is not None:
        return _date(int(year) + (2000 if len(year) == 2 else 0), month, day)
    this_year = _date(today.year, month, day)
    if this_year is None or this_year >= today:
        return this_year
    return _date(today.year + 1, month, day)


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _parsed(text: str, *, today: date) -> date | None:
    """One day read by dateparser, in English, relative to ``today`` and preferring the
    future; None unless it names a day (or a count of weeks, ``in 3 weeks``)."""
    from dateparser.date import DateDataParser  # imported late: it loads its languages

    base = datetime.combine(today, time(12))  # midday: no clock change moves it to another day
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY"}
    found = DateDataParser(languages=["en"], settings=settings).get_date_data(text)
    counted_weeks = found.period == "week" and _VAGUE.search(text) is None
    if found.date_obj is None or not (found.period == "day" or counted_weeks):
        return None
    day = found.date_obj.date()
    named_today = _YEAR.search(text) is None and _date(today.year, day.month, day.day) == today
    return today if named_today else day  # dateparser's future starts tomorrow; a race may be today


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


_SCORE = re.compile(r"^(?P<score>\d{1,2})\s*(?:/\s*10|out of 10)?$")


def read_score(text: str) -> int | None:
    """``6``, ``6/10`` or ``6 out of 10`` -> 6; None for anything else."""
    match = _SCORE.match(text.strip().lower())
    return int(match["score"]) if match is not None else None
