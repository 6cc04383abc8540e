"""Replies go through one pipe: paced on the limiter reminders share, 429s waited out."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import RetryAfter

from bot.delivery.rate_limit import RateLimiter
from bot.services.coach import HELP
from bot.services.infrastructure.inbound import Lapsed
from handlers.telegram.pipe import OutboundPipe, posts_a_message
from tests.conftest import VirtualTime
from tests.fake_telegram import FakeBotAPI, errors, updates
from tests.telegram.conftest import (
    ADA,
    BEA,
    JSONDict,
    RunningBots,
    command,
    virtual_limiter,
)


@dataclass
class HeldTime(VirtualTime):
    """Virtual time whose long waits (a 429's) are held until the test releases them."""

    hold_from: float = 2.0
    held: list[float] = field(default_factory=list)
    _holding: asyncio.Event = field(default_factory=asyncio.Event)
    _released: asyncio.Event = field(default_factory=asyncio.Event)

    async def sleep(self, seconds: float) -> None:
        if seconds >= self.hold_from:
            self.held.append(seconds)
            self._holding.set()
            await self._released.wait()
        await super().sleep(seconds)

    async def until_held(self) -> None:
        async with asyncio.timeout(5):
            await self._holding.wait()

    def release(self) -> None:
        self._released.set()


@pytest.fixture
def held_time(running: RunningBots) -> Any:
    """Released before the bot stops, whatever the test did."""
    time = HeldTime()
    yield time
    time.release()


async def test_a_429_on_a_reply_is_waited_out_and_delivered_while_others_are_served(
    running: RunningBots, fake_api: FakeBotAPI, held_time: HeldTime
) -> None:
    fake_api.fail_next("sendMessage", errors.too_many_requests(3), chat_id=ADA["id"])
    fake_api.push_update(command("/help", ADA))
    await running.start(limiter=virtual_limiter(held_time))

    await held_time.until_held()
    assert held_time.held == [pytest.approx(3, abs=0.01)]  # Telegram's retry_after
    fake_api.push_update(command("/help", BEA))
    await fake_api.wait_for_message(BEA["id"])  # Bea is answered while Ada's reply waits
    assert fake_api.sent_texts(ADA["id"]) == []

    held_time.release()
    await fake_api.wait_for_message(ADA["id"])
    assert fake_api.sent_texts(ADA["id"]) == [HELP]  # late, not lost, and once
    to_ada = [c for c in fake_api.calls("sendMessage") if c.params["chat_id"] == ADA["id"]]
    assert len(to_ada) == 2


def flood(seconds: int) -> RetryAfter:
    return RetryAfter(timedelta(seconds=seconds))


async def test_a_message_meeting_429_after_429_gives_up_after_five_waits() -> None:
    time = VirtualTime()
    pipe = OutboundPipe(RateLimiter(30, clock=time, sleep=time.sleep), sleep=time.sleep)
    attempts = 0

    async def always_flooded() -> bool:
        nonlocal attempts
        attempts += 1
        raise flood(2)

    with pytest.raises(RetryAfter):
        await pipe.process_request(always_flooded, (), {}, "sendMessage", {"chat_id": 7}, None)
    assert attempts == 6
    assert sum(time.sleeps) >= 5 * 2  # each 429 waited out before the next try


async def test_no_call_goes_out_for_an_update_that_is_no_longer_this_instances() -> None:
    """Issue 30: an instance that outlived its lease may have lost the conversation."""
    time = VirtualTime()
    ours = [True]

    async def fence() -> bool:
        return ours[0]

    pipe = OutboundPipe(
        RateLimiter(30, clock=time, sleep=time.sleep), fence=fence, sleep=time.sleep
    )
    calls: list[str] = []

    async def call(endpoint: str) -> bool:
        calls.append(endpoint)
        return True

    await pipe.process_request(call, ("sendMessage",), {}, "sendMessage", {"chat_id": 7}, None)
    ours[0] = False
    with pytest.raises(Lapsed):
        await pipe.process_request(call, ("editMessageText",), {}, "editMessageText", {}, None)
    assert calls == ["sendMessage"]


async def test_only_new_messages_wait_for_a_slot_but_every_429_is_waited_out() -> None:
    time = VirtualTime()
    limiter = RateLimiter(30, clock=time, sleep=time.sleep)
    pipe = OutboundPipe(limiter, sleep=time.sleep)
    answers: list[str] = []

    async def answer(endpoint: str) -> bool:
        answers.append(endpoint)
        if len(answers) == 1:
            raise flood(4)
        return True

    for endpoint in ("answerCallbackQuery", "editMessageText", "editMessageText"):
        await pipe.process_request(answer, (endpoint,), {}, endpoint, {"chat_id": 7}, None)
    assert time.sleeps == [4]  # the 429, and no spacing between two edits of one chat
    assert [posts_a_message(e) for e in ("sendMessage", "sendDocument", "sendChatAction")] == [
        True,
        True,
        False,
    ]


async def test_an_edit_is_answered_true_and_no_message_is_built_of_it(
    running: RunningBots, fake_api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = await running.start()
    bot = application.bot
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    sent = await bot.send_message(ADA["id"], "Pick one", reply_markup=buttons)
    built: list[Message] = []
    monkeypatch.setattr(Message, "de_json", lambda data, bot: built.append(data))

    cleared = await bot.edit_message_reply_markup(ADA["id"], sent.message_id, reply_markup=None)
    edited = await bot.edit_message_text("Picked", chat_id=ADA["id"], message_id=sent.message_id)

    assert edited is True and cleared is True
    assert built == []
    assert fake_api.sent_texts(ADA["id"]) == ["Picked"]  # the edit went through


def a_429(api: FakeBotAPI, _limiter: RateLimiter, runner: JSONDict) -> None:
    api.fail_next("sendMessage", errors.too_many_requests(30), chat_id=runner["id"])


def the_chats_limit(_api: FakeBotAPI, limiter: RateLimiter, runner: JSONDict) -> None:
    limiter.pause(30, chat_id=str(runner["id"]))


@pytest.mark.parametrize("hold", [a_429, the_chats_limit])
async def test_replies_held_by_telegrams_limits_hold_no_slot_so_other_runners_are_answered(
    running: RunningBots,
    fake_api: FakeBotAPI,
    held_time: HeldTime,
    hold: Callable[[FakeBotAPI, RateLimiter, JSONDict], None],
) -> None:
    limiter = virtual_limiter(held_time)
    cy = updates.user(user_id=1003, first_name="Cy")
    for runner in (ADA, cy):  # as many replies held as there are slots
        hold(fake_api, limiter, runner)
        fake_api.push_update(command("/help", runner))
    await running.start(limiter=limiter, concurrent_updates=2)
    await held_time.until_held()

    fake_api.push_update(command("/help", BEA))

    await fake_api.wait_for_message(BEA["id"])
    assert fake_api.sent_messages(ADA["id"]) == [] and fake_api.sent_messages(cy["id"]) == []
    held_time.release()
    await fake_api.wait_for_message(ADA["id"])
    await fake_api.wait_for_message(cy["id"])


async def test_one_at_a_time_means_one_update_reply_and_all(
    running: RunningBots, fake_api: FakeBotAPI, held_time: HeldTime
) -> None:
    fake_api.fail_next("sendMessage", errors.too_many_requests(30), chat_id=ADA["id"])
    fake_api.push_update(command("/help", ADA))
    fake_api.push_update(command("/help", BEA))
    await running.start(limiter=virtual_limiter(held_time), concurrent_updates=1)
    assert running.adapter.conversations.limit == 1
    await held_time.until_held()

    for _ in range(50):
        await asyncio.sleep(0)  # turns of the loop for Bea's update, were it handed over
    assert fake_api.sent_messages(BEA["id"]) == []
    held_time.release()
    await fake_api.wait_for_message(BEA["id"])
    assert [call.params["chat_id"] for call in fake_api.calls("sendMessage")] == [
        ADA["id"],  # refused with a 429
        ADA["id"],
        BEA["id"],
    ]
