"""``trailcoach run`` against a Bot API that refuses it: one clear line, never the token."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest
from telegram.error import Conflict, NetworkError, TelegramError, TimedOut

from handlers.telegram.start_up import start_up_problem
from tests.fake_telegram import FakeBotAPI, FakeBotAPIServer, errors, free_port, updates

REVOKED = "111111111:AAThisTokenWasRevokedByBotFather_0123"


async def start_the_bot(env: dict[str, str]) -> tuple[int, str]:
    """Run ``python -m bot run`` in a child process; its exit status and standard error."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await asyncio.wait_for(child.communicate(), timeout=60)
    assert child.returncode is not None
    return child.returncode, err.decode()


@pytest.fixture
def bot_env(
    clean_env: dict[str, str], tmp_path: Path, fake_api: FakeBotAPI, fake_server: FakeBotAPIServer
) -> dict[str, str]:
    return {
        **clean_env,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        "TELEGRAM_BOT_TOKEN": fake_api.token,
        "TELEGRAM_API_BASE_URL": fake_server.base_url,
    }


def assert_one_clear_line(stderr: str, *, says: str, token: str) -> None:
    """The failure is one ``trailcoach:`` line, last, set apart by a blank line; the log
    before it says the schema was made in one line, not one per migration; no traceback and
    no part of the token."""
    ours = [line for line in stderr.splitlines() if line.startswith("trailcoach:")]
    assert len(ours) == 1, stderr
    *logged, blank, last = stderr.splitlines()
    assert (blank, last) == ("", ours[0])
    assert "bot.storage.migrate: database schema upgraded from nothing to" in logged[0]
    assert not any("alembic" in line for line in logged)
    assert says in ours[0]
    assert "Traceback" not in stderr
    assert token.split(":", 1)[1] not in stderr


@pytest.mark.slow
async def test_a_revoked_token_is_one_line_without_the_token(bot_env: dict[str, str]) -> None:
    status, stderr = await start_the_bot({**bot_env, "TELEGRAM_BOT_TOKEN": REVOKED})
    assert status == 2
    assert_one_clear_line(stderr, says="did not accept the bot token", token=REVOKED)


@pytest.mark.slow
async def test_a_wrong_api_path_is_one_line_without_the_token(
    bot_env: dict[str, str], fake_server: FakeBotAPIServer, fake_api: FakeBotAPI
) -> None:
    env = {**bot_env, "TELEGRAM_API_BASE_URL": f"{fake_server.base_url}/wrong/path"}
    status, stderr = await start_the_bot(env)
    assert status == 2
    assert_one_clear_line(stderr, says="TELEGRAM_API_BASE_URL", token=fake_api.token)


@pytest.mark.slow
async def test_an_unreachable_api_is_one_line(
    bot_env: dict[str, str], fake_api: FakeBotAPI
) -> None:
    address = f"http://127.0.0.1:{free_port()}"
    status, stderr = await start_the_bot({**bot_env, "TELEGRAM_API_BASE_URL": address})
    assert status == 1
    assert_one_clear_line(
        stderr, says=f"cannot reach the Bot API at {address}", token=fake_api.token
    )


@pytest.mark.slow
async def test_a_failing_command_menu_is_one_line(
    bot_env: dict[str, str], fake_api: FakeBotAPI
) -> None:
    fake_api.fail_next("setMyCommands", errors.ApiError(400, "Bad Request: BOT_COMMAND_INVALID"))
    status, stderr = await start_the_bot(bot_env)
    assert status == 1
    assert_one_clear_line(stderr, says="refused a start-up call", token=fake_api.token)


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (NetworkError("httpx.ConnectError: [Errno -2] Name or service not known"), "cannot reach"),
        (TimedOut(), "cannot reach"),
        (Conflict("terminated by other getUpdates request"), "refused a start-up call"),
    ],
)
def test_dns_failures_timeouts_and_conflicts_are_named(error: TelegramError, says: str) -> None:
    line, status = start_up_problem(error, api="https://api.telegram.org")
    assert says in line
    assert "\n" not in line
    assert status == 1


@pytest.fixture
def webhook_env(bot_env: dict[str, str]) -> dict[str, str]:
    port = free_port()
    return {
        **bot_env,
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "WEBHOOK_SECRET": "startUpWebhookSecret_0123",
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }


@pytest.mark.slow
async def test_a_refused_webhook_is_one_line(
    webhook_env: dict[str, str], fake_api: FakeBotAPI
) -> None:
    fake_api.fail_next("setWebhook", errors.ApiError(400, "Bad Request: bad webhook"))
    status, stderr = await start_the_bot(webhook_env)
    assert status == 1
    assert_one_clear_line(stderr, says="refused a start-up call", token=fake_api.token)


@pytest.mark.slow
async def test_by_webhook_the_bot_answers_then_stops_cleanly_on_sigterm(
    webhook_env: dict[str, str], fake_api: FakeBotAPI, fake_server: FakeBotAPIServer
) -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=webhook_env, stderr=asyncio.subprocess.PIPE
    )
    try:
        await fake_api.wait_for_call("setWebhook", within=60)
        update = updates.text_message(text="/help", from_user=updates.user(user_id=77))
        assert await fake_server.post_to_webhook({**update, "update_id": 1}) == 200
        await fake_api.wait_for_message(77, within=30)
    finally:
        child.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(child.communicate(), timeout=60)
    assert child.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
