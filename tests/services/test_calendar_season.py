"""Five weeks of a season through the services, the calendar link read after every step: each
event's SEQUENCE holds while it reads the same and rises by one when it changes, the past
four weeks keep each session with how it went, and reading writes nothing."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from bot.services.coach import Coach
from bot.services.context import Person, Platform
from bot.services.use_cases.calendar import subscription
from bot.storage.database import Database
from tests.conftest import KNEE_PAIN_CHECK_IN, FakeClock
from tests.services.conftest import Talker, go_to_next_session, log_done, onboard
from tests.services.test_calendar_subscription import PUBLIC, link_in
from tests.writes import nothing_written

Seen = dict[str, tuple[int, Any]]  # by UID: SEQUENCE, and what the event says


@pytest.fixture
def ada(coach: Coach) -> Talker:
    webhook = Coach(dataclasses.replace(coach.ctx, public_url=PUBLIC))
    return Talker(webhook, Person(Platform.TELEGRAM, "501", "501", "Ada"))


async def read(ada: Talker, token: str, database: Database) -> dict[str, Any]:
    """The calendar behind the link, read twice (the same both times, nothing written)."""
    with nothing_written(database):
        first = await subscription(ada.coach.ctx, token)
        second = await subscription(ada.coach.ctx, token)
    assert first is not None and second is not None and first.content == second.content
    return {
        str(e["uid"]): (
            e.decoded("sequence"),
            (e.decoded("dtstart"), str(e["summary"]), str(e["description"]), str(e["status"])),
        )
        for e in Calendar.from_ical(first.content).walk("VEVENT")
    }


def follows(before: Seen, after: Seen) -> None:
    for uid in before.keys() & after.keys():
        (was, said), (now, says) = before[uid], after[uid]
        assert now == (was if says == said else was + 1), (uid, said, says)


@pytest.mark.slow  # five weeks of a season; test_calendar_subscription.py keeps SEQUENCE fast
async def test_five_weeks_of_sessions_in_the_calendar_link(
    ada: Talker, clock: FakeClock, database: Database
) -> None:
    await onboard(ada)
    await ada.command("calendar")
    token = link_in(ada)
    seen = await read(ada, token, database)
    done: list[date] = []
    end = clock.now + timedelta(weeks=5)

    async def step() -> None:
        nonlocal seen
        now = await read(ada, token, database)
        follows(seen, now)
        seen = now

    n = 0
    while clock.now < end:
        await go_to_next_session(ada, clock)
        await step()
        if n % 4 == 3:
            await ada.press("Skip")
        else:
            await log_done(ada)
            done.append(clock.now.date())
        await step()
        clock.advance(days=1)
        await step()  # a new day: the oldest day leaves the view, a new one comes in
        if n % 4 != 3:
            await ada.follow(KNEE_PAIN_CHECK_IN if n == 1 else [("say", "/checkin")])
            if n != 1:
                for label in ("Sore muscles", "Hamstrings", "Done", "Yes", "Fine"):
                    await ada.press(label)
            await step()
        n += 1

    today = clock.now.date()
    shown = {says[0].date(): says for _seq, says in seen.values()}
    recent = [day for day in done if day >= today - timedelta(days=28)]
    assert recent and done[0] < today - timedelta(days=28)
    for day in recent:
        assert shown[day][1].endswith("(done)") and shown[day][3] == "CONFIRMED"
    assert done[0] not in shown
    assert any(day >= today for day in shown)
    assert max(sequence for sequence, _says in seen.values()) >= 1


async def test_missed_sessions_change_the_link_only_with_the_next_recorded_change(
    ada: Talker, clock: FakeClock, database: Database
) -> None:
    """Sessions missed for weeks (P9 steps back after a gap) change the sessions ahead: the
    link shows that once a change is recorded, one version up, never as a change with no
    version of its own (a GET cannot record one)."""
    await onboard(ada)
    end = clock.now + timedelta(weeks=4)
    while clock.now < end:  # four weeks of sessions done: the exercises move up
        await go_to_next_session(ada, clock)
        await log_done(ada, effort="Easy")
        clock.advance(days=1)
    await ada.command("calendar")
    token = link_in(ada)
    seen = await read(ada, token, database)
    for _day in range(20):  # three weeks without a word: every session missed
        clock.advance(days=1)
        now = await read(ada, token, database)
        for uid in seen.keys() & now.keys():
            assert now[uid] == seen[uid]  # nothing recorded, nothing changed
        seen = now
    await ada.command("pause")  # a recorded change: every session ahead, and the missed gap
    follows(seen, await read(ada, token, database))
