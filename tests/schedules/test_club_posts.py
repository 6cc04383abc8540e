"""Club posts through the reminder tick: on time, once a day, one summary a week."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from bot.services.context import ChatKind, Person, Platform
from bot.services.dialogs.engine import Turn
from bot.services.plans.reminder_plan import plan_club_posts
from bot.services.use_cases.clubs import CHART_TITLE, chart_title, sessions_per_week
from bot.storage.models import Club, DispatchKind, DispatchStatus
from tests.fake_telegram import errors
from tests.schedules.conftest import BERLIN_7, Reminders, add_runner

GROUP_ID = -1001000000001
MONDAY = datetime(2026, 11, 23, tzinfo=UTC)


async def add_club(reminders: Reminders, **fields: object) -> Club:
    """A club in a supergroup: strength on Tuesday and Thursday at 18:30 in Berlin."""
    values: dict[str, object] = {
        "platform": "telegram",
        "chat_id": str(GROUP_ID),
        "chat_type": "supergroup",
        "title": "Ridge Runners",
        "session_days": [1, 3],
        "post_time": time(18, 30),
        "timezone": "Europe/Berlin",
        "level": "intermediate",
        "created_at": MONDAY - timedelta(days=7),
    }
    values.update(fields)
    async with reminders.database.unit_of_work() as uow:
        return await uow.clubs.add(Club(**values))


async def club_rows(reminders: Reminders) -> list[tuple[DispatchKind, str, DispatchStatus]]:
    return [
        (row.kind, row.local_date.isoformat(), row.status)
        for row in await reminders.rows()
        if row.club_id is not None
    ]


async def test_the_club_session_is_posted_at_the_clubs_time_once(reminders: Reminders) -> None:
    await add_club(reminders)
    reminders.clock.now = MONDAY + timedelta(hours=18)  # Tuesday's post is a day ahead
    await reminders.run()
    planned = await club_rows(reminders)
    assert (DispatchKind.CLUB_SESSION, "2026-11-24", DispatchStatus.PENDING) in planned

    reminders.clock.now = datetime(2026, 11, 24, 17, 29, tzinfo=UTC)  # 18:29 in Berlin
    await reminders.run()
    assert not [t for t in reminders.texts(GROUP_ID) if t.startswith("Club session")]

    reminders.clock.now = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # 18:30 in Berlin
    await reminders.run()
    await reminders.run()
    await reminders.restart().run()
    posts = [
        m for m in reminders.api.sent_messages(GROUP_ID) if m["text"].startswith("Club session")
    ]
    assert len(posts) == 1
    labels = [b["text"] for row in posts[0]["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["💪 I did it", "My personal plan"]
    assert (DispatchKind.CLUB_SESSION, "2026-11-24", DispatchStatus.SENT) in await club_rows(
        reminders
    )


async def i_did_it(reminders: Reminders, club: Club, day: date, user_id: str = "7") -> None:
    async with reminders.database.unit_of_work() as uow:
        await uow.clubs.toggle_mark(club_id=club.id, day=day, user_id=user_id)


@pytest.mark.slow  # weeks of club posts
async def test_one_weekly_summary_each_monday_unless_switched_off(reminders: Reminders) -> None:
    club = await add_club(reminders)
    await i_did_it(reminders, club, date(2026, 11, 19))
    reminders.clock.now = MONDAY + timedelta(hours=8)
    await reminders.run()
    reminders.clock.now = MONDAY + timedelta(hours=17, minutes=31)
    await reminders.run()
    await reminders.restart().run()
    summaries = [t for t in reminders.texts(GROUP_ID) if t.startswith("Strength work")]
    assert len(summaries) == 1
    charts = [m for m in reminders.api.sent_messages(GROUP_ID) if "photo" in m]
    assert [chart["caption"] for chart in charts] == [f"{CHART_TITLE}, since 16 Nov."]

    quiet = await add_club(reminders, chat_id="-1001000000009", weekly_summary=False)
    async with reminders.database.unit_of_work() as uow:
        stored = await uow.clubs.get(quiet.id)
        assert stored is not None
        await plan_club_posts(reminders.ctx, uow, stored)
    assert not [
        r
        for r in await reminders.rows()
        if r.club_id == quiet.id and r.kind is DispatchKind.CLUB_SUMMARY
    ]


async def test_the_summary_names_the_week_it_is_about(reminders: Reminders) -> None:
    """Issue 27: it was headed "This week's strength work", though posted on Monday about the
    week just ended."""
    club = await add_club(reminders)
    await i_did_it(reminders, club, date(2026, 11, 19))
    for reminders.clock.now in (
        MONDAY + timedelta(hours=8),
        MONDAY + timedelta(hours=17, minutes=31),
    ):
        await reminders.run()
    (summary,) = [t for t in reminders.texts(GROUP_ID) if t.startswith("Strength work")]
    assert summary.startswith("Strength work in the week Mon 16 Nov to Sun 22 Nov\n")
    assert "1 did one session and 0 did two or more." in summary


async def test_a_club_with_no_activity_yet_gets_no_summary_or_chart(reminders: Reminders) -> None:
    """Issue 27: a brand-new club's first post was followed by "0 did one session and 0 did
    two or more" and a chart of eight empty weeks."""
    await add_club(reminders, created_at=MONDAY - timedelta(days=2))
    for reminders.clock.now in (
        MONDAY + timedelta(hours=8),
        MONDAY + timedelta(hours=17, minutes=31),
    ):
        await reminders.run()
    assert reminders.texts(GROUP_ID) == []
    assert not [m for m in reminders.api.sent_messages(GROUP_ID) if "photo" in m]
    summaries = [r for r in await reminders.rows() if r.kind is DispatchKind.CLUB_SUMMARY]
    assert [(r.local_date, r.status) for r in summaries][:1] == [
        (date(2026, 11, 23), DispatchStatus.CANCELLED)
    ]


