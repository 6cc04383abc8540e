"""A terminal conversation with the coach: buttons become lettered choices."""

from __future__ import annotations

import os
from pathlib import Path
from string import ascii_lowercase
from typing import TextIO

from bot.services.coach import Coach
from bot.services.context import Person, Platform
from bot.services.presentation.cues import Cue, Words
from bot.services.presentation.replies import Button, Document, Reply
from bot.services.presentation.text import Text
from handlers.console.lines import Lines

PLATFORM = Platform.CONSOLE
BYE = {"quit", "exit", "/quit", "/exit"}
INTRO = (
    "Trail Strength Coach, offline. Type /help for commands, or quit (or Ctrl-D) to leave. "
    "When I offer choices, type a choice's letter to pick it; anything else you type is read "
    "as your own answer (a time like 7 or 19:30, a number, a date)."
)
PROMPT = "> "
HOW_TO_CHOOSE = "  (type a letter to choose)"

WORDS: Words = {
    Cue.CHOOSE_MANY: "Pick each that applies by its letter, then Done.",
    Cue.CHOOSE_ONE: "Please type the letter of one of the choices below.",
    Cue.SHARE_LOCATION: "",
    Cue.TYPE_IN_CLUB_CHAT: "",
    Cue.PRIVATE_CHAT: "this chat",
    Cue.THE_GROUP: "the club",
    Cue.THIS_GROUP: "this club",
    Cue.GROUP_ADMINS: "the club's admins",
    Cue.PRESS: "pick",
    Cue.NO_CALENDAR_LINK: "",  # offline: no web server, so never a link
}
"""The coach's cues in the console's words: lettered choices, no location, no links."""


def plain(words: Text) -> str:
    """The coach's message as plain terminal text, in the console's words."""
    return str(words.worded(WORDS))


def save(folder: Path, document: Document) -> Path:
    """Write ``document`` to a new file in ``folder``, readable by its owner only; a file
    already there is never overwritten (a number is added to the name instead)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = Path(document.filename).name  # never a path the coach did not mean
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 1
    while True:
        path = folder / (name if number == 1 else f"{stem}-{number}{suffix}")
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            number += 1
            continue
        with os.fdopen(descriptor, "wb") as file:
            file.write(document.content)
        return path


class ConsoleChat:
    """Reads lines, sends them to the coach, prints replies with lettered choices."""

    def __init__(self, coach: Coach, name: str, out: TextIO, exports: Path) -> None:
        self.coach = coach
        self.person = Person(PLATFORM, name, name, name)
        self.out = out
        self.exports = exports
        self.choices: list[Button] = []

    async def handle(self, line: str) -> None:
        """One line typed by the person."""
        text = line.strip()
        if not text:
            return
        letter = text.lower()
        if len(letter) == 1 and letter in ascii_lowercase[: len(self.choices)]:
            reply = await self.coach.button(self.person, self.choices[ord(letter) - ord("a")].data)
        elif text.startswith("/"):
            name, _, payload = text[1:].partition(" ")
            if not name:
                self.write("Type a command after the /, like /help.\n")
                return
            reply = await self.coach.command(self.person, name, payload.strip())
        else:
            reply = await self.coach.text(self.person, text)
        self.show(reply)

    def show(self, reply: Reply) -> None:
        """Print a reply; its buttons become the lettered choices. A question answered is
        printed anew, below: the answers so far are in the lines above."""
        self.choices = []
        for message in reply:
            if message.text:
                self.write(plain(message.text))
            for attachment in (message.image, message.document):
                if attachment is not None:
                    self.write(f"  (saved {save(self.exports, attachment)})")
            for row in message.buttons:
                for button in row:
                    if isinstance(button, Button) and len(self.choices) < len(ascii_lowercase):
                        self.write(f"  {ascii_lowercase[len(self.choices)]}) {button.label}")
                        self.choices.append(button)
        if self.choices:
            self.write(HOW_TO_CHOOSE)
        self.write("")

    def write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()


async def chat(coach: Coach, *, name: str, stdin: TextIO, out: TextIO, exports: Path) -> None:
    """Talk with the coach until ``quit``, the end of input (Ctrl-D) or Ctrl-C; exports are
    saved in ``exports``."""
    console = ConsoleChat(coach, name, out, exports)
    console.write(INTRO)
    console.show(await coach.welcome(console.person))
    async with Lines(stdin) as lines:
        while True:
            out.write(PROMPT)
            out.flush()
            line = await lines.next()
            if line is None:  # Ctrl-D or Ctrl-C: the cursor still sits after the prompt
                out.write("\n")
            if line is None or line.strip().lower() in BYE:
                farewell = await coach.farewell(console.person)
                console.write("\n".join(plain(message.text) for message in farewell))
                return
            await console.handle(line)
