"""The offline console coach: the same dialogs in a terminal, scripted through stdin."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import bootstrap
from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.models import Runner, SessionLog
from handlers.console.chat import PROMPT, chat
from tests.conftest import FakeClock, run_bot
from tests.platform_words import CHAT_APP, DISCORD, TELEGRAM, foreign

ONBOARDING = [
    "/start",
    "b",  # Some
    *("a", "b", "c", "b", "a", "d", "b"),  # rest, easy, hard, easy, rest, long, easy
    "a",  # yes, five trail runs
    "a",  # no race
    "e",  # no kit
    "a",  # two sessions a week
    "7",  # typed: 07:00, not the seventh choice
    "a",  # Europe/Berlin
    "a",  # looks good
]
LOG_TODAY = ["/today", "a", "a", "3", "a", "f", "4"]  # Done, all, effort 3, knee, Done, pain 4


@pytest.fixture
def coach(database: Database, clock: FakeClock) -> Coach:
    clock.now = clock.now.replace(hour=4)  # 05:00 in Berlin: before the 07:00 reminder
    return Coach(ServiceContext(database, clock, "Europe/Berlin"))


async def talk(coach: Coach, lines: list[str], exports: Path, *, name: str = "ada") -> str:
    """Run the console on ``lines``, then quit; the transcript."""
    out = io.StringIO()
    script = io.StringIO("\n".join([*lines, "quit"]) + "\n")
    await chat(coach, name=name, stdin=script, out=out, exports=exports)
    return out.getvalue()


async def test_scripted_console_reaches_a_plan_and_logs_a_session(
    coach: Coach, database: Database, tmp_path: Path
) -> None:
    transcript = await talk(coach, [*ONBOARDING, *LOG_TODAY], tmp_path)
    assert "b) Some" in transcript
    assert "You're all set" in transcript
    assert "Your first week" in transcript
    assert "<b>" not in transcript
    assert "Logged." in transcript
    assert transcript.rstrip().endswith("Bye — your plan is saved. See you soon!")
    async with database.unit_of_work() as uow:
        log = (await uow.session.scalars(select(SessionLog))).one()
    assert log.completed == "full"


async def test_typed_numbers_are_answers_and_letters_pick_choices(
    coach: Coach, database: Database, tmp_path: Path
) -> None:
    transcript = await talk(coach, [*ONBOARDING, *LOG_TODAY], tmp_path)
    assert "type a letter to choose" in transcript
    async with database.unit_of_work() as uow:
        runner = (await uow.session.scalars(select(Runner))).one()
        log = (await uow.session.scalars(select(SessionLog))).one()
    assert runner.reminder_time.isoformat() == "07:00:00"
    assert log.rpe == 3
    assert [(pain["where"], pain["score"]) for pain in log.pain] == [("knee", 4)]


async def test_start_mid_onboarding_keeps_every_letter_where_it_was(
    coach: Coach, database: Database, tmp_path: Path
) -> None:
    """Issue 27: /start mid-onboarding added "a) Start over" and moved every choice down a
    letter, so "a", which meant Rest a moment before, started over and dropped the answers."""
    transcript = await talk(coach, ["/start", "b", "a", "/start", "a"], tmp_path)
    offer = transcript.rsplit("kept your answers", 1)[1]
    assert "a) Rest" in offer
    assert "e) Start over" in offer
    async with database.unit_of_work() as uow:
        state = await uow.dialogs.get(platform="console", user_id="ada")
    assert state is not None
    assert state.step == "wed"
    assert state.data["answers"] == {"exp": "some", "mon": "rest", "tue": "rest"}


async def test_a_lone_slash_is_answered_and_the_console_goes_on(
    coach: Coach, tmp_path: Path
) -> None:
    transcript = await talk(coach, ["/", "/help"], tmp_path)
    assert "Type a command after the /, like /help." in transcript
    assert "/today: Today's session" in transcript


async def test_the_console_words_hints_for_a_terminal(coach: Coach, tmp_path: Path) -> None:
    script = ["/start", "I have done loads", *ONBOARDING[1:-2], "Atlantis"]
    transcript = await talk(coach, script, tmp_path)
    assert "Please type the letter of one of the choices below." in transcript
    assert "Pick each that applies by its letter, then Done." in transcript
    assert "I don't know that timezone." in transcript
    lowered = transcript.lower()
    for word in ("tap", "button", "location"):
        assert word not in lowered, word


async def test_exports_go_to_their_folder_and_never_overwrite(
    coach: Coach, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    exports = tmp_path / "exports"
    await talk(coach, [*ONBOARDING, "/export", "/export"], exports)
    assert files_in(here) == []
    assert files_in(exports) == [
        "trail-coach-data-2.csv",
        "trail-coach-data-2.json",
        "trail-coach-data.csv",
        "trail-coach-data.json",
    ]
    assert json.loads(read(exports / "trail-coach-data.json"))["runner"]
    assert mode_of(exports / "trail-coach-data.json") == 0o600


async def test_progress_saves_the_chart_and_prints_its_caption(
    coach: Coach, tmp_path: Path
) -> None:
    transcript = await talk(coach, [*ONBOARDING, *LOG_TODAY, "/progress"], tmp_path)
    assert "> 1 of 1 session done in 1 week; 1 more is planned this week." in transcript
    assert f"(saved {tmp_path / 'progress.png'})" in transcript
    assert (tmp_path / "progress.png").read_bytes().startswith(b"\x89PNG")


async def test_calendar_saves_an_ics_file(coach: Coach, tmp_path: Path) -> None:
    transcript = await talk(coach, [*ONBOARDING, "/calendar"], tmp_path)
    assert "Your strength sessions as a calendar file, the next four weeks" in transcript
    saved = tmp_path / "strength-sessions.ics"
    assert f"(saved {saved})" in transcript
    assert read(saved).startswith("BEGIN:VCALENDAR")
    for offline in ("webhook", "link", "web address", "subscri"):  # no web server runs here
        assert offline not in transcript.lower(), offline


async def test_calendar_reset_in_the_console_switches_the_link_off(
    coach: Coach, tmp_path: Path
) -> None:
    transcript = await talk(coach, [*ONBOARDING, "/calendar reset"], tmp_path)
    assert "Done: any calendar link I gave you before no longer works" in transcript
    assert not (tmp_path / "strength-sessions.ics").exists()


def files_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def mode_of(path: Path) -> int:
    return path.stat().st_mode & 0o777


async def test_after_a_restart_the_open_question_is_shown_again(
    coach: Coach, tmp_path: Path
) -> None:
    await talk(coach, ["/start", "b"], tmp_path)
    transcript = await talk(coach, [], tmp_path)
    assert "We were in the middle of this" in transcript
    assert "What is Monday usually?" in transcript


async def test_markup_characters_in_a_name_show_as_typed(coach: Coach, tmp_path: Path) -> None:
    transcript = await talk(coach, [*ONBOARDING, "/start"], tmp_path, name='Zoë "O\'Neil" <3 & Co')
    assert 'Welcome back, Zoë "O\'Neil" <3 & Co!' in transcript


@pytest.mark.slow
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
    assert "Bye — nothing of yours is kept here." in result.stdout


async def test_a_returning_runner_is_welcomed_back_not_told_to_start(
    coach: Coach, tmp_path: Path
) -> None:
    await talk(coach, ONBOARDING, tmp_path)
    transcript = await talk(coach, [], tmp_path)
    assert "Welcome back, ada! Your plan is ready" in transcript
    assert "/start" not in transcript


async def test_a_newcomer_is_told_how_to_begin(coach: Coach, tmp_path: Path) -> None:
    transcript = await talk(coach, [], tmp_path)
    assert "Send /start to set up your plan" in transcript


async def test_the_goodbye_after_deleteme_says_nothing_is_kept(
    coach: Coach, tmp_path: Path
) -> None:
    transcript = await talk(coach, [*ONBOARDING, "/deleteme", "a"], tmp_path)
    assert "deleted" in transcript
    assert transcript.rstrip().endswith("Bye — nothing of yours is kept here.")
    assert "plan is saved" not in transcript


async def test_the_end_of_input_mid_question_keeps_the_answers_and_says_so(
    coach: Coach, tmp_path: Path
) -> None:
    out = io.StringIO()
    await chat(coach, name="ada", stdin=io.StringIO("/start\nb\n"), out=out, exports=tmp_path)
    assert out.getvalue().endswith("> \nBye — your answers so far are saved.\n")


class InterruptAtPrompt(io.StringIO):
    """The terminal: at the ``n``-th prompt, the person presses Ctrl-C."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.prompts_left = n

    def write(self, text: str) -> int:
        written = super().write(text)
        if text == PROMPT:
            self.prompts_left -= 1
            if self.prompts_left == 0:
                signal.raise_signal(signal.SIGINT)
        return written


