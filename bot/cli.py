"""The command line: one sub-command per module, each with ``register`` and a handler."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from sqlalchemy.exc import SQLAlchemyError

from bot import cli_chat, cli_db, cli_plan, cli_run
from bot.settings import SettingsError

COMMANDS: tuple[ModuleType, ...] = (cli_run, cli_chat, cli_plan, cli_db)


def build_parser() -> argparse.ArgumentParser:
    """The ``trailcoach`` argument parser, with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="trailcoach",
        description="Trail Strength Coach: strength sessions planned around your trail runs.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen command; a configuration or database problem is one line, no traceback."""
    args = build_parser().parse_args(argv)
    try:
        status: int = args.handler(args)
    except BrokenPipeError:
        # The reader went away (``trailcoach plan ... | head``): nothing more to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except SettingsError as error:
        return _fail(f"configuration error: {error}", status=2)
    except (OSError, SQLAlchemyError) as error:
        return _fail(f"cannot use the database: {_first_line(error)}", status=1)
    return status


def _fail(message: str, *, status: int) -> int:
    print(f"trailcoach: {message}", file=sys.stderr)
    return status


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__
