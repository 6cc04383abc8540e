"""Backups of the bot's database: SQLite's online backup, safe while the bot runs; the
``pg_dump`` and ``pg_restore`` commands for PostgreSQL, which has its own tools for it."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """A backup or restore could not be made; the message says why, in one line."""


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for any other database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory SQLite database has no file to back up")
    return Path(parsed.database).expanduser()


def backup(source: Path, target: Path) -> None:
    """Copy the SQLite database ``source`` into ``target`` as one consistent snapshot, while
    the bot may be writing to it (SQLite's online backup, in one step: a read transaction
    that commits in the WAL never disturb). The copy is checked, then put in place at once,
    so ``target`` is never a half-written file."""
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with _open(source, read_only=True) as origin, _open(partial) as copy:
        origin.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        _check(copy, partial)
    os.replace(partial, target)


def restore(backup_file: Path, target: Path) -> None:
    """Replace the database ``target`` with the backup ``backup_file`` (stop the bot first).
    The backup is checked before anything is written."""
    if not backup_file.is_file():
        raise BackupError(f"there is no backup at {backup_file}")
    with _open(backup_file, read_only=True) as origin:
        _check(origin, backup_file)
        tables = {name for (name,) in origin.execute("SELECT name FROM sqlite_master")}
        if "alembic_version" not in tables:
            raise BackupError(f"{backup_file} is not a database of this bot")
        with _open(target) as current:
            origin.backup(current)


def pg_dump_command(url: str, target: Path) -> str:
    """The ``pg_dump`` command that backs up the PostgreSQL database of ``url`` into
    ``target`` (its password left out: give it as PGPASSWORD or in ~/.pgpass)."""
    return f"pg_dump --format=custom --no-owner --file={target} --dbname={_libpq(url)}"


def pg_restore_command(url: str, backup_file: Path) -> str:
    """The ``pg_restore`` command that loads ``backup_file`` into the database of ``url``."""
    return f"pg_restore --clean --if-exists --no-owner --dbname={_libpq(url)} {backup_file}"


def _libpq(url: str) -> str:
    """``url`` as PostgreSQL's own tools read it: no driver name, no password."""
    parsed = make_url(url).set(drivername="postgresql")._replace(password=None)  # a NamedTuple
    return parsed.render_as_string(hide_password=False)


@contextmanager
def _open(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection to ``path`` for the block; any SQLite error is a ``BackupError``."""
    uri = f"{path.resolve().as_uri()}{'?mode=ro' if read_only else ''}"
    try:
        with closing(sqlite3.connect(uri, uri=True, timeout=30)) as connection:
            yield connection
    except sqlite3.Error as error:
        raise BackupError(f"cannot use {path}: {error}") from None


def _check(connection: sqlite3.Connection, path: Path) -> None:
    (result,) = connection.execute("PRAGMA quick_check").fetchone()
    if result != "ok":
        raise BackupError(f"{path} is damaged: {result}")
