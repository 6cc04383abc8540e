"""Following the runner's real running plan (issue 31), through the services: linking a
plan's calendar, confirming what its events are, a plan change that moves a session and the
message that says why, unlinking, /export and /deleteme."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.coaching import Plan
from bot.services.coach import Coach
from bot.services.context import Person, Platform
from bot.services.plans.training_plan import planned
from bot.services.presentation.replies import Part
from bot.services.use_cases.running_plan import look_again
from bot.storage.database import Database
from bot.storage.models import DispatchKind
from tests.coaching.helpers import decided
from tests.conftest import FakeClock, onboarding
from tests.plan_feed.adapters import coach, feed
from tests.plan_feed.calendars import SECRET, calendar, event, weekly_plan
from tests.plan_feed.server import FeedServer
from tests.services.conftest import Talker, log_done

__all__ = ["coach", "feed"]


@pytest.fixture
async def ada(coach: Coach) -> Talker:
    talker = Talker(coach, Person(Platform.TELEGRAM, "501", "501", "Ada"))
    await talker.follow(onboarding())
    return talker


def live_buttons(reply) -> int:
    return sum(len(row) for message in reply for row in message.buttons)


async def link_and_confirm(ada: Talker, feed: FeedServer) -> None:
    await ada.command("plan", f"link {feed.url(SECRET)}")
    for label in ("Yes, hard run", "Easy run", "Yes, easy run", "Yes, long run"):
        await ada.press(label)


async def week_days(ada: Talker) -> list[str]:
    """The days of the sessions /week shows, as ``Wed 25 Nov``."""
    await ada.command("week")
    shown = ada.text
    days = [date(2026, 11, 23) + timedelta(days=n) for n in range(7)]
    return [d.strftime("%a %-d %b") for d in days if d.strftime("%a %-d %b") in shown]


async def test_linking_shows_what_was_read_and_asks_each_kind_of_event_once(
    ada: Talker, feed: FeedServer, database: Database
) -> None:
    await ada.command("plan")
    assert "/plan link" in ada.text and "TrainingPeaks" in ada.text

    reply = await ada.command("plan", f"link {feed.url(SECRET)}")
    said, question = reply
    assert "running plan at 127.0.0.1" in str(said.text)
    assert SECRET not in ada.text  # the link is shown back by its host only
    assert "Tue 24 Nov: Hill reps 8 × 1 min → hard run" in str(said.text)
    assert "Wed 25 Nov: Club night → ? (I'll ask)" in str(said.text)
    assert "Sat 28 Nov: Long run 26 km → long run" in str(said.text)
    assert str(question.text).startswith("Is “Hill reps 8 × 1 min” (Tue 24 Nov) a hard run?")
    assert question.part is Part.ASKS

    await ada.press("Yes, hard run")
    assert ada.text.startswith("What is “Club night” (Wed 25 Nov) in your plan?")
    assert [m.part for m in ada.last] == [Part.ASKS]  # one message a question, in place
    await ada.press("Easy run")
    assert ada.text.startswith("Is “Easy 45 min” (Thu 26 Nov) an easy run?")
    await ada.press("Yes, easy run")
    assert ada.text.startswith("Is “Long run 26 km” (Sat 28 Nov) a long run?")
    await ada.press("Yes, long run")
    assert "from now on I read “Hill reps 8 × 1 min” as a hard run" in ada.text
    assert "“Club night” as an easy run" in ada.text
    assert ada.last[0].part is Part.SETTLES and live_buttons(ada.last) == 0

    async with database.unit_of_work() as uow:
        runner = await uow.runners.find(platform="telegram", user_id="501")
        assert runner is not None
        rules = await uow.running_plans.rules(runner.id)
    assert rules == {
        "hill reps": "hard",
        "club night": "easy",
        "easy": "easy",
        "long run #long": "long",  # long by its 26 km: a rule of its own
    }

    await ada.command("plan")  # asked once: the answers are remembered
    assert live_buttons(ada.last) == 0
    assert "Wed 25 Nov: Club night → easy run" in ada.text


async def test_sessions_go_around_the_plans_runs(ada: Talker, feed: FeedServer) -> None:
    """Declared: Tuesday easy, Wednesday hard, Saturday long. The plan: Tuesday hard,
    Wednesday (club night) easy, Saturday long, the rest off."""
    before = await week_days(ada)
    await link_and_confirm(ada, feed)
    after = await week_days(ada)
    assert before != after
    kinds = {0: "rest", 1: "hard", 2: "easy", 3: "easy", 4: "rest", 5: "long", 6: "rest"}
    for shown in after:
        day = datetime.strptime(f"{shown} 2026", "%a %d %b %Y").date()
        assert kinds[day.weekday()] in ("rest", "easy")  # P2: not on a hard or long day
        assert kinds[(day.weekday() + 1) % 7] != "hard"  # P2: nor the day before a hard one


async def test_a_plan_change_moves_a_session_and_says_why(
    ada: Talker, feed: FeedServer, database: Database, clock: FakeClock
) -> None:
    await link_and_confirm(ada, feed)
    before = await week_days(ada)
    feed.calendars[SECRET] = weekly_plan(long_day=29)  # the long run moves to Sunday
    clock.advance(hours=5)
    assert await look_again(ada.coach.ctx, clock(), limit=10) == 1
    after = await week_days(ada)
    async with database.unit_of_work() as uow:
        runner = await uow.runners.find(platform="telegram", user_id="501")
        assert runner is not None
        link = await uow.running_plans.link_of(runner.id)
        assert link is not None
        notice = link.notice
        rows = await uow.dispatches.of_runner(runner.id)
    assert before != after, (before, after)
    assert notice is not None and "Your long run moved to Sunday 29" in notice, notice
    assert "moves to" in notice or "is off this week" in notice
    assert [r.kind for r in rows if r.kind is DispatchKind.PLAN_NOTICE] == [
        DispatchKind.PLAN_NOTICE
    ]

    clock.advance(hours=5)  # nothing changed since: nothing more to say
    assert await look_again(ada.coach.ctx, clock(), limit=10) == 1
    assert feed.requests[-1][1].get("If-None-Match")  # asked with the copy's ETag


async def test_unlinking_goes_back_to_the_usual_week_and_forgets_the_link(
    ada: Talker, feed: FeedServer, database: Database
) -> None:
    declared = await week_days(ada)
    await link_and_confirm(ada, feed)
    await ada.command("plan", "unlink")
    assert "I no longer follow your running plan" in ada.text
    assert await week_days(ada) == declared
    async with database.unit_of_work() as uow:
        runner = await uow.runners.find(platform="telegram", user_id="501")
        assert runner is not None
        assert await uow.running_plans.link_of(runner.id) is None
    await ada.command("plan", "unlink")
    assert "haven't linked" in ada.text


async def replayed(ada: Talker, database: Database) -> Plan:
    """The runner's plan as a replay from their checkpoint lays it out today (nothing kept)."""
    async with database.unit_of_work() as uow:
        runner = await uow.runners.find(platform="telegram", user_id="501")
        assert runner is not None
        today = ada.coach.ctx.today(runner.timezone)
        return await planned(ada.coach.ctx, uow, runner, ahead=2, as_of=today)


