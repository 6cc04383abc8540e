"""Database fixtures: SQLite in a temporary file always, PostgreSQL when TEST_DATABASE_URL is set.

On SQLite the schema is migrated once per session, and each test's database starts as a copy
of that file. On PostgreSQL every test gets a schema of its own: an empty one for a test of
the bare ``engine``; for a test of the migrated ``database``, one this worker migrated before
and emptied after its last test (every row deleted, every sequence restarted: a tenth of the
cost of migrating anew). A schema a test changed (its tables or its revision) is dropped.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from functools import cache
from pathlib import Path
from typing import Any
from weakref import WeakSet

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import normalise_database_url
from bot.storage.database import Database, create_engine
from bot.storage.migrate import alembic_config, upgrade
from bot.storage.models import Base

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An empty database on each backend."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}")
        yield engine
        await engine.dispose()
        return
    async with postgres_engine(migrated="database" in request.fixturenames) as engine:
        yield engine


@asynccontextmanager
async def postgres_engine(*, migrated: bool = False) -> AsyncIterator[AsyncEngine]:
    """An empty schema of its own on the PostgreSQL server of TEST_DATABASE_URL (the test
    is skipped without it), dropped afterwards; one for a test that wants it ``migrated``
    may be an emptied one at the newest migration, and is kept for the next."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    url = normalise_database_url(server_url)
    reused = migrated and bool(_EMPTIED)
    schema = _EMPTIED.pop() if reused else f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    if not reused:
        async with admin.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = _in_schema(url, schema)
    if reused:
        _LENT.add(engine)
    try:
        yield engine
    finally:
        _LENT.discard(engine)
        await engine.dispose()
        if not (migrated and await _emptied(url, schema)):
            async with admin.begin() as connection:
                await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


_EMPTIED: list[str] = []
"""This worker's PostgreSQL schemas at the newest migration, emptied, each for a next test.
(The few left at the end go with the test database: every CI run starts a fresh one.)"""
_LENT: WeakSet[AsyncEngine] = WeakSet()
"""The engines on one of those schemas, lent to a test (no migration needed)."""


def _in_schema(url: str, schema: str) -> AsyncEngine:
    return create_engine(url, connect_args={"server_settings": {"search_path": schema}})


async def _emptied(url: str, schema: str) -> bool:
    """Empty a migrated schema after its test and keep it in ``_EMPTIED``; False, and nothing
    kept, when the test changed the schema itself (its tables or its revision)."""
    engine = _in_schema(url, schema)
    try:
        async with engine.begin() as connection:
            tables = set((await connection.execute(text(_TABLES), {"s": schema})).scalars())
            if tables != {*Base.metadata.tables, "alembic_version"}:
                return False
            revision = (await connection.execute(text(_REVISION))).scalars().all()
            if revision != [_head()]:
                return False
            await connection.execute(text("SET LOCAL session_replication_role = replica"))
            for table in sorted(Base.metadata.tables):  # foreign keys unchecked: any order
                await connection.execute(text(f'DELETE FROM "{table}"'))
            for sequence in (await connection.execute(text(_SEQUENCES), {"s": schema})).scalars():
                await connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
    finally:
        await engine.dispose()
    _EMPTIED.append(schema)
    return True


_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = :s"
_SEQUENCES = "SELECT sequencename FROM pg_sequences WHERE schemaname = :s"
_REVISION = "SELECT version_num FROM alembic_version"


@cache
def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the schema at the newest migration, made once."""
    path = tmp_path_factory.mktemp("schema") / "schema.sqlite3"

    async def migrate() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade(engine)
        await engine.dispose()  # the last connection closed: the WAL is in the file

    asyncio.run(migrate())
    return path


@pytest.fixture
async def database(engine: AsyncEngine, sqlite_schema: Path) -> Database:
    """A database with the schema at the newest migration (on SQLite, a copy of the file
    migrated once, made before the engine's first connection)."""
    file = engine.url.database if engine.dialect.name == "sqlite" else None
    if not _copied(sqlite_schema, file) and engine not in _LENT:
        await upgrade(engine)
    return Database(engine)


def _copied(schema: Path, file: str | None) -> bool:
    """Start ``file`` as a copy of ``schema``, unless the engine has made it already (then a
    connection may hold it open)."""
    if not file or os.path.exists(file):
        return False
    shutil.copyfile(schema, file)
    return True


@contextmanager
def statements(database: Database, *, naming: str = "") -> Iterator[list[str]]:
    """The first word of every statement the database runs while the block runs (only those
    whose text holds ``naming``, if given)."""
    seen: list[str] = []

    def watch(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if naming in statement:
            seen.append(statement.split()[0])

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", watch)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", watch)


def modes_bind_here(folder: Path) -> bool:
    """Whether a file's mode stops this process writing it (not so for root)."""
    probe = folder / "mode-probe"
    probe.write_text("")
    probe.chmod(0o444)
    try:
        with probe.open("a"):
            return False
    except PermissionError:
        return True
    finally:
        probe.unlink()


class ReadOnlyFile:
    """Makes every SQLite connection opened from now on read-only (``PRAGMA query_only``), as
    SQLite opens a file this process may not write; connections opened before stay
    writable, as SQLite's do. ``fix`` ends it for connections opened afterwards only: one
    opened read-only stays so, as SQLite's does once the file is made writable again."""

    def __init__(self, database: Database) -> None:
        self.engine = database.engine
        self.read_only = False
        event.listen(self.engine.sync_engine, "connect", self._on_connect)

    def _on_connect(self, dbapi_connection: Any, _record: Any) -> None:
        if self.read_only:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA query_only=ON")
            cursor.close()

    async def break_(self) -> None:
        """The file turns read-only, and the pool's connections are opened again (as they
        would be after a restart, or after a failure)."""
        self.read_only = True
        await self.engine.dispose()

    def fix(self) -> None:
        self.read_only = False


class DiskSpace:
    """The disk a SQLite database lives on, filled and freed: ``fill`` caps every connection's
    database at the pages it has (``PRAGMA max_page_count``), so a write that needs one more
    fails as on a full disk; ``free`` lifts the cap on every connection."""

    def __init__(self, database: Database) -> None:
        self.engine = database.engine
        self.full = False
        self._connections: list[sqlite3.Connection] = []
        event.listen(self.engine.sync_engine, "connect", self._on_connect)

    def _on_connect(self, dbapi_connection: Any, _record: Any) -> None:
        self._connections.append(dbapi_connection.driver_connection._conn)
        if self.full:
            self._cap(self._connections[-1])

    def fill(self) -> None:
        self.full = True
        for connection in self._connections:
            with suppress(sqlite3.ProgrammingError):  # closed since
                self._cap(connection)

    def free(self) -> None:
        self.full = False
        for connection in self._connections:
            with suppress(sqlite3.ProgrammingError):  # closed since
                connection.execute("PRAGMA max_page_count=1073741823")

    @staticmethod
    def _cap(connection: sqlite3.Connection) -> None:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count={pages}")
