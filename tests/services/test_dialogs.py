"""What a dialog's question tells every adapter: whether (and how) it takes a typed answer,
where it goes, and the answers so far."""

from __future__ import annotations

from bot.services.presentation.replies import Part, Place, Typed
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


async def test_a_typed_answer_comes_with_its_question_name_and_example(runner: Talker) -> None:
    script = onboarding()
    await runner.follow(script[: script.index(("say", "7:30"))])
    (asked,) = runner.last
    assert asked.typed == Typed("When should I send your session?", "Reminder time", "6:30 or 7pm")


async def test_the_answers_so_far_read_as_their_labels_typed_ones_as_typed(
    runner: Talker,
) -> None:
    script = onboarding()
    await runner.follow(script[: script.index(("press", "No race planned"))])
    await runner.say("15 May 2027 Lavaredo")
    await runner.press("None of these")
    (asked,) = runner.last
    assert str(asked.settled) == (
        "Experience: Some · Monday: Rest · Tuesday: Easy run · Wednesday: Hard run · "
        "Thursday: Easy run · Friday: Rest · Saturday: Long run · Sunday: Easy run · "
        "Trail runs a week: Yes, 5 · Race: Sat 15 May 2027, Lavaredo · Kit: None of these"
    )
    assert (asked.part, asked.place) == (Part.ASKS, Place.PRESSED)  # in the pressed one's place
