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

By polling (``run_polling``) the parent plays Telegram alone: it queues every update on the
fake for ``getUpdates``, the instance holding the polling lease stores them, and each
instance handles its share; the poller is the one killed, and the run measures how long
after the kill the survivor polls again (``failover``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.request import BaseRequest, RequestData

from bot import bootstrap
from bot.services.coach import Coach
from bot.services.context import IsAdmin, ServiceContext
from bot.services.dialogs.engine import Turn
from bot.services.infrastructure.instances import Instance
from bot.services.presentation.replies import Reply
from bot.settings import Settings, normalise_database_url
from bot.storage import receipts
from bot.storage.database import create_engine
from bot.storage.migrate import upgrade
from handlers.telegram.adapter import TelegramAdapter
from handlers.telegram.http import AiohttpRequest
from handlers.web import WebServer
from tests.fake_telegram import FakeBotAPI, FakeBotAPIServer, free_port, updates

EFFECTS = (
    "CREATE TABLE effects (id SERIAL PRIMARY KEY, update_id BIGINT, user_id BIGINT, instance TEXT)"
)
ROOT = str(Path(__file__).resolve().parents[2])
SECRET = "instances-test-secret"
LEASE_SECONDS = 5.0
PATIENCE = 60.0  # seconds a child's Bot API call may take, each phase


@dataclass(frozen=True)
class Outcome:
    """What the instances left in the database, and what the runners were sent."""

    updates: int
    lost: int
    twice: int
    out_of_order: int
    answered_twice: int
    unanswered: int
    instances: int  # how many instances handled updates
    # Runners with more replies sent twice than replies sent before the kill: a reply goes
    # out again after a kill only if it had gone out before it, its sending not yet recorded.
    twice_unexplained: int = 0


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
    ports = [free_port() for _ in range(instances)]
    async with FakeBotAPIServer(api) as server, bots(database_url, server, ports) as children:
        await asyncio.gather(*(until_listening(port) for port in ports))
        at_kill: Counter[int] = Counter()  # the replies sent before the kill
        sent = await _post_all(api, ports, children, runners, per_runner, kill_after, at_kill)
        await _until_done(engine, sent, ports, children)
    outcome = await _count(engine, api, sent, at_kill)
    await engine.dispose()
    return outcome


async def run_polling(
    database_url: str, *, runners: int, per_runner: int, kill_after: int
) -> tuple[Outcome, float]:
    """Queue ``per_runner`` updates from each of ``runners`` people for two polling
    instances; kill the poller with SIGKILL once ``kill_after`` replies were sent. The
    outcome, and the seconds from the kill to the survivor's first poll."""
    engine = create_engine(database_url)
    await upgrade(engine)
    async with engine.begin() as connection:
        await connection.execute(text(EFFECTS))
    api = Polls(latency=0.002)
    ports = [free_port() for _ in range(2)]
    async with (
        FakeBotAPIServer(api) as server,
        bots(database_url, server, ports, polling=True) as children,
    ):
        ids = [await _instance_id(child) for child in children]
        await asyncio.gather(*(until_listening(port) for port in ports))
        poller = ids.index(await _lease_owner(engine, lambda owner: owner in ids))
        sent: dict[int, int] = {}
        for step, n in itertools.product(range(per_runner), range(runners)):
            user = updates.user(user_id=7000 + n, first_name=f"R{n}")
            update = api.push_update(updates.text_message(text=f"step {step}", from_user=user))
            sent[update["update_id"]] = int(user["id"])
        await api.wait_for_call("sendMessage", count=kill_after, within=120)
        children[poller].kill()  # SIGKILL: no cleanup of any kind
        killed = time.monotonic()
        await children[poller].wait()  # what it wrote before it died has reached the fake
        at_kill = replies(api)
        await _lease_owner(engine, lambda owner: owner not in (None, ids[poller]))
        failover = await api.next_poll(after=killed) - killed
        await _until_done(engine, sent, ports, children)
    outcome = await _count(engine, api, sent, at_kill)
    await engine.dispose()
    return outcome, failover


async def _instance_id(child: asyncio.subprocess.Process) -> str:
    """The id the child prints first: its instance's."""
    assert child.stdout is not None, "started with its stdout a pipe"
    return (await child.stdout.readline()).decode().strip()


class Polls(FakeBotAPI):
    """The fake Bot API, noting when each ``getUpdates`` arrives."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.polled: list[float] = []
        self._polled = asyncio.Event()

    async def request(self, token: str, method: str, raw_params: Any, files: Any = None) -> Any:
        if method.lower() == "getupdates":
            self.polled.append(time.monotonic())
            self._polled.set()
        return await super().request(token, method, raw_params, files)

    async def next_poll(self, *, after: float) -> float:
        """When the first ``getUpdates`` arrived after ``after`` (waiting for it)."""
        async with asyncio.timeout(60):
            while not any(at > after for at in self.polled):
                self._polled.clear()
                await self._polled.wait()
        return next(at for at in self.polled if at > after)


async def _lease_owner(engine: AsyncEngine, wanted: Callable[[str | None], bool]) -> str:
    """The polling lease's holder, once ``wanted`` says it is the one waited for."""
    async with asyncio.timeout(60):
        while True:
            async with engine.connect() as connection:
                owner = await connection.scalar(
                    text("SELECT owner FROM leases WHERE key = 'polling'")
                )
            if wanted(owner):
                return str(owner)
            await asyncio.sleep(0.02)  # another process's lease: nothing to wait on here


@contextlib.asynccontextmanager
async def bots(
    database_url: str, api: FakeBotAPIServer, ports: list[int], **options: bool
) -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """A bot instance in a process of its own on each of ``ports`` (``start_child``), each
    killed at the end if it still runs."""
    children = [await start_child(database_url, api.base_url, port, **options) for port in ports]
    try:
        yield children
    finally:
        for child in children:
            if child.returncode is None:
                child.kill()
            await child.wait()


async def _until_done(
    engine: AsyncEngine,
    sent: dict[int, int],
    ports: list[int],
    children: list[asyncio.subprocess.Process],
) -> None:
    """Return once every update is handled, and every reply sent: with every update handled
    no conversation is taken up again, so once every survivor has none in hand, every reply
    there will be has been sent."""
    await _until_handled(engine, sent)
    await asyncio.gather(*(_until_idle(port) for port in _alive(ports, children)))


async def start_child(
    database_url: str, api: str, port: int, *, recording: bool = True, polling: bool = False
) -> asyncio.subprocess.Process:
    """One bot instance in a process of its own (``_child``), its stdout a pipe."""
    env = {**os.environ, "PYTHONPATH": ROOT}
    flags = [flag for flag, on in (("record", recording), ("poll", polling)) if on]
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.telegram.instances",
        database_url,
        api,
        str(port),
        *flags,
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )


