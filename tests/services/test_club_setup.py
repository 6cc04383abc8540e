"""A club's setup is one dialog that any of the chat's admins may answer: their answers take
turns, as one person's do, so no admin's answer overwrites another's."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from bot.services.coach import Coach
from bot.services.context import ChatKind, IsAdmin, Person, Platform
from bot.services.presentation.replies import Button, Reply

ANA = Person(Platform.TELEGRAM, "3001", "-4001", "Ana", ChatKind.GROUP)
CY = Person(Platform.TELEGRAM, "3003", "-4001", "Cy", ChatKind.GROUP)

CyAnswers = Callable[[Coach, dict[str, str], IsAdmin], Coroutine[Any, Any, Reply]]


async def an_admin() -> bool:
    return True


def buttons(reply: Reply) -> dict[str, str]:
    """Each button's label and data."""
    return {
        button.label: button.data
        for message in reply
        for row in message.buttons
        for button in row
        if isinstance(button, Button)
    }


async def cy_presses(coach: Coach, days: dict[str, str], admin: IsAdmin) -> Reply:
    return await coach.button(CY, days["Thursday"], admin=admin)


async def cy_types(coach: Coach, _days: dict[str, str], admin: IsAdmin) -> Reply:
    return await coach.text(CY, "18:30", admin=admin)


async def cy_starts_over(coach: Coach, _days: dict[str, str], admin: IsAdmin) -> Reply:
    return await coach.command(CY, "club", admin=admin)


@pytest.mark.parametrize("cy_answers", [cy_presses, cy_types, cy_starts_over])
async def test_two_admins_answers_to_one_club_setup_take_turns(
    coach: Coach, cy_answers: CyAnswers
) -> None:
    days = buttons(await coach.command(ANA, "club", admin=an_admin))
    checked: list[str] = []
    ana_checking, ana_may_go = asyncio.Event(), asyncio.Event()

    async def ana_is_admin() -> bool:  # Telegram's answer to getChatMember takes a while
        checked.append("Ana")
        ana_checking.set()
        await ana_may_go.wait()
        return True

    async def cy_is_admin() -> bool:
        checked.append("Cy")
        return True

    ana = asyncio.create_task(coach.button(ANA, days["Tuesday"], admin=ana_is_admin))
    await ana_checking.wait()
    cy = asyncio.create_task(cy_answers(coach, days, cy_is_admin))
    for _ in range(20):
        await asyncio.sleep(0)  # room for Cy's answer to go ahead, if it did not wait
    assert checked == ["Ana"]

    ana_may_go.set()
    await ana
    answered = await cy
    assert checked == ["Ana", "Cy"]
    if cy_answers is cy_presses:  # both days chosen: neither admin's choice was lost
        assert {"✓ Tuesday", "✓ Thursday"} <= buttons(answered).keys()
