"""Telegram's HTML parse mode: markup in, plain text and entities out, or a parse error."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from tests.fake_telegram.updates import utf16_length

JSONDict = dict[str, Any]

_ENTITY_BY_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


def parse_entities(text: str, parse_mode: str | None) -> tuple[str, list[JSONDict]]:
    """Return the text Telegram shows and its entities; ValueError for malformed HTML.

    Only HTML is parsed. Markdown and MarkdownV2 text is kept verbatim, without entities.
    """
    if parse_mode is None or parse_mode.upper() != "HTML":
        return text, []
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    return parser.finish()


class _TelegramHTML(HTMLParser):
    """Collects the text and entities of Telegram's subset of HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._text: list[str] = []
        self._length = 0
        self._open: list[tuple[str, int, JSONDict]] = []
        self._entities: list[JSONDict] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open an entity."""
        if tag not in _ENTITY_BY_TAG:
            raise ValueError(f'Unsupported start tag "{tag}"')
        attributes = dict(attrs)
        entity: JSONDict = {"type": _ENTITY_BY_TAG[tag]}
        if tag == "a":
            entity["url"] = attributes.get("href") or ""
        elif tag == "span" and attributes.get("class") != "tg-spoiler":
            raise ValueError('Tag "span" must have class "tg-spoiler"')
        elif tag == "code" and self._open and self._open[-1][0] == "pre":
            language = (attributes.get("class") or "").removeprefix("language-")
            if language:
                self._open[-1][2]["language"] = language
        elif tag == "blockquote" and "expandable" in attributes:
            entity["type"] = "expandable_blockquote"
        elif tag == "tg-emoji":
            entity["custom_emoji_id"] = attributes.get("emoji-id") or ""
        self._open.append((tag, self._length, entity))

    def handle_endtag(self, tag: str) -> None:
        """Close the innermost entity, which must be `tag`."""
        if not self._open or self._open[-1][0] != tag:
            expected = f'"</{self._open[-1][0]}>"' if self._open else "no end tag"
            raise ValueError(f'Unmatched end tag "</{tag}>", expected {expected}')
        _, offset, entity = self._open.pop()
        nested_code = entity["type"] == "code" and self._open and self._open[-1][0] == "pre"
        if self._length > offset and not nested_code:
            self._entities.append({**entity, "offset": offset, "length": self._length - offset})

    def handle_data(self, data: str) -> None:
        """Append visible text."""
        self._text.append(data)
        self._length += utf16_length(data)

    def finish(self) -> tuple[str, list[JSONDict]]:
        """Return the text and entities, ordered as Telegram orders them."""
        if self._open:
            tag = self._open[-1][0]
            raise ValueError(f'Can\'t find end tag corresponding to start tag "{tag}"')
        entities = sorted(self._entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self._text), entities
