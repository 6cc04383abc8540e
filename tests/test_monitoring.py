"""Health, readiness and metrics (issue 29): ``/healthz``, ``/readyz`` and ``/metrics``,
served by the composition root on ``HEALTH_PORT`` (any mode) and on the webhook's server."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

import bot.bootstrap as bootstrap
import schedules.scheduler
from bot.delivery.rate_limit import RateLimiter
from bot.monitoring.metrics import Metrics
from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.services.plans.reminder_plan import plan_reminders
from bot.settings import Settings
from bot.storage.database import Database, create_engine
from handlers.discord.adapter import DiscordAdapter
from schedules.dispatch import Delivery, Dispatcher
from schedules.scheduler import ReminderScheduler
from schedules.tick import Tick
from tests.conftest import FakeClock, VirtualTime
from tests.factories import make_runner
from tests.fake_discord.loopback import ServedBot
from tests.fake_discord.server import TOKEN
from tests.fake_telegram import FakeBotAPI, FakeBotAPIServer, errors, free_port, updates
from tests.schedules.conftest import planned_session
from tests.schedules.test_mixed_platforms import AT_SEVEN, MONDAY, SEVEN_BERLIN

ADA = updates.user(user_id=7001, first_name="Ada Quirinus")
SECRET = "q8Zr3vKx1mT6pW0yN4bD"


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, tick_seconds=3600, metrics=True, **values)


class Bot:
    """``bootstrap.serve`` in the background, and its health server over HTTP."""

    def __init__(self, port: int, task: asyncio.Task[None], stop: asyncio.Event) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.task = task
        self.stop = stop

    async def get(self, path: str) -> tuple[int, str]:
        async with aiohttp.ClientSession() as http, http.get(self.base + path) as response:
            return response.status, await response.text()

    async def metric(self, name: str, **labels: str) -> float:
        """One sample of ``/metrics`` (0 when it has none yet)."""
        _, body = await self.get("/metrics")
        for family in text_string_to_metric_families(body):
            for sample in family.samples:
                if sample.name == name and sample.labels == labels:
                    return sample.value
        return 0.0


async def serving(
    config: Settings, database: Database, clock: FakeClock, until: Callable[[], Awaitable[Any]]
) -> Bot:
    stop = asyncio.Event()
    ctx = ServiceContext(database, clock, "Europe/Berlin")
    task = asyncio.create_task(bootstrap.serve(config, stop, ctx=ctx))
    waiting = asyncio.ensure_future(until())
    await asyncio.wait([task, waiting], timeout=10, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiting.cancel()
        task.result()
    assert waiting.done(), "the bot did not start within 10 s"
    port = config.health_port or config.webhook_port
    return Bot(port, task, stop)


@pytest.fixture
def ticked(monkeypatch: pytest.MonkeyPatch) -> tuple[list[ReminderScheduler], asyncio.Event]:
    """The schedulers bootstrap builds, and an event set when a run of the tick is over."""
    built: list[ReminderScheduler] = []
    over = asyncio.Event()
    make, run = schedules.scheduler.reminder_scheduler, ReminderScheduler.run_once

    def keep(*args: Any, **kwargs: Any) -> ReminderScheduler:
        built.append(make(*args, **kwargs))
        return built[-1]

    async def run_and_tell(self: ReminderScheduler) -> None:
        await run(self)
        over.set()

    monkeypatch.setattr(schedules.scheduler, "reminder_scheduler", keep)
    monkeypatch.setattr(ReminderScheduler, "run_once", run_and_tell)
    return built, over


async def test_readyz_names_each_part_that_is_down_and_is_ready_again_when_it_is_back(
    database: Database,
    clock: FakeClock,
    fake_api: FakeBotAPI,
    fake_server: FakeBotAPIServer,
    ticked: tuple[list[ReminderScheduler], asyncio.Event],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Polling, with HEALTH_PORT: the database, Telegram and the tick down in turn."""
    config = settings(
        telegram_bot_token=fake_api.token,
        telegram_api_base_url=fake_server.base_url,
        health_port=free_port(),
    )
    bot = await serving(config, database, clock, lambda: fake_api.wait_for_call("getUpdates"))
    [reminders], first_tick = ticked
    await first_tick.wait()
    assert await bot.get("/healthz") == (200, "ok\n")
    assert await bot.get("/readyz") == (200, "ready\n")

    real = database.engine
    unreachable = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/none")
    monkeypatch.setattr(database, "engine", unreachable)
    status, body = await bot.get("/readyz")
    assert (status, body.splitlines()[0].split(":")[0]) == (503, "database")
    assert len(body.splitlines()) == 1
    monkeypatch.setattr(database, "engine", real)
    await unreachable.dispose()
    assert await bot.get("/readyz") == (200, "ready\n")

    polls = len(fake_api.calls("getUpdates"))
    fake_api.fail_next("getUpdates", errors.connection_dropped())
    fake_api.push_update(updates.text_message(text="/help", from_user=ADA))  # ends the poll
    await fake_api.wait_for_call("getUpdates", count=polls + 2)  # the one after the failure
    assert await bot.get("/readyz") == (503, "telegram: not connected\n")
    fake_api.push_update(updates.text_message(text="/help", from_user=ADA))
    await fake_api.wait_for_call("getUpdates", count=polls + 3)  # that poll was answered
    assert await bot.get("/readyz") == (200, "ready\n")

    clock.advance(seconds=2 * 3600 + 1)
    assert await bot.get("/readyz") == (
        503,
        "reminder tick: no run finished for 7201 s (it runs every 3600 s)\n",
    )
    await reminders.run_once()
    assert await bot.get("/readyz") == (200, "ready\n")

    assert await bot.metric("trailcoach_updates_total", **COMMAND_OK) == 2
    bot.stop.set()
    await asyncio.wait_for(bot.task, timeout=10)


