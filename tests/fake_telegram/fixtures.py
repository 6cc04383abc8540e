"""Pytest fixtures for the fake Bot API: the fake, a Bot on it, its HTTP server, Applications."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeAlias
from urllib.parse import urlsplit

import pytest
from telegram import Bot
from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.request import HTTPXRequest

from tests.fake_telegram.api import FakeBotAPI, JSONDict
from tests.fake_telegram.inprocess import InProcessRequest
from tests.fake_telegram.server import FakeBotAPIServer
from tests.fake_telegram.updates import to_update

AnyApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
AnyBuilder: TypeAlias = ApplicationBuilder[Any, Any, Any, Any, Any, Any]


class HandlerErrors:
    """An Application error handler that keeps every error, so the test can fail on them."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []

    async def __call__(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Keep the error a handler raised."""
        if context.error is not None:
            self.errors.append(context.error)

    def assert_none(self) -> None:
        """Raise AssertionError, chained to the first error, if any handler raised."""
        if self.errors:
            summary = "; ".join(repr(error) for error in self.errors)
            raise AssertionError(f"handlers raised: {summary}") from self.errors[0]


def fail_on_handler_error(application: AnyApplication) -> HandlerErrors:
    """Register an error handler on `application` that records errors; returns it."""
    errors = HandlerErrors()
    application.add_error_handler(errors)
    return errors


def in_process_bot(api: FakeBotAPI) -> Bot:
    """Return a `telegram.Bot` whose every call, getUpdates included, goes to `api` in process."""
    return Bot(api.token, request=InProcessRequest(api), get_updates_request=InProcessRequest(api))


def on_fake(
    builder: AnyBuilder, api: FakeBotAPI, *, server: FakeBotAPIServer | None = None
) -> AnyBuilder:
    """Point an ApplicationBuilder at the fake: in process, or over HTTP through `server`."""
    builder = builder.token(api.token)
    if server is None:
        return builder.request(InProcessRequest(api)).get_updates_request(InProcessRequest(api))
    return builder.base_url(server.bot_base_url).base_file_url(server.file_base_url)


class ApplicationFactory:
    """Builds initialized Applications on the fake, each failing the test on handler errors."""

    def __init__(self, api: FakeBotAPI):
        self.api = api
        self._built: list[tuple[AnyApplication, HandlerErrors]] = []

    async def __call__(
        self,
        setup: Callable[[AnyApplication], None] | None = None,
        *,
        server: FakeBotAPIServer | None = None,
        builder: AnyBuilder | None = None,
    ) -> AnyApplication:
        """Build and initialize an Application; `setup` adds its handlers."""
        application = on_fake(builder or Application.builder(), self.api, server=server).build()
        self._built.append((application, fail_on_handler_error(application)))
        if setup is not None:
            setup(application)
        await application.initialize()
        return application

    async def close(self) -> None:
        """Stop and shut down every Application built, newest first."""
        for application, _ in reversed(self._built):
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            await application.shutdown()

    def assert_no_handler_errors(self) -> None:
        """Raise AssertionError if a handler of any Application built raised."""
        for _, errors in self._built:
            errors.assert_none()


async def process(application: AnyApplication, update: JSONDict) -> None:
    """Feed an update dict through `application.process_update`, as layer 3 tests do."""
    await application.process_update(to_update(update, application.bot))


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago, e.g. for a webhook server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def serve_webhook(application: AnyApplication, *, secret_token: str | None = None) -> None:
    """Start `application` on a webhook at a free port of 127.0.0.1, as `run_webhook` would."""
    assert application.updater is not None
    port = free_port()
    await application.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="telegram",
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        secret_token=secret_token,
    )
    await application.start()


@pytest.fixture(autouse=True)
def no_real_telegram(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Refuse, and fail the test on, any PTB HTTP call to a host other than 127.0.0.1."""
    refused: list[str] = []
    do_request = HTTPXRequest.do_request

    async def local_only(self: HTTPXRequest, url: str, *args: Any, **kwargs: Any) -> Any:
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
            refused.append(url)
            raise AssertionError(f"a test tried to reach {url}; use the fake Bot API")
        return await do_request(self, url, *args, **kwargs)

    monkeypatch.setattr(HTTPXRequest, "do_request", local_only)
    yield refused
    assert not refused, f"tests must not reach Telegram, but called {refused}"


@pytest.fixture
def fake_api() -> FakeBotAPI:
    """Return a fresh in-memory Bot API."""
    return FakeBotAPI()


@pytest.fixture
async def fake_bot(fake_api: FakeBotAPI) -> AsyncIterator[Bot]:
    """Yield an initialized `telegram.Bot` whose calls go in process to `fake_api`."""
    async with in_process_bot(fake_api) as bot:
        yield bot


@pytest.fixture
async def fake_server(fake_api: FakeBotAPI) -> AsyncIterator[FakeBotAPIServer]:
    """Yield a running HTTP server on 127.0.0.1 serving `fake_api`."""
    async with FakeBotAPIServer(fake_api) as server:
        yield server


@pytest.fixture
async def make_application(fake_api: FakeBotAPI) -> AsyncIterator[ApplicationFactory]:
    """Yield a factory of Applications on `fake_api`; fails the test if a handler raised.

    Request `fake_server` before this fixture, so that Applications stop before the server.
    """
    factory = ApplicationFactory(fake_api)
    try:
        yield factory
    finally:
        await factory.close()
    factory.assert_no_handler_errors()
