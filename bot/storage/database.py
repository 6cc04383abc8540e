"""The database: one async engine, and one unit of work per update or scheduler tick."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from bot.settings import DATABASE_CONNECT_TIMEOUT
from bot.storage import receipts, sqlite, sqlite_driver
from bot.storage.faults import Cause, Unusable, fault
from bot.storage.journal import DispatchJournal
from bot.storage.migrate import upgrade
from bot.storage.outage import Outages
from bot.storage.unit_of_work import UnitOfWork
from bot.storage.writable import check_writable


def create_engine(
    url: str, *, connect_timeout: float = DATABASE_CONNECT_TIMEOUT, **options: Any
) -> AsyncEngine:
    """An async engine; SQLite runs in WAL mode with foreign keys on, each statement in one
    step on the event loop's thread (``sqlite_driver``); PostgreSQL gives up on a connection
    not made within ``connect_timeout`` seconds. A failed statement's error never quotes its
    parameters: they may hold a calendar token or health answers."""
    if url.startswith("sqlite"):
        options.setdefault("module", sqlite_driver.DBAPI)
    else:
        options["connect_args"] = {"timeout": connect_timeout, **options.get("connect_args", {})}
    engine = create_async_engine(
        url, pool_pre_ping=not url.startswith("sqlite"), hide_parameters=True, **options
    )
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _on_connect)
        event.listen(engine.sync_engine, "handle_error", _on_error)
    return engine


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    sqlite.apply_pragmas(dbapi_connection)


def _on_error(context: ExceptionContext) -> None:
    """A SQLite connection that found its file read-only (or unreadable) stays that way, even
    once the file is fixed: drop it and the pool's others, so the next try opens it afresh."""
    found = fault(context.original_exception)
    if found is not None and found.cause in (Cause.READ_ONLY, Cause.BROKEN):
        context.is_disconnect = True


class ReadOnly(RuntimeError):
    """A unit of work that only reads was about to write."""


def _refuse_writes(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise ReadOnly(f"a read-only unit of work ran {type(state.statement).__name__}")


def _refuse_flushes(session: Session, _flush: UOWTransaction, _objects: object) -> None:
    changed = [row for row in session.dirty if session.is_modified(row)]
    if session.new or session.deleted or changed:
        raise ReadOnly("a read-only unit of work changed rows")


class Database:
    """Owns the engine and hands out units of work; counts its outages (``outages``)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.outages = Outages()
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, **options: Any) -> Database:
        """A database on a new engine for ``url``."""
        return cls(create_engine(url, **options))

    @property
    def file(self) -> Path | None:
        """The SQLite database's file; None for PostgreSQL or SQLite in memory."""
        name = self.engine.url.database
        if self.engine.dialect.name != "sqlite" or not name or name == ":memory:":
            return None
        return None if name.startswith("file:") else Path(name).expanduser().absolute()

    async def prepare(self) -> None:
        """Refuse, in one line (``Unusable``), a database this process cannot write or reach;
        then bring the schema up to date (harmless when it already is)."""
        if self.file is not None:
            check_writable(self.file)
        try:
            await upgrade(self.engine)
        except Exception as error:
            found = fault(error)
            if found is None:
                raise
            where = self.engine.url.render_as_string(hide_password=True)
            hint = ""
            if found.cause is Cause.TIMED_OUT:
                hint = " (no answer within DATABASE_CONNECT_TIMEOUT)"
            raise Unusable(f"{where}: {found}{hint}") from error

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """One transaction: committed when the block ends, rolled back if it raises.

        While an inbound update is being handled (``receipts.current``), the first unit of
        work to commit marks its effects in, in the same transaction, and each keeps the reply
        it owes so far (``receipts.Receipt.reply``) until that is sent; if another instance
        marked it first, this one rolls back (``receipts.HandledElsewhere``).
        """
        receipt = receipts.current.get()
        async with self._sessions() as session, session.begin():
            uow = UnitOfWork(session)
            yield uow
            await uow.write_pending()
            if receipt is not None:
                await _keep(uow, receipt)
        if receipt is not None:
            receipt.handled, receipt.kept = True, receipt.reply

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work that only reads: a statement that would write raises ``ReadOnly``
        (on PostgreSQL the transaction is READ ONLY too), and it ends in a rollback, so it
        never commits anything (a calendar app's poll must not compete with the writers)."""
        async with self._sessions() as session:
            event.listen(session.sync_session, "do_orm_execute", _refuse_writes)
            event.listen(session.sync_session, "before_flush", _refuse_flushes)
            if self.engine.dialect.name == "postgresql":
                await session.execute(text("SET TRANSACTION READ ONLY"))
            try:
                yield UnitOfWork(session)
            finally:
                await session.rollback()

    @staticmethod
    def off_the_loop() -> AbstractContextManager[None]:
        """Statements in the block may each take long (a batch over every runner): on SQLite
        they run on their connections' threads, so the event loop goes on meanwhile (see
        ``sqlite_driver``)."""
        return sqlite_driver.off_the_loop()

    async def checkpoint(self) -> None:
        """On SQLite, copy the pages committed to the WAL into the database file, off the
        event loop (commits never do it themselves, see ``sqlite_driver``), waiting for no
        reader or writer; if the WAL file is still over ``sqlite.WAL_LIMIT``, copy the rest
        and truncate it, while no other connection of this process writes. Elsewhere,
        nothing to do."""
        file = self.file
        if file is None:
            return
        with self.off_the_loop():
            async with self.engine.connect() as connection:
                await connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
                if _size(Path(f"{file}-wal")) > sqlite.WAL_LIMIT:
                    async with sqlite_driver.writing_alone(str(file)):
                        await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    @asynccontextmanager
    async def journal(self) -> AsyncIterator[DispatchJournal]:
        """The dispatcher's journal, on a connection of its own while the block runs."""
        async with DispatchJournal.open(self.engine) as journal:
            yield journal

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0


async def _keep(uow: UnitOfWork, receipt: receipts.Receipt) -> None:
    """Mark the update's effects in, with the reply it owes so far; or, marked already by an
    earlier unit of work, keep the reply as it is now."""
    platform, update_id, reply = receipt.platform, receipt.update_id, receipt.reply
    if not receipt.handled:
        marked = await uow.updates.effects_in(
            platform=platform, update_id=update_id, reply=reply, replier=receipt.replier
        )
        if not marked:
            raise receipts.HandledElsewhere(f"update {update_id}")
    elif reply != receipt.kept:
        await uow.updates.owe(platform=platform, update_id=update_id, reply=reply)
