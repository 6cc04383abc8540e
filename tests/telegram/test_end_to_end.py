"""End to end over loopback HTTP: python-telegram-bot's real HTTP stack against the fake server.

The bot is configured only through TELEGRAM_API_BASE_URL; the test acts as a runner by
pushing updates into the fake Bot API and waiting for the bot's answers.
"""

from __future__ import annotations

from typing import Any

from handlers.telegram.application import CoachApplication
from tests.conftest import KNEE_PAIN_CHECK_IN, FakeClock, Script, onboarding
from tests.fake_telegram import FakeBotAPI, updates
from tests.telegram.conftest import WebhookBot

JSONDict = dict[str, Any]
ANSWERS = ("sendMessage", "editMessageText", "sendPhoto", "sendDocument")
"""The calls that answer an update: a message sent, or one edited in place."""


class HttpRunner:
    """A runner whose updates travel to the bot through the fake server."""

    def __init__(self, api: FakeBotAPI) -> None:
        self.api = api
        self.user = updates.user(user_id=4242, first_name="Kilian")

    @property
    def chat_id(self) -> int:
        return int(self.user["id"])

    async def act(self, update: JSONDict) -> str:
        """Push an update and wait for the bot's answer (a message sent, or one edited in
        place); returns the latest text."""
        before = self._answers()
        self.api.push_update(update)
        await self.api.wait_until(lambda: self._answers() > before or None, within=10)
        return str(self.api.sent_texts(self.chat_id)[-1])

    def _answers(self) -> int:
        return sum(len(self.api.calls(method)) for method in ANSWERS)

    async def send(self, text: str) -> str:
        return await self.act(updates.text_message(text=text, from_user=self.user))

    async def press(self, label: str) -> str:
        """Press the newest button with this label, once a message offers it."""
        message, data = await self.api.wait_until(lambda: self._offering(label), within=10)
        return await self.act(
            updates.callback_query(message=message, data=data, from_user=self.user)
        )

    def _offering(self, label: str) -> tuple[JSONDict, str] | None:
        for message in reversed(self.api.sent_messages(self.chat_id)):
            markup = message.get("reply_markup") or {}
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if str(button["text"]).removeprefix("✓ ") == label:
                        return message, str(button["callback_data"])
        return None

    async def follow(self, script: Script) -> None:
        """Do every step of a script."""
        for kind, value in script:
            await (self.send(value) if kind == "say" else self.press(value))

    @property
    def last_text(self) -> str:
        return str(self.api.sent_texts(self.chat_id)[-1])

    async def today_until_a_session(self, clock: FakeClock) -> str:
        for _ in range(8):
            text = await self.send("/today")
            if "✅" in str(self.api.last_message(self.chat_id).get("reply_markup", "")):
                return text
            clock.advance(days=1)
        raise AssertionError("no session within a week")


KNEE_REPLY = "You said your knee hurt (5/10) and hadn't settled"


async def knee_pain_scenario(runner: HttpRunner, clock: FakeClock) -> None:
    """/start → onboarding → /today → Done → answers → check-in with knee pain → /today."""
    await runner.follow(onboarding(kit=("Step or sturdy box", "Sliders or a towel")))
    assert "You're all set" in runner.last_text
    assert "not a medical service" in "\n".join(runner.api.sent_texts(runner.chat_id))

    first = await runner.today_until_a_session(clock)
    assert "Check your form" not in first
    await runner.press("✅ Done")
    await runner.press("All of it")
    await runner.press("OK")
    text = await runner.press("Nothing hurt")
    if "hips stay level" in text:
        text = await runner.press("Yes, level")
    assert "check in tomorrow" in text

    clock.advance(days=1)
    await runner.follow(KNEE_PAIN_CHECK_IN)
    assert KNEE_REPLY in runner.last_text

    reduced = await runner.today_until_a_session(clock)
    assert "Check your form on this one" in reduced


async def test_polling_end_to_end(
    http_app: CoachApplication, fake_api: FakeBotAPI, clock: FakeClock
) -> None:
    await knee_pain_scenario(HttpRunner(fake_api), clock)


async def test_webhook_end_to_end_with_secret(
    webhook_bot: WebhookBot, fake_api: FakeBotAPI, clock: FakeClock
) -> None:
    assert fake_api.webhook is not None and fake_api.webhook.secret_token

    await knee_pain_scenario(HttpRunner(fake_api), clock)
