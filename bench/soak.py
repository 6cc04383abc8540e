"""Memory soak: 100 runners using the coach for ten minutes, /progress charts included.

Run ``python -m bench.soak [--minutes M] [--runners R] [--every S] [--warm-up W]``. The
runners onboard through the coach's Application on the in-process fake Bot API (SQLite on
disk), then, round after round, each does one thing at random: a day of training (check-in
and session, every button pressed), ``/progress`` (a chart), ``/week``, ``/history`` or
``/calendar``; the injected clock moves a day each round. The process's RSS is sampled every
``--every`` seconds. Target (issue 32): no growth after the warm-up beyond 10%: the largest
RSS after the warm-up over the RSS at its end.

SQLite's WAL is checkpointed as the bot does it (``bot/storage/checkpoints.py``, started as
``bot.bootstrap`` starts it, once the onboarding's WAL is checkpointed); its size is read
after every action, and the largest it reached is printed beside the database file's size.
Target (issue 32): the WAL stays within ``sqlite.WAL_LIMIT`` plus what the bot writes between
two checkpoints.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

if __package__ in (None, ""):  # run as ``python bench/soak.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.riders import Rider
from bench.updates import coach_app
from bot.runtime import tune_garbage_collector
from bot.storage import sqlite
from bot.storage.checkpoints import CHECKPOINT_SECONDS, Checkpoints

COMMANDS = ("/progress", "/week", "/history", "/calendar")
PAGE = 4096


def rss_mib() -> float:
    """This process's resident memory, in MiB."""
    resident = int(Path("/proc/self/statm").read_text().split()[1])
    return resident * PAGE / 2**20


def mib(path: Path) -> float:
    """A file's size in MiB (0 if it is not there)."""
    return path.stat().st_size / 2**20 if path.exists() else 0.0


def written_mib() -> float:
    """What this process has written to files so far, in MiB (``wchar``: on the SQLite file
    that is the WAL's appends and the checkpoints' copies into the database file)."""
    fields = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    return int(fields["wchar"]) / 2**20


class Sample(NamedTuple):
    seconds: float
    rss: float  # MiB
    actions: int
    wal: float  # MiB, the largest since the last sample
    database: float  # MiB
    written: float  # MiB so far


async def act(rider: Rider, rng: random.Random) -> str:
    """One thing a runner does: a day of training half the time, else a command. The fake
    Bot API forgets what it was sent before, so its records are not counted as the bot's."""
    rider.api.clear()
    if rng.random() < 0.5:
        await rider.day([])
        return "day"
    command = rng.choice(COMMANDS)
    await rider.send(command)
    return command


async def soak(args: argparse.Namespace, file: Path) -> list[Sample]:
    """A ``Sample`` every ``args.every`` seconds for ``args.minutes``."""
    rng = random.Random(args.seed)
    samples: list[Sample] = []
    wal = Path(f"{file}-wal")
    async with coach_app(f"sqlite:///{file}", args.runners, 30_000) as (context, clock, riders):
        tune_garbage_collector()  # as the bot does once it is built
        checkpoints = Checkpoints(context.database)
        await checkpoints.run_once()  # the onboarding's WAL, written before they started
        checkpoints.start()
        started = next_sample = time.monotonic()
        actions, largest_wal = 0, 0.0
        while (now := time.monotonic()) - started < args.minutes * 60:
            if now >= next_sample:
                samples.append(
                    Sample(now - started, rss_mib(), actions, largest_wal, mib(file), written_mib())
                )
                next_sample += args.every
                largest_wal = 0.0
            for rider in rng.sample(riders, k=10):
                await act(rider, rng)
                actions += 1
                largest_wal = max(largest_wal, mib(wal))
            if actions % len(riders) == 0:
                clock.advance(days=1)
        seconds = time.monotonic() - started
        samples.append(Sample(seconds, rss_mib(), actions, largest_wal, mib(file), written_mib()))
        await checkpoints.stop()
    return samples


def report_wal(samples: list[Sample]) -> None:
    """The WAL's largest size against its bound: ``WAL_LIMIT`` plus what the bot writes in
    one checkpoint interval (at most its write rate, which also counts the checkpoints'
    copies)."""
    largest = max(sample.wal for sample in samples)
    first, last = samples[0], samples[-1]
    rate = (last.written - first.written) / max(last.seconds - first.seconds, 1e-9)
    bound = sqlite.WAL_LIMIT / 2**20 + rate * CHECKPOINT_SECONDS
    print(
        f"WAL: at most {largest:.2f} MiB beside a {last.database:.2f} MiB database; writes "
        f"{rate:.2f} MiB/s; bound: WAL_LIMIT {sqlite.WAL_LIMIT / 2**20:.0f} MiB + "
        f"{CHECKPOINT_SECONDS:.0f} s of writes = {bound:.2f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--runners", type=int, default=100)
    parser.add_argument("--every", type=float, default=10, help="seconds between samples")
    parser.add_argument("--warm-up", type=float, default=2, help="minutes before the baseline")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        samples = asyncio.run(soak(args, Path(folder) / "soak.db"))
    print(f"memory soak: {args.runners} runners, {args.minutes} min, SQLite on disk")
    print("   seconds    RSS MiB   actions   WAL MiB (largest)   database MiB")
    for sample in samples:
        print(
            f"  {sample.seconds:8.0f}  {sample.rss:9.1f}  {sample.actions:8d}"
            f"  {sample.wal:18.2f}  {sample.database:13.2f}"
        )
    report_wal(samples)
    warm = [sample.rss for sample in samples if sample.seconds <= args.warm_up * 60]
    after = [sample.rss for sample in samples if sample.seconds > args.warm_up * 60]
    if not warm or not after:
        print("too short to judge: run longer than the warm-up")
        return
    growth = max(after) / warm[-1]
    verdict = "met" if growth <= 1.10 else "MISSED"
    print(f"after the warm-up: {warm[-1]:.1f} MiB, then at most {max(after):.1f} MiB")
    print(f"growth {growth:.3f}x (target at most 1.10x): {verdict}")


if __name__ == "__main__":
    main()
