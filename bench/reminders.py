"""Reminder benchmarks: throughput, rate limit, scale and crash recovery (unlimited, and at
Telegram's 30 a second).

python -m bench.reminders            # the full sizes of docs/benchmarks.md
python -m bench.reminders --quick    # small sizes, a smoke run
python -m bench.reminders --database-url postgresql://postgres@127.0.0.1/bench
                                     # on PostgreSQL: an empty database; each part empties it
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text
from telegram import Bot

from bench import driver, history
from bench.loop_lag import LoopLag
from bot.delivery.rate_limit import RateLimiter
from bot.delivery.route import Route
from bot.runtime import tune_garbage_collector
from bot.services.context import ServiceContext
from bot.services.presentation.replies import Message
from bot.services.use_cases.reminders import build
from bot.settings import normalise_database_url
from bot.storage.database import Database
from bot.storage.migrate import downgrade, upgrade
from bot.storage.models import (
    Dispatch,
    DispatchStatus,
    PlannedExercise,
    PlannedSession,
    Runner,
)
from handlers.live_questions import LiveQuestions
from handlers.telegram.http import AiohttpRequest
from handlers.telegram.messages import html, keyboard
from handlers.telegram.notifier import TelegramNotifier
from schedules.dispatch import Delivery, Dispatcher
from schedules.plan_ahead import plan_all
from tests.factories import runner_row
from tests.fake_telegram import FakeBotAPI, FakeBotAPIServer, RateLimits

os.environ.setdefault("PTB_TIMEDELTA", "true")
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # 07:00 in Berlin, a Monday
ZONES = (
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Halifax",
    "America/Sao_Paulo",
    "Atlantic/South_Georgia",
    "Atlantic/Azores",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Athens",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Brisbane",
    "Pacific/Noumea",
    "Pacific/Auckland",
    "Pacific/Tongatapu",
)
UNLIMITED = 1e9
ROUND_TRIP = 0.05  # seconds, to Telegram and back, in the rate-limit run
PLATFORMS = ("telegram",)  # every seeded runner is on Telegram
HISTORY_DAYS = 365  # the throughput part's runners have trained for a year
SENT_DAYS = 90  # the scale part's database holds this many days of sent reminders
DATABASE_URL: str | None = None  # --database-url: PostgreSQL instead of SQLite files


def clock() -> datetime:
    """The benchmarks' fixed time: everything seeded is due now."""
    return NOW


def today_and_tomorrow(n: int) -> list[date]:
    """Every runner strength-trains today and tomorrow: all of them are due at once."""
    return [NOW.date(), NOW.date() + timedelta(days=1)]


def two_a_week(n: int) -> list[date]:
    """Two sessions a week (P1), three or four days apart, the weekdays spread over runners."""
    days = {n % 7, (n + 3) % 7}
    around = (NOW.date() + timedelta(days=k) for k in range(-7, 8))
    return [day for day in around if day.weekday() in days]


async def seed(
    database: Database,
    runners: int,
    zones: tuple[str, ...] = ("Europe/Berlin",),
    sessions: Callable[[int], list[date]] = today_and_tomorrow,
    *,
    week_preview: bool = False,
) -> None:
    """``runners`` runners spread over ``zones``, each with a session on ``sessions(n)``."""
    chunk = 5_000
    for start in range(1, runners + 1, chunk):
        ids = range(start, min(start + chunk, runners + 1))
        planned = [
            {
                "id": n * 16 + k,
                "runner_id": n,
                "date": day,
                "kind": "focused",
                "phase": "build",
                "minutes": 35,
                "after_run": False,
                "rules": [],
                "created_at": NOW,
            }
            for n in ids
            for k, day in enumerate(sessions(n))
        ]
        async with database.unit_of_work() as uow:
            await uow.session.execute(
                insert(Runner),
                [
                    runner_row(
                        n,
                        NOW,
                        timezone=zones[n % len(zones)],
                        week_preview=week_preview,
                        started_on=date(2026, 11, 16) + timedelta(days=n % 7),
                        planned_until=date(2027, 1, 1),
                    )
                    for n in ids
                ],
            )
            await uow.session.execute(insert(PlannedSession), planned)
            await uow.session.execute(
                insert(PlannedExercise),
                [
                    {
                        "session_id": s["id"],
                        "position": 0,
                        "exercise_id": "glute_bridge_hold",
                        "name": "Glute bridge with heel pressure",
                        "sets": 3,
                        "reps": 8,
                        "load": "bodyweight",
                        "cues": ["Drive through the heels"],
                        "cues_emphasised": False,
                    }
                    for s in planned
                ],
            )


