"""The bot's own small web server: Telegram's webhook and the calendar subscriptions.

One aiohttp application on one port, with the routes its parts bring, and a start/stop
lifecycle for whoever composes the bot. No access log is written: a calendar URL's path is
its runner's secret. For the same reason a request the server cannot read (a request line
or header over the limits below, a bad method, a malformed header) is answered with aiohttp's
plain 400 and logged in one line naming the kind of error, never with the error's text or
traceback, which quote the request line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

SHUTDOWN_SECONDS = 5.0  # how long a stop waits for requests in flight
MAX_LINE = 8190  # bytes of a request line (aiohttp's default, said here on purpose)
MAX_FIELD = 8190  # bytes of one header

logger = logging.getLogger(__name__)


class _Unreadable(logging.Filter):
    """Words a request the server could not read as one line without the request's text."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            record.msg = "rejected a request it could not read: %s (%s)"
            record.args = (error.code, type(error).__name__)
            record.exc_info, record.exc_text, record.stack_info = None, None, None
            if record.levelno > logging.INFO:  # the client's mistake, not the server's
                record.levelno, record.levelname = logging.INFO, "INFO"
        return True


logger.addFilter(_Unreadable())


class WebServer:
    """Serves ``routes`` on ``host``:``port`` between ``start`` and ``stop``; port 0 picks a
    free port, which ``port`` holds once started."""

    def __init__(self, routes: Iterable[web.RouteDef], *, host: str, port: int) -> None:
        application = web.Application()
        application.add_routes(list(routes))
        self._runner = web.AppRunner(
            application,
            access_log=None,
            logger=logger,  # the request handler's errors, in place of aiohttp.server
            max_line_size=MAX_LINE,
            max_field_size=MAX_FIELD,
            shutdown_timeout=SHUTDOWN_SECONDS,
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
