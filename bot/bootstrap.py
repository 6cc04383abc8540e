"""The one composition root: settings in, a running bot out.

It builds every long-lived part and hands it to the adapters, which build none: the
database and service context, the coach; for each platform that has a token (Telegram,
Discord, or both) its rate limiter, its notifier and route, and its adapter, with, on
Telegram, the inbox and, by webhook, the web server and its routes; the one reminder
tick, which sends each row through its platform's route; the readiness checks and, with
``METRICS``, the metrics, served with ``/healthz`` on the webhook's server and on
``HEALTH_PORT``'s. ``trailcoach chat`` runs the console adapter the same way, without the
tick. Everything runs under one event loop:

0. the health server (``HEALTH_PORT``) starts listening;
1. the database is checked (a file this process cannot write, or a server that does not
   answer, stops it here in one line) and its schema brought up to date; on SQLite, the
   WAL's checkpoints start (``bot/storage/checkpoints.py``);
2. each adapter opens (logs in, registers its commands): a bad token stops the process
   here, before anything flows;
3. the reminder tick starts, then each adapter starts receiving;
4. on SIGINT or SIGTERM (or an adapter stopping by itself) the tick stops first, so nothing
   is sent into a closing client, then the adapters in reverse, then the health server,
   the checkpoints and
   the database.

A platform's modules, and the scheduler's, are imported only when they run: the console
loads no platform library.
"""

from __future__ import annotations

import asyncio
import dataclasses
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TextIO, TypeVar

from bot.delivery.rate_limit import RateLimiter, discord_limiter
from bot.delivery.route import Route
from bot.runtime import tune_garbage_collector
from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.services.infrastructure.inbound import Inbox
from bot.services.infrastructure.instances import Instance
from bot.settings import Settings
from bot.storage.checkpoints import Checkpoints
from handlers.lifecycle import CONFIGURATION, Adapter, CannotRun

if TYPE_CHECKING:
    from aiohttp.web import RouteDef
    from telegram.request import BaseRequest

    from bot.monitoring.metrics import Metrics
    from handlers.discord.adapter import DiscordAdapter
    from handlers.telegram.adapter import Receiver, TelegramAdapter
    from handlers.telegram.application import CoachApplication
    from handlers.telegram.intake import Intake
    from handlers.web import WebServer
    from schedules.scheduler import ReminderScheduler

AdapterT = TypeVar("AdapterT", bound=Adapter, covariant=True)


@dataclass(frozen=True, slots=True)
class Platform(Generic[AdapterT]):
    """One platform as the root wires it: its adapter, the route its reminders take, whether
    it is connected, and how many stored updates wait (where it stores them)."""

    adapter: AdapterT
    route: Route
    connected: Callable[[], bool]
    waiting: Callable[[], Awaitable[int]] | None = None


def telegram(
    settings: Settings,
    coach: Coach,
    *,
    instance: Instance | None = None,
    limiter: RateLimiter | None = None,
    request: BaseRequest | None = None,
    health: Sequence[RouteDef] = (),
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    sweep_seconds: float | None = None,
) -> Platform[TelegramAdapter]:
    """Telegram: one limiter for the replies and the reminders, the inbox (whose
    conversations ``instance`` takes its turns at), the live question messages, the
    Application, the conversations that hand it the stored updates, its receiver, and the
    reminders' own bot and notifier. Tests give their ``limiter``, ``request`` (the Bot API
    transport), ``sleep`` (the pauses between tries to store updates, and after a failed
    poll) and ``sweep_seconds`` (how often conversations left behind are looked for); the
    webhook's server also serves ``health``."""
    from handlers.live_questions import LiveQuestions
    from handlers.telegram.adapter import TelegramAdapter
    from handlers.telegram.application import build_application, reminder_bot
    from handlers.telegram.callbacks import PLATFORM
    from handlers.telegram.conversations import SWEEP_SECONDS, Conversations
    from handlers.telegram.http import AiohttpRequest
    from handlers.telegram.intake import Intake
    from handlers.telegram.leader import Leader
    from handlers.telegram.messages import deliver
    from handlers.telegram.notifier import TelegramNotifier
    from handlers.telegram.polling import Polling
    from handlers.telegram.reading import UpdatesRequest

    limiter = limiter or RateLimiter(settings.messages_per_second)
    _count_floods(limiter, coach, PLATFORM)
    inbox = Inbox(coach.ctx, PLATFORM, instance=instance, sleep=sleep)
    questions = LiveQuestions()
    answers = UpdatesRequest(request or AiohttpRequest(connections=1))
    application = build_application(
        settings,
        coach,
        limiter=limiter,
        questions=questions,
        request=request,
        answers=answers,
        fence=inbox.still_ours,
    )
    conversations = Conversations(
        application,
        inbox,
        settings.concurrent_updates,
        lambda update, reply: deliver(application.bot, update, reply, questions),
        sweep_seconds=SWEEP_SECONDS if sweep_seconds is None else sweep_seconds,
        spread=not settings.uses_webhook,
    )
    intake = Intake(inbox, conversations.take, conversations.elsewhere)
    receiver: Receiver = (
        _webhook(settings, application, intake, coach, health)
        if settings.uses_webhook
        else Leader(Polling(application.bot, intake, answers, sleep=sleep), inbox.instance)
    )
    bot = reminder_bot(settings, request=request)
    api = str(settings.telegram_api_base_url).rstrip("/")
    adapter = TelegramAdapter(
        application, receiver, intake, conversations, reminder_bot=bot, api=api
    )
    route = Route(TelegramNotifier(bot, questions), limiter)
    return Platform(adapter, route, adapter.connected, inbox.waiting)


