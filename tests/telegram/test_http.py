"""The aiohttp transport under python-telegram-bot, against the fake Bot API over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp import BasicAuth, web
from aiohttp.helpers import get_env_proxy_for_url
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from yarl import URL

from handlers.telegram import http
from handlers.telegram.http import AiohttpRequest
from tests.fake_telegram import FakeBotAPI, FakeBotAPIServer
from tests.fake_telegram.errors import (
    NetworkFailure,
    NetworkFailureKind,
    chat_not_found,
    too_many_requests,
)
from tests.fake_telegram.fixtures import free_port


@pytest.fixture
async def bot(fake_server: FakeBotAPIServer, fake_api: FakeBotAPI) -> AsyncIterator[Bot]:
    request = AiohttpRequest()
    async with Bot(fake_api.token, base_url=fake_server.bot_base_url, request=request) as opened:
        yield opened


async def test_a_call_goes_out_as_a_form_and_its_answer_comes_back(
    bot: Bot, fake_api: FakeBotAPI
) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Done ✓", callback_data="done:7")]])
    sent = await bot.send_message(
        42, "Hill reps <b>today</b> — Zoë's plan", parse_mode="HTML", reply_markup=markup
    )

    assert sent.text == "Hill reps today — Zoë's plan"
    assert sent.reply_markup == markup
    (call,) = fake_api.calls("sendMessage")
    assert call.params["parse_mode"] == "HTML"


async def test_a_file_is_uploaded_with_its_name_type_and_the_other_fields(
    bot: Bot, fake_api: FakeBotAPI
) -> None:
    content = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"

    await bot.send_document(
        42, document=content, filename="Zoë's trail plan.ics", caption="Your plan"
    )

    (call,) = fake_api.calls("sendDocument")
    (upload,) = call.files.values()
    assert (upload.filename, upload.content) == ("Zoë's trail plan.ics", content)
    assert call.params["caption"] == "Your plan"


async def test_a_429_reaches_the_bot_as_retry_after(bot: Bot, fake_api: FakeBotAPI) -> None:
    fake_api.fail_next("sendMessage", too_many_requests(7))

    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(42, "Hill reps")

    assert raised.value.retry_after in (7, timedelta(seconds=7))


async def test_an_error_answer_keeps_its_description(bot: Bot, fake_api: FakeBotAPI) -> None:
    fake_api.fail_next("sendMessage", chat_not_found())

    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(-1, "Hill reps")


async def test_no_answer_within_the_read_timeout_is_timed_out(
    bot: Bot, fake_api: FakeBotAPI
) -> None:
    fake_api.fail_next("sendMessage", NetworkFailure(NetworkFailureKind.TIMEOUT))

    with pytest.raises(TimedOut):
        await bot.send_message(42, "Hill reps", read_timeout=0.05)


async def test_a_dropped_connection_is_a_network_error(bot: Bot, fake_api: FakeBotAPI) -> None:
    fake_api.fail_next("sendMessage", NetworkFailure(NetworkFailureKind.DISCONNECT))

    with pytest.raises(NetworkError) as raised:
        await bot.send_message(42, "Hill reps")

    assert not isinstance(raised.value, TimedOut)


async def test_a_failure_never_quotes_the_token(fake_api: FakeBotAPI) -> None:
    for base_url in (f"http://127.0.0.1:{free_port()}/bot", "http:///bot"):
        with pytest.raises(NetworkError) as raised:
            async with Bot(fake_api.token, base_url=base_url, request=AiohttpRequest()):
                pass  # opening the bot calls getMe
        assert fake_api.token.partition(":")[2] not in str(raised.value)


async def test_a_request_is_usable_again_after_shutdown(
    fake_server: FakeBotAPIServer, fake_api: FakeBotAPI
) -> None:
    request = AiohttpRequest()
    for _ in range(2):
        async with Bot(fake_api.token, base_url=fake_server.bot_base_url, request=request) as bot:
            await bot.send_message(42, "Hill reps")

    assert len(fake_api.calls("sendMessage")) == 2
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{fake_server.bot_base_url}{fake_api.token}/getMe", "POST")


@pytest.fixture
async def proxy(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[list[str]]:
    """A forward proxy on loopback, set in the environment; it lists the URLs it was asked
    for, and answers each itself."""
    asked: list[str] = []

    async def forward(request: web.Request) -> web.Response:
        asked.append(str(request.url))
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    for name in ("http_proxy", "HTTP_PROXY"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{port}")
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    yield asked
    await runner.cleanup()


async def test_calls_go_through_the_proxy_the_environment_names_read_once(
    fake_server: FakeBotAPIServer,
    fake_api: FakeBotAPI,
    proxy: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads: list[str] = []

    def read(url: URL) -> tuple[URL, BasicAuth | None]:
        reads.append(str(url))
        return get_env_proxy_for_url(url)

    monkeypatch.setattr(http, "get_env_proxy_for_url", read)
    request = AiohttpRequest()
    await request.initialize()
    url = f"{fake_server.bot_base_url}{fake_api.token}/getMe"
    for _ in range(3):
        assert await request.do_request(url, "POST") == (200, b'{"ok": true, "result": true}')
    await request.shutdown()

    assert proxy == [url] * 3
    assert fake_api.calls("getMe") == []
    assert len(reads) == 1


async def test_a_server_the_environment_exempts_is_called_directly(
    proxy: list[str],
    fake_server: FakeBotAPIServer,
    fake_api: FakeBotAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")

    request = AiohttpRequest()
    async with Bot(fake_api.token, base_url=fake_server.bot_base_url, request=request) as bot:
        await bot.send_message(42, "Hill reps")

    assert proxy == []
    assert len(fake_api.calls("sendMessage")) == 1
