"""Factories for Bot API shaped objects and updates, as Telegram would send them."""

from __future__ import annotations

import copy
import itertools
import time
from typing import Any, Literal

from telegram import Bot, Update

JSONDict = dict[str, Any]
MemberStatus = Literal["creator", "administrator", "member", "left", "kicked"]

GROUP_ANONYMOUS_BOT_ID = 1087968824
"""The user Telegram shows as the sender of messages by anonymous group administrators."""

_message_ids = itertools.count(1)
_callback_ids = itertools.count(1)

_DEFAULT_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
}


def utf16_length(text: str) -> int:
    """Return the length of text in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def user(
    *,
    user_id: int = 1001,
    first_name: str = "Ada",
    last_name: str | None = None,
    username: str | None = "ada_runs",
    language_code: str | None = "en",
    is_bot: bool = False,
) -> JSONDict:
    """Return a User object."""
    data: JSONDict = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
    optional = {"last_name": last_name, "username": username, "language_code": language_code}
    data.update({key: value for key, value in optional.items() if value is not None})
    return data


def group_anonymous_bot() -> JSONDict:
    """Return the GroupAnonymousBot user that stands in for anonymous group administrators."""
    return user(
        user_id=GROUP_ANONYMOUS_BOT_ID,
        first_name="Group",
        username="GroupAnonymousBot",
        language_code=None,
        is_bot=True,
    )


def private_chat(*, of: JSONDict | None = None) -> JSONDict:
    """Return the private Chat with a user (by default the default `user()`)."""
    person = of or user()
    data: JSONDict = {"id": person["id"], "type": "private", "first_name": person["first_name"]}
    for key in ("last_name", "username"):
        if key in person:
            data[key] = person[key]
    return data


def group_chat(*, chat_id: int = -4001, title: str = "Trail Club") -> JSONDict:
    """Return a basic group Chat."""
    return {"id": chat_id, "type": "group", "title": title}


def supergroup_chat(
    *, chat_id: int = -1001000000001, title: str = "Trail Club", username: str | None = None
) -> JSONDict:
    """Return a supergroup Chat."""
    data: JSONDict = {"id": chat_id, "type": "supergroup", "title": title}
    if username is not None:
        data["username"] = username
    return data


def channel_chat(
    *, chat_id: int = -1002000000001, title: str = "Trail News", username: str | None = None
) -> JSONDict:
    """Return a channel Chat."""
    data: JSONDict = {"id": chat_id, "type": "channel", "title": title}
    if username is not None:
        data["username"] = username
    return data


def chat_member(*, of: JSONDict, status: MemberStatus, **fields: Any) -> JSONDict:
    """Return a ChatMember of the given status, with the fields its type requires."""
    data: JSONDict = {"status": status, "user": of}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update(_DEFAULT_ADMIN_RIGHTS, is_anonymous=False)
    elif status == "kicked":
        data["until_date"] = 0
    data.update(fields)
    return data


def message(
    *,
    text: str | None = "hello",
    chat: JSONDict | None = None,
    from_user: JSONDict | None = None,
    message_id: int | None = None,
    date: int | None = None,
    **fields: Any,
) -> JSONDict:
    """Return a Message; a text starting with "/" gets a bot_command entity at offset 0."""
    sender = from_user or user()
    data: JSONDict = {
        "message_id": message_id if message_id is not None else next(_message_ids),
        "date": date if date is not None else int(time.time()),
        "chat": chat or private_chat(of=sender),
        "from": sender,
    }
    if text is not None:
        data["text"] = text
        if text.startswith("/"):
            length = utf16_length(text.split(maxsplit=1)[0])
            data["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    data.update(fields)
    return data


def text_message(
    *,
    text: str = "hello",
    chat: JSONDict | None = None,
    from_user: JSONDict | None = None,
    **fields: Any,
) -> JSONDict:
    """Return an update with a text message; `text="/start"` makes a command."""
    return {"message": message(text=text, chat=chat, from_user=from_user, **fields)}


def location_message(
    *,
    latitude: float = 45.8326,
    longitude: float = 6.8652,
    chat: JSONDict | None = None,
    from_user: JSONDict | None = None,
) -> JSONDict:
    """Return an update with a shared location (Chamonix by default)."""
    location = {"latitude": latitude, "longitude": longitude}
    return {"message": message(text=None, chat=chat, from_user=from_user, location=location)}


def edited_text_message(*, original: JSONDict, text: str) -> JSONDict:
    """Return an update for a person editing their earlier message `original` to `text`."""
    edited = {**original, "text": text, "edit_date": int(time.time())}
    edited.pop("entities", None)
    return {"edited_message": edited}


MediaKind = Literal["sticker", "photo", "voice", "video_note", "contact", "dice"]
_MEDIA: dict[str, Any] = {
    "sticker": {
        "file_id": "CAACAgIAAxkBAAEFake",
        "file_unique_id": "AgADFakeSticker",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "🏃",
    },
    "photo": [
        {
            "file_id": "AgACAgIAAxkBFake",
            "file_unique_id": "AQADFakePhoto",
            "width": 90,
            "height": 67,
        }
    ],
    "voice": {"file_id": "AwACAgIAAxkBFake", "file_unique_id": "AgADFakeVoice", "duration": 3},
    "video_note": {
        "file_id": "DQACAgIAAxkBFake",
        "file_unique_id": "AgADFakeNote",
        "length": 240,
        "duration": 5,
    },
    "contact": {"phone_number": "+49301234567", "first_name": "Bo"},
    "dice": {"emoji": "🎲", "value": 4},
}


def media_message(
    kind: MediaKind, *, chat: JSONDict | None = None, from_user: JSONDict | None = None
) -> JSONDict:
    """Return an update with a message that carries no text: a sticker, a photo, a voice note..."""
    content = copy.deepcopy(_MEDIA[kind])
    return {"message": message(text=None, chat=chat, from_user=from_user, **{kind: content})}


def callback_query(
    *,
    message: JSONDict,
    data: str,
    from_user: JSONDict | None = None,
    query_id: str | None = None,
) -> JSONDict:
    """Return an update for a user pressing the inline button with `data` on `message`."""
    query = {
        "id": query_id or f"cbq-{next(_callback_ids)}",
        "from": from_user or user(),
        "chat_instance": f"instance{message['chat']['id']}",
        "message": message,
        "data": data,
    }
    return {"callback_query": query}


def my_chat_member(
    *,
    bot: JSONDict,
    chat: JSONDict | None = None,
    old_status: MemberStatus = "left",
    new_status: MemberStatus = "member",
    from_user: JSONDict | None = None,
) -> JSONDict:
    """Return an update changing the bot's own membership: added, removed or promoted.

    Added: old "left", new "member". Removed: new "left" or "kicked". Promoted: new
    "administrator".
    """
    change = {
        "chat": chat or supergroup_chat(),
        "from": from_user or user(),
        "date": int(time.time()),
        "old_chat_member": chat_member(of=bot, status=old_status),
        "new_chat_member": chat_member(of=bot, status=new_status),
    }
    return {"my_chat_member": change}


def migrate_to_chat(*, chat: JSONDict | None = None, to_chat_id: int = -1001000000002) -> JSONDict:
    """Return the service message in a group that was upgraded to a supergroup."""
    old_chat = chat or group_chat()
    return {"message": message(text=None, chat=old_chat, migrate_to_chat_id=to_chat_id)}


def channel_post(*, text: str = "Long run on Sunday", chat: JSONDict | None = None) -> JSONDict:
    """Return an update with a post in a channel, signed by the channel itself."""
    channel = chat or channel_chat()
    post = message(text=text, chat=channel, sender_chat=channel)
    del post["from"]
    return {"channel_post": post}


def to_update(data: JSONDict, bot: Bot, *, update_id: int = 1) -> Update:
    """Parse an update dict into a `telegram.Update` bound to `bot`."""
    return Update.de_json({"update_id": update_id, **data}, bot)