def assert_same_past(after: Plan, lived: Plan, last: date) -> None:
    """``after`` has the sessions up to ``last`` and the reports' decisions of ``lived``."""
    assert [s for s in after.sessions if s.date <= last] == [
        s for s in lived.sessions if s.date <= last
    ]
    assert decided(after) == decided(lived)


@pytest.mark.parametrize("then", ["unlink", "link anew"])
async def test_unlinking_or_linking_anew_keeps_the_days_lived_by_the_plan(
    ada: Talker, feed: FeedServer, database: Database, clock: FakeClock, then: str
) -> None:
    """Declared: Wednesday hard. The plan makes it an easy club night, so Wednesday holds a
    session; Ada does it and reports it well (P10: one more like it). On Thursday she unlinks
    the plan, or links it at a new address: a replay still has Wednesday's session and counts
    her report as before. Unlinked, the days ahead go by her usual week again; linking once
    more carries on from the same days."""
    wednesday = date(2026, 11, 25)
    await link_and_confirm(ada, feed)
    assert "Wed 25 Nov" in await week_days(ada)
    clock.advance(days=2)
    await ada.command("today")
    await log_done(ada, effort="Easy")
    clock.advance(days=1)
    await ada.follow([("say", "/checkin"), ("press", "Fresh"), ("press", "Yes"), ("press", "Fine")])
    assert "one more like it" in ada.text
    lived = await replayed(ada, database)
    assert wednesday in [s.date for s in lived.sessions]
    assert decided(lived)[-1][:2] == (wednesday, ("C4", "P10"))

    new_address = "/u/0b7d41e9a2c5/private-plan.ics"
    feed.calendars[new_address] = weekly_plan()
    if then == "link anew":
        await ada.command("plan", f"link {feed.url(new_address)}")
        assert "Linked" in ada.text
        assert_same_past(await replayed(ada, database), lived, wednesday)
        return
    await ada.command("plan", "unlink")
    unlinked = await replayed(ada, database)
    assert_same_past(unlinked, lived, wednesday)
    ahead = [s.date for s in unlinked.sessions if s.date > wednesday]
    assert ahead and all(day.weekday() not in (1, 2, 5) for day in ahead)  # P2, declared
    await ada.command("plan", f"link {feed.url(new_address)}")
    assert_same_past(await replayed(ada, database), lived, wednesday)


