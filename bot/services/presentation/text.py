"""The coach's words as a neutral text model: plain, bold and italic spans, moments and cues.

Services build ``Text`` and never escape anything; each adapter words every cue in its
platform's words (``Text.worded``), then renders every span with its own escaping (Telegram
HTML, Discord Markdown, plain text on the console), so no name or title a person typed can
break a message.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from bot.services.presentation.cues import NEUTRAL, Cue, Words


class Style(enum.StrEnum):
    """How a span is shown."""

    PLAIN = "plain"
    BOLD = "bold"
    ITALIC = "italic"


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text in one style; with ``at``, a moment that a platform able to show it in
    each reader's own time zone does so (``text`` is how it reads where it was planned); with
    ``cue``, words each platform says its own way (``text`` is how they read neutrally)."""

    text: str
    style: Style = Style.PLAIN
    at: datetime | None = None
    cue: Cue | None = None


@dataclass(frozen=True, slots=True)
class Text:
    """A message's words: a sequence of spans; ``str()`` gives them without styles."""

    spans: tuple[Span, ...] = ()

    def __add__(self, other: Text | str) -> Text:
        return Text(self.spans + as_text(other).spans)

    def __radd__(self, other: str) -> Text:
        return as_text(other) + self

    def __str__(self) -> str:
        return "".join(span.text for span in self.spans)

    def __len__(self) -> int:
        return sum(len(span.text) for span in self.spans)

    def __bool__(self) -> bool:
        return any(span.text for span in self.spans)

    def __contains__(self, words: str) -> bool:
        return words in str(self)

    def worded(self, words: Words) -> Text:
        """The text with every cue in ``words``, a platform's; a cue worded as nothing is
        dropped."""
        return Text(
            tuple(
                span if span.cue is None else Span(words[span.cue], span.style)
                for span in self.spans
                if span.cue is None or words[span.cue]
            )
        )

    def lines(self) -> list[Text]:
        """The text cut at each newline (the newlines dropped), styles kept."""
        lines: list[list[Span]] = [[]]
        for span in self.spans:
            first, *rest = span.text.split("\n")
            for number, piece in enumerate((first, *rest)):
                if number:
                    lines.append([])
                if piece:
                    lines[-1].append(Span(piece, span.style, span.at, span.cue))
        return [Text(tuple(spans)) for spans in lines]


def as_text(words: Text | str) -> Text:
    """``words`` as Text; a ``str`` is one plain span."""
    return words if isinstance(words, Text) else plain(words)


def plain(words: str) -> Text:
    """Unstyled text."""
    return Text((Span(words),) if words else ())


def bold(words: str) -> Text:
    """Text in bold."""
    return Text((Span(words, Style.BOLD),))


def italic(words: str) -> Text:
    """Text in italics."""
    return Text((Span(words, Style.ITALIC),))


def moment(label: str, at: datetime) -> Text:
    """A time of day: ``label`` where it was planned, each reader's own time where possible."""
    if at.tzinfo is None:
        raise ValueError("a moment needs an aware datetime")
    return Text((Span(label, at=at),))


def cue(said: Cue) -> Text:
    """Words each platform says its own way (see ``cues``)."""
    return Text((Span(NEUTRAL[said], cue=said),))


def join(separator: Text | str, parts: Iterable[Text | str]) -> Text:
    """The parts, with ``separator`` between each two."""
    between = as_text(separator)
    return Text(tuple(_joined(between, (as_text(part) for part in parts))))


def lines(*parts: Text | str) -> Text:
    """The parts, one a line."""
    return join("\n", parts)


def _joined(separator: Text, parts: Iterator[Text]) -> Iterator[Span]:
    for number, part in enumerate(parts):
        if number:
            yield from separator.spans
        yield from part.spans
