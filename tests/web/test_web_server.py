"""The web server answers requests it cannot read with a plain 400 and logs no path."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from handlers.web import MAX_FIELD, MAX_LINE, WebServer

SECRET = "Tok3nThatMustNeverBeLogged_0123456789abcdef"
PATH = f"/calendar/{SECRET}.ics"


async def ok(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


@pytest.fixture
async def server() -> AsyncIterator[WebServer]:
    running = WebServer([web.get("/calendar/{token}.ics", ok)], host="127.0.0.1", port=0)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def raw(server: WebServer, request: bytes) -> bytes:
    """Send ``request`` as is and read the whole answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), timeout=10)
    finally:
        writer.close()


UNREADABLE = {
    "a long query": f"GET {PATH}?utm_source={'x' * 9000} HTTP/1.1\r\nHost: a\r\n\r\n",
    "a long line": f"GET {PATH}{'y' * (MAX_LINE + 10)} HTTP/1.1\r\nHost: a\r\n\r\n",
    "a bad method": f"G(E)T {PATH} HTTP/1.1\r\nHost: a\r\n\r\n",
    "a second bad method": f"GET / HTTP/1.1\r\nHost: a\r\n\r\nP@ST {PATH} HTTP/1.1\r\n\r\n",
    "a bad version": f"GET {PATH} HTTP/9.x\r\nHost: a\r\n\r\n",
    "a malformed header": f"GET {PATH} HTTP/1.1\r\nHost: a\r\nBad Header{SECRET}\r\n\r\n",
    "a long header": f"GET {PATH} HTTP/1.1\r\nHost: a\r\nX-A: {SECRET * 200}\r\n\r\n",
    "a header with a control": f"GET {PATH} HTTP/1.1\r\nHost: a\r\nX-A: {SECRET}\x01\r\n\r\n",
}


@pytest.mark.parametrize("request_text", UNREADABLE.values(), ids=UNREADABLE.keys())
async def test_an_unreadable_request_gets_a_plain_400_and_the_log_no_path(
    server: WebServer, request_text: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert len(SECRET * 200) > MAX_FIELD
    with caplog.at_level(logging.DEBUG):
        answer = await raw(server, request_text.encode("latin-1"))
    assert b"HTTP/1.0 400 Bad Request\r\n" in answer, answer[:200]
    logged = [(r, caplog_text(r)) for r in caplog.records]
    assert not [text for _record, text in logged if SECRET in text or "calendar" in text]
    assert any("rejected a request it could not read: 400" in text for _r, text in logged)
    assert not [r for r, _text in logged if r.name.startswith("aiohttp")]


def caplog_text(record: logging.LogRecord) -> str:
    """The record as a handler would write it, traceback included."""
    return logging.Formatter().format(record)


async def test_a_readable_request_is_served_and_not_logged(
    server: WebServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        request = f"GET {PATH}?utm=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        answer = await raw(server, request.encode())
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert not [r for r in caplog.records if SECRET in caplog_text(r)]
