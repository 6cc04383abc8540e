"""The console side of the bot, built, started and stopped by ``bot.bootstrap`` for
``trailcoach chat``: one person's conversation in a terminal, which ends when they leave."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TextIO

from bot.services.coach import Coach
from handlers.console.chat import PLATFORM, chat


class ConsoleAdapter:
    """``name`` talks with the coach on ``stdin`` and ``out``; exports are saved in
    ``exports``."""

    platform = PLATFORM

    def __init__(
        self, coach: Coach, *, name: str, stdin: TextIO, out: TextIO, exports: Path
    ) -> None:
        self.coach = coach
        self.name = name
        self.stdin = stdin
        self.out = out
        self.exports = exports
        self._conversation: asyncio.Task[None] | None = None

    async def open(self) -> None:
        """Nothing to log in to."""

    async def start(self) -> None:
        """Greet the person and read their lines, in the background."""
        talk = chat(
            self.coach, name=self.name, stdin=self.stdin, out=self.out, exports=self.exports
        )
        self._conversation = asyncio.create_task(talk, name="console")

    async def wait(self) -> None:
        """Return when the person types ``quit`` or their input ends."""
        assert self._conversation is not None, "started before waited on"
        await self._conversation

    async def stop(self) -> None:
        """End the conversation if it is still going."""
        if self._conversation is not None:
            self._conversation.cancel()
            await asyncio.gather(self._conversation, return_exceptions=True)
