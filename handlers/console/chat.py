"""A terminal conversation with the coach: buttons become numbered choices."""

from __future__ import annotations

import asyncio
import re
from html import unescape
from pathlib import Path
from typing import TextIO

from bot.services.coach import Coach
from bot.services.context import Person
from bot.services.replies import Button, Reply

PLATFORM = "console"
_TAGS = re.compile(r"</?(?:b|i)>")
BYE = {"quit", "exit", "/quit", "/exit"}
INTRO = (
    "Trail Strength Coach, offline. Type /start to begin, /help for commands, a number to "
    "pick a choice, or quit to leave."
)


def plain(text: str) -> str:
    """The coach's markup as plain terminal text."""
    return unescape(_TAGS.sub("", text))


class ConsoleChat:
    """Reads lines, sends them to the coach, prints replies with numbered choices."""

    def __init__(self, coach: Coach, name: str, out: TextIO, downloads: Path) -> None:
        self.coach = coach
        self.person = Person(PLATFORM, name, name, name)
        self.out = out
        self.downloads = downloads
        self.choices: list[Button] = []

    async def handle(self, line: str) -> None:
        """One line typed by the person."""
        text = line.strip()
        if not text:
            return
        if text.isdigit() and self.choices:
            index = int(text) - 1
            if not 0 <= index < len(self.choices):
                self.write(f"Pick a number from 1 to {len(self.choices)}.")
                return
            reply = await self.coach.button(self.person, self.choices[index].data)
        elif text.startswith("/"):
            reply = await self.coach.command(self.person, text[1:].split()[0])
        else:
            reply = await self.coach.text(self.person, text)
        self.show(reply)

    def show(self, reply: Reply) -> None:
        """Print a reply; its buttons become the numbered choices."""
        self.choices = []
        for message in reply:
            self.write(plain(message.text))
            if message.document is not None:
                path = self.downloads / message.document.filename
                path.write_bytes(message.document.content)
                self.write(f"  (saved {path})")
            for row in message.buttons:
                for button in row:
                    if isinstance(button, Button):
                        self.choices.append(button)
                        self.write(f"  {len(self.choices)}) {button.label}")
                    else:
                        self.write(f"  {button.label} (on Telegram, opens a private chat)")
        self.write("")

    def write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()


async def chat(coach: Coach, *, name: str, stdin: TextIO, out: TextIO, downloads: Path) -> None:
    """Talk with the coach until end of input or ``quit``."""
    console = ConsoleChat(coach, name, out, downloads)
    console.write(INTRO)
    while True:
        out.write("> ")
        out.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line or line.strip().lower() in BYE:
            console.write("Bye! Your plan is saved.")
            return
        await console.handle(line)
