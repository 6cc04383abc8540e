"""Start-up benchmark: how long ``python -m bot --help`` and the first ``chat`` prompt take.

Run ``python -m bench.startup [--runs N]``. Each figure is the median of ``N`` fresh
interpreters (7 by default): the wall time of ``python -m bot --help``, the import time
``-X importtime`` reports for it, and the time from starting ``python -m bot chat`` to its
first ``> `` prompt, on a temporary SQLite file whose schema a first, untimed chat creates.
Then the costliest imports of one run of each, by cumulative time, and whether any
platform or drawing library was loaded.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

PROMPT = b"> "
HEAVY = ("telegram", "discord", "matplotlib", "aiohttp", "apscheduler", "icalendar")


def _environment(database: Path) -> dict[str, str]:
    """This environment without the bot's settings, on ``database``."""
    prefixes = ("TELEGRAM_", "DISCORD_", "DATABASE_URL", "WEBHOOK_", "LOG_LEVEL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return {**env, "DATABASE_URL": f"sqlite:///{database}"}


def help_run(env: dict[str, str], *options: str) -> tuple[float, str]:
    """Seconds for ``python [OPTIONS] -m bot --help``, and what it wrote to stderr."""
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *options, "-m", "bot", "--help"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - began, done.stderr


def chat_run(env: dict[str, str], *options: str) -> tuple[float, str]:
    """Seconds from starting ``python [OPTIONS] -m bot chat`` to its first prompt, and what
    it wrote to stderr until it quit."""
    with tempfile.TemporaryFile() as errors:  # a pipe would fill up with -X importtime
        began = time.perf_counter()
        with subprocess.Popen(
            [sys.executable, *options, "-m", "bot", "chat", "--as", "bench"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
        ) as child:
            assert child.stdout is not None
            shown = b""
            while not shown.endswith(PROMPT):
                chunk = os.read(child.stdout.fileno(), 4096)
                if not chunk:
                    raise RuntimeError(f"chat ended before its prompt: {shown.decode()!r}")
                shown += chunk
            seconds = time.perf_counter() - began
            child.communicate(b"quit\n", timeout=60)
        errors.seek(0)
        return seconds, errors.read().decode()


def imports(report: str) -> tuple[float, list[tuple[float, str]]]:
    """From ``-X importtime`` output: total seconds, and every module with its cumulative."""
    total, modules = 0.0, []
    for line in report.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|")
        seconds = int(cumulative) / 1e6
        modules.append((seconds, name.rstrip()))
        if not name.startswith("  "):  # a top-level import: its cumulative holds the rest
            total += seconds
    return total, modules


def top(modules: Sequence[tuple[float, str]], count: int) -> None:
    """The ``count`` costliest imports, indented as ``-X importtime`` nests them."""
    for seconds, name in sorted(modules, reverse=True)[:count]:
        print(f"    {seconds * 1000:7.1f} ms {name}")
    loaded = {name.strip().split(".")[0] for _, name in modules}
    print(f"    loaded: {', '.join(h for h in HEAVY if h in loaded) or 'none of ' + str(HEAVY)}")


def main() -> None:
    """Print the medians, then the costliest imports of one run of each."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--top", type=int, default=12, help="imports to list for each")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        env = _environment(Path(folder) / "bench.sqlite3")
        os.chdir(folder)  # no .env file is read
        chat_run(env)  # creates the schema, and warms the file cache
        help_wall = [help_run(env)[0] for _ in range(args.runs)]
        help_imports = [imports(help_run(env, "-X", "importtime")[1]) for _ in range(args.runs)]
        chat_prompt = [chat_run(env)[0] for _ in range(args.runs)]
        chat_imports = imports(chat_run(env, "-X", "importtime")[1])

    def median(values: Sequence[float]) -> str:
        return f"median {statistics.median(values):.3f} s (min {min(values):.3f}, {args.runs} runs)"

    print(f"python -m bot --help, wall        {median(help_wall)}")
    print(f"python -m bot --help, imports     {median([t for t, _ in help_imports])}")
    print(f"python -m bot chat, first prompt  {median(chat_prompt)}")
    print("\ncostliest imports of `python -X importtime -m bot --help` (one run):")
    top(help_imports[-1][1], args.top)
    print(f"\ncostliest imports of `python -m bot chat` (one run, {chat_imports[0]:.3f} s in all):")
    top(chat_imports[1], args.top)


if __name__ == "__main__":
    main()
