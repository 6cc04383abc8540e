"""Rendering the coach's platform-neutral replies as Discord messages.

Text becomes Discord Markdown with every span escaped; a message longer than Discord's 2,000
characters goes out in pieces, its buttons under the last; buttons become components (at most
five a row and five rows); a document or an image becomes a file attachment. Nothing sent ever
pings anyone: the client allows no mentions.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import discord

from bot.services.presentation.cues import Cue, Words
from bot.services.presentation.replies import Button, DeepLink, Message, Typed
from bot.services.presentation.text import Span, Style, Text
from handlers.pieces import pieces

MAX_CONTENT = 2000  # characters in a message
MAX_ROW = 5  # buttons in an action row
MAX_ROWS = 5  # action rows in a message
MAX_CUSTOM_ID = 100  # characters
MAX_LABEL = 80  # characters
DM_PREFIX = "dm:"  # a DeepLink's custom_id: open a DM with the presser and start it there
TYPE_ANSWER = "discord:type"  # the button that opens a form to type an answer in a channel
TYPE_LABEL = "✏️ Type an answer"  # its label
ANSWER_FORM = "discord:answer"  # that form's custom_id
ANSWER_FIELD = "answer"  # its one text field
MAX_TITLE = 45  # characters of a form's title, and of a field's label
MAX_PLACEHOLDER = 100  # characters of a field's placeholder
_FORM_SEPARATOR = "\x1f"  # between the parts of the form a "Type an answer" button opens


WORDS: Words = {
    Cue.CHOOSE_MANY: "Click all that apply, then Done.",
    Cue.CHOOSE_ONE: "Please click one of the buttons below.",
    Cue.SHARE_LOCATION: "",
    Cue.TYPE_IN_CLUB_CHAT: f" To type it, click {TYPE_LABEL}.",
    Cue.PRIVATE_CHAT: "a DM with me",
    Cue.THE_GROUP: "the channel",
    Cue.THIS_GROUP: "this channel",
    Cue.GROUP_ADMINS: "server admins",
    Cue.PRESS: "click",
    Cue.NO_CALENDAR_LINK: (
        "\n\nA link your calendar app could follow by itself needs the bot to run on a public "
        "web address, and right now it doesn't, so the file is the way for now."
    ),
}
"""The coach's cues in Discord's words."""
MARKS = {Style.BOLD: "**", Style.ITALIC: "*"}
SEPARATOR = "\u200b"  # a zero-width space: keeps two touching styles apart
ESCAPED = re.compile(
    r"(?P<url>(?:https?|steam)://[^\s<]+[^<.,:;\"')\]\s])"  # a link stays a link, as typed
    r"|[\\*_~|`>#\-\[<@]"  # Markdown, and the start of a mention or a timestamp
    r"|(?<=\d)\.(?=\s)",  # "1. " would start a list
)


def markdown(text: Text) -> str:
    """The text as Discord Markdown in Discord's words, every span escaped; a moment as a
    Discord timestamp, which each reader sees in their own time zone.

    Two styled spans that touch (bold then italic reads ``***``, which Discord takes for bold
    italics) are kept apart by a zero-width space."""
    out: list[str] = []
    marked = False  # the last piece ended with a style's closing mark
    for span in text.worded(WORDS).spans:
        shown = _span(span)
        if marked and shown[:1] == "*":
            out.append(SEPARATOR)
        out.append(shown)
        marked = shown.endswith("*") and span.style in MARKS
    return "".join(out)


def escape(text: str) -> str:
    """Someone's words as Discord shows them as typed: Markdown escaped, and nothing that
    reads as a mention (``@everyone``, ``<@123>``) or a timestamp (``<t:…>``). Nothing could
    ping anyone anyway: the client allows no mentions."""
    return ESCAPED.sub(lambda m: m["url"] or "\\" + m[0], text)


def _span(span: Span) -> str:
    shown = (
        discord.utils.format_dt(span.at, style="t") if span.at is not None else escape(span.text)
    )
    mark = MARKS.get(span.style)
    core = shown.strip()
    if mark is None or not core:
        return shown
    start = shown.index(core)  # Markdown marks must touch the words they style
    return f"{shown[:start]}{mark}{core}{mark}{shown[start + len(core) :]}"


def pieces_of(message: Message) -> list[str]:
    """The message's text (with a dialog's answers so far above it), rendered, in pieces of
    at most 2,000 characters."""
    return pieces(message.shown.worded(WORDS), limit=MAX_CONTENT, render=markdown)


def form_id(typed: Typed) -> str:
    """The custom_id of the button that opens the form for this typed answer: the form's
    question, label and example ride in it, cut to what fits 100 characters."""
    parts = [typed.question[:MAX_TITLE], typed.label[:MAX_TITLE], typed.example]
    return _FORM_SEPARATOR.join([TYPE_ANSWER, *parts])[:MAX_CUSTOM_ID]


def form_of(data: str) -> Typed:
    """The typed answer a "Type an answer" button's custom_id describes (anything missing,
    as on a button from before forms had words, reads as a plain answer)."""
    _button, *parts = data.split(_FORM_SEPARATOR)
    question, label, example = [*parts, "", "", ""][:3]
    return Typed(question or "Your answer", label or "Answer", example)


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
    if typing and message.typed is not None:
        laid.append([Button(TYPE_LABEL, form_id(message.typed))])
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


def outgoing(message: Message, *, typing: bool = False) -> list[Outgoing]:
    """The Discord messages one coach message becomes: the file on the first, the buttons on
    the last."""
    texts = pieces_of(message)
    last = len(texts) - 1
    return [
        Outgoing(
            text,
            view(message, typing=typing) if number == last else None,
            attachment(message) if number == 0 else None,
        )
        for number, text in enumerate(texts)
    ]
