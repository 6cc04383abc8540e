"""A question's choices, and which of them a typed answer selects.

A typed answer selects a choice when it is the choice's label or one of the synonyms listed
with it, the start of one of those (at least two characters: "part" for "Part of it"), or
whole words of one ("downhill" for "Stiff downhill or heavy uphill"). Case, accents,
apostrophes and punctuation do not matter, number words are digits ("two" is "2") and a
score may carry "/10" ("6/10"). Text that could mean several choices selects none: the
reason says which ones it could mean.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.services.dialogs.free_text import NotUnderstood
from bot.services.presentation.cues import Cue
from bot.services.presentation.text import cue

MIN_PREFIX = 2  # one letter is too little to choose by
NUMBERS = {
    word: str(number)
    for number, word in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    )
}
STOP_WORDS = frozenset(
    {"a", "an", "and", "the", "of", "or", "it", "its", "to", "my", "me", "i", "ill", "is", "in"}
)
"""Words too slight to select a choice on their own (they still count inside a phrase)."""
NO_MATCH = cue(Cue.CHOOSE_ONE)
_OUT_OF_TEN = re.compile(r"^\s*(\d{1,2})\s*(?:/|out of)\s*10\s*$", re.IGNORECASE)
_LIST = re.compile(r"\s*(?:[,;&+/]|\band\b)\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Choice:
    """One button of a step: the stored value, its label, and other words that mean it."""

    value: str
    label: str
    synonyms: tuple[str, ...] = ()

    def phrases(self) -> tuple[tuple[str, ...], ...]:
        """The label and each synonym, as normalised words."""
        return tuple(words(phrase) for phrase in (self.label, *self.synonyms))


class Ambiguous(NotUnderstood):
    """The text could mean several choices."""


def words(text: str) -> tuple[str, ...]:
    """``It's a habit!`` -> ``("its", "a", "habit")``; ``6/10`` -> ``("6",)``."""
    score = _OUT_OF_TEN.match(text)
    if score is not None:
        return (score[1],)
    folded = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in folded if not unicodedata.combining(c))
    bare = bare.replace("'", "").replace("’", "")
    return tuple(NUMBERS.get(word, word) for word in re.split(r"[^\w]+|_", bare) if word)


def exact(text: str, choices: Iterable[Choice]) -> Choice | None:
    """The choice whose label or synonym ``text`` is, if any."""
    typed = words(text)
    return next((c for c in choices if typed and typed in c.phrases()), None)


def choose(text: str, choices: Sequence[Choice]) -> Choice:
    """The one choice ``text`` selects; ``NotUnderstood`` if none, ``Ambiguous`` if several."""
    found = exact(text, choices)
    if found is not None:
        return found
    typed = words(text)
    matches = [c for c in choices if any(_part_of(typed, phrase) for phrase in c.phrases())]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise Ambiguous(f"That could mean {_either(matches)}. Which one?")
    raise NotUnderstood(NO_MATCH)


def choose_several(text: str, choices: Sequence[Choice]) -> list[Choice]:
    """The choices of a list typed with commas, "and" or spaces (``knee, hip``,
    ``knee hip``, ``lower back and hip``), in the order typed, each once."""
    chosen: list[Choice] = []
    for part in (piece for piece in _LIST.split(text) if words(piece)):
        try:
            picked = [choose(part, choices)]
        except Ambiguous:
            raise
        except NotUnderstood:  # not one choice: perhaps several, separated by spaces
            picked = [choose(word, choices) for word in words(part) if word not in STOP_WORDS]
            if not picked:
                raise
        chosen += [choice for choice in picked if choice not in chosen]
    if not chosen:
        raise NotUnderstood(NO_MATCH)
    return chosen


def _part_of(typed: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """Whether ``typed`` starts ``phrase`` (two characters at least) or is whole words of it
    (not only slight ones)."""
    if not typed:
        return False
    start = " ".join(typed)
    if len(start) >= MIN_PREFIX and " ".join(phrase).startswith(start):
        return True
    if set(typed) <= STOP_WORDS:
        return False
    size = len(typed)
    return any(phrase[i : i + size] == typed for i in range(len(phrase) - size + 1))


def _either(choices: Sequence[Choice]) -> str:
    labels = [f"“{choice.label}”" for choice in choices]
    return ", ".join(labels[:-1]) + " or " + labels[-1]
