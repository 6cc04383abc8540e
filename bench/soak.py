"""Memory soak: 100 runners using the coach for ten minutes, /progress charts included.

Run ``python -m bench.soak [--minutes M] [--runners R] [--every S] [--warm-up W]``. The
runners onboard through the coach's Application on the in-process fake Bot API (SQLite on
disk), then, round after round, each does one thing at random: a day of training (check-in
and session, every button pressed), ``/progress`` (a chart), ``/week``, ``/history`` or
``/calendar``; the injected clock moves a day each round. The process's RSS is sampled every
``--every`` seconds. Target (issue 32): no growth after the warm-up beyond 10%: the largest
RSS after the warm-up over the RSS at its end.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/soak.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.riders import Rider
from bench.updates import coach_app
from bot.runtime import tune_garbage_collector

COMMANDS = ("/progress", "/week", "/history", "/calendar")
PAGE = 4096


def rss_mib() -> float:
    """This process's resident memory, in MiB."""
    resident = int(Path("/proc/self/statm").read_text().split()[1])
    return resident * PAGE / 2**20


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


async def soak(args: argparse.Namespace, url: str) -> list[tuple[float, float, int]]:
    """(seconds, RSS MiB, actions so far) every ``args.every`` seconds for ``args.minutes``."""
    rng = random.Random(args.seed)
    samples: list[tuple[float, float, int]] = []
    async with coach_app(url, args.runners, 30_000) as (_context, clock, riders):
        tune_garbage_collector()  # as the bot does once it is built
        started = next_sample = time.monotonic()
        actions = 0
        while (now := time.monotonic()) - started < args.minutes * 60:
            if now >= next_sample:
                samples.append((now - started, rss_mib(), actions))
                next_sample += args.every
            for rider in rng.sample(riders, k=10):
                await act(rider, rng)
                actions += 1
            if actions % len(riders) == 0:
                clock.advance(days=1)
        samples.append((time.monotonic() - started, rss_mib(), actions))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--runners", type=int, default=100)
    parser.add_argument("--every", type=float, default=10, help="seconds between samples")
    parser.add_argument("--warm-up", type=float, default=2, help="minutes before the baseline")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        samples = asyncio.run(soak(args, f"sqlite:///{folder}/soak.db"))
    print(f"memory soak: {args.runners} runners, {args.minutes} min, SQLite on disk")
    print("   seconds    RSS MiB   actions")
    for seconds, rss, actions in samples:
        print(f"  {seconds:8.0f}  {rss:9.1f}  {actions:8d}")
    warm = [rss for seconds, rss, _ in samples if seconds <= args.warm_up * 60]
    after = [rss for seconds, rss, _ in samples if seconds > args.warm_up * 60]
    if not warm or not after:
        print("too short to judge: run longer than the warm-up")
        return
    growth = max(after) / warm[-1]
    verdict = "met" if growth <= 1.10 else "MISSED"
    print(f"after the warm-up: {warm[-1]:.1f} MiB, then at most {max(after):.1f} MiB")
    print(f"growth {growth:.3f}x (target at most 1.10x): {verdict}")


if __name__ == "__main__":
    main()
