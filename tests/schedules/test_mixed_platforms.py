"""One database, one tick, two platforms: each runner's reminder goes out on their own
platform, once, through the real Telegram and Discord clients over loopback HTTP."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot import bootstrap
from bot.bootstrap import Platform
from bot.delivery.rate_limit import RateLimiter, discord_limiter
from bot.delivery.route import Route
from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.services.plans.reminder_plan import plan_reminders
from bot.services.presentation.replies import Message
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.models import Dispatch, DispatchKind, DispatchStatus, Runner, RunnerStatus
from handlers.discord.adapter import DiscordAdapter
from handlers.lifecycle import Adapter
from handlers.telegram.adapter import TelegramAdapter
from schedules.dispatch import Delivery, Dispatcher
from schedules.tick import Tick
from tests.conftest import FakeClock, VirtualTime
from tests.factories import make_runner
from tests.fake_discord.server import (
    TOKEN,
    FakeDiscord,
    rate_limited,
    refused,
    server_error,
)
from tests.fake_telegram import FakeBotAPI, FakeBotAPIServer
from tests.schedules.conftest import planned_session

MONDAY = date(2026, 11, 23)
SEVEN_BERLIN = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
AT_SEVEN = {"timezone": "Europe/Berlin", "reminder_time": time(7, 0), "week_preview": False}


@dataclass
class Platforms:
    """Both adapters opened on their fakes, and the tick on their routes."""

    database: Database
    clock: FakeClock
    telegram: Platform[TelegramAdapter]
    discord: Platform[DiscordAdapter]
    telegram_api: FakeBotAPI
    discord_api: FakeDiscord
    telegram_time: VirtualTime
    discord_time: VirtualTime
    ctx: ServiceContext

    def tick(self, *platforms: Platform[Adapter]) -> Tick:
        """The tick as bootstrap builds it, on the routes of ``platforms`` (default: both)."""
        chosen = platforms or (self.telegram, self.discord)
        routes: Mapping[str, Route] = {p.adapter.platform: p.route for p in chosen}
        dispatcher = Dispatcher(self.ctx, routes, Delivery(), sleep=self.telegram_time.sleep)
        return Tick(self.ctx, dispatcher)

    async def run(self, *platforms: Platform[Adapter]) -> Counter[str]:
        return await self.tick(*platforms).run(self.clock.now)

    async def runner(self, platform: str, chat_id: str) -> Runner:
        """A runner on ``platform`` whose chat is ``chat_id``, with a session on Monday."""
        self.clock.now = SEVEN_BERLIN - timedelta(hours=12)
        async with self.database.unit_of_work() as uow:
            runner = await uow.runners.add(
                make_runner(
                    platform=platform,
                    chat_id=chat_id,
                    planned_until=date(2099, 1, 1),
                    **AT_SEVEN,
                )
            )
            uow.session.add(planned_session(runner.id, MONDAY))
            await uow.session.flush()
            await plan_reminders(self.ctx, uow, runner)
            return runner

    async def session_row(self, runner: Runner) -> Dispatch:
        async with self.database.unit_of_work() as uow:
            query = select(Dispatch).where(
                Dispatch.runner_id == runner.id, Dispatch.kind == DispatchKind.SESSION
            )
            return (await uow.session.scalars(query)).one()

    async def status(self, runner: Runner) -> RunnerStatus:
        async with self.database.unit_of_work() as uow:
            stored = await uow.runners.get(runner.id)
            assert stored is not None
            return stored.status


@pytest.fixture
async def platforms(
    database: Database,
    clock: FakeClock,
    fake_api: FakeBotAPI,
    fake_server: FakeBotAPIServer,
    fake_discord: FakeDiscord,
) -> AsyncIterator[Platforms]:
    settings = Settings(
        _env_file=None,
        telegram_bot_token=fake_api.token,
        telegram_api_base_url=fake_server.base_url,
        discord_bot_token=TOKEN,
    )
    ctx = ServiceContext(database, clock, "Europe/Berlin")
    telegram_time, discord_time = VirtualTime(), VirtualTime()
    telegram = bootstrap.telegram(
        settings,
        Coach(ctx),
        limiter=RateLimiter(30, clock=telegram_time, sleep=telegram_time.sleep),
    )
    discord = bootstrap.discord(
        settings, Coach(ctx), limiter=discord_limiter(clock=discord_time, sleep=discord_time.sleep)
    )
    await telegram.adapter.open()
    await discord.adapter.open()
    try:
        yield Platforms(
            database,
            clock,
            telegram,
            discord,
            fake_api,
            fake_discord,
            telegram_time,
            discord_time,
            ctx,
        )
    finally:
        await discord.adapter.stop()
        await telegram.adapter.stop()


def waits(time: VirtualTime) -> list[float]:
    """What was slept on ``time``, leaving out discord.py's zero-second bucket refreshes."""
    return [seconds for seconds in time.sleeps if seconds > 0]


def labels(message: dict[str, Any]) -> list[str]:
    return [button["label"] for row in message["components"] for button in row["components"]]


