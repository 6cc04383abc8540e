"""What a service answers: platform-neutral messages that every adapter renders."""

from __future__ import annotations

from dataclasses import dataclass

MAX_CALLBACK_BYTES = 64  # Telegram's limit for callback data


@dataclass(frozen=True, slots=True)
class Button:
    """A button; ``data`` comes back verbatim when it is pressed."""

    label: str
    data: str

    def __post_init__(self) -> None:
        if not 0 < len(self.data.encode()) <= MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data must be 1-{MAX_CALLBACK_BYTES} bytes: {self.data!r}")


@dataclass(frozen=True, slots=True)
class DeepLink:
    """A button that opens a private chat with the bot, starting it with ``payload``."""

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
    """One message: text with <b>/<i> markup, optional buttons (rows), or a document or an
    image with the text as its caption.

    ``replace`` asks the adapter to edit the message a button was pressed on, when it can;
    ``toast`` answers a pressed button with a short note to the presser alone; ``stale`` says
    the pressed button was out of date and changed nothing, so the adapter takes its buttons
    away without marking a choice. ``typed`` says the question also takes a typed answer, so an
    adapter where typing is not simply sending a message (a Discord server channel) offers a
    form to type it in.
    """

    text: str
    buttons: tuple[tuple[Button | DeepLink, ...], ...] = ()
    document: Document | None = None
    image: Document | None = None
    replace: bool = False
    toast: bool = False
    stale: bool = False
    typed: bool = False


Reply = tuple[Message, ...]


def say(text: str, *rows: tuple[Button | DeepLink, ...], replace: bool = False) -> Reply:
    """A reply of one message."""
    return (Message(text, rows, replace=replace),)


def toast(text: str) -> Reply:
    """A short note shown only to whoever pressed the button (never posted to a group)."""
    return (Message(text, toast=True),)


def out_of_date(text: str) -> Reply:
    """The answer to a button that was out of date: it changed nothing."""
    return (Message(text, stale=True),)
