"""What the libraries may log: their own words and numbers, never what they carry.

python-telegram-bot, discord.py, aiohttp, SQLAlchemy and aiosqlite log what they send and
receive: every Bot API call's parameters and answer, every gateway event, request lines (a
calendar link's path is its runner's secret), statements with their parameters, and at
ERROR a body they could not read, whole. Two guards keep it from every handler:

- below a floor per library (``FLOORS``) their records are not made at all: that is where
  the bodies and parameters are;
- every record of theirs that is made is scrubbed as it is made (a log record factory, so
  no handler, filter or test capture ever sees the original): its arguments keep numbers
  and flags and say of anything else only its kind and size; its exception is named by its
  type alone, with the traceback's frames (code, not data) but python-telegram-bot's, whose
  failures the bot reports itself (a handler error, a one-line start-up failure).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping, Sized
from typing import Any

FLOORS = {
    "telegram": logging.INFO,  # DEBUG: each Bot API call's parameters and answer
    "discord": logging.INFO,  # DEBUG: each gateway event, each request's body
    "aiohttp": logging.WARNING,  # aiohttp.access, at INFO: each request line
    "sqlalchemy": logging.WARNING,  # INFO and DEBUG: each statement, its parameters, its rows
    "aiosqlite": logging.WARNING,  # DEBUG: each statement with its parameters
}
_FRAMELESS = {"telegram"}


def guard_libraries(level: int | str) -> None:
    """Raise each library's logger to its floor (or to ``level``, if higher), and scrub
    every record a library makes from now on."""
    wanted = logging.getLevelName(level) if isinstance(level, str) else level
    for name, floor in FLOORS.items():
        logging.getLogger(name).setLevel(max(floor, wanted))
    if not isinstance(logging.getLogRecordFactory(), _Scrubbing):
        logging.setLogRecordFactory(_Scrubbing(logging.getLogRecordFactory()))


class _Scrubbing:
    """A log record factory: the records of the libraries in ``FLOORS`` come out scrubbed."""

    def __init__(self, make: Callable[..., logging.LogRecord]) -> None:
        self.make = make

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self.make(*args, **kwargs)
        library = str(record.name).partition(".")[0]
        if library in FLOORS:
            scrub(record, frames=library not in _FRAMELESS)
        return record


def scrub(record: logging.LogRecord, *, frames: bool = True) -> None:
    """Leave ``record`` its message's own words, its numbers, and the type (and, with
    ``frames``, the traceback) of its exception: nothing it quotes."""
    if isinstance(record.args, Mapping):
        record.args = {key: _size(value) for key, value in record.args.items()}
    elif record.args:
        record.args = tuple(_size(value) for value in record.args)
    if record.exc_info and record.exc_info[1] is not None:
        error = record.exc_info[1]
        record.msg = f"{record.msg} ({type(error).__name__})"
        record.exc_text = _frames(error) if frames else None
    record.exc_info = None


def _size(value: object) -> object:
    """An argument as a library may log it: a number, a flag or None as it is; anything else
    by its kind and size."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Sized):
        return f"<{type(value).__name__} of {len(value):,}>"
    return f"<{type(value).__name__}>"


def _frames(error: BaseException) -> str:
    """Where ``error`` was raised: the traceback's frames, and its type without its message."""
    where = "".join(traceback.format_tb(error.__traceback__))
    return f"Traceback (most recent call last):\n{where}{type(error).__name__} (message withheld)"
