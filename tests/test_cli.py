"""The command line: help, and a clear line when the bot cannot start."""

from __future__ import annotations

from bot.cli import build_parser
from tests.conftest import run_bot


def test_help_lists_every_command(clean_env: dict[str, str]) -> None:
    result = run_bot("--help", env=clean_env)
    assert result.returncode == 0
    for command in ("run", "chat", "plan", "db"):
        assert command in result.stdout
    assert build_parser().parse_args(["db", "upgrade"]).command == "db"


def test_run_without_a_token_is_one_clear_line(clean_env: dict[str, str]) -> None:
    result = run_bot("run", env=clean_env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "TELEGRAM_BOT_TOKEN is not set" in lines[0]
    assert ".env.example" in lines[0]
    assert "python -m bot chat" in lines[0]


def test_run_with_a_placeholder_token_names_the_setting(clean_env: dict[str, str]) -> None:
    result = run_bot("run", env={**clean_env, "TELEGRAM_BOT_TOKEN": "your-bot-token-here"})
    assert result.returncode == 2
    assert result.stderr.startswith("trailcoach: configuration error: TELEGRAM_BOT_TOKEN")
    assert "Traceback" not in result.stderr
