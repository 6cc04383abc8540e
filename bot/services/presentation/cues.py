"""What each platform says its own way: the coach names a cue, each adapter words it.

A button is tapped on Telegram, clicked on Discord and picked by its letter on the console; a
private chat is a DM on Discord; a club lives in a Telegram group or a Discord server channel;
only Telegram can share a location. The services put a ``Cue`` in their ``Text`` where the
words depend on the platform, and each adapter keeps a ``Words`` table for every cue (an
empty string where its platform has nothing to say). ``NEUTRAL`` is how a cue reads without a
platform, in ``str()`` of a text and in the services' own tests.

A cue that adds a sentence (or a paragraph) to what comes before it brings its own leading
space (or blank line), so that where a platform words it as nothing, nothing is left behind.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping


class Cue(enum.StrEnum):
    """Something every platform words its own way."""

    CHOOSE_MANY = "choose_many"
    """A sentence: pick every answer that applies, then Done."""
    CHOOSE_ONE = "choose_one"
    """A sentence: the answer is one of the choices offered below."""
    SHARE_LOCATION = "share_location"
    """A sentence after another: a shared location answers too (nothing where a location
    cannot be shared)."""
    TYPE_IN_CLUB_CHAT = "type_in_club_chat"
    """A sentence after another: how to type an answer to the bot's question in a club's
    chat."""
    PRIVATE_CHAT = "private_chat"
    """Words: a one-to-one chat with the coach ("a private chat with me")."""
    THE_GROUP = "the_group"
    """Words: the club's chat, where members talk ("the group")."""
    THIS_GROUP = "this_group"
    """Words: the club's chat, from inside it ("this group")."""
    GROUP_ADMINS = "group_admins"
    """Words: who may set the club up ("the group's admins")."""
    PRESS = "press"
    """A verb: what a person does to a button ("press")."""
    NO_CALENDAR_LINK = "no_calendar_link"
    """A paragraph after another: why no calendar link is offered (nothing where links never
    are)."""


Words = Mapping[Cue, str]
"""A platform's words for every cue."""

NEUTRAL: Words = {
    Cue.CHOOSE_MANY: "Choose all that apply, then Done.",
    Cue.CHOOSE_ONE: "Please choose one of the answers below.",
    Cue.SHARE_LOCATION: "",
    Cue.TYPE_IN_CLUB_CHAT: "",
    Cue.PRIVATE_CHAT: "a private chat with me",
    Cue.THE_GROUP: "the club's chat",
    Cue.THIS_GROUP: "this chat",
    Cue.GROUP_ADMINS: "the club's admins",
    Cue.PRESS: "choose",
    Cue.NO_CALENDAR_LINK: (
        "\n\nA link your calendar app could follow by itself needs the bot to run on a public web "
        "address, and right now it doesn't, so the file is the way for now."
    ),
}
