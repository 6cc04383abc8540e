"""Settings: sensible defaults, one clear line for anything wrong, placeholders rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import (
    DEFAULT_DATABASE_URL,
    PLACEHOLDER_DOMAIN,
    Settings,
    SettingsError,
    load_settings,
)
from tests.conftest import run_bot

REAL_LOOKING_TOKEN = "123456789:AAH9r2Xb6kD0vVw3LqzT5yNf8GmJc1pEoRs"
DISCORD_LOOKING_TOKEN = "MTQyMDAwMDAwMDAwMDAwMDAwMg.GhK3sQ.p9Vt2Lw8RkZc4Nq1Xj7Fb0Ym5Hd3Ue6Ts"


@pytest.fixture(autouse=True)
def no_ambient_settings(clean_env: dict[str, str]) -> None:
    """Each test starts from an environment without the bot's variables or a .env file."""


def test_defaults_need_nothing_but_give_an_embedded_sqlite_database() -> None:
    settings = load_settings()
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert str(settings.telegram_api_base_url) == "https://api.telegram.org/"
    assert settings.telegram_bot_token is None
    assert settings.default_timezone == "UTC"
    assert not settings.uses_webhook


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///coach.db", "sqlite+aiosqlite:///coach.db"),
        ("postgresql://coach@db:5432/coach", "postgresql+asyncpg://coach@db:5432/coach"),
        ("postgres://coach:pw@db/coach", "postgresql+asyncpg://coach:pw@db/coach"),
    ],
)
def test_database_url_is_mapped_onto_its_async_driver(
    monkeypatch: pytest.MonkeyPatch, given: str, expected: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    assert load_settings().database_url == expected


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("DATABASE_URL", "mysql://root@localhost/coach", "DATABASE_URL: unsupported database"),
        ("DATABASE_URL", "not a url", "DATABASE_URL: cannot parse"),
        ("TELEGRAM_BOT_TOKEN", "your-bot-token-here", "TELEGRAM_BOT_TOKEN: still holds the"),
        ("TELEGRAM_BOT_TOKEN", "12345", "TELEGRAM_BOT_TOKEN: does not look like a bot token"),
        ("DISCORD_BOT_TOKEN", "your-discord-token", "DISCORD_BOT_TOKEN: still holds the"),
        ("DISCORD_BOT_TOKEN", REAL_LOOKING_TOKEN, "DISCORD_BOT_TOKEN: does not look like a Dis"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus", "DEFAULT_TIMEZONE: 'Mars/Olympus' is not an IANA"),
        ("WEBHOOK_PORT", "99999", "WEBHOOK_PORT: Input should be less than or equal to 65535"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL: Input should be"),
    ],
)
def test_a_bad_setting_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, said: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith(said)
    assert "\n" not in message
    assert value not in message or not name.endswith("_BOT_TOKEN")


def test_a_discord_token_is_a_secret_like_the_telegram_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", DISCORD_LOOKING_TOKEN)
    settings = load_settings()
    assert settings.discord_bot_token is not None
    assert settings.discord_bot_token.get_secret_value() == DISCORD_LOOKING_TOKEN
    assert settings.telegram_bot_token is None
    assert DISCORD_LOOKING_TOKEN in settings.secrets
    assert DISCORD_LOOKING_TOKEN not in repr(settings)


def test_webhook_needs_a_real_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "https://coach.example.org/telegram")
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET is required"):
        load_settings()
    monkeypatch.setenv("WEBHOOK_SECRET", "change-me-to-a-long-random-string")
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET: still holds the placeholder"):
        load_settings()
    monkeypatch.setenv("WEBHOOK_SECRET", "q8Zr3vKx1mT6pW0yN4bD")
    assert load_settings().uses_webhook


@pytest.mark.parametrize(
    ("webhook_url", "public_url"),
    [
        ("https://coach.example.org/telegram", "https://coach.example.org"),
        ("https://coach.example.org:8443/bot/hook", "https://coach.example.org:8443"),
    ],
)
def test_calendar_links_share_the_webhooks_scheme_and_host(
    webhook_url: str, public_url: str
) -> None:
    secret = "q8Zr3vKx1mT6pW0yN4bD"
    settings = Settings(
        _env_file=None,
        telegram_bot_token=REAL_LOOKING_TOKEN,
        webhook_url=webhook_url,
        webhook_secret=secret,
    )
    assert settings.public_url == public_url
    assert Settings(_env_file=None).public_url is None
    # Only Telegram's webhook runs the web server: on Discord alone no link would be served.
    alone = Settings(
        _env_file=None,
        discord_bot_token=DISCORD_LOOKING_TOKEN,
        webhook_url=webhook_url,
        webhook_secret=secret,
    )
    assert alone.public_url is None