async def fresh_database(folder: Path, name: str) -> Database:
    """An empty database: a new SQLite file, or the ``--database-url`` one emptied."""
    if DATABASE_URL is None:
        database = Database.from_url(f"sqlite+aiosqlite:///{folder / name}")
    else:
        database = Database.from_url(normalise_database_url(DATABASE_URL))
        await downgrade(database.engine, "base")
    await upgrade(database.engine)
    return database


def dialect(database: Database) -> str:
    return "PostgreSQL" if database.engine.dialect.name == "postgresql" else "SQLite"


def telegram_bot(token: str, base_url: str) -> Bot:
    """A bot on the transport the Telegram adapter gives its reminder bot."""
    return Bot(token, base_url=base_url, request=AiohttpRequest())


def dispatcher(database: Database, bot: Bot, per_second: float) -> Dispatcher:
    ctx = ServiceContext(database, clock)
    route = Route(TelegramNotifier(bot, LiveQuestions()), RateLimiter(per_second))
    return Dispatcher(ctx, {"telegram": route}, Delivery(stale_after=timedelta(0)))


async def same_messages(database: Database) -> list[tuple[str, Message]]:
    """The (chat, message) the tick is about to send, built as it builds them, rows left due."""
    async with database.unit_of_work() as uow:
        rows = await uow.dispatches.claim(
            now=NOW, limit=1_000_000, platforms=PLATFORMS, owner="bench"
        )
        built = await build(
            ServiceContext(database, clock), uow, rows, now=NOW, late_after=Delivery().late_after
        )
        await uow.dispatches.release(owner="bench")
    return [
        (outgoing.to.chat_id, message)
        for outgoing in built
        if outgoing.to is not None
        for message in outgoing.reply
    ]


