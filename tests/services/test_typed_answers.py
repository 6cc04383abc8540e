"""Answers typed the way people type them (issue 27, item 1): every question of every dialog
reads them in one place, the engine's ``typed_answer``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.coach import DIALOGS
from bot.services.context import ServiceContext
from bot.services.dialogs.buttons import DialogName
from bot.services.dialogs.choices import Choice, words
from bot.services.dialogs.engine import DONE, DONE_WORDS, Dialog, Step, typed_answer
from bot.services.dialogs.free_text import NotUnderstood
from bot.services.use_cases import account, clubs, running_plan, training
from bot.services.use_cases.onboarding import ONBOARDING
from bot.storage.database import Database
from tests.conftest import FakeClock, onboarding
from tests.services.conftest import Talker, go_to_next_session, onboard

CTX = ServiceContext(cast(Database, None), FakeClock(), "Europe/Berlin")


HILL_REPS = {"key": "hill reps", "title": "Hill reps", "day": "2026-11-24", "guess": "hard"}
OPENED: dict[DialogName, dict[str, Any]] = {
    DialogName.PLAN_KINDS: {
        "pending": [HILL_REPS] * running_plan.QUESTIONS,
        "races": [],
        "today": "2026-11-23",
    },
}
"""What a dialog opens with, where its questions read it (the events asked about)."""


def questions() -> Iterator[tuple[Step, list[Choice], dict[str, Any]]]:
    """Every step with choices, each with the choices typed text may select (a multi-choice
    step's Done button too) and the answers it is asked with."""
    for dialog in DIALOGS:
        answers = OPENED.get(dialog.name, {})
        for step in dialog.steps:
            options = list(step.options(answers, CTX))
            if step.multi:
                options.append(Choice(DONE, step.done_label, DONE_WORDS))
            if options:
                yield step, options, answers


QUESTIONS = list(questions())


def answer(step: Step, text: str, answers: dict[str, Any] | None = None) -> Any:
    """What ``text`` answers; for a multi-choice step with nothing picked yet, the picks
    (Done's words answer with none)."""
    return typed_answer(step, text, answers or {}, CTX)


def selected(step: Step, choice: Choice) -> Any:
    """What choosing ``choice`` answers."""
    if not step.multi:
        return choice.value
    return [] if choice.value == DONE else [choice.value]


def related(text: str, phrase: tuple[str, ...]) -> bool:
    """Whether ``text`` is ``phrase``, starts it, or is whole words of it."""
    typed = words(text)
    start, size = " ".join(typed), len(typed)
    return bool(typed) and (
        " ".join(phrase).startswith(start)
        or any(phrase[i : i + size] == typed for i in range(len(phrase)))
    )


@st.composite
def a_phrase(draw: st.DrawFn) -> tuple[Step, list[Choice], Choice, str, dict[str, Any]]:
    step, options, answers = draw(st.sampled_from(QUESTIONS))
    choice = draw(st.sampled_from(options))
    phrase = draw(st.sampled_from([choice.label, *choice.synonyms]))
    return step, options, choice, phrase, answers


@settings(max_examples=300, deadline=None)
@given(a_phrase(), st.sampled_from(["{}", "{} ", " {}", "{}!", "{}."]), st.booleans())
def test_every_label_and_synonym_selects_its_choice(
    drawn: tuple[Step, list[Choice], Choice, str, dict[str, Any]], form: str, upper: bool
) -> None:
    step, _options, choice, phrase, answers = drawn
    typed = form.format(phrase.upper() if upper else phrase)
    assert answer(step, typed, answers) == selected(step, choice), (step.key, typed)


@settings(max_examples=300, deadline=None)
@given(a_phrase(), st.integers(min_value=2, max_value=40))
def test_a_start_of_a_label_or_synonym_selects_it_unless_another_choice_starts_so_too(
    drawn: tuple[Step, list[Choice], Choice, str, dict[str, Any]], length: int
) -> None:
    step, options, choice, phrase, answers = drawn
    start = " ".join(words(phrase))[:length].strip()
    others = [c for c in options if c != choice]
    shared = any(" ".join(p).startswith(start) for c in others for p in c.phrases())
    if len(start) < 2 or shared or step.read_text is not None:
        return  # several choices start so (or a reader may take it first): covered below
    assert answer(step, start, answers) == selected(step, choice), (step.key, start)


LABEL_WORDS = sorted({w for _s, options, _a in QUESTIONS for c in options for w in words(c.label)})


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(QUESTIONS),
    st.lists(
        st.one_of(st.sampled_from(LABEL_WORDS), st.text("xyzqjkv", min_size=1, max_size=6)),
        min_size=1,
        max_size=3,
    ),
)
def test_nothing_else_selects_anything_silently(
    question: tuple[Step, list[Choice], dict[str, Any]], typed_words: list[str]
) -> None:
    """Typed text selects a choice only when it is, starts, or is whole words of that choice
    and of no other; anything else selects nothing, and says why."""
    step, options, answers = question
    if step.multi or step.read_text is not None:
        return  # lists and readers: covered by the conversation tests below
    text = " ".join(typed_words)
    try:
        value = answer(step, text, answers)
    except NotUnderstood:
        return  # refused, with a reason (the engine shows it above the question again)
    (choice,) = [c for c in options if c.value == value]
    assert any(related(text, phrase) for phrase in choice.phrases()), (step.key, text)
    rivals = [c for c in options if c != choice and any(related(text, p) for p in c.phrases())]
    assert not rivals or words(text) in choice.phrases(), (step.key, text, rivals)


