"""The Application's lifecycle starts the reminder tick's APScheduler job and stops it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

import handlers.telegram.application as application_module
from bot.services.coach import Coach
from handlers.telegram.application import build_application
from handlers.telegram.pipe import OutboundPipe
from schedules.rate_limit import RateLimiter
from schedules.scheduler import ReminderScheduler, reminder_scheduler
from tests.fake_telegram import FakeBotAPI
from tests.fake_telegram.inprocess import InProcessRequest
from tests.telegram.conftest import settings_for


async def test_post_init_starts_the_tick_job_and_post_shutdown_stops_it(
    fake_api: FakeBotAPI, coach: Coach, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[ReminderScheduler] = []

    make = reminder_scheduler

    def keep(*args: Any, **kwargs: Any) -> ReminderScheduler:
        scheduler = make(*args, **kwargs)
        built.append(scheduler)
        return scheduler

    monkeypatch.setattr(application_module, "reminder_scheduler", keep)
    settings = settings_for(fake_api, dispatch_retention_days=7)
    limiter = RateLimiter(settings.messages_per_second)
    application = build_application(
        settings, coach, request=InProcessRequest(fake_api), limiter=limiter
    )
    [reminders] = built
    # Replies (through the Application bot's pipe) and reminders share one limiter.
    assert reminders.tick.dispatcher.limiter is limiter
    assert isinstance(application.bot.rate_limiter, OutboundPipe)
    assert application.bot.rate_limiter.limiter is limiter
    assert not reminders.running()
    assert application.post_init is not None and application.post_shutdown is not None

    await application.initialize()
    try:
        await application.post_init(application)  # what run_polling and run_webhook do
        assert reminders.running()
        assert reminders.job_interval() == timedelta(seconds=settings.tick_seconds)
        assert reminders.tick.dispatcher.delivery.retention == timedelta(days=7)
    finally:
        await application.shutdown()
        await application.post_shutdown(application)

    assert not reminders.running()
    assert reminders.job_interval() is None
    assert reminders.tick.dispatcher.stopping
