"""A PostgreSQL port that accepts connections but never answers: the start gives up within
``DATABASE_CONNECT_TIMEOUT`` (asyncpg's own default is 60 s), in one line."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest

import bot.bootstrap as bootstrap
from bot.cli import main
from bot.settings import Settings
from bot.storage.faults import Unusable
from tests.fake_discord.server import TOKEN


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port whose connections the kernel accepts and nobody ever answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


async def test_the_bot_gives_up_on_a_silent_database_within_the_timeout_in_one_line(
    silent_port: int,
) -> None:
    url = f"postgresql+asyncpg://coach@127.0.0.1:{silent_port}/coach"
    config = Settings(
        _env_file=None, discord_bot_token=TOKEN, database_url=url, database_connect_timeout=0.2
    )
    async with asyncio.timeout(5):
        with pytest.raises(Unusable) as refused:
            await bootstrap.serve(config, asyncio.Event())
    assert str(refused.value) == (f"{url}: timed out (no answer within DATABASE_CONNECT_TIMEOUT)")


def test_the_command_line_says_why_in_one_line(
    silent_port: int,
    clean_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"postgresql://coach:secret@127.0.0.1:{silent_port}/coach"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATABASE_CONNECT_TIMEOUT", "0.2")

    assert main(["db", "upgrade"]) == 1

    [line] = capsys.readouterr().err.splitlines()
    assert line == (
        "trailcoach: cannot use the database: postgresql+asyncpg://coach:***@127.0.0.1:"
        f"{silent_port}/coach: timed out (no answer within DATABASE_CONNECT_TIMEOUT)"
    )
