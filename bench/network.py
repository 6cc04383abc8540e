"""Inbound benchmark with the network: runners onboard at once against a fake Bot API over HTTP.

Run ``python -m bench.network [--runners N] [--rtt S] [--think S] [--baseline-seconds S]
[--capacity-runners N] [--skip-strict | --only-strict]``.
The fake Bot API (``tests/fake_telegram``) serves loopback HTTP in a child process, with the
runners, and adds a round trip to every call (``--rtt``, 50 ms). The bot is the real
Application, polling, on SQLite in a file, in this process. Each runner sends ``/start``
within the first two seconds and answers every onboarding question with a button (or typed
time), ``--think`` seconds after the question arrives. A tap's latency runs from the update
reaching the fake to the bot's next message.
Four runs: CONCURRENT_UPDATES=64 at MESSAGES_PER_SECOND=1000 (the pipeline itself), the
same bot one update at a time (the baseline, stopped after ``--baseline-seconds``), the
concurrent bot again with ``--capacity-runners`` (600), more than it can answer at their
pace (what it can do, not what 200 runners ask of it), and 64 at the default 30 a second
against a fake that answers 429 to anything over Telegram's limits.

Runners who think after every answer cannot tap faster than their own pace allows, however
fast the bot: the run prints that ceiling (``ceiling``) beside the concurrent bot's figure.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as ``python bench/network.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("PTB_TIMEDELTA", "true")

from bot import bootstrap
from bot.runtime import tune_garbage_collector
from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.settings import Settings
from tests.conftest import onboarding
from tests.fake_telegram import FakeBotAPI, FakeBotAPIServer, updates

JSONDict = dict[str, Any]
START_SPREAD = 2.0  # seconds within which the runners send /start


class CountingAPI(FakeBotAPI):
    """The fake Bot API, keeping each chat's bot messages and waking whoever waits for one."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.by_chat: defaultdict[int, list[JSONDict]] = defaultdict(list)
        self.arrived: defaultdict[int, asyncio.Event] = defaultdict(asyncio.Event)

    def _send(self, params: JSONDict, content: JSONDict) -> JSONDict:
        message = super()._send(params, content)
        chat_id = message["chat"]["id"]
        self.by_chat[chat_id].append(message)
        self.arrived[chat_id].set()
        return message


@dataclass
class Run:
    """One run's taps: latencies (and what each tap answered), unanswered taps, and when the
    run started and ended."""

    latencies: list[float] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    unanswered: int = 0
    started: float = 0.0
    ended: float = 0.0


async def runner(api: CountingAPI, user_id: int, run: Run, think: float, until: float) -> None:
    """Onboard one runner, timing each tap from the update to the bot's next message."""
    user = updates.user(user_id=user_id, first_name=f"R{user_id}")
    await asyncio.sleep(random.uniform(0, START_SPREAD))
    for kind, value in onboarding():
        if time.perf_counter() > until:
            return
        if kind == "say":
            update = updates.text_message(text=value, from_user=user)
        else:
            message, data = _button(api.by_chat[user_id], value)
            update = updates.callback_query(message=message, data=data, from_user=user)
        seen = len(api.by_chat[user_id])
        api.arrived[user_id].clear()
        started = time.perf_counter()
        api.push_update(update)
        try:
            async with asyncio.timeout(120):
                while len(api.by_chat[user_id]) == seen:
                    await api.arrived[user_id].wait()
                    api.arrived[user_id].clear()
        except TimeoutError:
            run.unanswered += 1
            return
        run.latencies.append(time.perf_counter() - started)
        run.answers.append(value)
        run.ended = time.perf_counter()
        await asyncio.sleep(think)


def _button(messages: list[JSONDict], label: str) -> tuple[JSONDict, str]:
    for message in reversed(messages):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if str(button["text"]).removeprefix("✓ ") == label:
                    return message, str(button["callback_data"])
    raise AssertionError(f"no button {label!r}")


async def measure(
    folder: Path, *, runners: int, rtt: float, think: float, **settings: Any
) -> tuple[Run, Telegram]:
    """Onboard ``runners`` at once through the bot over loopback HTTP.

    The fake Bot API and the runners run in a child process, as Telegram and its users run
    on machines of their own: the bot's process spends its CPU on the bot alone."""
    limit = settings.pop("stop_after", None)
    strict = settings.pop("strict", False)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.network",
        "--serve",
        json.dumps(
            {"runners": runners, "rtt": rtt, "think": think, "strict": strict, "stop_after": limit}
        ),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=1 << 24,  # the run's answer is one line of JSON with every latency
    )
    assert child.stdin is not None and child.stdout is not None
    port, token = (await child.stdout.readline()).decode().split()
    config = Settings(
        _env_file=None,
        telegram_bot_token=token,
        telegram_api_base_url=f"http://127.0.0.1:{port}",
        database_url=f"sqlite:///{folder}/{random.random()}.db",
        **settings,
    )
    ctx = ServiceContext.from_settings(config)
    await ctx.prepare()
    adapter = bootstrap.telegram(config, Coach(ctx)).adapter
    await adapter.open()
    await adapter.start()
    child.stdin.write(b"go\n")
    await child.stdin.drain()
    result = json.loads(await child.stdout.readline())
    await adapter.stop()
    await ctx.close()
    child.stdin.close()
    await child.wait()
    return Run(**result["run"]), Telegram(**result["telegram"])


@dataclass(frozen=True)
class Telegram:
    """What the fake Bot API counted in a run."""

    messages: int
    rate_limit_violations: int


