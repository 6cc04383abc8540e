"""Update-handling benchmark: button presses and commands through the coach's Application.

Run ``python -m bench.updates [--presses N] [--runners R] [--tenure-runners T] [--days D]
[--database-url URL]``. Runners onboard, then each day they open and answer the
post-session questions and the next-day check-in with buttons; every button press
(post-session and check-in answers) is fed through ``Application.process_update`` on the
in-process fake Bot API, with SQLite in a file on disk (or an empty PostgreSQL database of
its own: ``--database-url``). Prints updates a second and p50/p99 latency, and the same for a
bare python-telegram-bot echo handler (answer the button, send one message) measured in the
same run, as a ratio. Then ``bench.tenure``: ``/today``, ``/week`` and dialog-final answers
for runners with 1 week, 1 year and 2 years of history.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as ``python bench/updates.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import os

os.environ.setdefault("PTB_TIMEDELTA", "true")

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bench import driver, tenure
from bench.riders import Rider
from bot.runtime import tune_garbage_collector
from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.settings import Settings
from handlers.live_questions import LiveQuestions
from handlers.telegram.application import CoachApplication, build_application
from tests.conftest import FakeClock
from tests.fake_telegram import FakeBotAPI, InProcessRequest, process, updates
from tests.telegram.conftest import virtual_limiter


@asynccontextmanager
async def coach_app(
    url: str, runners: int, first_id: int, timer: Callable[[], float] = time.perf_counter
) -> AsyncIterator[tuple[ServiceContext, FakeClock, list[Rider]]]:
    """The coach's Application on ``url``, with ``runners`` onboarded riders (timing their
    presses by ``timer``)."""
    api, clock = FakeBotAPI(), FakeClock()
    settings = Settings(_env_file=None, telegram_bot_token=api.token, database_url=url)
    context = ServiceContext.from_settings(settings, clock=clock)
    await context.prepare()
    app: CoachApplication = build_application(
        settings,
        Coach(context),
        limiter=virtual_limiter(),
        questions=LiveQuestions(),
        request=InProcessRequest(api),
    )
    await app.initialize()
    riders = [Rider(app, api, first_id + n, timer) for n in range(runners)]
    for rider in riders:
        await rider.onboard()
    try:
        yield context, clock, riders
    finally:
        await app.shutdown()
        await context.close()


async def coach_presses(presses: int, runners: int, url: str) -> list[float]:
    """Latencies of ``presses`` button presses through the coach's Application."""
    timings: list[float] = []
    async with coach_app(url, runners, 10_000) as (_context, clock, riders):
        while len(timings) < presses:
            for rider in riders:
                await rider.day(timings)
            clock.advance(days=1)
    return timings[:presses]


async def tenure_timings(runners: int, days: int, url: str) -> dict[str, tenure.Timings]:
    """Commands and dialog-final answers, by tenure (``bench.tenure``)."""
    async with coach_app(url, runners, 20_000) as (context, clock, riders):
        return await tenure.cohorts(context, clock, riders, days)


async def echo_presses(presses: int, clock: Callable[[], float] = time.perf_counter) -> list[float]:
    """Latencies (or CPU times, by ``clock``) of a bare python-telegram-bot handler: answer
    the button, send one message."""
    api = FakeBotAPI()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and update.effective_chat is not None
        await query.answer()
        await context.bot.send_message(update.effective_chat.id, f"You pressed {query.data}")

    app = Application.builder().token(api.token).request(InProcessRequest(api)).build()
    app.add_handler(CallbackQueryHandler(echo))
    await app.initialize()
    user = updates.user(user_id=99)
    message = updates.message(text="Pick one", from_user=user)
    timings = []
    for n in range(presses):
        update = updates.callback_query(message=message, data=f"echo:{n}", from_user=user)
        started = clock()
        await process(app, update)
        timings.append(clock() - started)
    await app.shutdown()
    return timings


def summary(name: str, timings: list[float]) -> tuple[float, float, float]:
    """Print and return updates a second, p50 and p99 (ms)."""
    per_second = len(timings) / sum(timings)
    p50 = statistics.median(timings) * 1000
    p99 = statistics.quantiles(timings, n=100)[98] * 1000
    print(f"{name:<22} {per_second:>10.0f} upd/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
    return per_second, p50, p99


def run(measure: Callable[[], Coroutine[Any, Any, list[float]]]) -> list[float]:
    return asyncio.run(measure())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=5000)
    parser.add_argument("--runners", type=int, default=100)
    parser.add_argument("--tenure-runners", type=int, default=30, help="split in 3 tenures")
    parser.add_argument("--days", type=int, default=28, help="days timed for the tenures")
    parser.add_argument("--only", choices=["presses", "tenure"])
    parser.add_argument("--database-url", help="an empty database (default: SQLite on disk)")
    parser.add_argument("--driver", choices=driver.CHOICES, default="custom", help="SQLite's")
    args = parser.parse_args()
    driver.select(args.driver)
    tune_garbage_collector()  # as the bot runs
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/b.db"
        where = "PostgreSQL" if url.startswith("postgresql") else "SQLite on disk"
        if args.only != "tenure":
            coach = run(lambda: coach_presses(args.presses, args.runners, url))
            echo = run(lambda: echo_presses(args.presses))
            print(f"{args.presses} button presses, {args.runners} runners, {where}")
            c_rate, c_p50, c_p99 = summary("coach (post-session, check-in)", coach)
            e_rate, e_p50, e_p99 = summary("bare PTB echo", echo)
            print(
                f"ratio coach/echo: throughput {c_rate / e_rate:.3f}, "
                f"p50 {c_p50 / e_p50:.1f}x, p99 {c_p99 / e_p99:.1f}x"
            )
            verdict = "met" if c_p99 <= 25 else "MISSED"
            print(f"target p99 <= 25 ms: {verdict} ({c_p99:.2f} ms)")
        if args.only != "presses":
            timings = asyncio.run(tenure_timings(args.tenure_runners, args.days, url))
            print(f"\n{args.tenure_runners} runners by tenure, {args.days} days, {where}")
            tenure.report(timings)


if __name__ == "__main__":
    main()
