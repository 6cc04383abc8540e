"""The one question message with live buttons in each chat, for the adapters that edit.

A dialog asks each question in one message; when it moves on below (after a typed answer,
or when a reminder opens a check-in), the question it leaves behind must lose its buttons.
The adapter remembers which message that is, per chat. It is a cache: after a restart, or
on another instance, an old question keeps its buttons, and pressing one is answered as out
of date, in place.
"""

from __future__ import annotations

from collections import OrderedDict

from bot.services.presentation.replies import Part

MAX_CHATS = 10_000  # the oldest chat's question is forgotten beyond this


class LiveQuestions:
    """Which message holds the open question in each chat (by the platform's message id)."""

    def __init__(self, limit: int = MAX_CHATS) -> None:
        self._limit = limit
        self._by_chat: OrderedDict[str, str] = OrderedDict()

    def moved_on(self, chat_id: str, message_id: str, part: Part) -> str | None:
        """The message ``message_id`` was sent or edited as ``part`` in ``chat_id``: returns the
        question message it leaves behind (whose buttons must go), if any."""
        if part is Part.NONE:
            return None
        before = self._by_chat.pop(chat_id, None)
        if part is Part.ASKS:
            self._by_chat[chat_id] = message_id
            if len(self._by_chat) > self._limit:
                self._by_chat.popitem(last=False)
        return before if before != message_id else None
