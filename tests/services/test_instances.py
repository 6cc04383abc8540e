"""Several instances on one database (issue 30): a conversation's lease is held by one live
instance at a time, lapses when its instance stops beating, and is given up only when none
of the conversation's updates is left; an instance that outlived its lease cannot mark an
update another handled. On SQLite, a second instance on the same file is refused."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from bot.services.context import ServiceContext
from bot.services.infrastructure.inbound import HandledElsewhere, Inbox, Lapsed, owe
from bot.services.infrastructure.instances import Instance
from bot.services.presentation.replies import say
from bot.storage.database import Database
from bot.storage.faults import Unusable
from bot.storage.models import Lease, Runner
from tests.conftest import FakeClock
from tests.factories import runner_row

LEASE = timedelta(seconds=10)
ADA, BEA = "User:501", "User:502"


def payload(update_id: int) -> dict[str, object]:
    return {"update_id": update_id, "message": {"text": f"step {update_id}"}}


@pytest.fixture
def ctx(database: Database, clock: FakeClock) -> ServiceContext:
    return ServiceContext(database, clock=clock)


async def joined(ctx: ServiceContext) -> tuple[Instance, Inbox]:
    """An instance that has beaten once, and its Telegram inbox."""
    instance = Instance(ctx, lease=LEASE)
    await instance.beat()
    return instance, Inbox(ctx, "telegram", instance=instance)


async def test_one_live_instance_holds_a_conversation_until_it_stops_beating(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    first, one = await joined(ctx)
    second, other = await joined(ctx)

    assert await one.claim(ADA)
    assert not await other.claim(ADA)  # held by a live instance
    assert await other.claim(BEA)  # other conversations are free
    assert await one.claim(ADA)  # its owner takes it again

    clock.advance(seconds=8)
    await second.beat()  # the first has not beaten for 8 s: still alive
    assert not await other.claim(ADA)
    clock.advance(seconds=3)
    await second.beat()
    assert await other.claim(ADA)  # 11 s without a beat: dead, its lease lapsed
    assert not await one.claim(ADA)
    assert (await first.beat(), await second.beat()) == (2, 2)  # each beat counts the living


async def test_a_conversation_is_let_go_only_once_none_of_its_updates_is_left(
    ctx: ServiceContext,
) -> None:
    _, one = await joined(ctx)
    _, other = await joined(ctx)
    await one.receive({1: payload(1)}, {1: ADA})
    assert await one.claim(ADA)
    await other.receive({2: payload(2), 3: payload(3)}, {2: ADA, 3: ADA})  # stored by another
    assert not await other.claim(ADA)

    assert [stored.update_id for stored in await one.pending(ADA)] == [1, 2, 3]  # arrival order
    for update_id in (1, 2):
        async with one.handling(update_id):
            pass
    assert not await one.let_go(ADA)  # update 3 is left: the lease stays
    async with one.handling(3):
        pass
    assert await one.let_go(ADA)
    assert await other.claim(ADA)  # free again


async def test_a_dead_instances_conversations_are_orphans_and_a_live_ones_are_not(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    _, one = await joined(ctx)
    second, other = await joined(ctx)
    await one.receive({1: payload(1), 2: payload(2), 3: payload(3)}, {1: ADA, 2: BEA, 3: ADA})
    assert await one.claim(ADA)

    assert await other.orphans() == [BEA]  # never claimed: anyone's
    assert await one.orphans() == [ADA, BEA]  # its own, which a failure may have left

    clock.advance(seconds=11)
    await second.beat()
    assert await other.orphans() == [ADA, BEA]  # the first stopped beating
    assert await other.claim(ADA)
    assert [stored.update_id for stored in await other.pending(ADA)] == [1, 3]


async def test_an_instance_that_outlived_its_lease_rolls_back_what_another_handled(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    _, slow = await joined(ctx)
    second, quick = await joined(ctx)
    await slow.receive({1: payload(1)}, {1: ADA})
    assert await slow.claim(ADA)
    clock.advance(seconds=11)  # the slow one is held up past its lease
    await second.beat()
    assert await quick.claim(ADA)
    async with quick.handling(1), ctx.database.unit_of_work() as uow:
        await uow.session.execute(insert(Runner), [runner_row(501, clock.now)])

    with pytest.raises(HandledElsewhere):
        async with slow.handling(1), ctx.database.unit_of_work() as uow:
            await uow.session.execute(insert(Runner), [runner_row(502, clock.now)])

    async with ctx.database.unit_of_work() as uow:
        users = await uow.session.scalars(select(Runner.platform_user_id))
        assert list(users) == ["501"]  # the slow one's effect rolled back
    assert not await slow.let_go(ADA)  # and its lease is gone


async def test_a_reply_owed_by_a_live_instance_is_its_own_to_send(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    _, slow = await joined(ctx)
    second, other = await joined(ctx)
    await slow.receive({1: payload(1)}, {1: ADA})

    async def cut_short() -> None:
        async with slow.handling(1):
            async with ctx.database.unit_of_work():
                owe(say("Saved."))
            raise KeyboardInterrupt  # held up, or gone, before its reply went out

    with pytest.raises(KeyboardInterrupt):
        await cut_short()

    [owed] = await other.pending(ADA)
    assert owed.reply and owed.replying  # its instance beats: it may be sending it still
    [owed] = await slow.pending(ADA)
    assert not owed.replying  # its own, to send again (its mark after the send failed)
    clock.advance(seconds=11)
    await second.beat()
    [owed] = await other.pending(ADA)
    assert owed.reply and not owed.replying  # its instance died: the next holder sends it


async def test_an_instance_whose_beats_stalled_past_its_lease_answers_nothing_it_lost(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    slow, inbox = await joined(ctx)
    other, successor = await joined(ctx)  # another lives: it could take over
    await slow.beat()
    await inbox.receive({1: payload(1), 2: payload(2)}, {1: ADA, 2: ADA})
    assert await inbox.claim(ADA)
    began = clock.now

    async def handled_while(update_id: int, *, taken_over: bool) -> bool:
        ours = []
        async with inbox.handling(update_id, ADA):
            async with ctx.database.unit_of_work():
                owe(say("Saved."))
            clock.advance(seconds=12)  # its loop stalls 12 s, past its 10 s lease
            await other.beat()
            if taken_over:
                assert await successor.claim(ADA)
            await slow.beat()
            ours.append(await inbox.still_ours())  # what the pipe asks before each call
        return ours[0]

    assert await handled_while(1, taken_over=False)  # stalled, but it holds the lease still
    with pytest.raises(Lapsed):  # lost: it must not go on with the conversation
        await handled_while(2, taken_over=True)
    assert not slow.held_since(began)  # the others may have counted it dead meanwhile
    assert slow.held_since(clock.now)  # beating again: what it begins now is its own
    [owed] = await successor.pending(ADA)
    assert owed.update_id == 2 and owed.reply  # left owed, for the conversation's new holder
    assert not owed.replying  # to send now: the one that owed it disowned it


async def test_leaving_gives_up_every_lease_at_once(ctx: ServiceContext) -> None:
    first, one = await joined(ctx)
    _, other = await joined(ctx)
    await one.receive({1: payload(1)}, {1: ADA})
    assert await one.claim(ADA)

    await first.start()
    await first.stop()

    assert await other.claim(ADA)  # no need to wait for the lease to lapse
    async with ctx.database.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Lease)) == 1


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_a_second_instance_on_one_sqlite_file_is_refused_in_one_line(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    first, one = await joined(ctx)
    await one.receive({1: payload(1)}, {1: ADA})
    assert await one.claim(ADA)  # then the process dies without leaving
    running = Instance(ctx, lease=LEASE)
    await running.start()

    second = Instance(dataclasses.replace(ctx), lease=LEASE)
    with pytest.raises(Unusable) as refused:
        await second.start()
    file = ctx.database.file
    assert isinstance(file, Path)
    assert str(refused.value) == (
        f"another bot instance runs on {file}: SQLite serves one instance; "
        "run several on PostgreSQL (docs/deploy.md)"
    )
    assert await Inbox(ctx, "telegram", instance=running).claim(ADA)  # the dead one's at once
    assert first.id != running.id
    await running.stop()
    await second.start()  # the file is free once the first has stopped
    await second.stop()


async def test_each_key_has_one_home_among_the_live_and_one_leaving_moves_only_its_own(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    trio = [Instance(ctx, lease=LEASE) for _ in range(3)]
    for instance in [*trio, *trio]:
        await instance.beat()
    keys = [f"User:{n}" for n in range(300)]

    homes = {key: [n for n, instance in enumerate(trio) if instance.home(key)] for key in keys}
    assert {len(home) for home in homes.values()} == {1}  # every instance names the same one
    assert sorted(Counter(home[0] for home in homes.values()).values())[0] > 60  # even-ish

    clock.advance(seconds=11)  # the last stops beating: dead to the others
    for instance in [*trio[:2], *trio[:2]]:  # (the first beat sees the other two dead)
        await instance.beat()
    after = {key: [n for n, instance in enumerate(trio[:2]) if instance.home(key)] for key in keys}
    assert {len(home) for home in after.values()} == {1}
    assert all(after[key] == homes[key] for key in keys if homes[key] != [2])  # only its moved
