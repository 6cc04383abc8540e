"""The SQLite driver a benchmark runs on, for measuring the bot's own against the stock one
(issue 26): ``custom`` is ``bot/storage/sqlite_driver.py``; ``stock`` is SQLAlchemy's own
aiosqlite adapter, set up as it would ship (SQLite waits for a lock itself, up to 5 s, in
aiosqlite's thread; commits copy the WAL into the file as SQLite does by default)."""

from __future__ import annotations

from bot.storage import sqlite, sqlite_driver

CHOICES = ("custom", "stock")


def select(driver: str) -> None:
    """Make the engines built from now on use ``driver``."""
    if driver == "stock":
        sqlite_driver.DBAPI = None  # type: ignore[assignment]  # SQLAlchemy imports aiosqlite
        sqlite.PRAGMAS.pop("wal_autocheckpoint")
        sqlite.PRAGMAS["busy_timeout"] = "5000"
