"""The profile questions (COACHING.md "the profile"), shared by onboarding and /settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, time
from typing import Any, NotRequired, TypedDict

from bot.services.context import ServiceContext
from bot.services.dialogs.choices import Choice
from bot.services.dialogs.engine import Answers, Step
from bot.services.dialogs.free_text import (
    UNREADABLE_DATE,
    NotUnderstood,
    PastDate,
    read_race_date,
    read_time,
    read_timezone,
    year_guessed,
)
from bot.services.presentation.cues import Cue
from bot.services.presentation.sessions import DAY_KIND_LABEL, EQUIPMENT_LABEL, WEEKDAYS
from bot.services.presentation.text import cue
from bot.storage.models import Runner, RunningDay

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RUNNING = ("easy", "hard", "long")
DAY_KIND_WORDS = {
    "rest": ("off", "day off", "rest day", "nothing", "none"),
    "easy": ("easy", "jog", "recovery run", "short run", "steady"),
    "hard": ("intervals", "tempo", "speed", "speedwork", "workout", "track", "threshold", "hills"),
    "long": ("long",),
}
DAY_KINDS = tuple(
    Choice(kind, label.capitalize(), DAY_KIND_WORDS[kind]) for kind, label in DAY_KIND_LABEL.items()
)
WEEKDAY_CHOICES = tuple(
    Choice(key, name, (short,))
    for key, name, short in zip(
        DAY_KEYS, WEEKDAYS, ("mon", "tues", "weds", "thurs", "fri", "sat", "sun"), strict=True
    )
)


NO_RACE_CHOICE = Choice("none", "No race planned", ("none", "no", "no race", "not yet", "nothing"))
KIT = tuple(
    Choice(item, label[0].upper() + label[1:], words)
    for (item, label), words in zip(
        EQUIPMENT_LABEL.items(),
        (
            ("step", "box", "bench", "stairs"),
            ("slider", "towel"),
            ("anchor", "strap", "partner", "sofa", "nordic"),
            ("weight", "dumbbells", "dumbbell", "kettlebell"),
        ),
        strict=True,
    )
)

TIMEZONE_EXAMPLE = "Denver, Europe/Berlin or +2"


class RaceAnswer(TypedDict):
    """A typed race: its ISO date (None for none), its name, whether its year was a guess, and
    the dates it could mean when it was ambiguous (the first is ``date`` until one is chosen)."""

    date: str | None
    name: str | None
    guessed: bool
    readings: NotRequired[list[str]]


class ProfileAnswers(TypedDict, total=False):
    """The profile questions' answers, each there when its question was asked: experience,
    each day of the running week, trail runs, race, kit, sessions a week, reminder time (HH:MM),
    timezone and week preview ("on" or "off")."""

    exp: str
    mon: str
    tue: str
    wed: str
    thu: str
    fri: str
    sat: str
    sun: str
    runs: str
    race: RaceAnswer | str
    race_ok: str
    race_again: RaceAnswer | str
    kit: list[str]
    spw: str
    time: str
    tz: str
    preview: str


def _race(text: str, answers: Answers, ctx: ServiceContext) -> RaceAnswer:
    """A race date with its name before or after it, if given (``15 May Zugspitz Ultra``,
    ``Zugspitz Ultra 20 June``), read relative to the runner's today: the longest run of
    words at either end that reads as a date is the date. ``guessed`` when it named no year
    and this year's date has passed; ``readings`` when it could mean several dates."""
    today = ctx.today(answers.get("tz") or answers.get("zone") or ctx.default_timezone)
    words = text.split()
    passed: NotUnderstood | None = None
    for size in range(len(words), 0, -1):
        for typed, name in ((words[:size], words[size:]), (words[-size:], words[:-size])):
            try:
                days = read_race_date(" ".join(typed), today=today)
            except PastDate as refused:
                passed = passed or refused
                continue
            except NotUnderstood:
                continue
            if not days and name:
                continue  # "none" names no race, and no name either
            return _race_answer(" ".join(typed), days, " ".join(name)[:128] or None, today)
    raise passed or NotUnderstood(UNREADABLE_DATE)


def _race_answer(typed: str, days: tuple[date, ...], name: str | None, today: date) -> RaceAnswer:
    first = days[0] if days else None
    guessed = len(days) == 1 and first is not None and year_guessed(typed, first, today=today)
    race: RaceAnswer = {
        "date": first.isoformat() if first else None,
        "name": name,
        "guessed": guessed,
    }
    if len(days) > 1:
        race["readings"] = [day.isoformat() for day in days]
    return race


def race_shown(race: RaceAnswer) -> str:
    """A typed race as the answers so far show it: ``Sun 24 Jan 2027, Zugspitz Ultra``."""
    if race["date"] is None:
        return race["name"] or "none"
    day = date.fromisoformat(race["date"])
    return ", ".join(filter(None, [f"{day:%a} {day.day} {day:%b %Y}", race["name"]]))


