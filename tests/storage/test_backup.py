"""Backups, restores and the move to another database (issue 29): ``trailcoach db backup``,
``db restore`` and ``db copy``."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli import main
from bot.services.coach import SORRY, Coach
from bot.services.context import Person, Platform, ServiceContext
from bot.storage.backup import BackupError, backup, restore
from bot.storage.copy import CopyError, copy_database
from bot.storage.database import Database
from bot.storage.models import Runner, RunningDay
from tests.conftest import FakeClock
from tests.factories import make_runner
from tests.services.conftest import Talker, onboard
from tests.storage.lived_in import live_in, rows


def sqlite_database(path: Path) -> Database:
    return Database.from_url(f"sqlite+aiosqlite:///{path}")


async def started(path: Path, clock: FakeClock) -> ServiceContext:
    """The context ``trailcoach run`` would start on the file: its schema brought up to date."""
    ctx = ServiceContext(sqlite_database(path), clock, "Europe/Berlin")
    await ctx.prepare()
    return ctx


async def test_a_backup_taken_while_the_bot_writes_is_whole_and_the_bot_starts_from_it(
    tmp_path: Path, clock: FakeClock
) -> None:
    live = await started(tmp_path / "live.sqlite3", clock)
    written = 0
    writing = asyncio.Event()

    async def write() -> None:
        """A runner and their seven running days in each transaction, as fast as it goes."""
        nonlocal written
        while True:
            async with live.database.unit_of_work() as uow:
                await uow.runners.add(make_runner())
            written += 1
            writing.set()
            await asyncio.sleep(0)

    writer = asyncio.create_task(write())
    backups = [tmp_path / f"backup-{n}.sqlite3" for n in range(5)]
    try:
        await writing.wait()
        before = written
        for target in backups:
            await asyncio.to_thread(backup, Path(str(live.database.engine.url.database)), target)
        assert written > before, "the bot wrote while the backups were taken"
    finally:
        writer.cancel()
        await asyncio.gather(writer, return_exceptions=True)
        await live.close()

    counts = []
    for target in backups:
        with sqlite3.connect(target) as copy:
            runners = copy.execute("SELECT count(*) FROM runners").fetchone()[0]
            per_runner = copy.execute(
                "SELECT count(*) FROM runners r LEFT JOIN running_days d ON d.runner_id = r.id "
                "GROUP BY r.id HAVING count(d.weekday) != 7"
            ).fetchall()
        assert per_runner == []  # no transaction is in a backup by halves
        counts.append(runners)
    assert counts == sorted(counts) and counts[0] > 0 and counts[-1] <= written

    ctx = await started(backups[-1], clock)
    try:
        ada = Talker(Coach(ctx), Person(Platform.TELEGRAM, "1", "1", "Ada"))
        await onboard(ada)
        reply = await ada.command("week")
        assert SORRY not in str(reply[0].text)
        async with ctx.database.unit_of_work() as uow:
            total = await uow.session.scalar(select(func.count()).select_from(Runner))
        assert total == counts[-1] + 1
    finally:
        await ctx.close()


async def test_restore_brings_back_every_row_as_it_was_at_the_backup(
    tmp_path: Path, clock: FakeClock
) -> None:
    path, saved = tmp_path / "coach.sqlite3", tmp_path / "saved.sqlite3"
    ctx = await started(path, clock)
    ada = await live_in(ctx.database, clock)
    at_backup = await rows(ctx.database.engine)
    backup(path, saved)
    await ada.command("deleteme")
    await ada.press("Yes, delete everything")
    assert await rows(ctx.database.engine) != at_backup
    await ctx.close()  # the bot is stopped for a restore

    restore(saved, path)

    ctx = await started(path, clock)
    try:
        assert await rows(ctx.database.engine) == at_backup
    finally:
        await ctx.close()


def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(tmp_path: Path) -> None:
    other, target = tmp_path / "other.sqlite3", tmp_path / "coach.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    with pytest.raises(BackupError, match="not a database of this bot"):
        restore(other, target)
    assert not target.exists()
    with pytest.raises(BackupError, match="there is no backup"):
        restore(tmp_path / "missing.sqlite3", target)


def test_the_db_commands_back_up_and_restore_the_configured_sqlite_file(
    tmp_path: Path,
    clean_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'coach.sqlite3'}")
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "backup", str(tmp_path / "saved.sqlite3")]) == 0
    assert main(["db", "restore", str(tmp_path / "saved.sqlite3")]) == 0
    out = capsys.readouterr().out
    assert f"into {tmp_path / 'saved.sqlite3'}" in out
    assert "Restored" in out
    assert main(["db", "restore", str(tmp_path / "nothing.sqlite3")]) == 1
    assert "trailcoach: there is no backup at" in capsys.readouterr().err


def test_on_postgresql_the_db_commands_print_pg_dump_and_pg_restore_without_the_password(
    clean_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://coach:s3cret-pw@db.internal:5433/coach")
    assert main(["db", "backup", "/backups/coach.dump"]) == 0
    assert main(["db", "restore", "/backups/coach.dump"]) == 0
    out = capsys.readouterr().out
    assert (
        "pg_dump --format=custom --no-owner --file=/backups/coach.dump "
        "--dbname=postgresql://coach@db.internal:5433/coach"
    ) in out
    assert (
        "pg_restore --clean --if-exists --no-owner "
        "--dbname=postgresql://coach@db.internal:5433/coach /backups/coach.dump"
    ) in out
    assert "s3cret" not in out


async def test_copy_moves_every_row_and_the_bot_carries_on_in_the_new_database(
    tmp_path: Path, clock: FakeClock, engine: AsyncEngine
) -> None:
    """SQLite into each backend (PostgreSQL when TEST_DATABASE_URL is set)."""
    source = await started(tmp_path / "coach.sqlite3", clock)
    try:
        await live_in(source.database, clock)
        copied = await copy_database(source.database.engine, engine)
        before = await rows(source.database.engine)
    finally:
        await source.close()
    assert copied == {table: len(found) for table, found in before.items()}
    assert await rows(engine) == before

    moved = ServiceContext(Database(engine), clock, "Europe/Berlin")
    ada = Talker(Coach(moved), Person(Platform.TELEGRAM, "501", "501", "Ada"))
    assert "Recent sessions" in str((await ada.command("history"))[0].text)
    bea = Talker(Coach(moved), Person(Platform.TELEGRAM, "502", "502", "Bea"))
    await onboard(bea)  # new rows get new ids: the sequences moved past the copied ones
    async with moved.database.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(RunningDay)) == 14

    with pytest.raises(CopyError, match="not empty"):
        await copy_database(engine, engine)


def test_the_copy_command_refuses_its_own_database_and_copies_into_another(
    tmp_path: Path,
    clean_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source, target = tmp_path / "coach.sqlite3", tmp_path / "moved.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{source}")
    assert main(["db", "copy", "--to", f"sqlite:///{source}"]) == 1
    assert "names the configured database itself" in capsys.readouterr().err
    assert main(["db", "copy", "--to", "mysql://x/y"]) == 1
    assert "--to: unsupported database" in capsys.readouterr().err
    assert main(["db", "copy", "--to", f"sqlite:///{target}"]) == 0
    assert "Copied 0 rows in" in capsys.readouterr().out
    with sqlite3.connect(target) as moved:
        assert moved.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)


def test_db_downgrade_goes_back_a_revision_and_a_schema_newer_than_the_bot_is_one_line(
    tmp_path: Path,
    clean_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "coach.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "downgrade", "0009"]) == 0
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == ("0009",)
        connection.execute("UPDATE alembic_version SET version_num = '0099'")  # a newer bot's
    capsys.readouterr()
    assert main(["db", "upgrade"]) == 1
    assert capsys.readouterr().err == (
        "trailcoach: cannot migrate the database: Can't locate revision identified by '0099'\n"
    )
