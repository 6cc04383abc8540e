"""The coach's real Telegram Application on the in-process fake Bot API, and a user acting on it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from telegram.request import BaseRequest

from bot import bootstrap
from bot.delivery.rate_limit import RateLimiter
from bot.services.coach import Coach
from bot.services.infrastructure.instances import Instance
from bot.settings import Settings
from handlers.live_questions import LiveQuestions
from handlers.telegram.adapter import TelegramAdapter
from handlers.telegram.application import CoachApplication, build_application
from tests.adapter_fixtures import coach, engine
from tests.conftest import Script, VirtualTime, onboarding
from tests.fake_telegram import (
    FakeBotAPI,
    FakeBotAPIServer,
    HandlerErrors,
    InProcessRequest,
    fail_on_handler_error,
    free_port,
    process,
    updates,
)

__all__ = ["coach", "engine"]  # the shared fixtures, re-exported for this folder

JSONDict = dict[str, Any]


def settings_for(api: FakeBotAPI, **overrides: Any) -> Settings:
    """Settings for the fake, ignoring any .env file and environment on the machine."""
    return Settings(_env_file=None, telegram_bot_token=api.token, **overrides)


def virtual_limiter(time: VirtualTime | None = None) -> RateLimiter:
    """Telegram's limits kept on virtual time: a message never waits on the wall clock."""
    time = time or VirtualTime()
    return RateLimiter(30, clock=time, sleep=time.sleep)


@dataclass
class TelegramUser:
    """A person in a private chat with the bot: sends text, presses buttons by label."""

    application: CoachApplication
    api: FakeBotAPI
    user: JSONDict = field(default_factory=updates.user)

    @property
    def chat_id(self) -> int:
        return int(self.user["id"])

    async def deliver(self, update: JSONDict) -> None:
        """Have the Application handle an update (straight away: it is not stored)."""
        await process(self.application, update)

    async def send(self, text: str) -> None:
        await self.deliver(updates.text_message(text=text, from_user=self.user))

    async def share_location(self, *, latitude: float, longitude: float) -> None:
        update = updates.location_message(
            latitude=latitude, longitude=longitude, from_user=self.user
        )
        await self.deliver(update)

    async def press(self, label: str, *, on: JSONDict | None = None) -> None:
        message = on or self.message_with(label)
        data = self.data_of(message, label)
        update = updates.callback_query(message=message, data=data, from_user=self.user)
        await self.deliver(update)

    def message_with(self, label: str) -> JSONDict:
        for message in reversed(self.api.sent_messages(self.chat_id)):
            if any(self._matches(b, label) for b in self.buttons(message)):
                return message
        raise AssertionError(f"no message offers {label!r}; last: {self.texts[-1:]}")

    def data_of(self, message: JSONDict, label: str) -> str:
        return next(
            str(b["callback_data"]) for b in self.buttons(message) if self._matches(b, label)
        )

    @staticmethod
    def buttons(message: JSONDict) -> list[JSONDict]:
        markup = message.get("reply_markup") or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]

    @staticmethod
    def _matches(button: JSONDict, label: str) -> bool:
        return str(button["text"]).removeprefix("✓ ") == label

    @property
    def texts(self) -> list[str]:
        return self.api.sent_texts(self.chat_id)

    @property
    def toasts(self) -> list[str]:
        """What each answer to a pressed button said to the presser (empty: nothing)."""
        return [
            str(call.params.get("text") or "") for call in self.api.calls("answerCallbackQuery")
        ]

    @property
    def live(self) -> list[JSONDict]:
        """The bot's messages in the chat that still offer buttons."""
        return [m for m in self.api.sent_messages(self.chat_id) if self.buttons(m)]

    @property
    def last_text(self) -> str:
        return self.texts[-1]

    async def follow(self, script: Script) -> None:
        """Do every step of a script."""
        for kind, value in script:
            await (self.send(value) if kind == "say" else self.press(value))

    async def onboard(self, *, kit: tuple[str, ...] = ()) -> None:
        await self.follow(onboarding(kit=kit))


BuildApp = Callable[[], CoachApplication]


@pytest.fixture
async def started_apps(
    fake_api: FakeBotAPI,
) -> AsyncIterator[list[tuple[CoachApplication, HandlerErrors]]]:
    """Every Application a test starts; each fails the test if a handler raised."""
    apps: list[tuple[CoachApplication, HandlerErrors]] = []
    yield apps
    for application, _errors in reversed(apps):
        await application.shutdown()
    for _application, errors in apps:
        errors.assert_none()


@pytest.fixture
def new_app(
    fake_api: FakeBotAPI, coach: Coach, started_apps: list[tuple[CoachApplication, HandlerErrors]]
) -> Callable[[], Any]:
    """Build and initialize another Application on the same fake and database (a restart)."""

    async def build() -> CoachApplication:
        application = build_application(
            settings_for(fake_api),
            Coach(coach.ctx),
            limiter=virtual_limiter(),
            questions=LiveQuestions(),
            request=InProcessRequest(fake_api),
        )
        started_apps.append((application, fail_on_handler_error(application)))
        await application.initialize()
        return application

    return build


