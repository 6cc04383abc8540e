"""A fake of Discord's REST API (v10) on 127.0.0.1, for the real client over real HTTP.

Enough of it to log in (``GET /users/@me``, ``GET /oauth2/applications/@me``), register the
slash commands, connect to the gateway (HELLO, IDENTIFY, READY with no servers, heartbeats
acknowledged, then whatever events the test dispatches), answer interactions (callbacks,
follow-ups, edits of the original response), open a DM and create messages, with ``nonce``
and ``enforce_nonce`` honoured as Discord documents them: a second message with the same
nonce from the same author within a few minutes returns the first message instead of creating
another. Failures are scripted per channel: a 429 (with ``retry_after`` and the ``global``
flag, and the ``Via`` header that tells discord.py the answer came from Discord and not from
Cloudflare), an error code such as 50007, or a 5xx (optionally after the message was created,
as when the answer is lost).

Channels, their messages and interactions are kept in a ``DiscordRecorder`` (``server.discord``),
the same model of Discord's side the in-process tests use, so both read the same way.

Point the library at it with ``discord.http.Route.BASE = server.api_base`` (the
``fake_discord`` fixture does, undoing it afterwards).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import WSMsgType, web

from tests.fake_discord import payloads, recorder
from tests.fake_discord.payloads import BOT_USER
from tests.fake_discord.recorder import DiscordRecorder, Upload

JSONDict = dict[str, Any]

TOKEN = "MTQyMDAwMDAwMDAwMDAwMDAwMg.GhK3sQ.p9Vt2Lw8RkZc4Nq1Xj7Fb0Ym5Hd3Ue6Ts"
APPLICATION_ID = str(payloads.APPLICATION_ID)
_BODY = web.RequestKey("body", object)  # the request's decoded body
_FILES = web.RequestKey("files", tuple)  # the files uploaded with it
NONCE_WINDOW = 300.0  # seconds: Discord checks a nonce "in the past few minutes"
_JSON = {"Content-Type": "application/json"}  # exactly: discord.py decodes only this
_ERRORS = {
    50007: (403, "Cannot send messages to this user"),
    50278: (403, "Cannot send messages to this user due to having no mutual guilds"),
    50001: (403, "Missing Access"),
    50013: (403, "Missing Permissions"),
    10003: (404, "Unknown Channel"),
    10013: (404, "Unknown User"),
}


@dataclass(frozen=True)
class Failure:
    """One scripted answer in place of success; ``created``: the message is stored anyway
    (the answer was lost on the way back)."""

    status: int
    body: JSONDict
    headers: dict[str, str] = field(default_factory=dict)
    created: bool = False


def rate_limited(retry_after: float, *, is_global: bool = False) -> Failure:
    """A 429 from Discord: the route's bucket, or the bot's global limit."""
    headers = {
        "Via": "1.1 google",
        "Retry-After": str(max(1, round(retry_after))),
        "X-RateLimit-Scope": "global" if is_global else "user",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    body = {"message": "You are being rate limited.", "retry_after": retry_after}
    return Failure(429, {**body, "global": is_global}, headers)


def refused(code: int) -> Failure:
    """An error Discord answers with its JSON error code, e.g. 50007."""
    status, message = _ERRORS[code]
    return Failure(status, {"message": message, "code": code})


def server_error(status: int = 500, *, created: bool = False) -> Failure:
    """A server error (discord.py itself retries 500, 502, 504 and 524)."""
    return Failure(status, {"message": f"{status}: Server Error", "code": 0}, created=created)


@dataclass(frozen=True)
class Call:
    """One request the fake answered."""

    method: str
    path: str  # after /api/v10
    body: JSONDict | list[Any] | None
    status: int


class FakeDiscord:
    """Discord's REST API as far as the coach uses it, served on 127.0.0.1."""

    def __init__(self, *, token: str = TOKEN, clock: Callable[[], float] = time.monotonic) -> None:
        self.token = token
        self.clock = clock
        self.calls: list[Call] = []
        self.commands: list[JSONDict] = []
        self.discord = DiscordRecorder()  # Discord's side: channels, messages, interactions
        self._nonces: dict[str, tuple[float, JSONDict]] = {}
        self._script: defaultdict[str, deque[Failure]] = defaultdict(deque)
        self._ids = itertools.count(6_000_000_000_000_000_000)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.identified = asyncio.Event()  # a client connected to the gateway and identified
        self.close_on_identify: int | None = None  # a close code to answer IDENTIFY with
        self.shard: list[int] | None = None  # the shard the client identified as, if any
        self._socket: web.WebSocketResponse | None = None  # the identified client's gateway
        self._sequence = 0  # the last dispatch's sequence number
        self._called = asyncio.Event()  # set whenever a call is answered

    # -- the test's side ----------------------------------------------------------------

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` is set to."""
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        """What ``DiscordWebSocket.DEFAULT_GATEWAY`` is set to: a client that is not sharded
        connects there without asking ``GET /gateway/bot``."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    def fail_next(self, channel_id: str, failure: Failure, *, times: int = 1) -> None:
        """Answer the next ``times`` message posts to ``channel_id`` with ``failure``."""
        self._script[channel_id].extend([failure] * times)

    def messages(self, channel_id: str) -> list[JSONDict]:
        """The messages a channel shows, oldest first."""
        return self.discord.in_channel(channel_id)

    def posts(self, channel_id: str) -> int:
        """How many times a message was posted to the channel, answered or not."""
        path = f"/channels/{channel_id}/messages"
        return sum(1 for call in self.calls if call.method == "POST" and call.path == path)

    async def dispatch(self, event: str, data: JSONDict) -> None:
        """Send the connected client a gateway event (op 0, the next sequence number)."""
        assert self._socket is not None, "no client has identified on the gateway"
        self._sequence += 1
        envelope = {"op": 0, "s": self._sequence, "t": event, "d": data}
        await self._socket.send_str(json.dumps(envelope))

    async def wait_for_calls(self, count: int, *, within: float = 10.0) -> None:
        """Wait until ``count`` calls have been answered in all (at most ``within`` seconds)."""
        async with asyncio.timeout(within):
            while len(self.calls) < count:
                self._called.clear()
                await self._called.wait()

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(middlewares=[self._authorised])
        app.add_routes(
            [
                web.get("/api/v10/users/@me", self._me),
                web.get("/api/v10/oauth2/applications/@me", self._application),
                web.put("/api/v10/applications/{app}/commands", self._put_commands),
                web.get("/api/v10/applications/{app}/commands", self._get_commands),
                web.post("/api/v10/users/@me/channels", self._as_discord),
                web.post("/api/v10/channels/{channel}/messages", self._create_message),
                web.patch("/api/v10/channels/{channel}/messages/{message}", self._as_discord),
                web.post("/api/v10/interactions/{id}/{token}/callback", self._as_discord),
                web.post("/api/v10/webhooks/{app}/{token}", self._as_discord),
                web.patch("/api/v10/webhooks/{app}/{token}/messages/@original", self._as_discord),
                web.delete("/api/v10/webhooks/{app}/{token}/messages/@original", self._as_discord),
                web.get("/gateway", self._gateway),
            ]
        )
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
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

    # -- the API ---------------------------------------------------------------------------

    @web.middleware
    async def _authorised(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        if request.path == "/gateway":  # the client identifies with its token over the socket
            return await handler(request)  # type: ignore[no-any-return]
        body, files = await _body(request)
        path = request.path.removeprefix("/api/v10")
        by_interaction = path.startswith(("/interactions/", "/webhooks/"))  # token in the path
        if not by_interaction and request.headers.get("Authorization") != f"Bot {self.token}":
            response = _json(401, {"message": "401: Unauthorized", "code": 0})
        else:
            request[_BODY], request[_FILES] = body, files
            response = await handler(request)
        self.calls.append(Call(request.method, path, body, response.status))
        self._called.set()
        return response

    async def _me(self, _request: web.Request) -> web.Response:
        return _json(200, BOT_USER)

    async def _application(self, _request: web.Request) -> web.Response:
        return _json(
            200,
            {
                "id": APPLICATION_ID,
                "name": "Trail Coach",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": {**BOT_USER, "id": "4200000000000000009", "bot": False},
                "verify_key": "00" * 32,
                "flags": 0,
            },
        )

    async def _put_commands(self, request: web.Request) -> web.Response:
        body = request[_BODY]
        assert isinstance(body, list)
        self.commands = [
            {**command, "id": self._id(), "application_id": APPLICATION_ID, "version": "1"}
            for command in body
        ]
        return _json(200, self.commands)

    async def _get_commands(self, _request: web.Request) -> web.Response:
        return _json(200, self.commands)

    async def _as_discord(self, request: web.Request) -> web.Response:
        """What the model of Discord's side answers: DMs and interactions."""
        path = request.path.removeprefix("/api/v10")
        call = recorder.Call(
            request.method, path, dict(request.query), request[_BODY], request[_FILES]
        )
        status, body = self.discord.answer(call)
        return web.Response(status=status) if body is None else _json(status, body)

    async def _create_message(self, request: web.Request) -> web.Response:
        channel = request.match_info["channel"]
        body = request[_BODY]
        assert isinstance(body, dict)
        nonce = body.get("nonce")
        if body.get("enforce_nonce") and nonce is not None:
            seen = self._nonces.get(str(nonce))
            if seen is not None and self.clock() - seen[0] <= NONCE_WINDOW:
                return _json(200, seen[1])
        failure = self._script[channel].popleft() if self._script[channel] else None
        if failure is None or failure.created:
            message = self.discord.new_message(channel, body, request[_FILES])
            if body.get("enforce_nonce") and nonce is not None:
                self._nonces[str(nonce)] = (self.clock(), message)
            if failure is None:
                return _json(200, message)
        assert failure is not None
        return _json(failure.status, failure.body, failure.headers)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        """HELLO; READY (no servers) once the client identifies with the right token;
        every heartbeat acknowledged; until the client closes."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41_250}}))
        async for frame in socket:
            payload = json.loads(frame.data) if frame.type is WSMsgType.TEXT else {}
            if payload.get("op") == 1:
                await socket.send_str(json.dumps({"op": 11}))
            elif payload.get("op") == 2:
                self.shard = payload["d"].get("shard")
                if payload["d"]["token"] != self.token:
                    await socket.close(code=4004, message=b"Authentication failed.")
                    break
                if self.close_on_identify is not None:
                    await socket.close(code=self.close_on_identify, message=b"Refused.")
                    break
                ready = {
                    "v": 10,
                    "user": BOT_USER,
                    "guilds": [],
                    "session_id": "fake-session",
                    "resume_gateway_url": self.gateway_url,
                    "application": {"id": APPLICATION_ID, "flags": 0},
                }
                self._socket = socket
                await self.dispatch("READY", ready)
                self.identified.set()
        return socket

    def _id(self) -> str:
        return str(next(self._ids))


async def _body(request: web.Request) -> tuple[JSONDict | list[Any] | None, tuple[Upload, ...]]:
    """A request's JSON body, or a multipart upload's ``payload_json`` and its files."""
    if request.content_type == "application/json":
        loaded: JSONDict | list[Any] = json.loads(await request.text())
        return loaded, ()
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        body: JSONDict = json.loads(str(form.get("payload_json", "{}")))
        files = tuple(
            Upload(upload.filename, upload.file.read(), upload.content_type)
            for name, upload in form.items()
            if name.startswith("files[") and isinstance(upload, web.FileField)
        )
        return body, files
    return None, ()


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status, body=json.dumps(body).encode(), headers={**_JSON, **(headers or {})}
    )
