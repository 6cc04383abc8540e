"""What a dialog's question tells every adapter: whether it also takes a typed answer."""

from __future__ import annotations

from tests.conftest import onboarding
from tests.services.conftest import Talker


def asks_typed(runner: Talker) -> bool:
    return runner.last[-1].typed is not None


async def test_a_question_says_when_it_takes_a_typed_answer(runner: Talker) -> None:
    script = onboarding()
    await runner.command("start")
    assert not asks_typed(runner)  # experience: buttons only
    for kind, value in script[1 : script.index(("say", "7:30"))]:
        await (runner.say(value) if kind == "say" else runner.press(value))
    assert asks_typed(runner)  # the reminder time: buttons, or a typed time
    await runner.say("7:30")
    assert asks_typed(runner)  # the timezone: buttons, or a typed city or offset
