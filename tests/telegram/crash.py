"""``kill -9`` the bot while it handles updates, restart it, and count what was lost or doubled.

The parent (``crash_run``) queues updates on the fake Bot API server over loopback HTTP and
starts the real bot in a child process (``python -m tests.telegram.crash DB URL TOTAL``),
built by ``build_application`` as ``trailcoach run`` builds it, plus one handler that
records each update it handles in an ``effects`` table, in the update's unit of work. The
parent kills the child with SIGKILL after a given number of its replies, starts it
again, and finally lets one child run until Telegram has no update left to confirm and the
store none left to handle. Lost: updates with no
effect. Twice: updates with more than one. Out of order: a runner whose effects are not in
the order their updates were sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from telegram import Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bot import bootstrap
from bot.services.coach import Coach
from bot.services.context import ServiceContext
from bot.settings import Settings
from bot.storage.migrate import upgrade
from tests.fake_telegram import FakeBotAPI, FakeBotAPIServer, updates

EFFECTS = "CREATE TABLE effects (id INTEGER PRIMARY KEY, update_id INTEGER, user_id INTEGER)"
ROOT = str(Path(__file__).resolve().parents[2])


@dataclass(frozen=True)
class CrashResult:
    """What the runs left in the database."""

    updates: int
    kills: int
    lost: int
    twice: int
    out_of_order: int


async def crash_run(
    folder: Path, *, total: int, runners: int, kill_after: list[int]
) -> CrashResult:
    """Queue ``total`` updates from ``runners`` people; start the bot and kill it once it has
    sent each count in ``kill_after`` more replies; then let one run finish."""
    database = folder / "crash.sqlite3"
    api = FakeBotAPI(latency=0.002)
    async with FakeBotAPIServer(api) as server:
        senders = [updates.user(user_id=5000 + n, first_name=f"R{n}") for n in range(runners)]
        for n in range(total):
            api.push_update(updates.text_message(text=f"step {n}", from_user=senders[n % runners]))
        for replies in kill_after:
            child = await _start(database, server)
            await _until_replies(api, database, _replies(api) + replies)
            child.kill()  # SIGKILL: no cleanup of any kind
            await child.wait()
        child = await _start(database, server)
        while _left(api, database):
            await api.wait_for_call("getUpdates", count=len(api.calls("getUpdates")) + 1, within=60)
        child.kill()
        await child.wait()
    return _count(database, total, len(kill_after))


async def _start(database: Path, server: FakeBotAPIServer) -> asyncio.subprocess.Process:
    env = {**os.environ, "PYTHONPATH": ROOT}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.telegram.crash",
        str(database),
        server.base_url,
        env=env,
    )


def _replies(api: FakeBotAPI) -> int:
    return len(api.calls("sendMessage"))


async def _until_replies(api: FakeBotAPI, database: Path, count: int) -> None:
    """Until the bot has sent ``count`` replies in all, or has nothing left to handle (then
    it is killed all the same), or a minute has passed."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(60):
            while _replies(api) < count and _left(api, database):
                with contextlib.suppress(TimeoutError):  # look again at what is left
                    await api.wait_for_call("sendMessage", count=_replies(api) + 1, within=1)


def _left(api: FakeBotAPI, database: Path) -> bool:
    """Whether an update is still to be confirmed to Telegram or handled."""
    return bool(api.unconfirmed_updates or _unhandled(database))


def _unhandled(database: Path) -> int:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        query = "SELECT count(*) FROM inbound_updates WHERE handled_at IS NULL"
        return int(connection.execute(query).fetchone()[0])


def _count(database: Path, total: int, kills: int) -> CrashResult:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        rows = connection.execute("SELECT update_id, user_id FROM effects ORDER BY id").fetchall()
    seen = Counter(update_id for update_id, _ in rows)
    by_user: dict[int, list[int]] = {}
    for update_id, user_id in rows:
        by_user.setdefault(user_id, []).append(update_id)
    return CrashResult(
        updates=total,
        kills=kills,
        lost=sum(1 for update_id in range(1, total + 1) if update_id not in seen),
        twice=sum(1 for count in seen.values() if count > 1),
        out_of_order=sum(1 for ids in by_user.values() if ids != sorted(ids)),
    )


async def _child(database: str, base_url: str) -> None:
    """The bot, as ``trailcoach run`` builds it, recording each update's effect, until
    killed."""
    settings = Settings(
        _env_file=None,
        telegram_bot_token=FakeBotAPI().token,
        telegram_api_base_url=base_url,
        database_url=f"sqlite:///{database}",
        messages_per_second=1000,
    )
    ctx = ServiceContext.from_settings(settings)
    await upgrade(ctx.database.engine)
    async with ctx.database.engine.begin() as connection:
        names = await connection.run_sync(lambda sync: sync.dialect.get_table_names(sync))
        if "effects" not in names:
            await connection.execute(text(EFFECTS))
    adapter = bootstrap.telegram(settings, Coach(ctx)).adapter
    application = adapter.application

    async def record(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_user is not None
        async with ctx.database.unit_of_work() as uow:
            await uow.session.execute(
                text("INSERT INTO effects (update_id, user_id) VALUES (:u, :user)"),
                {"u": update.update_id, "user": update.effective_user.id},
            )

    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, record), group=-1)
    await adapter.open()
    await adapter.start()
    await asyncio.Event().wait()  # until the parent kills it


if __name__ == "__main__":
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    asyncio.run(_child(sys.argv[1], sys.argv[2]))