def chat_on_a_pipe(tmp_path: Path, out: io.StringIO, typed: bytes, *, close: bool) -> None:
    """``trailcoach chat`` in process on a pipe, as a terminal would feed it: ``typed`` is
    written, and the pipe closed if ``close`` (Ctrl-D). Should the chat wait on the pipe
    after that, a timer unblocks it after 30 s, and the test fails."""
    reading, writing = os.pipe()
    os.write(writing, typed)
    if close:
        os.close(writing)
    unblocked = threading.Event()

    def unblock() -> None:
        unblocked.set()
        os.write(writing, b"quit\n")

    timer = threading.Timer(30, unblock)
    timer.start()
    config = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'chat.sqlite3'}")
    try:
        with os.fdopen(reading, encoding="utf-8") as stdin:
            asyncio.run(bootstrap.chat(config, name="ada", stdin=stdin, out=out, exports=tmp_path))
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped the chat as a KeyboardInterrupt")
    finally:
        timer.cancel()
        if not close:
            os.close(writing)
    assert not unblocked.is_set(), "the chat waited for input after Ctrl-C or Ctrl-D"


def test_ctrl_c_at_a_prompt_leaves_at_once_with_one_line(tmp_path: Path) -> None:
    out = InterruptAtPrompt(3)  # after /start and an answer: mid-onboarding
    chat_on_a_pipe(tmp_path, out, b"/start\nb\n", close=False)
    transcript = out.getvalue()
    assert "What is Monday usually?" in transcript
    assert transcript.endswith("> \nBye — your answers so far are saved.\n")
    assert "Traceback" not in transcript


