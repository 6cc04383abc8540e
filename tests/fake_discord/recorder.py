"""A stand-in for the client's aiohttp session: records every REST and interaction call and
answers as Discord would, keeping the messages each channel shows.

Both of discord.py's transports end at this session: ``HTTPClient.request`` (DMs, messages,
command sync) and the webhook adapter (interaction callbacks, follow-ups, edits of the
original response).
"""

from __future__ import annotations

import io
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from multidict import CIMultiDict

from tests.fake_discord.payloads import BOT_USER, JOINED, JSONDict, dm_channel_id, user

EPHEMERAL = 64
LOADING = 128
BASE = "/api/v10"


@dataclass(frozen=True)
class Upload:
    """A file sent with a message."""

    filename: str
    content: bytes
    content_type: str | None


@dataclass(frozen=True)
class Call:
    """One HTTP request the client made."""

    method: str
    path: str
    params: dict[str, Any] | None
    body: Any
    files: tuple[Upload, ...] = ()


@dataclass
class Pending:
    """An interaction fed to the client: where it happened, and its messages."""

    channel_id: str
    pressed: str | None  # the id of the message a button was pressed on
    original: str | None = None  # the id of the response's message, once there is one
    callbacks: list[JSONDict] = field(default_factory=list)


class RecordedResponse:
    """An aiohttp response, as much of one as discord.py reads."""

    def __init__(
        self, status: int, body: object = None, headers: dict[str, str] | None = None
    ) -> None:
        self.status = status
        self.reason = "OK" if status < 400 else "Error"
        self._text = "" if body is None else json.dumps(body)
        kind = "text/plain" if body is None else "application/json"  # exactly, or it is text
        self.headers = CIMultiDict({"content-type": kind, **(headers or {})})

    async def text(self, encoding: str = "utf-8") -> str:
        return self._text

    async def __aenter__(self) -> RecordedResponse:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


def _parse(data: object) -> tuple[Any, tuple[Upload, ...]]:
    """A request's JSON body and files, whether sent as JSON or as a multipart form."""
    if isinstance(data, str):
        return json.loads(data), ()
    if not isinstance(data, aiohttp.FormData):
        return None, ()
    body: Any = None
    files: list[Upload] = []
    for options, headers, value in data._fields:
        if options["name"] == "payload_json":
            body = json.loads(value)
        else:
            content = value.getvalue() if isinstance(value, io.BytesIO) else value.read()
            files.append(Upload(options["filename"], content, headers.get("Content-Type")))
    return body, tuple(files)


ROUTES = [
    ("callback", re.compile(r"POST /interactions/(?P<interaction>\d+)/(?P<token>[^/]+)/callback")),
    ("follow_up", re.compile(r"POST /webhooks/\d+/(?P<token>[^/]+)")),
    ("edit_original", re.compile(r"PATCH /webhooks/\d+/(?P<token>[^/]+)/messages/@original")),
    ("delete_original", re.compile(r"DELETE /webhooks/\d+/(?P<token>[^/]+)/messages/@original")),
    ("open_dm", re.compile(r"POST /users/@me/channels")),
    ("create_message", re.compile(r"POST /channels/(?P<channel>\d+)/messages")),
    ("edit_message", re.compile(r"PATCH /channels/(?P<channel>\d+)/messages/(?P<message>\d+)")),
    ("sync", re.compile(r"PUT /applications/\d+/commands")),
]


