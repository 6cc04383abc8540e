"""The calendar subscription link: handed out in webhook mode, revocable, never another's."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from bot.coaching import Plan, plan
from bot.services.coach import Coach
from bot.services.context import Person, Platform
from bot.services.plans import calendar_events, training_plan
from bot.services.plans.training_plan import profile_of, weeks_to_plan
from bot.services.presentation.cues import Cue
from bot.services.use_cases import calendar
from bot.services.use_cases.calendar import PlanFile, subscription
from bot.storage.database import Database, ReadOnly
from bot.storage.models import PlanChange, PlannedSession, Runner
from bot.storage.unit_of_work import UnitOfWork
from tests.conftest import FakeClock
from tests.services.conftest import Talker, onboard, red_flag_after_a_session
from tests.writes import nothing_written

PUBLIC = "https://coach.example.org"
LINK = re.compile(r"https://coach\.example\.org/calendar/([A-Za-z0-9_-]{43})\.ics")


@pytest.fixture
def webhook_coach(coach: Coach) -> Coach:
    """The coach as ``trailcoach run`` builds it in webhook mode: with a public URL."""
    return Coach(dataclasses.replace(coach.ctx, public_url=PUBLIC))


@pytest.fixture
def ada(webhook_coach: Coach) -> Talker:
    return Talker(webhook_coach, Person(Platform.TELEGRAM, "501", "501", "Ada"))


@pytest.fixture
def bea(webhook_coach: Coach) -> Talker:
    return Talker(webhook_coach, Person(Platform.TELEGRAM, "502", "502", "Bea"))


def link_in(talker: Talker) -> str:
    """The token of the one subscription link in the talker's last reply."""
    (token,) = LINK.findall(talker.text)
    return str(token)


def uids(made: PlanFile | bytes | None) -> set[str]:
    assert made is not None
    content = made.content if isinstance(made, PlanFile) else made
    return {str(event["uid"]) for event in Calendar.from_ical(content).walk("VEVENT")}


async def stored(database: Database, name: str) -> Runner:
    async with database.unit_of_work() as uow:
        query = select(Runner).where(Runner.display_name == name)
        return (await uow.session.scalars(query)).one()


async def test_webhook_mode_sends_the_file_and_a_link_that_serves_the_same_calendar(
    ada: Talker, webhook_coach: Coach, database: Database
) -> None:
    await onboard(ada)
    file, link = await ada.command("calendar")
    assert file.document is not None and str(file.text) == calendar.SENT
    token = link_in(ada)
    assert "/calendar reset" in link.text
    assert (await stored(database, "Ada")).calendar_token == token

    served = await subscription(webhook_coach.ctx, token)
    assert served is not None
    assert served.content == file.document.content  # the same bytes, versions and all
    assert len(uids(served)) == 8

    await ada.command("calendar")
    assert link_in(ada) == token  # the same link every time, until reset


async def test_a_wrong_or_empty_token_serves_nothing(ada: Talker, webhook_coach: Coach) -> None:
    await onboard(ada)
    await ada.command("calendar")
    token = link_in(ada)
    for wrong in ("", token[:-1], token + "x", token.upper(), "x" * 500):
        assert await subscription(webhook_coach.ctx, wrong) is None


async def test_reset_revokes_the_old_link_and_hands_out_a_new_one(
    ada: Talker, webhook_coach: Coach
) -> None:
    await onboard(ada)
    await ada.command("calendar")
    old = link_in(ada)

    (reply,) = await ada.command("calendar", "reset")
    new = link_in(ada)
    assert new != old
    assert "old calendar link no longer works" in reply.text
    assert await subscription(webhook_coach.ctx, old) is None
    assert await subscription(webhook_coach.ctx, new) is not None
    await ada.command("calendar")
    assert link_in(ada) == new


