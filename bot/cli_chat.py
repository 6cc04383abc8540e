"""``trailcoach chat``: the offline console coach, on the same database, with no token."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path
from typing import Any

from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.settings import load_settings
from handlers.console.chat import chat


def register(subparsers: Any) -> None:
    """Add the ``chat`` command."""
    parser = subparsers.add_parser("chat", help="talk to the coach in this terminal, offline")
    parser.add_argument(
        "--as", dest="name", default=None, help="who you are (default: your login name)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Chat on stdin and stdout until end of input or ``quit``."""
    settings = load_settings()
    name = args.name or getpass.getuser()
    asyncio.run(_chat(ServiceContext.from_settings(settings), name))
    return 0


async def _chat(context: ServiceContext, name: str) -> None:
    await context.prepare()
    try:
        await chat(Coach(context), name=name, stdin=sys.stdin, out=sys.stdout, downloads=Path())
    finally:
        await context.close()
