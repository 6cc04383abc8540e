"""What the composition root needs from each platform's adapter: how to start it and how to
stop it."""

from __future__ import annotations

from typing import Protocol

CONFIGURATION = 2  # exit status: a setting is wrong
UNAVAILABLE = 1  # exit status: the platform could not be reached, or refused a start-up call


class CannotRun(Exception):
    """Why the bot could not start, or had to stop: one line an operator can act on (never
    the token), and the exit status for it."""

    def __init__(self, line: str, status: int) -> None:
        super().__init__(line)
        self.line = line
        self.status = status


def first_line(text: str, limit: int = 200) -> str:
    """A server's answer cut to its first line, for a one-line start-up error."""
    line = text.strip().splitlines()[0] if text.strip() else "no details"
    return line if len(line) <= limit else line[: limit - 1] + "…"


class Adapter(Protocol):
    """One platform's side of the bot, run by ``bot.bootstrap`` under one event loop; it is
    handed every long-lived part it drives (client, limiter, inbox, web server) and builds none.

    ``open`` makes every start-up call (logging in, registering commands) before anything
    flows, so a bad token stops the process before any platform starts; ``start`` begins
    receiving; ``wait`` returns (or raises ``CannotRun``) only if the adapter stops by
    itself; ``stop`` stops receiving and closes its connections, and is safe after a failed
    ``open``. Every start-up failure is a ``CannotRun``.
    """

    @property
    def platform(self) -> str:
        """The platform's name, as stored on runners and clubs."""
        ...

    async def open(self) -> None: ...

    async def start(self) -> None: ...

    async def wait(self) -> None: ...

    async def stop(self) -> None: ...
