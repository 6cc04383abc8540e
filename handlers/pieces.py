"""Long messages cut into pieces a platform accepts, at blank lines, then at lines."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from bot.services.presentation.text import Span, Text, join

Render = Callable[[Text], str]


def pieces(text: Text, *, limit: int, render: Render) -> list[str]:
    """``text`` rendered, in as few pieces as fit ``limit`` characters each.

    Pieces break between paragraphs where they can, then between lines; a single line too
    long for any message is cut, as a last resort.
    """
    whole = render(text)
    if len(whole) <= limit:
        return [whole]
    out: list[str] = []
    current: Text | None = None
    for block in _blocks(text, limit, render):
        candidate = block if current is None else join("\n\n", [current, block])
        if len(render(candidate)) <= limit:
            current = candidate
            continue
        if current is not None:
            out.append(render(current))
        current = block
    if current is not None:
        out.append(render(current))
    return out


def _blocks(text: Text, limit: int, render: Render) -> Iterator[Text]:
    """Paragraphs that fit, else groups of lines that fit, else cut lines."""
    paragraphs: list[list[Text]] = [[]]
    for line in text.lines():
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    for paragraph in filter(None, paragraphs):
        group: Text | None = None
        for line in (piece for whole in paragraph for piece in _cut(whole, limit, render)):
            candidate = line if group is None else join("\n", [group, line])
            if len(render(candidate)) <= limit:
                group = candidate
                continue
            if group is not None:
                yield group
            group = line
        if group is not None:
            yield group


def _cut(line: Text, limit: int, render: Render) -> Iterator[Text]:
    """A line as it is if it fits, else cut into runs of characters that do."""
    rest = line
    while len(render(rest)) > limit:
        size = limit
        while size > 1 and (shown := len(render(head := _slice(rest, 0, size)))) > limit:
            size = max(1, min(size - 1, size * limit // shown))  # escaping made it longer
        head = _slice(rest, 0, size)
        yield head
        rest = _slice(rest, size, len(rest))
    if rest:
        yield rest


def _slice(text: Text, start: int, stop: int) -> Text:
    """The characters from ``start`` to ``stop`` of ``text``, styles kept."""
    spans: list[Span] = []
    offset = 0
    for span in text.spans:
        piece = span.text[max(0, start - offset) : max(0, stop - offset)]
        if piece:
            spans.append(Span(piece, span.style, span.at))
        offset += len(span.text)
    return Text(tuple(spans))
