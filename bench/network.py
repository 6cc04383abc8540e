"""Inbound benchmark with the network: runners onboard at once against a fake Bot API over HTTP.

Run ``python -m bench.network [--runners N] [--rtt S] [--think S] [--levels N,N,...]
[--skip-strict | --only-strict]``.
The fake Bot API (``tests/fake_telegram``) serves loopback HTTP in a child process, with the
runners, and adds a round trip to every call (``--rtt``, 50 ms). The bot is the real
Application, polling, on SQLite in a file, in this process. Each runner sends ``/start``
within the first two seconds and answers every onboarding question with a button (or typed
time), ``--think`` seconds after the question arrives, then opens ``/today`` and ``/week``.
A tap's latency runs from the update reaching the fake to the bot's next message, or edit of
one (the coach asks its onboarding questions in one message, edited).

Three parts, all in one invocation, so their figures share the machine's state:

- *CPU per update against the floor*: ``--runners`` runners (200) onboard through the coach
  (CONCURRENT_UPDATES=64, MESSAGES_PER_SECOND=1000), then the same runners tap as often
  through python-telegram-bot's own echo bot (every text and button answered with one
  message, a button's query answered first) on the same fake: the bot process's CPU time
  over the taps it answered, side by side.
- *Capacity at p99 <= 1 s*: the coach with more and more runners (``--levels``); the
  capacity is the most taps a second answered at a level whose 99th percentile stayed
  within a second, with every tap answered.
- *Telegram's limits*: 64 at the default 30 a second against a fake that answers 429 to
  anything over them.

Runners who think after every answer cannot tap faster than their own pace allows, however
fast the bot: the run prints that ceiling beside each level's figure.
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
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as ``python bench/network.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("PTB_TIMEDELTA", "true")

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bench.loop_lag import LoopLag
from bot import bootstrap
from bot.runtime import tune_garbage_collector
from bot.services.coach import Coach
from bot.services.context import Clock, ServiceContext, system_clock
from bot.settings import Settings
from handlers.telegram.http import AiohttpRequest
from tests.conftest import onboarding
from tests.fake_telegram import FakeBotAPI, FakeBotAPIServer, updates

JSONDict = dict[str, Any]
START_SPREAD = 2.0  # seconds within which the runners send /start
AFTER = (("say", "/today"), ("say", "/week"))  # what each runner asks once onboarded


class CountingAPI(FakeBotAPI):
    """The fake Bot API, keeping each chat's bot messages (and each edit of one, as it came)
    and waking whoever waits for one."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.by_chat: defaultdict[int, list[JSONDict]] = defaultdict(list)
        self.arrived: defaultdict[int, asyncio.Event] = defaultdict(asyncio.Event)

    def _send(self, params: JSONDict, content: JSONDict) -> JSONDict:
        return self._arrived(super()._send(params, content))

    def _edit(self, message: JSONDict, edited: JSONDict) -> JSONDict:
        return self._arrived(super()._edit(message, edited))  # the coach asks in one message

    def _arrived(self, message: JSONDict) -> JSONDict:
        chat_id = message["chat"]["id"]
        self.by_chat[chat_id].append(message)
        self.arrived[chat_id].set()
        return message


@dataclass
class Run:
    """One run's taps: latencies (and what each tap answered), unanswered taps, when the run
    started and ended, and the bot's CPU time over it."""

    latencies: list[float] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    unanswered: int = 0
    started: float = 0.0
    ended: float = 0.0
    cpu: float = 0.0  # the bot process's CPU seconds from the first tap to the last answer
    stuck: list[tuple[int, str]] = field(default_factory=list)  # unanswered: (user, tap)
    held_ms: float = 0.0  # the most CPU its event loop spent between two wake-ups (LoopLag)


