"""Commands and dialog-final answers for runners with 1 week, 1 year and 2 years of history.

Part of ``python -m bench.updates``. Each runner onboards through the coach's Application,
then their start day is moved back by their tenure and a session log and check-in are stored
for each session the coach planned in that time (about one in ten skipped), as if they had
trained all along. One untimed ``/today`` lets the first replan store the plan checkpoint,
as it would have been stored along the way. Then, day after day, each runner answers the
check-in, opens ``/today``, does the session and opens ``/week``; the commands and the last
answer of each dialog (the one that stores the report and replans) are timed.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, select

from bench.riders import CHECK_IN, POST_SESSION, Rider
from bot.coaching import plan
from bot.services.context import ServiceContext
from bot.services.plans.training_plan import profile_of
from bot.storage.models import CheckIn, PlannedSession, Runner, SessionLog
from tests.conftest import FakeClock

TENURES = {"1 week": 7, "1 year": 365, "2 years": 730}


@dataclass
class Timings:
    """Latencies (seconds) of one cohort, by what was timed."""

    today: list[float] = field(default_factory=list)
    week: list[float] = field(default_factory=list)
    final: list[float] = field(default_factory=list)


async def backdate(context: ServiceContext, rider: Rider, days: int, seed: int) -> None:
    """Move the rider's start back ``days`` days and store a report of every session since."""
    chance = random.Random(seed)
    async with context.database.unit_of_work() as uow:
        query = select(Runner).where(Runner.platform_user_id == str(rider.chat_id))
        runner = (await uow.session.scalars(query)).one()
        today = runner.started_on
        runner.started_on = today - timedelta(days=days)
        runner.planned_until = None
        await uow.session.execute(
            delete(PlannedSession).where(PlannedSession.runner_id == runner.id)
        )
        weeks = days // 7 + 1
        past = plan(profile_of(runner), start=runner.started_on, weeks=weeks).sessions
        for session in (s for s in past if s.date < today):
            skipped = chance.random() < 0.1
            uow.session.add(
                SessionLog(
                    runner_id=runner.id,
                    session_date=session.date,
                    completed="skipped" if skipped else "full",
                    rpe=None if skipped else chance.randint(4, 7),
                    hips_level=None if skipped else True,
                )
            )
            if not skipped:
                uow.session.add(
                    CheckIn(
                        runner_id=runner.id,
                        session_date=session.date,
                        legs=chance.choice(("fresh", "muscle_soreness")),
                        ran_normally=True,
                        descending_stiff=False,
                        hamstring_sensitive=False,
                    )
                )


async def timed(measure: list[float], step: object) -> None:
    started = time.perf_counter()
    await step  # type: ignore[misc]
    measure.append(time.perf_counter() - started)


async def dialog(rider: Rider, labels: tuple[str, ...], final: list[float]) -> None:
    """Press every offered answer; keep the time of the last one (the dialog's end)."""
    presses: list[float] = []
    for label in labels:
        await rider.press(label, presses)
    if presses:
        final.append(presses[-1])


async def cohorts(
    context: ServiceContext, clock: FakeClock, riders: list[Rider], days: int
) -> dict[str, Timings]:
    """Onboarded riders split in three tenures, timed over ``days`` days."""
    groups = {name: riders[n :: len(TENURES)] for n, name in enumerate(TENURES)}
    for name, group in groups.items():
        for n, rider in enumerate(group):
            await backdate(context, rider, TENURES[name], seed=rider.chat_id + n)
            await rider.send("/today")  # the first replan replays it all and keeps a checkpoint
    timings = {name: Timings() for name in TENURES}
    for _ in range(days):
        for name, group in groups.items():
            measured = timings[name]
            for rider in group:
                await rider.send("/checkin")
                await dialog(rider, CHECK_IN, measured.final)
                await timed(measured.today, rider.send("/today"))
                if await rider.press("✅ Done"):
                    await dialog(rider, POST_SESSION, measured.final)
                await timed(measured.week, rider.send("/week"))
        clock.advance(days=1)
    return timings


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] * 1000


def report(timings: dict[str, Timings]) -> None:
    """Print p50/p99 per cohort and the two-year/one-week ratios against the target."""
    print(f"{'tenure':<9} {'what':<14} {'n':>5} {'p50 ms':>8} {'p99 ms':>8}")
    for name, measured in timings.items():
        for what, values in (
            ("/today", measured.today),
            ("/week", measured.week),
            ("dialog-final", measured.final),
        ):
            p50 = statistics.median(values) * 1000
            print(f"{name:<9} {what:<14} {len(values):>5} {p50:>8.2f} {p99(values):>8.2f}")
    first, last = timings["1 week"], timings["2 years"]
    for what, old, new in (
        ("/today", last.today, first.today),
        ("dialog-final", last.final, first.final),
    ):
        ratio = p99(old) / p99(new)
        verdict = "met" if ratio <= 1.2 else "MISSED"
        print(f"p99 2 years / 1 week, {what}: {ratio:.2f}x (target <= 1.2x: {verdict})")