async def test_each_runner_gets_the_reminder_on_their_own_platform_once(
    platforms: Platforms, discord_sleeps: VirtualTime
) -> None:
    ada = await platforms.runner("telegram", "7001")
    bea = await platforms.runner("discord", "8001")

    platforms.clock.now = SEVEN_BERLIN
    counts = await platforms.run()
    assert counts["sent"] == 2
    [on_telegram] = platforms.telegram_api.sent_texts(7001)
    assert "Glute bridge" in on_telegram
    [on_discord] = platforms.discord_api.messages("8001")
    assert "Glute bridge" in on_discord["content"]
    assert labels(on_discord) == ["✅ Done", "Skip", "Later"]
    assert platforms.telegram_api.sent_texts(8001) == []
    assert platforms.discord_api.messages("7001") == []

    row = await platforms.session_row(bea)
    assert row.status is DispatchStatus.SENT
    assert row.message_id == on_discord["id"]
    assert on_discord["nonce"] == f"{row.id}:0"
    assert (await platforms.session_row(ada)).status is DispatchStatus.SENT

    await platforms.run()
    assert len(platforms.telegram_api.sent_texts(7001)) == 1
    assert platforms.discord_api.posts("8001") == 1
    assert waits(discord_sleeps) == []


async def test_a_short_429_is_waited_out_by_discord_py_and_sent_once(
    platforms: Platforms, discord_sleeps: VirtualTime
) -> None:
    bea = await platforms.runner("discord", "8001")
    platforms.discord_api.fail_next("8001", rate_limited(0.2))

    platforms.clock.now = SEVEN_BERLIN
    assert (await platforms.run())["sent"] == 1
    assert waits(discord_sleeps) == [0.2]
    assert platforms.discord_api.posts("8001") == 2
    assert len(platforms.discord_api.messages("8001")) == 1
    assert (await platforms.session_row(bea)).status is DispatchStatus.SENT


@pytest.mark.parametrize("is_global", [False, True])
async def test_a_long_429_pauses_discord_only_and_the_retry_is_delivered_once(
    platforms: Platforms, discord_sleeps: VirtualTime, is_global: bool
) -> None:
    bea = await platforms.runner("discord", "8001")
    ada = await platforms.runner("telegram", "7001")
    platforms.discord_api.fail_next("8001", rate_limited(90.0, is_global=is_global))

    platforms.clock.now = SEVEN_BERLIN
    assert (await platforms.run())["sent"] == 2
    assert waits(discord_sleeps) == []  # not slept inside send(): raised as RetryLater
    assert sum(waits(platforms.discord_time)) == pytest.approx(90.0)  # the Discord limiter's
    assert sum(waits(platforms.telegram_time)) < 2.0  # Telegram's limiter was never paused
    [message] = platforms.discord_api.messages("8001")
    row = await platforms.session_row(bea)
    assert message["nonce"] == f"{row.id}:0"
    assert row.status is DispatchStatus.SENT
    assert (await platforms.session_row(ada)).status is DispatchStatus.SENT


@pytest.mark.parametrize("code", [50007, 50278, 10003, 50001])
async def test_an_unreachable_discord_chat_blocks_that_runner_only(
    platforms: Platforms, code: int
) -> None:
    """The Discord runner's DM channel id and the Telegram runner's chat id are the same
    number: only the Discord runner is marked blocked, and the Telegram one still gets it."""
    bea = await platforms.runner("discord", "9100")
    ada = await platforms.runner("telegram", "9100")
    platforms.discord_api.fail_next("9100", refused(code))

    platforms.clock.now = SEVEN_BERLIN
    counts = await platforms.run()
    assert counts["failed"] == 1 and counts["sent"] == 1
    assert await platforms.status(bea) is RunnerStatus.BLOCKED
    assert await platforms.status(ada) is RunnerStatus.ACTIVE
    row = await platforms.session_row(bea)
    assert row.status is DispatchStatus.FAILED
    assert row.error is not None and row.error.startswith(f"unreachable: {code}")
    assert len(platforms.telegram_api.sent_texts(9100)) == 1
    assert platforms.discord_api.messages("9100") == []


async def test_a_500_is_retried_by_discord_py_alone_and_the_nonce_keeps_it_to_one_message(
    platforms: Platforms, discord_sleeps: VirtualTime
) -> None:
    """Discord stored the message but its answer was a 500: discord.py posts again with the
    same nonce, and Discord returns the first message instead of a second one."""
    bea = await platforms.runner("discord", "8001")
    platforms.discord_api.fail_next("8001", server_error(500, created=True))

    platforms.clock.now = SEVEN_BERLIN
    assert (await platforms.run())["sent"] == 1
    assert waits(discord_sleeps) == [1]  # the library's own retry
    assert platforms.discord_api.posts("8001") == 2
    [message] = platforms.discord_api.messages("8001")
    assert (await platforms.session_row(bea)).message_id == message["id"]


