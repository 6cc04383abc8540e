"""The command line: help, and a clear line when the bot cannot start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser
from tests.conftest import run_bot

PROFILE = {
    "experience": "some",
    "week": dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), "rest"),
    "equipment": ["step"],
    "sessions_per_week": 2,
    "timezone": "Europe/Berlin",
    "reminder_time": "07:00",
}


@pytest.mark.slow
def test_help_lists_every_command(clean_env: dict[str, str]) -> None:
    result = run_bot("--help", env=clean_env)
    assert result.returncode == 0
    for command in ("run", "chat", "plan", "db"):
        assert command in result.stdout
    assert build_parser().parse_args(["db", "upgrade"]).command == "db"


@pytest.mark.slow
def test_run_without_a_token_is_one_clear_line(clean_env: dict[str, str]) -> None:
    result = run_bot("run", env=clean_env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "neither TELEGRAM_BOT_TOKEN nor DISCORD_BOT_TOKEN is set" in lines[0]
    assert ".env.example" in lines[0]
    assert "python -m bot chat" in lines[0]


@pytest.mark.slow
def test_run_with_a_placeholder_token_names_the_setting(clean_env: dict[str, str]) -> None:
    result = run_bot("run", env={**clean_env, "TELEGRAM_BOT_TOKEN": "your-bot-token-here"})
    assert result.returncode == 2
    assert result.stderr.startswith("trailcoach: configuration error: TELEGRAM_BOT_TOKEN")
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_closed_pipe_ends_quietly(clean_env: dict[str, str], tmp_path: Path) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(PROFILE), encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "bot",
        "plan",
        "--profile",
        str(profile),
        "--weeks",
        "52",
        "--json",
    ]
    with subprocess.Popen(
        command, env=clean_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        assert child.stdout.readline().startswith("{")
        child.stdout.close()
        errors = child.stderr.read()
        assert child.wait(timeout=60) == 0
    assert "Traceback" not in errors
    assert "database" not in errors
