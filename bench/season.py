"""Season benchmark: /progress and the calendar feed for a runner some weeks into a season.

Run ``python -m bench.season [--weeks W] [--runs N]``. One runner onboards through the
services (SQLite in a file, an injected clock) and trains ``W`` weeks: each session done,
every fourth skipped, a knee pain report in the first week, the next day's check-in after each
session. Then ``/progress`` (the caption, the data and the chart, through the coach) is timed
``N`` times, and ``N`` GETs of the runner's calendar subscription over loopback HTTP, first
plain, then with the ``If-None-Match`` of the first answer (a calendar app's poll).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

if __package__ in (None, ""):  # run as ``python bench/season.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench.riders import CHECK_IN as CHECK_IN_ANSWERS
from bot.services.coach import Coach
from bot.services.context import Person, Platform, ServiceContext
from bot.storage.database import Database
from handlers.calendar_feed import calendar_route
from handlers.web import WebServer
from tests.conftest import KNEE_PAIN_CHECK_IN, FakeClock, onboarding
from tests.services.conftest import Talker, go_to_next_session, log_done

PUBLIC = "https://coach.example.org"
CHECK_IN = [("say", "/checkin"), *(("press", label) for label in CHECK_IN_ANSWERS)]


def report(name: str, times: list[tuple[float, float]]) -> None:
    """One line: median and 99th percentile of the wall time, and median of the CPU time (the
    process's own, which other work on a shared machine disturbs less), in milliseconds."""
    wall = [w for w, _cpu in times]
    cuts = statistics.quantiles(wall, n=100) if len(wall) > 1 else wall * 99
    median, p99 = statistics.median(wall) * 1000, cuts[98] * 1000
    cpu = statistics.median(c for _w, c in times) * 1000
    print(
        f"{name:<26} p50 {median:7.2f} ms  p99 {p99:7.2f} ms  CPU p50 {cpu:7.2f} ms"
        f"  ({len(times)} runs)"
    )


class Timer:
    """The wall and CPU seconds of the block, appended to ``times``."""

    def __init__(self, times: list[tuple[float, float]]) -> None:
        self.times = times

    def __enter__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def __exit__(self, *_exc: object) -> None:
        self.times.append((time.perf_counter() - self.wall, time.process_time() - self.cpu))


async def season(talker: Talker, clock: FakeClock, weeks: int) -> None:
    """``weeks`` of training: sessions done (every fourth skipped), check-ins, one pain."""
    end = clock.now + timedelta(weeks=weeks)
    count = 0
    while clock.now < end:
        await go_to_next_session(talker, clock)
        count += 1
        if count % 4 == 0:
            await talker.press("Skip")
            clock.advance(days=1)
            continue
        await log_done(talker)
        clock.advance(days=1)
        await talker.follow(KNEE_PAIN_CHECK_IN if count == 1 else CHECK_IN)


async def timed_gets(
    client: httpx.AsyncClient, path: str, runs: int, **headers: str
) -> list[tuple[float, float]]:
    times: list[tuple[float, float]] = []
    for _ in range(runs):
        with Timer(times):
            response = await client.get(path, headers=headers)
        assert response.status_code in (200, 304), response.status_code
    return times


async def main_async(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        clock = FakeClock()
        database = Database.from_url(f"sqlite+aiosqlite:///{folder}/season.sqlite3")
        ctx = ServiceContext(database, clock, "Europe/Berlin", public_url=PUBLIC)
        await ctx.prepare()
        talker = Talker(Coach(ctx), Person(Platform.TELEGRAM, "501", "501", "Ada"))
        await talker.follow(onboarding())
        await season(talker, clock, args.weeks)
        reply = await talker.command("calendar")
        (url,) = [w for m in reply for w in str(m.text).split() if w.startswith(PUBLIC)]

        times: list[tuple[float, float]] = []
        for _ in range(args.runs):
            with Timer(times):
                await talker.command("progress")
        report("/progress", times)

        server = WebServer([calendar_route(ctx)], host="127.0.0.1", port=0)
        await server.start()
        try:
            base = f"http://127.0.0.1:{server.port}"
            async with httpx.AsyncClient(base_url=base, trust_env=False) as client:
                path = urlsplit(url).path
                first = await client.get(path)
                report("feed GET", await timed_gets(client, path, args.runs))
                tag = first.headers.get("etag", '"none"')
                report(
                    "feed GET, If-None-Match",
                    await timed_gets(client, path, args.runs, **{"If-None-Match": tag}),
                )
        finally:
            await server.stop()
            await ctx.close()


def main() -> None:
    """Time /progress and the feed's GETs."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--runs", type=int, default=100)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
