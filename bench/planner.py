"""Planner benchmark: 8-week plans for many random runners, with random feedback.

Run ``python -m bench.planner [--profiles N] [--weeks W] [--seed S]``. Prints plans per second,
the median and p99 time per plan and per runner-week, and the ratio of the median plan to a
baseline measured in the same run: the median 1-week plan without history for the same
runners, i.e. the fixed cost of one replay (state set-up, first layout). A ratio well under
``weeks`` means the per-week work is cheap next to that fixed cost.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/planner.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.coaching import (
    Completed,
    DayKind,
    Equipment,
    Experience,
    Feedback,
    Legs,
    PainReport,
    PainSite,
    Profile,
    plan,
)

START = date(2025, 3, 3)


def random_profile(rng: random.Random, weeks: int) -> Profile:
    """A random valid profile, a race in about a third of them."""
    race = START + timedelta(days=rng.randrange(7 * weeks + 14)) if rng.random() < 0.35 else None
    return Profile(
        experience=rng.choice(list(Experience)),
        week=tuple(rng.choice(list(DayKind)) for _ in range(7)),
        equipment=frozenset(e for e in Equipment if rng.random() < 0.5),
        sessions_per_week=rng.choice((1, 2)),
        race_date=race,
    )


def random_feedback(rng: random.Random, weeks: int) -> list[Feedback]:
    """Up to one check-in every two or three days over the first half of the horizon."""
    entries, day = [], rng.randrange(3)
    while day < 7 * weeks // 2:
        pain = (PainReport(rng.choice(list(PainSite)), rng.randrange(8), rng.random() < 0.5),)
        entries.append(
            Feedback(
                START + timedelta(days=day),
                completed=rng.choice(list(Completed)),
                rpe=rng.randrange(3, 10),
                legs=rng.choice([Legs.FRESH] * 6 + list(Legs)),
                pain=pain if rng.random() < 0.15 else (),
                ran_normally=rng.random() < 0.9,
                descending_stiff=rng.random() < 0.05,
                hamstring_sensitive=rng.random() < 0.05,
                hips_level=rng.random() < 0.7,
            )
        )
        day += rng.choice((2, 3, 4))
    return entries


def timed(runners: list[tuple[Profile, list[Feedback]]], weeks: int) -> list[float]:
    """Seconds per plan, one plan per runner."""
    times = []
    for profile, history in runners:
        began = time.perf_counter()
        plan(profile, start=START, weeks=weeks, history=history)
        times.append(time.perf_counter() - began)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    runners = [
        (random_profile(rng, args.weeks), random_feedback(rng, args.weeks))
        for _ in range(args.profiles)
    ]
    plan(runners[0][0], start=START, weeks=1)  # load the data files once, outside the timing
    baseline = timed([(profile, []) for profile, _ in runners], 1)
    began = time.perf_counter()
    times = timed(runners, args.weeks)
    wall = time.perf_counter() - began
    median, p99 = statistics.median(times), statistics.quantiles(times, n=100)[98]
    per_week = [t / args.weeks for t in times]
    print(f"planner: {args.profiles} runners x {args.weeks} weeks, seed {args.seed}")
    print(f"  plans per second      {args.profiles / wall:10.0f}")
    print(f"  per plan    median    {median * 1e3:8.3f} ms   p99 {p99 * 1e3:8.3f} ms")
    print(
        f"  per runner-week median {statistics.median(per_week) * 1e3:7.3f} ms"
        f"   p99 {statistics.quantiles(per_week, n=100)[98] * 1e3:8.3f} ms"
    )
    print(
        f"  baseline (1-week plan, no history) median {statistics.median(baseline) * 1e3:.3f} ms;"
        f" {args.weeks}-week plan / baseline = {median / statistics.median(baseline):.1f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
