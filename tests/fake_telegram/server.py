"""A real HTTP Bot API server on 127.0.0.1, backed by a FakeBotAPI, with webhook delivery."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
from tornado.httpserver import HTTPServer
from tornado.httputil import HTTPServerRequest
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from tests.fake_telegram.api import ApiReply, FakeBotAPI, JSONDict, UploadedFile
from tests.fake_telegram.errors import ApiError, NetworkFailure, NetworkFailureKind

T = TypeVar("T")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class WebhookDelivery:
    """The outcome of POSTing one update to the webhook: a status, or a connection error."""

    update_id: int
    status: int | None
    error: str | None = None


class FakeBotAPIServer:
    """Serves `/bot<token>/<method>` over HTTP and POSTs pushed updates to the webhook."""

    def __init__(self, api: FakeBotAPI, *, host: str = "127.0.0.1"):
        self.api = api
        self.host = host
        self.port = 0
        self.deliveries: list[WebhookDelivery] = []
        self._stopping = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._http: HTTPServer | None = None
        self._client: httpx.AsyncClient | None = None

    @property
    def base_url(self) -> str:
        """Return the server's root URL, e.g. `http://127.0.0.1:8123`."""
        return f"http://{self.host}:{self.port}"

    @property
    def bot_base_url(self) -> str:
        """Return the value for `ApplicationBuilder.base_url`; PTB appends the token."""
        return f"{self.base_url}/bot"

    @property
    def file_base_url(self) -> str:
        """Return the value for `ApplicationBuilder.base_file_url`."""
        return f"{self.base_url}/file/bot"

    async def start(self) -> None:
        """Listen on a free port and start delivering pushed updates to the webhook."""
        assert self.api.webhook_sink is None, "another server already serves this FakeBotAPI"
        routes = [(r"/bot([^/]+)/(\w+)", _BotApiHandler, {"server": self})]
        self._http = HTTPServer(Application(routes))
        sockets = bind_sockets(0, self.host)
        self._http.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]
        self._client = httpx.AsyncClient(trust_env=False, timeout=5.0)
        self.api.webhook_sink = self._deliver_later

    async def stop(self) -> None:
        """Answer no more calls, finish webhook deliveries and close every connection."""
        self._stopping.set()
        self.api.webhook_sink = None
        if self._in_flight:
            _, late = await asyncio.wait(self._in_flight, timeout=5.0)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._http is not None:
            self._http.stop()
            await self._http.close_all_connections()
        if self._client is not None:
            await self._client.aclose()

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

    async def post_to_webhook(self, update: JSONDict, *, secret_token: str | None = None) -> int:
        """POST an update to the webhook as Telegram does; `secret_token` overrides the set one."""
        webhook = self.api.webhook
        assert webhook is not None, "no webhook is set"
        assert self._client is not None, "the server is not running"
        secret = secret_token or webhook.secret_token
        headers = {SECRET_HEADER: secret} if secret else {}
        response = await self._client.post(webhook.url, json=update, headers=headers)
        return response.status_code

    async def drain(self) -> None:
        """Wait for the webhook deliveries in flight to be recorded."""
        await asyncio.gather(*self._in_flight)

    def _deliver_later(self, update: JSONDict) -> None:
        """Deliver an update from a background task, recording the outcome."""
        task = asyncio.get_running_loop().create_task(self._deliver(update))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _deliver(self, update: JSONDict) -> None:
        """POST an update once and record the status, or the connection error."""
        try:
            status = await self.post_to_webhook(update)
        except httpx.HTTPError as error:
            self.deliveries.append(WebhookDelivery(update["update_id"], None, repr(error)))
        else:
            self.deliveries.append(WebhookDelivery(update["update_id"], status))

    async def until_hangup(self, work: Awaitable[T], client_gone: asyncio.Event) -> T | None:
        """Await `work`, or return None when the client hangs up or the server stops first."""
        task = asyncio.ensure_future(work)
        hangups = [
            asyncio.ensure_future(client_gone.wait()),
            asyncio.ensure_future(self._stopping.wait()),
        ]
        await asyncio.wait([task, *hangups], return_when=asyncio.FIRST_COMPLETED)
        for pending in (task, *hangups):
            pending.cancel()
        await asyncio.gather(task, *hangups, return_exceptions=True)
        return None if task.cancelled() else task.result()


class _BotApiHandler(RequestHandler):
    """Answers one Bot API call from the server's FakeBotAPI."""

    def initialize(self, server: FakeBotAPIServer) -> None:
        """Bind the handler to its server."""
        self.server = server
        self.client_gone = asyncio.Event()

    def on_connection_close(self) -> None:
        """Note that the client hung up, e.g. PTB cancelled a long poll."""
        self.client_gone.set()

    async def get(self, token: str, method: str) -> None:
        """Answer a call whose parameters are in the query string."""
        await self.post(token, method)

    async def post(self, token: str, method: str) -> None:
        """Answer a call sent as JSON, form-urlencoded or multipart/form-data."""
        try:
            params, files = _decode(self.request)
        except ApiError as error:
            self._reply(ApiReply(error.status, error.body()))
            return
        call = self.server.api.request(token, method, params, files)
        try:
            reply = await self.server.until_hangup(call, self.client_gone)
        except NetworkFailure as failure:
            if failure.kind is NetworkFailureKind.TIMEOUT:
                await self.server.until_hangup(asyncio.Event().wait(), self.client_gone)
            reply = None
        if reply is None:
            self.detach().close()
        else:
            self._reply(reply)

    def _reply(self, reply: ApiReply) -> None:
        """Write a Bot API answer."""
        self.set_status(reply.status)
        self.set_header("Content-Type", "application/json")
        self.finish(reply.payload())


def _decode(request: HTTPServerRequest) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Return the parameters and uploaded files of a request, as the Bot API accepts them."""
    params: dict[str, Any] = _last_values(request.query_arguments)
    if request.headers.get("Content-Type", "").startswith("application/json"):
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON request body") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON request body must be an object")
        params.update(body)
    else:
        params.update(
            {name: values[-1].decode() for name, values in request.body_arguments.items()}
        )
    files = {
        name: UploadedFile(parts[0].filename, parts[0].body, parts[0].content_type)
        for name, parts in request.files.items()
    }
    return params, files


def _last_values(arguments: dict[str, list[bytes]]) -> dict[str, str]:
    """Return the last value of each form field, decoded."""
    return {name: values[-1].decode() for name, values in arguments.items()}
