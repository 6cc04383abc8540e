"""How every SQLite connection of the bot is set up."""

from __future__ import annotations

from typing import Any

BUSY_TIMEOUT = 5.0  # seconds a statement waits for another connection's lock (``sqlite_driver``)

PRAGMAS = {
    "journal_mode": "WAL",
    "foreign_keys": "ON",
    "synchronous": "NORMAL",  # WAL commits survive a crash of the process without an fsync
    "wal_autocheckpoint": "0",  # commits run on the event loop: the tick copies the WAL
    "cache_size": "-65536",  # 64 MB
}


def apply_pragmas(dbapi_connection: Any) -> None:
    """Set ``PRAGMAS`` on a new connection."""
    cursor = dbapi_connection.cursor()
    for name, value in PRAGMAS.items():
        cursor.execute(f"PRAGMA {name}={value}")
    cursor.close()
