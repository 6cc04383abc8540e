"""The command line: one sub-command per module, each with ``register`` and ``run``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from types import ModuleType

from bot import cli_plan

COMMANDS: tuple[ModuleType, ...] = (cli_plan,)


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
    """Parse the arguments and run the chosen command; returns the exit status."""
    args = build_parser().parse_args(argv)
    status: int = args.handler(args)
    return status
