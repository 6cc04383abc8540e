"""/calendar through the services: four weeks ahead and four behind, events that keep their
UID and whose SEQUENCE rises by one exactly when they change."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from icalendar import Calendar

from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.services.use_cases.calendar import NOTHING_AHEAD
from bot.storage.database import Database
from tests.conftest import KNEE_PAIN_CHECK_IN, FakeClock
from tests.services.conftest import (
    Talker,
    go_to_next_session,
    log_done,
    onboard,
    red_flag_after_a_session,
)

Events = dict[str, dict[str, Any]]  # by UID: sequence, status, summary, description, day


async def export(runner: Talker) -> bytes:
    (message,) = await runner.command("calendar")
    assert message.document is not None
    assert message.document.filename.endswith(".ics")
    assert message.document.mime_type == "text/calendar"
    return message.document.content


def events(content: bytes) -> Events:
    return {
        str(e["uid"]): {
            "sequence": e.decoded("sequence"),
            "status": str(e["status"]),
            "summary": str(e["summary"]),
            "description": str(e["description"]),
            "start": e.decoded("dtstart"),
            "stamp": e.decoded("dtstamp"),
        }
        for e in Calendar.from_ical(content).walk("VEVENT")
    }


def by_day(found: Events) -> dict[date, dict[str, Any]]:
    return {event["start"].date(): {**event, "uid": uid} for uid, event in found.items()}


async def test_four_weeks_of_sessions_with_lasting_uids_and_the_same_bytes_until_a_change(
    runner: Talker, clock: FakeClock, database: Database
) -> None:
    await onboard(runner)
    content = await export(runner)
    found = events(content)
    today = clock.now.date()
    starts = [event["start"] for event in found.values()]
    assert len(starts) == 8  # two a week
    assert all(today <= s.date() <= today + timedelta(days=27) for s in starts)
    assert {(s.hour, s.minute, str(s.tzinfo)) for s in starts} == {(7, 30, "Europe/Berlin")}
    assert {event["sequence"] for event in found.values()} == {0}
    assert all(uid.endswith("@trail-strength-coach.invalid") for uid in found)
    assert all(len(uid.split("@")[0]) == 32 and "runner" not in uid for uid in found)

    clock.advance(minutes=5)
    assert await export(runner) == content  # nothing changed: the same bytes
    restarted = Talker(Coach(ServiceContext(database, clock, "Europe/Berlin")), runner.person)
    assert await export(restarted) == content  # and after a restart


async def test_a_change_raises_exactly_the_changed_events_by_one(
    runner: Talker, clock: FakeClock
) -> None:
    await onboard(runner, kit=("Step or sturdy box", "Sliders or a towel"))
    await go_to_next_session(runner, clock)
    await log_done(runner)
    clock.advance(days=1)
    before = by_day(events(await export(runner)))
    await runner.follow(KNEE_PAIN_CHECK_IN)  # C2: the next session eases off
    after = by_day(events(await export(runner)))
    changed = [
        d for d in after if d in before and after[d]["description"] != before[d]["description"]
    ]
    assert changed
    assert "Check your form on this one" in after[changed[0]]["description"]
    for day in after.keys() & before.keys():
        rise = 1 if day in changed else 0
        assert after[day]["sequence"] == before[day]["sequence"] + rise, day
        assert after[day]["uid"] == before[day]["uid"]


async def test_a_skip_raises_only_the_skipped_event(runner: Talker, clock: FakeClock) -> None:
    """The issue saw one /skip raise SEQUENCE on four unchanged events."""
    await onboard(runner)
    await go_to_next_session(runner, clock)
    session = runner.last
    before = by_day(events(await export(runner)))
    await runner.press("Skip", reply=session)
    after = by_day(events(await export(runner)))
    today = clock.now.date()
    assert after[today]["status"] == "CANCELLED"
    assert after[today]["summary"].endswith("(skipped)")
    assert {d for d in after if after[d]["sequence"] != before.get(d, {}).get("sequence")} == {
        today
    }
    assert after[today]["sequence"] == before[today]["sequence"] + 1


async def test_two_changes_in_one_second_and_a_clock_stepped_back_each_raise_by_one(
    runner: Talker, clock: FakeClock
) -> None:
    await onboard(runner)
    first = by_day(events(await export(runner)))
    changes = [("19:00", "Europe/Berlin"), ("6:15", "Europe/Berlin")]
    sequences = []
    for n, (at, _zone) in enumerate(changes):
        if n:
            clock.advance(hours=-3)  # the clock steps back
        await runner.command("settings")
        await runner.press("Reminder time")
        await runner.say(at)
        sequences.append(
            {d: e["sequence"] for d, e in by_day(events(await export(runner))).items()}
        )
    days = first.keys() & sequences[0].keys() & sequences[1].keys()
    assert days
    assert all(sequences[0][d] == first[d]["sequence"] + 1 for d in days)
    assert all(sequences[1][d] == first[d]["sequence"] + 2 for d in days)


async def test_the_past_four_weeks_stay_with_how_each_session_went(
    runner: Talker, clock: FakeClock
) -> None:
    await onboard(runner)
    done_day = None
    for n in range(7):
        await go_to_next_session(runner, clock)
        if n % 3 == 1:
            await runner.press("Skip")
        else:
            await log_done(runner)
            done_day = clock.now.date()
        clock.advance(days=1)
    today = clock.now.date()
    shown = by_day(events(await export(runner)))
    past = {d: e for d, e in shown.items() if d < today}
    assert past and all(today - timedelta(days=28) <= d for d in past)
    assert done_day in past and past[done_day]["summary"].endswith("(done)")
    assert past[done_day]["status"] == "CONFIRMED"
    skipped = [e for e in past.values() if e["summary"].endswith("(skipped)")]
    assert skipped and {e["status"] for e in skipped} == {"CANCELLED"}
    assert any(d >= today for d in shown)

    clock.advance(days=29)
    later = by_day(events(await export(runner)))
    assert min(later) >= clock.now.date() - timedelta(days=28)
    assert done_day not in later


async def test_while_paused_every_session_ahead_comes_cancelled_once(
    runner: Talker, clock: FakeClock
) -> None:
    await onboard(runner)
    before = by_day(events(await export(runner)))
    clock.advance(minutes=5)
    await runner.command("pause")
    paused = by_day(events(await export(runner)))
    assert paused.keys() == before.keys()
    assert {event["status"] for event in paused.values()} == {"CANCELLED"}
    assert all(paused[d]["sequence"] == before[d]["sequence"] + 1 for d in before)
    again = by_day(events(await export(runner)))
    assert {d: e["sequence"] for d, e in again.items()} == {
        d: e["sequence"] for d, e in paused.items()
    }


async def test_after_a_red_flag_the_dropped_sessions_come_cancelled(
    runner: Talker, clock: FakeClock
) -> None:
    await onboard(runner)
    before = by_day(events(await export(runner)))
    await red_flag_after_a_session(runner, clock)
    (message,) = await runner.command("calendar")
    assert str(message.text).startswith(NOTHING_AHEAD)
    assert message.document is not None
    after = by_day(events(message.document.content))
    today = clock.now.date()
    ahead = {d: e for d, e in after.items() if d >= today}
    assert ahead and {e["status"] for e in ahead.values()} == {"CANCELLED"}
    known = {d: e for d, e in ahead.items() if d in before}
    assert known and all(e["sequence"] == before[d]["sequence"] + 1 for d, e in known.items())
    assert all(e["uid"] == before[d]["uid"] for d, e in known.items())


async def test_a_runner_who_leaves_and_comes_back_gets_new_uids(runner: Talker) -> None:
    await onboard(runner)
    first = set(events(await export(runner)))
    await runner.command("deleteme")
    await runner.press("Yes, delete everything")
    await onboard(runner)
    assert not first & set(events(await export(runner)))
