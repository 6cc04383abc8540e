"""Rendering the coach's platform-neutral replies as Discord messages.

Text becomes Discord Markdown with every span escaped; a message longer than Discord's 2,000
characters goes out in pieces, its buttons under the last; buttons become components (at most
five a row and five rows); a document or an image becomes a file attachment. Nothing sent ever
pings anyone: the client allows no mentions.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from html.parser import HTMLParser

import discord

from bot.services.render import split
from bot.services.replies import Button, DeepLink, Message

MAX_CONTENT = 2000  # characters in a message
MAX_ROW = 5  # buttons in an action row
MAX_ROWS = 5  # action rows in a message
MAX_CUSTOM_ID = 100  # characters
MAX_LABEL = 80  # characters
DM_PREFIX = "dm:"  # a DeepLink's custom_id: open a DM with the presser and start it there
TYPE_ANSWER = "discord:type"  # the button that opens a form to type an answer in a channel
ANSWER_FORM = "discord:answer"  # that form's custom_id
ANSWER_FIELD = "answer"  # its one text field


MARKS = {"b": "**", "i": "*"}  # the coach's markup tags in Markdown


class _Markdown(HTMLParser):
    """The coach's <b>/<i> text as Discord Markdown, every piece of text escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(MARKS.get(tag, ""))

    def handle_endtag(self, tag: str) -> None:
        self.out.append(MARKS.get(tag, ""))

    def handle_data(self, data: str) -> None:
        self.out.append(discord.utils.escape_markdown(data))


def markdown(text: str) -> str:
    """A message's text as Discord Markdown (the one place text is turned into Markdown)."""
    parser = _Markdown()
    parser.feed(text)
    parser.close()
    return "".join(parser.out)


def pieces(message: Message) -> list[str]:
    """The message's text, rendered, in pieces of at most 2,000 characters."""
    return split(markdown(message.text), MAX_CONTENT)


def custom_id(data: str) -> str:
    """A button's data as a custom_id, which Discord limits to 100 characters."""
    if not 0 < len(data) <= MAX_CUSTOM_ID:
        raise ValueError(f"a custom_id must be 1-{MAX_CUSTOM_ID} characters: {data!r}")
    return data


def label(text: str) -> str:
    """A button label within Discord's 80 characters."""
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def rows(message: Message, *, typing: bool = False) -> list[list[Button | DeepLink]]:
    """The message's buttons in rows Discord accepts: at most five a row, five rows.

    ``typing`` adds a button that opens a form to type the answer in (for a server channel,
    where the question cannot be answered by simply sending a message).
    """
    laid: list[list[Button | DeepLink]] = [
        list(row[i : i + MAX_ROW]) for row in message.buttons for i in range(0, len(row), MAX_ROW)
    ]
    if typing and message.typed:
        laid.append([Button("✏️ Type an answer", TYPE_ANSWER)])
    if len(laid) > MAX_ROWS:  # too many rows: pack every button five to a row
        flat = [button for row in laid for button in row]
        laid = [flat[i : i + MAX_ROW] for i in range(0, len(flat), MAX_ROW)]
    if len(laid) > MAX_ROWS:
        raise ValueError(f"a Discord message holds at most {MAX_ROW * MAX_ROWS} buttons")
    return laid


def view(message: Message, *, typing: bool = False) -> discord.ui.View | None:
    """The message's buttons as components, or None without any.

    The view is stopped before it is sent, so the library never stores it: every press goes to
    the one router, by its custom_id, even after a restart.
    """
    laid = rows(message, typing=typing)
    if not laid:
        return None
    components = discord.ui.View(timeout=None)
    for number, row in enumerate(laid):
        for button in row:
            data = button.data if isinstance(button, Button) else DM_PREFIX + button.payload
            components.add_item(
                discord.ui.Button(label=label(button.label), custom_id=custom_id(data), row=number)
            )
    components.stop()
    return components


def link(label_text: str, url: str) -> discord.ui.View:
    """One link button (opens ``url``), stopped like every view."""
    components = discord.ui.View(timeout=None)
    components.add_item(discord.ui.Button(label=label(label_text), url=url))
    components.stop()
    return components


def attachment(message: Message) -> discord.File | None:
    """The message's document or image as a file to attach, if it has one."""
    document = message.image or message.document
    if document is None:
        return None
    return discord.File(io.BytesIO(document.content), filename=document.filename)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Discord message to send: content, components and an attachment."""

    content: str
    view: discord.ui.View | None = None
    file: discord.File | None = None

    def options(self) -> dict[str, object]:
        """The keyword arguments of a send (only those that are set)."""
        extra: dict[str, object] = {}
        if self.view is not None:
            extra["view"] = self.view
        if self.file is not None:
            extra["file"] = self.file
        return {"content": self.content, **extra}


def outgoing(message: Message, *, typing: bool = False) -> list[Outgoing]:
    """The Discord messages one coach message becomes: the file on the first, the buttons on
    the last."""
    texts = pieces(message)
    last = len(texts) - 1
    return [
        Outgoing(
            text,
            view(message, typing=typing) if number == last else None,
            attachment(message) if number == 0 else None,
        )
        for number, text in enumerate(texts)
    ]
