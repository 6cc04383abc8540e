"""Issue 25: a season-long property test of the conversation and the reminder tick together.

Hypothesis draws a runner and 12 weeks or more of life: what they do with each reminder (Done
with random answers, Skip, nothing) and each check-in, and random events at random times:
commands in the seconds between a reminder's due time and the tick (07:00:03, the tick at
07:00:05), /today and /week, /settings changes of a day of the running week, the kit, the
sessions a week and the reminder time, a race 2 to 8 weeks out (often mid-week) and its
clearing, /pause and /resume at any hour, and gaps of one to four weeks of silence. It runs
on the real tick, dispatcher and Telegram notifier over the in-process fake Bot API, on a
fresh SQLite file per example, and checks issue 25's invariants (``tests/schedules/season``).

CI runs a few examples; ``SEASON_EXAMPLES=200`` runs more by hand (docs/testing.md).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.services.coach import Coach
from bot.services.context import Person, Platform
from bot.services.presentation.replies import Message
from bot.storage.database import Database, create_engine
from tests.conftest import FakeClock, VirtualTime
from tests.fake_telegram import FakeBotAPI
from tests.fake_telegram.fixtures import in_process_bot
from tests.schedules.conftest import reminders_for
from tests.schedules.season import TICK_HOURS, WEEKDAYS, Action, Season, local
from tests.services.conftest import Talker

pytestmark = pytest.mark.slow  # hypothesis lives random seasons on the real tick

EXAMPLES = int(os.environ.get("SEASON_EXAMPLES", "3"))
CHECKS = os.environ.get("SEASON_CHECKS", "abcd")  # by hand: some invariants only
BY_HAND = "SEASON_EXAMPLES" in os.environ  # random seasons; CI lives the same few each run
START = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # Monday, 06:00 in Berlin
KIT = {"step": "Step or sturdy box", "sliders": "Sliders or a towel", "weights": "Weights"}
KINDS = ("Rest", "Easy run", "Hard run", "Long run")
TIMES = ("07:00", "06:00", "12:00", "17:00", "19:00", "20:00")
SITES = ("Knee", "Hip", "Lower back", "Hamstring")
LEGS = ("Fresh", "Sore muscles", "Heavy legs", "Joint pain", "Sharp pain, bruising or weakness")
TRAIL = ("Fine", "No trail run yet", "Stiff downhill or heavy uphill", "Hamstring feels sensitive")

# -- what the runner does -------------------------------------------------------------------

events = st.one_of(
    st.tuples(st.sampled_from(("today", "week", "today_done", "pause", "resume", "no_race"))),
    st.tuples(st.just("day"), st.integers(0, 6), st.sampled_from(KINDS)),
    st.tuples(st.just("kit"), st.frozensets(st.sampled_from(tuple(KIT)))),
    st.tuples(st.just("sessions"), st.sampled_from(("One", "Two (recommended)"))),
    st.tuples(st.just("time"), st.sampled_from(TIMES)),
    st.tuples(st.just("race"), st.integers(14, 56)),  # days ahead: often mid-week
    st.tuples(st.just("break"), st.integers(1, 10), st.integers(0, 23)),  # /resume days later
)
when = st.one_of(
    st.tuples(st.just("around"), st.integers(1, 4)),  # seconds after the due time, before the tick
    st.tuples(st.just("at"), st.integers(0, 23), st.integers(1, 59)),  # any hour
)
ROUTINE: dict[str, Any] = {
    "session": "done",
    "how": "All of it",
    "effort": "OK",
    "hurt": None,
    "check_in": True,
    "legs": "Fresh",
    "site": "Knee",
    "score": 0,
    "ran": "Yes",
    "trail": "Fine",
}
"""A day the runner does nothing special: Done on the session, a fresh check-in."""
days = st.fixed_dictionaries(
    {
        "session": st.sampled_from(("done", "nothing", "skip")),
        "how": st.sampled_from(("All of it", "Part of it")),
        "effort": st.sampled_from(("OK", "Easy", "Hard", "Very hard")),
        "hurt": st.none() | st.sampled_from(SITES),
        "check_in": st.sampled_from((True, False)),
        "legs": st.sampled_from(LEGS),
        "site": st.sampled_from(SITES),
        "score": st.integers(0, 10),
        "ran": st.sampled_from(("Yes", "No", "No run today")),
        "trail": st.sampled_from(TRAIL),
    }
)
SEASON_DAYS = 84  # lived days; silences add to them
day_index = st.integers(0, SEASON_DAYS - 1)
seasons = st.fixed_dictionaries(
    {
        "days": st.dictionaries(day_index, days),  # the days that are not ROUTINE
        "events": st.lists(st.tuples(day_index, when, events)),
        "silences": st.dictionaries(day_index, st.integers(1, 4), max_size=2),  # weeks, after
    }
)
runners = st.fixed_dictionaries(
    {
        "experience": st.sampled_from(("Some", "None yet", "It's a habit")),
        "week": st.lists(st.sampled_from(KINDS), min_size=7, max_size=7),
        "kit": st.frozensets(st.sampled_from(tuple(KIT))),
        "sessions": st.sampled_from(("Two (recommended)", "One")),
    }
)


async def onboard(season: Season, answers: dict[str, Any]) -> None:
    talker = season.talker
    await talker.command("start")
    await talker.press(answers["experience"])
    for label in answers["week"]:
        await talker.press(label)
    await talker.press(season.buttons()[0])
    await talker.press("No race planned")
    for item in sorted(answers["kit"]):
        await talker.press(KIT[item])
    await talker.press("Done" if answers["kit"] else "None of these")
    await talker.press(answers["sessions"])
    await talker.say("7:00")
    await talker.press("Europe/Berlin")
    await talker.press("Looks good")
    assert "You're all set" in talker.text


async def log_done(season: Season, day: dict[str, Any]) -> None:
    """The post-session questions, once Done was pressed."""
    if not await season.press_if(day["how"]):
        return
    await season.press_if(day["effort"])
    if day["hurt"] is None:
        await season.press_if("Nothing hurt")
    else:
        await season.press_if(day["hurt"])
        await season.press_if("Done")
        await season.press_if(str(day["score"]))
    await season.press_if("Yes, level")


async def answer_check_in(season: Season, day: dict[str, Any], check_in: Message) -> None:
    await season.press_if(day["legs"], reply=(check_in,))
    if await season.press_if("Hamstrings"):
        await season.press_if("Done")
    if await season.press_if(day["site"]):
        await season.press_if("Done")
        await season.press_if(str(day["score"]))
        await season.press_if("Yes, it has" if day["score"] < 4 else "No, not yet")
    await season.press_if(day["ran"])
    await season.press_if(day["trail"])


async def settings_change(season: Season, field: str, *labels: str) -> None:
    talker = season.talker
    await talker.command("settings")
    await talker.press(field)
    for label in labels:
        await talker.press(label)


async def set_kit(season: Season, kit: frozenset[str]) -> None:
    """The kit question starts from the runner's kit: tap what changes, then Done."""
    have = set((await season.runner()).equipment)
    await season.talker.command("settings")
    await season.talker.press("Kit")
    for item in sorted(have ^ kit):
        await season.talker.press(KIT[item])
    await season.talker.press("Done" if kit else "None of these")


