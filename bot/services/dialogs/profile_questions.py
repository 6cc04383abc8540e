"""The profile questions (COACHING.md "the profile"), shared by onboarding and /settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, time
from typing import Any, TypedDict

from bot.services.context import ServiceContext
from bot.services.dialogs.engine import Answers, Choice, Step
from bot.services.dialogs.free_text import (
    NotUnderstood,
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
TIMEZONE_EXAMPLE = "Denver, Europe/Berlin or +2"


class RaceAnswer(TypedDict):
    """A typed race: its ISO date (None for none), its name, and whether its year was a guess."""

    date: str | None
    name: str | None
    guessed: bool


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


def _race(text: str, _answers: Answers, ctx: ServiceContext) -> RaceAnswer:
    """A race date, optionally followed by its name: ``15 May Zugspitz Ultra``; ``guessed``
    when it named no year and this year's date has passed, so next year's is only a guess."""
    today = ctx.today(ctx.default_timezone)
    words = text.split()
    for cut in range(len(words), 0, -1):
        typed = " ".join(words[:cut])
        try:
            day = read_race_date(typed, today=today)
        except NotUnderstood:
            if cut == 1:
                raise
            continue
        name = " ".join(words[cut:])[:128] or None
        guessed = day is not None and year_guessed(typed, day, today=today)
        return {"date": day.isoformat() if day else None, "name": name, "guessed": guessed}
    raise NotUnderstood("I couldn't read that date. Try 2027-05-15, 15 May, or none.")


def _race_with_year(text: str, answers: Answers, ctx: ServiceContext) -> RaceAnswer:
    """The race typed again after a guessed year was turned down: this time with its year."""
    race = _race(text, answers, ctx)
    if race["guessed"]:
        raise NotUnderstood("Please add the year this time, like 24 Jan 2027.")
    return race


def race_shown(race: RaceAnswer) -> str:
    """A typed race as the answers so far show it: ``Sun 24 Jan 2027, Zugspitz Ultra``."""
    if race["date"] is None:
        return race["name"] or "none"
    day = date.fromisoformat(race["date"])
    return ", ".join(filter(None, [f"{day:%a} {day.day} {day:%b %Y}", race["name"]]))


def _guessed_race(answers: Answers) -> str:
    """``Sun 24 Jan 2027``: the date read from a typed race date with no year."""
    race = answers.get("race")
    if not isinstance(race, dict) or not race.get("guessed"):
        return ""
    day = date.fromisoformat(race["date"])
    return f"{day:%a} {day.day} {day:%b %Y}"


def _race_steps(asked: Callable[[Answers], bool]) -> tuple[Step, ...]:
    """The race date (typed, or none); a date typed without a year that has passed this year
    is confirmed with buttons, or typed again with its year."""
    return (
        Step(
            "race",
            "Do you have a race coming up? Type its date (like 2027-05-15 or 15 May), "
            "with its name after it if you like.",
            [Choice("none", "No race planned")],
            read_text=_race,
            when=asked,
            label="Race",
            show=race_shown,
            example="15 May 2027 Zugspitz Ultra",
        ),
        Step(
            "race_ok",
            lambda a: f"Do you mean {_guessed_race(a)}?",
            [Choice("yes", "Yes"), Choice("again", "No, I'll type it again")],
            when=lambda a: asked(a) and bool(_guessed_race(a)),
        ),
        Step(
            "race_again",
            "OK, type the race date with its year (like 24 Jan 2027), with its name after it "
            "if you like.",
            [Choice("none", "No race planned")],
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
    return [Choice("auto", f"Yes, {counted}"), *(Choice(str(n), str(n)) for n in range(1, 8))]


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
        [Choice(kind, label.capitalize()) for kind, label in DAY_KIND_LABEL.items()],
        when=when,
        label=name,
    )


def one_day_steps(when: Callable[[Answers], bool]) -> tuple[Step, Step]:
    """Change one day of the running week: which day, then what it is."""
    return (
        Step(
            "wday",
            "Which day changes?",
            [Choice(key, WEEKDAYS[i]) for i, key in enumerate(DAY_KEYS)],
            columns=4,
            when=when,
            label="Day",
        ),
        Step(
            "wkind",
            lambda a: f"What is {WEEKDAYS[DAY_KEYS.index(a['wday'])]} now?",
            [Choice(kind, label.capitalize()) for kind, label in DAY_KIND_LABEL.items()],
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
                Choice("none", "None yet"),
                Choice("some", "Some"),
                Choice("regular", "It's a habit"),
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
            [Choice(item, label[0].upper() + label[1:]) for item, label in EQUIPMENT_LABEL.items()],
            multi=True,
            done_label="None of these",
            when=when("kit"),
            label="Kit",
        ),
        Step(
            "spw",
            "How many strength sessions a week? Two works best; one still helps.",
            [Choice("2", "Two (recommended)"), Choice("1", "One")],
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
            [Choice("on", "Yes please"), Choice("off", "No thanks")],
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


def _set_race(runner: Runner, value: RaceAnswer | str) -> None:
    if value == "none" or not isinstance(value, dict) or value.get("date") is None:
        runner.race_date, runner.race_name = None, None
        return
    runner.race_date = date.fromisoformat(str(value["date"]))
    runner.race_name = value.get("name")
