"""Crash benchmark: ``kill -9`` the coach while it handles runners' taps, and count its effects.

Run ``python -m bench.crash [--runners N] [--kills N] [--seed N]``. The fake Bot API serves
loopback HTTP in this process, where the runners tap; the real coach (``bot.bootstrap``'s
Telegram adapter, polling, CONCURRENT_UPDATES=64, SQLite in a file) runs in a child process
on a clock standing still on a Monday at 05:00 in Berlin, so each runner onboards and has a
session that day. Each runner onboards (16 taps), opens ``/today``, presses Done and answers
the post-session questions, each tap once the bot has answered the last one. The child is
killed with SIGKILL ``--kills`` times, each after a random number of further answers and only
once the inbox holds an update stored but not yet handled (work in flight), then restarted;
a last child runs until every runner is through.

What is counted is the coach's own state: each runner's profile (every onboarding answer
taken once, in order, or it differs), session logs, profile versions, plan changes, planned
sessions and open dialogs. (No check-in: it asks about yesterday's session, and the clock
stands still.) A runner whose tap gets no answer within ``PATIENCE`` stops there; the run
says whether that tap took effect (its answer, sent after the commit, died with the
process) or was lost. Every runner does the same at the same instant, so all must end
with the same effects: a runner through whose effects differ from the others' is a lost or
doubled update (target: none). A reply cut off by a kill, after its commit, is sent by the
restarted coach; one that had gone out before the kill but was not yet recorded as sent goes
out twice (counted: a message reading as the one before it in its chat; target: none).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/crash.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("PTB_TIMEDELTA", "true")

from bench.network import CountingAPI, Run, coach_bot, runner
from tests.conftest import FakeClock, onboarding
from tests.fake_telegram import FakeBotAPIServer
from tests.fake_telegram.api import JSONDict

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # a Monday, 05:00 in Berlin: a session day
SCRIPT = (
    *onboarding(),
    ("say", "/today"),
    ("press", "✅ Done"),
    ("press", "All of it"),
    ("press", "OK"),
    ("press", "Nothing hurt"),
)
THINK = 0.05  # seconds between an answer and the runner's next tap
PATIENCE = 20.0  # seconds a runner waits for an answer before giving up
EFFECTS = {  # each runner's own rows, as one comparable tuple
    "profile": "SELECT experience, sessions_per_week, trail_runs_per_week, timezone,"
    " reminder_time, status, (SELECT group_concat(kind) FROM running_days d"
    " WHERE d.runner_id = r.id) FROM runners r WHERE r.id = :id",
    "logs": "SELECT session_date, completed, rpe, pain, hips_level FROM session_logs"
    " WHERE runner_id = :id ORDER BY session_date",
    "profile versions": "SELECT effective_on FROM profile_versions WHERE runner_id = :id",
    "plan changes": "SELECT effective_date, rules FROM plan_changes WHERE runner_id = :id"
    " ORDER BY id",
    "planned sessions": "SELECT date, kind FROM planned_sessions WHERE runner_id = :id"
    " ORDER BY date",
}


async def child(database: str, base_url: str) -> None:
    """The coach, as ``trailcoach run`` builds its Telegram adapter, until killed."""
    settings = {"messages_per_second": 1000}
    async with coach_bot(Path(database), CountingAPI().token, base_url, settings, FakeClock(NOW)):
        await asyncio.Event().wait()


async def start(database: Path, server: FakeBotAPIServer) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.crash", "--child", str(database), server.base_url
    )


def in_flight(database: Path) -> int:
    """Updates the coach stored and has not handled yet (0 before its tables exist)."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        query = "SELECT count(*) FROM inbound_updates WHERE handled_at IS NULL"
        with contextlib.suppress(sqlite3.OperationalError):
            return int(connection.execute(query).fetchone()[0])
    return 0


async def polled(probe: Callable[[], bool]) -> None:
    """Until ``probe()`` holds: it reads what another process does, so it is polled."""
    while not probe():  # noqa: ASYNC110
        await asyncio.sleep(0.001)


