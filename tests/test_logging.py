"""Log lines never carry the bot token, wherever it would appear, nor what the libraries
send and receive (names, typed texts, bodies, a calendar link's token)."""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Iterator

import pytest
from aiohttp import web
from sqlalchemy.exc import StatementError
from telegram.error import TelegramError
from telegram.request import BaseRequest

from bot import bootstrap, cli_run
from bot.log import REDACTED, configure_logging
from bot.settings import Settings
from handlers.lifecycle import CannotRun
from handlers.web import WebServer
from tests.logging_fixtures import guarded_libraries

TOKEN = "123456789:AAH9r2Xb6kD0vVw3LqzT5yNf8GmJc1pEoRs"
SECRET = "q8Zr3vKx1mT6pW0yN4bD"


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    with guarded_libraries():  # what configure_logging sets, undone after the test
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
        lambda: logging.getLogger("handlers.telegram").info(
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
        lambda: logging.getLogger("handlers.telegram").error("the server answered: %s", page),
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
    logging.getLogger("handlers.discord").warning("Authorization: Bot %s", token)
    logging.getLogger("handlers.discord").warning("signature %s refused", signature)
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


ADA_UPDATE = (
    '{"ok": true, "result": [{"update_id": 7, "message": {"message_id": 1, "date": 0, '
    '"chat": {"id": 1001, "type": "private"}, "from": {"id": 1001, "first_name": "Adelheid"}, '
    '"text": "my knee hurts after the long run"'
)


def assert_nothing_personal(output: str) -> None:
    for said in ("Adelheid", "knee hurts", TOKEN.split(":")[1], "q8Zr3vKx1mT6pW0yN4bD"):
        assert said not in output


def test_python_telegram_bots_invalid_json_line_names_the_body_by_size_alone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def answer_with_invalid_json() -> None:  # the library's own reading and logging
        with pytest.raises(TelegramError):
            BaseRequest.parse_json_payload(f"{ADA_UPDATE}, bot{TOKEN}".encode())

    output = log_output(capsys, answer_with_invalid_json)

    assert "Can not load invalid JSON data" in output
    assert "<str of " in output and "(JSONDecodeError)" in output
    assert "Traceback" not in output  # python-telegram-bot's failures: one line
    assert_nothing_personal(output)


def test_python_telegram_bots_calls_and_updates_are_not_logged_even_at_debug(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def calls() -> None:
        bot = logging.getLogger("telegram.ext.ExtBot")
        bot.debug("Calling Bot API endpoint `%s` with parameters `%s`", "sendMessage", ADA_UPDATE)
        bot.critical("Error while parsing updates! Received data was %r", [{"text": ADA_UPDATE}])

    output = log_output(capsys, calls)

    assert "Calling Bot API endpoint" not in output
    assert "Error while parsing updates! Received data was '<list of 1>'" in output
    assert_nothing_personal(output)


async def test_aiohttps_server_never_quotes_a_request_line_with_a_calendar_token(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("DEBUG", secrets=[TOKEN, SECRET])

    async def served(_request: web.Request) -> web.Response:
        return web.Response()

    server = WebServer([web.get("/calendar/{token}", served)], host="127.0.0.1", port=0)
    await server.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(f"GET /calendar/{SECRET}\x01.ics HTTP/1.1\r\nHost: coach\r\n\r\n".encode())
        await writer.drain()
        assert (await reader.read()).startswith(b"HTTP/1.0 400")
        writer.close()
        await writer.wait_closed()
    finally:
        await server.stop()
    logging.getLogger("aiohttp.access").info(
        '127.0.0.1 "GET /calendar/%s.ics HTTP/1.1" 200', SECRET
    )

    output = capsys.readouterr().err
    assert "rejected a request it could not read: 400 (InvalidURLError)" in output
    assert "aiohttp.access" not in output
    assert SECRET not in output


PARAMETERS = ("Adelheid", "my knee hurts after the long run")


def test_sqlalchemy_statements_and_their_parameters_are_not_logged(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def statements() -> None:
        engine = logging.getLogger("sqlalchemy.engine.Engine")
        engine.info("INSERT INTO runners (name, note) VALUES (?, ?)")
        engine.info("[generated in 0.0001s] %r", PARAMETERS)
        logging.getLogger("aiosqlite").debug("executing %s", PARAMETERS)
        try:
            raise StatementError("(sqlite3.OperationalError) locked", "INSERT", PARAMETERS, None)
        except StatementError:
            logging.getLogger("sqlalchemy.pool.impl").exception("Exception during reset")

    output = log_output(capsys, statements)

    assert "INSERT INTO runners" not in output
    assert "Exception during reset (StatementError)" in output
    assert_nothing_personal(output)


def test_discord_events_are_not_logged_and_its_failures_keep_no_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def gateway() -> None:
        logging.getLogger("discord.gateway").debug("WebSocket Event: %s", {"content": ADA_UPDATE})
        try:
            raise ValueError(f"could not parse {ADA_UPDATE}")
        except ValueError:
            logging.getLogger("discord.client").exception("Ignoring exception in %s", "on_message")

    output = log_output(capsys, gateway)

    assert "WebSocket Event" not in output
    assert "Ignoring exception in <str of 10> (ValueError)" in output
    assert "ValueError (message withheld)" in output
    assert_nothing_personal(output)
