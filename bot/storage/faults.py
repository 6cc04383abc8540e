"""What a database failure says about the database: refused, timed out, read-only, full...

``fault(error)`` finds, in an error and the errors it was raised from, what the driver or
the operating system reported, and names its cause; None for a failure that is no outage (a
bug, such as a constraint the code broke). Its detail is the driver's own first line (SQLite's
or PostgreSQL's message, or the socket's), never SQLAlchemy's, which quotes the statement.
"""

from __future__ import annotations

import errno
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.exc import DBAPIError


class Unusable(OSError):
    """The database cannot be used as it is (at start): one line naming what and the fix."""


class Cause(StrEnum):
    """Why the database did not answer."""

    REFUSED = "refused"
    TIMED_OUT = "timed out"
    UNREACHABLE = "unreachable"
    LOST = "connection lost"
    READ_ONLY = "read-only"
    FULL = "full"
    LOCKED = "locked"
    BROKEN = "unusable"  # a file SQLite cannot open, read or trust


@dataclass(frozen=True, slots=True)
class Fault:
    """A database outage's cause, and the driver's words for it."""

    cause: Cause
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.cause}: {self.detail}" if self.detail else str(self.cause)


_SQLITE = {
    sqlite3.SQLITE_READONLY: Cause.READ_ONLY,
    sqlite3.SQLITE_PERM: Cause.READ_ONLY,
    sqlite3.SQLITE_FULL: Cause.FULL,
    sqlite3.SQLITE_BUSY: Cause.LOCKED,
    sqlite3.SQLITE_LOCKED: Cause.LOCKED,
    sqlite3.SQLITE_IOERR: Cause.BROKEN,
    sqlite3.SQLITE_CANTOPEN: Cause.BROKEN,
    sqlite3.SQLITE_CORRUPT: Cause.BROKEN,
    sqlite3.SQLITE_NOTADB: Cause.BROKEN,
}
"""SQLite's primary result codes (the low byte of an extended code) that mean an outage."""

_POSTGRESQL = {
    "25006": Cause.READ_ONLY,  # read_only_sql_transaction (a standby, or a read-only default)
    "53100": Cause.FULL,  # disk_full
    "53300": Cause.REFUSED,  # too_many_connections
    "57P03": Cause.REFUSED,  # cannot_connect_now (starting up, shutting down)
    "57P01": Cause.LOST,  # admin_shutdown
    "57P02": Cause.LOST,  # crash_shutdown
}
"""PostgreSQL's SQLSTATEs that mean an outage; every connection exception (class 08) does too."""

_UNREACHABLE = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EHOSTDOWN})


def fault(error: BaseException) -> Fault | None:
    """The outage ``error`` reports, or None if it reports none."""
    for link in _chain(error):
        cause = _cause(link)
        if cause is not None:
            return Fault(cause, _first_line(link))
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return Fault(Cause.LOST, _first_line(error.orig) if error.orig else "")
    return None


def describe(error: BaseException) -> str:
    """One line for a log: the outage's cause and the driver's words, or else the error's
    type alone (its text may quote what was being written)."""
    found = fault(error)
    return str(found) if found is not None else type(error).__name__


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error``, then what it wraps or was raised from or during, each once."""
    seen: set[int] = set()
    waiting: list[BaseException] = [error]
    while waiting:
        link = waiting.pop(0)
        if id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        for inner in (getattr(link, "orig", None), link.__cause__, link.__context__):
            if isinstance(inner, BaseException):
                waiting.append(inner)


def _cause(error: BaseException) -> Cause | None:
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(error, sqlite3.Error) and isinstance(code, int):
        return _SQLITE.get(code & 0xFF)
    state = getattr(error, "sqlstate", None)
    if isinstance(state, str):
        return Cause.LOST if state.startswith("08") else _POSTGRESQL.get(state)
    if isinstance(error, ConnectionRefusedError):
        return Cause.REFUSED
    if isinstance(error, TimeoutError):
        return Cause.TIMED_OUT
    if isinstance(error, ConnectionError):
        return Cause.LOST
    if isinstance(error, socket.gaierror) or (
        isinstance(error, OSError) and error.errno in _UNREACHABLE
    ):
        return Cause.UNREACHABLE
    return None


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= 200 else line[:199] + "…"
