"""Crash benchmark: ``kill -9`` the bot at random points while 1,000 updates are in flight.

Run ``python -m bench.crash [--updates N] [--runners N] [--kills N] [--seed N]``. It runs the
harness of the CI crash test (``tests/telegram/crash.py``) at full size: the updates are
queued on the fake Bot API over loopback HTTP, the real bot runs in a child process on SQLite
in a file, and the child is killed with SIGKILL after a random number of further replies,
``--kills`` times, then restarted once more to finish. It prints how many updates were lost
and how many handled twice (target: 0 and 0).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/crash.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("PTB_TIMEDELTA", "true")

from tests.telegram.crash import crash_run


def kill_points(updates: int, kills: int, rng: random.Random) -> list[int]:
    """Random reply counts to kill after, together about ``kills / (kills + 1)`` of the run."""
    mean = updates / (kills + 1)
    return [rng.randint(1, int(2 * mean) - 1) for _ in range(kills)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--runners", type=int, default=200)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    kill_after = kill_points(args.updates, args.kills, random.Random(seed))
    print(
        f"{args.updates} updates from {args.runners} runners; SIGKILL after "
        f"{', '.join(map(str, kill_after))} more replies (seed {seed}), then a last run"
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        result = asyncio.run(
            crash_run(Path(folder), total=args.updates, runners=args.runners, kill_after=kill_after)
        )
    print(
        f"lost {result.lost}, handled twice {result.twice}, "
        f"runners out of order {result.out_of_order}; "
        f"{result.kills} kills in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