async def serve(options: dict[str, Any]) -> None:
    """In the child: the fake Bot API on a free port (its port and token on the first line);
    on ``go``, the runners onboard; then one line of JSON with what they measured. The fake
    serves until the bot has stopped (its standard input closes)."""
    logging.getLogger("tornado.access").setLevel(logging.ERROR)  # the 429s are counted below
    # This process stands for Telegram and the runners' phones, which never stop the world:
    # once it holds thousands of recorded calls, a full collection paused it for 70-140 ms,
    # which bunched the messages it stamped against the limits (a 429 the bot's pacing did
    # not cause) and the latencies it measured. Reference counting frees the rest.
    gc.disable()
    api = CountingAPI(latency=options["rtt"])
    if options["strict"]:
        api.enforce_rate_limits()
    async with FakeBotAPIServer(api) as server:
        print(server.port, api.token, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        run = Run(started=time.perf_counter())
        limit = options["stop_after"]
        until = run.started + limit if limit else float("inf")
        await asyncio.gather(
            *(
                runner(api, 20_000 + n, run, options["think"], until)
                for n in range(options["runners"])
            )
        )
        counted = Telegram(
            messages=len(api.calls("sendMessage")) - api.rate_limit_violations,
            rate_limit_violations=api.rate_limit_violations,
        )
        print(json.dumps({"run": asdict(run), "telegram": asdict(counted)}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


def ceiling(runners: int, rtt: float, think: float) -> float:
    """The most taps a second the runners can make with a bot that costs nothing: the last
    starts up to ``START_SPREAD`` in, thinks after each answer but the last, and waits at
    least one round trip for each (its answer's way to Telegram)."""
    taps = len(onboarding())
    return runners * taps / (START_SPREAD + (taps - 1) * think + taps * rtt)


def summary(name: str, run: Run) -> tuple[float, float]:
    """Print and return taps a second and p99 (s)."""
    taps = len(run.latencies)
    rate = taps / (run.ended - run.started)
    p50 = statistics.median(run.latencies)
    p99 = statistics.quantiles(run.latencies, n=100)[98]
    print(
        f"{name:<34} {taps:>5} taps {rate:8.1f} taps/s   p50 {p50:6.3f} s   p99 {p99:6.3f} s"
        f"   unanswered {run.unanswered}"
    )
    by_answer: defaultdict[str, list[float]] = defaultdict(list)
    for answer, latency in zip(run.answers, run.latencies, strict=True):
        by_answer[answer].append(latency)
    slowest, latencies = max(by_answer.items(), key=lambda item: statistics.median(item[1]))
    print(f"{'':<34} slowest answer: {slowest!r}, p50 {statistics.median(latencies):.3f} s")
    return rate, p99


def compare(
    folder: Path, baseline_seconds: float, capacity_runners: int, common: dict[str, Any]
) -> None:
    """The concurrent bot against one update at a time, both at 1000 msg/s; then the
    concurrent bot's capacity, with more runners than it can keep up with."""
    fast, _ = asyncio.run(measure(folder, messages_per_second=1000, **common))
    f_rate, f_p99 = summary("concurrent (64), 1000 msg/s", fast)
    one, _ = asyncio.run(
        measure(
            folder,
            messages_per_second=1000,
            concurrent_updates=1,
            stop_after=baseline_seconds,
            **common,
        )
    )
    o_rate, _ = summary("one at a time, 1000 msg/s", one)
    most = ceiling(common["runners"], common["rtt"], common["think"])
    print(
        f"throughput ratio {f_rate / o_rate:.1f}x (target >= 10x); p99 {f_p99:.3f} s "
        f"(target <= 1 s)\nthe runners' own pace allows at most {most:.1f} taps/s, "
        f"{most / o_rate:.1f}x; the concurrent bot reached {f_rate / most:.0%} of it"
    )
    if not capacity_runners:
        return
    many, _ = asyncio.run(
        measure(folder, messages_per_second=1000, **{**common, "runners": capacity_runners})
    )
    m_rate, _ = summary(f"{capacity_runners} runners, concurrent (64)", many)
    print(
        f"capacity ratio {m_rate / o_rate:.1f}x the one-at-a-time bot (their pace asks up to "
        f"{ceiling(capacity_runners, common['rtt'], common['think']):.1f} taps/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", type=int, default=200)
    parser.add_argument("--rtt", type=float, default=0.05)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--baseline-seconds", type=float, default=60)
    parser.add_argument("--capacity-runners", type=int, default=600, help="0 skips that run")
    parser.add_argument("--skip-strict", action="store_true")
    parser.add_argument("--only-strict", action="store_true", help="just the 30 msg/s run")
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # the child process's options
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(json.loads(args.serve)))
        return
    tune_garbage_collector()  # as the bot runs
    common = {"runners": args.runners, "rtt": args.rtt, "think": args.think}
    print(
        f"{args.runners} runners onboarding, round trip {args.rtt * 1000:.0f} ms, "
        f"think {args.think:g} s, SQLite on disk"
    )
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if not args.only_strict:
            compare(folder, args.baseline_seconds, args.capacity_runners, common)
        if args.skip_strict:
            return
        strict, api = asyncio.run(measure(folder, strict=True, **common))
        summary("concurrent (64), 30 msg/s, strict", strict)
        sent = api.messages
        floor = sent / 30
        took = strict.ended - strict.started
        print(
            f"{sent} messages in {took:.1f} s; floor {floor:.1f} s; "
            f"{(took / floor - 1) * 100:+.1f}% (target within 10%); "
            f"429s {api.rate_limit_violations}; unanswered taps {strict.unanswered}"
        )


if __name__ == "__main__":
    main()
