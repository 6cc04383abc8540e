"""An in-memory Telegram Bot API: the one state machine behind both fake transports."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import re
import struct
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tests.fake_telegram import updates
from tests.fake_telegram.errors import ApiError, Failure, too_many_requests
from tests.fake_telegram.formatting import parse_entities
from tests.fake_telegram.rate_limits import RateLimiter, RateLimits

JSONDict = dict[str, Any]
ChatId = int | str
T = TypeVar("T")

NEW_MESSAGES = ("message", "channel_post")  # update fields that bring a new message
DEFAULT_TOKEN = "123456789:AAFakeTokenForTestsOnly-abcdefghijklm"

_JSON_PARAMS = frozenset(
    {
        "allowed_updates",
        "caption_entities",
        "commands",
        "entities",
        "link_preview_options",
        "reply_markup",
        "reply_parameters",
        "scope",
    }
)
_INT_PARAMS = frozenset(
    {"chat_id", "limit", "max_connections", "message_id", "message_thread_id", "offset", "user_id"}
)
_BOOL_PARAMS = frozenset(
    {
        "allow_sending_without_reply",
        "disable_notification",
        "drop_pending_updates",
        "protect_content",
        "show_alert",
    }
)
_INTEGER = re.compile(r"-?\d+")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_PNG = b"\x89PNG\r\n\x1a\n"
_PHOTO_MAX_BYTES = 10 * 1024 * 1024  # Telegram's limits for an uploaded photo
_PHOTO_MAX_SIDES = 10_000  # width + height
_PHOTO_MAX_RATIO = 20
_PHOTO_SIZES = (90, 320, 800, 1280)  # the longest side of each size Telegram keeps
_RATE_LIMITED_METHODS = frozenset({"sendmessage", "senddocument", "sendphoto"})
_MAX_LENGTH = {"text": 4096, "caption": 1024}
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


@dataclass(frozen=True)
class UploadedFile:
    """A file uploaded with multipart/form-data."""

    filename: str
    content: bytes
    mime_type: str


@dataclass(frozen=True)
class RecordedCall:
    """One Bot API call as the fake received it, with decoded parameters."""

    method: str
    params: JSONDict
    files: dict[str, UploadedFile] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiReply:
    """The HTTP status and JSON body of a Bot API answer."""

    status: int
    body: JSONDict

    def payload(self) -> bytes:
        """Return the body as UTF-8 JSON, with each raw update's text as it is."""
        result = self.body.get("result")
        if not isinstance(result, list) or not any(isinstance(u, RawUpdate) for u in result):
            return json.dumps(self.body).encode()
        items = ", ".join(u.text if isinstance(u, RawUpdate) else json.dumps(u) for u in result)
        return f'{{"ok": true, "result": [{items}]}}'.encode()


class RawUpdate(dict[str, Any]):
    """An update getUpdates sends as text: ``{"update_id": N, `` and then ``rest`` as it is,
    JSON or not (what a proxy, a bug or a future Bot API field might send)."""

    def __init__(self, update_id: int, rest: str) -> None:
        super().__init__(update_id=update_id)
        self.text = f'{{"update_id": {update_id}, {rest}'


