"""``LOG_FORMAT=json``: one JSON object a line, redacted as the plain lines are (issue 29)."""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest

import bot.bootstrap as bootstrap
from bot import cli_run
from bot.log import REDACTED, configure_logging
from bot.settings import Settings
from bot.storage import receipts

TOKEN = "123456789:AAH9r2Xb6kD0vVw3LqzT5yNf8GmJc1pEoRs"
SECRET = "q8Zr3vKx1mT6pW0yN4bD"
KEYS = ["time", "level", "logger", "message", "update_id", "platform"]


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def json_lines(capsys: pytest.CaptureFixture[str], emit: Any) -> list[dict[str, Any]]:
    configure_logging("DEBUG", secrets=[TOKEN, SECRET], json=True)
    emit()
    return [json.loads(line) for line in capsys.readouterr().err.splitlines()]


def test_each_record_is_one_json_object_with_the_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    [line] = json_lines(capsys, lambda: logging.getLogger("bot.x").warning("%d due", 3))
    assert list(line) == KEYS
    assert (line["level"], line["logger"], line["message"]) == ("WARNING", "bot.x", "3 due")
    assert (line["update_id"], line["platform"]) == (None, None)
    stamp = datetime.fromisoformat(line["time"])
    assert stamp.tzinfo == UTC
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 60


def test_a_traceback_stays_on_the_line_and_every_secret_is_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def fail_and_log() -> None:
        try:
            raise RuntimeError(f"secret {SECRET} refused for bot{quote(TOKEN, safe='')}\nmore")
        except RuntimeError:
            logging.getLogger("bot").exception("handler failed for %s", TOKEN)

    [line] = json_lines(capsys, fail_and_log)
    assert line["message"].startswith(f"handler failed for {REDACTED}\nTraceback")
    assert "RuntimeError" in line["message"]
    for form in (TOKEN, SECRET, quote(TOKEN, safe=""), TOKEN.split(":")[1]):
        assert form not in json.dumps(line)


def test_the_update_being_handled_names_its_id_and_platform(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def during_an_update() -> None:
        receipt = receipts.Receipt("telegram", 4242, datetime.now(UTC), replier="a1")
        token = receipts.current.set(receipt)
        try:
            logging.getLogger("handlers").error("could not answer")
        finally:
            receipts.current.reset(token)
        logging.getLogger("discord").info("x", extra={"update_id": 7, "platform": "discord"})

    first, second = json_lines(capsys, during_an_update)
    assert (first["update_id"], first["platform"]) == (4242, "telegram")
    assert (second["update_id"], second["platform"]) == (7, "discord")


def test_run_logs_json_when_log_format_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], clean_env: dict[str, str]
) -> None:
    def serve(config: Settings) -> None:
        logging.getLogger("bot.bootstrap").info("serving with %s", TOKEN)

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("LOG_FORMAT", "json")
    monkeypatch.setattr(bootstrap, "run", serve)
    assert cli_run.run(argparse.Namespace()) == 0
    [line] = capsys.readouterr().err.splitlines()
    assert json.loads(line)["message"] == f"serving with {REDACTED}"
