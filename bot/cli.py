"""The command line: every sub-command's arguments here, its work in a ``bot.cli_*`` module.

Each sub-command names its work as ``"module:function"``, and the module is imported only
when that sub-command runs: ``--help`` loads no database, platform or drawing library, and
``chat`` neither Telegram nor Discord.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

PLAN_DESCRIPTION = (
    "``trailcoach plan``: the coach's plan preview from a profile (and feedback) JSON file."
)


def build_parser() -> argparse.ArgumentParser:
    """The ``trailcoach`` argument parser, with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="trailcoach",
        description="Trail Strength Coach: strength sessions planned around your trail runs.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in (_run, _chat, _plan, _db):
        register(subparsers)
    return parser


def _run(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run", help="run the bot on Telegram (polling, or webhook), Discord, or both"
    )
    parser.set_defaults(handler="bot.cli_run:run")


def _chat(subparsers: Any) -> None:
    parser = subparsers.add_parser("chat", help="talk to the coach in this terminal, offline")
    parser.add_argument(
        "--as", dest="name", default=None, help="who you are (default: your login name)"
    )
    parser.add_argument(
        "--exports",
        type=Path,
        default=None,
        help="where /export saves your files (default: trailcoach/exports in your data folder)",
    )
    parser.set_defaults(handler="bot.cli_chat:run")


def _plan(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "plan", help="preview a runner's strength plan", description=PLAN_DESCRIPTION
    )
    parser.add_argument("--profile", required=True, type=Path, metavar="PROFILE.json")
    parser.add_argument(
        "--start",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="first day of the plan (default: Monday of the current week)",
    )
    parser.add_argument("--weeks", type=int, default=8, metavar="N", help="weeks to plan (8)")
    parser.add_argument("--feedback", type=Path, metavar="FEEDBACK.json", help="history to replay")
    parser.add_argument("--json", action="store_true", help="print docs/plan-format.md JSON")
    parser.set_defaults(handler="bot.cli_plan:run")


def _db(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "db", help="the database: schema upgrades, backups, restores, and moving it"
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    upgrade_parser = actions.add_parser(
        "upgrade", help="create or upgrade the schema (safe to run again)"
    )
    upgrade_parser.set_defaults(handler="bot.cli_db:run_upgrade")
    downgrade_parser = actions.add_parser(
        "downgrade",
        help="take the schema down to REVISION, keeping the data (before going back to an "
        "older version of the bot; docs/operations.md)",
    )
    downgrade_parser.add_argument("revision", metavar="REVISION", help="such as 0009")
    downgrade_parser.set_defaults(handler="bot.cli_db:run_downgrade")
    backup = actions.add_parser(
        "backup",
        help="SQLite: copy the database into PATH, safe while the bot runs; "
        "PostgreSQL: print the pg_dump command",
    )
    backup.add_argument("path", type=Path, metavar="PATH")
    backup.set_defaults(handler="bot.cli_db:run_backup")
    restore = actions.add_parser(
        "restore",
        help="SQLite: replace the database with the backup at PATH (stop the bot first); "
        "PostgreSQL: print the pg_restore command",
    )
    restore.add_argument("path", type=Path, metavar="PATH")
    restore.set_defaults(handler="bot.cli_db:run_restore")
    copy = actions.add_parser(
        "copy",
        help="copy every row into another, empty database, such as SQLite into PostgreSQL "
        "(stop the bot first)",
    )
    copy.add_argument("--to", required=True, metavar="DATABASE_URL", help="the empty database")
    copy.set_defaults(handler="bot.cli_db:run_copy")


def _handler(name: str) -> Callable[[argparse.Namespace], int]:
    """The function a sub-command names as ``"module:function"``, its module imported now."""
    module, _, function = name.partition(":")
    work: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module), function)
    return work


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen command; a configuration or database problem is one line, no traceback."""
    args = build_parser().parse_args(argv)
    run = _handler(args.handler)
    try:
        status: int = run(args)
    except BrokenPipeError:
        # The reader went away (``trailcoach plan ... | head``): nothing more to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:
        failure = _failure(error)
        if failure is None:
            raise
        return _fail(*failure)
    return status


def _failure(error: Exception) -> tuple[str, int] | None:
    """The line and exit status for a configuration or database problem; None for others.

    Their modules are imported here, after a command failed, so that ``--help`` and ``plan``
    load neither pydantic nor SQLAlchemy; a command that raised one of them loaded it.
    """
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from bot.settings import SettingsError

    if isinstance(error, SettingsError):
        return f"configuration error: {error}", 2
    if isinstance(error, CommandError):  # such as a schema newer than this version knows
        return f"cannot migrate the database: {_first_line(error)}", 1
    if isinstance(error, OSError | SQLAlchemyError):
        return f"cannot use the database: {_first_line(error)}", 1
    return None


def _fail(message: str, status: int) -> int:
    print(f"trailcoach: {message}", file=sys.stderr)
    return status


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__