async def test_a_discord_server_error_fails_the_row_with_no_second_retry_loop(
    platforms: Platforms, discord_sleeps: VirtualTime
) -> None:
    """A 503 is not one discord.py retries; the tick does not retry it either (Telegram's
    route retries server errors three times, Discord's not at all)."""
    assert platforms.telegram.route.retries == 3
    assert platforms.discord.route.retries == 0
    bea = await platforms.runner("discord", "8001")
    platforms.discord_api.fail_next("8001", server_error(503), times=2)

    platforms.clock.now = SEVEN_BERLIN
    assert (await platforms.run())["failed"] == 1
    assert platforms.discord_api.posts("8001") == 1
    assert waits(platforms.telegram_time) == []  # no backoff either
    row = await platforms.session_row(bea)
    assert row.status is DispatchStatus.FAILED
    assert row.error is not None and row.error.startswith("Transient")
    assert await platforms.status(bea) is RunnerStatus.ACTIVE


async def test_a_platform_without_a_notifier_leaves_its_rows_pending_until_they_expire(
    platforms: Platforms,
) -> None:
    """Run with Telegram only (no Discord token): the Discord runner's reminder is neither
    sent elsewhere nor failed; it waits, and expires after the grace period like any
    reminder due while the bot was down."""
    ada = await platforms.runner("telegram", "7001")
    bea = await platforms.runner("discord", "8001")

    platforms.clock.now = SEVEN_BERLIN
    counts = await platforms.run(platforms.telegram)
    assert counts["sent"] == 1
    assert (await platforms.session_row(bea)).status is DispatchStatus.PENDING
    assert (await platforms.session_row(ada)).status is DispatchStatus.SENT
    assert platforms.telegram_api.sent_texts(8001) == []
    assert await platforms.status(bea) is RunnerStatus.ACTIVE

    platforms.clock.now = SEVEN_BERLIN + Delivery().grace + timedelta(minutes=1)
    await platforms.run(platforms.telegram)
    assert (await platforms.session_row(bea)).status is DispatchStatus.EXPIRED
    assert platforms.discord_api.posts("8001") == 0


class HeldNotifier:
    """A notifier whose sends wait until the test lets them go."""

    def __init__(self) -> None:
        self.go = asyncio.Event()
        self.entered = asyncio.Event()
        self.sent: list[str] = []

    async def send(self, chat_id: str, message: Message, *, nonce: str) -> str:
        self.entered.set()
        await self.go.wait()
        self.sent.append(chat_id)
        return nonce


class BrokenNotifier:
    """A notifier with a bug: it raises something that is not a delivery error."""

    def __init__(self) -> None:
        self.called = asyncio.Event()

    async def send(self, chat_id: str, message: Message, *, nonce: str) -> str:
        self.called.set()
        raise RuntimeError("a bug in one platform's adapter")


async def test_a_held_platform_does_not_hold_up_the_other(platforms: Platforms) -> None:
    """Each platform's rows go out in a lane of their own: Discord waiting (a long 429, a
    slow API) never keeps the Telegram reminders of the same batch waiting."""
    await platforms.runner("discord", "8001")
    for chat in ("7001", "7002"):
        await platforms.runner("telegram", chat)
    held = HeldNotifier()
    routes = {
        "telegram": platforms.telegram.route,
        "discord": Route(held, platforms.discord.route.limiter, retries=0),
    }
    dispatcher = Dispatcher(platforms.ctx, routes, sleep=platforms.telegram_time.sleep)

    platforms.clock.now = SEVEN_BERLIN
    ticking = asyncio.create_task(dispatcher.run(platforms.clock.now))
    await platforms.telegram_api.wait_for_message(7002)
    assert held.sent == [] and not ticking.done()
    held.go.set()
    counts = await ticking
    assert counts["sent"] == 3
    assert held.sent == ["8001"]


async def test_a_failing_platform_never_cuts_the_others_send_short(platforms: Platforms) -> None:
    """A bug on one platform stops the batch, but the other platform's send in flight
    finishes and is recorded as sent: it is not left in doubt, never to be retried."""
    discord_runner = await platforms.runner("discord", "8001")
    await platforms.runner("telegram", "7001")
    held, broken = HeldNotifier(), BrokenNotifier()
    routes = {
        "telegram": Route(broken, platforms.telegram.route.limiter),
        "discord": Route(held, platforms.discord.route.limiter, retries=0),
    }
    dispatcher = Dispatcher(platforms.ctx, routes, sleep=platforms.telegram_time.sleep)

    platforms.clock.now = SEVEN_BERLIN
    ticking = asyncio.create_task(dispatcher.run(platforms.clock.now))
    await held.entered.wait()
    await broken.called.wait()  # Telegram's lane fails while Discord's send is in flight
    for _ in range(5):  # and the failure reaches the batch
        await asyncio.sleep(0)
    held.go.set()
    with pytest.raises(RuntimeError, match="a bug"):
        await ticking
    assert held.sent == ["8001"]
    assert (await platforms.session_row(discord_runner)).status is DispatchStatus.SENT