async def throughput(folder: Path, runners: int) -> None:
    """Messages a second and CPU a message through the whole tick, against a bare PTB send
    loop.

    The bare loop sends the very messages the tick sends (text, HTML, the Done, Skip and
    Later keyboard) with ``Bot.send_message``, and nothing else, with as many in flight as
    the tick keeps (``Delivery.in_flight``): half of them before the tick and half after,
    so a drift in the machine's speed during the run weighs on both alike. The fake Bot API
    runs in a process of its own, as Telegram's servers would, so the process's CPU time is
    the sender's alone (the database's threads included).
    """
    database = await fresh_database(folder, "throughput.sqlite3")
    await seed(database, runners, sessions=two_a_week, week_preview=True)
    await history.reports(database, NOW.date(), HISTORY_DAYS)
    await plan_all(ServiceContext(database, clock), NOW - timedelta(minutes=1))
    messages = await same_messages(database)
    mix = await due_mix(database)
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.reminders", "--serve", stdout=asyncio.subprocess.PIPE
    )
    assert server.stdout is not None
    port = int(await server.stdout.readline())
    half = len(messages) // 2
    async with telegram_bot(FakeBotAPI().token, f"http://127.0.0.1:{port}/bot") as bot:
        bare_took, bare_cpu = await bare_loop(bot, messages[:half])
        started, cpu = time.perf_counter(), time.process_time()
        async with LoopLag() as lag:
            with database.off_the_loop():  # as the tick runs it
                counts = await dispatcher(database, bot, UNLIMITED).run(NOW)
        ours = counts["sent"] / (time.perf_counter() - started)
        ours_cpu = (time.process_time() - cpu) / counts["sent"] * 1000
        took, used = await bare_loop(bot, messages[half:])
        bare = len(messages) / (bare_took + took)
        bare_cpu = (bare_cpu + used) / len(messages) * 1000
    server.kill()
    await server.wait()
    await database.dispose()
    print(
        f"throughput: {runners:,} runners with {HISTORY_DAYS} days of reports, a day's mix due "
        f"in the same minute ({mix}), loopback fake Bot API, no rate limit, {dialect(database)}"
    )
    in_flight = Delivery().in_flight
    print(
        f"  bare PTB send_message loop, {in_flight} in flight: {bare:,.0f} messages/s, "
        f"CPU {bare_cpu:.2f} ms a message ({len(messages):,} sent)"
    )
    print(
        f"  reminder tick, {in_flight} in flight:              {ours:,.0f} messages/s, "
        f"CPU {ours_cpu:.2f} ms a message ({counts['sent']:,} sent)"
    )
    print(f"  ratio, messages a second: {ours / bare:.2f} (target 0.7 or more)")
    print(f"  ratio, CPU a message: {ours_cpu / bare_cpu:.2f} (target 1.3 or less)")
    print(
        f"  longest event-loop stall during the tick: {lag.worst_ms:.1f} ms wall clock; "
        f"most CPU the loop's thread spent between two wake-ups: {lag.worst_cpu_ms:.1f} ms "
        "(target 50 or less)"
    )


async def due_mix(database: Database) -> str:
    """How many rows of each kind are due now."""
    async with database.unit_of_work() as uow:
        query = (
            select(Dispatch.kind, func.count())
            .where(Dispatch.due_at <= NOW, Dispatch.status == DispatchStatus.PENDING)
            .group_by(Dispatch.kind)
        )
        return ", ".join(
            f"{count:,} {kind.value}" for kind, count in await uow.session.execute(query)
        )


async def bare_loop(bot: Bot, messages: list[tuple[str, Message]]) -> tuple[float, float]:
    """Send ``messages`` with nothing but ``Bot.send_message``, as many at once as the tick
    sends (``Delivery.in_flight``); returns the seconds it took and the process's CPU
    seconds."""
    queue = iter(messages)

    async def sender() -> None:
        for chat, message in queue:
            markup = keyboard(message, bot.username)
            text = html(message.text)
            await bot.send_message(chat, text, parse_mode="HTML", reply_markup=markup)

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(sender() for _ in range(Delivery().in_flight)))
    return time.perf_counter() - started, time.process_time() - cpu


async def serve() -> None:
    """In its own process: the fake Bot API on a free port, printed on the first line."""
    async with FakeBotAPIServer(FakeBotAPI()) as server:
        print(server.port, flush=True)
        await asyncio.Event().wait()


async def rate_limited(folder: Path, runners: int) -> None:
    """A burst through the limiter, against a fake that enforces Telegram's limits."""
    database = await fresh_database(folder, "rate.sqlite3")
    await seed(database, runners)
    await plan_all(ServiceContext(database, clock), NOW - timedelta(minutes=1))
    api = FakeBotAPI(latency=ROUND_TRIP)
    api.enforce_rate_limits(RateLimits())
    async with FakeBotAPIServer(api) as server, telegram_bot(api.token, server.bot_base_url) as bot:
        started = time.perf_counter()
        counts = await dispatcher(database, bot, 30).run(NOW)
        took = time.perf_counter() - started
    await database.dispose()
    floor = runners / 30
    print(
        f"rate limit: {runners} due at once, limiter at 30/s, fake enforcing Telegram's limits, "
        f"{ROUND_TRIP * 1000:.0f} ms round trip"
    )
    print(
        f"  sent {counts['sent']} in {took:.1f} s; floor {floor:.1f} s; "
        f"over the floor {100 * (took / floor - 1):.1f}% (target within 10%)"
    )
    print(f"  429 answers: {api.rate_limit_violations} (target 0)")


