"""The reminder tick forgets handled updates older than KEEP_HANDLED_UPDATES."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.services.infrastructure.inbound import Inbox
from bot.settings import Settings
from bot.storage.models import InboundUpdate
from schedules.scheduler import reminder_scheduler
from tests.fake_telegram import FakeBotAPI
from tests.schedules.conftest import Reminders


async def test_a_tick_forgets_updates_handled_longer_ago_than_kept(reminders: Reminders) -> None:
    inbox = Inbox(reminders.ctx, "telegram")
    for update_id in (1, 2):
        await inbox.receive({update_id: {"update_id": update_id}})
        async with inbox.handling(update_id):
            pass
    await inbox.receive({3: {"update_id": 3}})  # unhandled: kept whatever its age

    reminders.clock.advance(days=2, seconds=1)
    counts = await reminders.run()

    assert counts["pruned updates"] == 2
    async with reminders.database.unit_of_work() as uow:
        left = await uow.session.scalar(select(func.count()).select_from(InboundUpdate))
    assert left == 1


def test_the_tick_keeps_handled_updates_as_long_as_the_setting_says(
    reminders: Reminders, fake_api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEEP_HANDLED_UPDATES", "PT6H")
    settings = Settings(_env_file=None, telegram_bot_token=fake_api.token)
    scheduler = reminder_scheduler(reminders.ctx, reminders.tick.dispatcher.routes, settings)
    assert scheduler.tick.keep_handled_updates == timedelta(hours=6)
