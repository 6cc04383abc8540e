"""A database failure's cause, in the driver's own words and never the statement's."""

from __future__ import annotations

import socket
import sqlite3

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, PendingRollbackError

from bot.storage.faults import Cause, Fault, describe, fault


def sqlite_error(message: str, code: int) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code
    return error


class PostgresError(Exception):
    """What asyncpg (and SQLAlchemy's adapter of it) raise: a message and a SQLSTATE."""

    def __init__(self, message: str, sqlstate: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def wrapped(error: Exception) -> DBAPIError:
    """As SQLAlchemy raises it: the statement and its parameters in its text."""
    return OperationalError("INSERT INTO notes (text) VALUES (?)", ("a private note",), error)


SQLITE_READONLY_WAL = 8 | (5 << 8)  # an extended code: SQLITE_READONLY_CANTINIT


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            wrapped(sqlite_error("attempt to write a readonly database", sqlite3.SQLITE_READONLY)),
            Fault(Cause.READ_ONLY, "attempt to write a readonly database"),
        ),
        (
            wrapped(sqlite_error("attempt to write a readonly database", SQLITE_READONLY_WAL)),
            Fault(Cause.READ_ONLY, "attempt to write a readonly database"),
        ),
        (
            wrapped(sqlite_error("database or disk is full", sqlite3.SQLITE_FULL)),
            Fault(Cause.FULL, "database or disk is full"),
        ),
        (
            wrapped(sqlite_error("database is locked", sqlite3.SQLITE_BUSY)),
            Fault(Cause.LOCKED, "database is locked"),
        ),
        (
            ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
            Fault(Cause.REFUSED, "[Errno 111] Connect call failed ('127.0.0.1', 5432)"),
        ),
        (TimeoutError(), Fault(Cause.TIMED_OUT)),
        (
            ConnectionResetError(104, "Connection reset by peer"),
            Fault(Cause.LOST, "[Errno 104] Connection reset by peer"),
        ),
        (
            socket.gaierror(-2, "Name or service not known"),
            Fault(Cause.UNREACHABLE, "[Errno -2] Name or service not known"),
        ),
        (
            wrapped(PostgresError("cannot execute INSERT in a read-only transaction", "25006")),
            Fault(Cause.READ_ONLY, "cannot execute INSERT in a read-only transaction"),
        ),
        (
            wrapped(PostgresError("connection was closed in the middle of operation", "08006")),
            Fault(Cause.LOST, "connection was closed in the middle of operation"),
        ),
        (
            wrapped(PostgresError("could not extend file: No space left on device", "53100")),
            Fault(Cause.FULL, "could not extend file: No space left on device"),
        ),
    ],
)
def test_an_outage_is_named_by_its_cause_in_the_drivers_words(
    error: Exception, expected: Fault
) -> None:
    assert fault(error) == expected
    assert "a private note" not in describe(error) and "VALUES" not in describe(error)


def test_a_failure_raised_while_handling_an_outage_is_named_by_the_outage() -> None:
    error = PendingRollbackError("Can't reconnect until invalid transaction is rolled back")
    error.__context__ = wrapped(sqlite_error("database or disk is full", sqlite3.SQLITE_FULL))
    assert fault(error) == Fault(Cause.FULL, "database or disk is full")


def test_a_bug_is_no_outage_and_is_named_by_its_type_alone() -> None:
    error = IntegrityError("INSERT ...", ("a private note",), sqlite3.IntegrityError("UNIQUE"))
    assert fault(error) is None
    assert describe(error) == "IntegrityError"
