"""Whether the bot can do its work now: named checks, each answering within a timeout with
nothing (fine) or a reason, which ``/readyz`` lists."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy import text

from bot.storage.database import Database

Check = Callable[[], Awaitable[str | None]]
"""None when the part is fine; else why not, in a few words (never a secret)."""

TIMEOUT = 3.0  # seconds a check may take before it counts as no answer


class Readiness:
    """Ready when every check passes; ``problems`` names each that does not."""

    def __init__(self, timeout: float = TIMEOUT) -> None:
        self.timeout = timeout
        self._checks: dict[str, Check] = {}

    def add(self, name: str, check: Check) -> None:
        """Check ``name`` with ``check`` from now on."""
        self._checks[name] = check

    async def problems(self) -> list[str]:
        """``"name: reason"`` for each check that fails, all run at once."""
        reasons = await asyncio.gather(*(self._ask(check) for check in self._checks.values()))
        return [f"{name}: {why}" for name, why in zip(self._checks, reasons, strict=True) if why]

    async def _ask(self, check: Check) -> str | None:
        try:
            return await asyncio.wait_for(check(), self.timeout)
        except TimeoutError:
            return f"no answer within {self.timeout:g} s"
        except Exception as error:  # its name, not its text: a driver's text may quote a URL
            return type(error).__name__


def answers(database: Database) -> Check:
    """The database answers a query."""

    async def check() -> None:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    return check


def at_once(reason: Callable[[], str | None]) -> Check:
    """A check that ``reason`` answers without waiting (a part's own state)."""

    async def check() -> str | None:
        return reason()

    return check


def connected(is_connected: Callable[[], bool]) -> Check:
    """A platform's adapter says it is connected."""
    return at_once(lambda: None if is_connected() else "not connected")
