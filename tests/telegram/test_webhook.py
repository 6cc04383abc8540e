"""The bot's own webhook server: Telegram's POSTs are checked, stored, then answered; the
same server serves the calendar links, and stops cleanly."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from bot import bootstrap
from bot.services.coach import HELP, Coach
from bot.storage.database import Database
from bot.storage.models import InboundUpdate
from handlers.lifecycle import CONFIGURATION, CannotRun
from tests.conftest import onboarding
from tests.fake_telegram import FakeBotAPI, FakeBotAPIServer
from tests.telegram.conftest import ADA, WEBHOOK_SECRET, WebhookBot, command, settings_for
from tests.telegram.test_end_to_end import HttpRunner

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def stored(database: Database) -> int:
    async with database.unit_of_work() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(InboundUpdate))
    return int(count or 0)


async def post(bot: WebhookBot, body: Any, headers: dict[str, str]) -> int:
    async with httpx.AsyncClient(base_url=bot.base_url, trust_env=False) as client:
        response = await client.post("/telegram", json=body, headers=headers)
    return response.status_code


async def test_telegram_is_told_where_to_post_with_the_secret(
    webhook_bot: WebhookBot, fake_api: FakeBotAPI
) -> None:
    assert fake_api.webhook is not None
    assert fake_api.webhook.url == f"{webhook_bot.base_url}/telegram"
    assert fake_api.webhook.secret_token == WEBHOOK_SECRET


async def test_an_update_is_stored_answered_200_and_handled(
    webhook_bot: WebhookBot, fake_server: FakeBotAPIServer, fake_api: FakeBotAPI, coach: Coach
) -> None:
    assert await fake_server.post_to_webhook({**command("/help", ADA), "update_id": 5}) == 200
    assert await stored(coach.ctx.database) == 1
    await fake_api.wait_for_message(ADA["id"])
    assert fake_api.sent_texts(ADA["id"]) == [HELP]


async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_stored(
    webhook_bot: WebhookBot, fake_server: FakeBotAPIServer, fake_api: FakeBotAPI, coach: Coach
) -> None:
    update = {**command("/help", ADA), "update_id": 6}
    assert await fake_server.post_to_webhook(update, secret_token="wrong-secret-0123") == 403
    assert await post(webhook_bot, update, {}) == 403
    assert await post(webhook_bot, update, {SECRET_HEADER: WEBHOOK_SECRET[:-1]}) == 403
    assert await stored(coach.ctx.database) == 0
    assert fake_api.sent_messages(ADA["id"]) == []


async def test_a_body_that_is_not_an_update_is_refused(
    webhook_bot: WebhookBot, coach: Coach
) -> None:
    good = {SECRET_HEADER: WEBHOOK_SECRET}
    for body in ({"hello": "there"}, [1, 2], {"update_id": "seven"}):
        assert await post(webhook_bot, body, good) == 400
    async with httpx.AsyncClient(base_url=webhook_bot.base_url, trust_env=False) as client:
        response = await client.post("/telegram", content=b"{not json", headers=good)
    assert response.status_code == 400
    assert await stored(coach.ctx.database) == 0


async def test_only_post_reaches_the_webhook(webhook_bot: WebhookBot) -> None:
    async with httpx.AsyncClient(base_url=webhook_bot.base_url, trust_env=False) as client:
        assert (await client.get("/telegram")).status_code == 405
        assert (await client.get("/")).status_code == 404


async def test_the_calendar_link_is_served_by_the_same_server_and_reset_revokes_it(
    webhook_bot: WebhookBot, fake_api: FakeBotAPI, fake_server: FakeBotAPIServer
) -> None:

    runner = HttpRunner(fake_api)
    await runner.follow(onboarding())
    await runner.act(command("/calendar", runner.user))
    await fake_api.wait_until(lambda: "subscription" in runner.last_text or None)
    (document,) = [m for m in fake_api.sent_messages(runner.chat_id) if "document" in m]
    assert document["document"]["file_name"] == "strength-sessions.ics"
    link = [w for w in runner.last_text.split() if w.startswith(f"{webhook_bot.base_url}/")]
    assert len(link) == 1
    path = urlsplit(link[0]).path

    async with httpx.AsyncClient(base_url=webhook_bot.base_url, trust_env=False) as client:
        served = await client.get(path)
        assert served.status_code == 200
        events = Calendar.from_ical(served.content).walk("VEVENT")
        assert len(events) == 8

        text = await runner.send("/calendar reset")
        assert "no longer works" in text
        (new,) = [w for w in text.split() if w.startswith(f"{webhook_bot.base_url}/")]
        assert (await client.get(path)).status_code == 404
        assert (await client.get(urlsplit(new).path)).status_code == 200


async def test_a_port_already_taken_is_one_line_to_act_on(
    fake_server: FakeBotAPIServer, fake_api: FakeBotAPI, coach: Coach
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = settings_for(
            fake_api,
            telegram_api_base_url=fake_server.base_url,
            webhook_url=f"https://coach.example.org:{port}/telegram",
            webhook_secret=WEBHOOK_SECRET,
            webhook_listen="127.0.0.1",
            webhook_port=port,
        )
        adapter = bootstrap.telegram(settings, coach).adapter
        try:
            await adapter.open()
            with pytest.raises(CannotRun) as refused:
                await adapter.start()
        finally:
            await adapter.stop()
    assert refused.value.status == CONFIGURATION
    assert refused.value.line.startswith(f"cannot listen on 127.0.0.1:{port} (")
    assert "WEBHOOK_PORT" in refused.value.line
    assert fake_api.webhook is None  # Telegram was never told to post there
