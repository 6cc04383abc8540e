"""Database fixtures: SQLite in a temporary file always, PostgreSQL when TEST_DATABASE_URL is set.

On PostgreSQL every test gets a schema of its own, dropped afterwards. On SQLite the schema
is migrated once per session, and each test's database starts as a copy of that file.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import normalise_database_url
from bot.storage.database import Database, create_engine
from bot.storage.migrate import upgrade

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An empty database on each backend."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}")
        yield engine
        await engine.dispose()
        return
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    url = normalise_database_url(server_url)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


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
    if not _copied(sqlite_schema, file):
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