def test_ctrl_d_at_a_prompt_leaves_at_once_with_one_line(tmp_path: Path) -> None:
    out = io.StringIO()
    chat_on_a_pipe(tmp_path, out, b"/start\n", close=True)
    assert out.getvalue().endswith("> \nBye — your answers so far are saved.\n")


async def test_every_reply_is_in_the_consoles_words(
    coach: Coach, clock: FakeClock, tmp_path: Path
) -> None:
    """The flows (onboarding with refused answers, a session, a check-in, the settings, the
    odd line, /deleteme), scanned for the words of Telegram, Discord and chat apps."""
    onboarding = ["/start", "plenty", *ONBOARDING[1:11], "loads", "e", "a", "whenever", "7"]
    refused = [*onboarding, "Atlantis", "a", "a"]  # a city unknown, then Berlin; looks good
    transcript = await talk(coach, [*refused, *LOG_TODAY], tmp_path)
    clock.advance(days=1)
    after = ["/checkin", "a", "a", "b", "/settings", "g", "6:15pm", "/calendar", "/calendar reset"]
    odd = ["/week", "/history", "/pause", "/resume", "/help", "/moonwalk", "my knee hurts", "/"]
    leave = ["/deleteme", "b", "/deleteme", "a", "/today"]
    transcript += await talk(coach, [*after, *odd, *leave], tmp_path)
    assert "Thanks for checking in" in transcript
    assert foreign(transcript.splitlines(), TELEGRAM, DISCORD, CHAT_APP) == []
    assert "Pick each that applies by its letter" in transcript
