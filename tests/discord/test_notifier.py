"""The Discord notifier on the recorder: one request a message, its nonce, and each failure
named by Discord's error code."""

from __future__ import annotations

import pytest

from bot.delivery.notifier import DeliveryError, Rejected, RetryLater, Transient, Unreachable
from bot.services.presentation.replies import Message
from bot.services.presentation.text import bold, plain
from handlers.discord.notifier import DiscordNotifier
from handlers.live_questions import LiveQuestions
from tests.fake_discord.harness import DiscordHarness

CHANNEL = "701001"
PATH = f"/channels/{CHANNEL}/messages"


async def test_a_reminder_is_one_request_with_its_nonce(discord_bot: DiscordHarness) -> None:
    notifier = DiscordNotifier(discord_bot.client, LiveQuestions())
    sent = await notifier.send(CHANNEL, Message("Time for " + bold("strength")), nonce="12:0")
    (call,) = discord_bot.recorder.calls
    assert (call.method, call.path) == ("POST", PATH)
    assert call.body["content"] == "Time for **strength**"
    assert (call.body["nonce"], call.body["enforce_nonce"]) == ("12:0", True)
    assert call.body["allowed_mentions"] == {"parse": []}
    assert sent == discord_bot.recorder.in_channel(CHANNEL)[-1]["id"]


async def test_the_same_nonce_sent_again_is_one_message(discord_bot: DiscordHarness) -> None:
    notifier = DiscordNotifier(discord_bot.client, LiveQuestions())
    first = await notifier.send(CHANNEL, Message(plain("Hello")), nonce="12:0")
    again = await notifier.send(CHANNEL, Message(plain("Hello")), nonce="12:0")
    assert first == again
    assert len(discord_bot.recorder.in_channel(CHANNEL)) == 1


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (403, 50007, Unreachable),  # DMs closed, or the bot blocked
        (403, 50278, Unreachable),  # no mutual servers
        (404, 10003, Unreachable),  # the channel was deleted
        (404, 10013, Unreachable),  # the account was deleted
        (403, 50001, Unreachable),  # removed from the server
        (403, 50013, Unreachable),  # may no longer send in the club's channel
        (400, 50035, Rejected),  # a bad request
        (503, 0, Transient),  # a server error the library does not retry
    ],
)
async def test_failures_are_named_by_their_code(
    discord_bot: DiscordHarness, status: int, code: int, expected: type[DeliveryError]
) -> None:
    discord_bot.recorder.fail_next("POST", PATH, status, {"message": "no", "code": code})
    with pytest.raises(expected):
        await DiscordNotifier(discord_bot.client, LiveQuestions()).send(
            CHANNEL, Message(plain("Hi")), nonce="1:0"
        )
    assert len(discord_bot.recorder.calls) == 1  # no second try stacked on the library's


async def test_a_long_rate_limit_is_retry_later_without_sleeping(
    discord_bot: DiscordHarness,
) -> None:
    body = {"message": "You are being rate limited.", "retry_after": 90.0, "global": False}
    discord_bot.recorder.fail_next("POST", PATH, 429, body, {"Via": "1.1 google"})
    with pytest.raises(RetryLater) as raised:
        await DiscordNotifier(discord_bot.client, LiveQuestions()).send(
            CHANNEL, Message(plain("Hi")), nonce="1:0"
        )
    assert raised.value.seconds == 90.0


async def test_a_429_not_from_discords_api_is_retry_later(discord_bot: DiscordHarness) -> None:
    discord_bot.recorder.fail_next("POST", PATH, 429, {"message": "banned"})  # no Via: Cloudflare
    with pytest.raises(RetryLater):
        await DiscordNotifier(discord_bot.client, LiveQuestions()).send(
            CHANNEL, Message(plain("Hi")), nonce="1:0"
        )


async def hello(discord_bot: DiscordHarness) -> str:
    return await DiscordNotifier(discord_bot.client, LiveQuestions()).send(
        CHANNEL, Message(plain("Hi")), nonce="1:0"
    )
