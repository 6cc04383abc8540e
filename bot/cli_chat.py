"""``trailcoach chat``: the offline console coach, on the same database, with no token."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from bot.settings import load_settings


def run(args: argparse.Namespace) -> int:
    """Chat on stdin and stdout until end of input or ``quit``."""
    from bot import bootstrap

    settings = load_settings()
    name = args.name or getpass.getuser()
    folder = args.exports or exports()
    asyncio.run(
        bootstrap.chat(settings, name=name, stdin=sys.stdin, out=sys.stdout, exports=folder)
    )
    return 0


def exports() -> Path:
    """The exports folder in the user's data folder ($XDG_DATA_HOME, or ~/.local/share)."""
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "trailcoach" / "exports"