async def test_the_chart_starts_at_the_clubs_first_week(reminders: Reminders) -> None:
    club = await add_club(reminders, created_at=datetime(2026, 11, 4, 9, tzinfo=UTC))  # a Wed
    await i_did_it(reminders, club, date(2026, 11, 10))
    async with reminders.database.unit_of_work() as uow:
        person = Person(Platform.TELEGRAM, "0", str(GROUP_ID), None, ChatKind.GROUP)
        weeks = await sessions_per_week(Turn(reminders.ctx, uow, person), club, date(2026, 11, 22))
    assert weeks == [(date(2026, 11, 2), 0), (date(2026, 11, 9), 1), (date(2026, 11, 16), 0)]
    assert chart_title(weeks) == f"{CHART_TITLE}, since 2 Nov"


async def test_changing_the_setup_replans_the_unsent_posts(reminders: Reminders) -> None:
    club = await add_club(reminders)
    reminders.clock.now = MONDAY + timedelta(hours=8)
    await reminders.run()
    async with reminders.database.unit_of_work() as uow:
        stored = await uow.clubs.get(club.id)
        assert stored is not None
        stored.session_days = [0]  # Mondays only now
        await plan_club_posts(reminders.ctx, uow, stored)
    kinds = {(kind, day) for kind, day, _status in await club_rows(reminders)}
    assert (DispatchKind.CLUB_SESSION, "2026-11-24") not in kinds
    assert (DispatchKind.CLUB_SESSION, "2026-11-23") in kinds


async def test_a_club_that_removed_the_bot_gets_nothing_more(reminders: Reminders) -> None:
    club = await add_club(reminders)
    await i_did_it(reminders, club, date(2026, 11, 19))  # a summary to send
    reminders.clock.now = MONDAY + timedelta(hours=8)
    await reminders.run()
    reminders.api.fail_next("sendMessage", errors.kicked_from_group(), chat_id=GROUP_ID, times=None)
    reminders.clock.now = MONDAY + timedelta(hours=17, minutes=31)
    await reminders.run()
    async with reminders.database.unit_of_work() as uow:
        stored = await uow.clubs.get(club.id)
        assert stored is not None and not stored.active
    statuses = {(kind, status) for kind, _day, status in await club_rows(reminders)}
    assert (DispatchKind.CLUB_SUMMARY, DispatchStatus.FAILED) in statuses
    assert (DispatchKind.CLUB_SESSION, DispatchStatus.CANCELLED) in statuses


async def test_a_club_that_adds_the_bot_back_gets_its_very_next_post(
    reminders: Reminders,
) -> None:
    club = await add_club(reminders)
    await i_did_it(reminders, club, date(2026, 11, 19))  # a summary to send
    reminders.clock.now = MONDAY + timedelta(hours=8)
    await reminders.run()
    reminders.api.fail_next("sendMessage", errors.kicked_from_group(), chat_id=GROUP_ID)
    reminders.clock.now = MONDAY + timedelta(hours=17, minutes=30)  # the summary fails
    await reminders.run()  # and Tuesday's post, planned already, is cancelled
    async with reminders.database.unit_of_work() as uow:
        stored = await uow.clubs.get(club.id)
        assert stored is not None
        stored.active = True  # what the bot does when it is added back
        await plan_club_posts(reminders.ctx, uow, stored)
    reminders.clock.now = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # Tuesday 18:30 in Berlin
    await reminders.run()
    assert reminders.texts(GROUP_ID)[-1].startswith("Club session")


async def test_inactive_or_unset_clubs_are_not_planned(reminders: Reminders) -> None:
    await add_club(reminders, active=False)
    await add_club(reminders, chat_id="-1001000000002", session_days=[])
    await add_club(reminders, chat_id="-1001000000003", post_time=None)
    reminders.clock.now = MONDAY + timedelta(hours=8)
    await reminders.run()
    assert await club_rows(reminders) == []


async def test_a_club_is_paced_as_a_group_and_a_runner_is_not_whatever_their_chat_ids(
    reminders: Reminders, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a chat gets the group minute comes from the recipient: a club's chat, or a
    runner's own; not from the sign of the id."""
    paced: list[tuple[str, bool]] = []
    limiter = reminders.tick.dispatcher.routes["telegram"].limiter
    slot = limiter.slot

    def record(chat_id: str, *, group: bool = False, **rest: Any) -> Any:
        paced.append((chat_id, group))
        return slot(chat_id, group=group, **rest)

    monkeypatch.setattr(limiter, "slot", record)
    await add_club(reminders, chat_id="5550001")
    reminders.clock.now = MONDAY + timedelta(hours=18)
    await add_runner(
        reminders,
        sessions=(datetime(2026, 11, 24).date(),),
        chat_id="-5550002",
        **{**BERLIN_7, "reminder_time": time(18, 30)},
    )
    await reminders.run()
    reminders.clock.now = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # 18:30 in Berlin
    await reminders.run()
    assert ("5550001", True) in paced
    assert ("-5550002", False) in paced
