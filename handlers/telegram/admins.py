"""Who is an admin of a group: asked of Telegram, remembered briefly."""

from __future__ import annotations

import time
from collections.abc import Callable

from telegram import Bot
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, Forbidden

ADMIN_STATUSES = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}


class AdminCheck:
    """``getChatMember`` answers, cached for ``ttl`` seconds per chat and user."""

    def __init__(self, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._seen: dict[tuple[int, int], tuple[float, bool]] = {}

    async def is_admin(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        """Whether the user is the creator or an administrator of the chat."""
        key = (chat_id, user_id)
        cached = self._seen.get(key)
        now = self.clock()
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except (BadRequest, Forbidden):
            return False  # not a member Telegram knows of here: not an admin (not cached)
        # Any other failure (a timeout, a server error) propagates: the handler fails, is
        # logged, and the person is asked to try again, instead of being told they're no admin.
        answer = member.status in ADMIN_STATUSES
        self._seen[key] = (now, answer)
        return answer