COMMAND_OK = {"platform": "telegram", "kind": "command", "outcome": "ok"}


async def test_the_webhooks_server_serves_health_and_metrics(
    database: Database,
    clock: FakeClock,
    fake_api: FakeBotAPI,
    fake_server: FakeBotAPIServer,
    ticked: tuple[list[ReminderScheduler], asyncio.Event],
) -> None:
    port = free_port()
    config = settings(
        telegram_bot_token=fake_api.token,
        telegram_api_base_url=fake_server.base_url,
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret=SECRET,
    )
    bot = await serving(config, database, clock, lambda: fake_api.wait_for_call("setWebhook"))
    await ticked[1].wait()
    assert await bot.get("/healthz") == (200, "ok\n")
    assert await bot.get("/readyz") == (200, "ready\n")
    update = {**updates.text_message(text="/help", from_user=ADA), "update_id": 1}
    assert await fake_server.post_to_webhook(update) == 200
    await fake_api.wait_for_call("sendMessage")
    assert await bot.metric("trailcoach_updates_total", **COMMAND_OK) == 1
    assert await bot.metric("trailcoach_update_seconds_count", platform="telegram", kind="command")
    assert await bot.metric("trailcoach_inbox_depth", platform="telegram") == 0
    assert await bot.metric("trailcoach_tick_seconds_count") == 1
    bot.stop.set()
    await asyncio.wait_for(bot.task, timeout=10)


async def test_without_metrics_there_is_no_metrics_route(
    database: Database, clock: FakeClock, fake_api: FakeBotAPI, fake_server: FakeBotAPIServer
) -> None:
    config = Settings(
        _env_file=None,
        telegram_bot_token=fake_api.token,
        telegram_api_base_url=fake_server.base_url,
        health_port=free_port(),
    )
    bot = await serving(config, database, clock, lambda: fake_api.wait_for_call("getUpdates"))
    assert (await bot.get("/metrics"))[0] == 404
    assert (await bot.get("/healthz"))[0] == 200
    bot.stop.set()
    await asyncio.wait_for(bot.task, timeout=10)