def _race_with_year(text: str, answers: Answers, ctx: ServiceContext) -> RaceAnswer:
    """The race typed again after a guessed or ambiguous date was turned down: this time
    plainly, with its year."""
    race = _race(text, answers, ctx)
    if race["guessed"] or race.get("readings"):
        raise NotUnderstood("Please add the year this time, with the month's name: 24 Jan 2027.")
    return race


def _to_confirm(answers: Answers) -> list[date]:
    """The dates a typed race date could mean, when the runner should choose: the one it
    read with a guessed year, or each reading of an ambiguous one; else none."""
    race = answers.get("race")
    if not isinstance(race, dict):
        return []
    if race.get("readings"):
        return [date.fromisoformat(day) for day in race["readings"]]
    return [date.fromisoformat(race["date"])] if race.get("guessed") else []


def _long_date(day: date) -> str:
    """``Sun 24 Jan 2027``."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def _confirm_question(answers: Answers) -> str:
    days = [_long_date(day) for day in _to_confirm(answers)]
    if len(days) == 1:
        return f"Do you mean {days[0]}?"
    return f"Which do you mean: {', '.join(days[:-1])} or {days[-1]}?"


def _confirm_choices(answers: Answers, _ctx: ServiceContext) -> Sequence[Choice]:
    again = Choice("again", "No, I'll type it again", ("no", "again", "neither"))
    days = _to_confirm(answers)
    if len(days) == 1:
        return [Choice("yes", "Yes", ("right", "correct")), again]
    return [*(Choice(day.isoformat(), _long_date(day)) for day in days), again]


def _race_steps(asked: Callable[[Answers], bool]) -> tuple[Step, ...]:
    """The race date (typed, or none); a date typed without a year that has passed this year,
    or one that could mean several dates, is confirmed with buttons, or typed again."""
    return (
        Step(
            "race",
            "Do you have a race coming up? Type its date (like 15 May, 2027-05-15 or in 10 "
            "weeks), with its name if you like.",
            [NO_RACE_CHOICE],
            read_text=_race,
            when=asked,
            label="Race",
            show=race_shown,
            example="15 May 2027 Zugspitz Ultra",
        ),
        Step(
            "race_ok",
            _confirm_question,
            _confirm_choices,
            when=lambda a: asked(a) and bool(_to_confirm(a)),
        ),
        Step(
            "race_again",
            "OK, type the race date with its year (like 24 Jan 2027), with its name after it "
            "if you like.",
            [NO_RACE_CHOICE],
            read_text=_race_with_year,
            when=lambda a: asked(a) and a.get("race_ok") == "again",
            label="Race",
            show=race_shown,
            example="24 Jan 2027 Zugspitz Ultra",
        ),
    )


def running_days(runner: Runner) -> int:
    """How many days of the runner's stored week hold a run."""
    return sum(day.kind in RUNNING for day in runner.week)


def _runs(answers: Answers, _ctx: ServiceContext) -> Sequence[Choice]:
    """The count from the week just given (onboarding), else from the stored week (/settings)."""
    counted = answers.get("running_days", sum(answers.get(day) in RUNNING for day in DAY_KEYS))
    right = ("yes", "right", "correct", "thats right")
    return [
        Choice("auto", f"Yes, {counted}", right),
        *(Choice(str(n), str(n)) for n in range(1, 8)),
    ]


def timezone_choices(_answers: Answers, ctx: ServiceContext) -> Sequence[Choice]:
    """The default timezone and a few common ones, as buttons."""
    zones = [ctx.default_timezone, "Europe/London", "Europe/Berlin", "America/New_York"]
    unique = list(dict.fromkeys(zones))
    return [Choice(zone, zone) for zone in unique]


def typed_time(text: str, _answers: Answers, _ctx: ServiceContext) -> str:
    """A typed time of day, stored as HH:MM."""
    return read_time(text).strftime("%H:%M")


def typed_timezone(text: str, _answers: Answers, _ctx: ServiceContext) -> str:
    """A typed timezone (name, city or offset), stored as its IANA name."""
    return read_timezone(text)


def _day_step(index: int, key: str, when: Callable[[Answers], bool]) -> Step:
    name = WEEKDAYS[index]
    return Step(
        key,
        f"What is {name} usually?",
        DAY_KINDS,
        when=when,
        label=name,
    )


