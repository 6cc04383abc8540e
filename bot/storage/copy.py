"""Copy every row of one database of the bot into another, empty one: the move from SQLite
to PostgreSQL (``trailcoach db copy``). Both schemas are brought to the newest revision
first; rows go table by table, parents before children, in pages by primary key; PostgreSQL's
id sequences are then moved past the copied ids."""

from __future__ import annotations

from sqlalchemy import Integer, Table, func, insert, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.migrate import upgrade
from bot.storage.models import Base

PAGE = 1_000  # rows read and written at a time


class CopyError(Exception):
    """The copy cannot be made; the message says why, in one line."""


async def copy_database(source: AsyncEngine, target: AsyncEngine) -> dict[str, int]:
    """Copy every row of ``source`` into ``target``, in one transaction on the target (all or
    nothing); how many rows each table got. The target must hold no rows."""
    await upgrade(source)
    await upgrade(target)
    tables = Base.metadata.sorted_tables
    async with source.connect() as reading, target.begin() as writing:
        for table in tables:
            if await writing.scalar(select(func.count()).select_from(table)):
                raise CopyError(f"the target is not empty ({table.name} holds rows)")
        copied = {table.name: await _copy(table, reading, writing) for table in tables}
        if target.dialect.name == "postgresql":
            await _move_sequences(writing, tables)
    return copied


async def _copy(table: Table, reading: AsyncConnection, writing: AsyncConnection) -> int:
    """Copy ``table`` in pages ordered by its primary key; how many rows."""
    key = list(table.primary_key.columns)
    last: tuple[object, ...] | None = None
    copied = 0
    while True:
        query = select(table).order_by(*key).limit(PAGE)
        if last is not None:
            query = query.where(tuple_(*key) > tuple_(*last))
        rows = (await reading.execute(query)).mappings().all()
        if not rows:
            return copied
        await writing.execute(insert(table), [dict(row) for row in rows])
        copied += len(rows)
        last = tuple(rows[-1][column.name] for column in key)


async def _move_sequences(writing: AsyncConnection, tables: list[Table]) -> None:
    """Start each id sequence after the largest id copied, so the next insert gets a new id."""
    for table in tables:
        key = list(table.primary_key.columns)
        if len(key) != 1 or key[0].name != "id" or not isinstance(key[0].type, Integer):
            continue  # no sequence behind it (an instance's id is a name)
        await writing.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"
            )
        )
