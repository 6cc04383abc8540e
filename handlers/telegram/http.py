"""The Bot API's transport: python-telegram-bot's ``BaseRequest`` on an aiohttp session.

PTB's default transport (httpx) spends about 1 ms of CPU on each Bot API call, and over 2 ms
once some dozens are in flight (its connection pool checks every pooled connection on each
request); aiohttp spends about 0.3 ms either way (``docs/benchmarks.md``). A bot that answers
a club's burst of taps makes three calls a tap, so the transport is most of its CPU.

A proxy set in the environment (``HTTPS_PROXY``, ``NO_PROXY``...) is honoured as aiohttp's
``trust_env`` would, but read once for each server rather than on every call (aiohttp reads
the environment and ``~/.netrc`` in a worker thread per request: a tenth of the bot's CPU in
a burst, ``docs/benchmarks.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import IO
from urllib.parse import urlencode

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

from bot.log import redact

CONNECTIONS = 256  # PTB's own default for the bot's pool
READ_TIMEOUT = 5.0  # seconds; PTB's defaults for each phase
WRITE_TIMEOUT = 5.0
CONNECT_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
MEDIA_WRITE_TIMEOUT = 20.0  # an upload (a chart, a calendar) may take longer to write


class AiohttpRequest(BaseRequest):
    """Bot API calls over one aiohttp session with a pool of ``connections``."""

    def __init__(self, connections: int = CONNECTIONS) -> None:
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, _Proxy] = {}  # by server (scheme, host and port)

    @property
    def read_timeout(self) -> float:
        """The read timeout used when a call does not set one (PTB adds long polling's)."""
        return READ_TIMEOUT

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )
            self._proxies.clear()  # the environment is read again after a restart

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Make one call; a timeout raises ``TimedOut``, any other failure ``NetworkError``.

        aiohttp has no timeout for writing a request, so a call's whole time is bounded by
        the sum of its phases' timeouts (any of them ``None``: no bound)."""
        if self._session is None or self._session.closed:
            raise RuntimeError("this AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else {}
        phases = (
            _given(pool_timeout, POOL_TIMEOUT),
            _given(connect_timeout, CONNECT_TIMEOUT),
            _given(write_timeout, MEDIA_WRITE_TIMEOUT if files else WRITE_TIMEOUT),
            _given(read_timeout, READ_TIMEOUT),
        )
        body, headers = _body(request_data, files)
        proxy = self._proxy(URL(url))
        try:
            async with self._session.request(
                method,
                url,
                data=body,
                timeout=_timeout(*phases),
                headers=headers,
                proxy=proxy.url,
                proxy_auth=proxy.auth,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            # An error's text may quote the URL, and the URL holds the token.
            raise NetworkError(
                f"aiohttp.{type(error).__name__}: {redact(str(error), ())}"
            ) from error

    def _proxy(self, url: URL) -> _Proxy:
        """The environment's proxy for ``url``'s server, read at its first call."""
        server = str(url.origin())
        if server not in self._proxies:
            try:
                self._proxies[server] = _Proxy(*get_env_proxy_for_url(url))
            except LookupError:  # no proxy for this server
                self._proxies[server] = _Proxy()
        return self._proxies[server]


@dataclass(frozen=True, slots=True)
class _Proxy:
    url: URL | None = None
    auth: aiohttp.BasicAuth | None = None


def _given(value: object, default: float) -> float | None:
    """A call's timeout: ``default`` where the call set none (``BaseRequest.DEFAULT_NONE``)."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    assert value is None or isinstance(value, int | float), "a timeout is seconds, or None"
    return value


@lru_cache(maxsize=16)  # calls take a handful of combinations
def _timeout(
    pool: float | None, connect: float | None, write: float | None, read: float | None
) -> aiohttp.ClientTimeout:
    phases = (pool, connect, write, read)
    return aiohttp.ClientTimeout(
        total=None if None in phases else sum(p for p in phases if p is not None),
        connect=None if pool is None or connect is None else pool + connect,
        sock_connect=connect,
        sock_read=read,
    )


_URL_ENCODED = {"Content-Type": "application/x-www-form-urlencoded"}


def _body(
    request_data: RequestData | None, files: dict[str, tuple[str, bytes | IO[bytes], str]]
) -> tuple[aiohttp.FormData | bytes | None, dict[str, str] | None]:
    """The call's parameters as a form, and its headers: url-encoded (by the standard
    library, without the multipart writer aiohttp builds for any form), or multipart when
    it uploads files."""
    if request_data is None:
        return None, None
    fields = request_data.json_parameters
    if not files:
        return urlencode(fields).encode(), _URL_ENCODED
    form = aiohttp.FormData(quote_fields=False)  # a file's name as it is, as Telegram expects
    for name, value in fields.items():
        form.add_field(name, value)
    for name, part in files.items():
        filename, content, mimetype = part
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, None
