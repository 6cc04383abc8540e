"""A runner driving the coach's Application in the benchmarks, by text and buttons."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from handlers.telegram.application import CoachApplication
from tests.fake_telegram import FakeBotAPI, process, updates

JSONDict = dict[str, Any]
WEEK = ("Rest", "Easy run", "Hard run", "Easy run", "Rest", "Long run", "Easy run")
POST_SESSION = ("All of it", "OK", "Nothing hurt", "Yes, level")
CHECK_IN = ("Sore muscles", "Hamstrings", "Done", "Yes", "Fine")


class Rider:
    """One runner driving the Application, timing only their button presses."""

    def __init__(
        self,
        app: CoachApplication,
        api: FakeBotAPI,
        user_id: int,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.app, self.api, self.clock = app, api, clock  # ``clock`` times: wall or CPU
        self.user = updates.user(user_id=user_id, first_name=f"R{user_id}")
        self.chat_id = user_id

    async def send(self, text: str) -> None:
        await process(self.app, updates.text_message(text=text, from_user=self.user))

    def offered(self, label: str) -> tuple[JSONDict, str] | None:
        messages = self.api.sent_messages(self.chat_id)
        for message in reversed(messages[-3:]):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if str(button["text"]).removeprefix("✓ ") == label:
                        return message, str(button["callback_data"])
        return None

    async def press(self, label: str, timings: list[float] | None = None) -> bool:
        found = self.offered(label)
        if found is None:
            return False
        message, data = found
        update = updates.callback_query(message=message, data=data, from_user=self.user)
        started = self.clock()
        await process(self.app, update)
        if timings is not None:
            timings.append(self.clock() - started)
        return True

    async def onboard(self) -> None:
        await self.send("/start")
        for label in ("Some", *WEEK, "Yes, 5", "No race planned", "Sliders or a towel", "Done"):
            await self.press(label)
        await self.press("Two (recommended)")
        await self.send("7:00")
        for label in ("Europe/Berlin", "Looks good"):
            await self.press(label)

    async def day(self, timings: list[float]) -> None:
        """Answer today's check-in, then do today's session, pressing every button."""
        await self.send("/checkin")
        for label in CHECK_IN:
            await self.press(label, timings)
        await self.send("/today")
        if await self.press("✅ Done", timings):
            for label in POST_SESSION:
                await self.press(label, timings)
