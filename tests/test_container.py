"""The Dockerfile and compose.yaml cannot be built here (no image registry), so their commands
are checked against what works (issue 29): the install is the README's, it copies every
package the install needs, the start is ``python -m bot run`` as the install made it, the
HEALTHCHECK asks the real ``/healthz`` route, and compose's database URL is one the bot reads.
Also the LICENSE and pyproject's metadata."""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from bot.cli import _handler, build_parser, main
from bot.settings import Settings
from handlers.health import health_routes
from handlers.web import WebServer

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


@dataclass(frozen=True)
class Instruction:
    keyword: str
    argument: str

    def exec_form(self) -> list[str]:
        """The argument as a JSON list (``CMD ["a", "b"]``)."""
        words: list[str] = json.loads(self.argument)
        return words


def dockerfile() -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined, comments left out."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        Instruction(*line.split(maxsplit=1)) for line in lines if line and not line.startswith("#")
    ]


def only(keyword: str) -> Instruction:
    [found] = [i for i in dockerfile() if i.keyword == keyword]
    return found


def env() -> dict[str, str]:
    """Every ENV variable the Dockerfile sets (``ENV A=1 B=2``)."""
    words = [w for i in dockerfile() if i.keyword == "ENV" for w in shlex.split(i.argument)]
    return dict(word.split("=", 1) for word in words)


def readme_quick_start() -> tuple[str, str]:
    """The README's install command and its start command, from the quick start line."""
    [line] = [
        line
        for line in (ROOT / "README.md").read_text().splitlines()
        if "pip install -e ." in line and line.rstrip().endswith("-m bot run")
    ]
    *install, start = line.split(" && ")
    return " && ".join(install), start


def workdir_at(index: int) -> PurePosixPath:
    """The WORKDIR in force at the ``index``-th instruction."""
    set_before = [i.argument for i in dockerfile()[:index] if i.keyword == "WORKDIR"]
    return PurePosixPath(set_before[-1])


def test_the_image_installs_with_the_readmes_command_on_a_supported_python() -> None:
    instructions = dockerfile()
    base = only("FROM").argument
    match = re.fullmatch(r"python:3\.(\d+)-slim", base)
    assert match, base
    minimum = int(PYPROJECT["project"]["requires-python"].removeprefix(">=3."))
    assert int(match[1]) >= minimum

    install, _ = readme_quick_start()
    runs = [i.argument for i in instructions if i.keyword == "RUN"]
    assert install in runs


def test_the_image_copies_everything_the_install_reads() -> None:
    copied = {name for i in dockerfile() if i.keyword == "COPY" for name in i.argument.split()[:-1]}
    packages = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    assert {package.removesuffix("*") for package in packages} <= copied
    project = PYPROJECT["project"]
    assert {"pyproject.toml", project["readme"], *project["license-files"]} <= copied


def test_the_image_starts_the_bot_as_the_install_made_it_and_not_as_root() -> None:
    instructions = dockerfile()
    install, start = readme_quick_start()
    command = only("CMD").exec_form()
    venv_python, *arguments = shlex.split(start)
    installed_at = [i.argument for i in instructions].index(install)
    assert PurePosixPath(command[0]) == workdir_at(installed_at) / venv_python
    assert command[1:] == arguments == ["-m", "bot", "run"]
    assert (ROOT / "bot" / "__main__.py").is_file()
    args = build_parser().parse_args(arguments[2:])
    assert callable(_handler(args.handler))
    with pytest.raises(SystemExit) as helped:
        main(["run", "--help"])
    assert helped.value.code == 0

    user = [i for i in instructions if i.keyword == "USER"]
    assert [u.argument for u in user] == ["coach"]
    assert instructions.index(user[0]) < instructions.index(only("CMD"))


async def test_the_healthcheck_asks_the_health_route_on_health_port() -> None:
    check = only("HEALTHCHECK").argument
    options, _, command = check.partition(" CMD ")
    assert "--interval=" in options
    python, flag, code = json.loads(command)
    assert (python, flag) == (only("CMD").exec_form()[0], "-c")
    port = env()["HEALTH_PORT"]
    assert f"http://127.0.0.1:{port}/healthz" in code
    assert Settings(_env_file=None, health_port=port).health_port == int(port)

    async def ready() -> list[str]:
        return []

    server = WebServer(health_routes(ready), host="127.0.0.1", port=0)
    await server.start()
    try:  # the probe's own code, run against the real route
        probe = code.replace(f":{port}/", f":{server.port}/")
        await asyncio.to_thread(exec, probe, {})
    finally:
        await server.stop()


def test_compose_runs_the_bot_on_postgresql_16_with_a_volume() -> None:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    db, bot = compose["services"]["db"], compose["services"]["bot"]
    assert db["image"] == "postgres:16"
    [volume] = db["volumes"]
    name, path = volume.split(":")
    assert path == "/var/lib/postgresql/data" and name in compose["volumes"]
    assert bot["build"] == "."
    assert bot["depends_on"] == {"db": {"condition": "service_healthy"}}
    environment = bot["environment"]
    url = environment["DATABASE_URL"].replace("${POSTGRES_PASSWORD}", "pw")
    user, database = db["environment"]["POSTGRES_USER"], db["environment"]["POSTGRES_DB"]
    assert url == f"postgresql://{user}:pw@db:5432/{database}"
    assert Settings(_env_file=None, database_url=url).database_url.startswith(
        "postgresql+asyncpg://"
    )
    assert environment["HEALTH_PORT"] == env()["HEALTH_PORT"]


def test_the_license_is_the_one_pyproject_names() -> None:
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")
    assert "Telegram" in project["description"] and "Discord" in project["description"]
