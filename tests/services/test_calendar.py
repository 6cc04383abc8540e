"""/calendar through the services: four weeks of sessions that update in place on re-import."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from icalendar import Calendar

from tests.conftest import KNEE_PAIN_CHECK_IN, FakeClock
from tests.services.conftest import (
    Talker,
    go_to_next_session,
    log_done,
    onboard,
    red_flag_after_a_session,
)

Events = dict[str, tuple[int, str, str]]  # uid: (sequence, status, description)


@dataclass
class WallClock(FakeClock):
    """The test's clock, with the wall clock (which stamps stored rows) moving along with it."""

    traveller: time_machine.Traveller | None = None

    def advance(self, **delta: float) -> None:
        super().advance(**delta)
        assert self.traveller is not None
        self.traveller.move_to(self.now)


@pytest.fixture
def clock() -> Iterator[WallClock]:
    wall = WallClock()
    with time_machine.travel(wall.now, tick=False) as traveller:
        wall.traveller = traveller
        yield wall


async def export(runner: Talker) -> Calendar:
    (message,) = await runner.command("calendar")
    assert message.document is not None
    assert message.document.filename.endswith(".ics")
    assert message.document.mime_type == "text/calendar"
    return Calendar.from_ical(message.document.content)


def events(calendar: Calendar) -> Events:
    return {
        str(e["uid"]): (e.decoded("sequence"), str(e["status"]), str(e["description"]))
        for e in calendar.walk("VEVENT")
    }


async def test_four_weeks_of_sessions_with_stable_uids(runner: Talker, clock: FakeClock) -> None:
    await onboard(runner)
    calendar = await export(runner)
    today = clock.now.date()
    starts = [e.decoded("dtstart") for e in calendar.walk("VEVENT")]
    assert len(starts) == 8  # two a week
    assert all(today <= s.date() <= today + timedelta(days=27) for s in starts)
    assert {(s.hour, s.minute, str(s.tzinfo)) for s in starts} == {(7, 30, "Europe/Berlin")}
    assert all(str(e["summary"]).startswith("Strength: ") for e in calendar.walk("VEVENT"))
    first_week = (await runner.command("week"))[0].text
    first = calendar.walk("VEVENT")[0]
    assert all(
        line.split(". ", 1)[1].split(":")[0] in first_week
        for line in str(first["description"]).splitlines()[1:]
    )
    assert events(await export(runner)) == events(calendar)


async def test_a_change_raises_the_sequence_and_a_skip_cancels(
    runner: Talker, clock: FakeClock
) -> None:
    await onboard(runner, kit=("Step or sturdy box", "Sliders or a towel"))
    await go_to_next_session(runner, clock)
    await log_done(runner)
    clock.advance(days=1)
    before = events(await export(runner))
    await runner.follow(KNEE_PAIN_CHECK_IN)  # C2: the next session eases off
    after = events(await export(runner))
    changed = [uid for uid in after if uid in before and after[uid][2] != before[uid][2]]
    assert changed
    assert "Check your form on this one" in after[changed[0]][2]
    assert all(after[uid][0] > before[uid][0] for uid in changed)

    clock.advance(hours=1)
    await go_to_next_session(runner, clock)
    await runner.press("Skip")
    skipped = events(await export(runner))
    dropped = [uid for uid, (_seq, status, _text) in skipped.items() if status == "CANCELLED"]
    assert len(dropped) == 1
    assert skipped[dropped[0]][0] > after[dropped[0]][0]


async def test_while_paused_every_session_comes_cancelled(runner: Talker, clock: FakeClock) -> None:
    await onboard(runner)
    before = events(await export(runner))
    clock.advance(minutes=5)
    await runner.command("pause")
    paused = events(await export(runner))
    assert paused.keys() == before.keys()
    assert {status for _seq, status, _text in paused.values()} == {"CANCELLED"}
    assert all(paused[uid][0] > before[uid][0] for uid in before)


async def test_after_a_red_flag_there_is_no_file_to_send(runner: Talker, clock: FakeClock) -> None:
    await onboard(runner)
    await red_flag_after_a_session(runner, clock)
    (message,) = await runner.command("calendar")
    assert message.document is None
    assert str(message.text).startswith("No strength sessions are planned in the next four weeks")