def action(event: tuple[Any, ...], day: dict[str, Any]) -> Action:
    """What an event does, as a step of the season."""
    name, *args = event

    async def run(season: Season) -> None:
        talker = season.talker
        if name == "break":
            await season.act("/pause", lambda: talker.command("pause"))
        elif name in ("today", "week", "pause", "resume"):
            await season.act(f"/{name}", lambda: talker.command(name))
        elif name == "today_done":

            async def done() -> None:
                await talker.command("today")
                if await season.press_if("✅ Done"):
                    season.logged_by_hand.add(season.today())
                    await log_done(season, day)

            await season.act("/today, Done", done)
        elif name == "no_race":
            await season.change("/race none", lambda: race(season, None))
        elif name == "race":
            race_day = season.today() + timedelta(days=args[0])
            await season.change(f"/race {race_day:%a %d %b}", lambda: race(season, race_day))
        elif name == "day":
            weekday, kind = WEEKDAYS[args[0]], args[1]
            await season.change(
                f"/settings: {weekday} is {kind}",
                lambda: settings_change(season, "Running week", weekday, kind),
            )
        elif name == "kit":
            kit = sorted(args[0])
            await season.change(f"/settings: kit {kit}", partial(set_kit, season, args[0]))
        elif name == "sessions":
            await season.change(
                f"/settings: sessions {args[0]}",
                lambda: settings_change(season, "Sessions a week", args[0]),
            )
        elif name == "time":

            async def new_time() -> None:
                await settings_change(season, "Reminder time", args[0])
                season.reminder_time = time.fromisoformat(args[0])

            await season.change(f"/settings: reminder at {args[0]}", new_time)

    return run


async def race(season: Season, day: date | None) -> None:
    await season.talker.command("race")
    if day is None:
        await season.talker.press("No race planned")
    else:
        await season.talker.say(day.isoformat())


async def react(season: Season, day: dict[str, Any], today: date) -> None:
    """What the runner does with what the tick just sent: answer the check-in, then the
    session (Done with the day's answers, Skip, or nothing)."""
    for check_in in season.new_check_ins if day["check_in"] else []:
        await season.act(
            f"answers the check-in: {day['legs']}", partial(answer_check_in, season, day, check_in)
        )
    for session_day, message in season.new_sessions:
        if session_day != today or day["session"] == "nothing":
            continue
        if day["session"] == "skip":
            await season.act("Skip", partial(season.press_if, "Skip", reply=(message,)))
        else:
            what = f"Done ({day['effort']}, hurt: {day['hurt']})"
            await season.act(what, partial(press_done, season, day, message))