async def runner(
    api: CountingAPI,
    user_id: int,
    run: Run,
    think: float,
    echo: bool = False,
    script: Sequence[tuple[str, str]] = (*onboarding(), *AFTER),
    patience: float = 120,
) -> None:
    """Onboard one runner (or follow ``script``), timing each tap from the update to the
    bot's next message (to an echo bot: the same taps, a button pressed under a message of
    the chat's own). A tap not answered within ``patience`` seconds ends the runner's
    taps: it is kept in ``run.stuck`` (the text typed, or the button's data)."""
    user = updates.user(user_id=user_id, first_name=f"R{user_id}")
    await asyncio.sleep(random.uniform(0, START_SPREAD))
    tap = ""
    try:
        for kind, value in script:
            tap = value
            if kind == "say":
                update = updates.text_message(text=value, from_user=user)
            elif echo:
                message = updates.message(text="Pick one", from_user=user)
                update = updates.callback_query(message=message, data=value, from_user=user)
            else:  # the question may come a message after the first of the answer
                message, tap = await _button(api, user_id, value, patience)
                update = updates.callback_query(message=message, data=tap, from_user=user)
            seen = len(api.by_chat[user_id])
            started = time.perf_counter()
            api.push_update(update)
            more = lambda: len(api.by_chat[user_id]) > seen  # noqa: B023, E731
            await _answered(api, user_id, more, patience)
            run.latencies.append(time.perf_counter() - started)
            run.answers.append(value)
            run.ended = time.perf_counter()
            await asyncio.sleep(think)
    except TimeoutError:
        run.unanswered += 1
        run.stuck.append((user_id, tap))


async def _answered(
    api: CountingAPI, user_id: int, done: Callable[[], bool], patience: float
) -> None:
    """Wait (``patience`` seconds at most) until the bot's messages to ``user_id`` are
    ``done``."""
    async with asyncio.timeout(patience):
        while not done():
            api.arrived[user_id].clear()
            await api.arrived[user_id].wait()


async def _button(
    api: CountingAPI, user_id: int, label: str, patience: float
) -> tuple[JSONDict, str]:
    """The message offering the button ``label`` and its data, once it came."""
    found: list[tuple[JSONDict, str]] = []

    def offered() -> bool:
        for message in reversed(api.by_chat[user_id]):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if str(button["text"]).removeprefix("✓ ") == label:
                        found.append((message, str(button["callback_data"])))
                        return True
        return False

    await _answered(api, user_id, offered, patience)
    return found[0]


async def measure(
    folder: Path, *, runners: int, rtt: float, think: float, echo: bool = False, **settings: Any
) -> tuple[Run, Telegram]:
    """Onboard ``runners`` at once through the bot over loopback HTTP (``echo``: tap as
    often through python-telegram-bot's echo bot instead).

    The fake Bot API and the runners run in a child process, as Telegram and its users run
    on machines of their own: the bot's process spends its CPU on the bot alone."""
    strict = settings.pop("strict", False)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.network",
        "--serve",
        json.dumps(
            {"runners": runners, "rtt": rtt, "think": think, "strict": strict, "echo": echo}
        ),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=1 << 24,  # the run's answer is one line of JSON with every latency
    )
    assert child.stdin is not None and child.stdout is not None
    port, token = (await child.stdout.readline()).decode().split()
    database, base_url = folder / f"{random.random()}.db", f"http://127.0.0.1:{port}"
    bot = (echo_bot if echo else coach_bot)(database, token, base_url, settings)
    async with bot, LoopLag() as lag:
        cpu = time.process_time()
        child.stdin.write(b"go\n")
        await child.stdin.drain()
        result = json.loads(await child.stdout.readline())
        result["run"]["cpu"] = time.process_time() - cpu
    result["run"]["held_ms"] = lag.worst_cpu_ms
    child.stdin.close()
    await child.wait()
    return Run(**result["run"]), Telegram(**result["telegram"])


@asynccontextmanager
async def coach_bot(
    database: Path,
    token: str,
    base_url: str,
    settings: dict[str, Any],
    clock: Clock = system_clock,
) -> AsyncIterator[None]:
    """The coach's Telegram adapter, polling the fake at ``base_url``, on SQLite in the file
    ``database``, its days told by ``clock``."""
    config = Settings(
        _env_file=None,
        telegram_bot_token=token,
        telegram_api_base_url=base_url,
        database_url=f"sqlite:///{database}",
        **settings,
    )
    ctx = ServiceContext.from_settings(config, clock=clock)
    await ctx.prepare()
    adapter = bootstrap.telegram(config, Coach(ctx)).adapter
    await adapter.open()
    await adapter.start()
    yield
    await adapter.stop()
    await ctx.close()


