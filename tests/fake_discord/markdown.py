"""What a reader sees of a Discord message: its inline Markdown parsed the way Discord's
parser (Khan's simple-markdown, with Discord's mention and timestamp rules) reads it.

Enough of it to check rendering, not all of Discord: escapes, bold, underline, italics,
strikethrough, inline code, mentions and timestamps; no links, headings or lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# simple-markdown's inline rules (src/index.js), in Python's dialect of the same regexes
ESCAPE = re.compile(r"\\([^0-9A-Za-z\s])")
MENTION = re.compile(r"<@!?\d+>|<@&\d+>|<#\d+>|@everyone|@here|</[\w -]+:\d+>")
TIMESTAMP = re.compile(r"<t:-?\d+(?::[tTdDfFR])?>")
CODE = re.compile(r"(`+)([\s\S]*?[^`])\1(?!`)")
STRONG = re.compile(r"\*\*((?:\\[\s\S]|[^\\])+?)\*\*(?!\*)")
UNDERLINE = re.compile(r"__((?:\\[\s\S]|[^\\])+?)__(?!_)")
EM = re.compile(
    r"\b_((?:__|\\[\s\S]|[^\\_])+?)_\b"
    r"|\*(?=\S)((?:\*\*|\\[\s\S]|\s+(?:\\[\s\S]|[^\s\*\\]|\*\*)|[^\s\*\\])+?)\*(?!\*)"
)
STRIKE = re.compile(r"~~(?=\S)((?:\\[\s\S]|~(?!~)|[^\s~\\]|\s(?!~~))+?)~~")
TEXT = re.compile(r"[\s\S]+?(?=[^0-9A-Za-z\s\u00c0-\uffff]|\n\n| {2,}\n|\w+:\S|$)")
STYLES = (("em", EM, 0.2), ("strong", STRONG, 0.1), ("u", UNDERLINE, 0.0))  # one order: by quality


@dataclass(frozen=True)
class Shown:
    """A run of what the reader sees, in its styles; ``kind`` is "text", "mention" or
    "timestamp"."""

    text: str
    styles: frozenset[str] = frozenset()
    kind: str = "text"


def shown(content: str, styles: frozenset[str] = frozenset()) -> list[Shown]:
    """The message as the reader sees it, run by run (neighbouring plain runs merged)."""
    runs: list[Shown] = []
    at = 0
    while at < len(content):
        found, taken = _next(content[at:], styles)
        runs.extend(found)
        at += taken
    return _merged(runs)


def _next(rest: str, styles: frozenset[str]) -> tuple[list[Shown], int]:
    """The runs the first rule that matches at the start of ``rest`` makes, and its length."""
    if match := ESCAPE.match(rest):
        return [Shown(match.group(1), styles)], match.end()
    for kind, pattern in (("mention", MENTION), ("timestamp", TIMESTAMP)):
        if match := pattern.match(rest):
            return [Shown(match.group(0), styles, kind)], match.end()
    if match := CODE.match(rest):
        return [Shown(match.group(2), styles | {"code"})], match.end()
    best: tuple[float, str, re.Match[str]] | None = None
    for name, pattern, quality in STYLES:
        if (match := pattern.match(rest)) and (best is None or match.end() + quality > best[0]):
            best = (match.end() + quality, name, match)
    if best is not None:
        _, name, match = best
        inner = next(group for group in match.groups() if group is not None)
        return shown(inner, styles | {name}), match.end()
    if match := STRIKE.match(rest):
        return shown(match.group(1), styles | {"del"}), match.end()
    match = TEXT.match(rest)
    taken = match.end() if match is not None and match.end() else 1
    return [Shown(rest[:taken], styles)], taken


def _merged(runs: list[Shown]) -> list[Shown]:
    merged: list[Shown] = []
    for run in runs:
        if merged and merged[-1].kind == run.kind == "text" and merged[-1].styles == run.styles:
            merged[-1] = Shown(merged[-1].text + run.text, run.styles)
        else:
            merged.append(run)
    return merged


def read(content: str) -> str:
    """The words the reader sees, without styles (zero-width spaces are not seen)."""
    return "".join(run.text for run in shown(content)).replace("\u200b", "")
