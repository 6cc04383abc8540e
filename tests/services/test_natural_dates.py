"""Dates and times typed in words (issue 27, item 1): read by dateparser relative to the
runner's own today, in their timezone, across a clock change and a year's end; an ambiguous
date is confirmed with buttons, never guessed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from bot.services.context import ServiceContext
from bot.services.dialogs.free_text import read_race_date
from bot.storage.database import Database
from bot.storage.models import Runner
from tests.conftest import FakeClock, onboarding
from tests.services.conftest import Talker, onboard

NEW_YEARS_EVE = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
"""Thursday evening in Denver; already Friday 1 January 2027 in Tokyo and Auckland."""
CLOCKS_GO_BACK = datetime(2026, 10, 24, 22, 30, tzinfo=UTC)
"""Sunday 25 October 00:30 in Berlin, hours before its clocks go back; still Saturday 24
October in New York, a week before its own."""
NEW_YORK_FALLS_BACK = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
"""01:30 on Sunday 1 November in New York, just after its clocks went back an hour."""


@pytest.mark.parametrize(
    ("now", "zone", "typed", "meant"),
    [
        (NEW_YEARS_EVE, "America/Denver", "tomorrow", (date(2027, 1, 1),)),
        (NEW_YEARS_EVE, "Asia/Tokyo", "tomorrow", (date(2027, 1, 2),)),
        (NEW_YEARS_EVE, "Pacific/Auckland", "in 3 weeks", (date(2027, 1, 22),)),
        (NEW_YEARS_EVE, "America/Denver", "in 3 weeks", (date(2027, 1, 21),)),
        (NEW_YEARS_EVE, "America/Denver", "next friday", (date(2027, 1, 1), date(2027, 1, 8))),
        (NEW_YEARS_EVE, "Asia/Tokyo", "next friday", (date(2027, 1, 8), date(2027, 1, 15))),
        (NEW_YEARS_EVE, "America/Denver", "31 Dec", (date(2026, 12, 31),)),
        (NEW_YEARS_EVE, "Pacific/Auckland", "31 Dec", (date(2027, 12, 31),)),
        (NEW_YEARS_EVE, "Pacific/Auckland", "2 Jan", (date(2027, 1, 2),)),
        (CLOCKS_GO_BACK, "Europe/Berlin", "tomorrow", (date(2026, 10, 26),)),
        (CLOCKS_GO_BACK, "America/New_York", "tomorrow", (date(2026, 10, 25),)),
        (CLOCKS_GO_BACK, "Europe/Berlin", "in 1 week", (date(2026, 11, 1),)),
        (CLOCKS_GO_BACK, "America/New_York", "in 1 week", (date(2026, 10, 31),)),
        (CLOCKS_GO_BACK, "Europe/Berlin", "saturday", (date(2026, 10, 31),)),
        (NEW_YORK_FALLS_BACK, "America/New_York", "tomorrow", (date(2026, 11, 2),)),
        (NEW_YORK_FALLS_BACK, "America/New_York", "in 2 weeks", (date(2026, 11, 15),)),
        (NEW_YORK_FALLS_BACK, "Asia/Kolkata", "next mon", (date(2026, 11, 2), date(2026, 11, 9))),
    ],
)
def test_words_read_as_days_from_the_runners_own_today(
    database: Database, now: datetime, zone: str, typed: str, meant: tuple[date, ...]
) -> None:
    today = ServiceContext(database, FakeClock(now)).today(zone)
    assert read_race_date(typed, today=today) == meant


async def onboard_in(runner: Talker, zone: str) -> None:
    """Onboarding, with the timezone typed as ``zone``."""
    script = onboarding()
    at = script.index(("press", "Europe/Berlin"))
    await runner.follow([*script[:at], ("say", zone), *script[at + 1 :]])


async def stored_runner(database: Database) -> Runner:
    async with database.unit_of_work() as uow:
        return (await uow.session.scalars(select(Runner))).one()


@pytest.mark.parametrize(
    ("zone", "race"), [("Denver", date(2027, 1, 1)), ("Auckland", date(2027, 1, 2))]
)
async def test_race_tomorrow_is_the_runners_tomorrow(
    runner: Talker, database: Database, clock: FakeClock, zone: str, race: date
) -> None:
    await onboard_in(runner, zone)
    clock.now = NEW_YEARS_EVE
    await runner.command("race")
    await runner.say("tomorrow")
    assert (await stored_runner(database)).race_date == race


async def test_the_race_name_may_come_before_the_date(runner: Talker, database: Database) -> None:
    await onboard(runner)
    await runner.command("race")
    await runner.say("Zugspitz Ultra 20 June")
    stored = await stored_runner(database)
    assert (stored.race_date, stored.race_name) == (date(2027, 6, 20), "Zugspitz Ultra")


async def test_next_saturday_is_confirmed_with_buttons_never_guessed(
    runner: Talker, database: Database
) -> None:
    await onboard(runner)
    await runner.command("race")
    await runner.say("next saturday Trail des Fous")
    assert runner.text == "Which do you mean: Sat 28 Nov 2026 or Sat 5 Dec 2026?"
    labels = [b.label for row in runner.last[0].buttons for b in row]
    assert labels == ["Sat 28 Nov 2026", "Sat 5 Dec 2026", "No, I'll type it again"]
    assert (await stored_runner(database)).race_date is None  # nothing stored yet
    await runner.press("Sat 5 Dec 2026")
    stored = await stored_runner(database)
    assert (stored.race_date, stored.race_name) == (date(2026, 12, 5), "Trail des Fous")


async def test_a_date_that_reads_both_ways_is_confirmed_in_onboarding(
    runner: Talker, database: Database
) -> None:
    script = onboarding()
    at = script.index(("press", "No race planned"))
    await runner.follow(script[:at])
    await runner.say("05/06/2027")
    assert runner.text == "Which do you mean: Thu 6 May 2027 or Sat 5 Jun 2027?"
    await runner.say("jun")  # typed: the button's label starts so
    await runner.follow(script[at + 1 : -1])
    assert "Race: 05 Jun 2027" in runner.text  # the summary shows the date chosen
    await runner.press("Looks good")
    assert (await stored_runner(database)).race_date == date(2027, 6, 5)


async def test_an_ambiguous_date_turned_down_is_typed_again_plainly(
    runner: Talker, database: Database
) -> None:
    await onboard(runner)
    await runner.command("race")
    await runner.say("next saturday")
    await runner.press("No, I'll type it again")
    await runner.say("next saturday")
    assert "Please add the year" in runner.text
    await runner.say("in 3 weeks")
    assert (await stored_runner(database)).race_date == date(2026, 12, 14)


@pytest.mark.parametrize(("typed", "at"), [("noon", time(12)), ("18h", time(18))])
async def test_a_reminder_time_in_words(
    runner: Talker, database: Database, typed: str, at: time
) -> None:
    await onboard(runner)
    await runner.command("settings")
    await runner.press("Reminder time")
    await runner.say(typed)
    assert "Saved." in runner.text
    assert (await stored_runner(database)).reminder_time == at