async def test_each_link_serves_only_its_own_runner(
    ada: Talker, bea: Talker, webhook_coach: Coach, database: Database
) -> None:
    await onboard(ada)
    await onboard(bea)
    await ada.command("calendar")
    await bea.command("calendar")
    ada_token, bea_token = link_in(ada), link_in(bea)

    ada_calendar = await subscription(webhook_coach.ctx, ada_token)
    bea_calendar = await subscription(webhook_coach.ctx, bea_token)
    assert ada_calendar is not None and bea_calendar is not None
    ada_file = (await ada.command("calendar"))[0].document
    assert ada_file is not None and uids(ada_calendar) == uids(ada_file.content)
    assert not uids(ada_calendar) & uids(bea_calendar)

    await ada.command("calendar", "reset")
    assert await subscription(webhook_coach.ctx, bea_token) == await subscription(
        webhook_coach.ctx, bea_token
    )  # Bea's link is untouched by Ada's reset
    assert await subscription(webhook_coach.ctx, bea_token) is not None


async def test_without_a_public_url_the_file_comes_with_a_note_and_no_link(
    runner: Talker, database: Database
) -> None:
    await onboard(runner)
    (message,) = await runner.command("calendar")
    assert message.document is not None
    assert message.text.spans[-1].cue is Cue.NO_CALENDAR_LINK  # each platform says why
    assert not LINK.search(str(message.text))
    assert (await stored(database, "Ada")).calendar_token is None


async def test_reset_without_a_public_url_still_revokes_the_link(
    ada: Talker, coach: Coach, webhook_coach: Coach, database: Database
) -> None:
    await onboard(ada)
    await ada.command("calendar")
    token = link_in(ada)
    polling = Talker(coach, ada.person)  # the bot restarted without WEBHOOK_URL

    (reply,) = await polling.command("calendar", "reset")
    assert "no longer works" in reply.text
    assert not LINK.search(str(reply.text))
    assert (await stored(database, "Ada")).calendar_token is None
    assert await subscription(webhook_coach.ctx, token) is None


async def test_an_unknown_argument_explains_and_changes_nothing(
    ada: Talker, database: Database
) -> None:
    await onboard(ada)
    await ada.command("calendar")
    token = link_in(ada)
    (reply,) = await ada.command("calendar", "please")
    assert str(reply.text) == calendar.ARGUMENTS
    assert (await stored(database, "Ada")).calendar_token == token


async def test_no_sessions_still_offers_the_link(
    ada: Talker, webhook_coach: Coach, clock: FakeClock
) -> None:
    await onboard(ada)
    await ada.command("pause")
    assert await subscription(webhook_coach.ctx, "nothing-yet") is None
    await ada.command("calendar")
    assert link_in(ada)


async def test_the_export_leaves_the_secret_out_and_deleteme_revokes_it(
    ada: Talker, webhook_coach: Coach
) -> None:
    await onboard(ada)
    await ada.command("calendar")
    token = link_in(ada)

    files = [m.document for m in await ada.command("export") if m.document is not None]
    assert files and all(token.encode() not in f.content for f in files)
    exported = json.loads(next(f for f in files if f.filename.endswith(".json")).content)
    assert "calendar_token" not in exported["runner"]

    await ada.command("deleteme")
    await ada.press("Yes, delete everything")
    assert await subscription(webhook_coach.ctx, token) is None


