"""The one composition root: settings in, a running bot out.

It builds the database and service context, the coach, one adapter for each platform that
has a token (Telegram, Discord, or both), and the one reminder tick, which sends each row
through its platform's route (notifier and limiter). Everything runs under one event loop:

1. the database schema is brought up to date;
2. each adapter opens (logs in, registers its commands): a bad token stops the process
   here, before anything flows;
3. the reminder tick starts, then each adapter starts receiving;
4. on SIGINT or SIGTERM (or an adapter stopping by itself) the tick stops first, so nothing
   is sent into a closing client, then the adapters in reverse, then the database.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Sequence

from bot.runtime import tune_garbage_collector
from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.settings import Settings
from handlers.lifecycle import Adapter
from schedules.scheduler import reminder_scheduler


def adapters_for(settings: Settings, coach: Coach) -> list[Adapter]:
    """An adapter for each platform that has a token; only those platforms' libraries load."""
    adapters: list[Adapter] = []
    if settings.telegram_bot_token is not None:
        from handlers.telegram.adapter import TelegramAdapter

        adapters.append(TelegramAdapter(settings, coach))
    if settings.discord_bot_token is not None:
        from handlers.discord.adapter import DiscordAdapter

        adapters.append(DiscordAdapter(settings, coach))
    return adapters


async def serve(
    settings: Settings,
    stop: asyncio.Event,
    *,
    ctx: ServiceContext | None = None,
    built: Callable[[], None] = lambda: None,
) -> None:
    """Run the configured platforms and the reminder tick until ``stop`` is set.

    ``ctx`` is built from ``settings`` unless given (tests give it their clock). ``built`` is
    called once every part is built, before anything starts. A failed start, or an adapter
    that stops by itself, raises ``CannotRun`` after everything started has been stopped.
    """
    ctx = ctx or ServiceContext.from_settings(settings)
    adapters = adapters_for(settings, Coach(ctx))
    reminders = reminder_scheduler(ctx, {a.platform: a.route for a in adapters}, settings)
    built()
    opened: list[Adapter] = []
    try:
        await ctx.prepare()
        for adapter in adapters:
            opened.append(adapter)
            await adapter.open()
        reminders.start()
        for adapter in adapters:
            await adapter.start()
        await _until_stopped(stop, adapters)
    finally:
        await reminders.stop()
        for adapter in reversed(opened):
            await adapter.stop()
        await ctx.close()


def run(settings: Settings) -> None:
    """Serve until SIGINT or SIGTERM; raises ``CannotRun`` if the bot cannot start or run."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        # Once the adapters are built, every module the bot runs on is loaded.
        await serve(settings, stop, built=tune_garbage_collector)

    asyncio.run(main())


async def _until_stopped(stop: asyncio.Event, adapters: Sequence[Adapter]) -> None:
    """Return when ``stop`` is set or an adapter stops by itself (re-raising its failure)."""
    stopping = asyncio.create_task(stop.wait(), name="stop-signal")
    watching = [asyncio.create_task(a.wait(), name=f"{a.platform}-running") for a in adapters]
    try:
        done, _ = await asyncio.wait([stopping, *watching], return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (stopping, *watching):
            task.cancel()
        await asyncio.gather(stopping, *watching, return_exceptions=True)
    for task in done:
        if task is not stopping:
            task.result()
