"""The person's lines on the console, read on the event loop: no thread waits on the
keyboard, so Ctrl-C and Ctrl-D end the conversation at once, whatever the prompt.

A terminal or a pipe is watched by the event loop; a file or an in-memory text (a script,
a test) never blocks, so it is read line by line as it is. Ctrl-C (SIGINT) ends the lines
like the end of input does.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import signal
from typing import TextIO

READ_SIZE = 65_536


class Lines:
    """The lines typed on ``stdin``, one ``next()`` at a time; None once input ends or the
    person presses Ctrl-C. Use as an async context manager, on the loop that reads."""

    def __init__(self, stdin: TextIO) -> None:
        self._stdin = stdin
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._decoder = codecs.getincrementaldecoder(getattr(stdin, "encoding", None) or "utf-8")(
            errors="replace"
        )
        self._pending = ""
        self._watched: int | None = None
        self._interrupts = False

    async def __aenter__(self) -> Lines:
        loop = asyncio.get_running_loop()
        try:
            descriptor = self._stdin.fileno()
            loop.add_reader(descriptor, self._readable)
            self._watched = descriptor
        except (OSError, ValueError):  # a file, or text in memory: read as it is
            self._watched = None
        try:
            loop.add_signal_handler(signal.SIGINT, self.interrupt)
            self._interrupts = True
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
            self._interrupts = False
        return self

    async def __aexit__(self, *_exc: object) -> None:
        loop = asyncio.get_running_loop()
        if self._watched is not None:
            loop.remove_reader(self._watched)
            self._watched = None
        if self._interrupts:
            loop.remove_signal_handler(signal.SIGINT)

    def interrupt(self) -> None:
        """Ctrl-C: the lines end here."""
        self._queue.put_nowait(None)

    async def next(self) -> str | None:
        """The next line (without its newline), or None at the end."""
        if self._watched is None and self._queue.empty():
            line = self._stdin.readline()
            return line.rstrip("\n") if line else None
        return await self._queue.get()

    def _readable(self) -> None:
        assert self._watched is not None
        data = os.read(self._watched, READ_SIZE)
        self._pending += self._decoder.decode(data, final=not data)
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._queue.put_nowait(line)
        if not data:  # the end of input (Ctrl-D on an empty line, or a closed pipe)
            if self._pending:
                self._queue.put_nowait(self._pending)
            self._queue.put_nowait(None)
            asyncio.get_running_loop().remove_reader(self._watched)
            self._watched = None
