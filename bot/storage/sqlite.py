"""How every SQLite connection of the bot is set up."""

from __future__ import annotations

from typing import Any

PRAGMAS = {
    "journal_mode": "WAL",
    "foreign_keys": "ON",
    "busy_timeout": "5000",  # ms to wait for another connection's write lock
    "synchronous": "NORMAL",  # WAL commits survive a crash of the process without an fsync
    "cache_size": "-65536",  # 64 MB
}


def apply_pragmas(dbapi_connection: Any) -> None:
    """Set ``PRAGMAS`` on a new connection."""
    cursor = dbapi_connection.cursor()
    for name, value in PRAGMAS.items():
        cursor.execute(f"PRAGMA {name}={value}")
    cursor.close()
