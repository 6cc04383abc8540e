"""How every SQLite connection of the bot is set up."""

from __future__ import annotations

from typing import Any

BUSY_TIMEOUT = 5.0  # seconds a statement waits for another connection's lock (``sqlite_driver``)
WAL_LIMIT = 4 * 2**20
"""Bytes the WAL file keeps once its pages are all in the database file: SQLite truncates it
to this when it starts over (``journal_size_limit``), and ``Database.checkpoint`` truncates
a WAL still larger to nothing."""

PRAGMAS = {
    "journal_mode": "WAL",
    "foreign_keys": "ON",
    "synchronous": "NORMAL",  # WAL commits survive a crash of the process without an fsync
    "wal_autocheckpoint": "0",  # commits run on the event loop: ``Checkpoints`` copy the WAL
    "journal_size_limit": str(WAL_LIMIT),
    "cache_size": "-65536",  # 64 MB
}


def apply_pragmas(dbapi_connection: Any) -> None:
    """Set ``PRAGMAS`` on a new connection."""
    cursor = dbapi_connection.cursor()
    for name, value in PRAGMAS.items():
        cursor.execute(f"PRAGMA {name}={value}")
    cursor.close()
