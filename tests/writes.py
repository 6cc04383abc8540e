"""Whether a block wrote to the database: on SQLite, byte for byte."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.storage.database import Database


@contextmanager
def nothing_written(database: Database) -> Iterator[None]:
    """Fails unless the block commits nothing: on SQLite, no other connection's commit shows
    in ``PRAGMA data_version``, the WAL keeps its size and every row dumps the same. (On
    PostgreSQL a read-only unit of work runs READ ONLY, so a write would raise.)"""
    file = database.engine.url.database
    if database.engine.dialect.name != "sqlite" or file is None:
        yield
        return
    wal = Path(f"{file}-wal")
    watcher = sqlite3.connect(file)
    try:
        before = _state(watcher, wal)
        yield
        assert _state(watcher, wal) == before
    finally:
        watcher.close()


def _state(connection: sqlite3.Connection, wal: Path) -> tuple[int, int, list[str]]:
    (version,) = connection.execute("PRAGMA data_version").fetchone()
    size = wal.stat().st_size if wal.exists() else 0
    return version, size, list(connection.iterdump())
