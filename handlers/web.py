"""The bot's own small web server: Telegram's webhook and the calendar subscriptions.

One aiohttp application on one port, with the routes its parts bring, and a start/stop
lifecycle for whoever composes the bot. No access log is written: a calendar URL's path is
its runner's secret.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiohttp import web

SHUTDOWN_SECONDS = 5.0  # how long a stop waits for requests in flight


class WebServer:
    """Serves ``routes`` on ``host``:``port`` between ``start`` and ``stop``; port 0 picks a
    free port, which ``port`` holds once started."""

    def __init__(self, routes: Iterable[web.RouteDef], *, host: str, port: int) -> None:
        application = web.Application()
        application.add_routes(list(routes))
        self._runner = web.AppRunner(
            application, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS
        )
        self.host = host
        self.port = port

    async def start(self) -> None:
        """Listen, and serve requests until ``stop``."""
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await self._runner.cleanup()
            raise
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening, let the requests in flight finish, and close."""
        await self._runner.cleanup()
