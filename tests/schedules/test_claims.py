"""Who holds a claim, and when a row becomes ``sending`` (issue 32, items 7 and 8).

A live dispatcher takes back its own claims at its next tick, whatever stopped the last one;
only a dead process's claims wait out the lease, or, among several instances (issue 30),
until the dead instance's beats have lapsed. A row is marked ``sending`` once its
rate-limit slot is taken, just before its message goes out, so a row that was waiting for
its slot when the process stopped or died is sent later, once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from bot.delivery.rate_limit import RateLimiter
from bot.delivery.route import Route
from bot.services.infrastructure.instances import Instance
from bot.storage.database import Database
from bot.storage.models import DispatchKind, DispatchStatus, Runner
from schedules.dispatch import CLAIM_LEASE, Delivery
from tests.schedules.conftest import BERLIN_7, Reminders, add_runner, seed_due
from tests.schedules.test_dispatch import MONDAY, SEVEN_BERLIN


class Outage:
    """Every statement on the database fails while ``down``: a cut connection, or a killed
    process (nothing it would still write reaches the database)."""

    def __init__(self, database: Database) -> None:
        self.down = False
        self._error = database.engine.dialect.loaded_dbapi.OperationalError

    def fail(self, *_args: Any) -> None:
        if self.down:
            raise self._error("server closed the connection unexpectedly")


@contextmanager
def outage(database: Database) -> Iterator[Outage]:
    cut = Outage(database)
    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", cut.fail)
    try:
        yield cut
    finally:
        event.remove(engine, "before_cursor_execute", cut.fail)


async def four_runners_due(reminders: Reminders) -> list[Runner]:
    """Four runners with Monday's session due at 07:00 in Berlin; the clock at 07:00."""
    reminders.clock.now = SEVEN_BERLIN - timedelta(hours=12)
    runners = [await add_runner(reminders, sessions=(MONDAY,), **BERLIN_7) for _ in range(4)]
    reminders.clock.now = SEVEN_BERLIN
    return runners


async def sessions(reminders: Reminders) -> list[DispatchStatus]:
    rows = await reminders.rows()
    return sorted(row.status for row in rows if row.kind is DispatchKind.SESSION)


IN_FLIGHT = (DispatchStatus.CLAIMED, DispatchStatus.SENDING)


def messages_per_runner(reminders: Reminders, runners: list[Runner]) -> list[int]:
    return [len(reminders.texts(int(runner.chat_id))) for runner in runners]


async def cut_after_the_first_send(reminders: Reminders, cut: Outage) -> None:
    """One tick, one sender: the database goes away while the first message is on its way."""
    reminders.tick.dispatcher.delivery = Delivery(in_flight=1)
    send = reminders.notifier.send

    async def then_cut(chat_id: str, message: Any, *, nonce: str) -> str:
        sent = await send(chat_id, message, nonce=nonce)
        cut.down = True
        return sent

    reminders.notifier.send = then_cut  # type: ignore[method-assign]
    with pytest.raises(OperationalError):
        await reminders.run()
    reminders.notifier.send = send  # type: ignore[method-assign]
    assert len(reminders.api.calls("sendMessage")) == 1
    cut.down = False


async def test_after_a_database_cut_the_live_process_sends_its_claimed_rows_at_its_next_tick(
    reminders: Reminders,
) -> None:
    runners = await four_runners_due(reminders)
    with outage(reminders.database) as cut:
        await cut_after_the_first_send(reminders, cut)
    # the three rows not attempted are still this process's claims; the first one's outcome
    # never reached the database
    rows = [row for row in await reminders.rows() if row.kind is DispatchKind.SESSION]
    assert sorted(row.status for row in rows) == [DispatchStatus.CLAIMED] * 3 + [
        DispatchStatus.SENDING
    ]
    assert {row.claimed_by for row in rows} == {reminders.tick.dispatcher.owner}
    [sent_first] = [row.id for row in rows if row.status is DispatchStatus.SENDING]

    reminders.clock.now += timedelta(minutes=1)  # the next tick, well within the lease
    counts = await reminders.run()

    assert counts["retaken"] == 3 and counts["sent"] == 3
    assert messages_per_runner(reminders, runners) == [1, 1, 1, 1]
    # the outcome kept through the cut is written too: nothing is left in doubt
    assert await sessions(reminders) == [DispatchStatus.SENT] * 4
    [first] = [row for row in await reminders.rows() if row.id == sent_first]
    assert first.sent_at == SEVEN_BERLIN  # as of its send, not of its write a minute later


async def test_a_dead_processs_claims_wait_out_the_lease(reminders: Reminders) -> None:
    runners = await four_runners_due(reminders)
    with outage(reminders.database) as cut:
        await cut_after_the_first_send(reminders, cut)
    restarted = reminders.restart()  # the process that held the claims is gone

    restarted.clock.now += timedelta(minutes=1)
    assert (await restarted.run())["sent"] == 0  # another process may still hold them
    restarted.clock.now = SEVEN_BERLIN + CLAIM_LEASE  # the lease has run out
    counts = await restarted.run()

    assert counts["released"] == 3 and counts["unknown"] == 1 and counts["sent"] == 3
    assert messages_per_runner(reminders, runners) == [1, 1, 1, 1]
    assert await sessions(reminders) == [DispatchStatus.SENT] * 3 + [DispatchStatus.UNKNOWN]