def one_day_steps(when: Callable[[Answers], bool]) -> tuple[Step, Step]:
    """Change one day of the running week: which day, then what it is."""
    return (
        Step(
            "wday",
            "Which day changes?",
            WEEKDAY_CHOICES,
            columns=4,
            when=when,
            label="Day",
        ),
        Step(
            "wkind",
            lambda a: f"What is {WEEKDAYS[DAY_KEYS.index(a['wday'])]} now?",
            DAY_KINDS,
            when=when,
            label="Now",
        ),
    )


def profile_steps(when: Callable[[str], Callable[[Answers], bool]]) -> tuple[Step, ...]:
    """Every profile question; ``when(field)`` says whether that field's steps are asked."""
    week = when("week")
    return (
        Step(
            "exp",
            "How much structured strength training have you done?",
            [
                Choice("none", "None yet", ("none", "never", "beginner", "new")),
                Choice("some", "Some", ("a bit", "a little", "occasionally")),
                Choice("regular", "It's a habit", ("regular", "regularly", "a lot", "lots")),
            ],
            columns=3,
            when=when("experience"),
            label="Experience",
        ),
        *(_day_step(i, key, week) for i, key in enumerate(DAY_KEYS)),
        Step(
            "runs",
            lambda a: (
                "From your week, that makes "
                f"{sum(a.get(d) in RUNNING for d in DAY_KEYS)} trail runs a week. Right? "
                "If not, pick how many of your runs are on trails."
            ),
            _runs,
            columns=4,
            when=when("runs"),
            label="Trail runs a week",
        ),
        *_race_steps(when("race")),
        Step(
            "kit",
            "What do you have at home? " + cue(Cue.CHOOSE_MANY),
            KIT,
            multi=True,
            done_label="None of these",
            when=when("kit"),
            label="Kit",
        ),
        Step(
            "spw",
            "How many strength sessions a week? Two works best; one still helps.",
            [Choice("2", "Two (recommended)", ("twice",)), Choice("1", "One", ("once",))],
            when=when("sessions"),
            label="Sessions a week",
        ),
        Step(
            "time",
            "When should I send your session? Pick a time or type one, like 6:30 or 7pm.",
            [Choice(t, t) for t in ("06:00", "07:00", "12:00", "17:00", "19:00", "20:00")],
            columns=3,
            read_text=typed_time,
            when=when("time"),
            label="Reminder time",
            example="6:30 or 7pm",
        ),
        Step(
            "tz",
            "Which timezone are you in? Pick one, or type a city (Denver) or an offset (+2)."
            + cue(Cue.SHARE_LOCATION),
            timezone_choices,
            read_text=typed_timezone,
            accepts_location=True,
            when=when("timezone"),
            label="Timezone",
            example=TIMEZONE_EXAMPLE,
        ),
        Step(
            "preview",
            "Would you like a short preview of your week every Monday?",
            [Choice("on", "Yes please", ("on",)), Choice("off", "No thanks", ("off",))],
            when=when("preview"),
            label="Week preview",
        ),
    )


def apply_answers(runner: Runner, answers: Mapping[str, Any]) -> None:
    """Copy every answered profile field (of ``ProfileAnswers``, so far) onto the runner."""
    setters: dict[str, Callable[[Any], None]] = {
        "exp": lambda v: setattr(runner, "experience", v),
        "runs": lambda v: setattr(runner, "trail_runs_per_week", None if v == "auto" else int(v)),
        "race": lambda v: _set_race(runner, v),
        "race_ok": lambda v: _set_reading(runner, v),  # after "race": the date meant
        "race_again": lambda v: _set_race(runner, v),  # after "race": it replaces a wrong guess
        "kit": lambda v: setattr(runner, "equipment", sorted(v)),
        "spw": lambda v: setattr(runner, "sessions_per_week", int(v)),
        "time": lambda v: setattr(runner, "reminder_time", time.fromisoformat(v)),
        "tz": lambda v: setattr(runner, "timezone", v),
        "preview": lambda v: setattr(runner, "week_preview", v == "on"),
    }
    for key, set_field in setters.items():
        if key in answers:
            set_field(answers[key])
    if all(day in answers for day in DAY_KEYS):
        runner.week = [
            RunningDay(weekday=index, kind=answers[day]) for index, day in enumerate(DAY_KEYS)
        ]
    if "wday" in answers and "wkind" in answers:
        runner.week[DAY_KEYS.index(answers["wday"])].kind = answers["wkind"]


def _set_reading(runner: Runner, value: str) -> None:
    """The date chosen among the readings of an ambiguous race date (or "yes", "again")."""
    if value not in {"yes", "again"}:
        runner.race_date = date.fromisoformat(value)


def _set_race(runner: Runner, value: RaceAnswer | str) -> None:
    if value == "none" or not isinstance(value, dict) or value.get("date") is None:
        runner.race_date, runner.race_name = None, None
        return
    runner.race_date = date.fromisoformat(str(value["date"]))
    runner.race_name = value.get("name")
