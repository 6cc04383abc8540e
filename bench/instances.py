"""Capacity of 1, 2 and 3 bot instances on one PostgreSQL (issue 30): handled updates a
second at p99 <= 1 s, with a 50 ms round trip on the fake Bot API, and the CPU per update.

python -m bench.instances --database-url postgresql://postgres@127.0.0.1/test
python -m bench.instances --database-url ... --instances 1 2 --levels 20 40 60 --seconds 8

Each instance is the real bot in a process of its own, by webhook
(``tests/telegram/instances.py``, without its test's recording handler), behind this
process's round-robin balancer; the fake Bot API runs here too, on loopback HTTP, and adds
``--rtt`` to every call. Load is open: at each level, updates arrive at that rate for
``--seconds`` whatever the bot's pace, each a text from one of many runners (each runner's
next comes only after its last was answered, so Telegram's one message a second per chat is
never what is measured; the bot's overall limit is lifted, as in the test). An update's
latency runs from its POST to the bot's answer reaching the fake. A level holds if its p99
is at most 1 s and every update was answered; the capacity is the highest level that holds
(the levels go on until two in a row do not).
CPU per update is the instances' own CPU time (user and system, from /proc) over the
updates they answered, PostgreSQL's beside it, from the same level.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as ``python bench/instances.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("PTB_TIMEDELTA", "true")

import httpx
from sqlalchemy.engine import make_url

from bot.storage.database import create_engine
from bot.storage.migrate import upgrade
from tests.fake_telegram import FakeBotAPI, FakeBotAPIServer, free_port, updates
from tests.telegram.instances import bots, post, scratch_database, until_listening

TICKS = os.sysconf("SC_CLK_TCK")
P99_LIMIT = 1.0  # seconds


@dataclass(frozen=True)
class Level:
    """One offered rate, held for a while, and what came of it."""

    instances: int
    offered: float  # updates a second
    sent: int
    answered: int
    p50: float
    p99: float
    bot_cpu_ms: float  # the instances' CPU per answered update
    postgres_cpu_ms: float  # PostgreSQL's, over the same updates

    @property
    def holds(self) -> bool:
        return self.answered == self.sent and self.p99 <= P99_LIMIT


class Answers(FakeBotAPI):
    """The fake Bot API, noting when each chat's answers arrive (and telling its waiter)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.arrived: dict[int, list[float]] = defaultdict(list)
        self.news: dict[int, asyncio.Event] = defaultdict(asyncio.Event)

    async def request(self, token: str, method: str, raw_params: Any, files: Any = None) -> Any:
        if method.lower() == "sendmessage":
            chat = int(raw_params["chat_id"])
            self.arrived[chat].append(time.monotonic())
            self.news[chat].set()
        return await super().request(token, method, raw_params, files)


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU of the processes ``pids`` so far."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


class Backends:
    """The CPU of the PostgreSQL backends serving one database (the server is shared: other
    databases' work is not counted), sampled often, since the instances' pools close and
    open connections under load: a backend's CPU counts from when it was first seen (or
    from nothing, if it began meanwhile) to its last sample."""

    def __init__(self, database: str) -> None:
        self.mark = f" {database} "  # in a backend's title: "postgres: 15/main: user db host"
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}

    def sample(self, *, starting: bool = False) -> None:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                if title.startswith("postgres:") and self.mark in title:
                    pid = int(entry.name)
                    cpu = cpu_seconds([pid])
                    self.first.setdefault(pid, cpu if starting else 0.0)
                    self.last[pid] = cpu

    @property
    def seconds(self) -> float:
        return sum(self.last[pid] - self.first[pid] for pid in self.last)

    async def watch(self, until: asyncio.Event) -> None:
        while not until.is_set():
            self.sample()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(until.wait(), 0.2)


