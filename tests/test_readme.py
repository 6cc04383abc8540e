"""The README stays a five-minute read that cannot drift from the code (issue 29): at most
about 200 lines, every setting of ``bot/settings.py`` in its configuration table with its
real default, every command the bot registers in its command table, and every link in it and
in ``docs/`` pointing at a file and a heading that exist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.services.coach import COMMANDS
from bot.settings import Settings
from handlers.discord.client import CLUB, EXTRA_COMMANDS

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MAX_LINES = 200
NOT_SET = "—"


def section(title: str) -> list[str]:
    """The lines of the README's ``## title`` section."""
    lines = README.read_text().splitlines()
    start = lines.index(f"## {title}") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start:end]


def table(title: str) -> list[list[str]]:
    """The rows of the first table in the README's ``## title`` section, header left out."""
    rows = [line for line in section(title) if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows[2:]]


def test_the_readme_is_at_most_about_two_hundred_lines() -> None:
    assert len(README.read_text().splitlines()) <= MAX_LINES


def test_the_configuration_table_has_every_setting_and_no_other() -> None:
    listed = [row[0].strip("`") for row in table("Configuration")]
    assert len(listed) == len(set(listed))
    assert set(listed) == {name.upper() for name in Settings.model_fields}


def configuration_defaults() -> list[tuple[str, str]]:
    return [(row[0].strip("`"), row[1]) for row in table("Configuration")]


@pytest.mark.parametrize(("setting", "cell"), configuration_defaults())
def test_each_default_in_the_table_is_the_settings_own(setting: str, cell: str) -> None:
    """A cell starting with "—" is a setting that is not set by default; any other cell's
    first `value` reads back as the setting's default."""
    field = setting.lower()
    default: Any = Settings.model_fields[field].default
    if cell.startswith(NOT_SET):
        assert default is None
        return
    [value, *_] = re.findall(r"`([^`]+)`", cell)
    read = getattr(Settings(_env_file=None, **{field: value}), field)
    expected = getattr(Settings(_env_file=None, **{field: default}), field)
    assert read == expected


def test_every_setting_is_explained_in_env_example() -> None:
    text = (ROOT / ".env.example").read_text()
    for name in Settings.model_fields:
        assert re.search(rf"^(# )?{name.upper()}=", text, flags=re.MULTILINE), name


def test_the_command_table_has_every_command_the_bot_registers() -> None:
    listed = {
        name
        for row in table("Commands")
        for name in re.findall(r"`/(\w+)", row[0])  # "/rules C8 C4" is /rules with arguments
    }
    registered = {name for name, _ in (*COMMANDS, *EXTRA_COMMANDS, CLUB)}
    assert listed == registered


def headings(path: Path) -> set[str]:
    """The GitHub anchors of a Markdown file's headings (code blocks left out)."""
    text = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.MULTILINE | re.DOTALL)
    titles = re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-") for title in titles}


DOCUMENTS = [README, *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_link_to_a_file_or_a_heading_of_the_repository_holds(document: Path) -> None:
    text = re.sub(r"^```.*?^```", "", document.read_text(), flags=re.MULTILINE | re.DOTALL)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):  # https:, mailto:: not this repository's
            continue
        path, _, anchor = target.partition("#")
        linked = (document.parent / path).resolve() if path else document
        assert linked.exists(), target
        if anchor:
            assert anchor in headings(linked), target
