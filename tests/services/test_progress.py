"""/progress through the services: a chart of the runner's whole history (the last twelve plan
weeks), read from what happened, whatever checkpoint the plan resumes from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from bot.coaching.explain import day_label
from bot.coaching.progress import Progress
from bot.services.use_cases.progress import NOTHING_YET, caption, count, progress_of
from bot.storage.database import Database
from bot.storage.models import PlanCheckpoint
from tests.conftest import KNEE_PAIN_CHECK_IN, FakeClock, Script
from tests.services.conftest import Talker, go_to_next_session, log_done, onboard

KNEE_3: Script = [(kind, "3" if value == "5" else value) for kind, value in KNEE_PAIN_CHECK_IN]


@dataclass
class Season:
    """What the runner did, as the test saw it: each session's day and whether it was done,
    and each pain report's day, site and score."""

    sessions: list[tuple[date, bool]] = field(default_factory=list)
    pain: list[tuple[date, str, int]] = field(default_factory=list)

    def week(self, start: date) -> tuple[int, int]:
        """(planned, done) in the plan week from ``start``."""
        days = [done for day, done in self.sessions if start <= day < start + timedelta(days=7)]
        return len(days), sum(days)


async def train(runner: Talker, clock: FakeClock, season: Season, *, until: date) -> None:
    """Sessions up to ``until``: every third skipped, the first one's check-in a knee at 3."""
    while True:
        await go_to_next_session(runner, clock)
        day = clock.now.date()
        if day > until:
            return
        n = len(season.sessions)
        if n % 3 == 2:
            await runner.press("Skip")
            season.sessions.append((day, False))
            clock.advance(days=1)
            continue
        await log_done(runner)
        season.sessions.append((day, True))
        clock.advance(days=1)
        await runner.follow(KNEE_3 if n == 0 else CHECK_IN)
        if n == 0:
            season.pain.append((day, "knee", 3))


CHECK_IN: Script = [
    ("say", "/checkin"),
    *(("press", label) for label in ("Sore muscles", "Hamstrings", "Done", "Yes", "Fine")),
]


async def data(database: Database, today: date) -> Progress:
    async with database.unit_of_work() as uow:
        (runner,) = await uow.runners.many([1])
        return await progress_of(uow, runner, today)


def agrees(shown: Progress, season: Season) -> None:
    """Every week shown holds what the runner did in it; every pain report in it is shown,
    in the data and in the caption."""
    assert [(w.planned, w.done) for w in shown.weeks] == [season.week(w.start) for w in shown.weeks]
    said = caption(shown)
    weeks, sessions = count(len(shown.weeks), "week"), count(shown.planned, "session")
    assert said.startswith(f"{shown.done} of {sessions} done in {weeks}")
    first = shown.weeks[0].start
    pains = [(d, site, score) for d, site, score in season.pain if d >= first]
    assert [(m.date, m.where, m.score) for m in shown.pain] == pains
    for day, site, score in pains:
        assert f"{site}, {score} out of 10, on {day_label(day)}" in said


async def test_a_new_runner_gets_one_sentence_and_no_empty_chart(runner: Talker) -> None:
    await onboard(runner)
    (message,) = await runner.command("progress")
    assert message.image is None
    assert str(message.text) == NOTHING_YET


async def test_progress_needs_a_plan_first(runner: Talker) -> None:
    (message,) = await runner.command("progress")
    assert message.image is None
    assert "/start" in message.text


async def test_five_weeks_show_every_session_and_the_week_one_pain_on_any_day(
    runner: Talker, clock: FakeClock, database: Database
) -> None:
    """The issue's run: five plan weeks, every third session skipped, a knee at
    3/10 in week one; read on every day, with the plan's checkpoint moving along."""
    await onboard(runner)
    start = await started_on(database)
    season = Season()
    end = start + timedelta(days=7 * 4 + 2)  # the fifth week's third day
    day = start
    while day <= end:
        await train(runner, clock, season, until=day)
        shown = await data(database, day)
        assert [w.start for w in shown.weeks] == [
            start + timedelta(days=7 * n) for n in range((day - start).days // 7 + 1)
        ]
        if season.sessions:
            agrees(shown, season)
        day += timedelta(days=1)
    assert await checkpoint_day(database) > start + timedelta(days=7)

    (message,) = await runner.command("progress")
    assert message.image is not None
    done = sum(done for _day, done in season.sessions)
    assert str(message.text).startswith(
        f"{done} of {len(season.sessions)} sessions done in 5 weeks"
    )
    ((first_week_pain, _site, _score),) = season.pain
    assert first_week_pain < start + timedelta(days=7)
    assert f"knee, 3 out of 10, on {day_label(first_week_pain)}" in message.text
    assert (done, len(season.sessions)) == (6, 9)


async def started_on(database: Database) -> date:
    async with database.unit_of_work() as uow:
        (runner,) = await uow.runners.many([1])
        return runner.started_on


async def checkpoint_day(database: Database) -> date:
    async with database.unit_of_work() as uow:
        row = await uow.session.get(PlanCheckpoint, 1)
        assert row is not None
        return row.day


@pytest.mark.slow  # a fourteen-week season; the five weeks above stay in the fast lane
async def test_twelve_weeks_of_a_fourteen_week_season_are_shown_as_they_happened(
    runner: Talker, clock: FakeClock, database: Database
) -> None:
    await onboard(runner)
    start = await started_on(database)
    season = Season()
    for week in range(14):
        monday = start + timedelta(days=7 * week)
        await train(runner, clock, season, until=monday + timedelta(days=6))
        shown = await data(database, monday + timedelta(days=6))
        assert len(shown.weeks) == min(week + 1, 12)
        agrees(shown, season)
    assert shown.weeks[0].start == start + timedelta(days=14)
    assert await checkpoint_day(database) > start + timedelta(days=7 * 11)
