"""Log lines never carry the bot token, wherever it would appear."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator

import pytest

from bot import bootstrap, cli_run
from bot.log import REDACTED, configure_logging
from bot.settings import Settings
from handlers.lifecycle import CannotRun

TOKEN = "123456789:AAH9r2Xb6kD0vVw3LqzT5yNf8GmJc1pEoRs"
SECRET = "q8Zr3vKx1mT6pW0yN4bD"


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def log_output(capsys: pytest.CaptureFixture[str], emit) -> str:
    """What the configured logging writes to stderr while ``emit`` runs."""
    configure_logging("DEBUG", secrets=[TOKEN, SECRET])
    emit()
    return capsys.readouterr().err


def test_token_in_a_url_is_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    output = log_output(
        capsys,
        lambda: logging.getLogger("telegram.ext").info(
            "POST https://api.telegram.org/bot%s/sendMessage failed", TOKEN
        ),
    )
    assert TOKEN not in output
    assert f"https://api.telegram.org/bot{REDACTED}/sendMessage" in output


def test_any_token_shaped_text_is_redacted_even_if_unknown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = "987654321:ZZZ9r2Xb6kD0vVw3LqzT5yNf8GmJc1pEoXX"
    output = log_output(capsys, lambda: logging.getLogger("bot").warning("token %s", other))
    assert other not in output
    assert REDACTED in output


def test_secrets_in_tracebacks_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    def fail_and_log() -> None:
        try:
            raise RuntimeError(f"webhook secret {SECRET} rejected for bot{TOKEN}")
        except RuntimeError:
            logging.getLogger("bot").exception("handler failed")

    output = log_output(capsys, fail_and_log)
    assert "Traceback" in output
    assert SECRET not in output
    assert TOKEN not in output


def test_http_client_request_lines_are_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    output = log_output(
        capsys,
        lambda: logging.getLogger("httpx").info(
            "HTTP Request: POST https://api.telegram.org/bot%s/getMe", TOKEN
        ),
    )
    assert output == ""


def test_a_percent_encoded_token_in_a_proxy_error_page_is_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    encoded = TOKEN.replace(":", "%3A")
    page = (
        f"<html><body>502 Bad Gateway: GET /bot{encoded}/getMe failed; "
        f"retried /bot{TOKEN.replace(':', '%3a')}/getMe and /bot{TOKEN.replace(':', '%253A')}/getMe"
        "</body></html>"
    )
    output = log_output(
        capsys,
        lambda: logging.getLogger("telegram.request").error(
            'Can not load invalid JSON data: "%s"', page
        ),
    )
    secret_part = TOKEN.split(":", 1)[1]
    assert secret_part not in output
    assert "502 Bad Gateway" in output


def test_an_unknown_token_with_an_encoded_colon_is_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = "987654321%3AZZZ9r2Xb6kD0vVw3LqzT5yNf8GmJc1pEoXX"
    output = log_output(capsys, lambda: logging.getLogger("bot").warning("url /bot%s/x", other))
    assert "ZZZ9r2Xb6kD0vVw3LqzT5yNf8GmJc1pEoXX" not in output


def test_a_discord_token_and_its_signature_alone_are_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    token = "MTQyMDAwMDAwMDAwMDAwMDAwMg.GhK3sQ.p9Vt2Lw8RkZc4Nq1Xj7Fb0Ym5Hd3Ue6Ts"
    signature = token.rsplit(".", 1)[1]
    configure_logging("DEBUG", secrets=[token])
    logging.getLogger("discord.http").warning("Authorization: Bot %s", token)
    logging.getLogger("discord.http").warning("signature %s refused", signature)
    output = capsys.readouterr().err
    assert signature not in output
    assert output.count(REDACTED) == 2


def test_lines_about_what_the_bot_does_not_do_are_dropped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def emit() -> None:
        logging.getLogger("discord.client").warning(
            "PyNaCl is not installed, voice will NOT be supported"
        )
        logging.getLogger("apscheduler.scheduler").warning(
            'Execution of job "Tick" skipped: maximum number of running instances reached (1)'
        )
        logging.getLogger("alembic.runtime.migration").info("Running upgrade 0001 -> 0002")
        logging.getLogger("bot").warning("this one matters")

    output = log_output(capsys, emit)
    assert output.splitlines()[-1].endswith("WARNING bot: this one matters")
    assert len(output.splitlines()) == 1


def test_a_failed_start_is_the_last_line_after_a_blank_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever was logged before it, the reason the bot could not start comes last, set
    apart by a blank line, with the token redacted."""

    def fail(_settings: Settings) -> None:
        logging.getLogger("bot.storage.migrate").info("database schema upgraded")
        raise CannotRun(f"the Bot API refused {TOKEN}", 2)

    monkeypatch.setattr(bootstrap, "run", fail)
    settings = Settings(_env_file=None, telegram_bot_token=TOKEN)
    monkeypatch.setattr(cli_run, "load_settings", lambda: settings)
    assert cli_run.run(argparse.Namespace()) == 2
    *logged, blank, last = capsys.readouterr().err.splitlines()
    assert logged[-1].endswith("INFO bot.storage.migrate: database schema upgraded")
    assert (blank, last) == ("", f"trailcoach: the Bot API refused {REDACTED}")