@dataclass(frozen=True)
class Webhook:
    """The webhook set with setWebhook."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None


@dataclass
class _Injection:
    """Failures queued for the next calls of one method, optionally to one chat."""

    method: str
    failure: Failure
    remaining: int | None
    chat_id: ChatId | None


class _Pulse:
    """An event that re-arms itself: each `fire` wakes only those already waiting."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        """Wake the current waiters."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, within: float) -> None:
        """Wait for the next fire, at most `within` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), within)


Handler = Callable[["FakeBotAPI", JSONDict, dict[str, UploadedFile]], Awaitable[Any]]
_HANDLERS: dict[str, Handler] = {}


def _method(name: str) -> Callable[[Handler], Handler]:
    """Register a Bot API method handler under its case-insensitive name."""

    def register(handler: Handler) -> Handler:
        _HANDLERS[name.lower()] = handler
        return handler

    return register


def decode_params(raw: Mapping[str, Any]) -> JSONDict:
    """Decode form values the way the Bot API does: JSON, integer and boolean fields."""
    return {key: _decode(key, value) for key, value in raw.items()}


def _decode(key: str, value: Any) -> Any:
    """Decode one parameter sent as a string; other values are already decoded JSON."""
    if not isinstance(value, str):
        return value
    if key in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
    if key in _INT_PARAMS and _INTEGER.fullmatch(value):
        return int(value)
    if key in _BOOL_PARAMS:
        return value.lower() == "true"
    return value


def _require(params: JSONDict, name: str) -> Any:
    """Return a required parameter, or answer 400 as Telegram does when it is missing."""
    value = params.get(name)
    if value is None or value == "":
        raise ApiError(400, f"Bad Request: {name} is empty")
    return value


class FakeBotAPI:
    """The Bot API of one bot, in memory: records calls, keeps chats, messages and updates."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "TrailCoachTestBot",
        clock: Callable[[], float] = time.monotonic,
        latency: float = 0.0,
    ):
        self.token = token
        self.bot_user: JSONDict = {
            **updates.user(
                user_id=int(token.split(":", 1)[0]),
                first_name="Trail Strength Coach",
                username=bot_username,
                language_code=None,
                is_bot=True,
            ),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.latency = latency
        self.recorded: list[RecordedCall] = []
        self.webhook: Webhook | None = None
        self.webhook_sink: Callable[[JSONDict], None] | None = None
        self.chats: dict[int, JSONDict] = {}
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._clock = clock
        self._limiter: RateLimiter | None = None
        self._injections: list[_Injection] = []
        self._pending: list[JSONDict] = []
        self._update_ids = itertools.count(1)
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._last_message_id: dict[int, int] = {}
        self._members: dict[tuple[int, int], JSONDict] = {}
        self._sent_by_bot: set[tuple[int, int]] = set()
        self._updates_arrived = _Pulse()
        self._changed = _Pulse()

    # -- the one entry point of both transports ------------------------------------------

    async def request(
        self,
        token: str,
        method: str,
        raw_params: Mapping[str, Any],
        files: Mapping[str, UploadedFile] | None = None,
    ) -> ApiReply:
        """Answer one Bot API call; raises `NetworkFailure` when one is injected."""
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            call = RecordedCall(method, decode_params(raw_params), dict(files or {}))
            self.recorded.append(call)
            self._changed.fire()
            if self.latency:
                await asyncio.sleep(self.latency)
            handler = _HANDLERS.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            self._inject_failure(call)
            self._enforce_rate_limits(call)
            result = await handler(self, call.params, call.files)
        except ApiError as error:
            return ApiReply(error.status, error.body())
        self._changed.fire()
        return ApiReply(200, {"ok": True, "result": result})

    # -- test controls ---------------------------------------------------------------------

    def push_update(self, update: JSONDict) -> JSONDict:
        """Queue an update for getUpdates, or hand it to the webhook; returns it with its id
        (first, as Telegram writes it)."""
        fields = {k: v for k, v in copy.deepcopy(update).items() if k != "update_id"}
        update = {"update_id": next(self._update_ids), **fields}
        self._remember(update)
        if self.webhook is not None and self.webhook_sink is not None:
            self.webhook_sink(update)
        else:
            self._pending.append(update)
            self._updates_arrived.fire()
        return update

    def push_raw_update(self, rest: str) -> int:
        """Queue for getUpdates an update sent as text (``RawUpdate``); returns its id."""
        update_id = next(self._update_ids)
        self._pending.append(RawUpdate(update_id, rest))
        self._updates_arrived.fire()
        return update_id

    def fail_next(
        self,
        method: str,
        failure: Failure,
        *,
        times: int | None = 1,
        chat_id: ChatId | None = None,
    ) -> None:
        """Make the next `times` calls of `method` (to `chat_id`) fail; None means always."""
        self._injections.append(_Injection(method.lower(), failure, times, chat_id))

    def enforce_rate_limits(self, limits: RateLimits | None = None) -> None:
        """Answer 429 to messages over Telegram's limits, from now on, with fresh windows."""
        self._limiter = RateLimiter(limits or RateLimits(), self._clock)

    @property
    def rate_limit_violations(self) -> int:
        """How many messages were refused for exceeding a rate limit."""
        return self._limiter.violations if self._limiter else 0

    @property
    def unconfirmed_updates(self) -> int:
        """How many queued updates getUpdates has not yet been told (by its offset) were seen."""
        return len(self._pending)

    def add_chat(self, chat: JSONDict) -> None:
        """Make a chat known, as if the bot had seen it in an update."""
        self.chats[chat["id"]] = chat

    def set_chat_member(
        self,
        chat_id: int,
        *,
        of: JSONDict,
        status: updates.MemberStatus,
        **fields: Any,
    ) -> None:
        """Set what getChatMember answers for the user `of` in `chat_id`."""
        self._members[(chat_id, of["id"])] = updates.chat_member(of=of, status=status, **fields)

    def clear(self) -> None:
        """Forget recorded calls and injected failures, keeping chats and messages."""
        self.recorded.clear()
        self._injections.clear()

    # -- inspection ------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """Return the recorded calls, of one method if given."""
        if method is None:
            return list(self.recorded)
        return [call for call in self.recorded if call.method.lower() == method.lower()]

    def sent_messages(self, chat_id: int | None = None) -> list[JSONDict]:
        """Return the bot's messages still in their chats, as last edited, oldest first."""
        return [
            message
            for key, message in self._messages.items()
            if key in self._sent_by_bot and chat_id in (None, key[0])
        ]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        """Return the texts of `sent_messages`."""
        return [message["text"] for message in self.sent_messages(chat_id) if "text" in message]

    def last_message(self, chat_id: int) -> JSONDict:
        """Return the bot's latest message in a chat; AssertionError if there is none."""
        messages = self.sent_messages(chat_id)
        assert messages, f"the bot sent nothing to chat {chat_id}"
        return messages[-1]

    async def wait_for_message(
        self, chat_id: int, *, count: int = 1, within: float = 5.0
    ) -> JSONDict:
        """Wait until the bot has sent `count` messages to a chat; return the last."""
        return await self._wait_until(
            lambda: messages[-1] if len(messages := self.sent_messages(chat_id)) >= count else None,
            within,
        )

    async def wait_for_call(
        self, method: str, *, count: int = 1, within: float = 5.0
    ) -> RecordedCall:
        """Wait until `method` has been called `count` times; return the last such call."""
        return await self._wait_until(
            lambda: found[count - 1] if len(found := self.calls(method)) >= count else None,
            within,
        )

    async def wait_until(self, probe: Callable[[], T | None], within: float = 5.0) -> T:
        """Wait, call by call, up to `within` seconds for `probe` to return something (not
        None); TimeoutError if it never does."""
        return await self._wait_until(probe, within)

    async def _wait_until(self, probe: Callable[[], T | None], within: float) -> T:
        """Wait up to `within` seconds for `probe` to return something; TimeoutError if not."""
        async with asyncio.timeout(within):
            while (found := probe()) is None:
                await self._changed.wait(within)
        return found

    # -- internals -------------------------------------------------------------------------

    def _inject_failure(self, call: RecordedCall) -> None:
        """Raise the first injected failure matching this call, using it up."""
        for injection in self._injections:
            if injection.method != call.method.lower():
                continue
            if injection.chat_id is not None and injection.chat_id != call.params.get("chat_id"):
                continue
            if injection.remaining is not None:
                injection.remaining -= 1
                if injection.remaining == 0:
                    self._injections.remove(injection)
            raise injection.failure.with_traceback(None)

    def _enforce_rate_limits(self, call: RecordedCall) -> None:
        """Refuse a message over the rate limits with 429."""
        if self._limiter is None or call.method.lower() not in _RATE_LIMITED_METHODS:
            return
        chat_id = call.params.get("chat_id")
        if chat_id is None:
            return
        is_group = self._chat(chat_id)["type"] != "private"
        retry_after = self._limiter.admit(chat_id, is_group=is_group)
        if retry_after is not None:
            raise too_many_requests(retry_after)

    def _remember(self, update: JSONDict) -> None:
        """Learn the chats an update carries, and number and keep the new messages it brings.

        Telegram numbers messages per chat, the users' and the bot's alike; a pressed button's
        message is one the chat already has, so it is not stored again.
        """
        for key, value in update.items():
            if not isinstance(value, dict):
                continue
            carried = value.get("message", value)
            if "chat" in carried:
                self.add_chat(carried["chat"])
            if key in NEW_MESSAGES and "message_id" in carried:
                chat_id = carried["chat"]["id"]
                carried["message_id"] = self._last_message_id.get(chat_id, 0) + 1
                self._store(carried)

    def _chat(self, chat_id: ChatId) -> JSONDict:
        """Return a chat by id or @username; unknown ids are taken as new chats."""
        if isinstance(chat_id, str):
            for chat in self.chats.values():
                if f"@{chat.get('username')}" == chat_id:
                    return chat
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id not in self.chats:
            self.add_chat(_unknown_chat(chat_id))
        return self.chats[chat_id]

    def _store(self, message: JSONDict) -> None:
        """Keep a message so it can be replied to, edited or deleted."""
        chat_id = message["chat"]["id"]
        self._messages[(chat_id, message["message_id"])] = message
        self._last_message_id[chat_id] = max(
            self._last_message_id.get(chat_id, 0), message["message_id"]
        )

    def _message(self, params: JSONDict, missing: str) -> JSONDict:
        """Return the message named by chat_id and message_id, or 400 `missing`."""
        chat = self._chat(_require(params, "chat_id"))
        found = self._messages.get((chat["id"], _require(params, "message_id")))
        if found is None:
            raise ApiError(400, f"Bad Request: {missing}")
        return found

    def _send(self, params: JSONDict, content: JSONDict) -> JSONDict:
        """Post a new bot message with `content` in the chat of `params`."""
        chat = self._chat(_require(params, "chat_id"))
        message_id = self._last_message_id.get(chat["id"], 0) + 1
        message: JSONDict = {"message_id": message_id, "date": int(time.time()), "chat": chat}
        if chat["type"] == "channel":
            message["sender_chat"] = chat
        else:
            message["from"] = self.bot_user
        message.update(content)
        reply_to = params.get("reply_parameters")
        if reply_to is not None:
            message.update(self._reply_to(chat, reply_to))
        message.update(_inline_markup(params))
        self._store(message)
        self._sent_by_bot.add((chat["id"], message_id))
        return message

    def _reply_to(self, chat: JSONDict, reply: JSONDict) -> JSONDict:
        """Return the reply_to_message field for reply_parameters."""
        replied_chat = self._chat(reply.get("chat_id") or chat["id"])
        replied = self._messages.get((replied_chat["id"], reply["message_id"]))
        if replied is not None:
            return {
                "reply_to_message": {k: v for k, v in replied.items() if k != "reply_to_message"}
            }
        if reply.get("allow_sending_without_reply"):
            return {}
        raise ApiError(400, "Bad Request: message to be replied not found")

    def _member(self, chat: JSONDict, user_id: int) -> JSONDict:
        """Return a chat member; unconfigured users are plain members."""
        configured = self._members.get((chat["id"], user_id))
        if configured is not None:
            return configured
        if user_id == self.bot_user["id"]:
            return updates.chat_member(of=self.bot_user, status="member")
        return updates.chat_member(of=_stranger(user_id), status="member")

    # -- Bot API methods -------------------------------------------------------------------

    @_method("getMe")
    async def _get_me(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        return self.bot_user

    @_method("logOut")
    @_method("close")
    async def _true(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        return True

    @_method("getUpdates")
    async def _get_updates(self, params: JSONDict, files: dict[str, UploadedFile]) -> list[Any]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset", 0))
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        timeout = float(params.get("timeout", 0))
        if not self._pending and timeout > 0:
            await self._updates_arrived.wait(timeout)
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        return self._pending[:limit]

    @_method("setWebhook")
    async def _set_webhook(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        url = params.get("url", "")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = (
            Webhook(
                url=url,
                secret_token=secret,
                max_connections=int(params.get("max_connections", 40)),
                allowed_updates=params.get("allowed_updates"),
            )
            if url
            else None
        )
        return True

    @_method("deleteWebhook")
    async def _delete_webhook(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = None
        return True

    @_method("getWebhookInfo")
    async def _get_webhook_info(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        info: JSONDict = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.webhook is not None:
            info["max_connections"] = self.webhook.max_connections
            if self.webhook.allowed_updates is not None:
                info["allowed_updates"] = self.webhook.allowed_updates
        return info

    @_method("sendMessage")
    async def _send_message(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        if not params.get("text"):
            raise ApiError(400, "Bad Request: message text is empty")
        return self._send(params, _text_content(params))

    @_method("sendDocument")
    async def _send_document(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        upload = files.get("document")
        file_id = f"BQACAgFake{len(self.recorded)}" if upload else _require(params, "document")
        document: JSONDict = {"file_id": file_id, "file_unique_id": f"unique-{file_id[-12:]}"}
        if upload is not None:
            document.update(
                file_name=upload.filename, mime_type=upload.mime_type, file_size=len(upload.content)
            )
        content: JSONDict = {"document": document}
        if "caption" in params:
            content.update(_text_content(params, text_key="caption"))
        return self._send(params, content)

    @_method("sendPhoto")
    async def _send_photo(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        upload = files.get("photo")
        if upload is None:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        width, height = _png_size(upload.content)
        file_id = f"AgACAgFake{len(self.recorded)}"
        longest = max(width, height)
        photo = [
            {
                "file_id": f"{file_id}-{side}",
                "file_unique_id": f"unique-{file_id[-8:]}-{side}",
                "width": round(width * min(1, side / longest)),
                "height": round(height * min(1, side / longest)),
            }
            for side in _PHOTO_SIZES
            if side < longest or side == _PHOTO_SIZES[-1]
        ]
        photo[-1]["file_size"] = len(upload.content)
        content: JSONDict = {"photo": photo}
        if "caption" in params:
            content.update(_text_content(params, text_key="caption"))
        return self._send(params, content)

    @_method("editMessageText")
    async def _edit_message_text(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> JSONDict:
        message = self._message(params, "message to edit not found")
        edited = {k: v for k, v in message.items() if k not in ("entities", "reply_markup")}
        edited |= _text_content(params) | _inline_markup(params)
        return self._edit(message, edited)

    @_method("editMessageReplyMarkup")
    async def _edit_message_reply_markup(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> JSONDict:
        message = self._message(params, "message to edit not found")
        edited = {k: v for k, v in message.items() if k != "reply_markup"}
        edited.update(_inline_markup(params))
        return self._edit(message, edited)

    def _edit(self, message: JSONDict, edited: JSONDict) -> JSONDict:
        """Store an edit of a message, refusing one that changes nothing."""
        unchanged = {k: v for k, v in message.items() if k != "edit_date"}
        if {k: v for k, v in edited.items() if k != "edit_date"} == unchanged:
            raise ApiError(400, _NOT_MODIFIED)
        edited["edit_date"] = int(time.time())
        self._store(edited)
        return edited

    @_method("deleteMessage")
    async def _delete_message(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        message = self._message(params, "message to delete not found")
        del self._messages[(message["chat"]["id"], message["message_id"])]
        return True

    @_method("answerCallbackQuery")
    async def _answer_callback_query(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> bool:
        _require(params, "callback_query_id")
        return True

    @_method("sendChatAction")
    async def _send_chat_action(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        self._chat(_require(params, "chat_id"))
        _require(params, "action")
        return True

    @_method("setMyCommands")
    async def _set_my_commands(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        commands = _require(params, "commands")
        if any(not _COMMAND.fullmatch(command.get("command", "")) for command in commands):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        self.commands[_commands_key(params)] = commands
        return True

    @_method("getMyCommands")
    async def _get_my_commands(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> list[JSONDict]:
        return self.commands.get(_commands_key(params), [])

    @_method("deleteMyCommands")
    async def _delete_my_commands(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        self.commands.pop(_commands_key(params), None)
        return True

    @_method("getChat")
    async def _get_chat(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._chat(_require(params, "chat_id"))
        gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        )
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11} | {
            "accepted_gift_types": gifts
        }

    @_method("getChatMember")
    async def _get_chat_member(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._chat(_require(params, "chat_id"))
        return self._member(chat, _require(params, "user_id"))

    @_method("getChatAdministrators")
    async def _get_chat_administrators(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> list[JSONDict]:
        chat = self._chat(_require(params, "chat_id"))
        if chat["type"] == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        return [
            member
            for (chat_id, _), member in self._members.items()
            if chat_id == chat["id"] and member["status"] in ("creator", "administrator")
        ]

    @_method("leaveChat")
    async def _leave_chat(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        chat = self._chat(_require(params, "chat_id"))
        if chat["type"] == "private":
            raise ApiError(400, "Bad Request: chat member status can't be changed in private chats")
        self.set_chat_member(chat["id"], of=self.bot_user, status="left")
        return True


def _unknown_chat(chat_id: int) -> JSONDict:
    """Return a chat for an id never seen in an update: a user, supergroup or group."""
    if chat_id > 0:
        return updates.private_chat(of=_stranger(chat_id))
    if str(chat_id).startswith("-100"):
        return updates.supergroup_chat(chat_id=chat_id, title=f"Chat {chat_id}")
    return updates.group_chat(chat_id=chat_id, title=f"Chat {chat_id}")


def _stranger(user_id: int) -> JSONDict:
    """Return a user the fake knows nothing about but the id."""
    return updates.user(
        user_id=user_id, first_name=f"User {user_id}", username=None, language_code=None
    )


def _text_content(params: JSONDict, *, text_key: str = "text") -> JSONDict:
    """Return the text (or caption) of a message and its entities, parsing parse_mode."""
    text = _require(params, text_key)
    entities_key = "entities" if text_key == "text" else "caption_entities"
    try:
        text, entities = parse_entities(text, params.get("parse_mode"))
    except ValueError as error:
        raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None
    # Telegram counts what the message shows, after the markup is parsed.
    if text_key == "text" and not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if updates.utf16_length(text) > _MAX_LENGTH[text_key]:
        too_long = "message is too long" if text_key == "text" else "message caption is too long"
        raise ApiError(400, f"Bad Request: {too_long}")
    entities = params.get(entities_key) or entities
    return {text_key: text, entities_key: entities} if entities else {text_key: text}


def _png_size(content: bytes) -> tuple[int, int]:
    """The width and height of an uploaded PNG, or the 400 Telegram gives an unusable photo."""
    if len(content) > _PHOTO_MAX_BYTES:
        raise ApiError(400, "Bad Request: PHOTO_SAVE_FILE_INVALID")
    if not content.startswith(_PNG) or content[12:16] != b"IHDR":
        raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
    width, height = struct.unpack(">II", content[16:24])
    if not width or not height or width + height > _PHOTO_MAX_SIDES:
        raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
    if max(width, height) / min(width, height) > _PHOTO_MAX_RATIO:
        raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
    return width, height


def _inline_markup(params: JSONDict) -> JSONDict:
    """Return the reply_markup Telegram echoes back: inline keyboards only."""
    markup = params.get("reply_markup")
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return {"reply_markup": markup}
    return {}


def _commands_key(params: JSONDict) -> tuple[str, str]:
    """Return the key of a command list: its scope and language."""
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), params.get("language_code", "")
