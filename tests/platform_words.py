"""Words that belong to one platform: no other platform's replies may use them.

Each adapter's conversation test runs the flows (onboarding, a session, a check-in, the
settings, a club, /deleteme, errors) and scans every reply, button and form for the words
of the others.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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