class DiscordRecorder:
    """Records calls; keeps every message by id, as each channel would show it."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[str, JSONDict] = {}
        self.interactions: dict[str, Pending] = {}
        self.modals: list[JSONDict] = []
        self.closed = False
        self._failures: dict[str, list[tuple[int, JSONDict, dict[str, str]]]] = {}
        self._ids = itertools.count(7_000_000_000_000_000_000)

    # what the client sees

    def request(self, method: str, url: str, **kwargs: Any) -> RecordedResponse:
        path = url.split(BASE, 1)[1]
        body, files = _parse(kwargs.get("data"))
        call = Call(method, path, kwargs.get("params"), body, files)
        self.calls.append(call)
        line = f"{method} {path}"
        if scripted := self._failures.get(line):
            return RecordedResponse(*scripted.pop(0))
        return RecordedResponse(*self.answer(call))

    def answer(self, call: Call) -> tuple[int, Any]:
        """Discord's answer to a call: its status and JSON body (None for no content)."""
        line = f"{call.method} {call.path}"
        for name, pattern in ROUTES:
            if match := pattern.fullmatch(line):
                answered: tuple[int, Any] = getattr(self, f"_{name}")(call, **match.groupdict())
                return answered
        return 404, {"message": f"no such route: {line}", "code": 0}

    async def close(self) -> None:
        self.closed = True

    # what a test sets up and reads

    def expect(self, interaction: JSONDict) -> None:
        """Know an interaction before the client answers it."""
        pressed = interaction.get("message")
        if pressed is not None:
            self.messages.setdefault(str(pressed["id"]), pressed)
        self.interactions[interaction["token"]] = Pending(
            str(interaction["channel_id"]), None if pressed is None else str(pressed["id"])
        )

    def fail_next(
        self,
        method: str,
        path: str,
        status: int,
        body: JSONDict,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``method path`` with an error, e.g. 403 and code 50007."""
        self._failures.setdefault(f"{method} {path}", []).append((status, body, headers or {}))

    def in_channel(self, channel_id: str | int) -> list[JSONDict]:
        """The channel's messages, oldest first, as they show now (ephemeral ones too)."""
        return [m for m in self.messages.values() if m["channel_id"] == str(channel_id)]

    def callbacks(self, token: str | None = None) -> list[JSONDict]:
        """Interaction callbacks (type and data), in order, of one interaction or of all."""
        return [
            callback
            for key, pending in self.interactions.items()
            if token in (None, key)
            for callback in pending.callbacks
        ]

    def calls_to(self, method: str, prefix: str) -> list[Call]:
        """The calls made to paths starting with ``prefix``."""
        return [c for c in self.calls if c.method == method and c.path.startswith(prefix)]

    # Discord's side (the loopback server keeps its channels and interactions here too)

    def new_message(
        self, channel_id: str, body: JSONDict, files: tuple[Upload, ...], flags: int = 0
    ) -> JSONDict:
        """A message the bot created in a channel, kept by its id."""
        message_id = str(next(self._ids))
        message: JSONDict = {
            "id": message_id,
            "channel_id": channel_id,
            "author": BOT_USER,
            "timestamp": JOINED,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "content": "",
            "components": [],
            "attachments": [],
            "flags": flags,
            "nonce": body.get("nonce"),
        }
        self._apply(message, body, files)
        message["flags"] = flags | body.get("flags", 0)
        self.messages[message_id] = message
        return message

    def _apply(self, message: JSONDict, body: JSONDict, files: tuple[Upload, ...]) -> None:
        for key in ("content", "components"):
            if key in body:
                message[key] = body[key] or ([] if key == "components" else "")
        if files:
            message["attachments"] = [
                {
                    "id": str(next(self._ids)),
                    "filename": upload.filename,
                    "size": len(upload.content),
                    "url": f"https://cdn.invalid/{upload.filename}",
                    "proxy_url": f"https://cdn.invalid/{upload.filename}",
                    "content_type": upload.content_type,
                }
                for upload in files
            ]
        message["flags"] = (message["flags"] | body.get("flags", 0)) & ~LOADING

    def _callback(self, call: Call, *, interaction: str, token: str) -> tuple[int, JSONDict]:
        pending = self.interactions[token]
        kind, data = call.body["type"], call.body.get("data") or {}
        pending.callbacks.append({"type": kind, "data": data})
        answer: JSONDict = {"id": interaction, "type": kind}
        if kind == 4:  # a message in answer
            pending.original = self.new_message(pending.channel_id, data, call.files)["id"]
        elif kind == 5:  # "thinking...": the first follow-up fills it in
            flags = data.get("flags", 0) | LOADING
            pending.original = self.new_message(pending.channel_id, {}, (), flags)["id"]
            answer |= {"response_message_loading": True}
        elif kind in (6, 7):  # on the pressed message
            pending.original = pending.pressed
            if kind == 7 and pending.pressed is not None:
                self._apply(self.messages[pending.pressed], data, call.files)
        elif kind == 9:
            self.modals.append(data)
        if pending.original is not None:
            answer["response_message_id"] = pending.original
        return 200, {"interaction": answer}

    def _follow_up(self, call: Call, *, token: str) -> tuple[int, JSONDict]:
        pending = self.interactions[token]
        original = self.messages.get(pending.original or "")
        if original is not None and original["flags"] & LOADING:
            self._apply(original, call.body, call.files)
            return 200, original
        return 200, self.new_message(
            pending.channel_id, call.body, call.files, call.body.get("flags", 0)
        )

    def _edit_original(self, call: Call, *, token: str) -> tuple[int, JSONDict]:
        pending = self.interactions[token]
        message = self.messages.get(pending.original or "")
        if message is None:
            return 404, {"message": "Unknown Message", "code": 10008}
        self._apply(message, call.body, call.files)
        return 200, message

    def _delete_original(self, call: Call, *, token: str) -> tuple[int, None]:
        self.messages.pop(self.interactions[token].original or "", None)
        return 204, None

    def _open_dm(self, call: Call) -> tuple[int, JSONDict]:
        recipient = user(int(call.body["recipient_id"]), "Someone")
        return 200, {"id": dm_channel_id(recipient), "type": 1, "recipients": [recipient]}

    def _create_message(self, call: Call, *, channel: str) -> tuple[int, JSONDict]:
        nonce = call.body.get("nonce")
        if nonce is not None and call.body.get("enforce_nonce"):
            for message in self.in_channel(channel):
                if message.get("nonce") == nonce:
                    return 200, message
        return 200, self.new_message(channel, call.body, call.files)

    def _edit_message(self, call: Call, *, channel: str, message: str) -> tuple[int, JSONDict]:
        found = self.messages.get(message)
        if found is None or found["channel_id"] != channel or found["flags"] & EPHEMERAL:
            return 404, {"message": "Unknown Message", "code": 10008}
        self._apply(found, call.body, call.files)
        return 200, found

    def _sync(self, call: Call) -> tuple[int, list[JSONDict]]:
        return 200, [
            {**command, "id": str(next(self._ids)), "application_id": "1", "version": "1"}
            for command in call.body
        ]