def test_calendar_uids_take_their_domain_from_the_setting_the_webhook_or_a_placeholder(
    clean_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_settings().uid_domain == PLACEHOLDER_DOMAIN == "trail-strength-coach.invalid"
    monkeypatch.setenv("WEBHOOK_URL", "https://Coach.Example.org:8443/hook")
    monkeypatch.setenv("WEBHOOK_SECRET", "q8Zr3vKx1mT6pW0yN4bD")
    assert load_settings().uid_domain == "coach.example.org"
    monkeypatch.setenv("CALENDAR_DOMAIN", "Runners.Example.net")
    assert load_settings().uid_domain == "runners.example.net"
    monkeypatch.setenv("CALENDAR_DOMAIN", "not a domain/")
    with pytest.raises(SettingsError, match="CALENDAR_DOMAIN: 'not a domain/' is not a domain"):
        load_settings()


def test_settings_are_read_from_a_dotenv_file(clean_env: dict[str, str]) -> None:
    with open(".env", "w", encoding="utf-8") as env_file:
        env_file.write(f"TELEGRAM_BOT_TOKEN={REAL_LOOKING_TOKEN}\nDEFAULT_TIMEZONE=Europe/Berlin\n")
    settings = load_settings()
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == REAL_LOOKING_TOKEN
    assert settings.default_timezone == "Europe/Berlin"
    assert REAL_LOOKING_TOKEN not in repr(settings)


def test_the_example_env_file_works_as_a_dotenv_file(clean_env: dict[str, str]) -> None:
    example = Path(__file__).parent.parent / ".env.example"
    Path(".env").write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    settings = load_settings()
    assert settings.telegram_bot_token is None
    assert not settings.uses_webhook
    with open(".env", "a", encoding="utf-8") as env_file:
        env_file.write(f"\nTELEGRAM_BOT_TOKEN={REAL_LOOKING_TOKEN}\n")
    assert load_settings().telegram_bot_token is not None


def test_the_example_env_file_names_every_setting() -> None:
    from bot.settings import Settings

    example = (Path(__file__).parent.parent / ".env.example").read_text(encoding="utf-8")
    for field in Settings.model_fields:
        assert f"{field.upper()}=" in example, field


@pytest.mark.slow
def test_bad_database_url_on_the_command_line_is_one_line_without_traceback(
    clean_env: dict[str, str],
) -> None:
    result = run_bot(
        "db", "upgrade", env={**clean_env, "DATABASE_URL": "mysql://root@localhost/coach"}
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "trailcoach: configuration error: DATABASE_URL: unsupported database 'mysql'; "
        "use sqlite:///FILE or postgresql://HOST/DB"
    ]
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_unreachable_database_is_one_line_without_traceback(clean_env: dict[str, str]) -> None:
    closed_port = "postgresql://coach@127.0.0.1:1/coach"
    result = run_bot("db", "upgrade", env={**clean_env, "DATABASE_URL": closed_port})
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("trailcoach: cannot use the database:")


@pytest.mark.slow
def test_sqlite_file_in_a_missing_folder_is_a_bad_setting(clean_env: dict[str, str]) -> None:
    missing = "sqlite:////no/such/folder/coach.sqlite3"
    result = run_bot("db", "upgrade", env={**clean_env, "DATABASE_URL": missing})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "trailcoach: configuration error: DATABASE_URL: the folder /no/such/folder "
        "for the SQLite file does not exist"
    ]


@pytest.mark.parametrize(
    ("shard", "count", "problem"),
    [
        (1, None, "set DISCORD_SHARD_ID and DISCORD_SHARD_COUNT together, or neither"),
        (2, 2, "DISCORD_SHARD_ID 2 is not a shard of 2: use 0 to 1"),
    ],
)
def test_a_discord_shard_is_one_of_its_count(
    clean_env: dict[str, str], shard: int, count: int | None, problem: str
) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(discord_shard_id=shard, discord_shard_count=count)
    assert problem in str(error.value)