async def press_done(season: Season, day: dict[str, Any], session: Message) -> None:
    if await season.press_if("✅ Done", reply=(session,)):
        await log_done(season, day)


async def live_day(season: Season, today: date, day: dict[str, Any] | None) -> None:
    """One local day: events at their times, the reminder minute, the ticks, the reactions."""
    planned = [] if day is None else [(w, action(e, day)) for w, e in day["events"]]
    around = [(w[1], a) for w, a in planned if w[0] == "around"]
    soonest = season.now + timedelta(seconds=1)  # the first day starts after onboarding
    timed = sorted(
        ((max(local(today, time(w[1], w[2])), soonest), a) for w, a in planned if w[0] == "at"),
        key=lambda item: item[0],
    )
    # the reminder minute's tick plans the next day; on a day of events, one more pass
    ticks = [local(today, time(h, 0, 5)) for h in TICK_HOURS] if planned else []
    reminded = False
    while True:
        due = local(today, season.reminder_time)
        if not reminded and due <= season.now:
            reminded = True  # moved to a time already past: nothing is due today
        steps: list[tuple[datetime, int]] = []
        if not reminded:
            steps.append((due, 0))
        if timed:
            steps.append((timed[0][0], 1))
        if ticks:
            steps.append((ticks[0], 2))
        if not steps:
            break
        moment, kind = min(steps)
        at = season.reminder_time
        if kind == 0:
            await season.remind(today, around)
            reminded = True
            if day is not None:
                await react(season, day, today)
            timed = [(max(t, season.now + timedelta(seconds=1)), a) for t, a in timed]
        elif kind == 1:
            season.at(moment)
            await timed.pop(0)[1](season)
        else:
            season.at(moment)
            ticks.pop(0)
            await season.tick()
            if day is not None:
                await react(season, day, today)
        retimed = local(today, season.reminder_time) + timedelta(seconds=5)
        if reminded and season.reminder_time != at and retimed > season.now:
            ticks = sorted([*ticks, retimed])  # a reminder moved later today: tick at it
    season.end_of_day(today)


async def live(season: Season, runner: dict[str, Any], lived: dict[str, Any]) -> None:
    await onboard(season, runner)
    today = season.today()
    planned = [*lived["events"]]
    for index, _when, event in lived["events"]:
        if event[0] == "break":  # /pause now, /resume some days later at a given hour
            planned.append((index + event[1], ("at", event[2], 30), ("resume",)))
    for index in range(SEASON_DAYS):
        day = ROUTINE | lived["days"].get(index, {})
        day["events"] = [(w, e) for i, w, e in planned if i == index]
        await live_day(season, today, day)
        today += timedelta(days=1)
        weeks = lived["silences"].get(index, 0)
        if weeks:
            season.note(f"goes silent for {weeks} weeks")
        for _ in range(7 * weeks):
            await live_day(season, today, None)
            today += timedelta(days=1)


PAUSED_THEN_ONE_A_WEEK: dict[str, Any] = {
    "runner": {
        "experience": "Some",
        "week": ["Long run", "Rest", "Hard run", "Hard run", "Hard run", "Rest", "Rest"],
        "kit": frozenset({"step", "sliders", "weights"}),
        "sessions": "Two (recommended)",
    },
    "lived": {
        "days": {},
        "silences": {},
        "events": [
            (0, ("at", 12, 0), ("time", "06:00")),
            (53, ("at", 9, 0), ("break", 6, 11)),  # /pause Fri 15 Jan, /resume Thu 21 11:30
            (60, ("around", 2), ("sessions", "One")),  # Fri 22 Jan 06:00:02
        ],
    },
}
"""A season a long random run found: the change counts from Saturday, whose session is the
first after a two-week gap; P9's step back must stay on it."""


@settings(
    max_examples=EXAMPLES,
    derandomize=not BY_HAND,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(runner=runners, lived=seasons)
@example(**PAUSED_THEN_ONE_A_WEEK)
async def test_a_season_keeps_every_reminder_check_in_dose_and_promise(
    sqlite_schema: Path, runner: dict[str, Any], lived: dict[str, Any]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "coach.sqlite3"
        shutil.copyfile(sqlite_schema, file)
        engine = create_engine(f"sqlite+aiosqlite:///{file}")
        api = FakeBotAPI()
        try:
            async with in_process_bot(api) as bot:
                clock = FakeClock(START)
                reminders = reminders_for(Database(engine), clock, api, bot, VirtualTime())
                talker = Talker(
                    Coach(reminders.ctx), Person(Platform.TELEGRAM, "501", "501", "Ada")
                )
                await live(Season(reminders, talker, CHECKS), runner, lived)
        finally:
            await engine.dispose()
