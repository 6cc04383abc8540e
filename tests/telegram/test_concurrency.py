"""Updates of different people are handled at the same time; one person's, strictly in order."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from bot.services.coach import HELP
from tests.fake_telegram import FakeBotAPI, HeldRequest, updates
from tests.telegram.conftest import ADA, BEA, RunningBots, TelegramUser, command


@pytest.fixture
def held(running: RunningBots, fake_api: FakeBotAPI) -> Iterator[HeldRequest]:
    """Sends held per chat; all released before the bot stops, whatever the test did."""
    request = HeldRequest(fake_api)
    yield request
    request.release_all()


async def test_one_persons_batch_is_handled_in_order_while_another_person_overlaps(
    running: RunningBots, fake_api: FakeBotAPI, held: HeldRequest
) -> None:
    held.hold(ADA["id"], BEA["id"])
    for text, sender in (("/help", ADA), ("/nonsense", ADA), ("/help", BEA)):
        fake_api.push_update(command(text, sender))  # one getUpdates batch of three
    await running.start(request=held)
    conversations = running.adapter.conversations

    # Ada's first reply and Bea's are in flight at once: different people overlap.
    await held.until(lambda: held.started(ADA["id"]) >= 1 and held.started(BEA["id"]) >= 1)
    held.release(BEA["id"])
    await fake_api.wait_for_message(BEA["id"])
    async with asyncio.timeout(5):
        while conversations.waiting != 1:  # noqa: ASYNC110 - Ada's second waits for her first
            await asyncio.sleep(0)  # a turn of the loop, not the wall clock
    assert held.started(ADA["id"]) == 1

    held.release(ADA["id"])
    await fake_api.wait_for_message(ADA["id"], count=2)
    assert fake_api.sent_texts(ADA["id"]) == [
        HELP,
        "I don't know /nonsense. Send /help to see what I can do.",
    ]
    ada = [event for event in held.log if event[1] == ADA["id"]]
    assert ada == [("start", ADA["id"]), ("end", ADA["id"])] * 2


async def test_one_persons_backlog_holds_no_slot_while_it_waits_its_turn(
    running: RunningBots, fake_api: FakeBotAPI, held: HeldRequest
) -> None:
    held.hold(ADA["id"])
    for _ in range(3):  # more of Ada's updates than there are slots
        fake_api.push_update(command("/help", ADA))
    await running.start(request=held, concurrent_updates=2)
    await held.until(lambda: held.started(ADA["id"]) == 1)

    fake_api.push_update(command("/help", BEA))

    await fake_api.wait_for_message(BEA["id"])  # while Ada's first reply is still held
    assert held.started(ADA["id"]) == 1
    held.release(ADA["id"])
    await fake_api.wait_for_message(ADA["id"], count=3)


async def test_a_press_is_answered_while_its_message_is_still_being_edited(
    running: RunningBots, fake_api: FakeBotAPI
) -> None:
    edits = HeldRequest(fake_api, method="editMessageText")
    application = await running.start(request=edits)
    fake_api.push_update(command("/start", ADA))
    question = await fake_api.wait_for_message(ADA["id"], count=2)  # the welcome, the question
    edits.hold(ADA["id"])
    try:
        first = TelegramUser(application, fake_api, ADA).buttons(question)[0]
        fake_api.push_update(
            updates.callback_query(message=question, data=first["callback_data"], from_user=ADA)
        )

        # The press is answered while the question's edit is still on its way.
        await fake_api.wait_for_call("answerCallbackQuery")
        assert edits.log == [("start", ADA["id"])]
    finally:
        edits.release(ADA["id"])
    await edits.until(lambda: ("end", ADA["id"]) in edits.log)
    assert "What is Monday usually?" in fake_api.sent_messages(ADA["id"])[-1]["text"]
