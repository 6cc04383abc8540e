"""A reply is the one effect that goes out after the commit (issue 30): a process that dies
between the commit of an update's effects and its reply leaves the reply owed, and whoever
takes the conversation up next sends it, once, without handling the update again."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.services.infrastructure.instances import Instance
from tests.conftest import FakeClock
from tests.fake_telegram import FakeBotAPI, HeldRequest, updates
from tests.fake_telegram.api import JSONDict
from tests.telegram.conftest import ADA, RunningBots, command

LEASE = timedelta(seconds=10)


@pytest.fixture
def held(fake_api: FakeBotAPI) -> Iterator[HeldRequest]:
    """Sends held per chat; all released before the bots stop."""
    request = HeldRequest(fake_api)
    yield request
    request.release_all()


async def test_a_reply_cut_off_after_the_commit_is_sent_once_by_the_next_instance(
    running: RunningBots, fake_api: FakeBotAPI, held: HeldRequest, clock: FakeClock
) -> None:
    dead, alive = await instances(running)
    held.hold(ADA["id"])
    await running.start(request=held, instance=dead, sweep_seconds=3600)
    fake_api.push_update(command("/start", ADA))
    await held.until(lambda: held.started(ADA["id"]) == 1)  # committed; the reply on its way
    die_mid_reply(ADA)
    assert fake_api.sent_texts(ADA["id"]) == []

    await take_over(running, alive, clock)

    await fake_api.wait_for_message(ADA["id"], count=2)
    hello, question = fake_api.sent_texts(ADA["id"])  # /start's reply, once
    assert hello.startswith("Hi! I'm your trail strength coach.")
    assert question == EXPERIENCE
    assert await running.adapter.intake.inbox.unhandled() == []


async def test_a_pressed_buttons_answer_cut_off_is_given_once_by_the_next_instance(
    running: RunningBots, fake_api: FakeBotAPI, clock: FakeClock
) -> None:
    dead, alive = await instances(running)
    held = HeldRequest(fake_api, method="editMessageText")
    await running.start(request=held, instance=dead, sweep_seconds=3600)
    fake_api.push_update(command("/start", ADA))
    await fake_api.wait_for_message(ADA["id"], count=2)
    asked = fake_api.last_message(ADA["id"])
    held.hold(ADA["id"])
    fake_api.push_update(press(asked, "None yet"))
    await held.until(lambda: held.started(ADA["id"]) == 1)  # the answer went in; the edit hangs
    die_mid_reply(ADA)

    await take_over(running, alive, clock)

    await fake_api.wait_for_call("editMessageText")
    [edit] = fake_api.calls("editMessageText")
    assert edit.params["message_id"] == asked["message_id"]  # the next question, in its place
    assert edit.params["text"] == "Experience: None yet\n\nWhat is Monday usually?"  # once
    assert fake_api.calls("answerCallbackQuery")  # the press answered too
    assert await running.adapter.intake.inbox.unhandled() == []
    held.release_all()


EXPERIENCE = "How much structured strength training have you done?"


async def instances(running: RunningBots) -> tuple[Instance, Instance]:
    """Two instances on the bots' database, both alive."""
    pair = Instance(running.coach.ctx, lease=LEASE), Instance(running.coach.ctx, lease=LEASE)
    for instance in pair:
        await instance.beat()
    return pair


def die_mid_reply(sender: JSONDict) -> None:
    """What ``kill -9`` does to the instance handling ``sender``'s conversation: its work
    stops where it is, and nothing after it runs (its beats stop too: the test beats it no
    more)."""
    for task in asyncio.all_tasks():
        if task.get_name() == f"telegram-conversation-User:{sender['id']}":
            task.cancel()


async def take_over(running: RunningBots, alive: Instance, clock: FakeClock) -> None:
    """Start ``alive`` once the dead instance's lease has lapsed: it takes up what is left."""
    clock.advance(seconds=11)
    await alive.beat()
    await running.start(instance=alive, sweep_seconds=3600)


def press(message: JSONDict, label: str) -> JSONDict:
    """Ada presses the button ``label`` of ``message``."""
    data = next(
        button["callback_data"]
        for row in message["reply_markup"]["inline_keyboard"]
        for button in row
        if button["text"] == label
    )
    return updates.callback_query(message=message, data=data, from_user=ADA)