def _count_floods(limiter: RateLimiter, coach: Coach, platform: str) -> None:
    """With metrics, count each 429 the platform's limiter is paused for."""
    metrics = coach.metrics
    if metrics is not None:
        limiter.paused = lambda: metrics.flooded(platform)


def _webhook(
    settings: Settings,
    application: CoachApplication,
    intake: Intake,
    coach: Coach,
    health: Sequence[RouteDef],
) -> Receiver:
    """The bot's web server on ``WEBHOOK_LISTEN``:``WEBHOOK_PORT``, with its routes:
    Telegram's POSTs to the path of ``WEBHOOK_URL``, the runners' calendar links, and
    ``health``."""
    from handlers.calendar_feed import calendar_route
    from handlers.telegram.adapter import Webhook
    from handlers.telegram.webhook import TelegramWebhook
    from handlers.web import WebServer

    url, secret = settings.webhook_url, settings.webhook_secret
    assert url is not None and secret is not None, "webhook mode has a URL and a secret"
    webhook = TelegramWebhook(
        application.bot, intake, url=str(url), secret=secret.get_secret_value()
    )
    server = WebServer(
        [webhook.route, calendar_route(coach.ctx), *health],
        host=settings.webhook_listen,
        port=settings.webhook_port,
    )
    return Webhook(webhook, server)


def discord(
    settings: Settings, coach: Coach, *, limiter: RateLimiter | None = None
) -> Platform[DiscordAdapter]:
    """Discord: the client, and the reminders' notifier on its REST session and the Discord
    limiter. Tests give their ``limiter``."""
    from handlers.discord.adapter import DiscordAdapter
    from handlers.discord.callbacks import PLATFORM
    from handlers.discord.client import build_client
    from handlers.discord.notifier import DiscordNotifier
    from handlers.live_questions import LiveQuestions

    token = settings.discord_bot_token
    assert token is not None, "the Discord side needs its token"
    questions = LiveQuestions()
    client = build_client(
        coach, application_id=None, questions=questions, shard=settings.discord_shard
    )
    # discord.py already retries 500, 502, 504 and 524 inside send(): a server error
    # that reaches the tick is final, so the route adds no retries of its own.
    limiter = limiter or discord_limiter()
    _count_floods(limiter, coach, PLATFORM)
    route = Route(DiscordNotifier(client, questions), limiter, retries=0)
    adapter = DiscordAdapter(client, token=token.get_secret_value())
    return Platform(adapter, route, adapter.connected)