async def test_a_dead_instances_claims_go_back_once_its_beats_lapse_not_after_the_lease(
    reminders: Reminders,
) -> None:
    runners = await four_runners_due(reminders)
    lease = timedelta(seconds=10)
    dead = Instance(reminders.ctx, lease=lease)
    await dead.beat()
    first = reminders.restart(dead)
    with outage(reminders.database) as cut:
        await cut_after_the_first_send(first, cut)  # then its process dies: no more beats
    live = Instance(reminders.ctx, lease=lease)
    other = reminders.restart(live)

    reminders.clock.now += timedelta(seconds=8)
    await live.beat()
    assert (await other.run())["sent"] == 0  # seen 8 s ago: alive, its claims are its own
    reminders.clock.now += timedelta(seconds=3)
    await live.beat()
    counts = await other.run()  # 11 s unseen: dead by its beats, 4 minutes before the lease

    assert counts["released"] == 3 and counts["unknown"] == 1 and counts["sent"] == 3
    assert (await other.run())["sent"] == 0  # once: now claimed and sent under a live name
    assert await sessions(reminders) == [DispatchStatus.SENT] * 3 + [DispatchStatus.UNKNOWN]
    await dead.beat()  # it was only held up: its next tick finds none of its claims left
    assert (await first.run())["sent"] == 0
    assert messages_per_runner(reminders, runners) == [1, 1, 1, 1]
    # the outcome it kept through the cut settles the row in doubt: it was sent
    assert await sessions(reminders) == [DispatchStatus.SENT] * 4


async def test_a_claim_holds_about_ten_seconds_of_its_instances_share_of_the_limit(
    reminders: Reminders,
) -> None:
    await seed_due(reminders.database, 300, SEVEN_BERLIN)
    reminders.clock.now = SEVEN_BERLIN
    limiter = RateLimiter(30, clock=reminders.time, sleep=reminders.time.sleep)
    limiter.share(4, place=3)  # the last of four instances: 7 a second, less the margin
    reminders.tick.dispatcher.routes["telegram"] = Route(reminders.notifier, limiter)
    held: list[int] = []
    send = reminders.notifier.send

    async def counting(chat_id: str, message: Any, *, nonce: str) -> str:
        if not held:  # the first sends look at once: each sees the same claims
            held.append(sum(row.status in IN_FLIGHT for row in await reminders.rows()))
        return await send(chat_id, message, nonce=nonce)

    reminders.notifier.send = counting  # type: ignore[method-assign]
    assert (await reminders.run())["sent"] == 300
    # the batch being sent and the next, claimed ahead: 67 rows each (10 s at 6.67 a
    # second), not 500: rows this instance holds never wait long while others are idle
    assert held[0] == 2 * 67


def stalled_route(reminders: Reminders, stall: Any) -> None:
    """The tick's Telegram route, paused by a 429, with ``stall`` as its limiter's sleep."""
    limiter = RateLimiter(30, clock=reminders.time, sleep=stall)
    limiter.pause(30)
    reminders.tick.dispatcher.routes["telegram"] = Route(reminders.notifier, limiter)
    reminders.tick.dispatcher.delivery = Delivery(in_flight=2)


async def test_rows_waiting_for_their_slot_when_the_process_dies_are_sent_after_it_once(
    reminders: Reminders,
) -> None:
    runners = await four_runners_due(reminders)
    with outage(reminders.database) as cut:

        async def killed(seconds: float) -> None:
            cut.down = True  # the process is killed while its rows wait for their slots
            await reminders.time.sleep(seconds)

        stalled_route(reminders, killed)
        with pytest.raises(OperationalError):
            await reminders.run()
        assert reminders.api.calls("sendMessage") == []
        cut.down = False
    assert await sessions(reminders) == [DispatchStatus.CLAIMED] * 4  # none in doubt

    restarted = reminders.restart()
    restarted.clock.now += CLAIM_LEASE
    assert (await restarted.run())["sent"] == 4
    assert messages_per_runner(reminders, runners) == [1, 1, 1, 1]


async def test_rows_waiting_for_their_slot_when_the_tick_is_cancelled_go_back_and_go_out_once(
    reminders: Reminders,
) -> None:
    runners = await four_runners_due(reminders)
    waiting = asyncio.Event()

    async def forever(seconds: float) -> None:
        waiting.set()
        await asyncio.Event().wait()

    stalled_route(reminders, forever)
    tick = asyncio.create_task(reminders.run())
    async with asyncio.timeout(10):  # fails the test instead of hanging it
        await waiting.wait()
    tick.cancel()
    with pytest.raises(asyncio.CancelledError):
        await tick
    assert await sessions(reminders) == [DispatchStatus.PENDING] * 4  # handed back

    counts = await reminders.restart().run()  # a restart need not wait out the lease
    assert counts["sent"] == 4
    assert messages_per_runner(reminders, runners) == [1, 1, 1, 1]
