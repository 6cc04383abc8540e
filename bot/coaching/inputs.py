"""Validation of runner input (profile and feedback as decoded JSON) into coaching types.

Every error is a ``CoachingInputError`` whose ``field`` names the place, like ``week.tue`` or
``[2].pain[0].score``. Shared by the plan preview CLI and the services.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, time
from enum import StrEnum
from typing import TypeVar

from bot.coaching.errors import CoachingInputError
from bot.coaching.feedback import (
    MUSCLES,
    Completed,
    Feedback,
    HistoryEvent,
    Legs,
    PainReport,
    PainSite,
    Resumed,
)
from bot.coaching.profile import DayKind, Equipment, Experience, Profile, Reminder
from bot.coaching.rules import RuleSettings, rules

E = TypeVar("E", bound=StrEnum)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PROFILE_KEYS = frozenset(
    {"experience", "week", "race_date", "race_name", "equipment", "sessions_per_week",
     "timezone", "reminder_time", "trail_runs_per_week"}
)  # fmt: skip
FEEDBACK_KEYS = frozenset(
    {"date", "completed", "rpe", "legs", "soreness_where", "pain", "ran_normally",
     "descending_stiff", "hamstring_sensitive", "hips_level"}
)  # fmt: skip
SORENESS_PLACES = MUSCLES | {site.value for site in PainSite}
TIMEZONE = re.compile(r"^(UTC|[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)+)$")


def _show(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _mapping(value: object, field: str, keys: frozenset[str]) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise CoachingInputError(field or "(top level)", "expected an object")
    for key in value:
        if key not in keys:
            raise CoachingInputError(_join(field, str(key)), "unknown field")
    return value


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


def _choice(value: object, kind: type[E], field: str) -> E:
    try:
        if isinstance(value, str):
            return kind(value)
    except ValueError:
        pass
    allowed = ", ".join(member.value for member in kind)
    raise CoachingInputError(field, f"expected one of {allowed}, got {_show(value)}")


def _integer(value: object, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise CoachingInputError(
            field, f"expected an integer from {low} to {high}, got {_show(value)}"
        )
    return value


def _flag(value: object, field: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise CoachingInputError(field, f"expected true, false or null, got {_show(value)}")
    return value


def _date(value: object, field: str) -> date:
    try:
        if isinstance(value, str):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise CoachingInputError(field, f"expected a date YYYY-MM-DD, got {_show(value)}")


def _list(value: object, field: str) -> list[object]:
    if not isinstance(value, list):
        raise CoachingInputError(field, f"expected a list, got {_show(value)}")
    return value


def profile_from_dict(data: object) -> Profile:
    """A validated ``Profile`` from a decoded profile JSON object."""
    data = _mapping(data, "", PROFILE_KEYS)
    for key in ("experience", "week"):
        if key not in data:
            raise CoachingInputError(key, "missing")
    week = _mapping(data["week"], "week", frozenset(WEEKDAYS))
    for day in WEEKDAYS:
        if day not in week:
            raise CoachingInputError(f"week.{day}", "missing")
    equipment = _list(data.get("equipment", []), "equipment")
    race = data.get("race_date")
    race_name = data.get("race_name")
    if race_name is not None and not isinstance(race_name, str):
        raise CoachingInputError("race_name", f"expected text, got {_show(race_name)}")
    runs = data.get("trail_runs_per_week")
    return Profile(
        experience=_choice(data["experience"], Experience, "experience"),
        week=tuple(_choice(week[day], DayKind, f"week.{day}") for day in WEEKDAYS),
        equipment=frozenset(
            _choice(item, Equipment, f"equipment[{i}]") for i, item in enumerate(equipment)
        ),
        sessions_per_week=_integer(data.get("sessions_per_week", 2), "sessions_per_week", 1, 2),
        race_date=None if race is None else _date(race, "race_date"),
        race_name=race_name,
        trail_runs_per_week=None if runs is None else _integer(runs, "trail_runs_per_week", 0, 14),
        reminder=_reminder(data),
    )


def profile_to_dict(profile: Profile) -> dict[str, object]:
    """The coaching fields of a profile as the JSON object ``profile_from_dict`` reads."""
    return {
        "experience": profile.experience.value,
        "week": {day: kind.value for day, kind in zip(WEEKDAYS, profile.week, strict=True)},
        "equipment": sorted(item.value for item in profile.equipment),
        "sessions_per_week": profile.sessions_per_week,
        "race_date": profile.race_date.isoformat() if profile.race_date else None,
        "race_name": profile.race_name,
        "trail_runs_per_week": profile.trail_runs_per_week,
    }


def _reminder(data: Mapping[str, object]) -> Reminder | None:
    zone, at = data.get("timezone"), data.get("reminder_time")
    if zone is None and at is None:
        return None
    if not isinstance(zone, str) or not TIMEZONE.match(zone):
        raise CoachingInputError(
            "timezone", f"expected an IANA name like Europe/Berlin, got {_show(zone)}"
        )
    try:
        if isinstance(at, str) and re.fullmatch(r"\d\d:\d\d", at):
            return Reminder(time.fromisoformat(at), zone)
    except ValueError:
        pass
    raise CoachingInputError("reminder_time", f"expected a local time HH:MM, got {_show(at)}")


def feedback_from_list(
    data: object, settings: RuleSettings | None = None
) -> tuple[HistoryEvent, ...]:
    """Validated history from a decoded feedback JSON list, one entry per session date.

    An entry ``{"date": ..., "resumed": true}`` records the runner resuming after C7.
    """
    settings = settings or rules()
    entries: list[HistoryEvent] = []
    seen: set[date] = set()
    for index, entry in enumerate(_list(data, "(top level)")):
        field = f"[{index}]"
        if isinstance(entry, Mapping) and "resumed" in entry:
            entry = _mapping(entry, field, frozenset({"date", "resumed"}))
            if entry["resumed"] is not True:
                raise CoachingInputError(f"{field}.resumed", "expected true")
            entries.append(Resumed(_date(entry.get("date"), f"{field}.date")))
            continue
        feedback = _feedback(entry, field, settings)
        if feedback.date in seen:
            raise CoachingInputError(f"{field}.date", f"a second entry for {feedback.date}")
        seen.add(feedback.date)
        entries.append(feedback)
    return tuple(entries)


def _feedback(entry: object, field: str, settings: RuleSettings) -> Feedback:
    data = _mapping(entry, field, FEEDBACK_KEYS)
    if "date" not in data:
        raise CoachingInputError(f"{field}.date", "missing")
    legs = data.get("legs")
    return Feedback(
        date=_date(data["date"], f"{field}.date"),
        completed=_choice(data.get("completed", "full"), Completed, f"{field}.completed"),
        rpe=_rpe(data.get("rpe"), f"{field}.rpe", settings),
        legs=None if legs is None else _choice(legs, Legs, f"{field}.legs"),
        soreness_where=_places(data.get("soreness_where", []), f"{field}.soreness_where"),
        pain=tuple(
            _pain(item, f"{field}.pain[{i}]")
            for i, item in enumerate(_list(data.get("pain", []), f"{field}.pain"))
        ),
        ran_normally=_flag(data.get("ran_normally"), f"{field}.ran_normally"),
        descending_stiff=_flag(data.get("descending_stiff"), f"{field}.descending_stiff"),
        hamstring_sensitive=_flag(data.get("hamstring_sensitive"), f"{field}.hamstring_sensitive"),
        hips_level=_flag(data.get("hips_level"), f"{field}.hips_level"),
    )


def _rpe(value: object, field: str, settings: RuleSettings) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        key = value.strip().lower().replace(" ", "_")
        if key in settings.rpe_words:
            return settings.rpe_words[key]
        words = ", ".join(settings.rpe_words)
        raise CoachingInputError(field, f"expected 1-10 or one of {words}, got {_show(value)}")
    return _integer(value, field, 1, 10)


def _places(value: object, field: str) -> tuple[str, ...]:
    places = _list(value, field)
    for i, place in enumerate(places):
        if place not in SORENESS_PLACES:
            allowed = ", ".join(sorted(SORENESS_PLACES))
            raise CoachingInputError(
                f"{field}[{i}]", f"expected one of {allowed}, got {_show(place)}"
            )
    return tuple(str(place) for place in places)


def _pain(value: object, field: str) -> PainReport:
    data = _mapping(value, field, frozenset({"where", "score", "settled"}))
    if "score" not in data:
        raise CoachingInputError(f"{field}.score", "missing")
    return PainReport(
        where=_choice(data.get("where"), PainSite, f"{field}.where"),
        score=_integer(data["score"], f"{field}.score", 0, 10),
        settled=_flag(data.get("settled"), f"{field}.settled"),
    )
