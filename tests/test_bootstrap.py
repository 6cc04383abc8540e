"""The composition root runs the platforms that have a token, and one reminder tick for all;
and the console, on its own."""

from __future__ import annotations

import argparse
import asyncio
import io
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import bot.bootstrap as bootstrap
import schedules.scheduler
from bot import cli_run
from bot.services.context import ServiceContext
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.faults import Unusable
from handlers.lifecycle import CONFIGURATION, CannotRun
from handlers.telegram.pipe import OutboundPipe
from schedules.scheduler import ReminderScheduler, reminder_scheduler
from tests.conftest import FakeClock
from tests.fake_discord.server import TOKEN, FakeDiscord
from tests.fake_telegram import FakeBotAPI, FakeBotAPIServer, free_port, updates
from tests.logging_fixtures import guarded_libraries

HEAVY = {"telegram", "discord", "aiohttp", "apscheduler", "schedules"}
OTHER_DISCORD_TOKEN = "MTQyMDAwMDAwMDAwMDAwMDA5OQ.Zz9Yy8.Revoked0Token1Xj7Fb0Ym5Hd3Ue6Ts"


@pytest.fixture
def schedulers(monkeypatch: pytest.MonkeyPatch) -> list[ReminderScheduler]:
    """Every reminder scheduler bootstrap builds."""
    built: list[ReminderScheduler] = []
    make = reminder_scheduler

    def keep(*args: Any, **kwargs: Any) -> ReminderScheduler:
        built.append(make(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(schedules.scheduler, "reminder_scheduler", keep)
    return built


def settings(**tokens: Any) -> Settings:
    return Settings(_env_file=None, tick_seconds=3600, **tokens)


async def serving(
    config: Settings, database: Database, clock: FakeClock, *, until: Callable[[], Any]
) -> tuple[asyncio.Event, asyncio.Task[None]]:
    """Start ``serve`` in the background; return once ``until()`` (an awaitable) is done."""
    stop = asyncio.Event()
    task = asyncio.create_task(
        bootstrap.serve(config, stop, ctx=ServiceContext(database, clock, "Europe/Berlin"))
    )
    waiting = asyncio.ensure_future(until())
    await asyncio.wait([task, waiting], timeout=10, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiting.cancel()
        task.result()  # raises why it stopped
    assert waiting.done(), "the bot did not start within 10 s"
    return stop, task


async def test_both_platforms_run_in_one_process_over_one_tick(
    database: Database,
    clock: FakeClock,
    fake_api: FakeBotAPI,
    fake_server: FakeBotAPIServer,
    fake_discord: FakeDiscord,
    schedulers: list[ReminderScheduler],
) -> None:
    config = settings(
        telegram_bot_token=fake_api.token,
        telegram_api_base_url=fake_server.base_url,
        discord_bot_token=TOKEN,
    )

    async def both_receiving() -> None:
        await fake_api.wait_for_call("getUpdates")
        await fake_discord.identified.wait()

    stop, task = await serving(config, database, clock, until=both_receiving)
    [reminders] = schedulers
    routes = reminders.tick.dispatcher.routes
    assert set(routes) == {"telegram", "discord"}
    assert reminders.running()
    assert reminders.job_interval() == timedelta(hours=1)
    assert fake_api.calls("setMyCommands")
    assert any(call.method == "PUT" for call in fake_discord.calls)  # the slash commands

    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert not reminders.running()
    assert reminders.tick.dispatcher.stopping


async def test_telegram_replies_and_reminders_share_one_limiter(
    database: Database,
    clock: FakeClock,
    fake_api: FakeBotAPI,
    fake_server: FakeBotAPIServer,
    schedulers: list[ReminderScheduler],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pipes: list[OutboundPipe] = []
    init = OutboundPipe.__init__

    def keep(self: OutboundPipe, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        pipes.append(self)

    monkeypatch.setattr(OutboundPipe, "__init__", keep)
    config = settings(telegram_bot_token=fake_api.token, telegram_api_base_url=fake_server.base_url)
    stop, task = await serving(
        config, database, clock, until=lambda: fake_api.wait_for_call("getUpdates")
    )
    [reminders] = schedulers
    [pipe] = pipes
    assert set(reminders.tick.dispatcher.routes) == {"telegram"}
    assert reminders.tick.dispatcher.routes["telegram"].limiter is pipe.limiter
    stop.set()
    await asyncio.wait_for(task, timeout=10)


async def test_telegram_by_webhook_gets_updates_through_bootstrap(
    database: Database,
    clock: FakeClock,
    fake_api: FakeBotAPI,
    fake_server: FakeBotAPIServer,
    schedulers: list[ReminderScheduler],
) -> None:
    port = free_port()
    config = settings(
        telegram_bot_token=fake_api.token,
        telegram_api_base_url=fake_server.base_url,
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret="q8Zr3vKx1mT6pW0yN4bD",
    )
    stop, task = await serving(
        config, database, clock, until=lambda: fake_api.wait_for_call("setWebhook")
    )
    assert fake_api.webhook is not None
    assert fake_api.webhook.secret_token == "q8Zr3vKx1mT6pW0yN4bD"
    update = {**updates.text_message(text="/help", from_user=updates.user()), "update_id": 1}
    assert await fake_server.post_to_webhook(update) == 200  # it listens before setWebhook
    await fake_api.wait_for_call("sendMessage")
    assert fake_api.calls("getUpdates") == []
    stop.set()
    await asyncio.wait_for(task, timeout=10)


async def test_discord_alone_runs_without_telegram(
    database: Database,
    clock: FakeClock,
    fake_api: FakeBotAPI,
    fake_discord: FakeDiscord,
    schedulers: list[ReminderScheduler],
) -> None:
    config = settings(discord_bot_token=TOKEN)
    stop, task = await serving(config, database, clock, until=fake_discord.identified.wait)
    [reminders] = schedulers
    assert set(reminders.tick.dispatcher.routes) == {"discord"}
    assert reminders.tick.dispatcher.routes["discord"].retries == 0
    assert fake_api.calls() == []
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert not reminders.running()


def checkpointing() -> bool:
    return any(task.get_name() == "wal-checkpoints" for task in asyncio.all_tasks())


async def test_sqlites_wal_checkpoints_run_from_start_to_stop_beside_the_tick(
    database: Database, clock: FakeClock, fake_discord: FakeDiscord
) -> None:
    stop, task = await serving(
        settings(discord_bot_token=TOKEN), database, clock, until=fake_discord.identified.wait
    )
    assert checkpointing() == (database.engine.dialect.name == "sqlite")
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert not checkpointing()


async def test_a_database_that_cannot_work_stops_the_start_in_one_line(
    database: Database,
    clock: FakeClock,
    fake_discord: FakeDiscord,
    schedulers: list[ReminderScheduler],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def refuse() -> None:
        raise Unusable("the database file /x/coach.db is not writable by this user")

    monkeypatch.setattr(database, "prepare", refuse)  # as the probe does (tests/storage)
    stop = asyncio.Event()
    with pytest.raises(Unusable):
        await bootstrap.serve(
            settings(discord_bot_token=TOKEN), stop, ctx=ServiceContext(database, clock)
        )
    [reminders] = schedulers
    assert not reminders.running()
    assert not fake_discord.identified.is_set()
    assert not checkpointing()


async def test_a_refused_discord_token_stops_the_start_in_one_line(
    database: Database,
    clock: FakeClock,
    fake_api: FakeBotAPI,
    fake_server: FakeBotAPIServer,
    fake_discord: FakeDiscord,
    schedulers: list[ReminderScheduler],
) -> None:
    """Nothing starts receiving (Telegram, opened first, never polls); no part of the token."""
    config = settings(
        telegram_bot_token=fake_api.token,
        telegram_api_base_url=fake_server.base_url,
        discord_bot_token=OTHER_DISCORD_TOKEN,
    )
    stop = asyncio.Event()
    with pytest.raises(CannotRun) as refused:
        await bootstrap.serve(config, stop, ctx=ServiceContext(database, clock))
    assert refused.value.status == CONFIGURATION
    assert "DISCORD_BOT_TOKEN" in refused.value.line
    assert "\n" not in refused.value.line
    assert not any(part in refused.value.line for part in OTHER_DISCORD_TOKEN.split("."))
    [reminders] = schedulers
    assert not reminders.running()
    assert fake_api.calls("getUpdates") == []
    assert not fake_discord.identified.is_set()


async def test_a_gateway_that_refuses_the_bot_stops_everything_with_one_line(
    database: Database,
    clock: FakeClock,
    fake_discord: FakeDiscord,
    schedulers: list[ReminderScheduler],
) -> None:
    """Discord closes the gateway for good (4014: intents not allowed) after the start: the
    process stops the tick and the client, and says why, instead of running on half-alive."""
    fake_discord.close_on_identify = 4014
    stop = asyncio.Event()
    with pytest.raises(CannotRun) as refused:
        await asyncio.wait_for(
            bootstrap.serve(
                settings(discord_bot_token=TOKEN), stop, ctx=ServiceContext(database, clock)
            ),
            timeout=10,
        )
    assert refused.value.status == CONFIGURATION
    assert "intents" in refused.value.line
    [reminders] = schedulers
    assert not reminders.running()


async def test_the_console_runs_through_the_root_without_a_tick(
    database: Database, clock: FakeClock, schedulers: list[ReminderScheduler], tmp_path: Path
) -> None:
    out = io.StringIO()
    await asyncio.wait_for(
        bootstrap.chat(
            settings(),
            name="ada",
            stdin=io.StringIO("/help\nquit\n"),
            out=out,
            exports=tmp_path,
            ctx=ServiceContext(database, clock, "Europe/Berlin"),
        ),
        timeout=10,
    )
    assert "/today: Today's session" in out.getvalue()
    assert out.getvalue().rstrip().endswith("Bye — nothing of yours is kept here.")
    assert schedulers == []


@pytest.mark.slow
def test_the_root_loads_a_platform_library_only_for_a_platform_that_runs() -> None:
    """``trailcoach chat`` goes through the root, and loads no platform or scheduler."""
    script = "import sys, bot.bootstrap; print(*sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert HEAVY.isdisjoint(loaded.stdout.split())


def test_run_prints_a_start_up_failure_as_one_redacted_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], clean_env: dict[str, str]
) -> None:
    def refuse(config: Settings) -> None:
        raise CannotRun(f"Discord said no to {TOKEN}.", CONFIGURATION)

    monkeypatch.setenv("DISCORD_BOT_TOKEN", TOKEN)
    monkeypatch.setattr(bootstrap, "run", refuse)
    with guarded_libraries():  # run configures logging: undone for the tests after this one
        assert cli_run.run(argparse.Namespace()) == CONFIGURATION
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line == "trailcoach: Discord said no to [REDACTED]."
