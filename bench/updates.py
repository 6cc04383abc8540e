"""Update-handling benchmark: button presses through the coach's real Application.

Run ``python -m bench.updates [--presses N] [--runners R]``. Runners onboard, then each day
they open and answer the post-session questions and the next-day check-in with buttons;
every button press (post-session and check-in answers) is fed through
``Application.process_update`` on the in-process fake Bot API, with SQLite in a file on disk.
Prints updates a second and p50/p99 latency, and the same for a bare python-telegram-bot
echo handler (answer the button, send one message) measured in the same run, as a ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as ``python bench/updates.py``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import os

os.environ.setdefault("PTB_TIMEDELTA", "true")

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.settings import Settings
from handlers.telegram.application import CoachApplication, build_application
from tests.conftest import FakeClock
from tests.fake_telegram import FakeBotAPI, InProcessRequest, process, updates
from tests.telegram.conftest import virtual_limiter

JSONDict = dict[str, Any]
WEEK = ("Rest", "Easy run", "Hard run", "Easy run", "Rest", "Long run", "Easy run")
POST_SESSION = ("All of it", "OK", "Nothing hurt", "Yes, level")
CHECK_IN = ("Sore muscles", "Hamstrings", "Done", "Yes", "Fine")


class Rider:
    """One runner driving the Application, timing only their button presses."""

    def __init__(self, app: CoachApplication, api: FakeBotAPI, user_id: int) -> None:
        self.app, self.api = app, api
        self.user = updates.user(user_id=user_id, first_name=f"R{user_id}")
        self.chat_id = user_id

    async def send(self, text: str) -> None:
        await process(self.app, updates.text_message(text=text, from_user=self.user))

    def offered(self, label: str) -> tuple[JSONDict, str] | None:
        messages = self.api.sent_messages(self.chat_id)
        for message in reversed(messages[-3:]):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if str(button["text"]).removeprefix("✓ ") == label:
                        return message, str(button["callback_data"])
        return None

    async def press(self, label: str, timings: list[float] | None = None) -> bool:
        found = self.offered(label)
        if found is None:
            return False
        message, data = found
        update = updates.callback_query(message=message, data=data, from_user=self.user)
        started = time.perf_counter()
        await process(self.app, update)
        if timings is not None:
            timings.append(time.perf_counter() - started)
        return True

    async def onboard(self) -> None:
        await self.send("/start")
        for label in ("Some", *WEEK, "Yes, 5", "No race planned", "Sliders or a towel", "Done"):
            await self.press(label)
        await self.press("Two (recommended)")
        await self.send("7:00")
        for label in ("Europe/Berlin", "Looks good"):
            await self.press(label)

    async def day(self, timings: list[float]) -> None:
        """Answer today's check-in, then do today's session, pressing every button."""
        await self.send("/checkin")
        for label in CHECK_IN:
            await self.press(label, timings)
        await self.send("/today")
        if await self.press("✅ Done", timings):
            for label in POST_SESSION:
                await self.press(label, timings)


async def coach_presses(presses: int, runners: int, folder: Path) -> list[float]:
    """Latencies of ``presses`` button presses through the coach's Application."""
    api, clock = FakeBotAPI(), FakeClock()
    settings = Settings(
        _env_file=None, telegram_bot_token=api.token, database_url=f"sqlite:///{folder}/b.db"
    )
    context = ServiceContext.from_settings(settings, clock=clock)
    await context.prepare()
    app = build_application(
        settings, Coach(context), request=InProcessRequest(api), limiter=virtual_limiter()
    )
    await app.initialize()
    riders = [Rider(app, api, 10_000 + n) for n in range(runners)]
    for rider in riders:
        await rider.onboard()
    timings: list[float] = []
    while len(timings) < presses:
        for rider in riders:
            await rider.day(timings)
        clock.advance(days=1)
    await app.shutdown()
    await context.close()
    return timings[:presses]


async def echo_presses(presses: int) -> list[float]:
    """Latencies of a bare python-telegram-bot handler: answer the button, send one message."""
    api = FakeBotAPI()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and update.effective_chat is not None
        await query.answer()
        await context.bot.send_message(update.effective_chat.id, f"You pressed {query.data}")

    app = Application.builder().token(api.token).request(InProcessRequest(api)).build()
    app.add_handler(CallbackQueryHandler(echo))
    await app.initialize()
    user = updates.user(user_id=99)
    message = updates.message(text="Pick one", from_user=user)
    timings = []
    for n in range(presses):
        update = updates.callback_query(message=message, data=f"echo:{n}", from_user=user)
        started = time.perf_counter()
        await process(app, update)
        timings.append(time.perf_counter() - started)
    await app.shutdown()
    return timings


def summary(name: str, timings: list[float]) -> tuple[float, float, float]:
    """Print and return updates a second, p50 and p99 (ms)."""
    per_second = len(timings) / sum(timings)
    p50 = statistics.median(timings) * 1000
    p99 = statistics.quantiles(timings, n=100)[98] * 1000
    print(f"{name:<22} {per_second:>10.0f} upd/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
    return per_second, p50, p99


def run(measure: Callable[[], Coroutine[Any, Any, list[float]]]) -> list[float]:
    return asyncio.run(measure())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=5000)
    parser.add_argument("--runners", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        coach = run(lambda: coach_presses(args.presses, args.runners, Path(folder)))
    echo = run(lambda: echo_presses(args.presses))
    print(f"{args.presses} button presses, {args.runners} runners, SQLite on disk")
    c_rate, c_p50, c_p99 = summary("coach (post-session, check-in)", coach)
    e_rate, e_p50, e_p99 = summary("bare PTB echo", echo)
    print(
        f"ratio coach/echo: throughput {c_rate / e_rate:.3f}, "
        f"p50 {c_p50 / e_p50:.1f}x, p99 {c_p99 / e_p99:.1f}x"
    )
    print(f"target p99 <= 25 ms: {'met' if c_p99 <= 25 else 'MISSED'} ({c_p99:.2f} ms)")


if __name__ == "__main__":
    main()