@pytest.fixture
async def ada(new_app: Callable[[], Any], fake_api: FakeBotAPI) -> TelegramUser:
    return TelegramUser(await new_app(), fake_api)


@pytest.fixture
async def http_app(
    fake_server: FakeBotAPIServer, fake_api: FakeBotAPI, coach: Coach
) -> AsyncIterator[CoachApplication]:
    """The bot's Application, started as ``trailcoach run`` starts it (token checked, command
    menu set, polling), pointed at the fake server by TELEGRAM_API_BASE_URL only."""
    settings = settings_for(fake_api, telegram_api_base_url=fake_server.base_url)
    adapter = bootstrap.telegram(settings, coach, limiter=virtual_limiter()).adapter
    errors = fail_on_handler_error(adapter.application)
    await adapter.open()
    await adapter.start()
    yield adapter.application
    await adapter.stop()
    errors.assert_none()


class RunningBots:
    """Starts the bot's Telegram side as ``trailcoach run`` does (open, start: recovery,
    polling) on the fake."""

    def __init__(self, api: FakeBotAPI, coach: Coach) -> None:
        self.api = api
        self.coach = coach
        self._adapters: list[tuple[TelegramAdapter, HandlerErrors]] = []

    async def start(
        self,
        *,
        request: BaseRequest | None = None,
        limiter: RateLimiter | None = None,
        time: VirtualTime | None = None,
        instance: Instance | None = None,
        sweep_seconds: float | None = None,
        **settings: Any,
    ) -> CoachApplication:
        """Build, open and start one Application polling the fake (as ``instance``, among
        several, looking for conversations left behind every ``sweep_seconds``); its pauses
        (between tries to store, after a failed poll) on ``time``, virtual."""
        adapter = bootstrap.telegram(
            settings_for(self.api, **settings),
            Coach(self.coach.ctx),
            instance=instance,
            limiter=limiter or virtual_limiter(),
            request=request or InProcessRequest(self.api),
            sleep=(time or VirtualTime()).sleep,
            sweep_seconds=sweep_seconds,
        ).adapter
        self._adapters.append((adapter, fail_on_handler_error(adapter.application)))
        await adapter.open()
        await adapter.start()
        return adapter.application

    @property
    def adapter(self) -> TelegramAdapter:
        """The newest adapter started."""
        return self._adapters[-1][0]

    @property
    def adapters(self) -> list[TelegramAdapter]:
        """Every adapter started, oldest first."""
        return [adapter for adapter, _ in self._adapters]

    @property
    def handler_errors(self) -> list[BaseException]:
        """What the newest Application's handlers raised (a test clears what it caused)."""
        return self._adapters[-1][1].errors

    async def close(self) -> None:
        """Stop every Application, newest first, and fail if a handler raised."""
        for adapter, _ in reversed(self._adapters):
            await adapter.stop()
        for _, errors in self._adapters:
            errors.assert_none()


ADA = updates.user(user_id=1001, first_name="Ada")
BEA = updates.user(user_id=1002, first_name="Bea")


def command(text: str, sender: JSONDict) -> JSONDict:
    """An update: ``sender`` sends ``text`` in their private chat with the bot."""
    return updates.text_message(text=text, from_user=sender)


@pytest.fixture
async def running(fake_api: FakeBotAPI, coach: Coach) -> AsyncIterator[RunningBots]:
    """Start the bot on the fake; every Application started fails the test on handler errors."""
    bots = RunningBots(fake_api, coach)
    try:
        yield bots
    finally:
        await bots.close()


WEBHOOK_SECRET = "webhookSecret_0123456789"


@dataclass
class WebhookBot:
    """The bot serving its webhook and calendar links on 127.0.0.1, as ``trailcoach run``."""

    adapter: TelegramAdapter
    base_url: str

    @property
    def application(self) -> CoachApplication:
        return self.adapter.application


@pytest.fixture
async def webhook_bot(
    fake_server: FakeBotAPIServer, fake_api: FakeBotAPI, coach: Coach
) -> AsyncIterator[WebhookBot]:
    """The bot by webhook on a free port, started as ``trailcoach run`` starts it (the
    Telegram adapter: open, start; the web server, then setWebhook); stopped at the end."""
    port = free_port()
    settings = settings_for(
        fake_api,
        telegram_api_base_url=fake_server.base_url,
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_secret=WEBHOOK_SECRET,
        webhook_listen="127.0.0.1",
        webhook_port=port,
    )
    ctx = dataclasses.replace(coach.ctx, public_url=settings.public_url)
    adapter = bootstrap.telegram(
        settings, Coach(ctx), limiter=virtual_limiter(), sleep=VirtualTime().sleep
    ).adapter
    errors = fail_on_handler_error(adapter.application)
    try:
        await adapter.open()
        await adapter.start()
        yield WebhookBot(adapter, f"http://127.0.0.1:{port}")
    finally:
        await adapter.stop()
    assert not adapter.application.running
    errors.assert_none()