async def test_one_update_one_reminder_and_one_429_move_their_counters_and_no_label_names_anyone(
    database: Database, clock: FakeClock, fake_api: FakeBotAPI, fake_server: FakeBotAPIServer
) -> None:
    metrics = Metrics()
    ctx = ServiceContext(database, clock, "Europe/Berlin")
    time = VirtualTime()
    config = Settings(
        _env_file=None,
        telegram_bot_token=fake_api.token,
        telegram_api_base_url=fake_server.base_url,
    )
    limiter = RateLimiter(30, clock=time, sleep=time.sleep)
    telegram = bootstrap.telegram(config, Coach(ctx, metrics=metrics), limiter=limiter)
    await telegram.adapter.open()
    try:
        await telegram.adapter.start()
        fake_api.push_update(updates.text_message(text="/help", from_user=ADA))
        await fake_api.wait_for_message(ADA["id"])

        clock.now = SEVEN_BERLIN - timedelta(hours=12)
        async with database.unit_of_work() as uow:
            runner = await uow.runners.add(
                make_runner(chat_id=str(ADA["id"]), planned_until=date(2099, 1, 1), **AT_SEVEN)
            )
            uow.session.add(planned_session(runner.id, MONDAY))
            await uow.session.flush()
            await plan_reminders(ctx, uow, runner)
        fake_api.fail_next("sendMessage", errors.too_many_requests(3))
        clock.now = SEVEN_BERLIN
        routes = {"telegram": telegram.route}
        dispatcher = Dispatcher(ctx, routes, Delivery(), sleep=time.sleep, metrics=metrics)
        assert (await Tick(ctx, dispatcher).run(clock.now))["sent"] == 1
    finally:
        await telegram.adapter.stop()

    def value(name: str, **labels: str) -> float | None:
        return metrics.registry.get_sample_value(name, labels)

    assert value("trailcoach_updates_total", **COMMAND_OK) == 1
    assert value("trailcoach_update_seconds_count", platform="telegram", kind="command") == 1
    assert value("trailcoach_reminders_total", platform="telegram", outcome="sent") == 1
    assert value("trailcoach_reminders_total", platform="telegram", outcome="failed") is None
    assert value("trailcoach_retry_after_total", platform="telegram") == 1

    words = {"telegram", "discord", "console", "command", "text", "location", "unreadable"}
    words |= {"button", "membership", "ok", "error", "sent", "failed", "cancelled", "deferred"}
    labels = {
        value
        for family in metrics.registry.collect()
        for sample in family.samples
        for key, value in sample.labels.items()
        if key != "le"  # a histogram's bucket bounds
    }
    assert labels <= words
    assert not any(str(ADA["id"]) in v or "Ada" in v or "Quirinus" in v for v in labels)


async def test_database_errors_are_counted(database: Database) -> None:
    metrics = Metrics()
    metrics.watch(database.engine)
    with pytest.raises(Exception, match="no_such_table"):
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT * FROM no_such_table"))
    assert metrics.registry.get_sample_value("trailcoach_database_errors_total") == 1


async def test_a_taken_health_port_stops_the_start_with_one_line(
    database: Database, clock: FakeClock, fake_api: FakeBotAPI, fake_server: FakeBotAPIServer
) -> None:
    from handlers.lifecycle import CONFIGURATION, CannotRun

    taken = await asyncio.start_server(lambda _r, _w: None, "127.0.0.1", 0)
    port = taken.sockets[0].getsockname()[1]
    config = settings(
        telegram_bot_token=fake_api.token,
        telegram_api_base_url=fake_server.base_url,
        health_port=port,
    )
    try:
        with pytest.raises(CannotRun) as refused:
            await bootstrap.serve(config, asyncio.Event(), ctx=ServiceContext(database, clock))
    finally:
        taken.close()
    assert refused.value.status == CONFIGURATION
    assert "HEALTH_PORT" in refused.value.line
    assert fake_api.calls() == []


async def test_discord_counts_as_connected_while_its_gateway_is_open_and_ready(
    served_bot: ServedBot,
) -> None:
    client = served_bot.gateway.client
    adapter = DiscordAdapter(client, token=TOKEN)  # the same client bootstrap runs
    await asyncio.wait_for(client.wait_until_ready(), timeout=10)
    assert adapter.connected()
    await client.ws.close(code=1000)  # the gateway drops: discord.py reconnects in a while
    assert not adapter.connected()