def platforms_for(
    settings: Settings,
    coach: Coach,
    *,
    instance: Instance | None = None,
    health: Sequence[RouteDef] = (),
) -> list[Platform[Adapter]]:
    """A platform for each token set, on ``instance``; a Telegram webhook's server also
    serves ``health``."""
    platforms: list[Platform[Adapter]] = []
    if settings.telegram_bot_token is not None:
        platforms.append(telegram(settings, coach, instance=instance, health=health))
    if settings.discord_bot_token is not None:
        platforms.append(discord(settings, coach))
    return platforms


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
    from bot.monitoring.readiness import Readiness, answers, at_once, connected
    from handlers.health import health_routes
    from schedules.scheduler import reminder_scheduler

    ctx = ctx or ServiceContext.from_settings(settings)
    metrics = _metrics(settings, ctx)
    readiness = Readiness()
    health = health_routes(readiness.problems, metrics.exposition if metrics else None)
    instance = Instance(ctx, lease=settings.instance_lease)
    coach = Coach(ctx, metrics=metrics)
    platforms = platforms_for(settings, coach, instance=instance, health=health)
    routes = {p.adapter.platform: p.route for p in platforms}
    reminders = reminder_scheduler(ctx, routes, settings, metrics=metrics, instance=instance)
    readiness.add("database", answers(ctx.database))
    for platform in platforms:
        readiness.add(platform.adapter.platform, connected(platform.connected))
    readiness.add("reminder tick", at_once(reminders.stalled))
    instance.counted.extend(p.route.limiter.share for p in platforms)
    if metrics is not None:
        metrics.depths = _depths(platforms)
    built()
    await _running(
        ctx, [p.adapter for p in platforms], stop, reminders, _health(settings, health), instance
    )


def _metrics(settings: Settings, ctx: ServiceContext) -> Metrics | None:
    """With ``METRICS``, the metrics, counting the database's errors too."""
    if not settings.metrics:
        return None
    from bot.monitoring.metrics import Metrics

    metrics = Metrics()
    metrics.watch(ctx.database.engine)
    return metrics


def _depths(platforms: Sequence[Platform[Adapter]]) -> Callable[[], Awaitable[dict[str, int]]]:
    """The stored updates waiting on each platform that stores them."""

    async def depths() -> dict[str, int]:
        return {p.adapter.platform: await p.waiting() for p in platforms if p.waiting}

    return depths


def _health(settings: Settings, routes: Sequence[RouteDef]) -> WebServer | None:
    """A server of its own for ``routes`` on ``HEALTH_LISTEN``:``HEALTH_PORT``, if set."""
    if settings.health_port is None:
        return None
    from handlers.web import WebServer

    return WebServer(routes, host=settings.health_listen, port=settings.health_port)


async def chat(
    settings: Settings,
    *,
    name: str,
    stdin: TextIO,
    out: TextIO,
    exports: Path,
    ctx: ServiceContext | None = None,
) -> None:
    """The console coach for ``name`` on ``stdin`` and ``out``, until end of input, Ctrl-C or
    ``quit``: the same database and coach, with no platform, no reminder tick and no web
    server (so no calendar link: one would lead nowhere)."""
    from handlers.console.adapter import ConsoleAdapter

    ctx = ctx or dataclasses.replace(ServiceContext.from_settings(settings), public_url=None)
    console = ConsoleAdapter(Coach(ctx), name=name, stdin=stdin, out=out, exports=exports)
    await _running(ctx, [console], asyncio.Event())  # it ends when the person leaves


def run(settings: Settings) -> None:
    """Serve until SIGINT or SIGTERM; raises ``CannotRun`` if the bot cannot start or run."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        # Once the platforms are built, every module the bot runs on is loaded.
        await serve(settings, stop, built=tune_garbage_collector)

    asyncio.run(main())


async def _running(
    ctx: ServiceContext,
    adapters: Sequence[Adapter],
    stop: asyncio.Event,
    reminders: ReminderScheduler | None = None,
    health: WebServer | None = None,
    instance: Instance | None = None,
) -> None:
    """Start the health server, the database, this instance's beats, the adapters and the
    tick in order, run until ``stop`` is set or an adapter stops by itself, and stop
    everything started, in reverse."""
    opened: list[Adapter] = []
    checkpoints = Checkpoints(ctx.database)
    if health is not None:
        await _listen(health)
    try:
        await ctx.prepare()
        if instance is not None:
            await instance.start()
        checkpoints.start()
        for adapter in adapters:
            opened.append(adapter)
            await adapter.open()
        if reminders is not None:
            reminders.start()
        for adapter in adapters:
            await adapter.start()
        await _until_stopped(stop, adapters)
    finally:
        if reminders is not None:
            await reminders.stop()
        for adapter in reversed(opened):
            await adapter.stop()
        if instance is not None:
            await instance.stop()
        await checkpoints.stop()
        if health is not None:
            await health.stop()
        await ctx.close()


async def _listen(server: WebServer) -> None:
    """Start the health server; a port it cannot have is a setting to fix."""
    try:
        await server.start()
    except OSError as error:
        raise CannotRun(
            f"cannot listen on {server.host}:{server.port} ({error.strerror or error}): "
            "check HEALTH_LISTEN and HEALTH_PORT",
            CONFIGURATION,
        ) from error


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
