"""The offline console coach: the same dialogs in a terminal, scripted through stdin."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import select

from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.storage.database import Database
from bot.storage.models import SessionLog
from handlers.console.chat import chat
from tests.conftest import FakeClock, run_bot

ONBOARDING = [
    "/start",
    "2",  # Some
    *("1", "2", "3", "2", "1", "4", "2"),  # rest, easy, hard, easy, rest, long, easy
    "1",  # yes, five trail runs
    "1",  # no race
    "5",  # no kit
    "1",  # two sessions a week
    "7:30",  # typed time
    "1",  # Europe/Berlin
    "1",  # looks good
]
LOG_TODAY = ["/today", "1", "1", "2", "6"]  # Done, all of it, OK, nothing hurt


async def test_scripted_console_reaches_a_plan_and_logs_a_session(
    database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    clock.now = clock.now.replace(hour=5)  # 06:00 in Berlin: before the 07:30 reminder
    coach = Coach(ServiceContext(database, clock, "Europe/Berlin"))
    script = io.StringIO("\n".join([*ONBOARDING, *LOG_TODAY, "quit"]) + "\n")
    out = io.StringIO()

    await chat(coach, name="ada", stdin=script, out=out, downloads=tmp_path)

    transcript = out.getvalue()
    assert "2) Some" in transcript
    assert "You're all set" in transcript
    assert "Your first week" in transcript
    assert "<b>" not in transcript
    assert "Logged." in transcript
    assert transcript.rstrip().endswith("Bye! Your plan is saved.")
    async with database.unit_of_work() as uow:
        log = (await uow.session.scalars(select(SessionLog))).one()
    assert log.completed == "full"


async def test_console_explains_a_number_out_of_range(
    database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    coach = Coach(ServiceContext(database, clock, "Europe/Berlin"))
    out = io.StringIO()
    await chat(coach, name="ada", stdin=io.StringIO("/start\n9\n"), out=out, downloads=tmp_path)
    assert "Pick a number from 1 to 3." in out.getvalue()


def test_chat_command_runs_without_a_token(clean_env: dict[str, str], tmp_path: Path) -> None:
    result = run_bot(
        "chat",
        "--as",
        "newcomer",
        env={**clean_env, "DATABASE_URL": f"sqlite:///{tmp_path / 'console.sqlite3'}"},
        stdin="/help\nquit\n",
    )
    assert result.returncode == 0, result.stderr
    assert "/today: Today's session" in result.stdout
    assert "Bye!" in result.stdout


async def test_markup_characters_in_a_name_show_as_typed(
    database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    coach = Coach(ServiceContext(database, clock, "Europe/Berlin"))
    out = io.StringIO()
    script = io.StringIO("\n".join([*ONBOARDING, "/start", "quit"]) + "\n")
    await chat(coach, name='Zoë "O\'Neil" <3 & Co', stdin=script, out=out, downloads=tmp_path)
    assert 'Welcome back, Zoë "O\'Neil" <3 & Co!' in out.getvalue()