async def scale_child(url: str) -> None:
    """In its own process: a cold tick plans the coming day, then claims every row of it."""
    ctx = ServiceContext(Database.from_url(url), clock)
    with ctx.database.off_the_loop():  # as the tick runs them
        started = time.perf_counter()
        planned = await plan_all(ctx, NOW)
        planning = time.perf_counter() - started
        started, claimed = time.perf_counter(), 0
        while rows := await _claim(ctx.database, NOW + timedelta(days=1)):
            claimed += rows
        claiming = time.perf_counter() - started
        started = time.perf_counter()
        async with ctx.database.unit_of_work() as uow:
            pruned = await uow.dispatches.prune(
                before=NOW - Delivery().retention, limit=Delivery().prune_batch
            )
        pruning = time.perf_counter() - started
    rss = peak_rss_mb()
    print(
        f"  plan {planned:,} rows: {planning:.2f} s; claim {claimed:,} rows: {claiming:.2f} s; "
        f"tick total {planning + claiming:.2f} s (target 2 s or less)"
    )
    print(f"  one retention batch: {pruned:,} rows deleted in {pruning * 1000:.0f} ms")
    print(f"  peak RSS of the bot process: {rss:.0f} MB (target 200 MB or less)")
    await ctx.close()


def peak_rss_mb() -> float:
    """This process's own peak RSS in MB.

    ``ru_maxrss`` would not do: Linux carries it over ``fork`` and ``exec``, so a child would
    report the parent's size at the fork. ``VmHWM`` belongs to the process's own memory map.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _claim(database: Database, now: datetime) -> int:
    async with database.unit_of_work() as uow:
        claimed = await uow.dispatches.claim(
            now=now, limit=5_000, platforms=PLATFORMS, owner="bench"
        )
        return len(claimed)


async def scale(folder: Path, runners: int) -> None:
    database = await fresh_database(folder, "scale.sqlite3")
    await seed(database, runners, ZONES, two_a_week, week_preview=True)
    await history.sent(database, NOW.date(), SENT_DAYS)
    rows, size = await row_count(database), await size_mb(database)
    print(
        f"scale: {runners:,} runners in {len(ZONES)} timezones, two sessions a week each "
        f"and the week preview on, {SENT_DAYS} days of sent rows, {dialect(database)}"
    )
    print(f"  {SENT_DAYS} days of sent rows: {rows:,} rows, database {size}")
    while await prune(database, 100_000):
        pass  # what the ticks' retention batches did over the days before
    rows, size = await row_count(database), await size_mb(database)
    print(f"  the retention window's {Delivery().retention.days} days: {rows:,} rows, {size}")
    url = database.engine.url.render_as_string(hide_password=False)
    await database.dispose()
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.reminders", "--scale-child", url
    )
    await child.wait()


async def prune(database: Database, limit: int) -> int:
    async with database.unit_of_work() as uow:
        return await uow.dispatches.prune(before=NOW - Delivery().retention, limit=limit)


async def size_mb(database: Database) -> str:
    """The database's size: on SQLite, its pages and the free ones among them."""
    async with database.unit_of_work() as uow:
        if database.engine.dialect.name == "postgresql":
            size = await uow.session.scalar(text("SELECT pg_database_size(current_database())"))
            return f"{int(size or 0) / 2**20:,.0f} MB"
        pages = await uow.session.scalar(text("PRAGMA page_count"))
        free = await uow.session.scalar(text("PRAGMA freelist_count"))
        page = await uow.session.scalar(text("PRAGMA page_size"))
    mb = int(page or 0) / 2**20
    return f"{int(pages or 0) * mb:,.0f} MB ({int(free or 0) * mb:,.0f} MB of it free pages)"