async def test_a_link_that_gives_no_calendar_links_nothing(ada: Talker, feed: FeedServer) -> None:
    await ada.command("plan", f"link {feed.url('/missing.ics')}")
    assert "couldn't read a calendar at 127.0.0.1" in ada.text and "Nothing was linked" in ada.text
    await ada.command("plan", "link http://example.org/plan.ics")
    assert "not an https link" in ada.text
    await ada.command("plan")
    assert "haven't linked" in ada.text


async def test_the_export_holds_the_links_presence_and_the_real_weeks_and_deleteme_removes_them(
    ada: Talker, feed: FeedServer, database: Database
) -> None:
    await link_and_confirm(ada, feed)
    reply = await ada.command("export")
    (document,) = [
        m.document for m in reply if m.document and m.document.filename.endswith(".json")
    ]
    exported = json.loads(document.content)
    assert SECRET not in document.content.decode() and "127.0.0.1" not in document.content.decode()
    assert exported["running_plan_link"][0]["linked"] is True
    assert {r["key"] for r in exported["running_plan_rules"]} >= {"hill reps", "club night"}
    (version,) = exported["real_week_versions"]  # the days the plan gave: the runner's data
    assert version["since"] == "2026-11-24"
    assert (version["days"]["2026-11-24"], version["days"]["2026-11-25"]) == ("hard", "easy")

    async with database.unit_of_work() as uow:
        runner = await uow.runners.find(platform="telegram", user_id="501")
        assert runner is not None
        runner_id = runner.id
    await ada.command("deleteme")
    await ada.press("Yes, delete everything")
    async with database.unit_of_work() as uow:
        assert await uow.running_plans.due(datetime(2100, 1, 1, tzinfo=UTC), 10) == []
        assert await uow.running_plans.real_weeks(runner_id) == []


async def test_a_race_in_the_plan_is_asked_about_before_it_becomes_the_race_date(
    ada: Talker, feed: FeedServer, database: Database
) -> None:
    feed.calendars[SECRET] = calendar(
        event("race@plan", "Trail des Cimes", ";VALUE=DATE:20261205", ";VALUE=DATE:20261206")
    )
    await ada.command("plan", f"link {feed.url(SECRET)}")
    assert str(ada.last[-1].text).startswith("What is “Trail des Cimes” (Sat 5 Dec) in your plan?")
    await ada.press("Race")
    assert "Is it the race to get ready for?" in ada.text
    async with database.unit_of_work() as uow:
        runner = await uow.runners.find(platform="telegram", user_id="501")
        assert runner is not None and runner.race_date is None  # not before the runner says
    await ada.press("Yes, that's my race")
    async with database.unit_of_work() as uow:
        runner = await uow.runners.find(platform="telegram", user_id="501")
        assert runner is not None
        assert (runner.race_date, runner.race_name) == (date(2026, 12, 5), "Trail des Cimes")


async def test_a_plan_that_cannot_be_read_for_a_day_is_told_once_and_its_copy_kept(
    ada: Talker, feed: FeedServer, database: Database, clock: FakeClock
) -> None:
    await link_and_confirm(ada, feed)
    planned = await week_days(ada)
    del feed.calendars[SECRET]  # 404 from now on
    notices = []
    for _look in range(8):  # every 5 hours: more than a day of failures
        clock.advance(hours=5)
        await look_again(ada.coach.ctx, clock(), limit=10)
        async with database.unit_of_work() as uow:
            runner = await uow.runners.find(platform="telegram", user_id="501")
            assert runner is not None
            link = await uow.running_plans.link_of(runner.id)
            assert link is not None and link.body is not None  # the last good copy stays
            if link.notice:
                notices.append(link.notice)
                link.notice = None  # as the tick takes it
    assert len(notices) == 1
    assert "haven't been able to read your running plan at 127.0.0.1" in notices[0]
    assert SECRET not in notices[0]
    assert await week_days(ada) == planned


async def test_the_link_is_never_logged(
    ada: Talker, feed: FeedServer, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await link_and_confirm(ada, feed)
    feed.calendars[SECRET] = weekly_plan(long_day=29)
    clock.advance(hours=5)
    await look_again(ada.coach.ctx, clock(), limit=10)
    assert caplog.records  # the libraries did log at DEBUG
    assert SECRET.strip("/") not in caplog.text
    assert "8f3a9c2e77d1" not in caplog.text


async def test_settings_offers_the_running_plan(ada: Talker, feed: FeedServer) -> None:
    await ada.command("settings")
    await ada.press("Running plan link")
    assert "/plan link" in ada.text and live_buttons(ada.last) == 0
    await link_and_confirm(ada, feed)
    await ada.command("settings")
    await ada.press("Running plan link")
    assert "Your running plan is linked (its calendar is at 127.0.0.1)" in ada.text
    assert SECRET not in ada.text
