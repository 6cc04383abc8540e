"""``trailcoach chat``: the offline console coach, on the same database, with no token."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.settings import load_settings
from handlers.console.chat import chat


def run(args: argparse.Namespace) -> int:
    """Chat on stdin and stdout until end of input or ``quit``."""
    settings = load_settings()
    name = args.name or getpass.getuser()
    asyncio.run(_chat(ServiceContext.from_settings(settings), name, args.exports or exports()))
    return 0


def exports() -> Path:
    """The exports folder in the user's data folder ($XDG_DATA_HOME, or ~/.local/share)."""
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "trailcoach" / "exports"


async def _chat(context: ServiceContext, name: str, folder: Path) -> None:
    await context.prepare()
    try:
        await chat(Coach(context), name=name, stdin=sys.stdin, out=sys.stdout, exports=folder)
    finally:
        await context.close()
