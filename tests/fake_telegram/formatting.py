"""Telegram's HTML parse mode: markup in, plain text and entities out, or a parse error.

The rules follow Telegram's own parser (tdlib's ``parse_html``), not a browser's: every ``<``
must open or close a supported tag (``a < b`` and ``<3`` are refused); only ``&lt;``, ``&gt;``,
``&amp;``, ``&quot;`` and numeric references (``&#39;``, ``&#x27;``) are decoded, with or
without the ``;``; any other ``&`` is plain text, ``&nbsp;`` included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HEX = frozenset("0123456789abcdefABCDEF")
_DECIMAL = frozenset("0123456789")
_SPECIAL = re.compile("[<&]")


def parse_entities(text: str, parse_mode: str | None) -> tuple[str, list[JSONDict]]:
    """Return the text Telegram shows and its entities; ValueError for malformed HTML.

    Only HTML is parsed. Markdown and MarkdownV2 text is kept verbatim, without entities.
    """
    if parse_mode is None or parse_mode.upper() != "HTML":
        return text, []
    return _Parser(text).run()


def _reference(text: str, at: int) -> tuple[str, int] | None:
    """The character an ``&`` at ``text[at]`` stands for and where it ends, as Telegram reads
    it; None where the ``&`` is plain text."""
    end = at + 1
    if text.startswith("#", end):
        end += 1
        hexadecimal = text.startswith("x", end)
        end += hexadecimal
        digits = _HEX if hexadecimal else _DECIMAL
        start = end
        while end < len(text) and text[end] in digits:
            end += 1
        code = int(text[start:end], 16 if hexadecimal else 10) if end > start else 0
        if code == 0 or code >= 0x10FFFF or end - at >= 10 or 0xD800 <= code <= 0xDFFF:
            return None
        character = chr(code)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        named = _NAMED.get(text[at + 1 : end])
        if named is None:
            return None
        character = named
    return character, end + text.startswith(";", end)


@dataclass
class _Parser:
    """One pass over the markup, as Telegram's parser makes it."""

    text: str
    shown: list[str] = field(default_factory=list)
    length: int = 0  # of the text shown so far, in UTF-16 code units
    open: list[tuple[str, int, JSONDict]] = field(default_factory=list)
    entities: list[JSONDict] = field(default_factory=list)

    def run(self) -> tuple[str, list[JSONDict]]:
        at = 0
        while at < len(self.text):
            special = _SPECIAL.search(self.text, at)
            plain_end = special.start() if special is not None else len(self.text)
            if plain_end > at:
                self._show(self.text[at:plain_end])
                at = plain_end
            elif self.text[at] == "&":
                reference = _reference(self.text, at)
                self._show(reference[0] if reference is not None else "&")
                at = reference[1] if reference is not None else at + 1
            elif self.text.startswith("</", at):
                at = self._close(at)
            else:
                at = self._open(at)
        if self.open:
            tag = self.open[-1][0]
            raise ValueError(f'Can\'t find end tag corresponding to start tag "{tag}"')
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.shown), entities

    def _show(self, text: str) -> None:
        self.shown.append(text)
        self.length += utf16_length(text)

    def _byte(self, at: int) -> int:
        return len(self.text[:at].encode())

    def _open(self, begin: int) -> int:
        """Open the tag starting at ``begin``; returns where its ``>`` ends."""
        at = self._word_end(begin + 1)
        if at >= len(self.text):
            raise ValueError(f"Unclosed start tag at byte offset {self._byte(begin)}")
        tag = self.text[begin + 1 : at].lower()
        if tag not in _ENTITY_BY_TAG:
            raise ValueError(f'Unsupported start tag "{tag}" at byte offset {self._byte(begin)}')
        attributes: dict[str, str] = {}
        while True:
            at = self._skip_spaces(at)
            if at >= len(self.text):
                raise ValueError(f'Unclosed start tag "{tag}" at byte offset {self._byte(begin)}')
            if self.text[at] == ">":
                break
            at = self._attribute(tag, begin, at, attributes)
        self.open.append((tag, self.length, self._entity(tag, attributes)))
        return at + 1

    def _attribute(self, tag: str, begin: int, at: int, attributes: dict[str, str]) -> int:
        """Read one ``name=value`` (or a bare ``expandable``) into ``attributes``."""
        start = at
        while at < len(self.text) and not self.text[at].isspace() and self.text[at] not in "=>":
            at += 1
        name = self.text[start:at].lower()
        if not name:
            raise ValueError(f'Empty attribute name in the tag "{tag}"')
        at = self._skip_spaces(at)
        if not self.text.startswith("=", at):
            if tag == "blockquote" and name == "expandable":
                attributes[name] = ""
                return at
            raise ValueError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}"'
            )
        at = self._skip_spaces(at + 1)
        if at >= len(self.text):
            raise ValueError(f'Unclosed start tag "{tag}" at byte offset {self._byte(begin)}')
        quote = self.text[at]
        if quote not in "'\"":
            start = at
            while at < len(self.text) and (self.text[at].isalnum() or self.text[at] in ".-"):
                at += 1
            if at < len(self.text) and not self.text[at].isspace() and self.text[at] != ">":
                raise ValueError(f"Unexpected end of name token at byte offset {self._byte(at)}")
            attributes[name] = self.text[start:at].lower()
            return at
        value: list[str] = []
        at += 1
        while at < len(self.text) and self.text[at] != quote:
            reference = _reference(self.text, at) if self.text[at] == "&" else None
            value.append(reference[0] if reference else self.text[at])
            at = reference[1] if reference else at + 1
        if at >= len(self.text):
            raise ValueError(f"Unclosed end tag at byte offset {self._byte(begin)}")
        attributes[name] = "".join(value)
        return at + 1

    def _entity(self, tag: str, attributes: dict[str, str]) -> JSONDict:
        entity: JSONDict = {"type": _ENTITY_BY_TAG[tag]}
        if tag == "a":
            entity["url"] = attributes.get("href", "")
        elif tag == "span" and attributes.get("class") != "tg-spoiler":
            raise ValueError('Tag "span" must have class "tg-spoiler"')
        elif tag == "code" and self.open and self.open[-1][0] == "pre":
            language = attributes.get("class", "").removeprefix("language-")
            if language:
                self.open[-1][2]["language"] = language
        elif tag == "blockquote" and "expandable" in attributes:
            entity["type"] = "expandable_blockquote"
        elif tag == "tg-emoji":
            entity["custom_emoji_id"] = attributes.get("emoji-id", "")
        return entity

    def _close(self, begin: int) -> int:
        """Close the innermost tag with the end tag at ``begin``; returns where it ends."""
        if not self.open:
            raise ValueError(f"Unexpected end tag at byte offset {self._byte(begin)}")
        at = self._word_end(begin + 2)
        name = self.text[begin + 2 : at].lower()
        at = self._skip_spaces(at)
        if not self.text.startswith(">", at):
            raise ValueError(f"Unclosed end tag at byte offset {self._byte(begin)}")
        tag, offset, entity = self.open.pop()
        if name and name != tag:
            raise ValueError(
                f'Unmatched end tag at byte offset {self._byte(begin)}, expected "</{tag}>", '
                f'found "</{name}>"'
            )
        nested_code = entity["type"] == "code" and self.open and self.open[-1][0] == "pre"
        if self.length > offset and not nested_code:
            self.entities.append({**entity, "offset": offset, "length": self.length - offset})
        return at + 1

    def _word_end(self, at: int) -> int:
        while at < len(self.text) and not self.text[at].isspace() and self.text[at] != ">":
            at += 1
        return at

    def _skip_spaces(self, at: int) -> int:
        while at < len(self.text) and self.text[at].isspace():
            at += 1
        return at
