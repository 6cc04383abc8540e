"""One key's events take turns in arrival order, even when one of them is cancelled."""

from __future__ import annotations

import asyncio

from bot.services.infrastructure.turns import Turns


async def test_an_event_cancelled_while_waiting_leaves_the_next_waiting_for_the_first() -> None:
    turns = Turns()
    log: list[str] = []
    first_may_end = asyncio.Event()

    async def event(name: str, gate: asyncio.Event | None = None) -> None:
        async with turns.turn("ada"):
            log.append(f"start {name}")
            if gate is not None:
                await gate.wait()
            log.append(f"end {name}")

    first = asyncio.create_task(event("first", first_may_end))
    await asyncio.sleep(0)
    second = asyncio.create_task(event("second"))
    await asyncio.sleep(0)
    second.cancel()  # while it waits for the first
    await asyncio.gather(second, return_exceptions=True)
    third = asyncio.create_task(event("third"))
    await asyncio.sleep(0)
    assert log == ["start first"]  # the third waits for the first, as the second did

    first_may_end.set()
    await asyncio.gather(first, third)

    assert log == ["start first", "end first", "start third", "end third"]
    assert turns.waiting == 0


async def test_other_keys_do_not_wait() -> None:
    turns = Turns()
    held = asyncio.Event()
    async with turns.turn("ada"):
        async with asyncio.timeout(1):
            async with turns.turn("bea"):
                held.set()
    assert held.is_set()
