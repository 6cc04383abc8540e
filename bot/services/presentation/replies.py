"""What a service answers: platform-neutral messages that every adapter renders."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.presentation.text import Text, as_text


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
class Message:
    """One message: text, optional buttons (rows), or a document or an image with the text
    as its caption.

    ``replace`` asks the adapter to edit the message a button was pressed on, when it can;
    ``toast`` answers a pressed button with a short note to the presser alone; ``stale`` says
    the pressed button was out of date and changed nothing, so the adapter takes its buttons
    away without marking a choice. ``typed`` says the question also takes a typed answer, so an
    adapter where typing is not simply sending a message (a Discord server channel) offers a
    form to type it in.
    """

    text: Text
    buttons: tuple[tuple[Button | DeepLink, ...], ...] = ()
    document: Document | None = None
    image: Document | None = None
    replace: bool = False
    toast: bool = False
    stale: bool = False
    typed: bool = False


Reply = tuple[Message, ...]


def say(text: Text | str, *rows: tuple[Button | DeepLink, ...], replace: bool = False) -> Reply:
    """A reply of one message."""
    return (Message(as_text(text), rows, replace=replace),)


def toast(text: Text | str) -> Reply:
    """A short note shown only to whoever pressed the button (never posted to a group)."""
    return (Message(as_text(text), toast=True),)


def out_of_date(text: Text | str) -> Reply:
    """The answer to a button that was out of date: it changed nothing."""
    return (Message(as_text(text), stale=True),)
