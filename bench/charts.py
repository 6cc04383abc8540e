"""Chart benchmark: how long /progress and the club summary take to draw.

Run ``python -m bench.charts [--runs N] [--weeks W]``. A runner with ``W`` weeks of history
(two sessions a week, reported well, with a few pain reports) is replayed once; then the
progress data (``bot.coaching.progress``) and both charts are timed ``N`` times each. The
first draw, which pays for importing matplotlib, is reported on its own.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/charts.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.planner import START, random_feedback
from bot.coaching import DayKind, Experience, Profile, plan
from bot.coaching.progress import Planned, progress
from bot.services.presentation.charts import progress_chart, sessions_chart

WEEK = (DayKind.REST, DayKind.EASY, DayKind.HARD, DayKind.EASY, DayKind.REST, DayKind.LONG)


def timed(work: Callable[[], object], runs: int) -> list[float]:
    """Seconds per call of ``work``."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return times


def report(name: str, times: list[float]) -> None:
    """One line: median and slowest, in milliseconds."""
    median, slowest = statistics.median(times) * 1000, max(times) * 1000
    print(f"{name:<22} median {median:7.2f} ms   slowest {slowest:7.2f} ms   ({len(times)} runs)")


def main() -> None:
    """Time the progress data, the first draw and the charts."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()

    profile = Profile(Experience.SOME, (*WEEK, DayKind.EASY), sessions_per_week=2)
    history = random_feedback(random.Random(7), 2 * args.weeks)
    today = START + timedelta(days=7 * args.weeks - 1)
    replayed = plan(profile, start=START, weeks=args.weeks, history=history, as_of=today)
    sessions = [Planned.of(session) for session in replayed.sessions]
    phase = replayed.weeks[-1].phase

    def data() -> object:
        return progress(sessions, history, start=START, today=today, phase=phase)

    shown = progress(sessions, history, start=START, today=today, phase=phase)
    club = [(w.start, 3 * w.done) for w in shown.weeks[-8:]]

    began = time.perf_counter()
    progress_chart(shown)
    print(f"{'first draw (+ import)':<22} {1000 * (time.perf_counter() - began):7.2f} ms")
    report("progress data", timed(data, args.runs))
    report("progress chart", timed(lambda: progress_chart(shown), args.runs))
    report("club chart", timed(lambda: sessions_chart(club, title="Club"), args.runs))


if __name__ == "__main__":
    main()
