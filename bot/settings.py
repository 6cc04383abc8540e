"""Settings, read once at start from the environment and ``.env``, then passed down."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, HttpUrl, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///trailcoach.sqlite3"

# Sync driver names people naturally write, mapped to the async drivers the bot runs on.
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}
_PLACEHOLDER = re.compile(r"change[-_ ]?me|your[-_ ]|placeholder|example|xxx|<.*>|^secret$", re.I)
_TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
# A Discord bot token: the bot's id, a timestamp and a signature, each base64url, dot-joined.
_DISCORD_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{18,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")
_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
_DOMAIN_SHAPE = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
)
PLACEHOLDER_DOMAIN = "trail-strength-coach.invalid"
"""The domain of calendar UIDs when neither CALENDAR_DOMAIN nor WEBHOOK_URL names one."""


def normalise_database_url(value: str) -> str:
    """Map a SQLite or PostgreSQL URL onto its async driver; reject anything else."""
    try:
        url: URL = make_url(value)
    except ArgumentError:
        raise ValueError(f"cannot parse {value!r} as a database URL") from None
    driver = _ASYNC_DRIVERS.get(url.drivername)
    if driver is None:
        raise ValueError(
            f"unsupported database {url.drivername!r}; use sqlite:///FILE or postgresql://HOST/DB"
        )
    if driver == "sqlite+aiosqlite":
        if not url.database:
            raise ValueError("a SQLite URL needs a file name, like sqlite:///trailcoach.sqlite3")
        folder = Path(url.database).expanduser().resolve().parent
        if url.database != ":memory:" and not folder.is_dir():
            raise ValueError(f"the folder {folder} for the SQLite file does not exist")
    return url.set(drivername=driver).render_as_string(hide_password=False)


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA timezone such as Europe/Berlin") from None
    return value


def _no_placeholder(value: SecretStr | None) -> SecretStr | None:
    if value is not None and _PLACEHOLDER.search(value.get_secret_value()):
        raise ValueError("still holds the placeholder from .env.example; set a real value")
    return value


def _token_shape(value: SecretStr | None) -> SecretStr | None:
    if value is not None and not _TOKEN_SHAPE.match(value.get_secret_value()):
        raise ValueError("does not look like a bot token from @BotFather (digits:letters)")
    return value


def _discord_token_shape(value: SecretStr | None) -> SecretStr | None:
    if value is not None and not _DISCORD_TOKEN_SHAPE.match(value.get_secret_value()):
        raise ValueError(
            "does not look like a Discord bot token (three dot-separated parts, from the "
            "Developer Portal's Bot page)"
        )
    return value


def _secret_shape(value: SecretStr | None) -> SecretStr | None:
    if value is not None and not _SECRET_SHAPE.match(value.get_secret_value()):
        raise ValueError("must be 16-256 characters of A-Z, a-z, 0-9, _ and -")
    return value


BotToken = Annotated[SecretStr, AfterValidator(_no_placeholder), AfterValidator(_token_shape)]
DiscordToken = Annotated[
    SecretStr, AfterValidator(_no_placeholder), AfterValidator(_discord_token_shape)
]
WebhookSecret = Annotated[SecretStr, AfterValidator(_no_placeholder), AfterValidator(_secret_shape)]


def _domain(value: str) -> str:
    if not _DOMAIN_SHAPE.match(value.lower()):
        raise ValueError(f"{value!r} is not a domain name such as coach.example.org")
    return value.lower()


KEEP_HANDLED_UPDATES = timedelta(days=2)  # Telegram redelivers an unconfirmed update for a day
INSTANCE_LEASE_SECONDS = 10.0  # an instance not seen this long is dead (several instances)
DATABASE_CONNECT_TIMEOUT = 10.0  # seconds to make a PostgreSQL connection, then give up


class Settings(BaseSettings):
    """Every setting the bot reads; see ``.env.example`` for what each one means."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,  # an empty line in .env means "not set"
        extra="ignore",
        frozen=True,
    )

    telegram_bot_token: BotToken | None = None
    telegram_api_base_url: HttpUrl = HttpUrl("https://api.telegram.org")
    discord_bot_token: DiscordToken | None = None
    # This instance's shard of the Discord gateway, of how many (both or neither).
    discord_shard_id: int | None = Field(default=None, ge=0)
    discord_shard_count: int | None = Field(default=None, ge=1, le=1000)
    database_url: Annotated[str, AfterValidator(normalise_database_url)] = DEFAULT_DATABASE_URL
    database_connect_timeout: float = Field(default=DATABASE_CONNECT_TIMEOUT, gt=0, le=300)
    default_timezone: Annotated[str, AfterValidator(_timezone)] = "UTC"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"

    webhook_url: HttpUrl | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: WebhookSecret | None = None
    calendar_domain: Annotated[str, AfterValidator(_domain)] | None = None

    health_port: int | None = Field(default=None, ge=1, le=65535)
    health_listen: str = "127.0.0.1"
    metrics: bool = False

    reminder_grace: timedelta = Field(default=timedelta(hours=2), ge=timedelta(0))
    messages_per_second: float = Field(default=30.0, gt=0, le=1000)
    tick_seconds: int = Field(default=30, ge=5, le=3600)
    concurrent_updates: int = Field(default=64, ge=1, le=1024)
    dispatch_retention_days: int = Field(default=30, ge=1, le=3650)
    keep_handled_updates: timedelta = Field(default=KEEP_HANDLED_UPDATES, gt=timedelta(0))
    # An instance not seen this long is dead: its conversations and polling go to another.
    instance_lease_seconds: float = Field(default=INSTANCE_LEASE_SECONDS, ge=1, le=600)

    @model_validator(mode="after")
    def _shard_of_a_count(self) -> Settings:
        shard, count = self.discord_shard_id, self.discord_shard_count
        if (shard is None) != (count is None):
            raise ValueError("set DISCORD_SHARD_ID and DISCORD_SHARD_COUNT together, or neither")
        if shard is not None and count is not None and shard >= count:
            raise ValueError(
                f"DISCORD_SHARD_ID {shard} is not a shard of {count}: use 0 to {count - 1}"
            )
        return self

    @property
    def discord_shard(self) -> tuple[int, int] | None:
        """(this instance's shard, of how many) of the Discord gateway; None: all of it."""
        if self.discord_shard_id is None or self.discord_shard_count is None:
            return None
        return self.discord_shard_id, self.discord_shard_count

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url is not None and self.webhook_secret is None:
            raise ValueError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
        return self

    @property
    def instance_lease(self) -> timedelta:
        """How long an instance may go unseen before another takes its leases over."""
        return timedelta(seconds=self.instance_lease_seconds)

    @property
    def uses_webhook(self) -> bool:
        """True when the bot should receive updates by webhook instead of polling."""
        return self.webhook_url is not None

    @property
    def public_url(self) -> str | None:
        """The scheme and host of ``WEBHOOK_URL`` (with its port, if any): where the web
        server that takes Telegram's webhook also serves calendar subscriptions; None when no
        such server runs (no webhook, or no Telegram token)."""
        if self.webhook_url is None or self.telegram_bot_token is None:
            return None
        parts = urlsplit(str(self.webhook_url))
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def uid_domain(self) -> str:
        """The domain of calendar event UIDs: ``CALENDAR_DOMAIN``, else ``WEBHOOK_URL``'s
        host, else a placeholder that can be no one's (``.invalid``)."""
        if self.calendar_domain is not None:
            return self.calendar_domain
        if self.webhook_url is not None and self.webhook_url.host:
            return self.webhook_url.host
        return PLACEHOLDER_DOMAIN

    @property
    def secrets(self) -> tuple[str, ...]:
        """Secret values that must never reach a log line."""
        values = (self.telegram_bot_token, self.discord_bot_token, self.webhook_secret)
        return tuple(v.get_secret_value() for v in values if v is not None)


class SettingsError(Exception):
    """A setting is missing or wrong; the message is one line naming it."""


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning validation errors into one plain line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error)) from None


def describe_validation_error(error: ValidationError) -> str:
    """One line per problem, naming the environment variable and what is wrong."""
    lines = []
    for problem in error.errors():
        field = ".".join(str(part) for part in problem["loc"]).upper()
        message = str(problem["msg"]).removeprefix("Value error, ")
        lines.append(f"{field}: {message}" if field else message)
    return "; ".join(lines)
