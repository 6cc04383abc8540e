"""A runner talking to the coach through the services, with a clock the test sets."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.services.coach import Coach
from bot.services.context import Person, Platform, ServiceContext
from bot.services.dialogs.buttons import decode
from bot.services.presentation.replies import Button, Reply
from bot.storage.database import Database
from tests.conftest import RED_FLAG_ANSWERS, FakeClock, Script, onboarding


@dataclass
class Talker:
    """Acts as one person: sends commands and text, presses buttons by their label."""

    coach: Coach
    person: Person
    replies: list[Reply] = field(default_factory=list)

    @property
    def last(self) -> Reply:
        return self.replies[-1]

    @property
    def text(self) -> str:
        return "\n".join(str(message.text) for message in self.last)

    async def command(self, name: str, payload: str = "") -> Reply:
        return self._keep(await self.coach.command(self.person, name, payload))

    async def say(self, text: str) -> Reply:
        return self._keep(await self.coach.text(self.person, text))

    async def press(self, label: str, *, reply: Reply | None = None) -> Reply:
        return self._keep(await self.coach.button(self.person, self.button(label, reply).data))

    async def press_data(self, data: str) -> Reply:
        return self._keep(await self.coach.button(self.person, data))

    def button(self, label: str, reply: Reply | None = None) -> Button:
        for message in reversed(reply or self.last):
            for row in message.buttons:
                for button in row:
                    if isinstance(button, Button) and button.label.removeprefix("✓ ") == label:
                        return button
        labels = [b.label for m in (reply or self.last) for row in m.buttons for b in row]
        raise AssertionError(f"no button {label!r} in {labels}")

    async def follow(self, script: Script) -> None:
        """Do every step of a script."""
        for kind, value in script:
            if kind == "say":
                await (self.command(value[1:]) if value.startswith("/") else self.say(value))
            else:
                await self.press(value)

    def _keep(self, reply: Reply) -> Reply:
        """Keep the reply; every button in it must carry what the codec reads back."""
        for message in reply:
            for row in message.buttons:
                for button in row:
                    if isinstance(button, Button):
                        assert decode(button.data) is not None, button
        self.replies.append(reply)
        return reply


@pytest.fixture
def coach(database: Database, clock: FakeClock) -> Coach:
    return Coach(ServiceContext(database, clock, "Europe/Berlin"))


@pytest.fixture
def runner(coach: Coach) -> Talker:
    return Talker(coach, Person(Platform.TELEGRAM, "501", "501", "Ada"))


async def onboard(runner: Talker, *, kit: tuple[str, ...] = ()) -> None:
    """Answer every onboarding question and confirm."""
    await runner.follow(onboarding(kit=kit))


async def go_to_next_session(talker: Talker, clock: FakeClock) -> None:
    """Move the clock day by day until /today shows a session with buttons."""
    for _ in range(8):
        reply = await talker.command("today")
        if any(message.buttons for message in reply):
            return
        clock.advance(days=1)
    raise AssertionError("no session within a week")


async def log_done(talker: Talker, *, effort: str = "OK") -> None:
    await talker.press("✅ Done")
    await talker.press("All of it")
    await talker.press(effort)
    await talker.press("Nothing hurt")
    if any(b.label.startswith("Yes, level") for m in talker.last for r in m.buttons for b in r):
        await talker.press("Yes, level")


async def session_then_check_in(runner: Talker, clock: FakeClock, check_in: Script) -> str:
    """The next session, done, and the next day the check-in ``check_in``: its reply."""
    await go_to_next_session(runner, clock)
    await log_done(runner)
    clock.advance(days=1)
    await runner.follow(check_in)
    return runner.text


async def red_flag_after_a_session(runner: Talker, clock: FakeClock) -> str:
    """The next session, done, then a check-in reporting a red flag (C7): its reply."""
    return await session_then_check_in(runner, clock, [("say", "/checkin"), *RED_FLAG_ANSWERS])
