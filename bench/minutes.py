"""Session minutes over many random plans: how often P1's 30-40 minutes holds.

Run ``python -m bench.minutes [--profiles N] [--weeks W] [--seed S]``. The minutes are those
the planner computes from each session's sets, reps, tempo, rest and warm-up
(``bot.coaching.duration``). Prints the spread of all sessions and of each kind, and the
share below 30 and above 40 minutes.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections import defaultdict
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/minutes.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.planner import START, random_feedback, random_profile
from bot.coaching import plan


def spread(label: str, minutes: list[int]) -> str:
    """One row: count, min, quartiles, max, and the shares outside 30-40."""
    low, mid, high = statistics.quantiles(minutes, n=4) if len(minutes) > 1 else minutes * 3
    short = sum(m < 30 for m in minutes) / len(minutes)
    long = sum(m > 40 for m in minutes) / len(minutes)
    return (
        f"  {label:<12} {len(minutes):7d}  min {min(minutes):3d}  q1 {low:5.1f}  median {mid:5.1f}"
        f"  q3 {high:5.1f}  max {max(minutes):3d}  <30 {short:6.1%}  >40 {long:6.1%}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=2_000)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    by_kind: dict[str, list[int]] = defaultdict(list)
    for _ in range(args.profiles):
        profile = random_profile(rng, args.weeks)
        history = random_feedback(rng, args.weeks)
        for session in plan(profile, start=START, weeks=args.weeks, history=history).sessions:
            by_kind[session.kind.value].append(session.minutes)
    print(f"session minutes: {args.profiles} runners x {args.weeks} weeks, seed {args.seed}")
    print(spread("all", [m for minutes in by_kind.values() for m in minutes]))
    for kind, minutes in sorted(by_kind.items()):
        print(spread(kind, minutes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
