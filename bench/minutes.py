"""Session minutes over many random plans: how often P1's 30-40 minutes holds.

Run ``python -m bench.minutes [--profiles N] [--weeks W] [--seed S]``. The minutes are those
the planner computes from each session's sets, reps, tempo, rest and warm-up
(``bot.coaching.duration``). Prints the spread of all sessions, of each kind, and of the
week's main session by what shapes its length, with the shares below 30 and above 40.
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
from bot.coaching import Experience, Profile, Session, SessionKind, plan


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
    main: dict[str, list[int]] = defaultdict(list)
    for _ in range(args.profiles):
        profile = random_profile(rng, args.weeks)
        history = random_feedback(rng, args.weeks)
        for session in plan(profile, start=START, weeks=args.weeks, history=history).sessions:
            by_kind[session.kind.value].append(session.minutes)
            if session.kind in (SessionKind.FOCUSED, SessionKind.HEAVY):
                main[shaped_by(profile, session)].append(session.minutes)
    print(f"session minutes: {args.profiles} runners x {args.weeks} weeks, seed {args.seed}")
    print(spread("all", [m for minutes in by_kind.values() for m in minutes]))
    for kind, minutes in sorted(by_kind.items()):
        print(spread(kind, minutes))
    print("the week's main session (focused or heavy), by what shapes its length:")
    for why, minutes in sorted(main.items()):
        print(spread(why, minutes))
    return 0


CUTTING = frozenset({"P6", "P11", "C2", "C5", "C6", "C7", "C12"})  # rules that make it smaller


def shaped_by(profile: Profile, session: Session) -> str:
    """Why a main session is as long as it is: a rule cut it, the week is short (P4: four or
    more runs), the runner starts from nothing (P7), or it is whole (P1: filled to 30-40)."""
    if CUTTING & set(session.rules):
        return "cut"
    if profile.trail_runs >= 4:
        return "short week"
    return "beginner" if profile.experience is Experience.NONE else "whole"


if __name__ == "__main__":
    raise SystemExit(main())
