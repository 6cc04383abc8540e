"""CPU per handled update, by kind, in process (issue 30).

Run ``python -m bench.cost [--runners N] [--days D] [--tenure DAYS]``. Runners onboard
through the coach's Application on the in-process fake Bot API (SQLite in a file), their
start is moved back ``--tenure`` days with a report of every session since
(``bench.tenure.backdate``), then day after day each answers the check-in, opens ``/today``,
presses Done and answers the post-session questions, opens ``/week``, and ``/today`` again.
Each update's CPU time (the process's: the fake's parsing of the bot's calls is in it, as
it is in the echo's) is kept by kind. For reference, in the same run: a bare
python-telegram-bot handler that answers a button and sends one message, in process too.
Without HTTP that handler costs a tenth of what it costs over a network, so the target (the
coach at most 1.5x the echo floor) is measured over loopback HTTP by ``bench.network``;
this one says where the coach's own CPU goes, kind by kind.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/cost.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("PTB_TIMEDELTA", "true")

from bench import tenure
from bench.riders import CHECK_IN, POST_SESSION, Rider
from bench.updates import coach_app, echo_presses
from bot.runtime import tune_garbage_collector

KINDS = (
    "check-in answer",
    "check-in final",
    "/today",
    "Done",
    "post-session answer",
    "post-session final",
    "/week",
    "/today, again",
)


async def send(rider: Rider, text: str, into: list[float]) -> None:
    started = time.process_time()
    await rider.send(text)
    into.append(time.process_time() - started)


async def dialog(
    rider: Rider, labels: tuple[str, ...], answer: list[float], final: list[float]
) -> None:
    """Every offered answer of a dialog: the last press is its final (it stores and replans)."""
    presses: list[float] = []
    for label in labels:
        await rider.press(label, presses)
    answer += presses[:-1]
    final += presses[-1:]


async def coach_costs(
    url: str, runners: int, days: int, tenure_days: int
) -> dict[str, list[float]]:
    """CPU seconds of each update through the coach, by kind."""
    costs: dict[str, list[float]] = {kind: [] for kind in KINDS}
    async with coach_app(url, runners, 40_000, time.process_time) as (context, clock, riders):
        for n, rider in enumerate(riders):
            await tenure.backdate(context, rider, tenure_days, seed=n)
            await rider.send("/today")
        for _ in range(days):
            for rider in riders:
                await rider.send("/checkin")
                await dialog(rider, CHECK_IN, costs["check-in answer"], costs["check-in final"])
                await send(rider, "/today", costs["/today"])
                if await rider.press("✅ Done", costs["Done"]):
                    await dialog(
                        rider,
                        POST_SESSION,
                        costs["post-session answer"],
                        costs["post-session final"],
                    )
                await send(rider, "/week", costs["/week"])
                await send(rider, "/today", costs["/today, again"])
            clock.advance(days=1)
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", type=int, default=30)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--tenure", type=int, default=365, help="days of history each")
    args = parser.parse_args()
    tune_garbage_collector()  # as the bot runs
    with tempfile.TemporaryDirectory() as folder:
        costs = asyncio.run(
            coach_costs(f"sqlite:///{folder}/c.db", args.runners, args.days, args.tenure)
        )
    echo = asyncio.run(echo_presses(2000, time.process_time))
    floor = statistics.median(echo) * 1000
    print(
        f"{args.runners} runners with {args.tenure} days of history, {args.days} days; "
        f"CPU per update (ms), SQLite on disk"
    )
    print(f"{'kind':<22} {'n':>5} {'median':>8} {'mean':>8}")
    every = [cost for kind in KINDS for cost in costs[kind]]
    for kind, values in (*costs.items(), ("every update", every)):
        if not values:
            continue
        median = statistics.median(values) * 1000
        mean = statistics.mean(values) * 1000
        print(f"{kind:<22} {len(values):>5} {median:>8.2f} {mean:>8.2f}")
    echo_mean = statistics.mean(echo) * 1000
    print(f"{'PTB echo, in process':<22} {len(echo):>5} {floor:>8.2f} {echo_mean:>8.2f}")


if __name__ == "__main__":
    main()
