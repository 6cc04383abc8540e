"""Words that belong to one platform: no other platform's replies may use them.

Each adapter's conversation test runs the flows (onboarding, a session, a check-in, the
settings, a club, /deleteme, errors) and scans every reply, button and form for the words
of the others.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol, TypeVar

from tests.conftest import KNEE_PAIN_CHECK_IN, TYPED_RACE, WEEK, FakeClock, Script

TELEGRAM = (
    r"\btap (all|one|a|an|the|them|where|it|\")\b",  # a button (not "plank shoulder taps")
    r"reply to (this|my) message",
    r"share (your|a) location",
    r"\bgroups?\b",
    r"private chat",
    r"supergroup",
    r"\bTelegram\b",
    r"webhook",
)
"""Telegram's: a button is tapped, a club lives in a group, typing there is replying."""
DISCORD = (
    r"\bclick(s|ed)?\b",
    r"\bDMs?\b",
    r"direct message",
    r"\bservers?\b",
    r"Type an answer",
    r"\bDiscord\b",
)
"""Discord's: a button is clicked, a private chat is a DM, a club lives in a server."""
CONSOLE = (r"\bletters?\b",)
"""The console's: choices are picked by their letter."""
CHAT_APP = (r"\bbuttons?\b", r"\bchannels?\b", r"calendar app could follow", r"subscription")
"""What the chat apps have and the offline console does not: buttons, chats, a web server."""


def foreign(texts: Iterable[str], *words: tuple[str, ...]) -> list[tuple[str, str]]:
    """Each (pattern, text) where a text uses one of another platform's ``words``."""
    return [
        (pattern, text)
        for text in texts
        for group in words
        for pattern in group
        if re.search(pattern, text, flags=re.IGNORECASE if pattern.islower() else 0)
    ]


class ChatUser(Protocol):
    """A runner on a chat app's fake: what the shared flows ask of one."""

    async def send(self, text: str) -> None: ...

    async def press(self, label: str) -> object: ...

    async def follow(self, script: Script) -> None: ...


User = TypeVar("User", bound=ChatUser)


async def onboarding_to_commands(
    ada: User,
    clock: FakeClock,
    next_session: Callable[[User, FakeClock], Awaitable[None]],
    log_done: Callable[[User], Awaitable[None]],
) -> None:
    """The flows both chat apps share: onboarding with typed and refused answers, a
    session, a check-in, a settings change and the commands."""
    await ada.send("/start")
    await ada.send("plenty")  # not one of the choices
    await ada.press("Some")
    for kind in WEEK:
        await ada.press(kind)
    await ada.press("Yes, 5")
    await ada.send(f"15 May {TYPED_RACE}")
    await ada.send("loads")  # a multi-choice question typed at
    await ada.press("None of these")
    await ada.press("Two (recommended)")
    await ada.send("whenever")
    await ada.send("7:30")
    await ada.send("Atlantis")
    await ada.press("Europe/Berlin")
    await ada.press("Looks good")
    await next_session(ada, clock)
    await log_done(ada)
    clock.advance(days=1)
    await ada.follow(KNEE_PAIN_CHECK_IN)
    await ada.send("/settings")
    await ada.press("Reminder time")
    await ada.send("6:15pm")
    for command in ("/week", "/history", "/calendar", "/pause", "/resume", "/help", "/moonwalk"):
        await ada.send(command)
