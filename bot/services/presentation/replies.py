"""What a service answers: platform-neutral messages that every adapter renders."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import cache

from pydantic import ConfigDict, TypeAdapter

from bot.services.presentation.text import Text, as_text, join


@dataclass(frozen=True, slots=True)
class Button:
    """A button; ``data`` comes back verbatim when it is pressed: what ``buttons.encode``
    wrote, within every platform's limit (each adapter checks it against its own)."""

    label: str
    data: str


@dataclass(frozen=True, slots=True)
class DeepLink:
    """A button that opens a private chat with the presser, there starting the coach with
    ``payload`` as /start would (each platform in its own way)."""

    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Document:
    """A file to send, such as a data export; as a message's ``image``, a PNG to show."""

    filename: str
    content: bytes
    mime_type: str


@dataclass(frozen=True, slots=True)
class Typed:
    """How a question takes a typed answer: its question in short, the answer's name and an
    example, for a platform that offers a form to type it in."""

    question: str
    label: str
    example: str


class Place(enum.StrEnum):
    """Where a message goes."""

    BELOW = "below"
    """A new message, under the last one."""
    PRESSED = "pressed"
    """In place of the message whose button was pressed, where the platform can edit it;
    else below, that message's buttons taken away."""


class Part(enum.StrEnum):
    """What a message is to the open dialog: each adapter keeps one question message live
    (with its buttons) in a chat, and takes the buttons off the one a dialog leaves behind."""

    NONE = "none"
    """Not a dialog's question."""
    ASKS = "asks"
    """The dialog's question: the live one from now on, and the one before it loses its
    buttons."""
    SETTLES = "settles"
    """The dialog's last word: the live question loses its buttons, and none is live after."""


@dataclass(frozen=True, slots=True)
class Message:
    """One message: text, optional buttons (rows), or a document or an image with the text
    as its caption.

    ``place`` says where it goes, and ``part`` what it is to the open dialog; ``settled`` is
    the dialog's answers so far, which a platform that edits one question message in place
    shows above it. ``toast`` answers a pressed button with a short note to the presser alone;
    ``stale`` says the pressed button was out of date and changed nothing, so the adapter
    takes its buttons away without marking a choice. ``typed`` says the question also takes
    a typed answer (and how), so an adapter where typing is not simply sending a message (a
    Discord server channel) offers a form to type it in.
    """

    text: Text
    buttons: tuple[tuple[Button | DeepLink, ...], ...] = ()
    document: Document | None = None
    image: Document | None = None
    place: Place = Place.BELOW
    part: Part = Part.NONE
    settled: Text = field(default_factory=Text)
    toast: bool = False
    stale: bool = False
    typed: Typed | None = None

    @property
    def shown(self) -> Text:
        """What an edited-in-place question message shows: the answers so far, then the text."""
        return join("\n\n", [part for part in (self.settled, self.text) if part])


Reply = tuple[Message, ...]


def say(text: Text | str, *rows: tuple[Button | DeepLink, ...]) -> Reply:
    """A reply of one message."""
    return (Message(as_text(text), rows),)


def toast(text: Text | str) -> Reply:
    """A short note shown only to whoever pressed the button (never posted to a group)."""
    return (Message(as_text(text), toast=True),)


def out_of_date(text: Text | str) -> Reply:
    """The answer to a button that was out of date: a note to the presser alone; it changed
    nothing, and the pressed message loses its buttons."""
    return (Message(as_text(text), toast=True, stale=True),)


@cache
def _wire() -> TypeAdapter[Reply]:
    """How a reply is written down (files in base64), built at its first use."""
    return TypeAdapter(Reply, config=ConfigDict(ser_json_bytes="base64", val_json_bytes="base64"))


def encode(reply: Reply) -> str:
    """The reply as JSON text, to keep until it is sent."""
    return _wire().dump_json(reply).decode()


def decode(written: str) -> Reply:
    """The reply ``encode`` wrote; ``ValueError`` if it cannot be read back."""
    return _wire().validate_json(written)
