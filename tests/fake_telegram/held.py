"""A request backend that holds one method's calls per chat until the test lets them through."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from telegram.request import RequestData

from tests.fake_telegram.api import FakeBotAPI
from tests.fake_telegram.inprocess import InProcessRequest


class HeldRequest(InProcessRequest):
    """Holds every call of ``method`` to a held chat; logs when each call starts and ends."""

    def __init__(self, api: FakeBotAPI, *, method: str = "sendMessage") -> None:
        super().__init__(api)
        self.method = method
        self.log: list[tuple[str, int]] = []  # ("start" | "end", chat id), in order
        self._released: dict[int, asyncio.Event] = {}
        self._changed = asyncio.Event()

    def hold(self, *chat_ids: int) -> None:
        """Hold the calls to these chats from now on."""
        for chat_id in chat_ids:
            self._released[chat_id] = asyncio.Event()

    def release(self, chat_id: int) -> None:
        """Let the calls to a chat through."""
        self._released[chat_id].set()

    def release_all(self) -> None:
        """Let every held call through (a test's teardown, so the bot can stop)."""
        for released in self._released.values():
            released.set()

    def started(self, chat_id: int) -> int:
        """How many calls to a chat have started."""
        return self.log.count(("start", chat_id))

    async def until(self, probe: Callable[[], bool], *, within: float = 5.0) -> None:
        """Wait until ``probe`` holds; TimeoutError after ``within`` seconds."""
        async with asyncio.timeout(within):
            while not probe():
                await self._changed.wait()
                self._changed.clear()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        """Answer from the fake, after the chat is released if the call is held."""
        if not url.endswith(f"/{self.method}") or request_data is None:
            return await super().do_request(url, method, request_data, *args, **kwargs)
        chat_id = int(str(request_data.parameters["chat_id"]))
        self._note("start", chat_id)
        if chat_id in self._released:
            await self._released[chat_id].wait()
        try:
            return await super().do_request(url, method, request_data, *args, **kwargs)
        finally:
            self._note("end", chat_id)

    def _note(self, event: str, chat_id: int) -> None:
        self.log.append((event, chat_id))
        self._changed.set()
