"""PostgreSQL cut off behind a proxy, then back: one outage in two lines, and every part (the
inbox, the tick, the journal on its own connection) reconnects once the server answers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.services.context import ServiceContext
from bot.services.infrastructure.inbound import Inbox
from bot.settings import Settings
from bot.storage.database import Database, create_engine
from bot.storage.journal import Outcome
from bot.storage.models import DispatchStatus
from bot.storage.outage import Outages
from schedules.scheduler import reminder_scheduler
from tests.conftest import FakeClock, VirtualTime

PAYLOAD = {"update_id": 7, "message": {"text": "/start"}}


class Proxy:
    """A loopback TCP proxy in front of a server: ``cut`` drops its connections and refuses
    new ones, ``restore`` listens again on the same port."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def restore(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream = await asyncio.open_connection(*self.target)
        self._open.update((writer, upstream))
        await asyncio.gather(self._pipe(reader, upstream), self._pipe(upstream_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()


@pytest.fixture
async def proxied(database: Database) -> AsyncIterator[tuple[Database, Proxy]]:
    """The test's PostgreSQL schema, reached through a proxy."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL behind a proxy")
    async with database.engine.connect() as connection:
        schema = (await connection.exec_driver_sql("SHOW search_path")).scalar()
    url = database.engine.url
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.restore()
    engine = create_engine(
        url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
        connect_args={"server_settings": {"search_path": str(schema)}},
        connect_timeout=2,
    )
    try:
        yield Database(engine), proxy
    finally:
        await engine.dispose()
        await proxy.cut()


async def test_a_cut_connection_is_one_outage_and_every_part_reconnects(
    proxied: tuple[Database, Proxy], caplog: pytest.LogCaptureFixture
) -> None:
    database, proxy = proxied
    time = VirtualTime()
    database.outages = Outages(clock=time)
    ctx = ServiceContext(database, FakeClock())
    inbox = Inbox(ctx, "telegram", sleep=time.sleep)
    scheduler = reminder_scheduler(ctx, {}, Settings(_env_file=None))
    outcome = Outcome(1, DispatchStatus.SENT, datetime(2026, 11, 23, tzinfo=UTC))
    assert await inbox.receive({7: PAYLOAD}) == {7}

    with caplog.at_level(logging.INFO):
        async with database.journal() as journal:
            await journal.record(outcome=outcome, start=None)
            await proxy.cut()
            with pytest.raises(Exception):  # noqa: B017, PT011 - whichever way asyncpg notices
                await journal.record(outcome=outcome, start=None)
            with pytest.raises(Exception):  # noqa: B017, PT011
                await inbox.receive({8: {**PAYLOAD, "update_id": 8}})
            await scheduler.run_once()  # fails, and raises nothing
            await scheduler.tick.running_plans_looked()  # so does its look at running plans
            time.now += 10
            await proxy.restore()
            assert await journal.record(outcome=outcome, start=None) is False  # reconnected
        assert await inbox.receive({8: {**PAYLOAD, "update_id": 8}}) == {8}
        await scheduler.run_once()
        await scheduler.tick.running_plans_looked()

    lines = [r.getMessage() for r in caplog.records if r.name == "bot.storage.outage"]
    assert len(lines) == 2
    assert lines[0].startswith("database outage: ")
    assert "(the inbox failed); retrying" in lines[0]
    assert any(cause in lines[0] for cause in ("refused", "connection lost"))
    assert lines[1] == "database answers again after 10 s; 3 failed tries during the outage"
    assert not [r for r in caplog.records if r.exc_info]
