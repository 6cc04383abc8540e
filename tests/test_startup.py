"""What start-up loads: each command imports its modules only when it runs (issue 26), so
``--help`` and the console coach's first prompt leave the platform libraries unloaded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # starts fresh interpreters

PLATFORMS = ("telegram", "discord", "aiohttp", "apscheduler")
DRAWING = ("matplotlib", "icalendar")

# One fresh interpreter: the help ``python -m bot --help`` prints, then ``python -m bot chat``
# until its first prompt (it reads "quit" there); what each had loaded, as the last line.
PROBE = """
import json, sys
from bot.cli import build_parser, main

build_parser().format_help()
loaded = {"help": sorted(sys.modules)}
main(["chat", "--as", "probe"])
loaded["chat"] = sorted(sys.modules)
print(json.dumps(loaded))
"""


def test_help_and_the_console_coach_load_no_platform_or_drawing_library(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**clean_env, "DATABASE_URL": f"sqlite:///{tmp_path / 'console.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        input="quit\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    *chat, last_line = result.stdout.strip().splitlines()
    assert "Bye" in chat[-1]
    loads: dict[str, list[str]] = json.loads(last_line)
    loaded = {step: {name.split(".")[0] for name in names} for step, names in loads.items()}
    too_soon_for_help = loaded["help"] & {*PLATFORMS, *DRAWING, "sqlalchemy", "pydantic"}
    too_soon_for_chat = loaded["chat"] & {*PLATFORMS, *DRAWING}
    assert too_soon_for_help == set()
    assert too_soon_for_chat == set()
    assert {"sqlalchemy", "alembic"} <= loaded["chat"]  # the probe did reach the database
