"""An update that cannot be read stalls no one: it is set aside (stored with its id alone,
logged once in one line, without its content), the offset moves past it, and everyone
after it is answered, by polling and by webhook."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from bot.services.coach import HELP, Coach
from bot.storage.database import Database
from bot.storage.models import InboundUpdate
from handlers.telegram.reading import MAX_DEPTH
from tests.conftest import VirtualTime
from tests.fake_telegram import FakeBotAPI
from tests.logging_fixtures import guarded_libraries
from tests.telegram.conftest import ADA, BEA, WEBHOOK_SECRET, RunningBots, WebhookBot, command

SECRET = "my private note for the coach"
MESSAGE = {
    "message_id": 1,
    "date": 0,
    "chat": {"id": 1003, "type": "private"},
    "from": {"id": 1003, "is_bot": False, "first_name": "Zedekiah"},
    "text": SECRET,
}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# What follows '{"update_id": N, ' in each unreadable update.
SHAPES = {
    "1,000 deep": f'"message": {json.dumps(MESSAGE)}, "extra": {nested(1000)}}}',
    f"deeper than {MAX_DEPTH}, within JSON's own limit": (
        f'"message": {json.dumps(MESSAGE)}, "extra": {nested(100)}}}'
    ),
    "invalid JSON": f'"message": {json.dumps(MESSAGE)[:-1]}, }}}}',
    "not a message where one belongs": f'"message": {json.dumps(SECRET)}}}',
    "a huge body": f'"message": {json.dumps({**MESSAGE, "text": SECRET + "x" * 2_000_000})}}}',
}


@pytest.fixture(autouse=True)
def logs_as_the_bot_keeps_them() -> Iterator[None]:
    """The libraries' loggers guarded as ``trailcoach run`` guards them, at DEBUG."""
    with guarded_libraries("DEBUG"):
        yield


class NoPause(VirtualTime):
    """Fails on any pause: setting an update aside costs no failed poll."""

    async def sleep(self, seconds: float) -> None:
        raise AssertionError(f"polling paused {seconds} s: a poll or a store failed")


async def row_of(database: Database, update_id: int) -> InboundUpdate | None:
    async with database.unit_of_work() as uow:
        row: InboundUpdate | None = await uow.session.scalar(
            select(InboundUpdate).where(InboundUpdate.update_id == update_id)
        )
    return row


def assert_set_aside_once(caplog: pytest.LogCaptureFixture, update_id: int) -> None:
    """One line says the update was skipped; no line holds what it said or who sent it."""
    lines = [r.getMessage() for r in caplog.records if "cannot be read" in r.getMessage()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"update {update_id} cannot be read (")
    assert "\n" not in lines[0]
    assert SECRET not in caplog.text and "Zedekiah" not in caplog.text


@pytest.mark.parametrize("rest", SHAPES.values(), ids=SHAPES.keys())
async def test_polling_sets_an_unreadable_update_aside_and_answers_everyone_after_it(
    running: RunningBots,
    fake_api: FakeBotAPI,
    coach: Coach,
    caplog: pytest.LogCaptureFixture,
    rest: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_api.push_update(command("/help", ADA))
    poison = fake_api.push_raw_update(rest)
    bea = fake_api.push_update(command("/help", BEA))

    await running.start(time=NoPause())
    await fake_api.wait_for_message(BEA["id"])

    assert fake_api.sent_texts(ADA["id"]) == [HELP]
    assert fake_api.sent_texts(BEA["id"]) == [HELP]
    offsets = [int(call.params.get("offset", 0)) for call in fake_api.calls("getUpdates")]
    assert max(offsets) > poison and bea["update_id"] > poison  # the offset moved past it
    row = await row_of(coach.ctx.database, poison)
    assert row is not None and row.payload is None  # its id kept, and nothing it said
    assert_set_aside_once(caplog, poison)


async def test_an_unknown_top_level_field_is_handled_as_usual(
    running: RunningBots, fake_api: FakeBotAPI
) -> None:
    fake_api.push_update({**command("/help", ADA), "a_future_field": {"of": ["any", 1]}})

    await running.start()

    await fake_api.wait_for_message(ADA["id"])
    assert fake_api.sent_texts(ADA["id"]) == [HELP]


@pytest.mark.parametrize("rest", SHAPES.values(), ids=SHAPES.keys())
async def test_the_webhook_sets_an_unreadable_update_aside_with_200_so_telegram_moves_on(
    webhook_bot: WebhookBot,
    fake_api: FakeBotAPI,
    coach: Coach,
    caplog: pytest.LogCaptureFixture,
    rest: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with httpx.AsyncClient(base_url=webhook_bot.base_url, trust_env=False) as client:
        response = await client.post(
            "/telegram",
            content=f'{{"update_id": 77, {rest}'.encode(),
            headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
        )
    assert response.status_code == 200

    row = await row_of(coach.ctx.database, 77)
    assert row is not None
    assert_set_aside_once(caplog, 77)
