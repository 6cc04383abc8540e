"""Several bot processes on one PostgreSQL database behind a round-robin load balancer
(issue 30): is each update handled once, in order per runner, when one is killed with
``kill -9``?

The parent plays Telegram and the load balancer at once: it POSTs each runner's updates, one
after the other (the next once the last was answered 200), to the webhook of the next
instance in turn; a POST that fails (an instance killed, or one that could not store) goes to
the next instance, as Telegram posts an update again. Many runners post at once. Each child
(``python -m tests.telegram.instances URL API PORT``) is the real bot as ``trailcoach run``
builds it by webhook, with one more handler that records each update in an ``effects``
table, in the update's unit of work; its replies go to the fake Bot API. Lost: an update
with no effect; twice: one with more; out of order: a runner whose effects are not in the
order their updates were posted.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bot import bootstrap
from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.services.infrastructure.instances import Instance
from bot.settings import Settings, normalise_database_url
from bot.storage.database import create_engine
from bot.storage.migrate import upgrade
from handlers.telegram.adapter import TelegramAdapter
from tests.fake_telegram import FakeBotAPI, FakeBotAPIServer, free_port, updates

EFFECTS = "CREATE TABLE effects (id SERIAL PRIMARY KEY, update_id BIGINT, user_id BIGINT)"
ROOT = str(Path(__file__).resolve().parents[2])
SECRET = "instances-test-secret"
LEASE_SECONDS = 2.0


@dataclass(frozen=True)
class Outcome:
    """What the instances left in the database, and what the runners were sent."""

    updates: int
    lost: int
    twice: int
    out_of_order: int
    answered_twice: int
    unanswered: int


@contextlib.asynccontextmanager
async def scratch_database(server_url: str) -> AsyncIterator[str]:
    """A database of its own on the PostgreSQL server, dropped afterwards."""
    url = make_url(normalise_database_url(server_url))
    name = f"instances_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        await admin.dispose()


async def run(
    database_url: str, *, instances: int, runners: int, per_runner: int, kill_after: int | None
) -> Outcome:
    """Post ``per_runner`` updates from each of ``runners`` people across ``instances``
    bots; kill the first with SIGKILL once ``kill_after`` replies were sent (if given)."""
    engine = create_engine(database_url)
    await upgrade(engine)
    async with engine.begin() as connection:
        await connection.execute(text(EFFECTS))
    api = FakeBotAPI(latency=0.002)
    async with FakeBotAPIServer(api) as server:
        ports = [free_port() for _ in range(instances)]
        children = [await _start(database_url, server.base_url, port) for port in ports]
        try:
            await asyncio.gather(*(_until_listening(port) for port in ports))
            sent = await _post_all(api, ports, children, runners, per_runner, kill_after)
            await _until_handled(engine, sent)
            # Every update is handled, so no conversation is taken up again: once every
            # survivor has none in hand, every reply there will be has been sent.
            await asyncio.gather(*(_until_idle(port) for port in _alive(ports, children)))
        finally:
            for child in children:
                if child.returncode is None:
                    child.kill()
                    await child.wait()
        outcome = await _count(engine, api, sent)
    await engine.dispose()
    return outcome


async def _start(database_url: str, api: str, port: int) -> asyncio.subprocess.Process:
    env = {**os.environ, "PYTHONPATH": ROOT}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.telegram.instances", database_url, api, str(port), env=env
    )


async def _until_listening(port: int) -> None:
    async with httpx.AsyncClient() as client, asyncio.timeout(60):
        while True:
            with contextlib.suppress(httpx.HTTPError):
                await client.get(f"http://127.0.0.1:{port}/healthz")
                return
            await asyncio.sleep(0.1)


async def _post_all(
    api: FakeBotAPI,
    ports: list[int],
    children: list[asyncio.subprocess.Process],
    runners: int,
    per_runner: int,
    kill_after: int | None,
) -> dict[int, int]:
    """Every update posted and answered 200; the sender of each update, by id."""
    ids = itertools.count(1)
    turn = itertools.cycle(range(len(ports)))
    sent: dict[int, int] = {}
    killed = asyncio.Event()

    async def killer() -> None:
        if kill_after is None:
            return
        await api.wait_for_call("sendMessage", count=kill_after, within=120)
        children[0].kill()  # SIGKILL: no cleanup of any kind
        killed.set()

    async def runner(n: int, client: httpx.AsyncClient) -> None:
        user = updates.user(user_id=7000 + n, first_name=f"R{n}")
        for step in range(per_runner):
            update_id = next(ids)
            update = updates.text_message(text=f"step {step}", from_user=user)
            update["update_id"] = update_id
            sent[update_id] = int(user["id"])
            while True:  # the next instance in turn, until one stores it
                port = ports[next(turn)]
                if killed.is_set() and port == ports[0]:
                    continue  # the balancer's health check has taken it out
                with contextlib.suppress(httpx.HTTPError):
                    response = await client.post(
                        f"http://127.0.0.1:{port}/hook",
                        json=update,
                        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                    )
                    if response.status_code == 200:
                        break

    limits = httpx.Limits(max_connections=40)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        await asyncio.gather(killer(), *(runner(n, client) for n in range(runners)))
    return sent


def _alive(ports: list[int], children: list[asyncio.subprocess.Process]) -> list[int]:
    return [port for port, child in zip(ports, children, strict=True) if child.returncode is None]


async def _until_idle(port: int) -> None:
    async with httpx.AsyncClient() as client, asyncio.timeout(60):
        while (await client.get(f"http://127.0.0.1:{port}/idle")).text != "idle":  # noqa: ASYNC110
            await asyncio.sleep(0.05)  # another process's state: nothing to wait on here


async def _until_handled(engine: AsyncEngine, sent: dict[int, int]) -> None:
    async with asyncio.timeout(120):
        while True:
            async with engine.connect() as connection:
                left = await connection.scalar(
                    text("SELECT count(*) FROM inbound_updates WHERE handled_at IS NULL")
                )
            if not left:
                return
            await asyncio.sleep(0.1)


async def _count(engine: AsyncEngine, api: FakeBotAPI, sent: dict[int, int]) -> Outcome:
    async with engine.connect() as connection:
        rows = (
            await connection.execute(text("SELECT update_id, user_id FROM effects ORDER BY id"))
        ).all()
    seen = Counter(update_id for update_id, _ in rows)
    by_user: dict[int, list[int]] = {}
    for update_id, user_id in rows:
        by_user.setdefault(user_id, []).append(update_id)
    replies = Counter(int(call.params["chat_id"]) for call in api.calls("sendMessage"))
    asked = Counter(sent.values())
    return Outcome(
        updates=len(sent),
        lost=sum(1 for update_id in sent if update_id not in seen),
        twice=sum(1 for count in seen.values() if count > 1),
        out_of_order=sum(1 for ids in by_user.values() if ids != sorted(ids)),
        answered_twice=sum(1 for user, n in replies.items() if n > asked[user]),
        unanswered=sum(asked[user] - min(asked[user], replies[user]) for user in asked),
    )


async def _child(database_url: str, api: str, port: int) -> None:
    """One bot instance by webhook on ``port``, recording each update's effect, until
    killed; ``/idle`` says whether it has no conversation in hand."""
    settings = Settings(
        _env_file=None,
        telegram_bot_token=FakeBotAPI().token,
        telegram_api_base_url=api,
        database_url=database_url,
        messages_per_second=1000,
        webhook_url=f"http://127.0.0.1:{port}/hook",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret=SECRET,
        instance_lease_seconds=LEASE_SECONDS,
    )
    ctx = ServiceContext.from_settings(settings)
    instance = Instance(ctx, lease=settings.instance_lease)
    await instance.start()
    adapter: TelegramAdapter | None = None

    async def idle(_request: web.Request) -> web.Response:
        return web.Response(text="idle" if adapter and adapter.conversations.idle else "busy")

    health = [web.get("/healthz", _ok), web.get("/idle", idle)]
    adapter = bootstrap.telegram(settings, Coach(ctx), instance=instance, health=health).adapter

    async def record(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_user is not None
        async with ctx.database.unit_of_work() as uow:
            await uow.session.execute(
                text("INSERT INTO effects (update_id, user_id) VALUES (:u, :user)"),
                {"u": update.update_id, "user": update.effective_user.id},
            )

    adapter.application.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND, record), group=-1
    )
    await adapter.open()
    await adapter.start()
    await asyncio.Event().wait()  # until the parent kills it


async def _ok(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


if __name__ == "__main__":
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    asyncio.run(_child(sys.argv[1], sys.argv[2], int(sys.argv[3])))
