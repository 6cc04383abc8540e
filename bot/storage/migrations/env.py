"""Alembic environment: runs on a connection handed in, or opens one from the URL."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import TypeDecorator
from sqlalchemy.engine import Connection

from bot.storage.database import create_engine
from bot.storage.models import Base


def render_item(kind: str, item: Any, _context: AutogenContext) -> str | Literal[False]:
    """Render our column decorators as the plain SQLAlchemy types they store."""
    if kind == "type" and isinstance(item, TypeDecorator):
        return f"sa.{item.impl!r}"
    return False


def run_migrations(connection: Connection) -> None:
    """Migrate on one connection; batch mode lets SQLite alter tables."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_on_url(url: str) -> None:
    """Migrate the database at ``url`` (for the plain ``alembic`` command)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline SQL generation is not supported; run against a database")

shared_connection = context.config.attributes.get("connection")
if shared_connection is not None:
    run_migrations(shared_connection)
else:
    from bot.settings import load_settings

    asyncio.run(run_on_url(load_settings().database_url))