async def until_listening(port: int) -> None:
    """Return once the instance on ``port`` answers."""
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
    at_kill: Counter[int],
) -> dict[int, int]:
    """Every update posted and answered 200; the sender of each update, by id. What was sent
    each chat before the kill goes in ``at_kill``."""
    ids = itertools.count(1)
    turn = itertools.cycle(range(len(ports)))
    sent: dict[int, int] = {}
    killed = asyncio.Event()

    async def killer() -> None:
        if kill_after is None:
            return
        await api.wait_for_call("sendMessage", count=kill_after, within=120)
        children[0].kill()  # SIGKILL: no cleanup of any kind
        await children[0].wait()  # what it wrote before it died has reached the fake
        at_kill.update(replies(api))
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
                if await post(client, port, update):
                    break

    limits = httpx.Limits(max_connections=40)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        await asyncio.gather(killer(), *(runner(n, client) for n in range(runners)))
    return sent


async def post(client: httpx.AsyncClient, port: int, update: dict[str, Any]) -> bool:
    """POST ``update`` to the webhook of the instance on ``port``, as Telegram does; whether
    it answered 200 (stored)."""
    with contextlib.suppress(httpx.HTTPError):
        response = await client.post(
            f"http://127.0.0.1:{port}/hook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        return response.status_code == 200
    return False


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


def replies(api: FakeBotAPI) -> Counter[int]:
    """How many messages the bot has sent each chat."""
    return Counter(int(call.params["chat_id"]) for call in api.calls("sendMessage"))


async def _count(
    engine: AsyncEngine, api: FakeBotAPI, sent: dict[int, int], at_kill: Counter[int]
) -> Outcome:
    async with engine.connect() as connection:
        rows = (
            await connection.execute(text("SELECT update_id, user_id FROM effects ORDER BY id"))
        ).all()
    seen = Counter(update_id for update_id, _ in rows)
    by_user: dict[int, list[int]] = {}
    for update_id, user_id in rows:
        by_user.setdefault(user_id, []).append(update_id)
    async with engine.connect() as connection:
        handlers = await connection.scalar(text("SELECT count(DISTINCT instance) FROM effects"))
    answers = replies(api)
    asked = Counter(sent.values())
    return Outcome(
        updates=len(sent),
        lost=sum(1 for update_id in sent if update_id not in seen),
        twice=sum(1 for count in seen.values() if count > 1),
        out_of_order=sum(1 for ids in by_user.values() if ids != sorted(ids)),
        answered_twice=sum(1 for user, n in answers.items() if n > asked[user]),
        unanswered=sum(asked[user] - min(asked[user], answers[user]) for user in asked),
        instances=int(handlers or 0),
        twice_unexplained=sum(1 for user, n in answers.items() if n - asked[user] > at_kill[user]),
    )


class Patient(AiohttpRequest):
    """Bot API calls that wait up to a minute: the fake Bot API shares two cores with the
    instances and the balancer, and under a load of 10 it may keep a call longer than
    python-telegram-bot's 16 s, which Telegram's own servers would not."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        return await super().do_request(
            url,
            method,
            request_data,
            _patient(read_timeout),
            _patient(write_timeout),
            _patient(connect_timeout),
            _patient(pool_timeout),
        )


def _patient(timeout: object) -> object:
    return PATIENCE if timeout is BaseRequest.DEFAULT_NONE else timeout


class RecordingCoach(Coach):
    """The coach, recording each text's update in the text's own unit of work, as the coach's
    own effects are: one transaction, one reply."""

    def __init__(self, ctx: ServiceContext, instance: str) -> None:
        super().__init__(ctx)
        self.instance = instance

    async def _text(self, turn: Turn, said: str, admin: IsAdmin) -> Reply:
        receipt = receipts.current.get()
        assert receipt is not None
        await turn.uow.session.execute(
            text("INSERT INTO effects (update_id, user_id, instance) VALUES (:u, :who, :i)"),
            {"u": receipt.update_id, "who": int(turn.person.user_id), "i": self.instance},
        )
        return await super()._text(turn, said, admin)


async def _child(database_url: str, api: str, port: int, flags: list[str]) -> None:
    """One bot instance on ``port`` (by webhook, or polling with ``poll``), recording each
    update's effect (with ``record``), until killed; ``/idle`` says whether it has no
    conversation in hand. It prints its instance's id first."""
    hook: dict[str, Any] = {
        "webhook_url": f"http://127.0.0.1:{port}/hook",
        "webhook_listen": "127.0.0.1",
        "webhook_port": port,
        "webhook_secret": SECRET,
    }
    settings = Settings(
        _env_file=None,
        telegram_bot_token=FakeBotAPI().token,
        telegram_api_base_url=api,
        database_url=database_url,
        messages_per_second=1000,
        instance_lease_seconds=LEASE_SECONDS,
        **({} if "poll" in flags else hook),
    )
    ctx = ServiceContext.from_settings(settings)
    instance = Instance(ctx, lease=settings.instance_lease)
    await instance.start()
    sys.stdout.write(f"{instance.id}\n")
    sys.stdout.flush()
    adapter: TelegramAdapter | None = None

    async def idle(_request: web.Request) -> web.Response:
        return web.Response(text="idle" if adapter and adapter.conversations.idle else "busy")

    health = [web.get("/healthz", _ok), web.get("/idle", idle)]
    coach = RecordingCoach(ctx, instance.id) if "record" in flags else Coach(ctx)
    adapter = bootstrap.telegram(
        settings, coach, instance=instance, health=health, request=Patient()
    ).adapter
    if "poll" in flags:
        await WebServer(health, host="127.0.0.1", port=port).start()

    await adapter.open()
    await adapter.start()
    await asyncio.Event().wait()  # until the parent kills it


async def _ok(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


if __name__ == "__main__":
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    asyncio.run(_child(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]))