async def test_calendar_plans_once_and_stores_no_further_than_week(
    runner: Talker, database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    twin = Talker(runner.coach, Person(Platform.TELEGRAM, "502", "502", "Bea"))
    for talker in (runner, twin):
        await onboard(talker)
        await talker.command("race")
        await talker.say("4 January 2027")  # a phase change falls past the stored weeks
    planned: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Plan:
        planned.append(1)
        return plan(*args, **kwargs)

    monkeypatch.setattr(training_plan, "plan", counted)

    (message,) = await runner.command("calendar")
    assert len(planned) == 1  # one replan reaches the four weeks: no second replay

    await twin.command("week")
    ada, bea = await stored(database, "Ada"), await stored(database, "Bea")
    today = clock.now.date()
    seen = plan(
        profile_of(ada),
        start=ada.started_on,
        weeks=weeks_to_plan(ada.started_on, today, calendar_events.PLAN_WEEKS),
    )
    assert ada.planned_until is not None
    assert any(change.date > ada.planned_until for change in seen.changes)
    assert message.document is not None
    last_event = max(
        e.decoded("dtstart").date()
        for e in Calendar.from_ical(message.document.content).walk("VEVENT")
    )
    assert last_event > ada.planned_until  # the file reaches past the stored weeks

    assert (ada.planned_until, await rows(database, ada.id)) == (
        bea.planned_until,
        await rows(database, bea.id),
    )


async def rows(database: Database, runner_id: int) -> tuple[list[Any], list[Any]]:
    """The stored sessions (date, kind) and plan changes (date, rules, why) of a runner."""
    async with database.unit_of_work() as uow:
        sessions = await uow.session.scalars(
            select(PlannedSession).where(PlannedSession.runner_id == runner_id)
        )
        changes = await uow.session.scalars(
            select(PlanChange).where(PlanChange.runner_id == runner_id)
        )
        return (
            sorted((s.date, s.kind) for s in sessions),
            sorted((c.effective_date, tuple(c.rules), c.why) for c in changes),
        )


async def test_serving_the_link_writes_nothing_whatever_the_runner_is_at(
    ada: Talker, webhook_coach: Coach, database: Database, clock: FakeClock
) -> None:
    """The issue saw each GET write 20,600 bytes to SQLite's WAL (a replan's reminders)."""
    await onboard(ada)
    await ada.command("calendar")
    token = link_in(ada)

    async def served_without_writing(*tokens: str) -> None:
        with nothing_written(database):
            for each in tokens:
                for _ in range(3):
                    await subscription(webhook_coach.ctx, each)

    await served_without_writing(token, "not-a-token", token[:-1])  # fresh, and wrong tokens
    clock.advance(days=23)  # quiet for three weeks: the stored plan has run out
    await served_without_writing(token)
    assert len(uids(await subscription(webhook_coach.ctx, token))) >= 8
    await ada.command("pause")
    await served_without_writing(token)
    await ada.command("resume")
    await red_flag_after_a_session(ada, clock)  # C7: the sessions ahead are dropped
    await served_without_writing(token)
    old = token
    await ada.command("calendar", "reset")
    await served_without_writing(old, link_in(ada))


async def renamed(uow: UnitOfWork) -> None:
    runner = await uow.runners.get(1)
    assert runner is not None
    runner.display_name = "changed"
    await uow.session.flush()


async def attempt(database: Database, write: Callable[[UnitOfWork], Awaitable[object]]) -> None:
    async with database.reading() as uow:
        await write(uow)


async def test_the_read_only_unit_of_work_refuses_to_write(ada: Talker, database: Database) -> None:
    await onboard(ada)
    writes: list[Callable[[UnitOfWork], Awaitable[object]]] = [
        lambda uow: uow.session.execute(update(Runner).values(display_name="x")),
        lambda uow: uow.calendar.forget(runner_id=1, before=date.max),
        renamed,
    ]
    for write in writes:
        with pytest.raises((ReadOnly, DBAPIError)):
            await attempt(database, write)
    assert (await stored(database, "Ada")).display_name == "Ada"


async def test_sequence_holds_over_gets_and_rises_by_one_per_change(
    ada: Talker, webhook_coach: Coach, clock: FakeClock
) -> None:
    await onboard(ada)
    await ada.command("calendar")
    token = link_in(ada)

    async def sequences() -> dict[str, int]:
        made = await subscription(webhook_coach.ctx, token)
        assert made is not None
        return {
            str(e["uid"]): e.decoded("sequence")
            for e in Calendar.from_ical(made.content).walk("VEVENT")
        }

    first = await sequences()
    served = {(await subscription(webhook_coach.ctx, token)).etag for _ in range(5)}  # type: ignore[union-attr]
    assert len(served) == 1 and all([await sequences() == first for _ in range(5)])
    for change in range(1, 3):
        clock.advance(seconds=1)
        await ada.command("pause" if change % 2 else "resume")  # every session ahead changes
        now = await sequences()
        assert now == {uid: sequence + change for uid, sequence in first.items()}
        assert await sequences() == now
