"""Raw Discord gateway payloads, as Discord sends them: interactions (a slash command, a button
press, a form submit; in a DM or in a server channel), DM messages and server events."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import discord

JSONDict = dict[str, Any]

APPLICATION_ID = 4200000000000000001
BOT_USER: JSONDict = {
    "id": "4200000000000000002",
    "username": "trailcoach",
    "discriminator": "0",
    "global_name": "Trail Coach",
    "avatar": None,
    "bot": True,
}
_ids = itertools.count(5_000_000_000_000_000_000)
JOINED = "2026-01-01T00:00:00+00:00"
EVERYONE_MAY = discord.Permissions(view_channel=True, send_messages=True, read_message_history=True)


def snowflake() -> str:
    """A fresh id."""
    return str(next(_ids))


def user(user_id: int, name: str) -> JSONDict:
    """A Discord user."""
    return {
        "id": str(user_id),
        "username": name.lower(),
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
    }


def dm_channel_id(person: JSONDict) -> str:
    """The id of the DM channel between ``person`` and the bot (one per person, fixed)."""
    return str(int(person["id"]) + 700_000)


@dataclass(frozen=True)
class Server:
    """A server (guild) with one text channel, where the bot is installed."""

    guild_id: str = "6100000000000000001"
    channel_id: str = "6100000000000000002"
    name: str = "Ridge Runners"
    owner_id: str = "3001"

    def channel(self) -> JSONDict:
        return {
            "id": self.channel_id,
            "type": 0,
            "guild_id": self.guild_id,
            "name": "club",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
        }

    def guild_create(self) -> JSONDict:
        """GUILD_CREATE when the bot is added: the server, its channel and roles, the bot."""
        channel = {k: v for k, v in self.channel().items() if k != "guild_id"}
        return {
            "id": self.guild_id,
            "name": self.name,
            "owner_id": self.owner_id,
            "system_channel_id": self.channel_id,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [
                {
                    "id": self.guild_id,  # @everyone
                    "name": "@everyone",
                    "permissions": str(EVERYONE_MAY.value),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                }
            ],
            "channels": [channel],
            "threads": [],
            "members": [
                {
                    "user": BOT_USER,
                    "roles": [],
                    "joined_at": JOINED,
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                }
            ],
            "member_count": 3,
            "large": False,
            "unavailable": None,
        }


def in_dm(person: JSONDict, *, user_install: bool = True) -> JSONDict:
    """Where: the person's DM with the bot (``user`` is sent, not ``member``)."""
    channel = dm_channel_id(person)
    return {
        "context": 1,
        "user": person,
        "channel": {"id": channel, "type": 1, "recipients": [person]},
        "channel_id": channel,
        "authorizing_integration_owners": {"1": person["id"]} if user_install else {"0": "0"},
    }


def in_server(person: JSONDict, server: Server, *, manage: bool = False) -> JSONDict:
    """Where: the server's channel, as a member (``manage``: with Manage Server)."""
    permissions = discord.Permissions(EVERYONE_MAY.value)
    permissions.manage_guild = manage
    return {
        "context": 0,
        "guild_id": server.guild_id,
        "guild": {"id": server.guild_id, "locale": "en-US", "features": []},
        "guild_locale": "en-US",
        "channel": server.channel(),
        "channel_id": server.channel_id,
        "member": {
            "user": person,
            "roles": [],
            "joined_at": JOINED,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": str(permissions.value),
        },
        "authorizing_integration_owners": {"0": server.guild_id},
    }


def _interaction(kind: int, data: JSONDict, where: JSONDict, **extra: Any) -> JSONDict:
    return {
        "id": snowflake(),
        "application_id": str(APPLICATION_ID),
        "type": kind,
        "data": data,
        "token": f"token-{snowflake()}",
        "version": 1,
        "locale": "en-GB",
        "attachment_size_limit": 10_485_760,
        "entitlements": [],
        "app_permissions": str(discord.Permissions.all().value),
        **where,
        **extra,
    }


def slash(name: str, where: JSONDict, **options: str | bool) -> JSONDict:
    """A slash command (INTERACTION_CREATE type 2), with any options."""
    kinds = {str: 3, bool: 5}
    data = {
        "id": snowflake(),
        "name": name,
        "type": 1,
        "options": [
            {"name": key, "type": kinds[type(value)], "value": value}
            for key, value in options.items()
        ],
    }
    return _interaction(2, data, where)


def press(custom_id: str, message: JSONDict, where: JSONDict) -> JSONDict:
    """A button press (type 3) on ``message``."""
    return _interaction(3, {"custom_id": custom_id, "component_type": 2}, where, message=message)


def submit(custom_id: str, field: str, value: str, where: JSONDict, **extra: Any) -> JSONDict:
    """A form submit (type 5): one text field, in a label as discord.py 2.7 lays it out."""
    component = {"type": 4, "id": 2, "custom_id": field, "value": value}
    data = {"custom_id": custom_id, "components": [{"type": 18, "id": 1, "component": component}]}
    return _interaction(5, data, where, **extra)


def edited(message: JSONDict, text: str, *, by_its_author: bool = True) -> JSONDict:
    """MESSAGE_UPDATE: ``message`` edited to ``text`` by its author; otherwise Discord adding
    a link preview, which sets no edit time."""
    return {**message, "content": text, "edited_timestamp": JOINED if by_its_author else None}


def dm_message(text: str, author: JSONDict, *, attachments: int = 0, stickers: int = 0) -> JSONDict:
    """MESSAGE_CREATE: ``author`` writes in their DM with the bot (no ``guild_id``); a photo
    or a sticker comes without text."""
    return {
        "id": snowflake(),
        "channel_id": dm_channel_id(author),
        "author": author,
        "content": text,
        "timestamp": JOINED,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [
            {
                "id": snowflake(),
                "filename": "photo.jpg",
                "size": 1,
                "url": "https://cdn.invalid/photo.jpg",
                "proxy_url": "https://cdn.invalid/photo.jpg",
            }
            for _ in range(attachments)
        ],
        "sticker_items": [
            {"id": snowflake(), "name": "thumbs up", "format_type": 1} for _ in range(stickers)
        ],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
        "components": [],
    }
