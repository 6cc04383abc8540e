"""Each update is stored as Telegram sent it: its JSON, not python-telegram-bot's objects
written back (which add fields of their own), by polling and by webhook."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from bot.services.coach import HELP
from bot.services.infrastructure.inbound import Inbox
from tests.fake_telegram import FakeBotAPI, FakeBotAPIServer
from tests.telegram.conftest import ADA, JSONDict, RunningBots, WebhookBot, command


@pytest.fixture
def stored(monkeypatch: pytest.MonkeyPatch) -> dict[int, JSONDict]:
    """The payloads given to the inbox to store, by update id."""
    payloads: dict[int, JSONDict] = {}
    receive = Inbox.receive

    async def recorded(
        inbox: Inbox, given: Mapping[int, JSONDict], *args: Any, **kw: Any
    ) -> set[int]:
        payloads.update(given)
        return await receive(inbox, given, *args, **kw)

    monkeypatch.setattr(Inbox, "receive", recorded)
    return payloads


def with_a_field_unknown_to_the_library(update: JSONDict) -> JSONDict:
    return {**update, "message": {**update["message"], "a_newer_field": {"kept": True}}}


async def test_polling_stores_each_update_as_the_answer_held_it(
    running: RunningBots, fake_api: FakeBotAPI, stored: dict[int, JSONDict]
) -> None:
    await running.start()
    update = fake_api.push_update(with_a_field_unknown_to_the_library(command("/help", ADA)))

    await fake_api.wait_for_message(ADA["id"])

    assert stored == {update["update_id"]: update}
    assert fake_api.sent_texts(ADA["id"]) == [HELP]


async def test_the_webhook_stores_the_update_as_posted(
    webhook_bot: WebhookBot,
    fake_server: FakeBotAPIServer,
    fake_api: FakeBotAPI,
    stored: dict[int, JSONDict],
) -> None:
    update = {**with_a_field_unknown_to_the_library(command("/help", ADA)), "update_id": 5}

    assert await fake_server.post_to_webhook(update) == 200

    assert stored == {5: update}
    await fake_api.wait_for_message(ADA["id"])
    assert fake_api.sent_texts(ADA["id"]) == [HELP]