async def crash_run(folder: Path, runners: int, kills: int, rng: random.Random) -> None:
    database = folder / "crash.sqlite3"
    api = CountingAPI(latency=0.002)
    run = Run(started=time.perf_counter())
    taps = runners * len(SCRIPT)
    async with FakeBotAPIServer(api) as server:
        bot = await start(database, server)
        tapping = asyncio.gather(
            *(
                runner(api, 30_000 + n, run, THINK, script=SCRIPT, patience=PATIENCE)
                for n in range(runners)
            )
        )
        for kill in range(kills):
            answered = len(run.latencies) + rng.randint(1, 2 * taps // (kills + 1))
            await polled(lambda: len(run.latencies) >= answered or tapping.done())  # noqa: B023
            await polled(lambda: in_flight(database) > 0 or tapping.done())
            waiting = in_flight(database)
            bot.kill()  # SIGKILL: no cleanup of any kind
            await bot.wait()
            print(f"kill {kill + 1}: after {len(run.latencies)} answers, {waiting} in flight")
            bot = await start(database, server)
        await tapping
        await polled(lambda: in_flight(database) == 0)
        bot.kill()
        await bot.wait()
    report(database, runners, run)
    replies(api)


def report(database: Path, runners: int, run: Run) -> None:
    """Each runner's effects against the most common ones among those who got through; and,
    for each runner left waiting, whether the tap they wait on took effect."""
    stuck = dict(run.stuck)
    with contextlib.closing(sqlite3.connect(database)) as connection:
        ids = dict(connection.execute("SELECT CAST(platform_user_id AS INT), id FROM runners"))
        effects = {
            user: tuple(
                tuple(connection.execute(query, {"id": ids[user]}).fetchall())
                for query in EFFECTS.values()
            )
            for user in ids
            if user not in stuck
        }
        steps = dict(connection.execute("SELECT CAST(user_id AS INT), step FROM dialog_states"))
    common, same = Counter(effects.values()).most_common(1)[0] if effects else ((), 0)
    counts = ", ".join(f"{len(rows)} {name}" for name, rows in zip(EFFECTS, common, strict=True))
    through = runners - len(stuck)
    print(
        f"{through} of {runners} runners through ({len(run.latencies)} taps answered); each "
        f"one's effects: {counts}; those with other effects (lost or doubled): {through - same} "
        "(target 0)"
    )
    # A press names its dialog's step (``dialog:nonce:step:value``): if the runner's dialog
    # has moved past it, the press took effect and only its answer is missing.
    presses = {user: tap.split(":")[2] for user, tap in stuck.items() if tap.count(":") == 3}
    took = sum(1 for user, step in presses.items() if steps.get(user) != step)
    typed = Counter(
        f"{tap!r} (dialog at {steps.get(user)!r})"
        for user, tap in stuck.items()
        if user not in presses
    )
    print(
        f"runners left waiting for an answer: {len(stuck)}; {len(presses)} pressed a button, "
        f"{took} of which took effect (its answer went missing at a kill, after the commit) "
        f"and {len(presses) - took} did not (lost: target 0); "
        "typed, or waiting for a question that never came: "
        f"{', '.join(f'{n} {text}' for text, n in typed.items()) or 'none'}"
    )


def replies(api: CountingAPI) -> None:
    """Replies sent twice: a message of the bot's to a runner with the same text and buttons
    as the one before it in that chat (a reply the restarted coach sent again although it had
    gone out before the kill)."""
    twice = Counter(
        chat
        for chat, messages in api.by_chat.items()
        for before, after in itertools.pairwise(messages)
        if after["message_id"] != before["message_id"] and same(before, after)
    )
    print(f"replies sent twice: {sum(twice.values())}, to {len(twice)} runners (target 0)")


def same(one: JSONDict, other: JSONDict) -> bool:
    """Whether two messages read the same: text (or caption) and buttons."""
    return all(one.get(key) == other.get(key) for key in ("text", "caption", "reply_markup"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", type=int, default=100)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)  # database, base URL
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(*args.child))
        return
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    print(f"{args.runners} runners, {args.kills} kills, seed {seed}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(crash_run(Path(folder), args.runners, args.kills, random.Random(seed)))
    print(f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