@asynccontextmanager
async def echo_bot(
    _database: Path, token: str, base_url: str, settings: dict[str, Any]
) -> AsyncIterator[None]:
    """python-telegram-bot's own echo bot, polling the fake, as many updates at once as the
    coach and on its HTTP transport: a text answered with one message, a button's query
    answered, then one message."""

    async def text(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"You said {update.message.text}")

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and update.effective_chat is not None
        await query.answer()
        await context.bot.send_message(update.effective_chat.id, f"You pressed {query.data}")

    app = (
        Application.builder()
        .token(token)
        .base_url(f"{base_url}/bot")
        .concurrent_updates(settings.get("concurrent_updates", 64))
        .request(AiohttpRequest())  # the coach's transport: the floor is the framework's
        .get_updates_request(AiohttpRequest(connections=1))
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, text))
    app.add_handler(CallbackQueryHandler(button))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling()
        await app.start()
        yield
        await app.updater.stop()
        await app.stop()


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
        await asyncio.gather(
            *(
                runner(api, 20_000 + n, run, options["think"], options["echo"])
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
    taps = len(onboarding()) + len(AFTER)
    return runners * taps / (START_SPREAD + (taps - 1) * think + taps * rtt)


def summary(name: str, run: Run) -> tuple[float, float]:
    """Print and return taps a second and p99 (s)."""
    taps = len(run.latencies)
    rate = taps / (run.ended - run.started)
    p50 = statistics.median(run.latencies)
    p99 = statistics.quantiles(run.latencies, n=100)[98]
    print(
        f"{name:<34} {taps:>5} taps {rate:8.1f} taps/s   p50 {p50:6.3f} s   p99 {p99:6.3f} s"
        f"   unanswered {run.unanswered}   CPU {cpu_per_tap(run):5.2f} ms a tap"
        f"   loop held {run.held_ms:.0f} ms at most (target 50)"
    )
    return rate, p99


def cpu_per_tap(run: Run) -> float:
    """The bot process's CPU milliseconds per tap it answered."""
    return run.cpu / max(1, len(run.latencies)) * 1000


def floor(common: dict[str, Any]) -> None:
    """The coach's CPU per update against python-telegram-bot's echo bot, same runners."""
    coach, _ = asyncio.run(measure(**common, messages_per_second=1000))
    summary("coach, concurrent (64), 1000 msg/s", coach)
    echo, _ = asyncio.run(measure(**common, echo=True))
    summary("PTB echo bot, concurrent (64)", echo)
    ratio = cpu_per_tap(coach) / cpu_per_tap(echo)
    verdict = "met" if ratio <= 1.5 else "MISSED"
    print(f"CPU per update, coach / echo floor: {ratio:.2f}x (target <= 1.5x: {verdict})")


def capacity(levels: list[int], common: dict[str, Any]) -> None:
    """The most taps a second the coach answers at p99 <= 1 s, every tap answered, over
    more and more runners (stops at the first level past it)."""
    best = 0.0
    for runners in levels:
        run, _ = asyncio.run(measure(**{**common, "runners": runners}, messages_per_second=1000))
        rate, p99 = summary(f"{runners} runners, concurrent (64)", run)
        most = ceiling(runners, common["rtt"], common["think"])
        print(f"{'':<34} their pace allows at most {most:.1f} taps/s")
        if p99 > 1 or run.unanswered:
            break
        best = max(best, rate)
    print(f"capacity at p99 <= 1 s: {best:.1f} taps a second")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", type=int, default=200, help="for the CPU against the floor")
    parser.add_argument("--rtt", type=float, default=0.05)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--levels", default="100,200,300,400,600", help="runners, for capacity")
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
            floor({**common, "folder": folder})
            capacity([int(n) for n in args.levels.split(",")], {**common, "folder": folder})
        if args.skip_strict:
            return
        strict, api = asyncio.run(measure(folder, strict=True, **common))
        summary("concurrent (64), 30 msg/s, strict", strict)
        sent = api.messages
        least = sent / 30
        took = strict.ended - strict.started
        print(
            f"{sent} messages in {took:.1f} s; floor {least:.1f} s; "
            f"{(took / least - 1) * 100:+.1f}% (target within 10%); "
            f"429s {api.rate_limit_violations}; unanswered taps {strict.unanswered}"
        )


if __name__ == "__main__":
    main()