async def row_count(database: Database) -> int:
    async with database.unit_of_work() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(Dispatch)) or 0)


async def crash_child(url: str, port: int, token: str, per_second: float) -> None:
    """In its own process: dispatch everything due, through the parent's fake server."""
    database = Database.from_url(url)
    async with telegram_bot(token, f"http://127.0.0.1:{port}/bot") as bot:
        with database.off_the_loop():  # as the tick runs it
            await dispatcher(database, bot, per_second).run(NOW)
    await database.dispose()


async def crash(folder: Path, runners: int, per_second: float = UNLIMITED) -> None:
    """kill -9 in the middle of dispatching, restart, and count duplicates and misses."""
    database = await fresh_database(folder, "crash.sqlite3")
    await seed(database, runners)
    await plan_all(ServiceContext(database, clock), NOW - timedelta(minutes=1))
    api = FakeBotAPI()
    async with FakeBotAPIServer(api) as server:
        child = [
            sys.executable,
            "-m",
            "bench.reminders",
            "--crash-child",
            str(database.engine.url),
            str(server.port),
            api.token,
            str(per_second),
        ]
        first = await asyncio.create_subprocess_exec(*child)
        await api.wait_for_call("sendMessage", count=runners // 2, within=600)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        before = len(api.calls("sendMessage"))
        second = await asyncio.create_subprocess_exec(*child)
        await second.wait()
        per_chat = Counter(call.params["chat_id"] for call in api.calls("sendMessage"))
    async with database.unit_of_work() as uow:
        query = (
            select(Dispatch.status, func.count())
            .where(Dispatch.due_at <= NOW)
            .group_by(Dispatch.status)
        )
        statuses = {status.value: count for status, count in await uow.session.execute(query)}
    await database.dispose()
    duplicates = sum(count - 1 for count in per_chat.values() if count > 1)
    missed = runners - len(per_chat)
    limit = "" if per_second == UNLIMITED else f", limiter at {per_second:g}/s"
    print(f"crash: kill -9 after {before:,} of {runners:,} sends{limit}, then a restart")
    print(
        f"  duplicates: {duplicates}; missed: {missed} (target 0 apart from the sends in flight, "
        f"at most {Delivery().in_flight})"
    )
    print(
        f"  rows due: {statuses}; 'unknown' were attempted at the kill (in flight, or sent "
        "and not yet recorded)"
    )


async def crash_limited(folder: Path, runners: int) -> None:
    """The same at Telegram's rate: the rows waiting for their slot at the kill are not lost."""
    await crash(folder, runners, per_second=30)


async def main(quick: bool, only: str | None) -> None:
    sizes = {
        "throughput": (throughput, 1_000, 10_000),
        "rate": (rate_limited, 150, 1_500),
        "scale": (scale, 10_000, 100_000),
        "crash": (crash, 1_000, 10_000),
        "crash-limited": (crash_limited, 300, 1_500),
    }
    with tempfile.TemporaryDirectory() as folder:
        for name, (bench, small, full) in sizes.items():
            if only in (None, name):
                await bench(Path(folder), small if quick else full)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--only", choices=["throughput", "rate", "scale", "crash", "crash-limited"])
    parser.add_argument("--scale-child", help=argparse.SUPPRESS)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--crash-child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--driver", choices=driver.CHOICES, default="custom", help="SQLite's")
    args = parser.parse_args()
    driver.select(args.driver)
    DATABASE_URL = args.database_url
    tune_garbage_collector()  # every process here runs as the bot does
    if args.serve:
        asyncio.run(serve())
    elif args.scale_child:
        asyncio.run(scale_child(args.scale_child))
    elif args.crash_child:
        url, port, token, per_second = args.crash_child
        asyncio.run(crash_child(url, int(port), token, float(per_second)))
    else:
        asyncio.run(main(args.quick, args.only))
