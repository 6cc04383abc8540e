"""Inbound benchmark with the network: runners onboard at once against a fake Bot API over HTTP.

Run ``python -m bench.network [--runners N] [--rtt S] [--think S] [--baseline-seconds S]
[--skip-strict | --only-strict]``.
The fake Bot API (``tests/fake_telegram``) serves loopback HTTP in this process and adds a
round trip to every call (``--rtt``, 50 ms). The bot is the real Application, polling, on
SQLite in a file. Each runner sends ``/start`` within the first two seconds and answers every
onboarding question with a button (or typed time), ``--think`` seconds after the question
arrives. A tap's latency runs from the update reaching the fake to the bot's next message.
Three runs: CONCURRENT_UPDATES=64 at MESSAGES_PER_SECOND=1000 (the pipeline itself), the
same bot one update at a time (the baseline, stopped after ``--baseline-seconds``), and 64
at the default 30 a second against a fake that answers 429 to anything over Telegram's
limits.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as ``python bench/network.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("PTB_TIMEDELTA", "true")

from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.settings import Settings
from handlers.telegram.adapter import TelegramAdapter
from tests.conftest import onboarding
from tests.fake_telegram import FakeBotAPI, FakeBotAPIServer, updates

JSONDict = dict[str, Any]


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
    """One run's taps: latencies, unanswered taps, and when it started and ended."""

    latencies: list[float] = field(default_factory=list)
    unanswered: int = 0
    started: float = 0.0
    ended: float = 0.0


async def runner(api: CountingAPI, user_id: int, run: Run, think: float, until: float) -> None:
    """Onboard one runner, timing each tap from the update to the bot's next message."""
    user = updates.user(user_id=user_id, first_name=f"R{user_id}")
    await asyncio.sleep(random.uniform(0, 2))
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
) -> tuple[Run, CountingAPI]:
    """Onboard ``runners`` at once through the bot over loopback HTTP."""
    limit = settings.pop("stop_after", None)
    strict = settings.pop("strict", False)
    api = CountingAPI(latency=rtt)
    if strict:
        api.enforce_rate_limits()
    async with FakeBotAPIServer(api) as server:
        config = Settings(
            _env_file=None,
            telegram_bot_token=api.token,
            telegram_api_base_url=server.base_url,
            database_url=f"sqlite:///{folder}/{random.random()}.db",
            **settings,
        )
        ctx = ServiceContext.from_settings(config)
        await ctx.prepare()
        adapter = TelegramAdapter(config, Coach(ctx))
        await adapter.open()
        await adapter.start()
        run = Run(started=time.perf_counter())
        until = run.started + limit if limit else float("inf")
        await asyncio.gather(*(runner(api, 20_000 + n, run, think, until) for n in range(runners)))
        await adapter.stop()
        await ctx.close()
    return run, api


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
    return rate, p99


def compare(folder: Path, baseline_seconds: float, common: dict[str, Any]) -> None:
    """The concurrent bot against one update at a time, both at 1000 msg/s."""
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
    print(
        f"throughput ratio {f_rate / o_rate:.1f}x (target >= 10x); "
        f"p99 {f_p99:.3f} s (target <= 1 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", type=int, default=200)
    parser.add_argument("--rtt", type=float, default=0.05)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--baseline-seconds", type=float, default=60)
    parser.add_argument("--skip-strict", action="store_true")
    parser.add_argument("--only-strict", action="store_true", help="just the 30 msg/s run")
    args = parser.parse_args()
    common = {"runners": args.runners, "rtt": args.rtt, "think": args.think}
    print(
        f"{args.runners} runners onboarding, round trip {args.rtt * 1000:.0f} ms, "
        f"think {args.think:g} s, SQLite on disk"
    )
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if not args.only_strict:
            compare(folder, args.baseline_seconds, common)
        if args.skip_strict:
            return
        strict, api = asyncio.run(measure(folder, strict=True, **common))
        summary("concurrent (64), 30 msg/s, strict", strict)
        sent = len(api.calls("sendMessage")) - api.rate_limit_violations
        floor = sent / 30
        took = strict.ended - strict.started
        print(
            f"{sent} messages in {took:.1f} s; floor {floor:.1f} s; "
            f"{(took / floor - 1) * 100:+.1f}% (target within 10%); "
            f"429s {api.rate_limit_violations}; unanswered taps {strict.unanswered}"
        )


if __name__ == "__main__":
    main()
