"""A SQLite database this process cannot write is refused at start, in one line naming the
file and the fix: the database file, its -wal and -shm files (which SQLite makes with the
file's mode), and its folder."""

from __future__ import annotations

import errno
import os
import pwd
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.storage import writable
from bot.storage.database import Database
from bot.storage.faults import Unusable
from tests.database_fixtures import modes_bind_here


@pytest.fixture(autouse=True)
def modes_bind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Modes stop the probe's writes as they stop any user but root: running as root, the
    probe's target honours the owner's write bit instead."""
    if modes_bind_here(tmp_path):
        return
    try_writing = writable._try_writing

    def as_a_user(path: Path) -> None:
        if not path.stat().st_mode & stat.S_IWUSR:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        try_writing(path)

    monkeypatch.setattr(writable, "_try_writing", as_a_user)


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "data"
    folder.mkdir()
    yield folder
    for path in (folder, *folder.iterdir()):
        path.chmod(0o755 if path.is_dir() else 0o644)  # so that pytest can clean up


@pytest.fixture
async def file(folder: Path) -> Path:
    """A database file made and closed by the bot (SQLite removes its -wal and -shm then)."""
    path = folder / "coach.db"
    database = Database.from_url(f"sqlite+aiosqlite:///{path}")
    await database.prepare()
    await database.dispose()
    return path


OWNER = pwd.getpwuid(os.geteuid()).pw_name


async def refusal(path: Path) -> str:
    database = Database.from_url(f"sqlite+aiosqlite:///{path}")
    try:
        with pytest.raises(Unusable) as refused:
            await database.prepare()
    finally:
        await database.dispose()
    return str(refused.value)


async def test_a_read_only_database_file_is_refused_naming_it_and_its_wal_and_shm(
    file: Path,
) -> None:
    os.chmod(file, 0o444)
    assert await refusal(file) == (
        f"the database file {file} is not writable by this user (mode 0444, owned by {OWNER}): "
        "make it writable by this user, and its -wal and -shm files too"
    )


async def test_wal_and_shm_files_left_read_only_are_refused_once_the_file_is_fixed(
    file: Path,
) -> None:
    """SQLite made them with the read-only file's mode: fixing the file alone is not enough."""
    for suffix in ("-wal", "-shm"):
        os.close(os.open(f"{file}{suffix}", os.O_CREAT | os.O_WRONLY, 0o444))
    assert await refusal(file) == (
        f"the database's -wal file {file}-wal is not writable by this user (mode 0444, owned "
        f"by {OWNER}): make it writable by this user, and its -shm file too"
    )
    os.chmod(f"{file}-wal", 0o644)
    assert (await refusal(file)).startswith(f"the database's -shm file {file}-shm is not")


async def test_a_read_only_folder_is_refused_naming_it(folder: Path) -> None:
    os.chmod(folder, 0o555)
    assert await refusal(folder / "new.db") == (
        f"the database's folder {folder} is not writable by this user (mode 0555, owned by "
        f"{OWNER}): make it writable by this user (SQLite creates the -wal and -shm files "
        "there)"
    )


async def test_a_writable_database_starts(file: Path) -> None:
    database = Database.from_url(f"sqlite+aiosqlite:///{file}")
    await database.prepare()
    await database.dispose()


def test_the_command_line_refuses_a_read_only_database_in_one_line(
    file: Path,
    clean_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    file.chmod(0o444)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{file}")

    assert main(["db", "upgrade"]) == 1

    [line] = capsys.readouterr().err.splitlines()
    assert line == (
        f"trailcoach: cannot use the database: the database file {file} is not writable by "
        f"this user (mode 0444, owned by {OWNER}): make it writable by this user, and its -wal "
        "and -shm files too"
    )