async def level(
    api: Answers,
    ports: list[int],
    pids: list[int],
    database: str,
    rate: float,
    seconds: float,
    first_id: int,
) -> Level:
    """Offer ``rate`` updates a second for ``seconds``, round-robin over ``ports``; CPU
    counted for the instances ``pids`` and the backends serving ``database``."""
    count = int(rate * seconds)
    pool = max(3 * int(rate), 30)  # runners: each asks about once in 3 s
    runners = itertools.cycle(range(pool))
    fresh = itertools.count(pool)  # more runners, while every one waits for an answer
    busy: set[int] = set()
    latencies: list[float] = []
    turn = itertools.cycle(ports)
    backends = Backends(database)
    backends.sample(starting=True)
    done = asyncio.Event()
    watching = asyncio.create_task(backends.watch(done))
    before = cpu_seconds(pids)

    async def ask(client: httpx.AsyncClient, update_id: int, user_id: int) -> None:
        update = updates.text_message(
            text=f"hello {update_id}", from_user=updates.user(user_id=user_id, first_name="R")
        )
        update["update_id"] = update_id
        answered = len(api.arrived[user_id])
        news = api.news[user_id]
        news.clear()
        posted = time.monotonic()
        while not await post(client, next(turn), update):  # the next in turn, until stored
            pass
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(30):
                while len(api.arrived[user_id]) <= answered:
                    await news.wait()
                    news.clear()
                latencies.append(api.arrived[user_id][answered] - posted)
        busy.discard(user_id)

    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=200), timeout=60) as client:
        tasks = []
        began = time.monotonic()
        for n in range(count):
            await asyncio.sleep(max(0.0, began + n / rate - time.monotonic()))
            for _ in range(pool):  # one whose last was answered
                user_id = 900_000 + next(runners)
                if user_id not in busy:
                    break
            else:
                user_id = 900_000 + next(fresh)
            busy.add(user_id)
            tasks.append(asyncio.create_task(ask(client, first_id + n, user_id)))
        await asyncio.gather(*tasks)
    after = cpu_seconds(pids)
    done.set()
    await watching
    answered = len(latencies)
    ordered = sorted(latencies) or [float("inf")]
    per_update = 1000 / max(1, answered)
    return Level(
        instances=len(ports),
        offered=rate,
        sent=count,
        answered=answered,
        p50=statistics.median(ordered),
        p99=ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        bot_cpu_ms=(after - before) * per_update,
        postgres_cpu_ms=backends.seconds * per_update,
    )


async def capacity(
    server_url: str, instances: int, levels: list[float], seconds: float, rtt: float
) -> list[Level]:
    """Run ``instances`` bots and offer each level in turn, until two in a row do not
    hold."""
    results: list[Level] = []
    async with scratch_database(server_url) as url:
        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()
        api = Answers(latency=rtt)
        ports = [free_port() for _ in range(instances)]
        async with (
            FakeBotAPIServer(api) as server,
            bots(url, server, ports, recording=False) as children,
        ):
            await asyncio.gather(*(until_listening(port) for port in ports))
            pids = [child.pid for child in children]
            database = make_url(url).database or ""
            await level(api, ports, pids, database, 20, 3, 1)  # warm-up: caches, pools
            first = 100_000
            for rate in levels:
                result = await level(api, ports, pids, database, rate, seconds, first)
                first += result.sent
                results.append(result)
                print(json.dumps(asdict(result) | {"holds": result.holds}), flush=True)
                if len(results) > 1 and not (result.holds or results[-2].holds):
                    break  # two in a row: one level a busy machine spoils is not the end
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument(
        "--levels", type=float, nargs="+", default=[10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    )
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rtt", type=float, default=0.05)
    args = parser.parse_args()
    if not args.database_url:
        parser.error("several instances need PostgreSQL: --database-url or TEST_DATABASE_URL")
    print(f"load average before: {os.getloadavg()}", flush=True)
    summary = {}
    for instances in args.instances:
        results = asyncio.run(
            capacity(args.database_url, instances, args.levels, args.seconds, args.rtt)
        )
        held = [result for result in results if result.holds]
        best = held[-1] if held else None
        summary[instances] = best and {
            "capacity": best.offered,
            "p99": round(best.p99, 3),
            "bot_cpu_ms": round(best.bot_cpu_ms, 2),
            "postgres_cpu_ms": round(best.postgres_cpu_ms, 2),
        }
        print(f"{instances} instance(s): {summary[instances]}", flush=True)
    print(f"load average after: {os.getloadavg()}", flush=True)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
