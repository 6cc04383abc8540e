"""``/rules`` and ``docs/coaching.md``: a runner or a club coach can look up the rule IDs
that ``/history`` shows (issue 29)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.coaching.rules import RULE_IDS, rules
from bot.services.context import ChatKind, Person, Platform
from tests.conftest import FakeClock
from tests.services.conftest import Talker, go_to_next_session, log_done, onboard

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "coaching.md"
SHARED = ROOT.parent / "shared"


async def test_rules_lists_every_rule_id_with_its_sentence(runner: Talker) -> None:
    text = str((await runner.command("rules"))[0].text)
    listed = re.findall(r"^(\w+): ", text, flags=re.MULTILINE)
    assert listed == list(RULE_IDS)
    for rule in RULE_IDS:
        assert f"{rule}: {rules().why[rule]}" in text


async def test_rules_with_ids_shows_only_those_as_history_writes_them(runner: Talker) -> None:
    text = str((await runner.command("rules", "(C8, c4)"))[0].text)
    assert text == f"C8: {rules().why['C8']}\nC4: {rules().why['C4']}"
    text = str((await runner.command("rules", "floor"))[0].text)
    assert text == f"Floor: {rules().why['Floor']}"


async def test_rules_names_an_id_that_is_not_a_rule(runner: Talker) -> None:
    text = str((await runner.command("rules", "C13 P2"))[0].text)
    first, second = text.splitlines()
    assert first.startswith("There is no rule C13:")
    assert second == f"P2: {rules().why['P2']}"


async def test_rules_needs_no_profile_and_in_a_group_points_to_a_private_chat(
    runner: Talker,
) -> None:
    """Many group bots answer /rules with the group's own rules: the coach posts no list of
    its rules into a club's chat, only the button to carry on in private."""
    assert "C7:" in str((await runner.command("rules"))[0].text)
    group = Person(Platform.TELEGRAM, "501", "-100200", "Ada", chat_kind=ChatKind.GROUP)
    [message] = await runner.coach.command(group, "rules")
    assert "in a private chat" in str(message.text)
    assert "C7" not in str(message.text)


async def test_history_points_to_rules(runner: Talker, clock: FakeClock) -> None:
    await onboard(runner)
    await go_to_next_session(runner, clock)
    await log_done(runner, effort="Very hard")
    text = str((await runner.command("history"))[0].text)
    assert "(C" in text
    assert text.splitlines()[-1] == (
        "What the rule IDs mean: send /rules, or /rules C8 C4 for just those."
    )


def test_the_guide_explains_every_rule_id_with_its_trigger_and_effect() -> None:
    sections = re.split(r"^### ", GUIDE.read_text(), flags=re.MULTILINE)[1:]
    headed = [section.split(" ", 1)[0] for section in sections]
    assert headed == list(RULE_IDS)
    for section in sections:
        assert "- **Applies:**" in section
        assert "- **Changes:**" in section


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _runs(words: list[str], length: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + length]) for i in range(len(words) - length + 1)}


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared beside the repository")
def test_the_guide_is_in_the_projects_own_words() -> None:
    """No run of eight words of the rules' source or its articles is copied into the guide."""
    guide = _runs(_words(GUIDE.read_text()), 8)
    for source in [SHARED / "COACHING.md", *sorted((SHARED / "seeds").glob("*.txt"))]:
        copied = guide & _runs(_words(source.read_text()), 8)
        assert not copied, (source.name, sorted(" ".join(run) for run in copied)[:5])
