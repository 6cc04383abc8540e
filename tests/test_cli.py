"""The command line: help, and a clear line when the bot cannot start."""

from __future__ import annotations

import subprocess
import sys

from bot.cli import build_parser


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_lists_every_command(clean_env: dict[str, str]) -> None:
    result = run_cli("--help", env=clean_env)
    assert result.returncode == 0
    for command in ("run", "chat", "plan", "db"):
        assert command in result.stdout
    assert build_parser().parse_args(["db", "upgrade"]).command == "db"


def test_run_without_a_token_is_one_clear_line(clean_env: dict[str, str]) -> None:
    result = run_cli("run", env=clean_env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "TELEGRAM_BOT_TOKEN is not set" in lines[0]
    assert ".env.example" in lines[0]
    assert "python -m bot chat" in lines[0]


def test_run_with_a_placeholder_token_names_the_setting(clean_env: dict[str, str]) -> None:
    result = run_cli("run", env={**clean_env, "TELEGRAM_BOT_TOKEN": "your-bot-token-here"})
    assert result.returncode == 2
    assert result.stderr.startswith("trailcoach: configuration error: TELEGRAM_BOT_TOKEN")
    assert "Traceback" not in result.stderr
