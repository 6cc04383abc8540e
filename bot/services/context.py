"""What every use case needs: the database, a clock, and a few settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.services.infrastructure.plan_fetch import SAFE, Limits
from bot.settings import PLACEHOLDER_DOMAIN, Settings
from bot.storage.database import Database

Clock = Callable[[], datetime]
IsAdmin = Callable[[], Awaitable[bool]]
"""Whether the person is an admin of the group or channel, asked only when it matters."""


async def no_admin() -> bool:
    """The admin check where there is no group: in a private chat, nobody is an admin."""
    return False


def system_clock() -> datetime:
    """The wall clock, timezone-aware in UTC."""
    return datetime.now(UTC)


class Platform(StrEnum):
    """Where the coach talks, by the name stored with runners, clubs and dialogs."""

    TELEGRAM = "telegram"
    DISCORD = "discord"
    CONSOLE = "console"


class ChatKind(StrEnum):
    """A chat as the coach sees it, whatever the platform calls it (a Telegram supergroup
    and a Discord server channel are groups)."""

    PRIVATE = "private"
    GROUP = "group"
    CHANNEL = "channel"


@dataclass(frozen=True, slots=True)
class Person:
    """Who sent an update: a user on a platform, talking in a chat."""

    platform: Platform
    user_id: str
    chat_id: str
    name: str | None = None
    chat_kind: ChatKind = ChatKind.PRIVATE

    @property
    def private(self) -> bool:
        """Whether this is a one-to-one chat with the bot."""
        return self.chat_kind is ChatKind.PRIVATE

    @property
    def dialog_key(self) -> str:
        """Whose dialog this is: the user's own in a private chat; in a group or channel, the
        chat's (its club setup), which any of its admins may answer."""
        return self.user_id if self.private else f"@{self.chat_id}"


@dataclass(frozen=True, slots=True)
class ServiceContext:
    """Shared by every use case; built once at start and passed down."""

    database: Database
    clock: Clock = system_clock
    default_timezone: str = "UTC"
    public_url: str | None = None
    """Where the bot's web server is reached from outside (webhook mode), such as
    ``https://coach.example.org``; None when it has none (polling, the console)."""
    calendar_domain: str = PLACEHOLDER_DOMAIN
    """The domain of calendar event UIDs (``Settings.uid_domain``)."""
    plan_fetch: Limits = SAFE
    """How far a running plan's fetch may go (the tests' loopback feed server changes it)."""

    @classmethod
    def from_settings(cls, settings: Settings, *, clock: Clock = system_clock) -> ServiceContext:
        """The context for the configured database (connections open lazily)."""
        return cls(
            Database.from_url(
                settings.database_url, connect_timeout=settings.database_connect_timeout
            ),
            clock,
            settings.default_timezone,
            settings.public_url,
            settings.uid_domain,
        )

    async def prepare(self) -> None:
        """Refuse a database that cannot work, in one line; bring its schema up to date."""
        await self.database.prepare()

    async def close(self) -> None:
        """Release the database connections."""
        await self.database.dispose()

    def today(self, timezone: str) -> date:
        """The local date now in ``timezone``."""
        return self.clock().astimezone(ZoneInfo(timezone)).date()
