"""A loopback HTTPS server that plays a running plan's calendar host (issue 31).

Its certificate (``loopback.pem``, for 127.0.0.1 and localhost, with its key beside it) is
a test fixture made once with ``openssl req -x509``; ``limits()`` trusts it and allows
loopback, which the fetch's defaults refuse.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Self

from aiohttp import web

from bot.services.infrastructure.plan_fetch import Limits

HERE = Path(__file__).parent
Route = Callable[[web.Request], Awaitable[web.StreamResponse]]


class FeedServer:
    """Serves ``calendars`` by path (with an ETag each, answering 304 to it), and any other
    ``routes`` given; records each request's path and headers."""

    def __init__(self) -> None:
        self.calendars: dict[str, bytes] = {}
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.port = 0
        self.never = asyncio.Event()  # what a slow body waits for
        self._runner: web.AppRunner | None = None

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"https://{host}:{self.port}{path}"

    @staticmethod
    def limits(**changes: object) -> Limits:
        context = ssl.create_default_context(cafile=str(HERE / "loopback.pem"))
        return Limits(allow_loopback=True, ssl_context=context, **changes)  # type: ignore[arg-type]

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.path, dict(request.headers)))
        route = self.routes.get(request.path)
        if route is not None:
            return await route(request)
        body = self.calendars.get(request.path)
        if body is None:
            return web.Response(status=404, text="Not found")
        etag = f'"v{hash(body) & 0xFFFF:x}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            body=body,
            content_type="text/calendar",
            headers={"ETag": etag, "Last-Modified": "Mon, 14 Jul 2025 06:00:00 GMT"},
        )

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._serve)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(HERE / "loopback.pem", HERE / "loopback.key")
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        self.never.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