def step_of(dialog: Dialog[Any], key: str) -> Step:
    step = dialog.step(key)
    assert step is not None
    return step


@pytest.mark.parametrize(
    ("dialog", "key", "typed", "value"),
    [
        (training.POST_SESSION, "how", "part", "partial"),
        (training.POST_SESSION, "how", "most of it", "partial"),
        (training.POST_SESSION, "rpe", "6/10", 6),
        (training.POST_SESSION, "rpe", "very", "very_hard"),
        (training.POST_SESSION, "hurt_score", "6/10", "6"),
        (training.POST_SESSION, "hurt", "knee", ["knee"]),
        (training.POST_SESSION, "hurt", "done", []),
        (training.POST_SESSION, "hurt", "knee, lower back", ["knee", "lower_back"]),
        (training.POST_SESSION, "hurt", "knee hip", ["knee", "hip"]),
        (training.CHECK_IN, "trail", "stiff downhill", "stiff"),
        (training.CHECK_IN, "trail", "downhill", "stiff"),
        (training.CHECK_IN, "score", "6 out of 10", "6"),
        (account.DELETE, "confirm", "no", "keep"),
        (ONBOARDING, "mon", "intervals", "hard"),
        (ONBOARDING, "spw", "two", "2"),
        (ONBOARDING, "kit", "towel and weights", ["sliders", "weights"]),
        (clubs.CLUB_SETUP, "days", "mon, thu", ["0", "3"]),
        (clubs.CLUB_SETUP, "days", "tue sat", ["1", "5"]),
    ],
)
def test_answers_the_issue_quotes_are_read(
    dialog: Dialog[Any], key: str, typed: str, value: Any
) -> None:
    assert answer(step_of(dialog, key), typed) == value


@pytest.mark.parametrize(
    ("dialog", "key", "typed", "could_mean"),
    [
        (ONBOARDING, "mon", "run", ["Easy run", "Hard run", "Long run"]),
        (training.CHECK_IN, "legs", "pain", ["Joint pain", "Sharp pain, bruising or weakness"]),
        (account.SETTINGS, "field", "week", ["Running week", "Trail runs a week"]),
        (training.POST_SESSION, "hurt", "knee, pain", []),
    ],
)
def test_ambiguous_text_selects_nothing_and_names_what_it_could_mean(
    dialog: Dialog[Any], key: str, typed: str, could_mean: list[str]
) -> None:
    with pytest.raises(NotUnderstood) as refused:
        answer(step_of(dialog, key), typed)
    for label in could_mean:
        assert f"“{label}”" in str(refused.value)


# -- through the coach: the refusals the issue quotes -----------------------------------------


async def test_typed_answers_take_a_runner_through_onboarding(runner: Talker) -> None:
    script = onboarding()
    await runner.follow(script[:2])
    for kind in ("rest day", "easy", "intervals", "jog", "off", "long", "steady"):
        await runner.say(kind)
    assert "trail runs a week" in runner.text
    for typed in ("yes", "none", "done", "2", "7:30", "Europe/Berlin", "looks good"):
        await runner.say(typed)
    assert "You're all set" in runner.text


async def test_done_answered_in_words_and_scores_out_of_ten(
    runner: Talker, clock: FakeClock
) -> None:
    await onboard(runner)
    await go_to_next_session(runner, clock)
    await runner.press("✅ Done")
    for typed in ("part", "6/10", "knee", "5/10"):
        reply = await runner.say(typed)
        assert "Please answer" not in str(reply[0].text), typed
    assert "Logged." in runner.text


async def test_a_typed_no_keeps_the_data(runner: Talker) -> None:
    await onboard(runner)
    await runner.command("deleteme")
    await runner.say("no")
    assert runner.text == "Nothing was deleted. Your plan carries on."


async def test_ambiguous_typing_asks_again_and_changes_nothing(runner: Talker) -> None:
    await runner.follow(onboarding()[:2])
    reply = await runner.say("run")
    assert str(reply[0].text).startswith(
        "That could mean “Easy run”, “Hard run” or “Long run”. Which one?\n\nWhat is Monday"
    )
    assert len(reply) == 1  # the note and the question again, in one message


async def test_a_check_in_typed_in_words_states_every_change(
    runner: Talker, clock: FakeClock
) -> None:
    await onboard(runner, kit=("Step or sturdy box", "Sliders or a towel"))
    await go_to_next_session(runner, clock)
    await runner.press("✅ Done")
    for typed in ("most of it", "ok", "nothing"):
        await runner.say(typed)
    if "hips stay level" in runner.text:
        await runner.say("level")
    assert "Logged." in runner.text
    clock.advance(days=1)
    await runner.command("checkin")
    for typed in ("joint", "knee", "6/10", "not yet", "yes", "stiff downhill"):
        reply = await runner.say(typed)
        assert "Please answer" not in str(reply[0].text), typed
    assert "You said your knee hurt (6/10) and hadn't settled" in runner.text  # C2, C8
    assert "descending felt stiff" in runner.text  # C5
    assert "strength sits a day further from your" in runner.text
