"""Before the bot starts on a SQLite file: can this process write it, its ``-wal`` and
``-shm`` files, and their folder? If not, one line says which and what to do.

SQLite opens a file it cannot write read-only, without a word: the bot would start, then
fail every write. It also creates the ``-wal`` and ``-shm`` files with the database file's
mode, so a database once made read-only leaves them read-only after its own mode is fixed.
"""

from __future__ import annotations

import errno
import os
import pwd
import stat
import tempfile
from pathlib import Path

from bot.storage.faults import Unusable


def check_writable(database: Path) -> None:
    """Raise ``Unusable`` naming the first of the database file, its ``-wal`` and ``-shm``
    files (those that exist) and its folder that this process cannot write."""
    parts = (
        (database, "the database file", "its -wal and -shm files too"),
        (Path(f"{database}-wal"), "the database's -wal file", "its -shm file too"),
        (Path(f"{database}-shm"), "the database's -shm file", "its -wal file too"),
    )
    for path, what, also in parts:
        if path.exists():
            _probe(path, what, f"make it writable by this user, and {also}")
    _probe(
        database.parent,
        "the database's folder",
        "make it writable by this user (SQLite creates the -wal and -shm files there)",
    )


def _probe(path: Path, what: str, fix: str) -> None:
    try:
        _try_writing(path)
    except OSError as error:
        raise Unusable(_refusal(path, what, fix, error)) from None


def _try_writing(path: Path) -> None:
    """Open ``path`` for writing (in a folder, create a file and delete it); raises the
    system's ``OSError`` if this process may not. Tests running as root, whom file modes do
    not stop, put a stricter check here."""
    if path.is_dir():
        with tempfile.TemporaryFile(dir=path):
            return
    os.close(os.open(path, os.O_RDWR))


def _refusal(path: Path, what: str, fix: str, error: OSError) -> str:
    if error.errno == errno.EROFS:
        return (
            f"{what} {path} is on a read-only file system: remount it read-write, or set "
            "DATABASE_URL to a file on a writable disk"
        )
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"{what} {path} is not writable by this user ({_mode(path)}): {fix}"
    return f"{what} {path} cannot be written ({error.strerror}): {fix}"


def _mode(path: Path) -> str:
    status = path.stat()
    try:
        owner = pwd.getpwuid(status.st_uid).pw_name
    except KeyError:
        owner = f"uid {status.st_uid}"
    return f"mode {stat.S_IMODE(status.st_mode):04o}, owned by {owner}"
