"""Reading what Telegram sends: a ``getUpdates`` answer, or a webhook's POST.

A body is read only if it is at most ``MAX_BODY`` bytes, is JSON, and nests at most
``MAX_DEPTH`` deep (Telegram's updates nest about ten deep; anything deeper could overflow
the stack of whatever walks it later: the library, the JSON column, a log line). A body that
cannot be read raises ``Unreadable``; ``first_update_id`` names the update it starts with,
from its first bytes alone (Telegram writes each update's ``update_id`` first), so that
update can be set aside and everyone after it answered. An update read comes with the JSON
it was read from (``Arrived``), which is what the inbox stores: not the library's objects
written back into JSON. Nothing here logs a body: it holds names and texts.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, NamedTuple

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.request import BaseRequest, RequestData

logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # bytes; what aiohttp's server accepts in a request by default
MAX_DEPTH = 64

_UPDATE_HEAD = rb'\s*\{\s*"update_id"\s*:\s*(\d+)'
_UPDATE = re.compile(_UPDATE_HEAD)
_ANSWER = re.compile(rb'\s*\{\s*"ok"\s*:\s*true\s*,\s*"result"\s*:\s*\[' + _UPDATE_HEAD)


class Unreadable(TelegramError):
    """A body that cannot be read, and why (never what it held)."""


def read(body: bytes) -> Any:
    """The JSON value of ``body``; raises ``Unreadable`` if it is too large, not JSON, or
    nested too deep."""
    if len(body) > MAX_BODY:
        raise Unreadable(f"larger than {MAX_BODY:,} bytes")
    try:
        value = json.loads(body.decode("utf-8", "replace"))  # as python-telegram-bot reads
    except RecursionError:
        raise Unreadable(f"nested deeper than {MAX_DEPTH}") from None
    except ValueError:
        raise Unreadable("not JSON") from None
    if not _within(value, MAX_DEPTH):
        raise Unreadable(f"nested deeper than {MAX_DEPTH}")
    return value


def first_update_id(body: bytes, *, answer: bool = False) -> int | None:
    """The ``update_id`` a webhook's body (or, with ``answer``, a ``getUpdates`` answer)
    starts with, read from its first bytes alone; None if it starts otherwise."""
    match = (_ANSWER if answer else _UPDATE).match(body)
    return int(match[1]) if match else None


class Arrived(NamedTuple):
    """An update as read (``update``, handled) and the JSON Telegram sent for it
    (``payload``, stored); an update set aside keeps its id alone."""

    update: Update
    payload: dict[str, Any]


def arrived(update_id: int, payload: dict[str, Any], bot: Bot | None) -> Arrived:
    """The update ``payload`` holds, or, if python-telegram-bot cannot read it, a stand-in
    (``set_aside``)."""
    try:
        update = Update.de_json(payload, bot)
    except Exception as error:  # whatever the library raises, the update is unreadable
        return set_aside(update_id, f"python-telegram-bot cannot read it: {type(error).__name__}")
    return Arrived(update, payload)


def legible(update_id: int, payload: dict[str, Any], bot: Bot | None) -> Update:
    """The update ``payload`` holds, or, if python-telegram-bot cannot read it, a stand-in."""
    return arrived(update_id, payload, bot).update


def set_aside(update_id: int, reason: str) -> Arrived:
    """An update that cannot be read: its stand-in, and only its id to store."""
    return Arrived(stand_in(update_id, reason), {"update_id": update_id})


def stand_in(update_id: int, reason: str) -> Update:
    """What takes the place of an update that cannot be read: an update with its id alone,
    stored and handled as one that no handler takes, so the offset moves on; logged once, in
    one line, without its content."""
    logger.error(
        "update %d cannot be read (%s); it is skipped, and only its id is kept", update_id, reason
    )
    return Update(update_id)


def _within(value: Any, depth: int) -> bool:
    """Whether ``value`` nests at most ``depth`` deep (walked without recursion)."""
    stack: list[tuple[dict[str, Any] | list[Any], int]] = []
    if isinstance(value, dict | list):
        stack.append((value, 1))
    while stack:
        item, level = stack.pop()
        if level > depth:
            return False
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return True


class UpdatesRequest(BaseRequest):
    """The transport of ``getUpdates``: ``transport``, whose answers are read by ``read``. An
    answer that cannot be read raises ``Unreadable`` from ``Bot.get_updates``, never logged;
    ``head`` is the ``update_id`` the last answer starts with (None if it names none), the
    one to set aside if even that update alone cannot be read; ``answered`` counts answers;
    ``sent`` holds the last answer's updates as Telegram sent them, in its order."""

    def __init__(self, transport: BaseRequest) -> None:
        self._transport = transport
        self.head: int | None = None
        self.answered = 0
        self.sent: list[dict[str, Any]] = []

    @property
    def read_timeout(self) -> float | None:
        return self._transport.read_timeout

    async def initialize(self) -> None:
        await self._transport.initialize()

    async def shutdown(self) -> None:
        await self._transport.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        status, answer = await self._transport.do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        self.head = first_update_id(answer, answer=True)
        self.answered += 1
        return status, answer

    # python-telegram-bot calls it on the transport (``self.parse_json_payload``), so it may
    # keep what it read; its base is a static method.
    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:  # type: ignore[override]
        """The answer, read by ``read`` (the extension point python-telegram-bot documents);
        the updates it holds are kept in ``sent``."""
        answer: dict[str, Any] = read(payload)
        result = answer.get("result") if isinstance(answer, dict) else None
        self.sent = result if isinstance(result, list) else []
        return answer
